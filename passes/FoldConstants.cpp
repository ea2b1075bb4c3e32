//===- FoldConstants.cpp - Evaluate small constant sub-graphs -------------===//
//
// Exported models compute sizes, axes and scalars with elementwise ops on
// constants (Cast, Sub, Div, Range, comparisons). Code generation needs those
// values at compile time, so this pass evaluates anvil ops whose operands are
// all small inline constants and replaces them by `anvil.constant`. Weights
// (dense resource blobs) are never touched: the limit is 4096 elements.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace anvil {
#define GEN_PASS_DEF_ANVILFOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

constexpr int64_t kMaxElements = 4096;

/// A constant's elements as doubles (floats) or int64 (integers, booleans).
struct Values {
  RankedTensorType type;
  std::vector<double> f;
  std::vector<int64_t> i;
  std::vector<bool> unknown; // symbolic dims of a shape; empty for constants
  bool isFloat() const { return isa<FloatType>(type.getElementType()); }
  int64_t size() const { return isFloat() ? f.size() : i.size(); }
  double asDouble(int64_t k) const { return isFloat() ? f[k] : (double)i[k]; }
};

bool isSupportedElement(Type t) {
  return t.isF32() || t.isF64() || t.isF16() || t.isBF16() ||
         (isa<IntegerType>(t) && t.getIntOrFloatBitWidth() <= 64);
}

std::optional<Values> read(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxElements ||
      !isSupportedElement(type.getElementType()))
    return std::nullopt;
  Values out{type, {}, {}, {}};
  if (isa<FloatType>(type.getElementType())) {
    for (const APFloat &x : attr.getValues<APFloat>())
      out.f.push_back(x.convertToDouble());
  } else {
    bool isUnsigned = type.getElementType().isUnsignedInteger() ||
                      type.getElementType().isInteger(1);
    for (const APInt &x : attr.getValues<APInt>())
      out.i.push_back(isUnsigned ? (int64_t)x.getZExtValue()
                                 : x.getSExtValue());
  }
  return out;
}

/// Rounds `x` to `t`'s precision (f32 arithmetic is done in double and then
/// rounded once, exact for the +,-,*,/ of one step).
APFloat toFloat(double x, FloatType t) {
  APFloat f(x);
  bool lost;
  f.convert(t.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return f;
}

Attribute write(RankedTensorType type, const std::vector<double> &f,
                const std::vector<int64_t> &i) {
  Type e = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(e)) {
    SmallVector<APFloat> values;
    for (double x : f)
      values.push_back(toFloat(x, ft));
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = e.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (int64_t x : i)
    values.push_back(APInt(width, (uint64_t)x,
                           /*isSigned=*/!e.isUnsignedInteger(),
                           /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

/// Flat index into an operand of shape `in` for flat index `k` of the
/// (numpy-broadcast) result shape `out`.
int64_t broadcastIndex(int64_t k, ArrayRef<int64_t> out, ArrayRef<int64_t> in) {
  int64_t index = 0, stride = 1;
  for (int64_t d = (int64_t)out.size() - 1, e = (int64_t)in.size() - 1; d >= 0;
       --d, --e) {
    int64_t coord = k % out[d];
    k /= out[d];
    if (e < 0)
      continue;
    if (in[e] != 1)
      index += coord * stride;
    stride *= in[e];
  }
  return index;
}

using FloatFn = double (*)(double, double);
using IntFn = std::optional<int64_t> (*)(int64_t, int64_t);

struct BinaryRule {
  FloatFn onFloats;
  IntFn onInts;
};

std::optional<BinaryRule> binaryRule(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<BinaryRule>>(op)
      .Case<AddOp>([](auto) {
        return BinaryRule{[](double a, double b) { return a + b; },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            return a + b;
                          }};
      })
      .Case<SubOp>([](auto) {
        return BinaryRule{[](double a, double b) { return a - b; },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            return a - b;
                          }};
      })
      .Case<MulOp>([](auto) {
        return BinaryRule{[](double a, double b) { return a * b; },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            return a * b;
                          }};
      })
      .Case<DivOp>([](auto) {
        // Integer division truncates, as the lowering does; x / 0 is left to
        // run time.
        return BinaryRule{[](double a, double b) { return a / b; },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            if (b == 0)
                              return std::nullopt;
                            return a / b;
                          }};
      })
      .Case<MaxOp>([](auto) {
        return BinaryRule{[](double a, double b) {
                            return std::isnan(a) || std::isnan(b)
                                       ? NAN
                                       : std::max(a, b);
                          },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            return std::max(a, b);
                          }};
      })
      .Case<MinOp>([](auto) {
        return BinaryRule{[](double a, double b) {
                            return std::isnan(a) || std::isnan(b)
                                       ? NAN
                                       : std::min(a, b);
                          },
                          [](int64_t a, int64_t b) -> std::optional<int64_t> {
                            return std::min(a, b);
                          }};
      })
      .Default([](auto) { return std::nullopt; });
}

using CompareFn = bool (*)(double, double);
std::optional<CompareFn> compareRule(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<CompareFn>>(op)
      .Case<EqualOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a == b; };
      })
      .Case<LessOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a < b; };
      })
      .Case<LessEqualOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a <= b; };
      })
      .Case<GreaterOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a > b; };
      })
      .Case<GreaterEqualOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a >= b; };
      })
      .Case<AndOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a != 0 && b != 0; };
      })
      .Case<OrOp>([](auto) -> CompareFn {
        return [](double a, double b) { return a != 0 || b != 0; };
      })
      .Case<XorOp>([](auto) -> CompareFn {
        return [](double a, double b) { return (a != 0) != (b != 0); };
      })
      .Default([](auto) { return std::nullopt; });
}

/// The folded value of `op`, typed with its (static) result shape; null when
/// `op` is not foldable.
Attribute fold(Operation *op) {
  if (op->getNumResults() != 1)
    return nullptr;
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !isSupportedElement(resultType.getElementType()))
    return nullptr;
  SmallVector<Values> in;
  for (Value v : op->getOperands()) {
    std::optional<Values> x = read(v);
    if (!x)
      return nullptr;
    in.push_back(std::move(*x));
  }
  Type resultElement = resultType.getElementType();
  bool floatResult = isa<FloatType>(resultElement);

  if (auto range = dyn_cast<RangeOp>(op)) {
    double start = in[0].asDouble(0), limit = in[1].asDouble(0),
           delta = in[2].asDouble(0);
    if (delta == 0)
      return nullptr;
    double steps = std::ceil((limit - start) / delta);
    int64_t n = steps > 0 ? (int64_t)steps : 0;
    if (n > kMaxElements)
      return nullptr;
    auto type = resultType.clone({n});
    std::vector<double> f;
    std::vector<int64_t> i;
    for (int64_t k = 0; k < n; ++k) {
      // ONNX's Range accumulates: start + k * delta, in the element type.
      if (floatResult)
        f.push_back(
            toFloat(start, cast<FloatType>(resultElement)).convertToDouble() +
            k * delta);
      else
        i.push_back((int64_t)start + k * (int64_t)delta);
    }
    return write(type, f, i);
  }

  if (!resultType.hasStaticShape())
    return nullptr;
  int64_t n = resultType.getNumElements();
  std::vector<double> f;
  std::vector<int64_t> i;
  auto emit = [&](double x, int64_t y, bool fromFloat) {
    if (floatResult)
      f.push_back(fromFloat ? x : (double)y);
    else
      i.push_back(fromFloat ? (int64_t)x : y);
  };

  if (auto cast = dyn_cast<CastOp>(op)) {
    if (in[0].size() != n)
      return nullptr;
    for (int64_t k = 0; k < n; ++k) {
      if (in[0].isFloat()) {
        double x = in[0].f[k];
        if (resultElement.isInteger(1))
          i.push_back(x != 0);
        else if (!floatResult && (std::isnan(x) || std::isinf(x)))
          return nullptr; // undefined in ONNX: left to run time
        else
          emit(floatResult ? x : std::trunc(x), 0, true);
      } else {
        emit(0, in[0].i[k], false);
        if (resultElement.isInteger(1))
          i.back() = i.back() != 0;
      }
    }
    return write(resultType, f, i);
  }

  if (isa<NegOp, AbsOp, NotOp, SqrtOp>(op)) {
    if (in[0].size() != n)
      return nullptr;
    for (int64_t k = 0; k < n; ++k) {
      if (isa<NotOp>(op)) {
        i.push_back(in[0].i[k] == 0);
      } else if (in[0].isFloat()) {
        double x = in[0].f[k];
        f.push_back(isa<NegOp>(op)   ? -x
                    : isa<AbsOp>(op) ? std::fabs(x)
                                     : std::sqrt(x));
      } else {
        if (isa<SqrtOp>(op))
          return nullptr;
        int64_t x = in[0].i[k];
        i.push_back(isa<NegOp>(op) ? -x : std::abs(x));
      }
    }
    return write(resultType, f, i);
  }

  if (op->getNumOperands() != 2)
    return nullptr;
  ArrayRef<int64_t> shape = resultType.getShape();
  auto at = [&](const Values &v, int64_t k) {
    return broadcastIndex(k, shape, v.type.getShape());
  };
  if (std::optional<CompareFn> cmp = compareRule(op)) {
    for (int64_t k = 0; k < n; ++k)
      i.push_back(
          (*cmp)(in[0].asDouble(at(in[0], k)), in[1].asDouble(at(in[1], k))));
    return write(resultType, f, i);
  }
  if (std::optional<BinaryRule> rule = binaryRule(op)) {
    if (in[0].isFloat() != floatResult || in[1].isFloat() != floatResult)
      return nullptr;
    for (int64_t k = 0; k < n; ++k) {
      int64_t a = at(in[0], k), b = at(in[1], k);
      if (floatResult) {
        f.push_back(rule->onFloats(in[0].f[a], in[1].f[b]));
      } else {
        std::optional<int64_t> r = rule->onInts(in[0].i[a], in[1].i[b]);
        if (!r)
          return nullptr;
        i.push_back(*r);
      }
    }
    return write(resultType, f, i);
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Data movement and shape vectors
//===----------------------------------------------------------------------===//

/// The dims [start, end) of its input that `anvil.shape` returns, clamped as
/// ONNX Shape-15 specifies.
std::pair<int64_t, int64_t> shapeRange(ShapeOp op) {
  int64_t rank = op.getInput().getType().getRank();
  auto clampIndex = [&](int64_t x) {
    return std::clamp<int64_t>(x < 0 ? x + rank : x, 0, rank);
  };
  int64_t start = clampIndex(op.getStart());
  int64_t end = op.getEnd() ? clampIndex(*op.getEnd()) : rank;
  return {start, std::max(start, end)};
}

/// The operand of a data-movement op as values: a small constant, or the
/// result of `anvil.shape`, whose symbolic dims are marked unknown.
std::optional<Values> readData(Value v) {
  if (std::optional<Values> x = read(v))
    return x;
  auto shapeOp = v.getDefiningOp<ShapeOp>();
  if (!shapeOp)
    return std::nullopt;
  auto type = cast<RankedTensorType>(v.getType());
  ArrayRef<int64_t> dims = shapeOp.getInput().getType().getShape();
  auto [start, end] = shapeRange(shapeOp);
  Values out{type.clone({end - start}), {}, {}, {}};
  for (int64_t d = start; d < end; ++d) {
    out.i.push_back(shape::isDynamic(dims[d]) ? 0 : dims[d]);
    out.unknown.push_back(shape::isDynamic(dims[d]));
  }
  return out;
}

/// Where each element of a data-movement result comes from.
struct Movement {
  shape::Shape shape;        // the result shape
  std::vector<int64_t> from; // flat index into the data operand per element
};

/// The static result shape of a Flatten, or of a Squeeze or Unsqueeze with
/// static axes, of the static shape `in`; null for Reshape or run-time axes.
std::optional<shape::Shape> movedShape(Operation *op, ArrayRef<int64_t> in) {
  int64_t rank = in.size();
  if (auto flatten = dyn_cast<FlattenOp>(op)) {
    int64_t axis =
        flatten.getAxis() < 0 ? flatten.getAxis() + rank : flatten.getAxis();
    if (axis < 0 || axis > rank)
      return std::nullopt;
    return shape::Shape{shape::product(in.take_front(axis)),
                        shape::product(in.drop_front(axis))};
  }
  if (auto squeeze = dyn_cast<SqueezeOp>(op)) {
    if (squeeze.getDynamicAxes())
      return std::nullopt;
    llvm::SmallBitVector drop(rank);
    for (int64_t a : squeeze.getAxes()) {
      a = a < 0 ? a + rank : a;
      if (a < 0 || a >= rank || in[a] != 1)
        return std::nullopt;
      drop.set(a);
    }
    shape::Shape out;
    for (int64_t d = 0; d < rank; ++d)
      if (squeeze.getAxes().empty() ? in[d] != 1 : !drop.test(d))
        out.push_back(in[d]);
    return out;
  }
  if (auto unsqueeze = dyn_cast<UnsqueezeOp>(op)) {
    if (unsqueeze.getDynamicAxes())
      return std::nullopt;
    int64_t outRank = rank + unsqueeze.getAxes().size();
    llvm::SmallBitVector inserted(outRank);
    for (int64_t a : unsqueeze.getAxes()) {
      a = a < 0 ? a + outRank : a;
      if (a < 0 || a >= outRank || inserted.test(a))
        return std::nullopt;
      inserted.set(a);
    }
    shape::Shape out;
    for (int64_t d = 0, k = 0; d < outRank; ++d)
      out.push_back(inserted.test(d) ? 1 : in[k++]);
    return out;
  }
  return std::nullopt;
}

/// The static result shape of a Reshape of the static shape `in` to a
/// constant target (ONNX: 0 copies the dim unless `allowzero`, one -1 is
/// inferred); null when the target is not a known constant or does not fit.
std::optional<shape::Shape> reshapedShape(ReshapeOp op, ArrayRef<int64_t> in) {
  std::optional<Values> target = read(op.getShape());
  if (!target || target->isFloat() ||
      llvm::any_of(target->unknown, [](bool u) { return u; }))
    return std::nullopt;
  shape::Shape out;
  int64_t infer = -1, known = 1;
  for (auto [p, t] : llvm::enumerate(target->i)) {
    if (t == 0 && !op.getAllowzero()) {
      if (p >= in.size())
        return std::nullopt;
      t = in[p];
    }
    if (t == -1) {
      if (infer >= 0)
        return std::nullopt;
      infer = p;
    } else if (t < 0) {
      return std::nullopt;
    } else {
      known *= t;
    }
    out.push_back(t);
  }
  int64_t total = shape::product(in);
  if (infer >= 0) {
    if (known == 0 || total % known != 0)
      return std::nullopt;
    out[infer] = total / known;
  }
  return out;
}

/// Gather along `axis` of `data` at the constant `indices` (negative ones
/// count from the end); nullopt when an index is out of range.
std::optional<Movement> gatherMovement(ArrayRef<int64_t> data, int64_t axis,
                                       const Values &indices) {
  std::optional<int64_t> a = shape::normalizeAxis(axis, data.size());
  if (!a || indices.isFloat())
    return std::nullopt;
  int64_t outer = shape::product(data.take_front(*a));
  int64_t inner = shape::product(data.drop_front(*a + 1));
  int64_t extent = data[*a];
  Movement m;
  m.shape.append(data.begin(), data.begin() + *a);
  m.shape.append(indices.type.getShape().begin(),
                 indices.type.getShape().end());
  m.shape.append(data.begin() + *a + 1, data.end());
  if (shape::product(m.shape) > kMaxElements)
    return std::nullopt;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices.i) {
      if (index < -extent || index >= extent)
        return std::nullopt; // the lowering reports it at run time
      index = index < 0 ? index + extent : index;
      for (int64_t k = 0; k < inner; ++k)
        m.from.push_back((o * extent + index) * inner + k);
    }
  return m;
}

/// ONNX Slice of `data` with constant starts, ends, axes and steps (bounds
/// clamped, negative ones counting from the end).
std::optional<Movement> sliceMovement(ArrayRef<int64_t> data,
                                      const Values &starts, const Values &ends,
                                      const Values &axes, const Values &steps) {
  int64_t rank = data.size(), n = starts.size();
  if (starts.isFloat() || ends.isFloat() || axes.isFloat() || steps.isFloat() ||
      ends.size() != n || axes.size() != n || steps.size() != n)
    return std::nullopt;
  SmallVector<int64_t> first(rank, 0), step(rank, 1);
  Movement m;
  m.shape.assign(data.begin(), data.end());
  for (int64_t k = 0; k < n; ++k) {
    std::optional<int64_t> a = shape::normalizeAxis(axes.i[k], rank);
    if (!a || steps.i[k] == 0)
      return std::nullopt;
    int64_t d = data[*a], s = starts.i[k], e = ends.i[k], st = steps.i[k];
    if (d == 0) { // nothing to take, whatever the bounds
      first[*a] = 0;
      step[*a] = st;
      m.shape[*a] = 0;
      continue;
    }
    s = s < 0 ? s + d : s;
    e = e < 0 ? e + d : e;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    int64_t count = st > 0 ? (e - s + st - 1) / st : (s - e - st - 1) / -st;
    first[*a] = s;
    step[*a] = st;
    m.shape[*a] = std::max<int64_t>(count, 0);
  }
  int64_t total = shape::product(m.shape);
  if (total > kMaxElements)
    return std::nullopt;
  for (int64_t k = 0; k < total; ++k) {
    int64_t rest = k, index = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t coord = rest % m.shape[d];
      rest /= m.shape[d];
      index += (first[d] + coord * step[d]) * stride;
      stride *= data[d];
    }
    m.from.push_back(index);
  }
  return m;
}

/// The movement of a gather, slice or reshape-like op on a static `data`
/// shape, with its other operands constant.
std::optional<Movement> movement(Operation *op, ArrayRef<int64_t> data) {
  auto constant = [&](unsigned k) { return read(op->getOperand(k)); };
  if (auto gather = dyn_cast<GatherOp>(op)) {
    std::optional<Values> indices = constant(1);
    if (!indices)
      return std::nullopt;
    return gatherMovement(data, gather.getAxis(), *indices);
  }
  if (isa<SliceOp>(op)) {
    auto starts = constant(1), ends = constant(2), axes = constant(3),
         steps = constant(4);
    if (!starts || !ends || !axes || !steps)
      return std::nullopt;
    return sliceMovement(data, *starts, *ends, *axes, *steps);
  }
  // The element order is unchanged; the result type says the shape, or, when
  // it still has `?` dims (the input was a Range), the static input and the
  // axes do.
  if (isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op)) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Movement m;
    m.shape.assign(type.getShape().begin(), type.getShape().end());
    if (!type.hasStaticShape()) {
      std::optional<shape::Shape> inferred =
          isa<ReshapeOp>(op) ? reshapedShape(cast<ReshapeOp>(op), data)
                             : movedShape(op, data);
      if (!inferred)
        return std::nullopt;
      m.shape = *inferred;
    }
    if (shape::product(m.shape) != shape::product(data))
      return std::nullopt;
    for (int64_t k = 0; k < shape::product(m.shape); ++k)
      m.from.push_back(k);
    return m;
  }
  return std::nullopt;
}

/// Evaluates a data-movement op (Gather, Slice, Reshape, Flatten, Squeeze,
/// Unsqueeze, Concat) on small constants and on the static dims of
/// `anvil.shape` results; null when an element it needs is unknown.
Attribute foldMovement(Operation *op) {
  if (op->getNumResults() != 1)
    return nullptr;
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !isSupportedElement(resultType.getElementType()))
    return nullptr;
  std::vector<double> f;
  std::vector<int64_t> i;
  auto take = [&](const Values &v, int64_t k) {
    if (!v.unknown.empty() && v.unknown[k])
      return false;
    if (v.isFloat())
      f.push_back(v.f[k]);
    else
      i.push_back(v.i[k]);
    return true;
  };
  shape::Shape out;
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    SmallVector<Values> in;
    for (Value v : concat.getInputs()) {
      std::optional<Values> x = readData(v);
      if (!x)
        return nullptr;
      in.push_back(std::move(*x));
    }
    int64_t rank = in.front().type.getRank();
    std::optional<int64_t> axis = shape::normalizeAxis(concat.getAxis(), rank);
    if (!axis)
      return nullptr;
    out.assign(in.front().type.getShape().begin(),
               in.front().type.getShape().end());
    out[*axis] = 0;
    for (const Values &x : in)
      out[*axis] += x.type.getDimSize(*axis);
    ArrayRef<int64_t> outShape = out;
    int64_t outer = shape::product(outShape.take_front(*axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const Values &x : in) {
        int64_t chunk = shape::product(x.type.getShape().drop_front(*axis));
        for (int64_t k = 0; k < chunk; ++k)
          if (!take(x, o * chunk + k))
            return nullptr;
      }
  } else {
    if (op->getNumOperands() == 0)
      return nullptr;
    std::optional<Values> data = readData(op->getOperand(0));
    if (!data)
      return nullptr;
    std::optional<Movement> m = movement(op, data->type.getShape());
    if (!m)
      return nullptr;
    for (int64_t k : m->from)
      if (!take(*data, k))
        return nullptr;
    out = m->shape;
  }
  if (!shape::compatible(out, resultType.getShape()))
    return nullptr;
  return write(resultType.clone(out), f, i);
}

/// One entry of a shape vector: a known value, or dim `dim` of `tensor`.
struct ShapeEntry {
  int64_t value = shape::kDynamic;
  Value tensor;
  int64_t dim = -1;
};

/// The entries of a 0-D or 1-D i64 value built from constants and the dims
/// of tensors (Shape, Gather, Slice, Unsqueeze, Squeeze, Concat), as PyTorch
/// exports compute Reshape targets; nullopt for anything else.
std::optional<SmallVector<ShapeEntry>> describeShape(Value v, int depth = 0) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (depth > 8 || !type || type.getRank() > 1 ||
      !type.getElementType().isInteger(64))
    return std::nullopt;
  if (std::optional<Values> x = read(v)) {
    SmallVector<ShapeEntry> out;
    for (int64_t value : x->i)
      out.push_back({value, {}, -1});
    return out;
  }
  Operation *op = v.getDefiningOp();
  if (!op)
    return std::nullopt;
  if (auto shapeOp = dyn_cast<ShapeOp>(op)) {
    auto [start, end] = shapeRange(shapeOp);
    SmallVector<ShapeEntry> out;
    for (int64_t d = start; d < end; ++d) {
      int64_t size = shapeOp.getInput().getType().getDimSize(d);
      out.push_back(shape::isDynamic(size)
                        ? ShapeEntry{size, shapeOp.getInput(), d}
                        : ShapeEntry{size, {}, -1});
    }
    return out;
  }
  if (isa<UnsqueezeOp, SqueezeOp>(op))
    return describeShape(op->getOperand(0), depth + 1);
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    SmallVector<ShapeEntry> out;
    for (Value piece : concat.getInputs()) {
      auto entries = describeShape(piece, depth + 1);
      if (!entries)
        return std::nullopt;
      out.append(*entries);
    }
    return out;
  }
  if (isa<GatherOp, SliceOp>(op)) {
    auto data = describeShape(op->getOperand(0), depth + 1);
    if (!data)
      return std::nullopt;
    std::optional<Movement> m = movement(op, {(int64_t)data->size()});
    if (!m)
      return std::nullopt;
    SmallVector<ShapeEntry> out;
    for (int64_t k : m->from)
      out.push_back((*data)[k]);
    return out;
  }
  return std::nullopt;
}

/// A Reshape whose target is assembled from the dims of tensors (PyTorch's
/// `x.view(x.size(0), -1, ...)`) gets a constant target that means the same
/// at every batch size: an entry that reads dim j of the reshape's own input
/// at position j becomes 0 (ONNX: copy the input dim), and one remaining
/// unknown entry becomes -1 (inferred from the element count) when the other
/// entries are known and non-zero.
void simplifyReshapeTarget(ReshapeOp op, OpBuilder &b) {
  if (read(op.getShape()))
    return;
  std::optional<SmallVector<ShapeEntry>> entries = describeShape(op.getShape());
  RankedTensorType in = op.getInput().getType();
  if (!entries || (int64_t)entries->size() != op.getType().getRank())
    return;
  bool allowzero = op.getAllowzero();
  SmallVector<int64_t> target;
  std::optional<int64_t> unknown;
  for (auto [p, e] : llvm::enumerate(*entries)) {
    if (!shape::isDynamic(e.value)) {
      target.push_back(e.value);
    } else if (!allowzero && e.tensor == op.getInput() && e.dim == (int64_t)p) {
      target.push_back(0);
    } else {
      if (unknown)
        return; // two run-time sizes: the target stays computed
      unknown = p;
      target.push_back(-1);
    }
  }
  if (unknown) {
    for (auto [p, t] : llvm::enumerate(target)) {
      if ((int64_t)p == *unknown)
        continue;
      // -1 is inferred only when every other size is known and non-zero.
      bool copiesKnownDim = t == 0 && !allowzero && (int64_t)p < in.getRank() &&
                            !in.isDynamicDim(p) && in.getDimSize(p) > 0;
      if (t < 0 || (t == 0 && !copiesKnownDim))
        return;
    }
  }
  b.setInsertionPoint(op);
  auto type = RankedTensorType::get({(int64_t)target.size()}, b.getI64Type());
  Value constant = ConstantOp::create(
      b, op.getShape().getLoc(), type,
      cast<ElementsAttr>(DenseIntElementsAttr::get(type, target)));
  op.getShapeMutable().assign(constant);
}

/// Anvil ops take refined (more static) operand types; the model function's
/// return takes them too, and the function type is updated at the end.
bool canRetypeFor(Operation *user) {
  return isa<AnvilDialect>(user->getDialect()) || isa<func::ReturnOp>(user);
}

/// A reduction whose run-time axes operand became a constant takes the axes as
/// its attribute and gets the result type they imply (the importer typed it
/// `?` in every dim it could not know).
void refineReduction(Operation *op) {
  if (!op->getName().getStringRef().starts_with("anvil.reduce_") ||
      op->getNumOperands() != 2 || !op->hasAttr("axes"))
    return;
  std::optional<Values> axes = read(op->getOperand(1));
  auto in = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!axes || axes->isFloat() || !in)
    return;
  // The function's return keeps its declared type.
  for (Operation *user : op->getResult(0).getUsers())
    if (!canRetypeFor(user))
      return;
  int64_t rank = in.getRank();
  SmallVector<int64_t> normalized;
  for (int64_t a : axes->i) {
    if (a < -rank || a >= rank)
      return; // the verifier or the lowering reports it
    normalized.push_back(a < 0 ? a + rank : a);
  }
  auto keep = op->getAttrOfType<BoolAttr>("keepdims");
  auto noop = op->getAttrOfType<BoolAttr>("noop_with_empty_axes");
  bool keepdims = !keep || keep.getValue();
  shape::Shape out;
  if (normalized.empty() && noop && noop.getValue())
    out = shape::Shape(in.getShape().begin(), in.getShape().end());
  else
    out = shape::reduce(in.getShape(), normalized, keepdims);
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  if (!shape::compatible(out, result.getShape()))
    return;
  op->setAttr("axes", DenseI64ArrayAttr::get(op->getContext(), normalized));
  op->eraseOperand(1);
  op->getResult(0).setType(result.clone(out));
}

/// After folding, an elementwise op may have static operands but a result
/// typed `?` (the importer could not know the shapes): give it the broadcast
/// shape, so that the lowering does not have to guess which dims broadcast.
void refineElementwise(Operation *op) {
  // Ops whose result has their operand's shape by definition (cos, erf, ...).
  if (op->getNumOperands() >= 1 && op->getNumResults() == 1 &&
      (op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
       op->hasTrait<OpTrait::SameOperandsAndResultShape>())) {
    auto in = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!in || !result || in.getShape() == result.getShape())
      return;
    for (Operation *user : op->getResult(0).getUsers())
      if (!canRetypeFor(user))
        return;
    op->getResult(0).setType(result.clone(in.getShape()));
    return;
  }
  bool binary =
      isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, EqualOp, LessOp,
          LessEqualOp, GreaterOp, GreaterEqualOp, AndOp, OrOp, XorOp>(op);
  bool unary =
      isa<SqrtOp, ExpOp, LogOp, NegOp, AbsOp, ReciprocalOp, ReluOp, SigmoidOp,
          TanhOp, CastOp, ErfOp, NotOp, FloorOp, CeilOp>(op);
  if (!binary && !unary)
    return;
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!result || result.hasStaticShape())
    return;
  std::optional<shape::Shape> out;
  for (Value v : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return;
    out = out ? shape::broadcast(*out, t.getShape())
              : shape::Shape(t.getShape().begin(), t.getShape().end());
    if (!out)
      return;
  }
  if (!out || !shape::compatible(*out, result.getShape()) ||
      llvm::count(*out, ShapedType::kDynamic) >=
          llvm::count(result.getShape(), ShapedType::kDynamic))
    return;
  for (Operation *user : op->getResult(0).getUsers())
    if (!canRetypeFor(user))
      return;
  op->getResult(0).setType(result.clone(*out));
}

struct FoldConstantsPass
    : anvil::impl::AnvilFoldConstantsBase<FoldConstantsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (isa<AnvilDialect>(op->getDialect()) && !isa<ConstantOp>(op))
        ops.push_back(op);
    });
    // One sweep in program order: each op first takes the shapes its
    // (already folded or refined) operands now have, then folds if it can.
    OpBuilder b(fn.getContext());
    for (Operation *op : ops) {
      refineReduction(op);
      refineElementwise(op);
      if (auto reshape = dyn_cast<ReshapeOp>(op))
        simplifyReshapeTarget(reshape, b);
      Attribute value = fold(op);
      if (!value)
        value = foldMovement(op);
      if (!value)
        continue;
      b.setInsertionPoint(op);
      auto elements = cast<ElementsAttr>(value);
      Value folded =
          ConstantOp::create(b, op->getLoc(), elements.getType(), elements);
      Value result = op->getResult(0);
      // A `?` result (Range) becomes static: anvil users and the function's
      // return accept the refined type.
      result.replaceUsesWithIf(
          folded, [&](OpOperand &use) { return canRetypeFor(use.getOwner()); });
      if (result.use_empty())
        op->erase();
    }
    // Outputs whose shapes became known keep them in the signature.
    fn.walk([&](func::ReturnOp ret) {
      fn.setType(FunctionType::get(fn.getContext(),
                                   fn.getFunctionType().getInputs(),
                                   ret.getOperandTypes()));
    });
  }
};

} // namespace

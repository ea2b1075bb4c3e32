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
  Values out{type, {}, {}};
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
      Attribute value = fold(op);
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

//===- ShapeEvaluation.cpp - Shape sub-graphs as index arithmetic ---------===//
//
// PyTorch exports compute reshape/expand targets at run time (anvil.shape →
// gather → unsqueeze → concat → reshape). The runtime sizes every buffer from
// the model's input dims alone, so the lowering must never read such a vector
// from tensor data: it re-derives each element here as tensor.dim of the
// tensor it came from plus index arithmetic, or gives up.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"
#include "llvm/ADT/TypeSwitch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace anvil;

namespace anvil::lowering {

bool isShapeValue(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() > 1 || !t.hasStaticShape() || t.getNumElements() > 32)
    return false;
  auto i = dyn_cast<IntegerType>(t.getElementType());
  return i && i.getWidth() > 1;
}

static std::optional<SmallVector<APInt>> constantAPInts(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || !isa<IntegerType>(elements.getElementType()))
    return std::nullopt;
  auto values = elements.tryGetValues<APInt>();
  if (!values)
    return std::nullopt;
  return SmallVector<APInt>(*values);
}

std::optional<SmallVector<int64_t>> constantInts(Value v) {
  auto ints = constantAPInts(v);
  if (!ints)
    return std::nullopt;
  bool isUnsigned = isUnsignedInt(getElementTypeOrSelf(v.getType()));
  SmallVector<int64_t> out;
  for (const APInt &i : *ints)
    out.push_back(isUnsigned ? (int64_t)i.getZExtValue() : i.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> constantFloats(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return std::nullopt;
  auto values = elements.tryGetValues<APFloat>();
  if (!values)
    return std::nullopt;
  SmallVector<double> out;
  for (const APFloat &f : *values)
    out.push_back(f.convertToDouble());
  return out;
}

namespace {

/// Evaluates shape vectors element by element. Without a builder it only
/// checks that evaluation would succeed: dynamic elements are then stood in
/// for by an arbitrary Value, so nothing is created on failure.
class ShapeEvaluator {
public:
  ShapeEvaluator(OpBuilder *b, Location l, Value stand)
      : b(b), l(l), stand(stand) {}

  using Elems = SmallVector<OpFoldResult>;

  std::optional<Elems> eval(Value v, int depth = 0) {
    if (depth > 32)
      return std::nullopt;
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || type.getRank() > 1 || !type.hasStaticShape() ||
        !isa<IntegerType>(type.getElementType()))
      return std::nullopt;
    if (auto ints = constantInts(v)) {
      Elems out;
      for (int64_t i : *ints)
        out.push_back(attr(i));
      if (out.size() == 1 && type.getNumElements() != 1)
        out.assign(type.getNumElements(), out[0]); // splat
      return out;
    }
    Operation *def = v.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (auto shape = dyn_cast<ShapeOp>(def))
      return evalShape(shape);
    if (auto size = dyn_cast<SizeOp>(def)) {
      if (!b)
        return Elems{placeholder()};
      return Elems{numElements(*b, l, size.getInput())};
    }
    if (auto gather = dyn_cast<GatherOp>(def))
      return evalGather(gather, depth);
    if (isa<UnsqueezeOp, SqueezeOp, ReshapeOp, FlattenOp, CastOp>(def)) {
      auto in = cast<RankedTensorType>(def->getOperand(0).getType());
      if (isa<CastOp>(def) && !isa<IntegerType>(in.getElementType()))
        return std::nullopt;
      return eval(def->getOperand(0), depth + 1);
    }
    if (auto concat = dyn_cast<ConcatOp>(def)) {
      Elems out;
      for (Value input : concat.getInputs()) {
        auto part = eval(input, depth + 1);
        if (!part)
          return std::nullopt;
        out.append(*part);
      }
      return out;
    }
    if (auto slice = dyn_cast<SliceOp>(def))
      return evalSlice(slice, depth);
    if (auto cos = dyn_cast<ConstantOfShapeOp>(def)) {
      auto value = dyn_cast<DenseIntElementsAttr>(cos.getValue());
      if (!value || value.getNumElements() != 1)
        return std::nullopt;
      return Elems(type.getNumElements(),
                   attr(value.getSplatValue<APInt>().getSExtValue()));
    }
    if (auto neg = dyn_cast<NegOp>(def)) {
      auto x = eval(neg.getInput(), depth + 1);
      if (!x)
        return std::nullopt;
      for (OpFoldResult &e : *x)
        e = binary(
            attr(0), e, [](int64_t p, int64_t q) { return p - q; },
            TypeTag<arith::SubIOp>{});
      return x;
    }
    if (isa<AddOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return p + q; },
          TypeTag<arith::AddIOp>{});
    if (isa<SubOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return p - q; },
          TypeTag<arith::SubIOp>{});
    if (isa<MulOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return p * q; },
          TypeTag<arith::MulIOp>{});
    if (isa<DivOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return q == 0 ? 0 : p / q; },
          TypeTag<arith::DivSIOp>{});
    if (isa<MaxOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return std::max(p, q); },
          TypeTag<arith::MaxSIOp>{});
    if (isa<MinOp>(def))
      return evalBinary(
          def, depth, [](int64_t p, int64_t q) { return std::min(p, q); },
          TypeTag<arith::MinSIOp>{});
    // Comparisons, logic and Where appear in exported shape arithmetic (GQA
    // head ratios, causal masks); they are read when their inputs are
    // constants, which covers static shapes.
    using Fold = int64_t (*)(int64_t, int64_t);
    std::optional<Fold> fold =
        llvm::TypeSwitch<Operation *, std::optional<Fold>>(def)
            .Case<EqualOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p == q; };
            })
            .Case<LessOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p < q; };
            })
            .Case<LessEqualOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p <= q; };
            })
            .Case<GreaterOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p > q; };
            })
            .Case<GreaterEqualOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p >= q; };
            })
            .Case<AndOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p && q; };
            })
            .Case<OrOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t { return p || q; };
            })
            .Case<RemOp>([](auto) -> Fold {
              // Python's %: the result takes the divisor's sign.
              return [](int64_t p, int64_t q) -> int64_t {
                if (q == 0)
                  return 0;
                int64_t r = p % q;
                return (r != 0 && ((r < 0) != (q < 0))) ? r + q : r;
              };
            })
            .Case<XorOp>([](auto) -> Fold {
              return [](int64_t p, int64_t q) -> int64_t {
                return (p != 0) != (q != 0);
              };
            })
            .Default([](auto) { return std::nullopt; });
    if (fold)
      return evalConstantBinary(def, depth, *fold);
    if (auto notOp = dyn_cast<NotOp>(def)) {
      auto x = eval(notOp.getInput(), depth + 1);
      if (!x)
        return std::nullopt;
      for (OpFoldResult &e : *x) {
        std::optional<int64_t> c = getConstantIntValue(e);
        if (!c)
          return std::nullopt;
        e = attr(*c == 0);
      }
      return x;
    }
    if (auto select = dyn_cast<SelectOp>(def)) {
      auto c = eval(select.getCondition(), depth + 1);
      auto x = eval(select.getOnTrue(), depth + 1);
      auto y = eval(select.getOnFalse(), depth + 1);
      if (!c || !x || !y)
        return std::nullopt;
      size_t n = std::max({c->size(), x->size(), y->size()});
      auto at = [&](const Elems &e, size_t i) -> std::optional<OpFoldResult> {
        if (e.size() == n)
          return e[i];
        if (e.size() == 1)
          return e[0];
        return std::nullopt;
      };
      Elems out;
      for (size_t i = 0; i < n; ++i) {
        auto ci = at(*c, i), xi = at(*x, i), yi = at(*y, i);
        std::optional<int64_t> cv =
            ci ? getConstantIntValue(*ci) : std::nullopt;
        if (!cv || !xi || !yi)
          return std::nullopt;
        out.push_back(*cv ? *xi : *yi);
      }
      return out;
    }
    return std::nullopt;
  }

private:
  OpBuilder *b;
  Location l;
  /// Stands in for dynamic elements when only checking.
  Value stand;

  OpFoldResult attr(int64_t v) {
    return IntegerAttr::get(IndexType::get(l.getContext()), v);
  }
  OpFoldResult placeholder() { return OpFoldResult(stand); }

  std::optional<Elems> evalShape(ShapeOp op) {
    auto t = op.getInput().getType();
    int64_t rank = t.getRank();
    auto clampAxis = [&](int64_t a) {
      if (a < 0)
        a += rank;
      return std::clamp<int64_t>(a, 0, rank);
    };
    int64_t start = clampAxis(op.getStart());
    int64_t end = op.getEnd() ? clampAxis(*op.getEnd()) : rank;
    Elems out;
    for (int64_t d = start; d < end; ++d) {
      if (!t.isDynamicDim(d))
        out.push_back(attr(t.getDimSize(d)));
      else if (!b)
        out.push_back(placeholder());
      else
        out.push_back(
            tensor::DimOp::create(*b, l, op.getInput(), d).getResult());
    }
    return out;
  }

  std::optional<Elems> evalGather(GatherOp op, int depth) {
    auto data = eval(op.getInput(), depth + 1);
    auto indices = constantInts(op.getIndices());
    if (!data || !indices || op.getInput().getType().getRank() != 1)
      return std::nullopt;
    Elems out;
    int64_t n = data->size();
    for (int64_t i : *indices) {
      if (i < 0)
        i += n;
      if (i < 0 || i >= n)
        return std::nullopt;
      out.push_back((*data)[i]);
    }
    return out;
  }

  std::optional<Elems> evalSlice(SliceOp op, int depth) {
    auto data = eval(op.getInput(), depth + 1);
    auto starts = constantInts(op.getStarts()),
         ends = constantInts(op.getEnds()), axes = constantInts(op.getAxes()),
         steps = constantInts(op.getSteps());
    if (!data || !starts || !ends || !axes || !steps || starts->size() != 1 ||
        ends->size() != 1 || steps->size() != 1 || (*steps)[0] == 0)
      return std::nullopt;
    int64_t n = data->size(), step = (*steps)[0];
    int64_t start = (*starts)[0], end = (*ends)[0];
    if (start < 0)
      start += n;
    if (end < 0)
      end += n;
    Elems out;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, n);
      end = std::clamp<int64_t>(end, 0, n);
      for (int64_t i = start; i < end; i += step)
        out.push_back((*data)[i]);
    } else {
      start = std::clamp<int64_t>(start, -1, n - 1);
      end = std::clamp<int64_t>(end, -1, n - 1);
      for (int64_t i = start; i > end; i += step)
        out.push_back((*data)[i]);
    }
    return out;
  }

  template <typename ArithOp>
  OpFoldResult binary(OpFoldResult x, OpFoldResult y,
                      function_ref<int64_t(int64_t, int64_t)> fold,
                      TypeTag<ArithOp>) {
    std::optional<int64_t> cx = getConstantIntValue(x),
                           cy = getConstantIntValue(y);
    if (cx && cy)
      return attr(fold(*cx, *cy));
    if (!b)
      return placeholder();
    return ArithOp::create(*b, l, toIndex(*b, l, x), toIndex(*b, l, y))
        .getResult();
  }

  /// An elementwise op of constant vectors (broadcasting a single element).
  std::optional<Elems>
  evalConstantBinary(Operation *op, int depth,
                     function_ref<int64_t(int64_t, int64_t)> fold) {
    auto x = eval(op->getOperand(0), depth + 1);
    auto y = eval(op->getOperand(1), depth + 1);
    if (!x || !y ||
        (x->size() != y->size() && x->size() != 1 && y->size() != 1))
      return std::nullopt;
    Elems out;
    for (size_t i = 0, e = std::max(x->size(), y->size()); i < e; ++i) {
      std::optional<int64_t> cx =
          getConstantIntValue((*x)[x->size() == 1 ? 0 : i]);
      std::optional<int64_t> cy =
          getConstantIntValue((*y)[y->size() == 1 ? 0 : i]);
      if (!cx || !cy)
        return std::nullopt;
      out.push_back(attr(fold(*cx, *cy)));
    }
    return out;
  }

  template <typename ArithOp>
  std::optional<Elems> evalBinary(Operation *op, int depth,
                                  function_ref<int64_t(int64_t, int64_t)> fold,
                                  TypeTag<ArithOp> tag) {
    auto x = eval(op->getOperand(0), depth + 1);
    auto y = eval(op->getOperand(1), depth + 1);
    if (!x || !y ||
        (x->size() != y->size() && x->size() != 1 && y->size() != 1))
      return std::nullopt;
    Elems out;
    for (size_t i = 0, e = std::max(x->size(), y->size()); i < e; ++i)
      out.push_back(binary((*x)[x->size() == 1 ? 0 : i],
                           (*y)[y->size() == 1 ? 0 : i], fold, tag));
    return out;
  }
};

} // namespace

bool canEvaluateShapeVector(Value v) {
  return ShapeEvaluator(nullptr, UnknownLoc::get(v.getContext()), v)
      .eval(v)
      .has_value();
}

FailureOr<SmallVector<OpFoldResult>> evaluateShapeVector(OpBuilder &b,
                                                         Location l, Value v) {
  // Check first so that nothing is built for a vector that cannot be read.
  if (!ShapeEvaluator(nullptr, l, v).eval(v))
    return failure();
  auto elems = ShapeEvaluator(&b, l, v).eval(v);
  if (!elems)
    return failure();
  return *elems;
}

} // namespace anvil::lowering

//===- Math.cpp - Importers for elementwise math and activations
//-----------===//
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

template <typename OpTy> ImportFn unaryImporter() {
  return [](NodeImporter &n) {
    n.setOutput(0, n.unary<OpTy>(n.input(0)));
    return success();
  };
}

/// Shape arithmetic on known integer vectors (a dynamic entry stays dynamic).
template <typename OpTy> std::optional<int64_t> foldInt(int64_t a, int64_t b) {
  if (sh::isDynamic(a) || sh::isDynamic(b))
    return sh::kDynamic;
  if constexpr (std::is_same_v<OpTy, AddOp>)
    return a + b;
  if constexpr (std::is_same_v<OpTy, SubOp>)
    return a - b;
  if constexpr (std::is_same_v<OpTy, MulOp>)
    return a * b;
  if constexpr (std::is_same_v<OpTy, DivOp>)
    return b == 0 ? std::nullopt : std::optional<int64_t>(a / b);
  return std::nullopt;
}

template <typename OpTy>
void propagateKnownInts(NodeImporter &n, Value result) {
  if (!n.inputType(0).getElementType().isInteger(64) || n.inputRank(0) > 1 ||
      n.inputRank(1) > 1)
    return;
  auto a = n.knownInts(0), b = n.knownInts(1);
  if (!a || !b || (a->size() != b->size() && a->size() != 1 && b->size() != 1))
    return;
  SmallVector<int64_t> out;
  for (size_t i = 0, e = std::max(a->size(), b->size()); i < e; ++i) {
    std::optional<int64_t> v = foldInt<OpTy>((*a)[a->size() == 1 ? 0 : i],
                                             (*b)[b->size() == 1 ? 0 : i]);
    if (!v)
      return;
    out.push_back(*v);
  }
  n.setKnownInts(result, out);
}

/// Binary ops; operands must share one element type (ONNX's type constraint).
template <typename OpTy> ImportFn binaryImporter() {
  return [](NodeImporter &n) -> LogicalResult {
    if (n.inputType(0).getElementType() != n.inputType(1).getElementType())
      return n.fail("operands have different element types");
    // Before opset 7, broadcasting was opt-in with `broadcast`/`axis`
    // attributes.
    if (n.opset < 7 && n.attrInt("broadcast", 0) && n.hasAttr("axis") &&
        n.inputRank(1) < n.inputRank(0)) {
      int64_t axis = n.attrInt("axis", 0);
      int64_t trailing = n.inputRank(0) - axis - n.inputRank(1);
      if (trailing > 0) {
        SmallVector<int64_t> axes;
        for (int64_t i = 0; i < trailing; ++i)
          axes.push_back(n.inputRank(1) + i);
        shape::Shape s(n.inputType(1).getShape());
        s.append(trailing, 1);
        Value rhs =
            UnsqueezeOp::create(n.b, n.loc, n.inputType(1).clone(s), n.input(1),
                                Value(), n.b.getDenseI64ArrayAttr(axes));
        n.setOutput(0, n.binary<OpTy>(n.input(0), rhs));
        return success();
      }
    }
    Value v = n.binary<OpTy>(n.input(0), n.input(1));
    propagateKnownInts<OpTy>(n, v);
    n.setOutput(0, v);
    return success();
  };
}

/// Comparison ops producing i1.
template <typename OpTy> ImportFn compareImporter() {
  return [](NodeImporter &n) -> LogicalResult {
    if (n.inputType(0).getElementType() != n.inputType(1).getElementType())
      return n.fail("operands have different element types");
    std::optional<shape::Shape> s =
        shape::broadcast(n.inputType(0).getShape(), n.inputType(1).getShape());
    if (!s)
      return n.fail("operand shapes are not broadcast-compatible");
    n.setOutput(0, OpTy::create(n.b, n.loc,
                                RankedTensorType::get(*s, n.b.getI1Type()),
                                n.input(0), n.input(1)));
    return success();
  };
}

/// Variadic Sum/Min/Max/Mean folded into a chain of binary ops.
template <typename OpTy> LogicalResult variadic(NodeImporter &n, bool mean) {
  if (n.numInputs() == 0)
    return n.fail("needs at least one input");
  Value acc = n.input(0);
  for (int i = 1; i < n.numInputs(); ++i) {
    if (n.inputType(i).getElementType() != n.inputType(0).getElementType())
      return n.fail("operands have different element types");
    acc = n.binary<OpTy>(acc, n.input(i));
  }
  if (mean && n.numInputs() > 1)
    acc = n.binary<DivOp>(acc, n.constScalar(n.inputType(0).getElementType(),
                                             (double)n.numInputs()));
  n.setOutput(0, acc);
  return success();
}

Attribute toAttr(NodeImporter &n, float f) { return n.b.getF32FloatAttr(f); }
Attribute toAttr(NodeImporter &n, bool v) { return n.b.getBoolAttr(v); }

template <typename OpTy, typename... Params>
Value paramActivation(NodeImporter &n, Params... params) {
  return OpTy::create(
      n.b, n.loc, n.input(0).getType(), n.input(0),
      llvm::cast<typename std::conditional_t<std::is_same_v<Params, bool>,
                                             BoolAttr, FloatAttr>>(
          toAttr(n, params))...);
}

LogicalResult importClip(NodeImporter &n) {
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  FloatAttr lo, hi;
  Value loV, hiV;
  if (n.opset < 11) {
    if (n.hasAttr("min"))
      lo = n.b.getF64FloatAttr(n.attrFloat("min", 0));
    if (n.hasAttr("max"))
      hi = n.b.getF64FloatAttr(n.attrFloat("max", 0));
  } else {
    for (int i : {1, 2}) {
      if (!n.hasInput(i))
        continue;
      auto c = n.constFloats(i);
      if (c && c->size() == 1)
        (i == 1 ? lo : hi) = n.b.getF64FloatAttr((*c)[0]);
      else
        (i == 1 ? loV : hiV) = n.input(i);
    }
  }
  if (lo && hi && lo.getValueAsDouble() > hi.getValueAsDouble()) {
    // ONNX defines min > max as "everything becomes max".
    lo = hi;
  }
  if (lo || hi)
    x = ClipOp::create(n.b, n.loc, x.getType(), x, lo, hi);
  if (loV)
    x = n.binary<MaxOp>(x, n.cast(loV, et));
  if (hiV)
    x = n.binary<MinOp>(x, n.cast(hiV, et));
  n.setOutput(0, x);
  return success();
}

LogicalResult importCast(NodeImporter &n, Type to) {
  if (!to)
    return n.fail("target type is not supported");
  Value v = CastOp::create(n.b, n.loc, n.inputType(0).clone(to), n.input(0),
                           n.b.getBoolAttr(n.attrInt("saturate", 1) != 0));
  // Shape arithmetic survives integer casts whose target holds every known
  // value.
  auto known = n.knownInts(0);
  auto fits = [&](int64_t x) {
    unsigned w = to.getIntOrFloatBitWidth();
    return sh::isDynamic(x) || w >= 64 ||
           (x >= -(int64_t(1) << (w - 1)) && x < (int64_t(1) << (w - 1)));
  };
  if (known && isa<IntegerType>(to) &&
      isa<IntegerType>(n.inputType(0).getElementType()) &&
      llvm::all_of(*known, fits)) {
    n.setKnownInts(v, *known);
    n.setDimSources(v, n.dimSources(0));
  }
  n.setOutput(0, v);
  return success();
}

LogicalResult importPow(NodeImporter &n) {
  // Pow-12+ allows an exponent of another type; compute in the base's type.
  Value e = n.cast(n.input(1), n.inputType(0).getElementType());
  n.setOutput(0, n.binary<PowOp>(n.input(0), e));
  return success();
}

LogicalResult importMod(NodeImporter &n) {
  bool fmod = n.attrInt("fmod", 0) != 0;
  n.setOutput(0, fmod ? n.binary<FRemOp>(n.input(0), n.input(1))
                      : n.binary<RemOp>(n.input(0), n.input(1)));
  return success();
}

LogicalResult importPRelu(NodeImporter &n) {
  // PRelu(x) = x < 0 ? slope * x : x, slope broadcast unidirectionally to x.
  Value x = n.input(0), slope = n.input(1);
  auto st = n.inputType(1);
  // Before opset 7 a 1-D slope ran along the channel axis (dim 1).
  if (n.opset < 7 && st.getRank() == 1 && n.inputRank(0) > 2 &&
      st.getDimSize(0) != 1) {
    SmallVector<int64_t> axes;
    for (int64_t i = 1; i < n.inputRank(0) - 1; ++i)
      axes.push_back(i);
    sh::Shape s(st.getShape());
    s.append(axes.size(), 1);
    slope = UnsqueezeOp::create(n.b, n.loc, st.clone(s), slope, Value(),
                                n.b.getDenseI64ArrayAttr(axes));
  }
  Value zero = n.constScalar(n.inputType(0).getElementType(), 0.0);
  Value scaled = n.binary<MulOp>(x, slope);
  auto xt = n.inputType(0);
  Value isNeg = LessOp::create(n.b, n.loc, xt.clone(n.b.getI1Type()), x, zero);
  std::optional<shape::Shape> s = shape::broadcast(
      xt.getShape(), cast<RankedTensorType>(scaled.getType()).getShape());
  if (!s)
    return n.fail("slope does not broadcast to the input");
  n.setOutput(0, SelectOp::create(n.b, n.loc, xt.clone(*s), isNeg, scaled, x));
  return success();
}

LogicalResult importWhere(NodeImporter &n) {
  if (n.inputType(1).getElementType() != n.inputType(2).getElementType())
    return n.fail("X and Y have different element types");
  std::optional<shape::Shape> s =
      shape::broadcast(n.inputType(0).getShape(), n.inputType(1).getShape());
  if (s)
    s = shape::broadcast(*s, n.inputType(2).getShape());
  if (!s)
    return n.fail("condition, X and Y are not broadcast-compatible");
  n.setOutput(0, SelectOp::create(n.b, n.loc, n.inputType(1).clone(*s),
                                  n.input(0), n.input(1), n.input(2)));
  return success();
}

LogicalResult importBitShift(NodeImporter &n) {
  std::string dir = n.attrString("direction", "");
  if (dir == "LEFT")
    n.setOutput(0, n.binary<ShiftLeftOp>(n.input(0), n.input(1)));
  else if (dir == "RIGHT")
    n.setOutput(0, n.binary<ShiftRightOp>(n.input(0), n.input(1)));
  else
    return n.fail("direction must be \"LEFT\" or \"RIGHT\"");
  return success();
}

LogicalResult importEinsum(NodeImporter &n) {
  SmallVector<Value> inputs;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (int i = 0; i < n.numInputs(); ++i) {
    inputs.push_back(n.input(i));
    shapes.push_back(n.inputType(i).getShape());
    if (n.inputType(i).getElementType() != n.inputType(0).getElementType())
      return n.fail("inputs have different element types");
  }
  std::string equation, error;
  std::optional<sh::Shape> out =
      sh::einsum(n.attrString("equation", ""), shapes, equation, error);
  if (!out)
    return n.fail("equation '" + n.attrString("equation", "") + "': " + error);
  n.setOutput(0, EinsumOp::create(n.b, n.loc, n.inputType(0).clone(*out),
                                  inputs, equation));
  return success();
}

LogicalResult importBitCast(NodeImporter &n) {
  Type to = convertElementType(*n.b.getContext(), n.attrInt("to", 0));
  if (!to)
    return n.fail("target type is not supported");
  Type from = n.inputType(0).getElementType();
  auto width = [](Type t) {
    return t.isInteger(1) ? 8u : t.getIntOrFloatBitWidth();
  };
  if (width(from) != width(to))
    return n.fail("input and target types must have the same width");
  n.setOutput(
      0, BitcastOp::create(n.b, n.loc, n.inputType(0).clone(to), n.input(0)));
  return success();
}

} // namespace

void anvil::onnx_frontend::registerMathImporters(OpRegistry &r) {
  r["Einsum"] = importEinsum;
  r["BitCast"] = importBitCast;
  r["Abs"] = unaryImporter<AbsOp>();
  r["Neg"] = [](NodeImporter &n) {
    Value v = n.unary<NegOp>(n.input(0));
    if (auto known = n.knownInts(0);
        known && n.inputType(0).getElementType().isInteger(64) &&
        n.inputRank(0) <= 1) {
      for (int64_t &x : *known)
        if (!sh::isDynamic(x))
          x = -x;
      n.setKnownInts(v, *known);
    }
    n.setOutput(0, v);
    return success();
  };
  r["Sqrt"] = unaryImporter<SqrtOp>();
  r["Reciprocal"] = unaryImporter<ReciprocalOp>();
  r["Exp"] = unaryImporter<ExpOp>();
  r["Log"] = unaryImporter<LogOp>();
  r["Erf"] = unaryImporter<ErfOp>();
  r["Tanh"] = unaryImporter<TanhOp>();
  r["Floor"] = unaryImporter<FloorOp>();
  r["Ceil"] = unaryImporter<CeilOp>();
  r["Round"] = unaryImporter<RoundOp>();
  r["Sign"] = unaryImporter<SignOp>();
  r["Sin"] = unaryImporter<SinOp>();
  r["Cos"] = unaryImporter<CosOp>();
  r["Tan"] = unaryImporter<TanOp>();
  r["Asin"] = unaryImporter<AsinOp>();
  r["Acos"] = unaryImporter<AcosOp>();
  r["Atan"] = unaryImporter<AtanOp>();
  r["Sinh"] = unaryImporter<SinhOp>();
  r["Cosh"] = unaryImporter<CoshOp>();
  r["Asinh"] = unaryImporter<AsinhOp>();
  r["Acosh"] = unaryImporter<AcoshOp>();
  r["Atanh"] = unaryImporter<AtanhOp>();
  r["Not"] = unaryImporter<NotOp>();
  r["BitwiseNot"] = unaryImporter<BitwiseNotOp>();
  r["Relu"] = unaryImporter<ReluOp>();
  r["Sigmoid"] = unaryImporter<SigmoidOp>();
  r["Softplus"] = unaryImporter<SoftplusOp>();
  r["Softsign"] = unaryImporter<SoftsignOp>();
  r["HardSwish"] = unaryImporter<HardSwishOp>();
  r["Mish"] = unaryImporter<MishOp>();

  r["Add"] = binaryImporter<AddOp>();
  r["Sub"] = binaryImporter<SubOp>();
  r["Mul"] = binaryImporter<MulOp>();
  r["Div"] = binaryImporter<DivOp>();
  r["And"] = binaryImporter<AndOp>();
  r["Or"] = binaryImporter<OrOp>();
  r["Xor"] = binaryImporter<XorOp>();
  r["BitwiseAnd"] = binaryImporter<BitwiseAndOp>();
  r["BitwiseOr"] = binaryImporter<BitwiseOrOp>();
  r["BitwiseXor"] = binaryImporter<BitwiseXorOp>();
  r["Pow"] = importPow;
  r["Mod"] = importMod;
  r["BitShift"] = importBitShift;
  r["PRelu"] = importPRelu;
  r["Where"] = importWhere;
  r["Equal"] = compareImporter<EqualOp>();
  r["Less"] = compareImporter<LessOp>();
  r["LessOrEqual"] = compareImporter<LessEqualOp>();
  r["Greater"] = compareImporter<GreaterOp>();
  r["GreaterOrEqual"] = compareImporter<GreaterEqualOp>();
  r["Sum"] = [](NodeImporter &n) { return variadic<AddOp>(n, false); };
  r["Mean"] = [](NodeImporter &n) { return variadic<AddOp>(n, true); };
  r["Min"] = [](NodeImporter &n) { return variadic<MinOp>(n, false); };
  r["Max"] = [](NodeImporter &n) { return variadic<MaxOp>(n, false); };

  r["IsNaN"] = [](NodeImporter &n) {
    n.setOutput(0, IsNaNOp::create(n.b, n.loc,
                                   n.inputType(0).clone(n.b.getI1Type()),
                                   n.input(0)));
    return success();
  };
  r["IsInf"] = [](NodeImporter &n) {
    n.setOutput(
        0, IsInfOp::create(n.b, n.loc, n.inputType(0).clone(n.b.getI1Type()),
                           n.input(0), n.attrInt("detect_positive", 1) != 0,
                           n.attrInt("detect_negative", 1) != 0));
    return success();
  };
  r["Cast"] = [](NodeImporter &n) {
    return importCast(
        n, convertElementType(*n.b.getContext(), n.attrInt("to", 0)));
  };
  r["CastLike"] = [](NodeImporter &n) {
    return importCast(n, n.inputType(1).getElementType());
  };
  r["Clip"] = importClip;

  r["LeakyRelu"] = [](NodeImporter &n) {
    n.setOutput(0,
                paramActivation<LeakyReluOp>(n, n.attrFloat("alpha", 0.01f)));
    return success();
  };
  r["Elu"] = [](NodeImporter &n) {
    n.setOutput(0, paramActivation<EluOp>(n, n.attrFloat("alpha", 1.0f)));
    return success();
  };
  r["Celu"] = [](NodeImporter &n) {
    n.setOutput(0, paramActivation<CeluOp>(n, n.attrFloat("alpha", 1.0f)));
    return success();
  };
  r["Selu"] = [](NodeImporter &n) {
    n.setOutput(0, paramActivation<SeluOp>(
                       n, n.attrFloat("alpha", 1.67326319217681884765625f),
                       n.attrFloat("gamma", 1.05070102214813232421875f)));
    return success();
  };
  r["HardSigmoid"] = [](NodeImporter &n) {
    n.setOutput(0, paramActivation<HardSigmoidOp>(n, n.attrFloat("alpha", 0.2f),
                                                  n.attrFloat("beta", 0.5f)));
    return success();
  };
  r["ThresholdedRelu"] = [](NodeImporter &n) {
    n.setOutput(
        0, paramActivation<ThresholdedReluOp>(n, n.attrFloat("alpha", 1.0f)));
    return success();
  };
  r["Shrink"] = [](NodeImporter &n) {
    n.setOutput(0, paramActivation<ShrinkOp>(n, n.attrFloat("bias", 0.0f),
                                             n.attrFloat("lambd", 0.5f)));
    return success();
  };
  r["Gelu"] = [](NodeImporter &n) -> LogicalResult {
    std::string approx = n.attrString("approximate", "none");
    if (approx != "none" && approx != "tanh")
      return n.fail("approximate must be \"none\" or \"tanh\"");
    n.setOutput(0, paramActivation<GeluOp>(n, approx == "tanh"));
    return success();
  };
  auto identity = [](NodeImporter &n) {
    n.setOutput(0, n.input(0));
    return success();
  };
  r["Identity"] = identity;
  r["Dropout"] = [](NodeImporter &n) -> LogicalResult {
    // Inference: the data passes through; the optional mask is all true.
    // Training mode drops at random: refused rather than silently ignored.
    if (n.hasInput(2)) {
      std::optional<SmallVector<int64_t>> training = n.constInts(2);
      if (!training || llvm::any_of(*training, [](int64_t v) { return v; }))
        return n.fail("Dropout in training mode is not supported (inference "
                      "only; training_mode must be a constant false)");
    }
    n.setOutput(0, n.input(0));
    if (n.outputUsed(1)) {
      auto t = n.inputType(0);
      Value shapeV = ShapeOp::create(
          n.b, n.loc, RankedTensorType::get({t.getRank()}, n.b.getI64Type()),
          n.input(0), 0, IntegerAttr());
      auto one = DenseElementsAttr::get(
          RankedTensorType::get({1}, n.b.getI1Type()), true);
      n.setOutput(1, ConstantOfShapeOp::create(n.b, n.loc,
                                               t.clone(n.b.getI1Type()), shapeV,
                                               cast<ElementsAttr>(one)));
    }
    return success();
  };
}

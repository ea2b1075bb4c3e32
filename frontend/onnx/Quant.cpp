//===- Quant.cpp - Importers for QuantizeLinear and DequantizeLinear
//-------===//
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

/// A zero point of `type` shaped like `scale` (ONNX's default when it is
/// omitted).
Value zeroPointLike(NodeImporter &n, Value scale, Type type) {
  auto st = cast<RankedTensorType>(scale.getType());
  auto zt = st.clone(type);
  auto oneType = RankedTensorType::get(
      st.hasStaticShape() ? st.getShape() : ArrayRef<int64_t>{1}, type);
  Attribute zero;
  if (auto ft = dyn_cast<FloatType>(type))
    zero = DenseElementsAttr::get(oneType,
                                  APFloat::getZero(ft.getFloatSemantics()));
  else
    zero = DenseElementsAttr::get(oneType,
                                  APInt::getZero(type.getIntOrFloatBitWidth()));
  if (st.hasStaticShape())
    return ConstantOp::create(n.b, n.loc, zt, cast<ElementsAttr>(zero));
  // A scale whose size is known only at run time: fill its run-time shape.
  Value shape = ShapeOp::create(
      n.b, n.loc, RankedTensorType::get({st.getRank()}, n.b.getI64Type()),
      scale, 0, IntegerAttr());
  return ConstantOfShapeOp::create(n.b, n.loc, zt, shape,
                                   cast<ElementsAttr>(zero));
}

LogicalResult importQuantize(NodeImporter &n) {
  Type qType;
  if (n.hasInput(2))
    qType = n.inputType(2).getElementType();
  else if (int64_t dt = n.attrInt("output_dtype", 0))
    qType = convertElementType(*n.b.getContext(), dt);
  else
    qType = IntegerType::get(n.b.getContext(), 8, IntegerType::Unsigned);
  if (!qType || !(qType.isInteger() || qType.getIntOrFloatBitWidth() <= 8))
    return n.fail(
        "the quantized type must be an integer or an 8/4-bit float type");
  Value zp = n.hasInput(2) ? n.input(2) : zeroPointLike(n, n.input(1), qType);
  Value x = n.input(0);
  Value scale = n.cast(n.input(1), n.inputType(0).getElementType());
  n.setOutput(0, QuantizeOp::create(n.b, n.loc, n.inputType(0).clone(qType), x,
                                    scale, zp, n.attrInt("axis", 1),
                                    n.attrInt("block_size", 0)));
  return success();
}

LogicalResult importDequantize(NodeImporter &n) {
  Type qType = n.inputType(0).getElementType();
  if (!(qType.isInteger() || qType.getIntOrFloatBitWidth() <= 8))
    return n.fail(
        "the quantized input must be an integer or an 8/4-bit float type");
  Type real = n.inputType(1).getElementType();
  if (int64_t dt = n.attrInt("output_dtype", 0))
    real = convertElementType(*n.b.getContext(), dt);
  Value zp = n.hasInput(2) ? n.input(2) : zeroPointLike(n, n.input(1), qType);
  n.setOutput(0, DequantizeOp::create(n.b, n.loc, n.inputType(0).clone(real),
                                      n.input(0), n.cast(n.input(1), real), zp,
                                      n.attrInt("axis", 1),
                                      n.attrInt("block_size", 0)));
  return success();
}

/// (x - zero_point) in i32, broadcasting a per-row/column zero point along
/// `axis` of x.
Value subtractZeroPoint(NodeImporter &n, Value x, Value zp, int64_t axis) {
  auto i32 = n.b.getI32Type();
  Value xi = n.cast(x, i32);
  if (!zp)
    return xi;
  Value z = n.cast(zp, i32);
  auto zt = cast<RankedTensorType>(z.getType());
  auto xt = cast<RankedTensorType>(xi.getType());
  // A 1-D zero point runs along `axis` (rows of A: axis -2; columns of B: the
  // last axis).
  if (zt.getRank() == 1 && zt.getDimSize(0) != 1 && axis == -2 &&
      xt.getRank() >= 2)
    z = UnsqueezeOp::create(n.b, n.loc,
                            zt.clone(sh::Shape{zt.getDimSize(0), 1}), z,
                            Value(), n.b.getDenseI64ArrayAttr({1}));
  return n.binary<SubOp>(xi, z);
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  Value a = subtractZeroPoint(n, n.input(0),
                              n.hasInput(2) ? n.input(2) : Value(), -2);
  Value b = subtractZeroPoint(n, n.input(1),
                              n.hasInput(3) ? n.input(3) : Value(), -1);
  auto at = cast<RankedTensorType>(a.getType()),
       bt = cast<RankedTensorType>(b.getType());
  std::optional<sh::Shape> out = sh::matmul(at.getShape(), bt.getShape());
  if (!out)
    return n.fail("operand shapes are incompatible for MatMul");
  n.setOutput(0, MatMulOp::create(n.b, n.loc, at.clone(*out), a, b));
  return success();
}

/// QLinearMatMul = quantize(dequantize(a) @ dequantize(b)).
LogicalResult importQLinearMatMul(NodeImporter &n) {
  // With f16 scales the dequantized product is rounded to f16 before it is
  // requantized, which is off by one against ONNX's exact integer product.
  for (int scale : {1, 4, 6})
    if (!n.inputType(scale).getElementType().isF32())
      return n.fail("QLinearMatMul with non-f32 scales is not supported");
  auto dequant = [&](int x, int scale, int zp) -> Value {
    auto t = n.inputType(x);
    Type real = n.inputType(scale).getElementType();
    int64_t axis = n.inputType(scale).getRank() == 1 &&
                           n.inputType(scale).getDimSize(0) != 1
                       ? (x == 0 ? t.getRank() - 2 : t.getRank() - 1)
                       : 1;
    return DequantizeOp::create(n.b, n.loc, t.clone(real), n.input(x),
                                n.input(scale), n.input(zp), axis, 0);
  };
  Value a = dequant(0, 1, 2), b = dequant(3, 4, 5);
  auto at = cast<RankedTensorType>(a.getType()),
       bt = cast<RankedTensorType>(b.getType());
  std::optional<sh::Shape> out = sh::matmul(at.getShape(), bt.getShape());
  if (!out)
    return n.fail("operand shapes are incompatible for MatMul");
  Value y = MatMulOp::create(n.b, n.loc, at.clone(*out), a, b);
  Type qType = n.inputType(7).getElementType();
  Value scale = n.cast(n.input(6), at.getElementType());
  n.setOutput(0, QuantizeOp::create(n.b, n.loc, at.clone(*out).clone(qType), y,
                                    scale, n.input(7), 1, 0));
  return success();
}

/// DynamicQuantizeLinear: uint8 with scale and zero point from the data's range
/// (incl. 0).
LogicalResult importDynamicQuantizeLinear(NodeImporter &n) {
  auto x = n.inputType(0);
  Type f = x.getElementType();
  auto scalar = RankedTensorType::get({}, f);
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < x.getRank(); ++i)
    all.push_back(i);
  auto axes = n.b.getDenseI64ArrayAttr(all);
  Value zero = n.constScalar(f, 0.0);
  Value hi = n.binary<MaxOp>(ReduceMaxOp::create(n.b, n.loc, scalar, n.input(0),
                                                 Value(), axes, false, false),
                             zero);
  Value lo = n.binary<MinOp>(ReduceMinOp::create(n.b, n.loc, scalar, n.input(0),
                                                 Value(), axes, false, false),
                             zero);
  Value scale =
      n.binary<DivOp>(n.binary<SubOp>(hi, lo), n.constScalar(f, 255.0));
  // zero_point = saturate(round(0 - lo / scale)), computed in float then cast.
  Value zpFloat = ClipOp::create(
      n.b, n.loc, scalar,
      n.unary<RoundOp>(n.binary<SubOp>(zero, n.binary<DivOp>(lo, scale))),
      n.b.getF64FloatAttr(0.0), n.b.getF64FloatAttr(255.0));
  auto u8 = IntegerType::get(n.b.getContext(), 8, IntegerType::Unsigned);
  Value zp = n.cast(zpFloat, u8);
  n.setOutput(0, QuantizeOp::create(n.b, n.loc, x.clone(u8), n.input(0), scale,
                                    zp, 1, 0));
  n.setOutput(1, scale);
  n.setOutput(2, zp);
  return success();
}

} // namespace

void anvil::onnx_frontend::registerQuantImporters(OpRegistry &r) {
  r["MatMulInteger"] = importMatMulInteger;
  r["QLinearMatMul"] = importQLinearMatMul;
  r["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  r["QuantizeLinear"] = importQuantize;
  r["DequantizeLinear"] = importDequantize;
}

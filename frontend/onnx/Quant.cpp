//===- Quant.cpp - Importers for QuantizeLinear and DequantizeLinear -------===//
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;

namespace {

/// A zero point of `type` shaped like `scale` (ONNX's default when it is omitted).
Value zeroPointLike(NodeImporter &n, Value scale, Type type) {
  auto st = cast<RankedTensorType>(scale.getType());
  auto zt = st.clone(type);
  Attribute zero;
  if (auto ft = dyn_cast<FloatType>(type))
    zero = DenseElementsAttr::get(zt, APFloat::getZero(ft.getFloatSemantics()));
  else
    zero = DenseElementsAttr::get(zt, APInt::getZero(type.getIntOrFloatBitWidth()));
  return ConstantOp::create(n.b, n.loc, zt, cast<ElementsAttr>(zero));
}

LogicalResult checkBlocked(NodeImporter &n) {
  if (n.attrInt("block_size", 0) != 0)
    return n.fail("blocked quantization (block_size > 0) is not supported");
  return success();
}

LogicalResult importQuantize(NodeImporter &n) {
  if (failed(checkBlocked(n)))
    return failure();
  Type qType;
  if (n.hasInput(2))
    qType = n.inputType(2).getElementType();
  else if (int64_t dt = n.attrInt("output_dtype", 0))
    qType = convertElementType(*n.b.getContext(), dt);
  else
    qType = IntegerType::get(n.b.getContext(), 8, IntegerType::Unsigned);
  if (!qType || !(qType.isInteger() || qType.getIntOrFloatBitWidth() <= 8))
    return n.fail("the quantized type must be an integer or an 8/4-bit float type");
  Value zp = n.hasInput(2) ? n.input(2) : zeroPointLike(n, n.input(1), qType);
  Value x = n.input(0);
  Value scale = n.cast(n.input(1), n.inputType(0).getElementType());
  n.setOutput(0, QuantizeOp::create(n.b, n.loc, n.inputType(0).clone(qType), x, scale, zp,
                                    n.attrInt("axis", 1)));
  return success();
}

LogicalResult importDequantize(NodeImporter &n) {
  if (failed(checkBlocked(n)))
    return failure();
  Type qType = n.inputType(0).getElementType();
  if (!(qType.isInteger() || qType.getIntOrFloatBitWidth() <= 8))
    return n.fail("the quantized input must be an integer or an 8/4-bit float type");
  Type real = n.inputType(1).getElementType();
  if (int64_t dt = n.attrInt("output_dtype", 0))
    real = convertElementType(*n.b.getContext(), dt);
  Value zp = n.hasInput(2) ? n.input(2) : zeroPointLike(n, n.input(1), qType);
  n.setOutput(0, DequantizeOp::create(n.b, n.loc, n.inputType(0).clone(real), n.input(0),
                                      n.cast(n.input(1), real), zp, n.attrInt("axis", 1)));
  return success();
}

} // namespace

void anvil::onnx_frontend::registerQuantImporters(OpRegistry &r) {
  r["QuantizeLinear"] = importQuantize;
  r["DequantizeLinear"] = importDequantize;
}

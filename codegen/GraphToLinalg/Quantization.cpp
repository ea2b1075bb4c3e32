//===- Quantization.cpp - anvil.quantize/dequantize → linalg --------------===//
//
// Linear (de)quantization to and from 8- and 16-bit integers as one
// linalg.generic over the input whose body reads the scale and zero point
// (per tensor, per axis or per block along the axis) with tensor.extract. The
// arithmetic follows the ONNX reference: quantize divides in the input type,
// rounds half to even, adds the zero point and saturates; dequantize
// subtracts the zero point in f32 (f64 for 32-bit integers) and multiplies by
// the scale before rounding to the result type.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

/// `v` converted between float types.
Value convertFloat(OpBuilder &b, Location l, Value v, Type to) {
  if (v.getType() == to)
    return v;
  if (v.getType().getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, l, to, v);
  if (v.getType().getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
    return arith::TruncFOp::create(b, l, to, v);
  return arith::TruncFOp::create(
      b, l, to, arith::ExtFOp::create(b, l, b.getF32Type(), v));
}

/// An integer converted to float type `to`, signed or unsigned.
Value intToFloat(OpBuilder &b, Location l, Value v, bool isUnsigned, Type to) {
  if (isUnsigned)
    return arith::UIToFPOp::create(b, l, to, v);
  return arith::SIToFPOp::create(b, l, to, v);
}

/// Where a scale / zero point element lives for the element at `ivs` of a
/// tensor of `rank`: the one element (per tensor), `ivs[axis]` (per axis) or
/// `ivs` with the axis divided by the block size (blocked).
struct ParamIndexer {
  int64_t rank, axis, blockSize;
  RankedTensorType paramType;

  bool perTensor() const {
    return blockSize == 0 && paramType.getNumElements() == 1 &&
           paramType.hasStaticShape();
  }
  SmallVector<Value> at(OpBuilder &b, Location l, ValueRange ivs) const {
    if (perTensor())
      return SmallVector<Value>(paramType.getRank(), indexConst(b, l, 0));
    if (blockSize == 0)
      return {ivs[axis]};
    SmallVector<Value> idx(ivs);
    idx[axis] =
        arith::DivUIOp::create(b, l, ivs[axis], indexConst(b, l, blockSize));
    return idx;
  }
};

/// The parameters' layout, or failure when they match none.
template <typename OpTy>
FailureOr<ParamIndexer> paramIndexer(OpTy op, RankedTensorType real) {
  auto scale = cast<RankedTensorType>(op.getScale().getType());
  auto zp = cast<RankedTensorType>(op.getZeroPoint().getType());
  std::optional<int64_t> axis =
      shape::normalizeAxis(op.getAxis(), real.getRank());
  ParamIndexer p{real.getRank(), axis.value_or(0), op.getBlockSize(), scale};
  if (scale.getShape() != zp.getShape() && !p.perTensor())
    return failure();
  if (p.perTensor())
    return p;
  if (!axis)
    return failure();
  if (p.blockSize == 0 && scale.getRank() != 1)
    return failure();
  if (p.blockSize > 0 && scale.getRank() != real.getRank())
    return failure();
  return p;
}

bool isQuantizedInt(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && (i.getWidth() == 8 || i.getWidth() == 16);
}

/// The elementwise generic over `input` whose body gets the input element, the
/// scale and zero point elements.
Value buildQuantGeneric(
    OpBuilder &b, Location l, Value input, Value scale, Value zp,
    const ParamIndexer &p, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> fn) {
  int64_t rank = resultType.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  auto computeType = resultType.clone(signlessOf(resultType.getElementType()));
  Value init = emptyOfSizes(b, l, computeType, dimSizes(b, l, input));
  auto generic = linalg::GenericOp::create(
      b, l, TypeRange{computeType}, ValueRange{input}, ValueRange{init},
      SmallVector<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < rank; ++d)
          ivs.push_back(linalg::IndexOp::create(nb, nl, d));
        SmallVector<Value> at = p.at(nb, nl, ivs);
        Value s = tensor::ExtractOp::create(nb, nl, scale, at);
        Value z = tensor::ExtractOp::create(nb, nl, zp, at);
        linalg::YieldOp::create(nb, nl, fn(nb, nl, args[0], s, z));
      });
  return bitcastTo(b, l, generic.getResult(0), resultType);
}

struct QuantizePattern : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    auto type = op.getType();
    Type qt = type.getElementType();
    Type ft = in.getElementType();
    if (!isQuantizedInt(qt))
      return rewriter.notifyMatchFailure(
          op, "only 8- and 16-bit integer quantization");
    auto scaleType = cast<RankedTensorType>(op.getScale().getType());
    if (!isa<FloatType>(scaleType.getElementType()))
      return rewriter.notifyMatchFailure(op, "scale must be a float");
    FailureOr<ParamIndexer> p = paramIndexer(op, in);
    if (failed(p))
      return rewriter.notifyMatchFailure(op, "unsupported scale layout");
    Location l = op.getLoc();
    bool isUnsigned = isUnsignedInt(qt);
    unsigned width = qt.getIntOrFloatBitWidth();
    double lo = isUnsigned ? 0 : -(double)(1 << (width - 1));
    double hi = isUnsigned ? (double)((1 << width) - 1)
                           : (double)((1 << (width - 1)) - 1);
    Value zp = toSignless(rewriter, l, op.getZeroPoint());
    Value result = buildQuantGeneric(
        rewriter, l, op.getInput(), op.getScale(), zp, *p, type,
        [&](OpBuilder &b, Location nl, Value x, Value s, Value z) {
          Type f32 = b.getF32Type();
          Value q = arith::DivFOp::create(b, nl, x, convertFloat(b, nl, s, ft));
          q = math::RoundEvenOp::create(b, nl, q);
          // Integers this large are exact in f32 or saturate anyway; a NaN
          // becomes the lower bound (maxnumf picks the number).
          Value v =
              arith::AddFOp::create(b, nl, convertFloat(b, nl, q, f32),
                                    intToFloat(b, nl, z, isUnsigned, f32));
          v = arith::MaxNumFOp::create(b, nl, v, floatConst(b, nl, f32, lo));
          v = arith::MinNumFOp::create(b, nl, v, floatConst(b, nl, f32, hi));
          Type it = signlessOf(qt);
          if (isUnsigned)
            return arith::FPToUIOp::create(b, nl, it, v).getResult();
          return arith::FPToSIOp::create(b, nl, it, v).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizePattern : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    auto type = op.getType();
    Type qt = in.getElementType();
    auto qi = dyn_cast<IntegerType>(qt);
    if (!qi ||
        (qi.getWidth() != 8 && qi.getWidth() != 16 && qi.getWidth() != 32))
      return rewriter.notifyMatchFailure(
          op, "only 8-, 16- and 32-bit integer dequantization");
    auto scaleType = cast<RankedTensorType>(op.getScale().getType());
    if (!isa<FloatType>(scaleType.getElementType()))
      return rewriter.notifyMatchFailure(op, "scale must be a float");
    FailureOr<ParamIndexer> p = paramIndexer(op, type);
    if (failed(p))
      return rewriter.notifyMatchFailure(op, "unsupported scale layout");
    Location l = op.getLoc();
    bool isUnsigned = isUnsignedInt(qt);
    // numpy: float32(x) - zero_point is f32, promoted to f64 for int32.
    bool wide = qi.getWidth() == 32;
    Type et = type.getElementType();
    Value result = buildQuantGeneric(
        rewriter, l, toSignless(rewriter, l, op.getInput()), op.getScale(),
        toSignless(rewriter, l, op.getZeroPoint()), *p, type,
        [&](OpBuilder &b, Location nl, Value x, Value s, Value z) {
          Type f32 = b.getF32Type(), ct = wide ? b.getF64Type() : f32;
          Value xf =
              convertFloat(b, nl, intToFloat(b, nl, x, isUnsigned, f32), ct);
          Value d = arith::SubFOp::create(b, nl, xf,
                                          intToFloat(b, nl, z, isUnsigned, ct));
          Value y = arith::MulFOp::create(b, nl, d, convertFloat(b, nl, s, ct));
          return convertFloat(b, nl, y, et);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void anvil::lowering::populateQuantizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<QuantizePattern, DequantizePattern>(patterns.getContext());
}

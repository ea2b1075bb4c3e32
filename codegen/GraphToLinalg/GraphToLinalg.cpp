//===- GraphToLinalg.cpp - anvil → linalg on tensors
//------------------------===//
//
// Elementwise anvil ops become linalg.generic ops whose indexing maps spell out
// numpy broadcasting; matmul becomes linalg.matmul; constants become
// arith.constant. This is the first step of the CPU pipeline (graph → linalg →
// tile/vectorize → bufferize → LLVM).
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/GraphToLinalg.h"
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace anvil {
#define GEN_PASS_DEF_CONVERTANVILTOLINALG
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

/// Carries an op type through a generic lambda.
template <typename T> struct TypeTag { using type = T; };

/// An empty tensor of `type`; dynamic sizes are read from the operand dims that
/// the broadcast maps to each result dim (an operand's `?` dim is taken to
/// match the result).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange operands) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      continue;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t od = d - (type.getRank() - t.getRank());
      if (od >= 0 && t.getDimSize(od) != 1) {
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, v, od));
        break;
      }
    }
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

/// The indexing map that reads `operand` (right-aligned numpy broadcasting)
/// while iterating over the dims of `result`.
AffineMap broadcastMap(RankedTensorType operand, RankedTensorType result,
                       MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.getRank() - operand.getRank();
  for (int64_t d = 0; d < operand.getRank(); ++d) {
    bool broadcast =
        operand.getDimSize(d) == 1 && result.getDimSize(d + offset) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(d + offset, ctx));
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

/// Computes one result element from the operand elements.
using ScalarFn = function_ref<Value(OpBuilder &, Location, Type, ValueRange)>;

LogicalResult lowerElementwise(Operation *op, PatternRewriter &rewriter,
                               ScalarFn fn) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Location loc = op->getLoc();
  SmallVector<AffineMap> maps;
  for (Value v : op->getOperands())
    maps.push_back(broadcastMap(cast<RankedTensorType>(v.getType()), resultType,
                                op->getContext()));
  maps.push_back(rewriter.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyLike(rewriter, loc, resultType, op->getOperands());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, op->getOperands(), ValueRange{init},
      maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Value r = fn(b, l, resultType.getElementType(), args.drop_back());
        linalg::YieldOp::create(b, l, r);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

/// An elementwise op whose scalar computation is `Fn`; float-only ops refuse
/// integers.
template <typename OpTy> struct ElementwisePattern : OpRewritePattern<OpTy> {
  ElementwisePattern(
      MLIRContext *ctx,
      std::function<Value(OpBuilder &, Location, Type, ValueRange)> fn,
      bool floatOnly)
      : OpRewritePattern<OpTy>(ctx), fn(std::move(fn)), floatOnly(floatOnly) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type et =
        cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
    if (floatOnly && !isa<FloatType>(et))
      return rewriter.notifyMatchFailure(
          op, "only float element types are lowered");
    if (!isa<FloatType, IntegerType>(et))
      return rewriter.notifyMatchFailure(op,
                                         "element type has no scalar lowering");
    return lowerElementwise(op, rewriter, fn);
  }

  std::function<Value(OpBuilder &, Location, Type, ValueRange)> fn;
  bool floatOnly;
};

template <typename FloatOp, typename IntOp>
Value floatOrInt(OpBuilder &b, Location l, Type t, ValueRange a) {
  if (isa<FloatType>(t))
    return FloatOp::create(b, l, a[0], a[1]);
  return IntOp::create(b, l, a[0], a[1]);
}

Value zeroOf(OpBuilder &b, Location l, Type t) {
  return arith::ConstantOp::create(b, l, t, b.getZeroAttr(t));
}

/// A float constant of type `t`.
Value floatConst(OpBuilder &b, Location l, Type t, double v) {
  return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, v));
}

Value oneOf(OpBuilder &b, Location l, Type t) {
  return floatConst(b, l, t, 1.0);
}

/// The map reading a per-channel vector while iterating over (n, c, ...).
AffineMap channelMap(int64_t rank, MLIRContext *ctx) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
}

/// An i64 vector attribute (strides and dilations of the linalg conv/pool ops).
DenseIntElementsAttr i64Vector(Builder &b, ArrayRef<int64_t> v) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()), v);
}

/// Pads the two spatial dims of an NCHW tensor by `begin`/`end` with `value`.
Value padSpatial(OpBuilder &b, Location l, Value x, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(0)},
      high{b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<int64_t> padded(t.getShape());
  for (int i = 0; i < 2; ++i) {
    low.push_back(b.getIndexAttr(begin[i]));
    high.push_back(b.getIndexAttr(end[i]));
    if (!t.isDynamicDim(i + 2))
      padded[i + 2] += begin[i] + end[i];
  }
  return tensor::PadOp::create(b, l, t.clone(padded), x, low, high, value);
}

struct ConstantPattern : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, op.getType(), cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct MatMulPattern : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (op.getLhs().getType().getRank() != 2 ||
        op.getRhs().getType().getRank() != 2)
      return rewriter.notifyMatchFailure(op,
                                         "only 2-D matmul is lowered so far");
    if (!isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op,
                                         "only float matmul is lowered so far");
    Location loc = op.getLoc();
    SmallVector<Value> dynamicSizes;
    if (type.isDynamicDim(0))
      dynamicSizes.push_back(
          tensor::DimOp::create(rewriter, loc, op.getLhs(), 0));
    if (type.isDynamicDim(1))
      dynamicSizes.push_back(
          tensor::DimOp::create(rewriter, loc, op.getRhs(), 1));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType(), dynamicSizes);
    Value zero = zeroOf(rewriter, loc, type.getElementType());
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
        op, TypeRange{type}, ValueRange{op.getLhs(), op.getRhs()},
        ValueRange{init});
    return success();
  }
};

struct TransposePattern : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    SmallVector<Value> dynamicSizes;
    for (auto [d, p] : llvm::enumerate(op.getPerm()))
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInput(), p));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    auto t = linalg::TransposeOp::create(rewriter, loc, op.getInput(), init,
                                         op.getPerm());
    rewriter.replaceOp(op, t->getResults());
    return success();
  }
};

/// Reductions over constant axes: a linalg.generic into the reduced shape
/// (initialized with the reduction's identity), expanded back to size-1 dims
/// with keepdims.
template <typename OpTy> struct ReducePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "run-time axes are not lowered");
    auto in = op.getInput().getType();
    auto et = dyn_cast<FloatType>(in.getElementType());
    if (!et)
      return rewriter.notifyMatchFailure(
          op, "only float reductions are lowered so far");
    SmallVector<int64_t> axes(op.getAxes());
    if (axes.empty())
      for (int64_t i = 0; i < in.getRank(); ++i)
        axes.push_back(i);
    Location loc = op.getLoc();
    SmallVector<int64_t> keptShape;
    SmallVector<Value> dynamicSizes;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    double count = 1;
    for (int64_t d = 0; d < in.getRank(); ++d) {
      bool reduced = llvm::is_contained(axes, d);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (reduced) {
        if (in.isDynamicDim(d) && std::is_same_v<OpTy, ReduceMeanOp>)
          return rewriter.notifyMatchFailure(op, "mean over a dynamic dim");
        count *= in.isDynamicDim(d) ? 1 : in.getDimSize(d);
        continue;
      }
      keptShape.push_back(in.getDimSize(d));
      outExprs.push_back(rewriter.getAffineDimExpr(d));
      if (in.isDynamicDim(d))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInput(), d));
    }
    auto keptType = RankedTensorType::get(keptShape, et);
    double identity = 0;
    if constexpr (std::is_same_v<OpTy, ReduceMaxOp>)
      identity = -std::numeric_limits<double>::infinity();
    if constexpr (std::is_same_v<OpTy, ReduceMinOp>)
      identity = std::numeric_limits<double>::infinity();
    if constexpr (std::is_same_v<OpTy, ReduceProdOp>)
      identity = 1;
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, keptShape, et, dynamicSizes);
    Value identityValue = floatConst(rewriter, loc, et, identity);
    Value init = linalg::FillOp::create(rewriter, loc, identityValue, empty)
                     .getResult(0);
    SmallVector<AffineMap> maps{
        rewriter.getMultiDimIdentityMap(in.getRank()),
        AffineMap::get(in.getRank(), 0, outExprs, rewriter.getContext())};
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{keptType}, ValueRange{op.getInput()},
            ValueRange{init}, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r;
              if constexpr (std::is_same_v<OpTy, ReduceMaxOp>)
                r = arith::MaximumFOp::create(b, l, args[0], args[1]);
              else if constexpr (std::is_same_v<OpTy, ReduceMinOp>)
                r = arith::MinimumFOp::create(b, l, args[0], args[1]);
              else if constexpr (std::is_same_v<OpTy, ReduceProdOp>)
                r = arith::MulFOp::create(b, l, args[0], args[1]);
              else
                r = arith::AddFOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    if constexpr (std::is_same_v<OpTy, ReduceMeanOp>) {
      Value n = floatConst(rewriter, loc, et, count);
      Value empty2 =
          tensor::EmptyOp::create(rewriter, loc, keptShape, et, dynamicSizes);
      auto id = rewriter.getMultiDimIdentityMap(keptType.getRank());
      reduced =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{keptType}, ValueRange{reduced},
              ValueRange{empty2}, SmallVector<AffineMap>{id, id},
              SmallVector<utils::IteratorType>(keptType.getRank(),
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l, ValueRange{arith::DivFOp::create(b, l, args[0], n)});
              })
              .getResult(0);
    }
    if (op.getKeepdims()) {
      // Re-insert the reduced dims as size 1: group each kept dim with the
      // reduced dims that follow it (leading reduced dims join the first kept
      // dim).
      SmallVector<ReassociationIndices> groups;
      for (int64_t d = 0; d < in.getRank(); ++d) {
        bool reduced = llvm::is_contained(axes, d);
        if (!reduced || groups.empty())
          groups.push_back({});
        groups.back().push_back(d);
      }
      // A leading run of reduced dims belongs with the first kept dim.
      if (groups.size() > keptType.getRank() && keptType.getRank() > 0) {
        ReassociationIndices lead = groups.front();
        groups.erase(groups.begin());
        groups.front().insert(groups.front().begin(), lead.begin(), lead.end());
      }
      if (keptType.getRank() == 0)
        groups.clear();
      reduced = tensor::ExpandShapeOp::create(rewriter, loc, op.getType(),
                                              reduced, groups);
    }
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

/// softmax(x) = exp(x - max(x)) / sum(exp(x - max(x))) along the axis, in anvil
/// ops.
struct SoftmaxPattern : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t axis =
        *shape::normalizeAxis(op.getAxis(), type.getRank()); // verified
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape[axis] = 1;
    auto reducedType = type.clone(reducedShape);
    Location loc = op.getLoc();
    auto axes = rewriter.getDenseI64ArrayAttr({axis});
    Value max = ReduceMaxOp::create(rewriter, loc, reducedType, op.getInput(),
                                    Value(), axes, true, false);
    Value shifted = SubOp::create(rewriter, loc, type, op.getInput(), max);
    Value e = ExpOp::create(rewriter, loc, type, shifted);
    Value sum = ReduceSumOp::create(rewriter, loc, reducedType, e, Value(),
                                    axes, true, false);
    rewriter.replaceOpWithNewOp<DivOp>(op, type, e, sum);
    return success();
  }
};

/// gemm = alpha * op(a) op(b) + beta * c, in anvil ops (transpose, matmul, mul,
/// add).
struct GemmPattern : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto transpose = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      return TransposeOp::create(rewriter, loc,
                                 t.clone({t.getDimSize(1), t.getDimSize(0)}), v,
                                 rewriter.getDenseI64ArrayAttr({1, 0}));
    };
    Value a = op.getTransA() ? transpose(op.getA()) : op.getA();
    Value b = op.getTransB() ? transpose(op.getB()) : op.getB();
    auto type = op.getType();
    Value y = MatMulOp::create(rewriter, loc, type, a, b);
    auto scalar = [&](float v) -> Value {
      auto t = RankedTensorType::get({}, type.getElementType());
      return ConstantOp::create(
          rewriter, loc, t,
          cast<ElementsAttr>(DenseElementsAttr::get(
              t, rewriter.getFloatAttr(type.getElementType(), v))));
    };
    if (!isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op,
                                         "only float gemm is lowered so far");
    if (op.getAlpha().convertToFloat() != 1.0f)
      y = MulOp::create(rewriter, loc, type, y,
                        scalar(op.getAlpha().convertToFloat()));
    if (Value c = op.getC()) {
      if (op.getBeta().convertToFloat() != 1.0f)
        c = MulOp::create(rewriter, loc, c.getType(), c,
                          scalar(op.getBeta().convertToFloat()));
      y = AddOp::create(rewriter, loc, type, y, c);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Inference batch norm: one linalg.generic reading the per-channel statistics
/// through (n, c, ...) -> (c).
struct BatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto et = dyn_cast<FloatType>(type.getElementType());
    if (!et)
      return rewriter.notifyMatchFailure(op,
                                         "only float batch norm is lowered");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap channel = channelMap(type.getRank(), ctx);
    SmallVector<AffineMap> maps{id, channel, channel, channel, channel, id};
    Value init = emptyLike(rewriter, loc, type, {op.getInput()});
    float eps = op.getEpsilon().convertToFloat();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{op.getInput(), op.getScale(), op.getBias(), op.getMean(),
                   op.getVariance()},
        ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          // (x - mean) * scale / sqrt(var + eps) + bias
          Value epsV = floatConst(b, l, et, eps);
          Value invStd = math::RsqrtOp::create(
              b, l, arith::AddFOp::create(b, l, a[4], epsV));
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          Value scaled = arith::MulFOp::create(
              b, l, centered, arith::MulFOp::create(b, l, a[1], invStd));
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, scaled, a[2])});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// 2-D convolution with one group: zero padding through tensor.pad, then
/// linalg.conv_2d_nchw_fchw accumulating into the broadcast bias (or zeros).
struct Conv2DPattern : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto in = op.getInput().getType();
    auto et = dyn_cast<FloatType>(type.getElementType());
    int64_t group = op.getGroup();
    auto w = op.getWeight().getType();
    // Depthwise: one group per channel, one filter per group.
    bool depthwise = group > 1 && in.getDimSize(1) == group &&
                     w.getDimSize(0) == group && w.getDimSize(1) == 1;
    if (!et || in.getRank() != 4 || (group != 1 && !depthwise))
      return rewriter.notifyMatchFailure(
          op, "only float 2-D convolution with one group, or depthwise");
    Location loc = op.getLoc();
    Value input = op.getInput();
    ArrayRef<int64_t> pads = op.getPads();
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
      input = padSpatial(rewriter, loc, input, pads.take_front(2),
                         pads.drop_front(2), zeroOf(rewriter, loc, et));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d)) {
        if (d != 0)
          return rewriter.notifyMatchFailure(
              op, "only the batch dim may be dynamic");
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInput(), 0));
      }
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(), et,
                                          dynamicSizes);
    Value init;
    if (Value bias = op.getBias()) {
      AffineMap channel = channelMap(4, rewriter.getContext());
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{type}, ValueRange{bias},
                 ValueRange{empty},
                 SmallVector<AffineMap>{channel,
                                        rewriter.getMultiDimIdentityMap(4)},
                 SmallVector<utils::IteratorType>(
                     4, utils::IteratorType::parallel),
                 [](OpBuilder &b, Location l, ValueRange a) {
                   linalg::YieldOp::create(b, l, ValueRange{a[0]});
                 })
                 .getResult(0);
    } else {
      init = linalg::FillOp::create(rewriter, loc, zeroOf(rewriter, loc, et),
                                    empty)
                 .getResult(0);
    }
    if (depthwise) {
      // [C, 1, kh, kw] weights as the [C, kh, kw] filter of the depthwise op.
      Value filter = tensor::CollapseShapeOp::create(
          rewriter, loc, op.getWeight(),
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
      auto conv = linalg::DepthwiseConv2DNchwChwOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{input, filter},
          ValueRange{init}, i64Vector(rewriter, op.getStrides()),
          i64Vector(rewriter, op.getDilations()));
      rewriter.replaceOp(op, conv->getResults());
      return success();
    }
    auto conv = linalg::Conv2DNchwFchwOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input, op.getWeight()},
        ValueRange{init}, i64Vector(rewriter, op.getStrides()),
        i64Vector(rewriter, op.getDilations()));
    rewriter.replaceOp(op, conv->getResults());
    return success();
  }
};

/// Flatten collapses the dims before and after the axis.
struct FlattenPattern : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    int64_t rank = op.getInput().getType().getRank(), axis = op.getAxis();
    if (axis == 0 || axis == rank)
      return rewriter.notifyMatchFailure(op,
                                         "flatten to a leading or trailing 1");
    ReassociationIndices front, back;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? front : back).push_back(d);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), op.getInput(),
        SmallVector<ReassociationIndices>{front, back});
    return success();
  }
};

/// 2-D max pooling: -inf padding (extra at the end for ceil_mode) through
/// tensor.pad, then linalg.pooling_nchw_max from a -inf accumulator.
struct MaxPoolPattern : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    auto in = op.getInput().getType();
    auto et = dyn_cast<FloatType>(type.getElementType());
    if (!et || in.getRank() != 4 || op.getIndices())
      return rewriter.notifyMatchFailure(
          op, "only float 2-D max pooling without indices");
    if (in.isDynamicDim(2) || in.isDynamicDim(3) || type.isDynamicDim(1))
      return rewriter.notifyMatchFailure(
          op, "needs static channels and spatial dims");
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      d = op.getDilations(), pads = op.getPads();
    SmallVector<int64_t> ends;
    for (int i = 0; i < 2; ++i) {
      // The last window may run past the end padding (ceil_mode): pad up to it.
      int64_t need =
          (type.getDimSize(i + 2) - 1) * s[i] + (k[i] - 1) * d[i] + 1;
      ends.push_back(
          std::max(pads[i + 2], need - in.getDimSize(i + 2) - pads[i]));
    }
    Value negInf =
        floatConst(rewriter, loc, et, -std::numeric_limits<double>::infinity());
    Value input = padSpatial(rewriter, loc, op.getInput(), pads.take_front(2),
                             ends, negInf);
    SmallVector<Value> dynamicSizes;
    if (type.isDynamicDim(0))
      dynamicSizes.push_back(
          tensor::DimOp::create(rewriter, loc, op.getInput(), 0));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(), et,
                                          dynamicSizes);
    Value init =
        linalg::FillOp::create(rewriter, loc, negInf, empty).getResult(0);
    Value window = tensor::EmptyOp::create(rewriter, loc, k, et);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input, window},
        ValueRange{init}, i64Vector(rewriter, s), i64Vector(rewriter, d));
    rewriter.replaceOp(op, pool->getResults());
    return success();
  }
};

/// Clip with constant bounds: max then min against the bounds that are present.
struct ClipPattern : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op,
                                PatternRewriter &rewriter) const override {
    auto et = dyn_cast<FloatType>(op.getType().getElementType());
    if (!et)
      return rewriter.notifyMatchFailure(op,
                                         "only float clip is lowered so far");
    std::optional<double> lo, hi;
    if (op.getMin())
      lo = op.getMin()->convertToDouble();
    if (op.getMax())
      hi = op.getMax()->convertToDouble();
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          Value v = a[0];
          if (lo)
            v = arith::MaximumFOp::create(b, l, v, floatConst(b, l, t, *lo));
          if (hi)
            v = arith::MinimumFOp::create(b, l, v, floatConst(b, l, t, *hi));
          return v;
        });
  }
};

/// Cast between float and signless integer types (bool counts as an integer
/// 0/1); float to integer truncates toward zero, as ONNX specifies.
struct CastPattern : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    auto supported = [](Type t) {
      return isa<FloatType>(t) ||
             (isa<IntegerType>(t) && cast<IntegerType>(t).isSignless());
    };
    if (!supported(from) || !supported(to))
      return rewriter.notifyMatchFailure(op,
                                         "only floats and signless integers");
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          Value v = a[0];
          auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
          if (fromF && toF)
            return fromF.getWidth() < toF.getWidth()
                       ? Value(arith::ExtFOp::create(b, l, to, v))
                   : fromF.getWidth() > toF.getWidth()
                       ? Value(arith::TruncFOp::create(b, l, to, v))
                       : v;
          if (fromF) // bool from float: x != 0
            return to.isInteger(1)
                       ? Value(arith::CmpFOp::create(b, l,
                                                     arith::CmpFPredicate::UNE,
                                                     v, zeroOf(b, l, from)))
                       : Value(arith::FPToSIOp::create(b, l, to, v));
          if (toF) // booleans are 0/1, not -1/0
            return from.isInteger(1)
                       ? Value(arith::UIToFPOp::create(b, l, to, v))
                       : Value(arith::SIToFPOp::create(b, l, to, v));
          unsigned fw = from.getIntOrFloatBitWidth(),
                   tw = to.getIntOrFloatBitWidth();
          if (tw == 1)
            return Value(arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                               v, zeroOf(b, l, from)));
          if (fw < tw)
            return fw == 1 ? Value(arith::ExtUIOp::create(b, l, to, v))
                           : Value(arith::ExtSIOp::create(b, l, to, v));
          return fw > tw ? Value(arith::TruncIOp::create(b, l, to, v)) : v;
        });
  }
};

struct ConvertAnvilToLinalg
    : anvil::impl::ConvertAnvilToLinalgBase<ConvertAnvilToLinalg> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGraphToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every anvil op must be gone; what is left is reported at its ONNX node.
    bool leftover = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<AnvilDialect>(op->getDialect()))
        return;
      op->emitError()
          << "'" << op->getName()
          << "' cannot be lowered to linalg yet (or not for its types)";
      leftover = true;
    });
    if (leftover)
      signalPassFailure();
  }
};

} // namespace

void anvil::populateGraphToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  auto add = [&](auto tag, auto fn, bool floatOnly) {
    using OpTy = typename decltype(tag)::type;
    patterns.add<ElementwisePattern<OpTy>>(ctx, fn, floatOnly);
  };
  auto unaryMath = [](auto tag) {
    using MathOp = typename decltype(tag)::type;
    return [](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
      return MathOp::create(b, l, a[0]);
    };
  };
  add(TypeTag<AddOp>{}, floatOrInt<arith::AddFOp, arith::AddIOp>, false);
  add(TypeTag<SubOp>{}, floatOrInt<arith::SubFOp, arith::SubIOp>, false);
  add(TypeTag<MulOp>{}, floatOrInt<arith::MulFOp, arith::MulIOp>, false);
  add(TypeTag<DivOp>{}, floatOrInt<arith::DivFOp, arith::DivSIOp>, false);
  add(TypeTag<MaxOp>{}, floatOrInt<arith::MaximumFOp, arith::MaxSIOp>, false);
  add(TypeTag<MinOp>{}, floatOrInt<arith::MinimumFOp, arith::MinSIOp>, false);
  add(
      TypeTag<PowOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
        return math::PowFOp::create(b, l, a[0], a[1]);
      },
      true);
  add(TypeTag<ExpOp>{}, unaryMath(TypeTag<math::ExpOp>{}), true);
  add(TypeTag<LogOp>{}, unaryMath(TypeTag<math::LogOp>{}), true);
  add(TypeTag<SqrtOp>{}, unaryMath(TypeTag<math::SqrtOp>{}), true);
  add(TypeTag<TanhOp>{}, unaryMath(TypeTag<math::TanhOp>{}), true);
  add(TypeTag<ErfOp>{}, unaryMath(TypeTag<math::ErfOp>{}), true);
  add(TypeTag<AbsOp>{}, unaryMath(TypeTag<math::AbsFOp>{}), true);
  add(TypeTag<FloorOp>{}, unaryMath(TypeTag<math::FloorOp>{}), true);
  add(TypeTag<CeilOp>{}, unaryMath(TypeTag<math::CeilOp>{}), true);
  add(
      TypeTag<NegOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
        return arith::NegFOp::create(b, l, a[0]);
      },
      true);
  add(
      TypeTag<ReciprocalOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
        return arith::DivFOp::create(b, l, oneOf(b, l, t), a[0]);
      },
      true);
  add(
      TypeTag<ReluOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
        return arith::MaximumFOp::create(b, l, a[0], zeroOf(b, l, t));
      },
      true);
  add(
      TypeTag<SigmoidOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
        Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, a[0]));
        return arith::DivFOp::create(
            b, l, oneOf(b, l, t),
            arith::AddFOp::create(b, l, oneOf(b, l, t), e));
      },
      true);
  patterns
      .add<ConstantPattern, MatMulPattern, TransposePattern, SoftmaxPattern,
           GemmPattern, ReducePattern<ReduceSumOp>, ReducePattern<ReduceMeanOp>,
           ReducePattern<ReduceMaxOp>, ReducePattern<ReduceMinOp>,
           ReducePattern<ReduceProdOp>, BatchNormPattern, Conv2DPattern,
           FlattenPattern, MaxPoolPattern, ClipPattern, CastPattern>(ctx);
}

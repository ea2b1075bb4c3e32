//===- NN.cpp - Neural-network anvil ops → linalg -------------------------===//
//
// Matmul and convolution become named linalg ops where one fits (2-D matmul,
// batch matmul, 2-D NCHW convolution, depthwise convolution, 2-D max pooling)
// and linalg.generic otherwise (broadcast batches, N-D and grouped
// convolution, other pooling, einsum). Normalizations and softmax variants are
// rewritten into anvil elementwise ops and reductions, which lower in turn.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SetVector.h"

#include <cctype>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

bool isFloat16Plus(Type t) {
  return isa<FloatType>(t) && t.getIntOrFloatBitWidth() >= 16;
}

/// Pads the spatial dims (2, 3, ...) of an N-C-spatial tensor by `begin`/`end`
/// with `value`.
Value padSpatial(OpBuilder &b, Location l, Value x, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value, int64_t firstDim = 2) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> low(t.getRank(), b.getIndexAttr(0)),
      high(t.getRank(), b.getIndexAttr(0));
  SmallVector<int64_t> padded(t.getShape());
  for (size_t i = 0; i < begin.size(); ++i) {
    low[i + firstDim] = b.getIndexAttr(begin[i]);
    high[i + firstDim] = b.getIndexAttr(end[i]);
    if (!t.isDynamicDim(i + firstDim))
      padded[i + firstDim] += begin[i] + end[i];
  }
  return tensor::PadOp::create(b, l, t.clone(padded), x, low, high, value);
}

/// A 0-D anvil constant of element type `et`.
Value scalarConstant(OpBuilder &b, Location l, Type et, double v) {
  auto t = RankedTensorType::get({}, et);
  Attribute a = isa<FloatType>(et)
                    ? Attribute(b.getFloatAttr(et, v))
                    : Attribute(b.getIntegerAttr(et, (int64_t)v));
  return ConstantOp::create(b, l, t,
                            cast<ElementsAttr>(DenseElementsAttr::get(t, a)));
}

RankedTensorType withDimOne(RankedTensorType t, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(t.getShape());
  for (int64_t a : axes)
    shape[a] = 1;
  return t.clone(shape);
}

//===----------------------------------------------------------------------===//
// Matmul and gemm
//===----------------------------------------------------------------------===//

/// Matmul with numpy semantics: 1-D operands are promoted (and the promoted
/// dim dropped); 2-D is linalg.matmul, an N-D lhs times a 2-D rhs folds its
/// batch into the rows, equal batches use linalg.batch_matmul, and broadcast
/// batches a linalg.generic.
struct MatMulPattern : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (!isFloat16Plus(et) && !(isa<IntegerType>(et) && !et.isInteger(1)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    Location l = op.getLoc();
    Value lhs = toSignless(rewriter, l, op.getLhs());
    Value rhs = toSignless(rewriter, l, op.getRhs());
    Type ct = signlessOf(et);
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    bool lhsVec = lt.getRank() == 1, rhsVec = rt.getRank() == 1;
    // Promote vectors: [K] -> [1, K] on the left, [K] -> [K, 1] on the right.
    if (lhsVec) {
      auto t = RankedTensorType::get({1, lt.getDimSize(0)}, ct);
      lhs =
          reshapeTo(rewriter, l, lhs, t,
                    {rewriter.getIndexAttr(1), dimSizes(rewriter, l, lhs)[0]});
      lt = t;
    }
    if (rhsVec) {
      auto t = RankedTensorType::get({rt.getDimSize(0), 1}, ct);
      rhs =
          reshapeTo(rewriter, l, rhs, t,
                    {dimSizes(rewriter, l, rhs)[0], rewriter.getIndexAttr(1)});
      rt = t;
    }
    // The full result [batch..., M, N] before dropping promoted dims.
    int64_t batchRank = std::max(lt.getRank(), rt.getRank()) - 2;
    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> sizes;
    SmallVector<OpFoldResult> ld = dimSizes(rewriter, l, lhs),
                              rd = dimSizes(rewriter, l, rhs);
    for (int64_t d = 0; d < batchRank; ++d) {
      int64_t li = d - (batchRank - (lt.getRank() - 2));
      int64_t ri = d - (batchRank - (rt.getRank() - 2));
      int64_t ls = li >= 0 ? lt.getDimSize(li) : 1;
      int64_t rs = ri >= 0 ? rt.getDimSize(ri) : 1;
      // A dynamic batch dim is taken to match the other operand's.
      bool fromLhs = li >= 0 && ls != 1;
      bool fromRhs = ri >= 0 && rs != 1;
      if (fromLhs) {
        shape.push_back(ls);
        sizes.push_back(ld[li]);
      } else if (fromRhs) {
        shape.push_back(rs);
        sizes.push_back(rd[ri]);
      } else {
        shape.push_back(1);
        sizes.push_back(rewriter.getIndexAttr(1));
      }
    }
    shape.push_back(lt.getDimSize(lt.getRank() - 2));
    sizes.push_back(ld[lt.getRank() - 2]);
    shape.push_back(rt.getDimSize(rt.getRank() - 1));
    sizes.push_back(rd[rt.getRank() - 1]);
    auto fullType = RankedTensorType::get(shape, ct);
    Value init = filled(rewriter, l, fullType, sizes, zeroOf(rewriter, l, ct));
    Value result;
    if (lt.getRank() == 2 && rt.getRank() == 2) {
      result = linalg::MatmulOp::create(rewriter, l, TypeRange{fullType},
                                        ValueRange{lhs, rhs}, ValueRange{init})
                   .getResult(0);
    } else if (rt.getRank() == 2) {
      // [B..., M, K] x [K, N]: rows of all batches at once.
      ReassociationIndices rows;
      for (int64_t d = 0; d < lt.getRank() - 1; ++d)
        rows.push_back(d);
      SmallVector<ReassociationIndices> groups{rows, {lt.getRank() - 1}};
      Value flatLhs = tensor::CollapseShapeOp::create(rewriter, l, lhs, groups);
      Value flatInit =
          tensor::CollapseShapeOp::create(rewriter, l, init, groups);
      Value mm = linalg::MatmulOp::create(
                     rewriter, l, TypeRange{flatInit.getType()},
                     ValueRange{flatLhs, rhs}, ValueRange{flatInit})
                     .getResult(0);
      result = tensor::ExpandShapeOp::create(rewriter, l, fullType, mm, groups,
                                             sizes);
    } else {
      MLIRContext *ctx = rewriter.getContext();
      int64_t n = batchRank + 3; // batch..., m, n, k
      auto operandMap = [&](RankedTensorType t, bool isLhs) {
        SmallVector<AffineExpr> exprs;
        int64_t offset = batchRank - (t.getRank() - 2);
        for (int64_t d = 0; d < t.getRank() - 2; ++d)
          exprs.push_back(t.getDimSize(d) == 1 && shape[d + offset] != 1
                              ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(d + offset, ctx));
        exprs.push_back(
            getAffineDimExpr(isLhs ? batchRank : batchRank + 2, ctx));
        exprs.push_back(
            getAffineDimExpr(isLhs ? batchRank + 2 : batchRank + 1, ctx));
        return AffineMap::get(n, 0, exprs, ctx);
      };
      SmallVector<AffineExpr> outExprs;
      for (int64_t d = 0; d < batchRank + 2; ++d)
        outExprs.push_back(getAffineDimExpr(d, ctx));
      SmallVector<utils::IteratorType> iterators(n - 1,
                                                 utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      bool isFloat = isa<FloatType>(ct);
      result =
          linalg::GenericOp::create(
              rewriter, l, TypeRange{fullType}, ValueRange{lhs, rhs},
              ValueRange{init},
              SmallVector<AffineMap>{operandMap(lt, true),
                                     operandMap(rt, false),
                                     AffineMap::get(n, 0, outExprs, ctx)},
              iterators,
              [&](OpBuilder &b, Location nl, ValueRange a) {
                Value p = isFloat
                              ? Value(arith::MulFOp::create(b, nl, a[0], a[1]))
                              : Value(arith::MulIOp::create(b, nl, a[0], a[1]));
                Value s = isFloat
                              ? Value(arith::AddFOp::create(b, nl, a[2], p))
                              : Value(arith::AddIOp::create(b, nl, a[2], p));
                linalg::YieldOp::create(b, nl, s);
              })
              .getResult(0);
    }
    // Drop the promoted dims.
    auto computeType = type.clone(ct);
    if (lhsVec || rhsVec) {
      SmallVector<OpFoldResult> outSizes(sizes.begin(), sizes.end() - 2);
      if (!lhsVec)
        outSizes.push_back(sizes[sizes.size() - 2]);
      if (!rhsVec)
        outSizes.push_back(sizes.back());
      result = reshapeTo(rewriter, l, result, computeType, outSizes);
    } else if (result.getType() != computeType) {
      result = tensor::CastOp::create(rewriter, l, computeType, result);
    }
    rewriter.replaceOp(op, bitcastTo(rewriter, l, result, type));
    return success();
  }
};

/// gemm = alpha * op(a) op(b) + beta * c, in anvil ops (transpose, matmul,
/// mul, add).
struct GemmPattern : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (!isFloat16Plus(type.getElementType()))
      return rewriter.notifyMatchFailure(op,
                                         "only float gemm is lowered so far");
    Location loc = op.getLoc();
    auto transpose = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      return TransposeOp::create(rewriter, loc,
                                 t.clone({t.getDimSize(1), t.getDimSize(0)}), v,
                                 rewriter.getDenseI64ArrayAttr({1, 0}));
    };
    Value a = op.getTransA() ? transpose(op.getA()) : op.getA();
    Value b = op.getTransB() ? transpose(op.getB()) : op.getB();
    Value y = MatMulOp::create(rewriter, loc, type, a, b);
    Type et = type.getElementType();
    if (op.getAlpha().convertToFloat() != 1.0f)
      y = MulOp::create(
          rewriter, loc, type, y,
          scalarConstant(rewriter, loc, et, op.getAlpha().convertToFloat()));
    if (Value c = op.getC()) {
      if (op.getBeta().convertToFloat() != 1.0f)
        c = MulOp::create(
            rewriter, loc, c.getType(), c,
            scalarConstant(rewriter, loc, et, op.getBeta().convertToFloat()));
      y = AddOp::create(rewriter, loc, type, y, c);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// The output initialized with the bias along the channel dim (1, or the last
/// one when `channelsLast`), or with zeros.
Value biasInit(OpBuilder &b, Location l, RankedTensorType type,
               ArrayRef<OpFoldResult> sizes, Value bias,
               bool channelsLast = false) {
  Type et = type.getElementType();
  if (!bias)
    return filled(b, l, type, sizes, zeroOf(b, l, et));
  Value empty = emptyOfSizes(b, l, type, sizes);
  int64_t rank = type.getRank();
  return linalg::GenericOp::create(
             b, l, TypeRange{type}, ValueRange{bias}, ValueRange{empty},
             SmallVector<AffineMap>{
                 channelsLast
                     ? AffineMap::get(rank, 0, b.getAffineDimExpr(rank - 1))
                     : channelMap(rank, b.getContext()),
                 b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, ValueRange{a[0]});
             })
      .getResult(0);
}

/// Grouped N-D convolution of an already padded input as one linalg.generic
/// over (n, g, f, out..., c, k...): x is viewed as [N, G, C, in...], w as
/// [G, F, C, k...], the result as [N, G, F, out...].
Value genericConv(OpBuilder &b, Location l, Value x, Value w, Value init,
                  int64_t groups, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> dilations) {
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  auto ot = cast<RankedTensorType>(init.getType());
  int64_t s = xt.getRank() - 2;
  int64_t c = wt.getDimSize(1), f = wt.getDimSize(0) / groups;
  MLIRContext *ctx = b.getContext();
  auto split = [&](Value v, RankedTensorType t, int64_t dim, int64_t inner) {
    SmallVector<int64_t> shape(t.getShape().take_front(dim));
    shape.push_back(groups);
    shape.push_back(inner);
    shape.append(t.getShape().begin() + dim + 1, t.getShape().end());
    SmallVector<OpFoldResult> sizes = dimSizes(b, l, v);
    sizes[dim] = b.getIndexAttr(inner);
    sizes.insert(sizes.begin() + dim, b.getIndexAttr(groups));
    SmallVector<ReassociationIndices> reassoc;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d < dim)
        reassoc.push_back({d});
      else if (d == dim)
        reassoc.push_back({d, d + 1});
      else
        reassoc.push_back({d + 1});
    }
    return tensor::ExpandShapeOp::create(b, l, t.clone(shape), v, reassoc,
                                         sizes);
  };
  Value xg = split(x, xt, 1, c);
  Value wg = split(w, wt, 0, f);
  Value og = split(init, ot, 1, f);
  // Iteration dims: n, g, f, o_0..o_{s-1}, c, k_0..k_{s-1}.
  int64_t n = 4 + 2 * s;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs{dim(0), dim(1), dim(3 + s)};
  SmallVector<AffineExpr> wExprs{dim(1), dim(2), dim(3 + s)};
  SmallVector<AffineExpr> oExprs{dim(0), dim(1), dim(2)};
  for (int64_t i = 0; i < s; ++i) {
    xExprs.push_back(dim(3 + i) * strides[i] + dim(4 + s + i) * dilations[i]);
    wExprs.push_back(dim(4 + s + i));
    oExprs.push_back(dim(3 + i));
  }
  SmallVector<utils::IteratorType> iterators(3 + s,
                                             utils::IteratorType::parallel);
  iterators.append(1 + s, utils::IteratorType::reduction);
  Value r =
      linalg::GenericOp::create(
          b, l, TypeRange{og.getType()}, ValueRange{xg, wg}, ValueRange{og},
          SmallVector<AffineMap>{AffineMap::get(n, 0, xExprs, ctx),
                                 AffineMap::get(n, 0, wExprs, ctx),
                                 AffineMap::get(n, 0, oExprs, ctx)},
          iterators,
          [](OpBuilder &nb, Location nl, ValueRange a) {
            Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
            linalg::YieldOp::create(
                nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], p)});
          })
          .getResult(0);
  SmallVector<ReassociationIndices> merge{{0}, {1, 2}};
  for (int64_t i = 0; i < s; ++i)
    merge.push_back({3 + i});
  return tensor::CollapseShapeOp::create(b, l, ot, r, merge);
}

/// Channels-last 2-D convolution (the verifier allows group 1 and depthwise):
/// tensor.pad of H and W, then linalg.conv_2d_nhwc_hwcf or
/// linalg.depthwise_conv_2d_nhwc_hwc, accumulating into the broadcast bias.
LogicalResult lowerChannelsLastConv(ConvOp op, PatternRewriter &rewriter) {
  auto type = op.getType();
  auto w = op.getWeight().getType();
  Type et = type.getElementType();
  if (!isFloat16Plus(et))
    return rewriter.notifyMatchFailure(op, "only float convolution");
  if (!w.hasStaticShape() || type.isDynamicDim(1) || type.isDynamicDim(2) ||
      type.isDynamicDim(3))
    return rewriter.notifyMatchFailure(
        op, "weights, channels and spatial dims must be static");
  Location loc = op.getLoc();
  ArrayRef<int64_t> pads = op.getPads();
  Value input =
      padSpatial(rewriter, loc, op.getInput(), pads.take_front(2),
                 pads.drop_front(2), zeroOf(rewriter, loc, et), /*firstDim=*/1);
  SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInput());
  for (int64_t d = 1; d < 4; ++d)
    sizes[d] = rewriter.getIndexAttr(type.getDimSize(d));
  Value init = biasInit(rewriter, loc, type, sizes, op.getBias(),
                        /*channelsLast=*/true);
  if (op.getGroup() > 1) {
    // [kh, kw, 1, C] weights as the [kh, kw, C] filter of the depthwise op.
    Value filter = tensor::CollapseShapeOp::create(
        rewriter, loc, op.getWeight(),
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    auto conv = linalg::DepthwiseConv2DNhwcHwcOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input, filter},
        ValueRange{init}, i64Vector(rewriter, op.getStrides()),
        i64Vector(rewriter, op.getDilations()));
    rewriter.replaceOp(op, conv->getResults());
    return success();
  }
  auto conv = linalg::Conv2DNhwcHwcfOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{input, op.getWeight()},
      ValueRange{init}, i64Vector(rewriter, op.getStrides()),
      i64Vector(rewriter, op.getDilations()));
  rewriter.replaceOp(op, conv->getResults());
  return success();
}

/// Convolution: zero padding through tensor.pad, then the named 2-D NCHW or
/// depthwise op, or the generic grouped N-D form, accumulating into the
/// broadcast bias.
struct ConvPattern : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getChannelsLast())
      return lowerChannelsLastConv(op, rewriter);
    auto type = op.getType();
    auto in = op.getInput().getType();
    auto w = op.getWeight().getType();
    Type et = type.getElementType();
    int64_t group = op.getGroup();
    int64_t s = in.getRank() - 2;
    if (!isFloat16Plus(et) || s < 1)
      return rewriter.notifyMatchFailure(op, "only float N-D convolution");
    if (!w.hasStaticShape() || ShapedType::isDynamic(in.getDimSize(1)) ||
        ShapedType::isDynamic(type.getDimSize(1)))
      return rewriter.notifyMatchFailure(
          op, "weights and channel counts must be static");
    for (int64_t d = 2; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "spatial dims must be static");
    Location loc = op.getLoc();
    ArrayRef<int64_t> pads = op.getPads();
    Value input = padSpatial(rewriter, loc, op.getInput(), pads.take_front(s),
                             pads.drop_front(s), zeroOf(rewriter, loc, et));
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInput());
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes[d] = rewriter.getIndexAttr(type.getDimSize(d));
    Value init = biasInit(rewriter, loc, type, sizes, op.getBias());
    bool depthwise = group > 1 && in.getDimSize(1) == group &&
                     w.getDimSize(0) == group && w.getDimSize(1) == 1;
    if (s == 2 && depthwise) {
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
    if (s == 2 && group == 1) {
      auto conv = linalg::Conv2DNchwFchwOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{input, op.getWeight()},
          ValueRange{init}, i64Vector(rewriter, op.getStrides()),
          i64Vector(rewriter, op.getDilations()));
      rewriter.replaceOp(op, conv->getResults());
      return success();
    }
    rewriter.replaceOp(op,
                       genericConv(rewriter, loc, input, op.getWeight(), init,
                                   group, op.getStrides(), op.getDilations()));
    return success();
  }
};

/// Transposed convolution as a convolution: the input is dilated by the
/// stride (zeros in between), padded by dilation * (k - 1) - pad, and
/// correlated with the spatially flipped, [G, F, C]-reordered weights.
struct ConvTransposePattern : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto in = op.getInput().getType();
    auto w = op.getWeight().getType();
    Type et = type.getElementType();
    int64_t g = op.getGroup();
    int64_t s = in.getRank() - 2;
    if (!isFloat16Plus(et) || s < 1)
      return rewriter.notifyMatchFailure(op, "only float N-D convolution");
    if (!w.hasStaticShape() || ShapedType::isDynamic(in.getDimSize(1)))
      return rewriter.notifyMatchFailure(op,
                                         "weights and channels must be static");
    for (int64_t d = 2; d < in.getRank(); ++d)
      if (in.isDynamicDim(d) || type.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "spatial dims must be static");
    Location loc = op.getLoc();
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads();
    SmallVector<int64_t> lo, hi, dilatedShape(in.getShape());
    for (int64_t i = 0; i < s; ++i) {
      int64_t k = w.getDimSize(2 + i), inSize = in.getDimSize(2 + i);
      int64_t dilated = (inSize - 1) * strides[i] + 1;
      dilatedShape[2 + i] = dilated;
      lo.push_back(dil[i] * (k - 1) - pads[i]);
      hi.push_back(type.getDimSize(2 + i) + dil[i] * (k - 1) - lo.back() -
                   dilated);
      if (lo.back() < 0 || hi.back() < 0)
        return rewriter.notifyMatchFailure(op,
                                           "padding larger than the kernel");
    }
    Value zero = zeroOf(rewriter, loc, et);
    SmallVector<OpFoldResult> inSizes = dimSizes(rewriter, loc, op.getInput());
    Value input = op.getInput();
    if (llvm::any_of(strides, [](int64_t st) { return st != 1; })) {
      SmallVector<OpFoldResult> dSizes = inSizes;
      for (int64_t i = 0; i < s; ++i)
        dSizes[2 + i] = rewriter.getIndexAttr(dilatedShape[2 + i]);
      Value base = filled(rewriter, loc, in.clone(dilatedShape), dSizes, zero);
      SmallVector<OpFoldResult> offsets(in.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> steps(2, rewriter.getIndexAttr(1));
      for (int64_t st : strides)
        steps.push_back(rewriter.getIndexAttr(st));
      input = tensor::InsertSliceOp::create(rewriter, loc, input, base, offsets,
                                            inSizes, steps);
    }
    input = padSpatial(rewriter, loc, input, lo, hi, zero);
    // Weights [G*C, F, k...] -> [G*F, C, k...] flipped.
    int64_t c = w.getDimSize(0) / g, f = w.getDimSize(1);
    SmallVector<int64_t> convShape{g * f, c};
    for (int64_t i = 0; i < s; ++i)
      convShape.push_back(w.getDimSize(2 + i));
    auto convW = RankedTensorType::get(convShape, et);
    Value weight = op.getWeight();
    Value flipped = buildIndexGeneric(
        rewriter, loc, convW, {},
        [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
          // Output channel o = gi * F + fi reads input channel gi * C + ci.
          Value fIdx = indexConst(b, nl, f), cIdx = indexConst(b, nl, c);
          Value gi = arith::DivUIOp::create(b, nl, ivs[0], fIdx);
          Value fi = arith::RemUIOp::create(b, nl, ivs[0], fIdx);
          SmallVector<Value> at{
              arith::AddIOp::create(
                  b, nl, arith::MulIOp::create(b, nl, gi, cIdx), ivs[1]),
              fi};
          for (int64_t i = 0; i < s; ++i)
            at.push_back(arith::SubIOp::create(
                b, nl, indexConst(b, nl, w.getDimSize(2 + i) - 1), ivs[2 + i]));
          return tensor::ExtractOp::create(b, nl, weight, at);
        });
    SmallVector<OpFoldResult> sizes = inSizes;
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes[d] = rewriter.getIndexAttr(type.getDimSize(d));
    Value init = biasInit(rewriter, loc, type, sizes, op.getBias());
    SmallVector<int64_t> ones(s, 1);
    rewriter.replaceOp(
        op, genericConv(rewriter, loc, input, flipped, init, g, ones, dil));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The end padding that lets the last (ceil_mode) window fit.
SmallVector<int64_t> poolEndPads(RankedTensorType in, RankedTensorType out,
                                 ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                                 ArrayRef<int64_t> d, ArrayRef<int64_t> pads,
                                 int64_t first = 2) {
  int64_t n = k.size();
  SmallVector<int64_t> ends;
  for (int64_t i = 0; i < n; ++i) {
    int64_t need =
        (out.getDimSize(i + first) - 1) * s[i] + (k[i] - 1) * d[i] + 1;
    ends.push_back(
        std::max(pads[i + n], need - in.getDimSize(i + first) - pads[i]));
  }
  return ends;
}

/// A window reduction over (n, c, out..., k...) of an already padded input.
Value windowReduce(
    OpBuilder &b, Location l, Value padded, Value init, ArrayRef<int64_t> s,
    ArrayRef<int64_t> d, ArrayRef<int64_t> k,
    function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
  MLIRContext *ctx = b.getContext();
  int64_t sp = k.size(), n = 2 + 2 * sp;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs{dim(0), dim(1)}, oExprs{dim(0), dim(1)};
  for (int64_t i = 0; i < sp; ++i) {
    xExprs.push_back(dim(2 + i) * s[i] + dim(2 + sp + i) * d[i]);
    oExprs.push_back(dim(2 + i));
  }
  Value window = tensor::EmptyOp::create(
      b, l, k, cast<RankedTensorType>(padded.getType()).getElementType());
  SmallVector<AffineExpr> kExprs;
  for (int64_t i = 0; i < sp; ++i)
    kExprs.push_back(dim(2 + sp + i));
  SmallVector<utils::IteratorType> iterators(2 + sp,
                                             utils::IteratorType::parallel);
  iterators.append(sp, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, l, TypeRange{init.getType()}, ValueRange{padded, window},
             ValueRange{init},
             SmallVector<AffineMap>{AffineMap::get(n, 0, xExprs, ctx),
                                    AffineMap::get(n, 0, kExprs, ctx),
                                    AffineMap::get(n, 0, oExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl,
                                       ValueRange{fn(nb, nl, a[0], a[2])});
             })
      .getResult(0);
}

template <typename OpTy> struct PoolPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    constexpr bool isAvg = std::is_same_v<OpTy, AvgPoolOp>;
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    auto in = op.getInput().getType();
    Type et = type.getElementType();
    if (!isFloat16Plus(et))
      return rewriter.notifyMatchFailure(op, "only float pooling");
    if constexpr (isMax)
      if (op.getIndices())
        return rewriter.notifyMatchFailure(op, "max pooling indices");
    int64_t sp = in.getRank() - 2;
    // NHWC (channels_last) or NCHW: the spatial dims start at `first`.
    bool channelsLast = op.getChannelsLast();
    int64_t first = channelsLast ? 1 : 2;
    for (int64_t d = first; d < first + sp; ++d)
      if (in.isDynamicDim(d) || type.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "spatial dims must be static");
    if (channelsLast && (!isMax || sp != 2))
      return rewriter.notifyMatchFailure(op,
                                         "channels-last pooling is 2-D max");
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      d = op.getDilations(), pads = op.getPads();
    SmallVector<int64_t> ends = poolEndPads(in, type, k, s, d, pads, first);
    double inf = std::numeric_limits<double>::infinity();
    Value padValue =
        isMax ? floatConst(rewriter, loc, et, -inf) : zeroOf(rewriter, loc, et);
    Value input = padSpatial(rewriter, loc, op.getInput(), pads.take_front(sp),
                             ends, padValue, first);
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInput());
    for (int64_t i = 0; i < sp; ++i)
      sizes[first + i] = rewriter.getIndexAttr(type.getDimSize(first + i));
    Value init = filled(rewriter, loc, type, sizes, padValue);
    if (isMax && sp == 2) {
      // 2-D max pooling has named ops, NCHW and NHWC.
      Value window = tensor::EmptyOp::create(rewriter, loc, k, et);
      auto create = [&](auto named) -> Operation * {
        return decltype(named)::create(
            rewriter, loc, TypeRange{type}, ValueRange{input, window},
            ValueRange{init}, i64Vector(rewriter, s), i64Vector(rewriter, d));
      };
      rewriter.replaceOp(op, channelsLast ? create(linalg::PoolingNhwcMaxOp())
                                          : create(linalg::PoolingNchwMaxOp()));
      return success();
    }
    int64_t p = 1;
    if constexpr (std::is_same_v<OpTy, LpPoolOp>)
      p = op.getP();
    Value pooled = windowReduce(
        rewriter, loc, input, init, s, d, k,
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          if (isMax)
            return arith::MaximumFOp::create(b, l, acc, x);
          if (isAvg)
            return arith::AddFOp::create(b, l, acc, x);
          Value ax = math::AbsFOp::create(b, l, x);
          Value t = p == 1 ? ax
                    : p == 2
                        ? Value(arith::MulFOp::create(b, l, ax, ax))
                        : Value(math::PowFOp::create(
                              b, l, ax, floatConst(b, l, ax.getType(), p)));
          return arith::AddFOp::create(b, l, acc, t);
        });
    if constexpr (isAvg) {
      // Divide by the window positions that count: inside the input, or
      // inside the explicit pads with count_include_pad (never the ceil_mode
      // overhang), computed here since the spatial dims are static.
      SmallVector<int64_t> outShape(type.getShape().drop_front(2));
      SmallVector<double> counts;
      int64_t total = 1;
      for (int64_t o : outShape)
        total *= o;
      for (int64_t flat = 0; flat < total; ++flat) {
        int64_t rest = flat;
        double count = 1;
        for (int64_t i = sp - 1; i >= 0; --i) {
          int64_t o = rest % outShape[i];
          rest /= outShape[i];
          int64_t lo = op.getCountIncludePad() ? 0 : pads[i];
          int64_t hi = op.getCountIncludePad()
                           ? in.getDimSize(2 + i) + pads[i] + pads[i + sp]
                           : pads[i] + in.getDimSize(2 + i);
          int64_t c = 0;
          for (int64_t j = 0; j < k[i]; ++j) {
            int64_t pos = o * s[i] + j * d[i];
            c += pos >= lo && pos < hi;
          }
          count *= c;
        }
        counts.push_back(count);
      }
      auto countType = RankedTensorType::get(outShape, et);
      SmallVector<Attribute> attrs;
      for (double c : counts)
        attrs.push_back(rewriter.getFloatAttr(et, c));
      Value countTensor = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(countType, attrs));
      pooled = buildElementwise(
          rewriter, loc, type, {pooled, countTensor},
          [](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], a[1]);
          });
    }
    if (std::is_same_v<OpTy, LpPoolOp> && p != 1)
      pooled = buildElementwise(
          rewriter, loc, type, {pooled},
          [&](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
            if (p == 2)
              return math::SqrtOp::create(b, l, a[0]);
            return math::PowFOp::create(b, l, a[0],
                                        floatConst(b, l, t, 1.0 / p));
          });
    rewriter.replaceOp(op, pooled);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Normalization and softmax variants (rewritten into anvil ops)
//===----------------------------------------------------------------------===//

/// Inference batch norm: one linalg.generic reading the per-channel statistics
/// through (n, c, ...) -> (c).
struct BatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto et = type.getElementType();
    if (!isFloat16Plus(et) || type.getRank() < 2)
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

/// (x - mean) / sqrt(var + eps) over `axes` (kept as size 1), in anvil ops;
/// half floats are normalized in f32, as ONNX's stash_type does.
Value normalize(PatternRewriter &rewriter, Location l, Value x,
                ArrayRef<int64_t> axes, float eps, Type &computeType) {
  auto t = cast<RankedTensorType>(x.getType());
  computeType = t.getElementType().getIntOrFloatBitWidth() < 32
                    ? Type(rewriter.getF32Type())
                    : t.getElementType();
  auto ct = t.clone(computeType);
  if (ct != t)
    x = CastOp::create(rewriter, l, ct, x, true);
  auto reducedType = withDimOne(ct, axes);
  auto axesAttr = rewriter.getDenseI64ArrayAttr(axes);
  Value mean = ReduceMeanOp::create(rewriter, l, reducedType, x, Value(),
                                    axesAttr, true, false);
  Value d = SubOp::create(rewriter, l, ct, x, mean);
  Value var = ReduceMeanOp::create(rewriter, l, reducedType,
                                   MulOp::create(rewriter, l, ct, d, d),
                                   Value(), axesAttr, true, false);
  Value std = SqrtOp::create(
      rewriter, l, reducedType,
      AddOp::create(rewriter, l, reducedType, var,
                    scalarConstant(rewriter, l, computeType, eps)));
  return DivOp::create(rewriter, l, ct, d, std);
}

Value castTo(PatternRewriter &rewriter, Location l, Value v, Type et) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == et)
    return v;
  return CastOp::create(rewriter, l, t.clone(et), v, true);
}

struct LayerNormPattern : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (!isFloat16Plus(et))
      return rewriter.notifyMatchFailure(op, "only float layer norm");
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    SmallVector<int64_t> axes;
    for (int64_t d = axis; d < rank; ++d)
      axes.push_back(d);
    Location l = op.getLoc();
    Type ct;
    Value y = normalize(rewriter, l, op.getInput(), axes,
                        op.getEpsilon().convertToFloat(), ct);
    auto yt = type.clone(ct);
    y = MulOp::create(rewriter, l, yt, y,
                      castTo(rewriter, l, op.getScale(), ct));
    if (Value bias = op.getBias())
      y = AddOp::create(rewriter, l, yt, y, castTo(rewriter, l, bias, ct));
    rewriter.replaceOp(op, castTo(rewriter, l, y, et));
    return success();
  }
};

/// Instance norm: normalize over the spatial dims per (n, c), then the
/// per-channel scale and bias (reshaped to [C, 1, ...]).
struct InstanceNormPattern : OpRewritePattern<InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(InstanceNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    if (!isFloat16Plus(et) || rank < 3)
      return rewriter.notifyMatchFailure(op, "only float N-C-spatial input");
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    Location l = op.getLoc();
    Type ct;
    Value y = normalize(rewriter, l, op.getInput(), axes,
                        op.getEpsilon().convertToFloat(), ct);
    auto yt = type.clone(ct);
    auto perChannel = [&](Value v) {
      v = castTo(rewriter, l, v, ct);
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(t.getShape());
      SmallVector<int64_t> newAxes;
      for (int64_t d = 0; d < rank - 2; ++d) {
        shape.push_back(1);
        newAxes.push_back(1 + d);
      }
      return UnsqueezeOp::create(rewriter, l, t.clone(shape), v, Value(),
                                 rewriter.getDenseI64ArrayAttr(newAxes))
          .getResult();
    };
    y = MulOp::create(rewriter, l, yt, y, perChannel(op.getScale()));
    y = AddOp::create(rewriter, l, yt, y, perChannel(op.getBias()));
    rewriter.replaceOp(op, castTo(rewriter, l, y, et));
    return success();
  }
};

/// softmax(x) = exp(x - max(x)) / sum(exp(x - max(x))) along the axis, and
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))), in anvil ops.
template <typename OpTy> struct SoftmaxPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (!isFloat16Plus(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "only float softmax");
    int64_t axis =
        *shape::normalizeAxis(op.getAxis(), type.getRank()); // verified
    auto reducedType = withDimOne(type, {axis});
    Location loc = op.getLoc();
    auto axes = rewriter.getDenseI64ArrayAttr({axis});
    Value max = ReduceMaxOp::create(rewriter, loc, reducedType, op.getInput(),
                                    Value(), axes, true, false);
    Value shifted = SubOp::create(rewriter, loc, type, op.getInput(), max);
    Value e = ExpOp::create(rewriter, loc, type, shifted);
    Value sum = ReduceSumOp::create(rewriter, loc, reducedType, e, Value(),
                                    axes, true, false);
    if constexpr (std::is_same_v<OpTy, LogSoftmaxOp>)
      rewriter.replaceOpWithNewOp<SubOp>(
          op, type, shifted, LogOp::create(rewriter, loc, reducedType, sum));
    else
      rewriter.replaceOpWithNewOp<DivOp>(op, type, e, sum);
    return success();
  }
};

/// Hardmax: 1 at the first maximum along the axis (anvil.arg_max), else 0.
struct HardmaxPattern : OpRewritePattern<HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HardmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (!isFloat16Plus(et))
      return rewriter.notifyMatchFailure(op, "only float hardmax");
    int64_t axis = *shape::normalizeAxis(op.getAxis(), type.getRank());
    Location l = op.getLoc();
    auto idxType = withDimOne(type, {axis}).clone(rewriter.getI64Type());
    Value arg = ArgMaxOp::create(rewriter, l, idxType, op.getInput(), axis,
                                 true, false);
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, l, type, {op.getInput(), arg},
            [&](OpBuilder &b, Location nl, Type t, ValueRange a) -> Value {
              Value i = arith::IndexCastOp::create(
                  b, nl, b.getI64Type(), linalg::IndexOp::create(b, nl, axis));
              Value hit = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq,
                                                i, a[1]);
              return arith::SelectOp::create(b, nl, hit, oneOf(b, nl, t),
                                             zeroOf(b, nl, t));
            }));
    return success();
  }
};

/// LRN: the sum of squares over `size` neighbouring channels (zero padded:
/// floor((size - 1) / 2) before, ceil after) as a window reduction, then
/// x / (bias + alpha / size * sum)^beta.
struct LRNPattern : OpRewritePattern<LRNOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LRNOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    if (!isFloat16Plus(et) || rank < 2)
      return rewriter.notifyMatchFailure(op, "only float N-C-... input");
    Location l = op.getLoc();
    int64_t size = op.getSize();
    Value sq = buildElementwise(
        rewriter, l, type, {op.getInput()},
        [](OpBuilder &b, Location nl, Type, ValueRange a) -> Value {
          return arith::MulFOp::create(b, nl, a[0], a[0]);
        });
    SmallVector<OpFoldResult> lo(rank, rewriter.getIndexAttr(0)), hi = lo;
    lo[1] = rewriter.getIndexAttr((size - 1) / 2);
    hi[1] = rewriter.getIndexAttr(size - 1 - (size - 1) / 2);
    SmallVector<int64_t> padded(type.getShape());
    if (!type.isDynamicDim(1))
      padded[1] += size - 1;
    Value p = tensor::PadOp::create(rewriter, l, type.clone(padded), sq, lo, hi,
                                    zeroOf(rewriter, l, et));
    Value init = filled(rewriter, l, type, dimSizes(rewriter, l, op.getInput()),
                        zeroOf(rewriter, l, et));
    MLIRContext *ctx = rewriter.getContext();
    int64_t n = rank + 1;
    SmallVector<AffineExpr> pExprs, oExprs;
    for (int64_t d = 0; d < rank; ++d) {
      pExprs.push_back(d == 1 ? getAffineDimExpr(1, ctx) +
                                    getAffineDimExpr(rank, ctx)
                              : getAffineDimExpr(d, ctx));
      oExprs.push_back(getAffineDimExpr(d, ctx));
    }
    Value window = tensor::EmptyOp::create(rewriter, l, {size}, et);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value sum =
        linalg::GenericOp::create(
            rewriter, l, TypeRange{type}, ValueRange{p, window},
            ValueRange{init},
            SmallVector<AffineMap>{
                AffineMap::get(n, 0, pExprs, ctx),
                AffineMap::get(n, 0, {getAffineDimExpr(rank, ctx)}, ctx),
                AffineMap::get(n, 0, oExprs, ctx)},
            iterators,
            [](OpBuilder &b, Location nl, ValueRange a) {
              linalg::YieldOp::create(
                  b, nl, ValueRange{arith::AddFOp::create(b, nl, a[2], a[0])});
            })
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble(),
           beta = op.getBeta().convertToDouble(),
           bias = op.getBias().convertToDouble();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, l, type, {op.getInput(), sum},
                [&](OpBuilder &b, Location nl, Type t, ValueRange a) -> Value {
                  Value d = arith::AddFOp::create(
                      b, nl, floatConst(b, nl, t, bias),
                      arith::MulFOp::create(
                          b, nl, floatConst(b, nl, t, alpha / size), a[1]));
                  d = math::PowFOp::create(b, nl, d,
                                           floatConst(b, nl, t, beta));
                  return arith::DivFOp::create(b, nl, a[0], d);
                }));
    return success();
  }
};

/// The subscripts of an einsum term, one label per dim: a letter, or for a
/// dim under `...` 128 + its position among the `ellipsisRank` broadcast dims
/// (right-aligned, as numpy broadcasts). Empty optional for a malformed term.
std::optional<SmallVector<int>> einsumLabels(StringRef term, int64_t rank,
                                             int64_t ellipsisRank) {
  SmallVector<int> labels;
  size_t dots = term.find("...");
  int64_t letters = term.size() - (dots == StringRef::npos ? 0 : 3);
  int64_t own = rank < 0 ? ellipsisRank : rank - letters;
  if (own < 0 || own > ellipsisRank || (dots == StringRef::npos && own != 0))
    return std::nullopt;
  for (size_t i = 0; i < term.size(); ++i) {
    if (i == dots) {
      for (int64_t e = ellipsisRank - own; e < ellipsisRank; ++e)
        labels.push_back(128 + e);
      i += 2;
      continue;
    }
    if (!std::isalpha((unsigned char)term[i]))
      return std::nullopt;
    labels.push_back(term[i]);
  }
  return labels;
}

/// Einsum as one linalg.generic: a loop per distinct label (the output's
/// first, then the summed ones), each input read through its labels (a
/// repeated label reads a diagonal; a static 1 against a larger size is
/// broadcast), the product of the inputs summed into zeros.
struct EinsumPattern : OpRewritePattern<EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EinsumOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (!isFloat16Plus(et) && !(isa<IntegerType>(et) && !et.isInteger(1)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    SmallVector<ArrayRef<int64_t>> shapes;
    for (Value v : op.getInputs())
      shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
    std::string eq, error;
    if (!anvil::shape::einsum(op.getEquation(), shapes, eq, error))
      return rewriter.notifyMatchFailure(op, "malformed equation");
    eq.erase(llvm::remove_if(eq, [](char c) { return c == ' '; }), eq.end());
    size_t arrow = StringRef(eq).find("->");
    if (arrow == StringRef::npos)
      return rewriter.notifyMatchFailure(op, "no explicit output");
    SmallVector<StringRef> terms;
    StringRef(eq).take_front(arrow).split(terms, ',');
    StringRef outTerm = StringRef(eq).drop_front(arrow + 2);
    int64_t ellipsisRank = 0;
    for (auto [term, shape] : llvm::zip(terms, shapes))
      if (term.contains("..."))
        ellipsisRank = std::max<int64_t>(
            ellipsisRank, (int64_t)shape.size() - ((int64_t)term.size() - 3));
    SmallVector<SmallVector<int>> inLabels;
    for (auto [term, shape] : llvm::zip(terms, shapes)) {
      auto labels = einsumLabels(term, shape.size(), ellipsisRank);
      if (!labels)
        return rewriter.notifyMatchFailure(op, "malformed term");
      inLabels.push_back(*labels);
    }
    auto outLabels = einsumLabels(outTerm, -1, ellipsisRank);
    if (!outLabels || (int64_t)outLabels->size() != type.getRank())
      return rewriter.notifyMatchFailure(op, "malformed output term");

    // Loops: the output labels, then the summed ones in order of appearance.
    SmallVector<int> loops(*outLabels);
    for (ArrayRef<int> labels : inLabels)
      for (int label : labels)
        if (!llvm::is_contained(loops, label))
          loops.push_back(label);
    if ((int64_t)llvm::SetVector<int>(loops.begin(), loops.end()).size() !=
        (int64_t)loops.size())
      return rewriter.notifyMatchFailure(op, "repeated output label");
    // The static size of each loop where some input fixes it above 1.
    Location l = op.getLoc();
    int64_t numLoops = loops.size();
    SmallVector<int64_t> loopSize(numLoops, 1);
    SmallVector<OpFoldResult> loopDim(numLoops, rewriter.getIndexAttr(1));
    for (auto [v, labels] : llvm::zip(op.getInputs(), inLabels)) {
      auto t = cast<RankedTensorType>(v.getType());
      for (auto [d, label] : llvm::enumerate(labels)) {
        int64_t loop = llvm::find(loops, label) - loops.begin();
        if (loopSize[loop] != 1 || t.getDimSize(d) == 1)
          continue;
        loopSize[loop] = t.getDimSize(d);
        loopDim[loop] = dimSizes(rewriter, l, v)[d];
      }
    }
    SmallVector<AffineMap> maps;
    SmallVector<Value> inputs;
    for (auto [v, labels] : llvm::zip(op.getInputs(), inLabels)) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<AffineExpr> exprs;
      for (auto [d, label] : llvm::enumerate(labels)) {
        int64_t loop = llvm::find(loops, label) - loops.begin();
        exprs.push_back(t.getDimSize(d) == 1 && loopSize[loop] != 1
                            ? rewriter.getAffineConstantExpr(0)
                            : rewriter.getAffineDimExpr(loop));
      }
      maps.push_back(AffineMap::get(numLoops, 0, exprs, rewriter.getContext()));
      inputs.push_back(toSignless(rewriter, l, v));
    }
    int64_t outRank = type.getRank();
    maps.push_back(leadingDimsMap(numLoops, outRank, rewriter.getContext()));
    SmallVector<utils::IteratorType> iterators(outRank,
                                               utils::IteratorType::parallel);
    iterators.append(numLoops - outRank, utils::IteratorType::reduction);
    Type ct = signlessOf(et);
    auto computeType = type.clone(ct);
    Value init = filled(rewriter, l, computeType,
                        ArrayRef<OpFoldResult>(loopDim).take_front(outRank),
                        zeroOf(rewriter, l, ct));
    bool isFloat = isa<FloatType>(ct);
    Value result =
        linalg::GenericOp::create(
            rewriter, l, TypeRange{computeType}, inputs, ValueRange{init}, maps,
            iterators,
            [&](OpBuilder &b, Location nl, ValueRange a) {
              Value p = a[0];
              for (Value x : a.drop_front().drop_back())
                p = isFloat ? Value(arith::MulFOp::create(b, nl, p, x))
                            : Value(arith::MulIOp::create(b, nl, p, x));
              Value acc = a.back();
              linalg::YieldOp::create(
                  b, nl,
                  isFloat ? Value(arith::AddFOp::create(b, nl, acc, p))
                          : Value(arith::AddIOp::create(b, nl, acc, p)));
            })
            .getResult(0);
    rewriter.replaceOp(op, bitcastTo(rewriter, l, result, type));
    return success();
  }
};

} // namespace

void anvil::lowering::populateNNPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, EinsumPattern, GemmPattern, ConvPattern,
               ConvTransposePattern, PoolPattern<MaxPoolOp>,
               PoolPattern<AvgPoolOp>, PoolPattern<LpPoolOp>, BatchNormPattern,
               LayerNormPattern, InstanceNormPattern, SoftmaxPattern<SoftmaxOp>,
               SoftmaxPattern<LogSoftmaxOp>, HardmaxPattern, LRNPattern>(
      patterns.getContext());
}

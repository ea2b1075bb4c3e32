//===- Tensor.cpp - Data-movement anvil ops → tensor/linalg ---------------===//
//
// Reshapes become tensor.collapse_shape/expand_shape, concatenation
// tensor.concat, slices tensor.extract_slice, padding tensor.pad; gathers and
// index-driven copies are linalg.generic ops that tensor.extract their source;
// scatters are generics over the result that reduce over the updates.
// Every result size comes from tensor.dim and constants (through
// evaluateShapeVector for sizes given as tensors), never from tensor data.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

/// Index arithmetic on sizes that folds when the operands are constants.
struct IndexMath {
  OpBuilder &b;
  Location l;

  OpFoldResult c(int64_t v) { return b.getIndexAttr(v); }
  Value v(OpFoldResult x) { return toIndex(b, l, x); }

  template <typename ArithOp>
  OpFoldResult apply(OpFoldResult x, OpFoldResult y,
                     function_ref<int64_t(int64_t, int64_t)> fold) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx && cy)
      return c(fold(*cx, *cy));
    return ArithOp::create(b, l, v(x), v(y)).getResult();
  }
  OpFoldResult add(OpFoldResult x, OpFoldResult y) {
    return apply<arith::AddIOp>(x, y,
                                [](int64_t p, int64_t q) { return p + q; });
  }
  OpFoldResult sub(OpFoldResult x, OpFoldResult y) {
    return apply<arith::SubIOp>(x, y,
                                [](int64_t p, int64_t q) { return p - q; });
  }
  OpFoldResult mul(OpFoldResult x, OpFoldResult y) {
    return apply<arith::MulIOp>(x, y,
                                [](int64_t p, int64_t q) { return p * q; });
  }
  OpFoldResult min(OpFoldResult x, OpFoldResult y) {
    return apply<arith::MinSIOp>(
        x, y, [](int64_t p, int64_t q) { return std::min(p, q); });
  }
  OpFoldResult max(OpFoldResult x, OpFoldResult y) {
    return apply<arith::MaxSIOp>(
        x, y, [](int64_t p, int64_t q) { return std::max(p, q); });
  }
  /// ceil(x / y) for y > 0.
  OpFoldResult ceilDiv(OpFoldResult x, OpFoldResult y) {
    return apply<arith::CeilDivSIOp>(x, y, [](int64_t p, int64_t q) {
      return p >= 0 ? (p + q - 1) / q : -((-p) / q);
    });
  }
  OpFoldResult clamp(OpFoldResult x, OpFoldResult lo, OpFoldResult hi) {
    return min(max(x, lo), hi);
  }
  /// x < 0 ? x + n : x (ONNX's negative indices).
  OpFoldResult wrapNegative(OpFoldResult x, OpFoldResult n) {
    if (auto cx = getConstantIntValue(x))
      return *cx < 0 ? add(x, n) : x;
    Value xv = v(x);
    Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, xv,
                                      indexConst(b, l, 0));
    return arith::SelectOp::create(b, l, neg, v(add(x, n)), xv).getResult();
  }
};

/// An index read from tensor data (an element of Gather's indices): to index,
/// negative values wrap, and it is clamped into [0, n) so that a bad index
/// cannot read out of bounds.
Value dataIndex(OpBuilder &b, Location l, Value i, Value n) {
  if (!i.getType().isIndex())
    i = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
  Value zero = indexConst(b, l, 0);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, n), i);
  Value last = arith::SubIOp::create(b, l, n, indexConst(b, l, 1));
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, i, zero),
                                last);
}

/// The offset of a slice of `size` elements: 0 for an empty slice, whose
/// clamped offset may equal the dim, which tensor.extract_slice's verifier
/// rejects for static offsets even though nothing is read.
OpFoldResult sliceOffset(OpBuilder &b, OpFoldResult offset, OpFoldResult size) {
  return getConstantIntValue(size) == 0 ? b.getIndexAttr(0) : offset;
}

/// The one element of a 0-D or single-element tensor.
Value extractScalar(OpBuilder &b, Location l, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(), indexConst(b, l, 0));
  return tensor::ExtractOp::create(b, l, t, zeros);
}

/// Sizes of `type` where static, else `dynamic[d]`.
SmallVector<OpFoldResult> mixSizes(OpBuilder &b, RankedTensorType type,
                                   ArrayRef<OpFoldResult> dynamic) {
  SmallVector<OpFoldResult> out;
  for (int64_t d = 0; d < type.getRank(); ++d)
    out.push_back(type.isDynamicDim(d) ? dynamic[d]
                                       : b.getIndexAttr(type.getDimSize(d)));
  return out;
}

/// The elements of a size/index vector operand: constants, or read
/// symbolically from its shape sub-graph.
FailureOr<SmallVector<OpFoldResult>> sizeVector(OpBuilder &b, Location l,
                                                Value v) {
  return evaluateShapeVector(b, l, v);
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

/// A shape that did not fold is built from tensor.dim.
struct ShapePattern : OpRewritePattern<ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShapeOp op,
                                PatternRewriter &rewriter) const override {
    auto dims = sizeVector(rewriter, op.getLoc(), op.getResult());
    if (failed(dims))
      return rewriter.notifyMatchFailure(op, "shape bounds out of range");
    SmallVector<Value> elems;
    for (OpFoldResult d : *dims)
      elems.push_back(arith::IndexCastOp::create(
          rewriter, op.getLoc(), rewriter.getI64Type(),
          toIndex(rewriter, op.getLoc(), d)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(),
                                                        elems);
    return success();
  }
};

struct SizePattern : OpRewritePattern<SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SizeOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    Value n = arith::IndexCastOp::create(
        rewriter, l, rewriter.getI64Type(),
        toIndex(rewriter, l, numElements(rewriter, l, op.getInput())));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(),
                                                        ValueRange{n});
    return success();
  }
};

/// Reshape: a single dynamic result dim is the element count over the static
/// ones (it needs no shape data); several come from the shape sub-graph.
struct ReshapePattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location l = op.getLoc();
    int64_t numDynamic = llvm::count(type.getShape(), ShapedType::kDynamic);
    int64_t staticProduct = 1;
    for (int64_t d : type.getShape())
      if (!ShapedType::isDynamic(d))
        staticProduct *= d;
    SmallVector<OpFoldResult> sizes;
    if (numDynamic == 0 || (numDynamic == 1 && staticProduct != 0)) {
      IndexMath m{rewriter, l};
      OpFoldResult count = numElements(rewriter, l, op.getInput());
      for (int64_t d : type.getShape())
        sizes.push_back(ShapedType::isDynamic(d)
                            ? divSizes(rewriter, l, count,
                                       rewriter.getIndexAttr(staticProduct))
                            : m.c(d));
    } else {
      auto target = sizeVector(rewriter, l, op.getShape());
      if (failed(target))
        return rewriter.notifyMatchFailure(
            op, "several dynamic dims and a shape computed from tensor data");
      auto inSizes = dimSizes(rewriter, l, op.getInput());
      // 0 copies the input dim (unless allowzero); -1 is the type's `?`.
      for (auto [d, s] : llvm::enumerate(*target)) {
        auto c = getConstantIntValue(s);
        if (c == 0 && !op.getAllowzero() && d < inSizes.size())
          s = inSizes[d];
        if (c == -1 || (!c && !type.isDynamicDim(d)))
          s = rewriter.getIndexAttr(type.getDimSize(d));
        sizes.push_back(s);
      }
      if (llvm::any_of(sizes, [](OpFoldResult s) {
            return getConstantIntValue(s) == ShapedType::kDynamic;
          }))
        return rewriter.notifyMatchFailure(op, "-1 with several dynamic dims");
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, l, op.getInput(), type,
                                     mixSizes(rewriter, type, sizes)));
    return success();
  }
};

/// Reshapes whose sizes follow from the input's dims: flatten, squeeze,
/// unsqueeze.
template <typename OpTy> struct DimReshapePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto in = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<OpFoldResult> inSizes = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> sizes;
    if constexpr (std::is_same_v<OpTy, FlattenOp>) {
      int64_t axis =
          op.getAxis() < 0 ? op.getAxis() + in.getRank() : op.getAxis();
      OpFoldResult front = rewriter.getIndexAttr(1),
                   back = rewriter.getIndexAttr(1);
      for (int64_t d = 0; d < in.getRank(); ++d)
        (d < axis ? front : back) =
            mulSizes(rewriter, l, d < axis ? front : back, inSizes[d]);
      sizes = {front, back};
    } else {
      // Squeeze drops, unsqueeze inserts, only size-1 dims: the other dims
      // keep their order.
      SmallVector<OpFoldResult> kept;
      for (int64_t d = 0; d < in.getRank(); ++d)
        if (in.getDimSize(d) != 1)
          kept.push_back(inSizes[d]);
      size_t k = 0;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (type.getDimSize(d) == 1) {
          sizes.push_back(rewriter.getIndexAttr(1));
          continue;
        }
        if (k == kept.size())
          return rewriter.notifyMatchFailure(op, "dims do not line up");
        sizes.push_back(kept[k++]);
      }
      if (k != kept.size())
        return rewriter.notifyMatchFailure(op, "dims do not line up");
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, l, op.getInput(), type, sizes));
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

struct ConcatPattern : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t axis =
        op.getAxis() < 0 ? op.getAxis() + type.getRank() : op.getAxis();
    if (type.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "0-D concat");
    // Statically empty pieces are dropped: their insert_slice would have a
    // static offset equal to the dim, which its verifier rejects.
    SmallVector<Value> inputs;
    for (Value in : op.getInputs())
      if (cast<RankedTensorType>(in.getType()).getDimSize(axis) != 0)
        inputs.push_back(in);
    if (inputs.empty())
      inputs.push_back(op.getInputs()[0]);
    Value c =
        inputs.size() == 1
            ? inputs[0]
            : tensor::ConcatOp::create(rewriter, op.getLoc(), axis, inputs);
    if (c.getType() != type)
      c = tensor::CastOp::create(rewriter, op.getLoc(), type, c);
    rewriter.replaceOp(op, c);
    return success();
  }
};

/// Split: one extract_slice per piece, at offsets summed from the sizes.
struct SplitPattern : OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    int64_t axis =
        op.getAxis() < 0 ? op.getAxis() + in.getRank() : op.getAxis();
    SmallVector<OpFoldResult> pieces;
    if (Value dyn = op.getDynamicSizes()) {
      auto s = sizeVector(rewriter, l, dyn);
      if (failed(s))
        return rewriter.notifyMatchFailure(op, "sizes come from tensor data");
      pieces = *s;
    } else if (!op.getSizes().empty()) {
      for (int64_t s : op.getSizes())
        pieces.push_back(rewriter.getIndexAttr(s));
    } else {
      for (Value r : op.getResults()) {
        auto t = cast<RankedTensorType>(r.getType());
        if (t.isDynamicDim(axis))
          return rewriter.notifyMatchFailure(op, "piece sizes unknown");
        pieces.push_back(rewriter.getIndexAttr(t.getDimSize(axis)));
      }
    }
    if (pieces.size() != op.getNumResults())
      return rewriter.notifyMatchFailure(op, "one size per piece expected");
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> offsets(in.getRank(), rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(in.getRank(), rewriter.getIndexAttr(1));
    SmallVector<Value> results;
    for (auto [r, piece] : llvm::zip(op.getResults(), pieces)) {
      auto t = cast<RankedTensorType>(r.getType());
      sizes[axis] = piece;
      SmallVector<OpFoldResult> at = offsets;
      at[axis] = sliceOffset(rewriter, offsets[axis], piece);
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, l, t, op.getInput(), at, mixSizes(rewriter, t, sizes),
          strides));
      offsets[axis] = addSizes(rewriter, l, offsets[axis], piece);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Slice with bounds that are constants or shape arithmetic: ONNX's clamping
/// in index arithmetic, then tensor.extract_slice (positive steps) or a
/// generic reading backwards (negative steps).
struct SlicePattern : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    auto type = op.getType();
    int64_t rank = in.getRank();
    auto axes = constantInts(op.getAxes());
    auto steps = constantInts(op.getSteps());
    if (!axes || !steps)
      return rewriter.notifyMatchFailure(op, "axes and steps must be constant");
    if (llvm::is_contained(*steps, 0))
      return rewriter.notifyMatchFailure(op, "zero step");
    if (!canEvaluateShapeVector(op.getStarts()) ||
        !canEvaluateShapeVector(op.getEnds()))
      return rewriter.notifyMatchFailure(op, "bounds come from tensor data");
    int64_t n = axes->size();
    if (op.getStarts().getType().getNumElements() != n ||
        op.getEnds().getType().getNumElements() != n ||
        (int64_t)steps->size() != n)
      return rewriter.notifyMatchFailure(op, "bound vectors differ in length");
    auto starts = sizeVector(rewriter, l, op.getStarts());
    auto ends = sizeVector(rewriter, l, op.getEnds());
    IndexMath m{rewriter, l};
    SmallVector<OpFoldResult> dims = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> offsets(rank, m.c(0)), sizes = dims;
    SmallVector<int64_t> stepOf(rank, 1);
    for (auto [i, axisV] : llvm::enumerate(*axes)) {
      int64_t axis = axisV < 0 ? axisV + rank : axisV;
      int64_t step = (*steps)[i];
      OpFoldResult n = dims[axis];
      OpFoldResult start = m.wrapNegative((*starts)[i], n);
      OpFoldResult end = m.wrapNegative((*ends)[i], n);
      stepOf[axis] = step;
      if (step > 0) {
        start = m.clamp(start, m.c(0), n);
        end = m.clamp(end, m.c(0), n);
        sizes[axis] = m.max(m.ceilDiv(m.sub(end, start), m.c(step)), m.c(0));
      } else {
        OpFoldResult last = m.sub(n, m.c(1));
        start = m.clamp(start, m.c(0), last);
        end = m.clamp(end, m.c(-1), last);
        sizes[axis] = m.max(m.ceilDiv(m.sub(start, end), m.c(-step)), m.c(0));
      }
      offsets[axis] = sliceOffset(rewriter, start, sizes[axis]);
    }
    SmallVector<OpFoldResult> outSizes = mixSizes(rewriter, type, sizes);
    if (llvm::all_of(stepOf, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> strides;
      for (int64_t s : stepOf)
        strides.push_back(m.c(s));
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, op.getInput(), offsets, outSizes, strides);
      return success();
    }
    SmallVector<Value> offsetValues;
    for (OpFoldResult o : offsets)
      offsetValues.push_back(m.v(o));
    Value input = op.getInput();
    rewriter.replaceOp(
        op, buildIndexGeneric(
                rewriter, l, type, outSizes,
                [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
                  SmallVector<Value> at;
                  for (int64_t d = 0; d < rank; ++d)
                    at.push_back(arith::AddIOp::create(
                        b, nl, offsetValues[d],
                        arith::MulIOp::create(b, nl, ivs[d],
                                              indexConst(b, nl, stepOf[d]))));
                  return tensor::ExtractOp::create(b, nl, input, at);
                }));
    return success();
  }
};

/// Gather: out[pre, idx..., post] = in[pre, indices[idx...], post].
struct GatherPattern : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    auto idxType = op.getIndices().getType();
    auto type = op.getType();
    int64_t axis =
        op.getAxis() < 0 ? op.getAxis() + in.getRank() : op.getAxis();
    int64_t q = idxType.getRank();
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> idxDims = dimSizes(rewriter, l, op.getIndices());
    SmallVector<OpFoldResult> sizes(inDims.begin(), inDims.begin() + axis);
    sizes.append(idxDims);
    sizes.append(inDims.begin() + axis + 1, inDims.end());
    auto computeType = type.clone(signlessOf(type.getElementType()));
    Value input = toSignless(rewriter, l, op.getInput());
    Value init = emptyOfSizes(rewriter, l, computeType, sizes);
    Value n = toIndex(rewriter, l, inDims[axis]);
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < q; ++d)
      idxExprs.push_back(rewriter.getAffineDimExpr(axis + d));
    int64_t rank = type.getRank();
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{computeType}, ValueRange{op.getIndices()},
        ValueRange{init},
        SmallVector<AffineMap>{
            AffineMap::get(rank, 0, idxExprs, rewriter.getContext()),
            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange a) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, nl, d));
          at.push_back(dataIndex(b, nl, a[0], n));
          for (int64_t d = axis + 1; d < in.getRank(); ++d)
            at.push_back(linalg::IndexOp::create(b, nl, d - 1 + q));
          linalg::YieldOp::create(
              b, nl, ValueRange{tensor::ExtractOp::create(b, nl, input, at)});
        });
    rewriter.replaceOp(op, bitcastTo(rewriter, l, generic.getResult(0), type));
    return success();
  }
};

/// GatherElements: out[i] = in[i with i[axis] = indices[i]].
struct GatherElementsPattern : OpRewritePattern<GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    auto type = op.getType();
    int64_t rank = in.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    auto computeType = type.clone(signlessOf(type.getElementType()));
    Value input = toSignless(rewriter, l, op.getInput());
    Value init = emptyOfSizes(rewriter, l, computeType,
                              dimSizes(rewriter, l, op.getIndices()));
    Value n = tensor::DimOp::create(rewriter, l, op.getInput(), axis);
    auto id = rewriter.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{computeType}, ValueRange{op.getIndices()},
        ValueRange{init}, SmallVector<AffineMap>{id, id},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange a) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis ? dataIndex(b, nl, a[0], n)
                                   : linalg::IndexOp::create(b, nl, d));
          linalg::YieldOp::create(
              b, nl, ValueRange{tensor::ExtractOp::create(b, nl, input, at)});
        });
    rewriter.replaceOp(op, bitcastTo(rewriter, l, generic.getResult(0), type));
    return success();
  }
};

/// GatherND: out[b, i, rest] = in[b, indices[b, i, :], rest].
struct GatherNDPattern : OpRewritePattern<GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherNDOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto idx = op.getIndices().getType();
    auto type = op.getType();
    int64_t batch = op.getBatchDims();
    int64_t tuple = idx.getDimSize(idx.getRank() - 1);
    if (ShapedType::isDynamic(tuple))
      return rewriter.notifyMatchFailure(op, "index tuple length is dynamic");
    int64_t outer = idx.getRank() - 1; // result dims taken from indices
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> idxDims = dimSizes(rewriter, l, op.getIndices());
    SmallVector<OpFoldResult> sizes(idxDims.begin(), idxDims.end() - 1);
    sizes.append(inDims.begin() + batch + tuple, inDims.end());
    Value input = toSignless(rewriter, l, op.getInput());
    Value indices = op.getIndices();
    SmallVector<Value> inDimValues;
    for (OpFoldResult d : inDims)
      inDimValues.push_back(toIndex(rewriter, l, d));
    Value result = buildIndexGeneric(
        rewriter, l, type, sizes,
        [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
          SmallVector<Value> at(ivs.begin(), ivs.begin() + batch);
          SmallVector<Value> idxAt(ivs.begin(), ivs.begin() + outer);
          idxAt.push_back(Value());
          for (int64_t t = 0; t < tuple; ++t) {
            idxAt.back() = indexConst(b, nl, t);
            Value i = tensor::ExtractOp::create(b, nl, indices, idxAt);
            at.push_back(dataIndex(b, nl, i, inDimValues[batch + t]));
          }
          at.append(ivs.begin() + outer, ivs.end());
          return tensor::ExtractOp::create(b, nl, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Expand: a broadcasting copy. The result's dims are the input's where it is
/// not a static 1 (a dynamic input dim is taken to match), else the target's.
struct ExpandPattern : OpRewritePattern<ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    auto in = op.getInput().getType();
    int64_t offset = type.getRank() - in.getRank();
    SmallVector<OpFoldResult> sizes(type.getRank());
    bool needTarget = false;
    for (int64_t d = 0; d < type.getRank(); ++d)
      needTarget |= type.isDynamicDim(d) &&
                    (d < offset || in.getDimSize(d - offset) == 1);
    SmallVector<OpFoldResult> target;
    if (needTarget) {
      auto t = sizeVector(rewriter, l, op.getShape());
      if (failed(t) || (int64_t)t->size() > type.getRank())
        return rewriter.notifyMatchFailure(op, "target shape from tensor data");
      target.assign(type.getRank() - t->size(), rewriter.getIndexAttr(1));
      target.append(*t);
    }
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, op.getInput());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        sizes[d] = rewriter.getIndexAttr(type.getDimSize(d));
      else if (d >= offset && in.getDimSize(d - offset) != 1)
        sizes[d] = inDims[d - offset];
      else
        sizes[d] = target[d];
    }
    auto computeType = type.clone(signlessOf(type.getElementType()));
    Value input = toSignless(rewriter, l, op.getInput());
    Value init = emptyOfSizes(rewriter, l, computeType, sizes);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{computeType}, ValueRange{input},
        ValueRange{init},
        SmallVector<AffineMap>{broadcastMap(in, type, rewriter.getContext()),
                               rewriter.getMultiDimIdentityMap(type.getRank())},
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [](OpBuilder &b, Location nl, ValueRange a) {
          linalg::YieldOp::create(b, nl, a[0]);
        });
    rewriter.replaceOp(op, bitcastTo(rewriter, l, generic.getResult(0), type));
    return success();
  }
};

/// Tile: broadcast [d0, d1, ...] to [r0, d0, r1, d1, ...], then collapse each
/// (r, d) pair.
struct TilePattern : OpRewritePattern<TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TileOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    auto type = op.getType();
    int64_t rank = in.getRank();
    auto repeats = sizeVector(rewriter, l, op.getRepeats());
    if (failed(repeats) || (int64_t)repeats->size() != rank)
      return rewriter.notifyMatchFailure(op, "repeats come from tensor data");
    if (rank == 0) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> sizes;
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> exprs;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      auto r = getConstantIntValue((*repeats)[d]);
      shape.push_back(r ? *r : ShapedType::kDynamic);
      shape.push_back(in.getDimSize(d));
      sizes.push_back((*repeats)[d]);
      sizes.push_back(inDims[d]);
      exprs.push_back(rewriter.getAffineDimExpr(2 * d + 1));
      groups.push_back({2 * d, 2 * d + 1});
    }
    Type et = signlessOf(type.getElementType());
    auto wide = RankedTensorType::get(shape, et);
    Value input = toSignless(rewriter, l, op.getInput());
    Value init = emptyOfSizes(rewriter, l, wide, sizes);
    Value copied =
        linalg::GenericOp::create(
            rewriter, l, TypeRange{wide}, ValueRange{input}, ValueRange{init},
            SmallVector<AffineMap>{
                AffineMap::get(2 * rank, 0, exprs, rewriter.getContext()),
                rewriter.getMultiDimIdentityMap(2 * rank)},
            SmallVector<utils::IteratorType>(2 * rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &b, Location nl, ValueRange a) {
              linalg::YieldOp::create(b, nl, a[0]);
            })
            .getResult(0);
    Value result = tensor::CollapseShapeOp::create(rewriter, l, copied, groups);
    auto computeType = type.clone(et);
    if (result.getType() != computeType)
      result = tensor::CastOp::create(rewriter, l, computeType, result);
    rewriter.replaceOp(op, bitcastTo(rewriter, l, result, type));
    return success();
  }
};

/// Pad: constant mode with non-negative pads is tensor.pad; other modes (and
/// crops) read the source through an index map in a generic.
struct PadPattern : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    auto type = op.getType();
    int64_t rank = in.getRank();
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge" &&
        mode != "wrap")
      return rewriter.notifyMatchFailure(op, "unknown mode");
    SmallVector<int64_t> axes;
    if (Value a = op.getAxes()) {
      auto c = constantInts(a);
      if (!c)
        return rewriter.notifyMatchFailure(op, "axes must be constant");
      for (int64_t x : *c)
        axes.push_back(x < 0 ? x + rank : x);
    } else {
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    }
    auto pads = sizeVector(rewriter, l, op.getPads());
    if (failed(pads) || pads->size() != 2 * axes.size())
      return rewriter.notifyMatchFailure(op, "pads come from tensor data");
    IndexMath m{rewriter, l};
    SmallVector<OpFoldResult> lo(rank, m.c(0)), hi(rank, m.c(0));
    for (auto [i, axis] : llvm::enumerate(axes)) {
      lo[axis] = (*pads)[i];
      hi[axis] = (*pads)[i + axes.size()];
    }
    bool nonNegative =
        llvm::all_of(llvm::concat<OpFoldResult>(lo, hi), [](OpFoldResult p) {
          auto c = getConstantIntValue(p);
          return c && *c >= 0;
        });
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(m.add(m.add(inDims[d], lo[d]), hi[d]));
    sizes = mixSizes(rewriter, type, sizes);
    Type et = signlessOf(type.getElementType());
    Value input = toSignless(rewriter, l, op.getInput());
    Value padValue;
    if (mode == "constant")
      padValue = op.getValue()
                     ? extractScalar(rewriter, l,
                                     toSignless(rewriter, l, op.getValue()))
                     : zeroOf(rewriter, l, et);
    if (mode == "constant" && nonNegative) {
      // tensor.pad insists on the type it infers (static where the input
      // and pads are); a cast gives the op's (possibly less static) type.
      Value padded =
          tensor::PadOp::create(rewriter, l, Type(), input, lo, hi, padValue);
      if (padded.getType() != type.clone(et))
        padded = tensor::CastOp::create(rewriter, l, type.clone(et), padded);
      rewriter.replaceOp(op, bitcastTo(rewriter, l, padded, type));
      return success();
    }
    SmallVector<Value> loV, nV;
    for (int64_t d = 0; d < rank; ++d) {
      loV.push_back(m.v(lo[d]));
      nV.push_back(m.v(inDims[d]));
    }
    Value result = buildIndexGeneric(
        rewriter, l, type, sizes,
        [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
          Value zero = indexConst(b, nl, 0), one = indexConst(b, nl, 1);
          Value inside = arith::ConstantIntOp::create(b, nl, 1, 1);
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value j = arith::SubIOp::create(b, nl, ivs[d], loV[d]);
            Value n = nV[d];
            Value last = arith::SubIOp::create(b, nl, n, one);
            auto lt = [&](Value x, Value y) {
              return arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, x,
                                           y);
            };
            if (mode == "constant") {
              inside = arith::AndIOp::create(
                  b, nl, inside,
                  arith::AndIOp::create(
                      b, nl,
                      arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, j,
                                            zero),
                      lt(j, n)));
              j = arith::MinSIOp::create(
                  b, nl, arith::MaxSIOp::create(b, nl, j, zero), last);
            } else if (mode == "edge") {
              j = arith::MinSIOp::create(
                  b, nl, arith::MaxSIOp::create(b, nl, j, zero), last);
            } else if (mode == "wrap") {
              Value r = arith::RemSIOp::create(b, nl, j, n);
              j = arith::SelectOp::create(
                  b, nl, lt(r, zero), arith::AddIOp::create(b, nl, r, n), r);
            } else {
              // Reflect about the edges (without repeating them): period
              // 2(n - 1), folded into [0, n - 1].
              Value period =
                  arith::MulIOp::create(b, nl, last, indexConst(b, nl, 2));
              Value safePeriod = arith::MaxSIOp::create(b, nl, period, one);
              Value r = arith::RemSIOp::create(b, nl, j, safePeriod);
              r = arith::SelectOp::create(
                  b, nl, lt(r, zero),
                  arith::AddIOp::create(b, nl, r, safePeriod), r);
              r = arith::SelectOp::create(
                  b, nl, lt(last, r), arith::SubIOp::create(b, nl, period, r),
                  r);
              j = arith::MinSIOp::create(
                  b, nl, arith::MaxSIOp::create(b, nl, r, zero), last);
            }
            at.push_back(j);
          }
          Value v = tensor::ExtractOp::create(b, nl, input, at);
          return padValue ? Value(arith::SelectOp::create(b, nl, inside, v,
                                                          padValue))
                          : v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// DepthToSpace / SpaceToDepth: expand, transpose, collapse (ONNX's
/// definition as reshapes and a transpose).
template <typename OpTy> struct BlockShufflePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool toSpace = std::is_same_v<OpTy, DepthToSpaceOp>;
    Location l = op.getLoc();
    auto in = op.getInput().getType();
    int64_t bs = op.getBlocksize();
    int64_t c = in.getDimSize(1);
    if (ShapedType::isDynamic(c))
      return rewriter.notifyMatchFailure(op, "channels must be static");
    SmallVector<OpFoldResult> d = dimSizes(rewriter, l, op.getInput());
    IndexMath m{rewriter, l};
    auto b = m.c(bs);
    SmallVector<OpFoldResult> wide;
    SmallVector<int64_t> perm;
    SmallVector<ReassociationIndices> expandGroups, collapseGroups;
    bool crd = false;
    if constexpr (toSpace)
      crd = op.getMode() == "CRD";
    if (toSpace) {
      OpFoldResult cc = m.c(c / (bs * bs));
      if (crd) {
        wide = {d[0], cc, b, b, d[2], d[3]};
        perm = {0, 1, 4, 2, 5, 3};
        expandGroups = {{0}, {1, 2, 3}, {4}, {5}};
      } else {
        wide = {d[0], b, b, cc, d[2], d[3]};
        perm = {0, 3, 4, 1, 5, 2};
        expandGroups = {{0}, {1, 2, 3}, {4}, {5}};
      }
      collapseGroups = {{0}, {1}, {2, 3}, {4, 5}};
    } else {
      wide = {d[0],
              d[1],
              divSizes(rewriter, l, d[2], b),
              b,
              divSizes(rewriter, l, d[3], b),
              b};
      perm = {0, 3, 5, 1, 2, 4};
      expandGroups = {{0}, {1}, {2, 3}, {4, 5}};
      collapseGroups = {{0}, {1, 2, 3}, {4}, {5}};
    }
    SmallVector<int64_t> wideShape;
    for (OpFoldResult s : wide) {
      auto cs = getConstantIntValue(s);
      wideShape.push_back(cs ? *cs : ShapedType::kDynamic);
    }
    Type et = in.getElementType();
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, l, RankedTensorType::get(wideShape, et), op.getInput(),
        expandGroups, wide);
    SmallVector<OpFoldResult> permuted;
    SmallVector<int64_t> permutedShape;
    for (int64_t p : perm) {
      permuted.push_back(wide[p]);
      permutedShape.push_back(wideShape[p]);
    }
    Value init = emptyOfSizes(
        rewriter, l, RankedTensorType::get(permutedShape, et), permuted);
    Value t = linalg::TransposeOp::create(rewriter, l, expanded, init, perm)
                  ->getResult(0);
    Value result =
        tensor::CollapseShapeOp::create(rewriter, l, t, collapseGroups);
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, l, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Trilu: keeps elements with j - i >= k (upper) or <= k (lower) in the last
/// two dims; a run-time k is read from its tensor.
struct TriluPattern : OpRewritePattern<TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TriluOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "needs at least 2 dims");
    Value k = op.getDynamicK()
                  ? extractScalar(rewriter, l, op.getDynamicK())
                  : intConst(rewriter, l, rewriter.getI64Type(), op.getK());
    bool upper = op.getUpper();
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, l, type, {op.getInput()},
            [&](OpBuilder &b, Location nl, Type t, ValueRange a) -> Value {
              Value i = linalg::IndexOp::create(b, nl, rank - 2);
              Value j = linalg::IndexOp::create(b, nl, rank - 1);
              Value diff = arith::IndexCastOp::create(
                  b, nl, b.getI64Type(), arith::SubIOp::create(b, nl, j, i));
              Value keep = arith::CmpIOp::create(
                  b, nl,
                  upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
                  diff, k);
              return arith::SelectOp::create(b, nl, keep, a[0],
                                             zeroOf(b, nl, t));
            }));
    return success();
  }
};

/// CumSum/CumProd as a reduction over a second copy of the axis (j <= i, or
/// j < i when exclusive; reversed with reverse). Quadratic in the axis
/// length, but a plain linalg.generic.
template <typename OpTy> struct CumulativePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isSum = std::is_same_v<OpTy, CumSumOp>;
    Location l = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    bool isFloat = isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16;
    if (!isFloat && !(isa<IntegerType>(et) && !et.isInteger(1)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (Value dyn = op.getDynamicAxis()) {
      auto c = constantInts(dyn);
      if (!c || c->size() != 1)
        return rewriter.notifyMatchFailure(op, "axis is not a constant");
      axis = (*c)[0];
    }
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Value input = toSignless(rewriter, l, op.getInput());
    auto computeType = type.clone(signlessOf(et));
    Type ct = computeType.getElementType();
    Value identity = isSum     ? zeroOf(rewriter, l, ct)
                     : isFloat ? oneOf(rewriter, l, ct)
                               : intConst(rewriter, l, ct, 1);
    Value init = filled(rewriter, l, computeType,
                        dimSizes(rewriter, l, op.getInput()), identity);
    // Iteration dims: the result's, then j (the source position on the axis).
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      inExprs.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
      outExprs.push_back(rewriter.getAffineDimExpr(d));
    }
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{computeType}, ValueRange{input},
        ValueRange{init},
        SmallVector<AffineMap>{
            AffineMap::get(rank + 1, 0, inExprs, rewriter.getContext()),
            AffineMap::get(rank + 1, 0, outExprs, rewriter.getContext())},
        iterators, [&](OpBuilder &b, Location nl, ValueRange a) {
          Value i = linalg::IndexOp::create(b, nl, axis);
          Value j = linalg::IndexOp::create(b, nl, rank);
          using P = arith::CmpIPredicate;
          P p = reverse ? (exclusive ? P::sgt : P::sge)
                        : (exclusive ? P::slt : P::sle);
          Value in = arith::CmpIOp::create(b, nl, p, j, i);
          Value combined =
              isFloat
                  ? (isSum ? Value(arith::AddFOp::create(b, nl, a[1], a[0]))
                           : Value(arith::MulFOp::create(b, nl, a[1], a[0])))
                  : (isSum ? Value(arith::AddIOp::create(b, nl, a[1], a[0]))
                           : Value(arith::MulIOp::create(b, nl, a[1], a[0])));
          linalg::YieldOp::create(
              b, nl,
              ValueRange{arith::SelectOp::create(b, nl, in, combined, a[1])});
        });
    rewriter.replaceOp(op, bitcastTo(rewriter, l, generic.getResult(0), type));
    return success();
  }
};

struct ConstantOfShapePattern : OpRewritePattern<ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOfShapeOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value || value.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "value must be one dense element");
    SmallVector<OpFoldResult> sizes;
    if (!type.hasStaticShape()) {
      auto s = sizeVector(rewriter, l, op.getShape());
      if (failed(s) || (int64_t)s->size() != type.getRank())
        return rewriter.notifyMatchFailure(op, "shape comes from tensor data");
      sizes = *s;
    }
    sizes = mixSizes(rewriter, type, sizes);
    Type et = signlessOf(type.getElementType());
    Attribute scalar = value.getValues<Attribute>()[0];
    if (auto i = dyn_cast<IntegerAttr>(scalar))
      scalar = IntegerAttr::get(et, i.getValue());
    Value v = arith::ConstantOp::create(rewriter, l, cast<TypedAttr>(scalar));
    Value f = filled(rewriter, l, type.clone(et), sizes, v);
    rewriter.replaceOp(op, bitcastTo(rewriter, l, f, type));
    return success();
  }
};

/// Range: start + i * delta. The length is the result type's, or for
/// integers ceil((limit - start) / delta) from shape arithmetic.
struct RangePattern : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    bool isFloat = isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16;
    if (!isFloat &&
        !(isa<IntegerType>(et) && !et.isInteger(1) && !isUnsignedInt(et)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    SmallVector<OpFoldResult> sizes{
        rewriter.getIndexAttr(type.isDynamicDim(0) ? 0 : type.getDimSize(0))};
    if (type.isDynamicDim(0)) {
      if (isFloat)
        return rewriter.notifyMatchFailure(op, "float range of unknown length");
      auto delta = constantInts(op.getDelta());
      if (!delta || (*delta)[0] == 0)
        return rewriter.notifyMatchFailure(op, "delta must be a constant");
      if (!canEvaluateShapeVector(op.getStart()) ||
          !canEvaluateShapeVector(op.getLimit()))
        return rewriter.notifyMatchFailure(op, "bounds come from tensor data");
      auto start = sizeVector(rewriter, l, op.getStart());
      auto limit = sizeVector(rewriter, l, op.getLimit());
      IndexMath m{rewriter, l};
      int64_t d = (*delta)[0];
      OpFoldResult span = d > 0 ? m.sub((*limit)[0], (*start)[0])
                                : m.sub((*start)[0], (*limit)[0]);
      sizes[0] = m.max(m.ceilDiv(span, m.c(std::abs(d))), m.c(0));
    }
    Value start = extractScalar(rewriter, l, op.getStart());
    Value delta = extractScalar(rewriter, l, op.getDelta());
    rewriter.replaceOp(
        op, buildIndexGeneric(
                rewriter, l, type, sizes,
                [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
                  Value i =
                      arith::IndexCastOp::create(b, nl, b.getI64Type(), ivs[0]);
                  if (isFloat) {
                    i = arith::SIToFPOp::create(b, nl, et, i);
                    return arith::AddFOp::create(
                        b, nl, start, arith::MulFOp::create(b, nl, i, delta));
                  }
                  if (et.getIntOrFloatBitWidth() < 64)
                    i = arith::TruncIOp::create(b, nl, et, i);
                  return arith::AddIOp::create(
                      b, nl, start, arith::MulIOp::create(b, nl, i, delta));
                }));
    return success();
  }
};

struct EyeLikePattern : OpRewritePattern<EyeLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EyeLikeOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    Type et = signlessOf(type.getElementType());
    if (!isa<FloatType, IntegerType>(et))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t k = op.getK();
    rewriter.replaceOp(
        op, buildIndexGeneric(
                rewriter, l, type, dimSizes(rewriter, l, op.getInput()),
                [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
                  Value diag = arith::CmpIOp::create(
                      b, nl, arith::CmpIPredicate::eq,
                      arith::SubIOp::create(b, nl, ivs[1], ivs[0]),
                      indexConst(b, nl, k));
                  Value one = isa<FloatType>(et) ? oneOf(b, nl, et)
                                                 : intConst(b, nl, et, 1);
                  return arith::SelectOp::create(b, nl, diag, one,
                                                 zeroOf(b, nl, et));
                }));
    return success();
  }
};

/// Whether scatter `reduction` can combine elements of type `t` ("none"
/// only replaces, so any type will do).
bool canScatter(StringRef reduction, Type t) {
  if (reduction == "none")
    return true;
  if (reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min")
    return false;
  if (isa<FloatType>(t))
    return t.getIntOrFloatBitWidth() >= 16;
  return isa<IntegerType>(t) && !t.isInteger(1);
}

/// The element a scatter writes: the update, or the update combined with the
/// old value by `reduction` (max/min propagate NaN, as numpy's do).
Value scatterCombine(OpBuilder &b, Location l, StringRef reduction, Value old,
                     Value update, bool isUnsigned) {
  bool isFloat = isa<FloatType>(old.getType());
  if (reduction == "add")
    return isFloat ? Value(arith::AddFOp::create(b, l, old, update))
                   : Value(arith::AddIOp::create(b, l, old, update));
  if (reduction == "mul")
    return isFloat ? Value(arith::MulFOp::create(b, l, old, update))
                   : Value(arith::MulIOp::create(b, l, old, update));
  if (reduction == "max")
    return isFloat      ? Value(arith::MaximumFOp::create(b, l, old, update))
           : isUnsigned ? Value(arith::MaxUIOp::create(b, l, old, update))
                        : Value(arith::MaxSIOp::create(b, l, old, update));
  if (reduction == "min")
    return isFloat      ? Value(arith::MinimumFOp::create(b, l, old, update))
           : isUnsigned ? Value(arith::MinUIOp::create(b, l, old, update))
                        : Value(arith::MinSIOp::create(b, l, old, update));
  return update;
}

/// ScatterElements as a generic over the result and a reduction over the
/// indices' axis: each result element combines, in order, the updates whose
/// (wrapped, clamped) index hits it. Indices and updates are first cut to a
/// common shape within the input and padded up to the input's other dims
/// with an index that hits nothing, so every read is in bounds. Quadratic in
/// the axis length.
struct ScatterElementsPattern : OpRewritePattern<ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    StringRef reduction = op.getReduction();
    if (!canScatter(reduction, et))
      return rewriter.notifyMatchFailure(op, "unsupported reduction or type");
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    IndexMath m{rewriter, l};
    Value input = toSignless(rewriter, l, op.getInput());
    Value updates = toSignless(rewriter, l, op.getUpdates());
    Value indices = op.getIndices();
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, input);
    SmallVector<OpFoldResult> idxDims = dimSizes(rewriter, l, indices);
    SmallVector<OpFoldResult> updDims = dimSizes(rewriter, l, updates);
    SmallVector<OpFoldResult> sizes, zeros(rank, m.c(0)), ones(rank, m.c(1)),
        high(rank, m.c(0));
    for (int64_t d = 0; d < rank; ++d) {
      OpFoldResult s = m.min(idxDims[d], updDims[d]);
      if (d != axis) {
        s = m.min(s, inDims[d]);
        high[d] = m.sub(inDims[d], s);
      }
      sizes.push_back(s);
    }
    auto cutAndPad = [&](Value v, Value padValue) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape;
      for (OpFoldResult s : sizes)
        shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
      Value cut = tensor::ExtractSliceOp::create(
          rewriter, l, RankedTensorType::get(shape, t.getElementType()), v,
          zeros, sizes, ones);
      return tensor::PadOp::create(rewriter, l, Type(), cut, zeros, high,
                                   padValue);
    };
    Type i64 = rewriter.getI64Type();
    Value noIndex =
        intConst(rewriter, l, i64, std::numeric_limits<int64_t>::min());
    indices = cutAndPad(indices, noIndex);
    updates = cutAndPad(updates, zeroOf(rewriter, l, signlessOf(et)));
    Value n = m.v(inDims[axis]);

    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> atJ;
    for (int64_t d = 0; d < rank; ++d)
      atJ.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
    AffineMap jMap = AffineMap::get(rank + 1, 0, atJ, ctx);
    AffineMap outMap = leadingDimsMap(rank + 1, rank, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    bool isUnsigned = isUnsignedInt(et);
    auto computeType = cast<RankedTensorType>(input.getType());
    Value result =
        linalg::GenericOp::create(
            rewriter, l, TypeRange{computeType}, ValueRange{indices, updates},
            ValueRange{input}, SmallVector<AffineMap>{jMap, jMap, outMap},
            iterators,
            [&](OpBuilder &b, Location nl, ValueRange a) {
              Value real = arith::CmpIOp::create(
                  b, nl, arith::CmpIPredicate::ne, a[0], noIndex);
              Value hit = arith::CmpIOp::create(
                  b, nl, arith::CmpIPredicate::eq, dataIndex(b, nl, a[0], n),
                  linalg::IndexOp::create(b, nl, axis));
              hit = arith::AndIOp::create(b, nl, real, hit);
              Value v =
                  scatterCombine(b, nl, reduction, a[2], a[1], isUnsigned);
              linalg::YieldOp::create(
                  b, nl,
                  ValueRange{arith::SelectOp::create(b, nl, hit, v, a[2])});
            })
            .getResult(0);
    if (result.getType() != type.clone(signlessOf(et)))
      result = tensor::CastOp::create(rewriter, l, type.clone(signlessOf(et)),
                                      result);
    rewriter.replaceOp(op, bitcastTo(rewriter, l, result, type));
    return success();
  }
};

/// ScatterND as a generic over the result and a reduction over the index
/// tuples: a result element combines, in order, the update slices whose
/// (wrapped, clamped) tuple hits its leading k coordinates. Each tuple
/// column is its own operand, so nothing is read by index. Quadratic (result
/// size times tuple count).
struct ScatterNDPattern : OpRewritePattern<ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterNDOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    StringRef reduction = op.getReduction();
    if (!canScatter(reduction, et))
      return rewriter.notifyMatchFailure(op, "unsupported reduction or type");
    auto idxType = op.getIndices().getType();
    int64_t rank = type.getRank(), q = idxType.getRank();
    if (q < 1 || idxType.isDynamicDim(q - 1))
      return rewriter.notifyMatchFailure(op, "index tuple length is dynamic");
    int64_t k = idxType.getDimSize(q - 1), batch = q - 1;
    if (k > rank || op.getUpdates().getType().getRank() != batch + rank - k)
      return rewriter.notifyMatchFailure(op, "updates do not fit the indices");
    IndexMath m{rewriter, l};
    Value input = toSignless(rewriter, l, op.getInput());
    Value updates = toSignless(rewriter, l, op.getUpdates());
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, l, input);
    SmallVector<OpFoldResult> idxDims = dimSizes(rewriter, l, op.getIndices());
    // One batch-shaped operand per tuple element.
    SmallVector<Value> operands;
    auto columnType = RankedTensorType::get(idxType.getShape().drop_back(),
                                            idxType.getElementType());
    for (int64_t t = 0; t < k; ++t) {
      SmallVector<OpFoldResult> offsets(q, m.c(0)), sizes = idxDims,
                                                    strides(q, m.c(1));
      offsets[q - 1] = m.c(t);
      sizes[q - 1] = m.c(1);
      operands.push_back(tensor::ExtractSliceOp::create(
          rewriter, l, columnType, op.getIndices(), offsets, sizes, strides));
    }
    operands.push_back(updates);

    // Iteration dims: the result's, then the batch dims.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> batchExprs, updExprs;
    for (int64_t d = 0; d < batch; ++d)
      batchExprs.push_back(rewriter.getAffineDimExpr(rank + d));
    updExprs = batchExprs;
    for (int64_t d = k; d < rank; ++d)
      updExprs.push_back(rewriter.getAffineDimExpr(d));
    SmallVector<AffineMap> maps(
        k, AffineMap::get(rank + batch, 0, batchExprs, ctx));
    maps.push_back(AffineMap::get(rank + batch, 0, updExprs, ctx));
    maps.push_back(leadingDimsMap(rank + batch, rank, ctx));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.append(batch, utils::IteratorType::reduction);
    SmallVector<Value> bounds;
    for (int64_t t = 0; t < k; ++t)
      bounds.push_back(m.v(inDims[t]));
    bool isUnsigned = isUnsignedInt(et);
    auto computeType = cast<RankedTensorType>(input.getType());
    Value result =
        linalg::GenericOp::create(
            rewriter, l, TypeRange{computeType}, operands, ValueRange{input},
            maps, iterators,
            [&](OpBuilder &b, Location nl, ValueRange a) {
              Value hit = arith::ConstantIntOp::create(b, nl, 1, 1);
              for (int64_t t = 0; t < k; ++t)
                hit = arith::AndIOp::create(
                    b, nl, hit,
                    arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq,
                                          dataIndex(b, nl, a[t], bounds[t]),
                                          linalg::IndexOp::create(b, nl, t)));
              Value old = a[k + 1];
              Value v = scatterCombine(b, nl, reduction, old, a[k], isUnsigned);
              linalg::YieldOp::create(
                  b, nl,
                  ValueRange{arith::SelectOp::create(b, nl, hit, v, old)});
            })
            .getResult(0);
    if (result.getType() != type.clone(signlessOf(et)))
      result = tensor::CastOp::create(rewriter, l, type.clone(signlessOf(et)),
                                      result);
    rewriter.replaceOp(op, bitcastTo(rewriter, l, result, type));
    return success();
  }
};

/// OneHot: on where the index (wrapped by depth) equals the position on the
/// inserted axis.
struct OneHotPattern : OpRewritePattern<OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OneHotOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    if (type.isDynamicDim(axis))
      return rewriter.notifyMatchFailure(op, "depth must be static");
    int64_t depth = type.getDimSize(axis);
    Type it = op.getIndices().getType().getElementType();
    Value values = toSignless(rewriter, l, op.getValues());
    Value off = tensor::ExtractOp::create(
        rewriter, l, values, ValueRange{indexConst(rewriter, l, 0)});
    Value on = tensor::ExtractOp::create(
        rewriter, l, values, ValueRange{indexConst(rewriter, l, 1)});
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        exprs.push_back(rewriter.getAffineDimExpr(d));
    auto computeType = type.clone(signlessOf(type.getElementType()));
    SmallVector<OpFoldResult> idxDims = dimSizes(rewriter, l, op.getIndices());
    SmallVector<OpFoldResult> sizes(idxDims.begin(), idxDims.begin() + axis);
    sizes.push_back(rewriter.getIndexAttr(depth));
    sizes.append(idxDims.begin() + axis, idxDims.end());
    Value init = emptyOfSizes(rewriter, l, computeType, sizes);
    Value indices = toSignless(rewriter, l, op.getIndices());
    bool unsignedIdx = isUnsignedInt(it);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{computeType}, ValueRange{indices},
        ValueRange{init},
        SmallVector<AffineMap>{
            AffineMap::get(rank, 0, exprs, rewriter.getContext()),
            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value idx = a[0];
          Type i64 = b.getI64Type();
          if (isa<FloatType>(idx.getType()))
            idx = arith::FPToSIOp::create(b, nl, i64, idx);
          else if (idx.getType().getIntOrFloatBitWidth() < 64)
            idx = unsignedIdx ? Value(arith::ExtUIOp::create(b, nl, i64, idx))
                              : Value(arith::ExtSIOp::create(b, nl, i64, idx));
          Value d = intConst(b, nl, i64, depth);
          Value neg = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt,
                                            idx, intConst(b, nl, i64, 0));
          idx = arith::SelectOp::create(
              b, nl, neg, arith::AddIOp::create(b, nl, idx, d), idx);
          Value pos = arith::IndexCastOp::create(
              b, nl, i64, linalg::IndexOp::create(b, nl, axis));
          Value hit =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq, idx, pos);
          linalg::YieldOp::create(
              b, nl, ValueRange{arith::SelectOp::create(b, nl, hit, on, off)});
        });
    rewriter.replaceOp(op, bitcastTo(rewriter, l, generic.getResult(0), type));
    return success();
  }
};

/// ReverseSequence: time step t of batch entry b reads len[b] - 1 - t while
/// t < len[b].
struct ReverseSequencePattern : OpRewritePattern<ReverseSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReverseSequenceOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto type = op.getType();
    int64_t batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
    Value input = toSignless(rewriter, l, op.getInput());
    Value lengths = op.getLengths();
    Value steps = tensor::DimOp::create(rewriter, l, op.getInput(), timeAxis);
    rewriter.replaceOp(
        op, buildIndexGeneric(
                rewriter, l, type, dimSizes(rewriter, l, op.getInput()),
                [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
                  Value len = tensor::ExtractOp::create(
                      b, nl, lengths, ValueRange{ivs[batchAxis]});
                  len =
                      arith::IndexCastOp::create(b, nl, b.getIndexType(), len);
                  len = arith::MinSIOp::create(
                      b, nl,
                      arith::MaxSIOp::create(b, nl, len, indexConst(b, nl, 0)),
                      steps);
                  Value t = ivs[timeAxis];
                  Value rev = arith::SubIOp::create(
                      b, nl, arith::SubIOp::create(b, nl, len, t),
                      indexConst(b, nl, 1));
                  Value inside = arith::CmpIOp::create(
                      b, nl, arith::CmpIPredicate::slt, t, len);
                  SmallVector<Value> at(ivs.begin(), ivs.end());
                  at[timeAxis] = arith::SelectOp::create(b, nl, inside, rev, t);
                  return tensor::ExtractOp::create(b, nl, input, at);
                }));
    return success();
  }
};

} // namespace

void anvil::lowering::populateTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<
      ConstantPattern, ShapePattern, SizePattern, ReshapePattern,
      DimReshapePattern<FlattenOp>, DimReshapePattern<SqueezeOp>,
      DimReshapePattern<UnsqueezeOp>, TransposePattern, ConcatPattern,
      SplitPattern, SlicePattern, GatherPattern, GatherElementsPattern,
      GatherNDPattern, ExpandPattern, TilePattern, PadPattern,
      BlockShufflePattern<DepthToSpaceOp>, BlockShufflePattern<SpaceToDepthOp>,
      TriluPattern, CumulativePattern<CumSumOp>, CumulativePattern<CumProdOp>,
      ConstantOfShapePattern, RangePattern, EyeLikePattern, OneHotPattern,
      ReverseSequencePattern, ScatterElementsPattern, ScatterNDPattern>(
      patterns.getContext());
}

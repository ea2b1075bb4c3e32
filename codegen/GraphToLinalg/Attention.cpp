//===- Attention.cpp - anvil.attention → linalg ---------------------------===//
//
// ONNX Attention as a handful of linalg.generic ops over the 4-D
// [batch, heads, q_seq, kv_seq] score space: Q·Kᵀ (grouped-query heads split
// into [kv_heads, group] so that keys and values are never repeated), the
// additive bias (mask, causal, sliding window,
// non-padded lengths) computed from iteration indices, a softmax that gives
// fully masked rows zero probability, and P·V. The numerics follow the ONNX
// reference implementation step by step (where it rounds to the input type,
// where softmax_precision applies) so that results match it.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// `v` converted between float types (no-op when equal).
Value convertFloat(OpBuilder &b, Location l, Value v, Type to) {
  unsigned from = v.getType().getIntOrFloatBitWidth();
  if (v.getType() == to)
    return v;
  if (from < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, l, to, v);
  if (from > to.getIntOrFloatBitWidth())
    return arith::TruncFOp::create(b, l, to, v);
  // f16 <-> bf16: through f32.
  Value wide = arith::ExtFOp::create(b, l, b.getF32Type(), v);
  return arith::TruncFOp::create(b, l, to, wide);
}

Value negInf(OpBuilder &b, Location l, Type t) {
  return floatConst(b, l, t, -std::numeric_limits<double>::infinity());
}

/// A linalg.generic with `inputs` read through `maps` over the iteration
/// space of `rank` dims (the last `reductions` of them reduced) into `init`
/// written through `outMap`; `fn` gets the input elements, then the
/// accumulator, then the linalg.index of every dim.
Value buildGeneric(OpBuilder &b, Location l, ValueRange inputs,
                   ArrayRef<AffineMap> maps, Value init, AffineMap outMap,
                   int64_t rank, int64_t reductions, BodyFn fn) {
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(outMap);
  SmallVector<utils::IteratorType> iterators(rank - reductions,
                                             utils::IteratorType::parallel);
  iterators.append(reductions, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, l, TypeRange{init.getType()}, inputs, ValueRange{init}, allMaps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> all(args);
        for (int64_t d = 0; d < rank; ++d)
          all.push_back(linalg::IndexOp::create(nb, nl, d));
        linalg::YieldOp::create(nb, nl, fn(nb, nl, all));
      });
  return generic.getResult(0);
}

AffineMap dimsMap(MLIRContext *ctx, int64_t rank, ArrayRef<AffineExpr> exprs) {
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Q, K or V as [batch, heads, seq, head_size]. 3-D inputs
/// [batch, seq, heads * head_size] are split (the head size must be static)
/// and transposed; 4-D inputs are already in that layout.
FailureOr<Value> toHeads(OpBuilder &b, Location l, Value x, int64_t heads) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getRank() == 4)
    return x;
  int64_t hidden = t.getDimSize(2);
  if (ShapedType::isDynamic(hidden) || hidden % heads)
    return failure();
  int64_t size = hidden / heads;
  SmallVector<OpFoldResult> in = dimSizes(b, l, x);
  auto split = t.clone({t.getDimSize(0), t.getDimSize(1), heads, size});
  Value s = tensor::ExpandShapeOp::create(
      b, l, split, x, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}},
      ArrayRef<OpFoldResult>{in[0], in[1], b.getIndexAttr(heads),
                             b.getIndexAttr(size)});
  auto type = t.clone({t.getDimSize(0), heads, t.getDimSize(1), size});
  Value init = emptyOfSizes(
      b, l, type, {in[0], b.getIndexAttr(heads), in[1], b.getIndexAttr(size)});
  return linalg::TransposeOp::create(b, l, s, init,
                                     ArrayRef<int64_t>{0, 2, 1, 3})
      ->getResult(0);
}

/// `x` [batch, q_heads, ...] as [batch, kv_heads, group, ...]: query head h
/// reads key/value head h / group (the reference repeats each kv head).
/// Splitting the dim keeps every indexing map a projected permutation.
Value splitHeads(OpBuilder &b, Location l, Value x, int64_t kvHeads,
                 int64_t group) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> sizes = dimSizes(b, l, x);
  SmallVector<int64_t> shape{t.getDimSize(0), kvHeads, group};
  SmallVector<OpFoldResult> outSizes{sizes[0], b.getIndexAttr(kvHeads),
                                     b.getIndexAttr(group)};
  SmallVector<ReassociationIndices> groups{{0}, {1, 2}};
  for (int64_t d = 2; d < t.getRank(); ++d) {
    shape.push_back(t.getDimSize(d));
    outSizes.push_back(sizes[d]);
    groups.push_back({d + 1});
  }
  return tensor::ExpandShapeOp::create(b, l, t.clone(shape), x, groups,
                                       outSizes);
}

/// `x` with its elements converted to float type `to`.
Value convertTensor(OpBuilder &b, Location l, Value x, Type to) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getElementType() == to)
    return x;
  AffineMap id = b.getMultiDimIdentityMap(t.getRank());
  return buildGeneric(
      b, l, x, {id}, emptyOfSizes(b, l, t.clone(to), dimSizes(b, l, x)), id,
      t.getRank(), 0, [&](OpBuilder &nb, Location nl, ValueRange a) {
        return convertFloat(nb, nl, a[0], to);
      });
}

/// The ONNX TensorProto element type softmax_precision names.
Type precisionType(MLIRContext *ctx, int64_t p) {
  switch (p) {
  case 1:
    return Float32Type::get(ctx);
  case 10:
    return Float16Type::get(ctx);
  case 11:
    return Float64Type::get(ctx);
  case 16:
    return BFloat16Type::get(ctx);
  default:
    return Type();
  }
}

struct AttentionPattern : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto qType = op.getQ().getType();
    Type et = qType.getElementType();
    if (!isa<FloatType>(et) || et.getIntOrFloatBitWidth() < 16)
      return rewriter.notifyMatchFailure(op, "only float attention");
    if (op.getK().getType().getElementType() != et ||
        op.getV().getType().getElementType() != et)
      return rewriter.notifyMatchFailure(op, "q, k and v types differ");
    bool is3D = qType.getRank() == 3;
    int64_t qHeads = is3D ? op.getQNumHeads().value_or(0) : qType.getDimSize(1);
    int64_t kvHeads = is3D ? op.getKvNumHeads().value_or(0)
                           : op.getK().getType().getDimSize(1);
    if (ShapedType::isDynamic(qHeads) || ShapedType::isDynamic(kvHeads) ||
        qHeads < 1 || kvHeads < 1 || qHeads % kvHeads)
      return rewriter.notifyMatchFailure(
          op, "head counts must be static, q heads a multiple of kv heads");
    int64_t group = qHeads / kvHeads;
    Type st = et;
    if (auto p = op.getSoftmaxPrecision()) {
      st = precisionType(ctx, *p);
      if (!st)
        return rewriter.notifyMatchFailure(op, "unknown softmax_precision");
    }

    FailureOr<Value> q = toHeads(rewriter, l, op.getQ(), qHeads);
    FailureOr<Value> k = toHeads(rewriter, l, op.getK(), kvHeads);
    FailureOr<Value> v = toHeads(rewriter, l, op.getV(), kvHeads);
    if (failed(q) || failed(k) || failed(v))
      return rewriter.notifyMatchFailure(
          op, "3-D hidden sizes must be static multiples of the head counts");
    auto vType = cast<RankedTensorType>(v->getType());
    if (vType.getDimSize(1) != kvHeads ||
        cast<RankedTensorType>(k->getType()).getDimSize(1) != kvHeads)
      return rewriter.notifyMatchFailure(op, "k and v head counts differ");

    // KV cache: present = concat(past, new) along the sequence.
    Value presentK = *k, presentV = *v;
    Value pastLen;
    if (Value pastK = op.getPastKey()) {
      Value pastV = op.getPastValue();
      auto pkType = cast<RankedTensorType>(pastK.getType());
      auto pvType = cast<RankedTensorType>(pastV.getType());
      if (pkType.getElementType() != et || pvType.getElementType() != et ||
          pkType.getDimSize(1) != kvHeads || pvType.getDimSize(1) != kvHeads)
        return rewriter.notifyMatchFailure(
            op, "past_key/past_value must have the kv heads and the q type");
      presentK =
          tensor::ConcatOp::create(rewriter, l, 2, ValueRange{pastK, presentK});
      presentV =
          tensor::ConcatOp::create(rewriter, l, 2, ValueRange{pastV, presentV});
      pastLen = tensor::DimOp::create(rewriter, l, pastK, 2);
    }
    auto castTo = [&](Value x, Type t) -> Value {
      return x.getType() == t ? x : tensor::CastOp::create(rewriter, l, t, x);
    };

    // Scores [batch, q_heads, q_seq, total].
    SmallVector<OpFoldResult> qSizes = dimSizes(rewriter, l, *q);
    SmallVector<OpFoldResult> kSizes = dimSizes(rewriter, l, presentK);
    SmallVector<OpFoldResult> scoreSizes{qSizes[0], qSizes[1], qSizes[2],
                                         kSizes[2]};
    auto qkType = op.getQkOutput().getType();
    auto scoreType =
        RankedTensorType::get({qkType.getDimSize(0), qHeads,
                               qkType.getDimSize(2), qkType.getDimSize(3)},
                              et);

    double scale;
    if (auto s = op.getScale()) {
      scale = s->convertToDouble();
    } else {
      int64_t headSize = cast<RankedTensorType>(q->getType()).getDimSize(3);
      if (ShapedType::isDynamic(headSize))
        return rewriter.notifyMatchFailure(
            op, "the default scale needs a static head size");
      scale = 1.0 / std::sqrt((double)headSize);
    }
    // The reference scales Q and K each by sqrt(scale), rounded to the type.
    Value sqrtScale = floatConst(rewriter, l, et, std::sqrt(scale));
    // Narrow floats accumulate products in f32, as numpy's matmul does.
    Type acc = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;

    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    // (b, kv, g, i, j, k): sum_k q[b,kv,g,i,k] * key[b,kv,j,k].
    auto scores5 = RankedTensorType::get({scoreType.getDimSize(0), kvHeads,
                                          group, scoreType.getDimSize(2),
                                          scoreType.getDimSize(3)},
                                         acc);
    Value qk = buildGeneric(
        rewriter, l,
        ValueRange{splitHeads(rewriter, l, *q, kvHeads, group), presentK},
        {dimsMap(ctx, 6, {d(0), d(1), d(2), d(3), d(5)}),
         dimsMap(ctx, 6, {d(0), d(1), d(4), d(5)})},
        filled(rewriter, l, scores5,
               {scoreSizes[0], rewriter.getIndexAttr(kvHeads),
                rewriter.getIndexAttr(group), scoreSizes[2], scoreSizes[3]},
               zeroOf(rewriter, l, acc)),
        dimsMap(ctx, 6, {d(0), d(1), d(2), d(3), d(4)}), 6, 1,
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value x = arith::MulFOp::create(b, nl, a[0], sqrtScale);
          Value y = arith::MulFOp::create(b, nl, a[1], sqrtScale);
          Value p = arith::MulFOp::create(b, nl, convertFloat(b, nl, x, acc),
                                          convertFloat(b, nl, y, acc));
          return arith::AddFOp::create(b, nl, a[2], p).getResult();
        });
    qk = tensor::CollapseShapeOp::create(
        rewriter, l, scoreType.clone(acc), qk,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    AffineMap id4 = rewriter.getMultiDimIdentityMap(4);
    auto elementwise4 = [&](ValueRange inputs, ArrayRef<AffineMap> maps, Type t,
                            BodyFn fn) {
      return buildGeneric(
          rewriter, l, inputs, maps,
          emptyOfSizes(rewriter, l, scoreType.clone(t), scoreSizes), id4, 4, 0,
          fn);
    };
    // Rounded to the input type, then soft-capped (before the bias, so that
    // masked scores stay -inf).
    float softcap = op.getSoftcap().convertToFloat();
    qk = convertTensor(rewriter, l, qk, et);
    if (softcap > 0)
      qk = elementwise4(qk, {id4}, et,
                        [&](OpBuilder &b, Location nl, ValueRange a) {
                          Value c = floatConst(b, nl, et, softcap);
                          Value t = math::TanhOp::create(
                              b, nl, arith::DivFOp::create(b, nl, a[0], c));
                          return arith::MulFOp::create(b, nl, t, c).getResult();
                        });

    FailureOr<Value> bias =
        buildBias(rewriter, l, op, scoreType, scoreSizes, pastLen);
    if (failed(bias))
      return rewriter.notifyMatchFailure(
          op, "attn_mask must be bool or the q type, of rank 1 to 4, no "
              "longer than the keys");
    Value withBias = elementwise4(
        ValueRange{qk, *bias}, {id4, id4}, et,
        [&](OpBuilder &b, Location nl, ValueRange a) {
          return arith::AddFOp::create(b, nl, a[0], a[1]).getResult();
        });

    // Rows whose bias is -inf everywhere attend to nothing: probability 0.
    AffineMap rowMap = dimsMap(ctx, 4, {d(0), d(1), d(2)});
    SmallVector<OpFoldResult> rowSizes(scoreSizes.begin(),
                                       scoreSizes.begin() + 3);
    auto rowType = [&](Type t) {
      return RankedTensorType::get(scoreType.getShape().take_front(3), t);
    };
    auto reduceRows = [&](ValueRange inputs, ArrayRef<AffineMap> maps,
                          Value init, BodyFn fn) {
      return buildGeneric(rewriter, l, inputs, maps, init, rowMap, 4, 1, fn);
    };
    Value allMasked =
        reduceRows(*bias, {id4},
                   filled(rewriter, l, rowType(rewriter.getI1Type()), rowSizes,
                          intConst(rewriter, l, rewriter.getI1Type(), 1)),
                   [&](OpBuilder &b, Location nl, ValueRange a) {
                     Value m =
                         arith::CmpFOp::create(b, nl, arith::CmpFPredicate::OEQ,
                                               a[0], negInf(b, nl, et));
                     return arith::AndIOp::create(b, nl, a[1], m).getResult();
                   });

    // Softmax in softmax_precision; a row of -inf keeps max 0 (not NaN).
    Value max = reduceRows(
        withBias, {id4},
        filled(rewriter, l, rowType(st), rowSizes, negInf(rewriter, l, st)),
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value x = convertFloat(b, nl, a[0], st);
          return arith::MaximumFOp::create(b, nl, a[1], x).getResult();
        });
    auto shiftedExp = [&](OpBuilder &b, Location nl, Value x, Value m) {
      Value isNegInf = arith::CmpFOp::create(b, nl, arith::CmpFPredicate::OEQ,
                                             m, negInf(b, nl, st));
      Value safe =
          arith::SelectOp::create(b, nl, isNegInf, zeroOf(b, nl, st), m);
      Value shifted =
          arith::SubFOp::create(b, nl, convertFloat(b, nl, x, st), safe);
      return math::ExpOp::create(b, nl, shifted).getResult();
    };
    // numpy sums narrow floats in f32 and rounds the total.
    Type sumType = st.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : st;
    Value sum = reduceRows(
        ValueRange{withBias, max}, {id4, rowMap},
        filled(rewriter, l, rowType(sumType), rowSizes,
               zeroOf(rewriter, l, sumType)),
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value e = convertFloat(b, nl, shiftedExp(b, nl, a[0], a[1]), sumType);
          return arith::AddFOp::create(b, nl, a[2], e).getResult();
        });
    Value probs = elementwise4(
        ValueRange{withBias, max, sum, allMasked},
        {id4, rowMap, rowMap, rowMap}, et,
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value zero = zeroOf(b, nl, st);
          Value s = convertFloat(b, nl, a[2], st);
          Value isZero =
              arith::CmpFOp::create(b, nl, arith::CmpFPredicate::OEQ, s, zero);
          s = arith::SelectOp::create(b, nl, isZero, floatConst(b, nl, st, 1.0),
                                      s);
          Value p =
              arith::DivFOp::create(b, nl, shiftedExp(b, nl, a[0], a[1]), s);
          p = arith::SelectOp::create(b, nl, a[3], zero, p);
          return convertFloat(b, nl, p, et);
        });

    // qk_output as the reference implementation produces it: modes 0 and 1
    // give the (soft-capped) scores, 2 adds the bias, 3 the probabilities.
    int64_t mode = op.getQkMatmulOutputMode();
    Value qkOut = mode == 3 ? probs : mode == 2 ? withBias : qk;

    // (b, kv, g, i, e, j): sum_j p[b,kv,g,i,j] * value[b,kv,j,e], written
    // as [b, i, kv, g, e] for 3-D inputs so that it collapses to
    // [b, i, heads * e].
    SmallVector<OpFoldResult> vSizes = dimSizes(rewriter, l, presentV);
    auto yType = op.getOutput().getType();
    OpFoldResult kvSize = rewriter.getIndexAttr(kvHeads),
                 groupSize = rewriter.getIndexAttr(group);
    int64_t dv = vType.getDimSize(3);
    AffineMap yMap;
    RankedTensorType y5Type;
    SmallVector<OpFoldResult> ySizes;
    SmallVector<ReassociationIndices> yGroups;
    if (is3D) {
      yMap = dimsMap(ctx, 6, {d(0), d(3), d(1), d(2), d(4)});
      y5Type = RankedTensorType::get(
          {yType.getDimSize(0), yType.getDimSize(1), kvHeads, group, dv}, acc);
      ySizes = {qSizes[0], qSizes[2], kvSize, groupSize, vSizes[3]};
      yGroups = {{0}, {1}, {2, 3, 4}};
    } else {
      yMap = dimsMap(ctx, 6, {d(0), d(1), d(2), d(3), d(4)});
      y5Type = RankedTensorType::get(
          {yType.getDimSize(0), kvHeads, group, yType.getDimSize(2), dv}, acc);
      ySizes = {qSizes[0], kvSize, groupSize, qSizes[2], vSizes[3]};
      yGroups = {{0}, {1, 2}, {3}, {4}};
    }
    Value y = buildGeneric(
        rewriter, l,
        ValueRange{splitHeads(rewriter, l, probs, kvHeads, group), presentV},
        {dimsMap(ctx, 6, {d(0), d(1), d(2), d(3), d(5)}),
         dimsMap(ctx, 6, {d(0), d(1), d(5), d(4)})},
        filled(rewriter, l, y5Type, ySizes, zeroOf(rewriter, l, acc)), yMap, 6,
        1, [&](OpBuilder &b, Location nl, ValueRange a) {
          Value p = arith::MulFOp::create(b, nl, convertFloat(b, nl, a[0], acc),
                                          convertFloat(b, nl, a[1], acc));
          return arith::AddFOp::create(b, nl, a[2], p).getResult();
        });
    y = convertTensor(rewriter, l, y, et);
    y = tensor::CollapseShapeOp::create(rewriter, l, yType.clone(et), y,
                                        yGroups);

    rewriter.replaceOp(op, {castTo(y, yType),
                            castTo(presentK, op.getPresentKey().getType()),
                            castTo(presentV, op.getPresentValue().getType()),
                            castTo(qkOut, qkType)});
    return success();
  }

  /// The additive bias [batch, q_heads, q_seq, total] of the reference: the
  /// mask (a bool mask as 0/-inf; a mask shorter than the keys padded with
  /// -inf) plus -inf where the causal, sliding-window or non-padded-length
  /// constraints exclude a key. A query at i sits at i + offset among the
  /// keys, offset being the past length, or nonpad_kv_seqlen[b] - q_seq.
  static FailureOr<Value> buildBias(PatternRewriter &rewriter, Location l,
                                    AttentionOp op, RankedTensorType scoreType,
                                    ArrayRef<OpFoldResult> scoreSizes,
                                    Value pastLen) {
    MLIRContext *ctx = rewriter.getContext();
    Type et = scoreType.getElementType();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    Value mask = op.getAttnMask();
    bool boolMask = false;
    if (mask) {
      auto mt = cast<RankedTensorType>(mask.getType());
      boolMask = mt.getElementType().isInteger(1);
      if ((!boolMask && mt.getElementType() != et) || mt.getRank() < 1 ||
          mt.getRank() > 4)
        return failure();
      // Pad the key dim up to the total length (never broadcast it).
      int64_t last = mt.getRank() - 1;
      int64_t have = mt.getDimSize(last), total = scoreType.getDimSize(3);
      SmallVector<int64_t> padded(mt.getShape());
      OpFoldResult padBy;
      if (!ShapedType::isDynamic(have) && !ShapedType::isDynamic(total)) {
        if (have > total)
          return failure();
        padBy = rewriter.getIndexAttr(total - have);
        padded[last] = total;
      } else {
        // Never negative: a longer mask is then read only up to `total`.
        Value diff = arith::SubIOp::create(
            rewriter, l, toIndex(rewriter, l, scoreSizes[3]),
            tensor::DimOp::create(rewriter, l, mask, last));
        padBy = arith::MaxSIOp::create(rewriter, l, diff,
                                       indexConst(rewriter, l, 0))
                    .getResult();
        padded[last] = ShapedType::kDynamic;
      }
      SmallVector<OpFoldResult> low(mt.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> high(low);
      high[last] = padBy;
      Value padValue = boolMask ? intConst(rewriter, l, mt.getElementType(), 0)
                                : negInf(rewriter, l, et);
      mask = tensor::PadOp::create(rewriter, l, mt.clone(padded), mask, low,
                                   high, padValue);
      inputs.push_back(mask);
      maps.push_back(
          broadcastMap(cast<RankedTensorType>(mask.getType()), scoreType, ctx));
    }
    Value nonpad = op.getNonpadKvSeqlen();
    if (nonpad) {
      inputs.push_back(nonpad);
      maps.push_back(AffineMap::get(4, 0, {getAffineDimExpr(0, ctx)}, ctx));
    }
    bool causal = op.getIsCausal();
    int64_t left = op.getLeftWindowSize(), right = op.getRightWindowSize();
    bool window = left >= 0 || right >= 0;
    Value init = emptyOfSizes(rewriter, l, scoreType, scoreSizes);
    Value qSeq = toIndex(rewriter, l, scoreSizes[2]);
    return buildGeneric(
        rewriter, l, inputs, maps, init, rewriter.getMultiDimIdentityMap(4), 4,
        0, [&](OpBuilder &b, Location nl, ValueRange a) {
          Value zero = zeroOf(b, nl, et), ninf = negInf(b, nl, et);
          size_t n = inputs.size();
          Value i = a[n + 3], j = a[n + 4];
          Value bias = zero;
          if (mask)
            bias = boolMask ? arith::SelectOp::create(b, nl, a[0], zero, ninf)
                                  .getResult()
                            : a[0];
          auto exclude = [&](Value allowed) {
            Value add = arith::SelectOp::create(b, nl, allowed, zero, ninf);
            bias = arith::AddFOp::create(b, nl, bias, add);
          };
          Value nonpadLen;
          if (nonpad)
            nonpadLen = arith::IndexCastOp::create(b, nl, b.getIndexType(),
                                                   a[mask ? 1 : 0]);
          // Position of query i among the keys.
          Value pos = i;
          if (pastLen)
            pos = arith::AddIOp::create(b, nl, i, pastLen);
          else if (nonpad)
            pos = arith::AddIOp::create(
                b, nl, i, arith::SubIOp::create(b, nl, nonpadLen, qSeq));
          if (causal)
            exclude(arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, j,
                                          pos));
          if (window) {
            Value diff = arith::SubIOp::create(b, nl, pos, j);
            Value ok = intConst(b, nl, b.getI1Type(), 1);
            if (left >= 0)
              ok = arith::AndIOp::create(
                  b, nl, ok,
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, diff,
                                        indexConst(b, nl, left)));
            if (right >= 0)
              ok = arith::AndIOp::create(
                  b, nl, ok,
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, diff,
                                        indexConst(b, nl, -right)));
            exclude(ok);
          }
          if (nonpad)
            exclude(arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, j,
                                          nonpadLen));
          return bias;
        });
  }
};

} // namespace

void anvil::lowering::populateAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionPattern>(patterns.getContext());
}

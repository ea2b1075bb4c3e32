//===- Interpolation.cpp - anvil.resize/grid_sample → linalg --------------===//
//
// Resize with compile-time scales as one linalg.generic over the output: each
// resized axis maps its output index to a source coordinate (in f64, by the
// coordinate_transformation_mode), picks its taps (1 for nearest, 2 for
// linear, 4 for cubic) with their weights, and the element is the weighted sum
// over the product of the axes' taps. The arithmetic follows the ONNX
// reference (f64 coordinates and weights, edge-clamped taps) so that the
// nearest pixel and tie-breaking are the same. GridSample is built the same
// way, its coordinates read from the grid.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

/// One tap of an axis: the (unclamped) source index and its weight.
struct Tap {
  Value index;
  Value weight; // f64; null for nearest, whose one tap has weight 1
};

/// f64 arithmetic in the generic's body.
struct F64 {
  OpBuilder &b;
  Location l;

  Value c(double v) { return floatConst(b, l, b.getF64Type(), v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, l, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, l, c, x, y);
  }
  Value floor(Value x) { return math::FloorOp::create(b, l, x); }
  Value fromIndex(Value i) {
    Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, l, b.getF64Type(), i64);
  }
  Value toIndex(Value x) {
    Value i64 = arith::FPToSIOp::create(b, l, b.getI64Type(), x);
    return arith::IndexCastOp::create(b, l, b.getIndexType(), i64);
  }
};

/// How one axis is resized.
struct AxisPlan {
  double scale;
  bool identity;
  double roiStart = 0, roiEnd = 1;
};

/// The cubic convolution weights of the reference for the 4 taps around a
/// coordinate whose fractional part is `r` (1 at integers).
SmallVector<Value> cubicWeights(F64 &f, Value r, double a) {
  Value one = f.c(1);
  auto far = [&](Value t) { // |t| in [1, 2): A t^3 - 5A t^2 + 8A t - 4A
    Value x = f.mul(f.sub(f.mul(f.c(a), t), f.c(5 * a)), t);
    x = f.mul(f.add(x, f.c(8 * a)), t);
    return f.sub(x, f.c(4 * a));
  };
  auto near = [&](Value t) { // |t| < 1: (A+2) t^3 - (A+3) t^2 + 1
    Value x = f.sub(f.mul(f.c(a + 2), t), f.c(a + 3));
    return f.add(f.mul(f.mul(x, t), t), one);
  };
  Value rc = f.sub(one, r);
  return {far(f.add(r, one)), near(r), near(rc), far(f.add(rc, one))};
}

struct ResizePattern : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getDynamicTarget())
      return rewriter.notifyMatchFailure(
          op, "scales or sizes known only at run time");
    Location l = op.getLoc();
    auto inType = op.getInput().getType();
    auto type = op.getType();
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode(),
              nearestMode = op.getNearestMode();
    bool nearest = mode == "nearest";
    if (!nearest && !isa<FloatType>(et))
      return rewriter.notifyMatchFailure(
          op, "linear and cubic resize need a float type");
    if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric",
                             "pytorch_half_pixel", "align_corners",
                             "asymmetric", "tf_crop_and_resize"},
                            ctm))
      return rewriter.notifyMatchFailure(
          op, "unknown coordinate_transformation_mode");
    if (nearest && !llvm::is_contained({"round_prefer_floor",
                                        "round_prefer_ceil", "floor", "ceil"},
                                       nearestMode))
      return rewriter.notifyMatchFailure(op, "unknown nearest_mode");
    if (nearest && op.getExcludeOutside())
      return rewriter.notifyMatchFailure(op, "nearest with exclude_outside");
    bool crop = ctm == "tf_crop_and_resize";
    std::optional<ArrayRef<double>> roi = op.getRoi();
    if (crop && (!roi || (int64_t)roi->size() != 2 * rank))
      return rewriter.notifyMatchFailure(op, "tf_crop_and_resize needs roi");

    // Output sizes: static, or an unscaled / integer-scaled dynamic dim.
    SmallVector<OpFoldResult> inSizes = dimSizes(rewriter, l, op.getInput());
    SmallVector<OpFoldResult> outSizes;
    SmallVector<AxisPlan> plans;
    for (int64_t d = 0; d < rank; ++d) {
      AxisPlan p{op.getScales()[d], false};
      if (crop) {
        p.roiStart = (*roi)[d];
        p.roiEnd = (*roi)[rank + d];
      }
      bool trivialRoi = p.roiStart == 0 && p.roiEnd == 1;
      if (!type.isDynamicDim(d)) {
        outSizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
        p.identity = p.scale == 1 && trivialRoi &&
                     inType.getDimSize(d) == type.getDimSize(d);
      } else if (p.scale == 1) {
        outSizes.push_back(inSizes[d]);
        p.identity = trivialRoi;
      } else if (p.scale == std::floor(p.scale)) {
        outSizes.push_back(mulSizes(rewriter, l, inSizes[d],
                                    rewriter.getIndexAttr((int64_t)p.scale)));
      } else {
        return rewriter.notifyMatchFailure(
            op, "a dynamic dim resized by a non-integer scale");
      }
      plans.push_back(p);
    }
    int64_t taps = nearest ? 1 : mode == "linear" ? 2 : 4;
    int64_t combos = 1;
    for (const AxisPlan &p : plans)
      if (!p.identity)
        combos *= taps;
    if (combos > 256)
      return rewriter.notifyMatchFailure(op, "too many resized axes");

    SmallVector<Value> inDims, outDims;
    for (int64_t d = 0; d < rank; ++d) {
      inDims.push_back(toIndex(rewriter, l, inSizes[d]));
      outDims.push_back(toIndex(rewriter, l, outSizes[d]));
    }
    Value input = toSignless(rewriter, l, op.getInput());
    double a = op.getCubicCoeffA().convertToDouble();
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    bool excludeOutside = op.getExcludeOutside();

    Value result = buildIndexGeneric(
        rewriter, l, type, outSizes,
        [&](OpBuilder &b, Location nl, ValueRange ivs) -> Value {
          F64 f{b, nl};
          SmallVector<SmallVector<Tap>> axisTaps;
          Value outside; // i1: some axis is outside a tf_crop_and_resize roi
          for (int64_t d = 0; d < rank; ++d) {
            const AxisPlan &p = plans[d];
            if (p.identity) {
              axisTaps.push_back({Tap{ivs[d], Value()}});
              continue;
            }
            Value x = sourceCoordinate(f, ctm, p, f.fromIndex(ivs[d]),
                                       f.fromIndex(inDims[d]),
                                       f.fromIndex(outDims[d]));
            Value inF = f.fromIndex(inDims[d]);
            if (crop) {
              Value o = arith::OrIOp::create(
                  b, nl, f.cmp(arith::CmpFPredicate::OLT, x, f.c(0)),
                  f.cmp(arith::CmpFPredicate::OGT, x, f.sub(inF, f.c(1))));
              outside =
                  outside ? arith::OrIOp::create(b, nl, outside, o).getResult()
                          : o;
            }
            axisTaps.push_back(axisTapsAt(f, x, inDims[d], nearest ? 2 : taps,
                                          mode, nearestMode, a,
                                          excludeOutside));
          }
          // Sum over the product of the axes' taps, edge-clamped.
          Value acc = nearest ? Value() : f.c(0);
          Value picked;
          SmallVector<Value> idx(rank);
          std::function<void(int64_t, Value)> walk = [&](int64_t d, Value w) {
            if (d == rank) {
              Value v = tensor::ExtractOp::create(b, nl, input, idx);
              if (nearest) {
                picked = v;
                return;
              }
              Value term =
                  et.isF64() ? v
                             : arith::ExtFOp::create(b, nl, b.getF64Type(), v);
              if (w)
                term = f.mul(w, term);
              acc = f.add(acc, term);
              return;
            }
            for (const Tap &t : axisTaps[d]) {
              idx[d] = clampIndex(b, nl, t.index, inDims[d]);
              Value nw = !t.weight ? w : w ? f.mul(w, t.weight) : t.weight;
              walk(d + 1, nw);
            }
          };
          walk(0, Value());
          if (nearest)
            return picked;
          if (outside)
            acc = f.select(outside, f.c(extrapolation), acc);
          return et.isF64() ? acc : arith::TruncFOp::create(b, nl, et, acc);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The source coordinate of output index `y` along an axis of `in` elements
  /// resized to `out`, as the reference computes it.
  static Value sourceCoordinate(F64 &f, StringRef ctm, const AxisPlan &p,
                                Value y, Value in, Value out) {
    Value scale = f.c(p.scale);
    Value one = f.c(1), half = f.c(0.5);
    // The reference's "output width" is scale * in, not the integer size.
    Value width = f.mul(scale, in);
    Value widthIsOne = f.cmp(arith::CmpFPredicate::OEQ, width, one);
    Value halfPixel = f.sub(f.div(f.add(y, half), scale), half);
    if (ctm == "asymmetric")
      return f.div(y, scale);
    if (ctm == "half_pixel")
      return halfPixel;
    if (ctm == "pytorch_half_pixel")
      return f.select(widthIsOne, f.c(-0.5), halfPixel);
    if (ctm == "half_pixel_symmetric") {
      Value adjustment = f.div(out, width);
      Value offset = f.mul(f.div(in, f.c(2)), f.sub(one, adjustment));
      return f.sub(f.add(offset, f.div(f.add(y, half), scale)), half);
    }
    Value inLast = f.sub(in, one), widthLast = f.sub(width, one);
    if (ctm == "align_corners")
      return f.select(widthIsOne, f.c(0), f.div(f.mul(y, inLast), widthLast));
    // tf_crop_and_resize
    Value span = f.c(p.roiEnd - p.roiStart);
    Value x = f.select(widthIsOne, f.div(f.mul(span, inLast), f.c(2)),
                       f.div(f.mul(f.mul(y, span), inLast), widthLast));
    return f.add(x, f.mul(f.c(p.roiStart), inLast));
  }

  /// The `n` taps around coordinate `x` (n even): the reference's neighbour
  /// window in an edge-padded axis, and its weights.
  static SmallVector<Tap> axisTapsAt(F64 &f, Value x, Value in, int64_t n,
                                     StringRef mode, StringRef nearestMode,
                                     double a, bool excludeOutside) {
    OpBuilder &b = f.b;
    Location l = f.l;
    Value xFloor = f.floor(x);
    Value isInt = f.cmp(arith::CmpFPredicate::OEQ, x, xFloor);
    Value ratio = f.select(isInt, f.c(1), f.sub(x, xFloor));
    // Window start: at an integer (in the padded axis) the tie goes left.
    int64_t pad = n / 2;
    Value padded = f.add(x, f.c(pad));
    Value p = f.floor(padded);
    Value atInt = f.cmp(arith::CmpFPredicate::OEQ, f.sub(padded, p), f.c(0));
    Value start = f.select(atInt, f.c(-pad - pad), f.c(1 - pad - pad));
    Value first = f.toIndex(f.add(p, start));
    auto indexAt = [&](int64_t k) -> Value {
      return k == 0 ? first
                    : arith::AddIOp::create(b, l, first, indexConst(b, l, k))
                          .getResult();
    };
    if (mode == "nearest") {
      // Weights [1, 0] pick the left tap, [0, 1] the right one.
      Value left;
      if (nearestMode == "round_prefer_floor")
        left = f.cmp(arith::CmpFPredicate::OLE, ratio, f.c(0.5));
      else if (nearestMode == "round_prefer_ceil")
        left = f.cmp(arith::CmpFPredicate::OLT, ratio, f.c(0.5));
      else
        left = intConst(b, l, b.getI1Type(), nearestMode == "floor");
      // An integer coordinate is itself the right tap.
      Value notInt =
          arith::XOrIOp::create(b, l, isInt, intConst(b, l, b.getI1Type(), 1));
      left = arith::AndIOp::create(b, l, left, notInt);
      Value i = arith::SelectOp::create(b, l, left, indexAt(0), indexAt(1));
      return {Tap{i, Value()}};
    }
    SmallVector<Value> w;
    if (mode == "linear")
      w = {f.sub(f.c(1), ratio), ratio};
    else
      w = cubicWeights(f, ratio, a);
    SmallVector<Tap> taps;
    for (int64_t k = 0; k < n; ++k)
      taps.push_back(Tap{indexAt(k), w[k]});
    if (excludeOutside) {
      Value zero = indexConst(b, l, 0), sum = f.c(0);
      for (Tap &t : taps) {
        Value inside = arith::AndIOp::create(
            b, l,
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, t.index,
                                  zero),
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t.index,
                                  in));
        t.weight = f.select(inside, t.weight, f.c(0));
        sum = f.add(sum, t.weight);
      }
      sum =
          f.select(f.cmp(arith::CmpFPredicate::OEQ, sum, f.c(0)), f.c(1), sum);
      for (Tap &t : taps)
        t.weight = f.div(t.weight, sum);
    }
    return taps;
  }

  /// `i` clamped into [0, n): the edge padding of the reference.
  static Value clampIndex(OpBuilder &b, Location l, Value i, Value n) {
    Value last = arith::SubIOp::create(b, l, n, indexConst(b, l, 1));
    return arith::MinSIOp::create(
        b, l, arith::MaxSIOp::create(b, l, i, indexConst(b, l, 0)), last);
  }
};

/// GridSample as one linalg.generic over the output (N, C, spatial...): the
/// grid point (x first, so reversed onto the spatial dims) is denormalized,
/// moved inside by padding_mode as the ONNX reference does (rounded first for
/// nearest), and the element is the weighted sum over the product of each
/// dim's taps (1 nearest, 2 linear, 4 cubic). A tap outside the input reads
/// 0 (zeros), the edge (border) or its reflection; every read is clamped.
struct GridSamplePattern : OpRewritePattern<GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GridSampleOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = op.getInput().getType();
    auto gridType = op.getGrid().getType();
    Type et = inType.getElementType();
    if (!isa<FloatType>(et) || et.getIntOrFloatBitWidth() < 16 ||
        !isa<FloatType>(gridType.getElementType()))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = inType.getRank(), numDims = rank - 2;
    for (int64_t d = 2; d < rank; ++d)
      if (inType.getDimSize(d) == 0)
        return rewriter.notifyMatchFailure(op, "empty spatial dim");
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    int64_t taps = mode == "nearest"                          ? 1
                   : (mode == "linear" || mode == "bilinear") ? 2
                                                              : 4;
    bool alignCorners = op.getAlignCorners();
    Location loc = op.getLoc();
    Value input = op.getInput(), grid = op.getGrid();
    SmallVector<OpFoldResult> inDims = dimSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> gridDims = dimSizes(rewriter, loc, grid);
    SmallVector<OpFoldResult> sizes = {inDims[0], inDims[1]};
    llvm::append_range(sizes,
                       ArrayRef<OpFoldResult>(gridDims).slice(1, numDims));
    SmallVector<Value> dimV;
    for (int64_t d = 0; d < numDims; ++d)
      dimV.push_back(toIndex(rewriter, loc, inDims[d + 2]));
    Value gridN = toIndex(rewriter, loc, gridDims[0]);
    Value result = buildIndexGeneric(
        rewriter, loc, op.getType(), sizes,
        [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
          F64 f{b, l};
          using P = arith::CmpFPredicate;
          Value zero = indexConst(b, l, 0), one = indexConst(b, l, 1);
          auto clampIndex = [&](Value i, Value n) {
            return arith::MinSIOp::create(b, l,
                                          arith::MaxSIOp::create(b, l, i, zero),
                                          arith::SubIOp::create(b, l, n, one));
          };
          Value n = clampIndex(ivs[0], gridN);
          // Per spatial dim: its coordinate, borders and size in f64.
          SmallVector<Value> coord, lo, hi, size;
          for (int64_t d = 0; d < numDims; ++d) {
            SmallVector<Value> at = {n};
            llvm::append_range(at, ivs.drop_front(2));
            at.push_back(indexConst(b, l, numDims - 1 - d));
            Value g = tensor::ExtractOp::create(b, l, grid, at);
            if (g.getType() != b.getF64Type())
              g = arith::ExtFOp::create(b, l, b.getF64Type(), g);
            Value len = f.fromIndex(dimV[d]);
            Value x =
                alignCorners
                    ? f.mul(f.div(f.add(g, f.c(1)), f.c(2)), f.sub(len, f.c(1)))
                    : f.div(f.sub(f.mul(f.add(g, f.c(1)), len), f.c(1)),
                            f.c(2));
            if (taps == 1)
              x = math::RoundEvenOp::create(b, l, x);
            Value xMin = alignCorners ? f.c(0) : f.c(-0.5);
            Value xMax =
                alignCorners ? f.sub(len, f.c(1)) : f.sub(len, f.c(0.5));
            if (padding == "border")
              x = f.select(f.cmp(P::OLT, x, f.c(0)), f.c(0),
                           f.select(f.cmp(P::OGT, x, f.sub(len, f.c(1))),
                                    f.sub(len, f.c(1)), x));
            else if (padding == "reflection")
              x = reflect(f, x, xMin, xMax);
            coord.push_back(x);
            lo.push_back(xMin);
            hi.push_back(xMax);
            size.push_back(len);
          }
          // Per dim, its taps: (index read, in-bounds flag, f64 weight).
          SmallVector<SmallVector<std::tuple<Value, Value, Value>>> dimTaps;
          for (int64_t d = 0; d < numDims; ++d) {
            Value x = coord[d];
            Value base = taps == 1 ? x : f.floor(x);
            SmallVector<Value> weights;
            if (taps == 1)
              weights = {Value()};
            else if (taps == 2)
              weights = {f.sub(f.c(1), f.sub(x, base)), f.sub(x, base)};
            else
              weights = cubicWeights(f, f.sub(x, base), -0.75);
            int64_t first = taps == 4 ? -1 : 0;
            SmallVector<std::tuple<Value, Value, Value>> list;
            for (int64_t t = 0; t < taps; ++t) {
              // The tap's index as the reference computes it (int()).
              Value xi = f.add(base, f.c(first + t));
              if (taps == 1)
                xi = arith::SIToFPOp::create(
                    b, l, b.getF64Type(),
                    arith::FPToSIOp::create(b, l, b.getI64Type(), xi));
              Value inside = arith::AndIOp::create(
                  b, l, f.cmp(P::OGE, xi, f.c(0)), f.cmp(P::OLT, xi, size[d]));
              if (padding == "border")
                xi =
                    f.select(f.cmp(P::OLT, xi, f.c(0)), f.c(0),
                             f.select(f.cmp(P::OGT, xi, f.sub(size[d], f.c(1))),
                                      f.sub(size[d], f.c(1)), xi));
              else if (padding == "reflection")
                xi = reflect(f, xi, lo[d], hi[d]);
              if (padding != "zeros")
                inside = intConst(b, l, b.getI1Type(), 1);
              // NaN coordinates become index 0 through the clamp below.
              Value i = clampIndex(f.toIndex(xi), dimV[d]);
              list.push_back({i, inside, weights[t]});
            }
            dimTaps.push_back(list);
          }
          Value sum = f.c(0);
          int64_t combos = 1;
          for (int64_t d = 0; d < numDims; ++d)
            combos *= taps;
          for (int64_t k = 0; k < combos; ++k) {
            SmallVector<Value> at = {ivs[0], ivs[1]};
            Value inside = intConst(b, l, b.getI1Type(), 1);
            Value w = f.c(1);
            for (int64_t d = numDims - 1, rest = k; d >= 0; --d, rest /= taps) {
              auto [i, ok, wt] = dimTaps[d][rest % taps];
              at.insert(at.begin() + 2, i);
              inside = arith::AndIOp::create(b, l, inside, ok);
              if (wt)
                w = f.mul(w, wt);
            }
            Value v = tensor::ExtractOp::create(b, l, input, at);
            v = arith::ExtFOp::create(b, l, b.getF64Type(), v);
            sum = f.add(sum, f.select(inside, f.mul(w, v), f.c(0)));
          }
          return arith::TruncFOp::create(b, l, et, sum);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The reference's reflection of `x` into [lo, hi] (a zero-width range
  /// gives NaN, clamped to index 0 later).
  static Value reflect(F64 &f, Value x, Value lo, Value hi) {
    using P = arith::CmpFPredicate;
    Value range = f.sub(hi, lo);
    auto fold = [&](Value dx, Value evenBase, Value oddBase, bool fromLow) {
      Value k = math::TruncOp::create(f.b, f.l, f.div(dx, range));
      Value r = f.sub(dx, f.mul(k, range));
      Value half = f.mul(k, f.c(0.5));
      Value even = f.cmp(P::OEQ, math::FloorOp::create(f.b, f.l, half), half);
      Value fromEven = fromLow ? f.add(evenBase, r) : f.sub(evenBase, r);
      Value fromOdd = fromLow ? f.sub(oddBase, r) : f.add(oddBase, r);
      return f.select(even, fromEven, fromOdd);
    };
    Value below = fold(f.sub(lo, x), lo, hi, /*fromLow=*/true);
    Value above = fold(f.sub(x, hi), hi, lo, /*fromLow=*/false);
    return f.select(f.cmp(P::OLT, x, lo), below,
                    f.select(f.cmp(P::OGT, x, hi), above, x));
  }
};

} // namespace

void anvil::lowering::populateInterpolationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ResizePattern, GridSamplePattern>(patterns.getContext());
}

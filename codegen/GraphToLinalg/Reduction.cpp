//===- Reduction.cpp - Reductions and arg-reductions → linalg.generic -----===//
//
// A reduction is a linalg.generic with reduction iterators into the kept dims,
// initialized with the reduction's identity (so an empty reduction gives it,
// as ONNX does); keepdims re-inserts size-1 dims with expand_shape. Half
// floats accumulate in f32. Axes given as an operand must be constants.
// TopK ranks the elements along its axis and selects them by rank.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

/// The reduced axes, normalized and sorted; an empty run-time list with
/// `noop_with_empty_axes` means "no reduction" and comes back empty.
template <typename OpTy>
FailureOr<SmallVector<int64_t>> reducedAxes(OpTy op, bool &noop) {
  int64_t rank = op.getInput().getType().getRank();
  SmallVector<int64_t> axes(op.getAxes());
  noop = false;
  // Only an empty run-time list can be a no-op; empty `axes` reduce all.
  bool runtimeList = op.getDynamicAxes() != nullptr;
  if (Value dyn = op.getDynamicAxes()) {
    // An axes input of static length 0 is known to be empty.
    auto c = cast<RankedTensorType>(dyn.getType()).getNumElements() == 0
                 ? std::optional<SmallVector<int64_t>>(SmallVector<int64_t>{})
                 : constantInts(dyn);
    if (!c)
      return failure();
    axes.assign(c->begin(), c->end());
  }
  if (axes.empty()) {
    noop = runtimeList && op.getNoopWithEmptyAxes();
    if (!noop)
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    return axes;
  }
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return failure();
    if (a < 0)
      a += rank;
  }
  llvm::sort(axes);
  axes.erase(llvm::unique(axes), axes.end());
  return axes;
}

/// The kept dims' type and sizes, and the map from the input's iteration
/// space to them.
struct KeptShape {
  RankedTensorType type;
  SmallVector<OpFoldResult> sizes;
  AffineMap map;
  SmallVector<utils::IteratorType> iterators;
  /// The number of reduced elements.
  OpFoldResult count;
};

KeptShape keptShape(OpBuilder &b, Location l, Value input,
                    ArrayRef<int64_t> axes, Type elementType) {
  auto in = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> dims = dimSizes(b, l, input);
  KeptShape k;
  k.count = b.getIndexAttr(1);
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (llvm::is_contained(axes, d)) {
      k.iterators.push_back(utils::IteratorType::reduction);
      k.count = mulSizes(b, l, k.count, dims[d]);
      continue;
    }
    k.iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(in.getDimSize(d));
    k.sizes.push_back(dims[d]);
    exprs.push_back(b.getAffineDimExpr(d));
  }
  k.type = RankedTensorType::get(shape, elementType);
  k.map = AffineMap::get(in.getRank(), 0, exprs, b.getContext());
  return k;
}

/// A generic reducing `input` (and reading `keptInputs` of the kept shape)
/// into a tensor of `k.type` filled with `identity`; `combine` gets the
/// input element, the kept inputs' elements and the accumulator.
Value reduce(OpBuilder &b, Location l, Value input, ValueRange keptInputs,
             const KeptShape &k, Value identity,
             function_ref<Value(OpBuilder &, Location, ValueRange)> combine) {
  Value init = filled(b, l, k.type, k.sizes, identity);
  auto in = cast<RankedTensorType>(input.getType());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(in.getRank())};
  for (size_t i = 0; i < keptInputs.size(); ++i)
    maps.push_back(k.map);
  maps.push_back(k.map);
  SmallVector<Value> inputs{input};
  inputs.append(keptInputs.begin(), keptInputs.end());
  return linalg::GenericOp::create(
             b, l, TypeRange{k.type}, inputs, ValueRange{init}, maps,
             k.iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, args));
             })
      .getResult(0);
}

/// Re-inserts the reduced dims as size 1: each kept dim is grouped with the
/// reduced dims that follow it (leading reduced dims join the first kept dim).
Value keepDims(OpBuilder &b, Location l, Value reduced, RankedTensorType type,
               ArrayRef<int64_t> axes) {
  auto kept = cast<RankedTensorType>(reduced.getType());
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool isReduced = llvm::is_contained(axes, d);
    if (!isReduced || groups.empty())
      groups.push_back({});
    groups.back().push_back(d);
  }
  if ((int64_t)groups.size() > kept.getRank() && kept.getRank() > 0) {
    ReassociationIndices lead = groups.front();
    groups.erase(groups.begin());
    groups.front().insert(groups.front().begin(), lead.begin(), lead.end());
  }
  if (kept.getRank() == 0)
    groups.clear();
  SmallVector<OpFoldResult> sizes;
  SmallVector<OpFoldResult> keptSizes = dimSizes(b, l, reduced);
  // The reduced dims are static 1s even where `type` says `?`.
  SmallVector<int64_t> shape;
  for (int64_t d = 0, k = 0; d < type.getRank(); ++d) {
    bool isReduced = llvm::is_contained(axes, d);
    shape.push_back(isReduced ? 1 : kept.getDimSize(k));
    sizes.push_back(isReduced ? b.getIndexAttr(1) : keptSizes[k++]);
  }
  Value expanded = tensor::ExpandShapeOp::create(b, l, type.clone(shape),
                                                 reduced, groups, sizes);
  if (expanded.getType() != type)
    expanded = tensor::CastOp::create(b, l, type, expanded);
  return expanded;
}

Value maxOf(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, l, x, y);
  return isUnsigned ? Value(arith::MaxUIOp::create(b, l, x, y))
                    : Value(arith::MaxSIOp::create(b, l, x, y));
}
Value minOf(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, l, x, y);
  return isUnsigned ? Value(arith::MinUIOp::create(b, l, x, y))
                    : Value(arith::MinSIOp::create(b, l, x, y));
}
Value add(OpBuilder &b, Location l, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, l, x, y);
  return arith::AddIOp::create(b, l, x, y);
}
Value mul(OpBuilder &b, Location l, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, l, x, y);
  return arith::MulIOp::create(b, l, x, y);
}

/// The largest (or smallest) value of `t`: the identity of min (max).
Value extremeOf(OpBuilder &b, Location l, Type t, bool largest,
                bool isUnsigned) {
  if (isa<FloatType>(t))
    return floatConst(b, l, t,
                      largest ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity());
  unsigned w = t.getIntOrFloatBitWidth();
  APInt v = isUnsigned ? (largest ? APInt::getMaxValue(w) : APInt::getZero(w))
                       : (largest ? APInt::getSignedMaxValue(w)
                                  : APInt::getSignedMinValue(w));
  return arith::ConstantOp::create(b, l, t, b.getIntegerAttr(t, v));
}

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSq };

template <typename OpTy> constexpr Kind kindOf() {
  if constexpr (std::is_same_v<OpTy, ReduceMeanOp>)
    return Kind::Mean;
  else if constexpr (std::is_same_v<OpTy, ReduceMaxOp>)
    return Kind::Max;
  else if constexpr (std::is_same_v<OpTy, ReduceMinOp>)
    return Kind::Min;
  else if constexpr (std::is_same_v<OpTy, ReduceProdOp>)
    return Kind::Prod;
  else if constexpr (std::is_same_v<OpTy, ReduceL1Op>)
    return Kind::L1;
  else if constexpr (std::is_same_v<OpTy, ReduceL2Op>)
    return Kind::L2;
  else if constexpr (std::is_same_v<OpTy, ReduceLogSumOp>)
    return Kind::LogSum;
  else if constexpr (std::is_same_v<OpTy, ReduceLogSumExpOp>)
    return Kind::LogSumExp;
  else if constexpr (std::is_same_v<OpTy, ReduceSumSquareOp>)
    return Kind::SumSq;
  return Kind::Sum;
}

template <typename OpTy> struct ReducePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr Kind kind = kindOf<OpTy>();
    Type et = op.getInput().getType().getElementType();
    bool isFloat = isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16;
    bool isInt = isa<IntegerType>(et) && !et.isInteger(1);
    bool floatOnly =
        kind == Kind::L2 || kind == Kind::LogSum || kind == Kind::LogSumExp;
    if (!isFloat && !(isInt && !floatOnly))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    bool noop;
    FailureOr<SmallVector<int64_t>> axes = reducedAxes(op, noop);
    if (failed(axes))
      return rewriter.notifyMatchFailure(op, "axes are not constants");
    Location loc = op.getLoc();
    if (noop) {
      if (op.getType() != op.getInput().getType())
        return rewriter.notifyMatchFailure(op, "no-op with a different type");
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    bool isUnsigned = isUnsignedInt(et);
    Value input = toSignless(rewriter, loc, op.getInput());
    Type computeType = signlessOf(et);
    // Half floats accumulate in f32 for accuracy.
    Type accType = isFloat && et.getIntOrFloatBitWidth() < 32
                       ? Type(rewriter.getF32Type())
                       : computeType;
    auto toAcc = [&](OpBuilder &b, Location l, Value x) -> Value {
      return x.getType() == accType ? x
                                    : arith::ExtFOp::create(b, l, accType, x);
    };
    KeptShape k = keptShape(rewriter, loc, input, *axes, accType);
    Value identity;
    if (kind == Kind::Max || kind == Kind::LogSumExp)
      identity = extremeOf(rewriter, loc, accType, false, isUnsigned);
    else if (kind == Kind::Min)
      identity = extremeOf(rewriter, loc, accType, true, isUnsigned);
    else if (kind == Kind::Prod)
      identity = isFloat ? oneOf(rewriter, loc, accType)
                         : intConst(rewriter, loc, accType, 1);
    else
      identity = zeroOf(rewriter, loc, accType);

    Value reduced = reduce(
        rewriter, loc, input, {}, k, identity,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = toAcc(b, l, a[0]), acc = a[1];
          switch (kind) {
          case Kind::Max:
          case Kind::LogSumExp:
            return maxOf(b, l, acc, x, isUnsigned);
          case Kind::Min:
            return minOf(b, l, acc, x, isUnsigned);
          case Kind::Prod:
            return mul(b, l, acc, x);
          case Kind::L1:
            return add(b, l, acc,
                       isFloat      ? Value(math::AbsFOp::create(b, l, x))
                       : isUnsigned ? x
                                    : Value(math::AbsIOp::create(b, l, x)));
          case Kind::L2:
          case Kind::SumSq:
            return add(b, l, acc, mul(b, l, x, x));
          default:
            return add(b, l, acc, x);
          }
        });
    if (kind == Kind::LogSumExp) {
      // m + log(sum(exp(x - m))) with m the max, or 0 where it is infinite.
      Value max = reduced;
      Value zero = zeroOf(rewriter, loc, accType);
      Value inf = floatConst(rewriter, loc, accType,
                             std::numeric_limits<double>::infinity());
      Value shift = buildElementwise(
          rewriter, loc, k.type, {max},
          [&](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
            Value finite =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE,
                                      math::AbsFOp::create(b, l, a[0]), inf);
            return arith::SelectOp::create(b, l, finite, a[0], zero);
          });
      Value sum =
          reduce(rewriter, loc, input, {shift}, k, zero,
                 [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                   Value d =
                       arith::SubFOp::create(b, l, toAcc(b, l, a[0]), a[1]);
                   return arith::AddFOp::create(b, l, a[2],
                                                math::ExpOp::create(b, l, d));
                 });
      reduced = buildElementwise(
          rewriter, loc, k.type, {sum, shift},
          [&](OpBuilder &b, Location l, Type, ValueRange a) -> Value {
            return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]),
                                         a[1]);
          });
    }
    if (kind == Kind::Mean || kind == Kind::L2 || kind == Kind::LogSum) {
      Value count =
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                     toIndex(rewriter, loc, k.count));
      reduced = buildElementwise(
          rewriter, loc, k.type, {reduced},
          [&](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
            if (kind == Kind::L2)
              return math::SqrtOp::create(b, l, a[0]);
            if (kind == Kind::LogSum)
              return math::LogOp::create(b, l, a[0]);
            if (isa<FloatType>(t))
              return arith::DivFOp::create(
                  b, l, a[0], arith::SIToFPOp::create(b, l, t, count));
            Value n = t.getIntOrFloatBitWidth() < 64
                          ? Value(arith::TruncIOp::create(b, l, t, count))
                          : count;
            return isUnsigned ? Value(arith::DivUIOp::create(b, l, a[0], n))
                              : Value(arith::DivSIOp::create(b, l, a[0], n));
          });
    }
    if (accType != computeType)
      reduced = buildElementwise(
          rewriter, loc, k.type.clone(computeType), {reduced},
          [&](OpBuilder &b, Location l, Type t, ValueRange a) -> Value {
            return arith::TruncFOp::create(b, l, t, a[0]);
          });
    auto resultType = op.getType().clone(computeType);
    if (op.getKeepdims())
      reduced = keepDims(rewriter, loc, reduced, resultType, *axes);
    if (reduced.getType() != resultType)
      reduced = tensor::CastOp::create(rewriter, loc, resultType, reduced);
    rewriter.replaceOp(op, bitcastTo(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

/// Index of the first (or last) maximum/minimum along the axis; NaN counts as
/// the extreme, as in numpy.
template <typename OpTy> struct ArgReducePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, ArgMaxOp>;
    Type et = op.getInput().getType().getElementType();
    bool isFloat = isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16;
    if (!isFloat && !(isa<IntegerType>(et) && !et.isInteger(1)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedInt(et);
    bool last = op.getSelectLastIndex();
    Value input = toSignless(rewriter, loc, op.getInput());
    Type ct = signlessOf(et);
    KeptShape k = keptShape(rewriter, loc, input, {axis}, ct);
    Value initV =
        filled(rewriter, loc, k.type, k.sizes,
               extremeOf(rewriter, loc, ct, /*largest=*/!isMax, isUnsigned));
    auto idxType = k.type.clone(rewriter.getI64Type());
    // The initial index loses every tie with a real element.
    Value initI =
        filled(rewriter, loc, idxType, k.sizes,
               intConst(rewriter, loc, rewriter.getI64Type(),
                        last ? -1 : std::numeric_limits<int64_t>::max()));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{k.type, idxType}, ValueRange{input},
        ValueRange{initV, initI},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), k.map,
                               k.map},
        k.iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0], acc = a[1], accI = a[2];
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          // (value, index) pairs combine associatively: the better value
          // wins, equal values (NaN counting as the extreme) keep the lower
          // (or, with select_last_index, higher) index.
          Value before = arith::CmpIOp::create(b, l,
                                               last ? arith::CmpIPredicate::sgt
                                                    : arith::CmpIPredicate::slt,
                                               i, accI);
          Value take;
          if (isFloat) {
            using P = arith::CmpFPredicate;
            Value better =
                arith::CmpFOp::create(b, l, isMax ? P::OGT : P::OLT, x, acc);
            Value tie = arith::CmpFOp::create(b, l, P::OEQ, x, acc);
            Value xNaN = arith::CmpFOp::create(b, l, P::UNO, x, x);
            Value accNaN = arith::CmpFOp::create(b, l, P::UNO, acc, acc);
            Value accOk = arith::XOrIOp::create(
                b, l, accNaN, arith::ConstantIntOp::create(b, l, 1, 1));
            tie = arith::OrIOp::create(
                b, l, tie, arith::AndIOp::create(b, l, xNaN, accNaN));
            take = arith::OrIOp::create(
                b, l,
                arith::AndIOp::create(b, l, accOk,
                                      arith::OrIOp::create(b, l, better, xNaN)),
                arith::AndIOp::create(b, l, tie, before));
          } else {
            using P = arith::CmpIPredicate;
            P p = isMax ? (isUnsigned ? P::ugt : P::sgt)
                        : (isUnsigned ? P::ult : P::slt);
            take = arith::OrIOp::create(
                b, l, arith::CmpIOp::create(b, l, p, x, acc),
                arith::AndIOp::create(
                    b, l, arith::CmpIOp::create(b, l, P::eq, x, acc), before));
          }
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, acc),
                         arith::SelectOp::create(b, l, take, i, accI)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims())
      result = keepDims(rewriter, loc, result, op.getType(), {axis});
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Whether element (x, i) comes before (y, j) in TopK's order: the larger
/// (smaller) value first, NaN counting as the extreme as in ArgMax/ArgMin,
/// equal values by lower index. It is a strict total order, so every element
/// gets a distinct rank.
Value topKBefore(OpBuilder &b, Location l, Value x, Value i, Value y, Value j,
                 bool largest, bool isUnsigned) {
  Value lowerIndex =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, j);
  Value better, tie;
  if (isa<FloatType>(x.getType())) {
    using P = arith::CmpFPredicate;
    Value xNaN = arith::CmpFOp::create(b, l, P::UNO, x, x);
    Value yNaN = arith::CmpFOp::create(b, l, P::UNO, y, y);
    Value yOk = arith::XOrIOp::create(b, l, yNaN,
                                      arith::ConstantIntOp::create(b, l, 1, 1));
    better = arith::AndIOp::create(
        b, l, yOk,
        arith::OrIOp::create(
            b, l, xNaN,
            arith::CmpFOp::create(b, l, largest ? P::OGT : P::OLT, x, y)));
    tie = arith::OrIOp::create(b, l, arith::CmpFOp::create(b, l, P::OEQ, x, y),
                               arith::AndIOp::create(b, l, xNaN, yNaN));
  } else {
    using P = arith::CmpIPredicate;
    P p = largest ? (isUnsigned ? P::ugt : P::sgt)
                  : (isUnsigned ? P::ult : P::slt);
    better = arith::CmpIOp::create(b, l, p, x, y);
    tie = arith::CmpIOp::create(b, l, P::eq, x, y);
  }
  return arith::OrIOp::create(b, l, better,
                              arith::AndIOp::create(b, l, tie, lowerIndex));
}

/// TopK in two generics: each element's rank along the axis (how many
/// elements come before it), then output position r takes the element of
/// rank r. Quadratic in the axis length, but reads nothing out of bounds
/// whatever k is; the results are always sorted, which sorted=0 allows.
struct TopKPattern : OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    Type et = inType.getElementType();
    bool isFloat = isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16;
    if (!isFloat && !(isa<IntegerType>(et) && !et.isInteger(1)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    if (!canEvaluateShapeVector(op.getK()))
      return rewriter.notifyMatchFailure(op, "k comes from tensor data");
    auto k = evaluateShapeVector(rewriter, loc, op.getK());
    if (failed(k) || k->size() != 1)
      return rewriter.notifyMatchFailure(op, "k must be one value");
    int64_t rank = inType.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    bool largest = op.getLargest(), isUnsigned = isUnsignedInt(et);
    Value input = toSignless(rewriter, loc, op.getInput());
    Type ct = signlessOf(et), i64 = rewriter.getI64Type();
    MLIRContext *ctx = rewriter.getContext();

    // Iteration dims: the result's, then j (a second position on the axis).
    SmallVector<AffineExpr> atJ;
    for (int64_t d = 0; d < rank; ++d)
      atJ.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
    AffineMap jMap = AffineMap::get(rank + 1, 0, atJ, ctx);
    AffineMap idMap = leadingDimsMap(rank + 1, rank, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, input);
    auto rankType = inType.clone(i64);
    Value zero = intConst(rewriter, loc, i64, 0);
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rankType}, ValueRange{input, input},
            ValueRange{filled(rewriter, loc, rankType, sizes, zero)},
            SmallVector<AffineMap>{idMap, jMap, idMap}, iterators,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value before =
                  topKBefore(b, l, a[1], j, a[0], i, largest, isUnsigned);
              Value inc =
                  arith::AddIOp::create(b, l, a[2], intConst(b, l, i64, 1));
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::SelectOp::create(b, l, before, inc, a[2])});
            })
            .getResult(0);

    sizes[axis] = (*k)[0];
    auto valuesType = op.getValues().getType().clone(ct);
    auto indicesType = op.getIndices().getType();
    auto selected = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType},
        ValueRange{ranks, input},
        ValueRange{
            filled(rewriter, loc, valuesType, sizes, zeroOf(rewriter, loc, ct)),
            filled(rewriter, loc, indicesType, sizes, zero)},
        SmallVector<AffineMap>{jMap, jMap, idMap, idMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value r = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value j = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[0], r);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, a[1], a[2]),
                         arith::SelectOp::create(b, l, hit, j, a[3])});
        });
    rewriter.replaceOp(op, {bitcastTo(rewriter, loc, selected.getResult(0),
                                      op.getValues().getType()),
                            selected.getResult(1)});
    return success();
  }
};

} // namespace

void anvil::lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ReducePattern<ReduceSumOp>, ReducePattern<ReduceMeanOp>,
           ReducePattern<ReduceMaxOp>, ReducePattern<ReduceMinOp>,
           ReducePattern<ReduceProdOp>, ReducePattern<ReduceL1Op>,
           ReducePattern<ReduceL2Op>, ReducePattern<ReduceLogSumOp>,
           ReducePattern<ReduceLogSumExpOp>, ReducePattern<ReduceSumSquareOp>,
           ArgReducePattern<ArgMaxOp>, ArgReducePattern<ArgMinOp>, TopKPattern>(
          patterns.getContext());
}

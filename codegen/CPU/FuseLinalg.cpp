//===- FuseLinalg.cpp - Fuse linalg ops on tensors before bufferization ---===//
//
// Rewrites that make one loop nest do the work of several, and that let
// bufferization write results where they are needed:
//  - an add of a contraction/convolution result that starts from zero starts
//    from the other addend instead (bias and residual adds vanish);
//  - elementwise producers fuse into their only consumer (unless it is a
//    reduction that would recompute them);
//  - a constant pad of a linalg result becomes a fill and an insert_slice, so
//    that (after empty-tensor elimination) the producer writes the interior
//    of the padded buffer (no copy);
//  - a fill or empty tensor used as the init of several ops is duplicated, so
//    that no op's output has to be copied before it is written.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace anvil {
#define GEN_PASS_DEF_ANVILFUSELINALG
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

bool isAllParallel(linalg::LinalgOp op) {
  return op.getNumLoops() == op.getNumParallelLoops();
}

/// `linalg.fill` of +0.0 (float) or 0 (integer).
bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Value scalar = fill.getInputs()[0];
  return matchPattern(scalar, m_PosZeroFloat()) ||
         matchPattern(scalar, m_Zero());
}

/// generic(%r, %y) { yield addf(r, y) } where %r comes from a contraction or
/// convolution initialized with zeros and has no other use: the contraction
/// accumulates onto %y (broadcast to its shape) instead.
struct FoldAddIntoContraction : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
        !isAllParallel(add))
      return failure();
    Block &body = add.getRegion().front();
    if (body.getOperations().size() != 2)
      return failure();
    auto addf = dyn_cast<arith::AddFOp>(body.front());
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (!addf || yield.getOperand(0) != addf.getResult())
      return failure();
    for (int which = 0; which < 2; ++which) {
      OpOperand *accOperand = add.getDpsInputOperand(which);
      OpOperand *other = add.getDpsInputOperand(1 - which);
      // The addf must read both block arguments, one of each.
      Value lhs = addf.getLhs(), rhs = addf.getRhs();
      if (!((lhs == body.getArgument(0) && rhs == body.getArgument(1)) ||
            (lhs == body.getArgument(1) && rhs == body.getArgument(0))))
        return failure();
      auto producer = accOperand->get().getDefiningOp<linalg::LinalgOp>();
      if (!producer || producer->getNumResults() != 1 ||
          !accOperand->get().hasOneUse() || producer.getNumDpsInits() != 1 ||
          !(linalg::isaContractionOpInterface(producer) ||
            linalg::isaConvolutionOpInterface(producer)))
        continue;
      if (!add.getMatchingIndexingMap(accOperand).isIdentity() ||
          !add.getIndexingMapMatchingResult(add->getResult(0)).isIdentity() ||
          accOperand->get().getType() != add->getResult(0).getType())
        continue;
      OpOperand *init = producer.getDpsInitOperand(0);
      // The add's loops are the dims of the result (identity maps), so
      // `other` broadcasts into the init with the add's map for it.
      if (!isZeroFill(init->get()) ||
          !producer.payloadUsesValueFromOperand(init))
        continue;
      // `other` must be computed before the producer.
      if (Operation *def = other->get().getDefiningOp())
        if (def->getBlock() == producer->getBlock() &&
            producer->isBeforeInBlock(def))
          continue;
      // The accumulator starts as `other` broadcast by the add's map.
      Location loc = add.getLoc();
      rewriter.setInsertionPoint(producer);
      Value start;
      AffineMap otherMap = add.getMatchingIndexingMap(other);
      if (otherMap.isIdentity() &&
          other->get().getType() == init->get().getType()) {
        start = other->get();
      } else {
        auto fill = init->get().getDefiningOp<linalg::FillOp>();
        Value empty = fill.getOutputs()[0];
        SmallVector<AffineMap> maps = {
            otherMap, rewriter.getMultiDimIdentityMap(otherMap.getNumDims())};
        SmallVector<utils::IteratorType> iterators(
            otherMap.getNumDims(), utils::IteratorType::parallel);
        start = linalg::GenericOp::create(
                    rewriter, loc, empty.getType(), ValueRange{other->get()},
                    ValueRange{empty}, maps, iterators,
                    [](OpBuilder &b, Location l, ValueRange args) {
                      linalg::YieldOp::create(b, l, args[0]);
                    })
                    .getResult(0);
      }
      rewriter.modifyOpInPlace(producer, [&] { init->set(start); });
      rewriter.replaceOp(add, producer->getResult(0));
      return success();
    }
    return failure();
  }
};

/// tensor.pad (constant value) of a linalg op's result becomes fills of the
/// padded shape's border, created before that op, and an insert_slice of the
/// result into it. Empty-tensor elimination then lets the op write the interior
/// of the padded buffer directly (no copy), also when the result has other
/// users (they read the interior).
struct PadAsInsertIntoFill : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || pad.getNofold())
      return failure();
    Value source = pad.getSource();
    auto producer = source.getDefiningOp<DestinationStyleOpInterface>();
    if (!producer || !isa<linalg::LinalgOp>(*producer) ||
        producer->getNumResults() != 1)
      return failure();
    // The fill goes before the producer: everything it needs (the pad value,
    // the producer's sizes, the pad amounts) must already be there.
    auto before = [&](Value v) {
      Operation *def = v.getDefiningOp();
      return !def || def->getBlock() != producer->getBlock() ||
             def->isBeforeInBlock(producer);
    };
    if (!before(padValue))
      return failure();
    for (OpFoldResult ofr : llvm::concat<OpFoldResult>(pad.getMixedLowPad(),
                                                       pad.getMixedHighPad()))
      if (auto v = dyn_cast<Value>(ofr); v && !before(v))
        return failure();
    Location loc = pad.getLoc();
    rewriter.setInsertionPoint(producer);
    auto type = cast<RankedTensorType>(pad.getResultType());
    // Sizes come from the producer's init, which has its result's shape.
    Value init = producer.getDpsInitOperand(0)->get();
    SmallVector<OpFoldResult> sizes, strides;
    SmallVector<Value> dynamicSizes;
    AffineExpr s0, s1, s2;
    bindSymbols(rewriter.getContext(), s0, s1, s2);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      OpFoldResult size = tensor::getMixedSize(rewriter, loc, init, d);
      sizes.push_back(size);
      strides.push_back(rewriter.getIndexAttr(1));
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(getValueOrCreateConstantIndexOp(
            rewriter, loc,
            affine::makeComposedFoldedAffineApply(
                rewriter, loc, s0 + s1 + s2,
                {size, pad.getMixedLowPad()[d], pad.getMixedHighPad()[d]})));
    }
    Value filled = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType(), dynamicSizes);
    // Only the border is filled: the producer writes the interior. Slab d
    // holds the pad along dim d, the interior along the dims before it and
    // everything along the dims after it, so that the slabs cover the border
    // once (a full fill wrote a depthwise layer's whole input twice).
    SmallVector<OpFoldResult> low = pad.getMixedLowPad(),
                              high = pad.getMixedHighPad();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      for (bool isLow : {true, false}) {
        OpFoldResult amount = isLow ? low[d] : high[d];
        if (isConstantIntValue(amount, 0))
          continue;
        SmallVector<OpFoldResult> offsets, slabSizes;
        for (int64_t j = 0; j < type.getRank(); ++j) {
          if (j < d) {
            offsets.push_back(low[j]);
            slabSizes.push_back(sizes[j]);
          } else if (j == d) {
            offsets.push_back(
                isLow ? OpFoldResult(rewriter.getIndexAttr(0))
                      : affine::makeComposedFoldedAffineApply(
                            rewriter, loc, s0 + s1, {low[j], sizes[j]}));
            slabSizes.push_back(amount);
          } else {
            offsets.push_back(rewriter.getIndexAttr(0));
            slabSizes.push_back(tensor::getMixedSize(rewriter, loc, filled, j));
          }
        }
        Value slab = tensor::EmptyOp::create(rewriter, loc, slabSizes,
                                             type.getElementType());
        Value border =
            linalg::FillOp::create(rewriter, loc, padValue, slab).getResult(0);
        filled = tensor::InsertSliceOp::create(rewriter, loc, border, filled,
                                               offsets, slabSizes, strides);
      }
    }
    rewriter.setInsertionPoint(pad);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, source, filled, pad.getMixedLowPad(), sizes, strides);
    return success();
  }
};

/// A fill or empty tensor that is the init of several ops gets one copy per
/// use, so that each op can write its own buffer in place.
template <typename OpTy> struct DuplicateSharedInit : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value result = op->getResult(0);
    if (result.hasOneUse() || result.use_empty())
      return failure();
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : result.getUses()) {
      auto user = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
      if (user && user.isDpsInit(&use))
        uses.push_back(&use);
    }
    // The original stays with one user: a user that is not an init if there
    // is one, else the first init.
    if (llvm::all_of(result.getUses(), [&](OpOperand &use) {
          return llvm::is_contained(uses, &use);
        }))
      uses.erase(uses.begin());
    if (uses.empty())
      return failure();
    for (OpOperand *use : uses) {
      rewriter.setInsertionPoint(use->getOwner());
      Operation *copy = rewriter.clone(*op);
      rewriter.modifyOpInPlace(use->getOwner(),
                               [&] { use->set(copy->getResult(0)); });
    }
    return success();
  }
};

struct FuseLinalgPass : anvil::impl::AnvilFuseLinalgBase<FuseLinalgPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = fn.getContext();
    {
      RewritePatternSet patterns(ctx);
      patterns.add<FoldAddIntoContraction>(ctx);
      if (failed(applyPatternsGreedily(fn, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      // Only a producer with a single use is fused: fusing one with several
      // users would compute it once per user. Nor into a reduction that
      // reads each of its elements in several iterations (a contraction's
      // operand): it would compute each element that many times (softmax's
      // division fused into attention's P x V divides 64 times per element),
      // and the contraction would no longer be one.
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [](OpOperand *operand) {
            Operation *producer = operand->get().getDefiningOp();
            if (!producer || !producer->hasOneUse())
              return false;
            auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
            return !consumer || isAllParallel(consumer) ||
                   consumer.getMatchingIndexingMap(operand).isPermutation();
          });
      linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
      patterns.add<PadAsInsertIntoFill>(ctx);
      if (failed(applyPatternsGreedily(fn, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      patterns.add<DuplicateSharedInit<linalg::FillOp>,
                   DuplicateSharedInit<tensor::EmptyOp>>(ctx);
      if (failed(applyPatternsGreedily(fn, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace

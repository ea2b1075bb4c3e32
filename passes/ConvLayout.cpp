//===- ConvLayout.cpp - Channels-last convolutions ------------------------===//
//
// The CPU kernels vectorize the innermost parallel loop. For an NCHW conv that
// is the output width, which is short and strided in the deep layers of a CNN;
// for an NHWC conv it is the output channel, contiguous in the result and in
// HWCF weights. This pass makes the convs that profit channels-last, with
// weights re-laid out here (at compile time), and then sinks the transposes
// back to NCHW through elementwise ops so that consecutive convs cancel them:
// only the model's edges and the ops that stay NCHW convert.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "passes/ConstantBytes.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace anvil {
#define GEN_PASS_DEF_ANVILCONVLAYOUT
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};
/// OIHW (FCHW) weights to HWCF.
constexpr int64_t kWeightToHwcf[] = {2, 3, 1, 0};

SmallVector<int64_t> permuted(ArrayRef<int64_t> shape, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape[p]);
  return out;
}

SmallVector<int64_t> inverse(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inv(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inv[p] = i;
  return inv;
}

/// `attr` (a static constant with byte-sized elements) transposed by `perm`
/// after its shape is replaced by `shape` (same element count, same order),
/// as a new constant: a blob for blob inputs, inline otherwise. Null when the
/// constant cannot be read.
Value relayoutConstant(OpBuilder &rewriter, Location loc, ElementsAttr attr,
                       ArrayRef<int64_t> shape, ArrayRef<int64_t> perm) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return {};
  auto resultType =
      RankedTensorType::get(permuted(shape, perm), type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    return ConstantOp::create(rewriter, loc, resultType,
                              dense.resizeSplat(resultType));
  size_t elementBytes = type.getElementTypeBitWidth() / 8;
  std::string why;
  FailureOr<ConstantBytes> source = constantBytes(attr, why);
  if (failed(source))
    return {};
  ArrayRef<char> bytes = source->bytes;
  int64_t count = type.getNumElements();
  if (bytes.size() != count * elementBytes)
    return {};
  // Element k of the result reads the source at the multi-index whose
  // coordinate perm[d] is the result's coordinate d.
  int64_t rank = shape.size();
  SmallVector<int64_t> srcStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    srcStrides[d] = srcStrides[d + 1] * shape[d + 1];
  ArrayRef<int64_t> outShape = resultType.getShape();
  std::vector<char> out(bytes.size());
  SmallVector<int64_t> index(rank, 0);
  for (int64_t k = 0; k < count; ++k) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += index[d] * srcStrides[perm[d]];
    std::memcpy(out.data() + k * elementBytes,
                bytes.data() + src * elementBytes, elementBytes);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == outShape[d]; --d)
      index[d] = 0;
  }
  return ConstantOp::create(
      rewriter, loc, resultType,
      elementsFromBytes(resultType, out,
                        source->key.empty() ? "" : source->key + "_nhwc"));
}

/// Whether `conv` is a 2-D conv this pass can make channels-last, and the
/// heuristic says it should: every one with at least `minChannels` output
/// channels. An NHWC kernel runs register tiles of output pixels by output
/// channels on weights packed into panels, an NCHW one vectorizes over the
/// output width only; and a model whose convs are all channels-last converts
/// only at its edges (an earlier heuristic kept wide-row convs NCHW: on
/// MobileNetV2 the conversions between them and the depthwise convs cost
/// more than the NCHW kernels gained).
bool wantsChannelsLast(ConvOp conv, int64_t minChannels) {
  RankedTensorType in = conv.getInput().getType();
  RankedTensorType w = conv.getWeight().getType();
  RankedTensorType out = conv.getType();
  if (conv.getChannelsLast() || in.getRank() != 4 || !w.hasStaticShape() ||
      !isa<FloatType>(out.getElementType()) || in.isDynamicDim(1) ||
      out.isDynamicDim(1) || out.isDynamicDim(2) || out.isDynamicDim(3))
    return false;
  int64_t group = conv.getGroup();
  bool depthwise = group > 1 && in.getDimSize(1) == group &&
                   w.getDimSize(0) == group && w.getDimSize(1) == 1;
  if (group != 1 && !depthwise)
    return false;
  if (!matchPattern(conv.getWeight(), m_Constant()))
    return false;
  return out.getDimSize(1) >= minChannels;
}

/// transpose(x → NHWC) · conv(channels_last, HWCF weight) · transpose(→ NCHW).
LogicalResult makeChannelsLast(ConvOp conv, RewriterBase &rewriter) {
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  ElementsAttr weight;
  if (!matchPattern(conv.getWeight(), m_Constant(&weight)))
    return failure();
  RankedTensorType wType = conv.getWeight().getType();
  Value hwcf =
      relayoutConstant(rewriter, loc, weight, wType.getShape(), kWeightToHwcf);
  if (!hwcf)
    return failure();
  RankedTensorType in = conv.getInput().getType();
  Value x = TransposeOp::create(
      rewriter, loc, in.clone(permuted(in.getShape(), kToChannelsLast)),
      conv.getInput(), kToChannelsLast);
  RankedTensorType out = conv.getType();
  auto nhwc = ConvOp::create(
      rewriter, loc, out.clone(permuted(out.getShape(), kToChannelsLast)), x,
      hwcf, conv.getBias(), conv.getStrides(), conv.getPads(),
      conv.getDilations(), conv.getGroup(), /*channels_last=*/true);
  rewriter.replaceOpWithNewOp<TransposeOp>(conv, out, nhwc.getResult(),
                                           kToChannelsFirst);
  return success();
}

/// Whether `t` is a transpose NHWC → NCHW, which the sinking patterns move
/// down (other transposes, e.g. in attention, are left where they are).
bool isToChannelsFirst(TransposeOp t) {
  return t && t.getPerm() == ArrayRef<int64_t>(kToChannelsFirst);
}

/// op(transpose(x, p)) is transpose(op(x), p) for an elementwise op with one
/// operand: the transpose moves towards the next conv, which cancels it.
struct SinkTransposeThroughUnary : RewritePattern {
  SinkTransposeThroughUnary(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<AnvilDialect>(op->getDialect()) ||
        !op->hasTrait<OpTrait::Elementwise>() || op->getNumOperands() != 1 ||
        op->getNumResults() != 1 || op->getNumRegions() != 0)
      return rewriter.notifyMatchFailure(op, "not a unary elementwise op");
    auto t = op->getOperand(0).getDefiningOp<TransposeOp>();
    if (!isToChannelsFirst(t))
      return rewriter.notifyMatchFailure(op, "operand is not NHWC → NCHW");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value x = t.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Operation *moved = rewriter.clone(*op);
    rewriter.modifyOpInPlace(moved, [&] {
      moved->setOperand(0, x);
      moved->getResult(0).setType(xType.clone(resultType.getElementType()));
    });
    rewriter.replaceOpWithNewOp<TransposeOp>(op, resultType,
                                             moved->getResult(0), t.getPerm());
    return success();
  }
};

/// max_pool(transpose(x, p)) is transpose(max_pool{channels_last}(x), p) for
/// a 2-D pooling without indices: the max pooling between two channels-last
/// convs (ResNet's stem) no longer converts twice.
struct SinkTransposeThroughMaxPool : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().getDefiningOp<TransposeOp>();
    if (!isToChannelsFirst(t) || op.getChannelsLast() || op.getIndices() ||
        op.getKernelShape().size() != 2)
      return rewriter.notifyMatchFailure(op, "not a 2-D pooling of NHWC");
    auto out = cast<RankedTensorType>(op.getOutput().getType());
    auto pool = MaxPoolOp::create(
        rewriter, op.getLoc(),
        TypeRange{out.clone(permuted(out.getShape(), kToChannelsLast))},
        t.getInput(), op.getKernelShapeAttr(), op.getStridesAttr(),
        op.getPadsAttr(), op.getDilationsAttr(), op.getCeilModeAttr(),
        op.getColumnMajorIndicesAttr(), rewriter.getUnitAttr());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, out, pool.getOutput(),
                                             t.getPerm());
    return success();
  }
};

/// reduce(transpose(x, p), axes, keepdims) is transpose(reduce(x, axes
/// through p), p): a global pooling reads the channels-last tensor, and the
/// transpose that is left moves a [N, 1, 1, C] tensor.
template <typename ReduceOp>
struct SinkTransposeThroughReduce : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().template getDefiningOp<TransposeOp>();
    if (!isToChannelsFirst(t) || op.getDynamicAxes() || op.getAxes().empty() ||
        !op.getKeepdims())
      return rewriter.notifyMatchFailure(op, "not a static keepdims reduce of "
                                             "NHWC");
    ArrayRef<int64_t> perm = t.getPerm();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes())
      axes.push_back(perm[a < 0 ? a + 4 : a]);
    llvm::sort(axes);
    auto out = cast<RankedTensorType>(op.getOutput().getType());
    auto reduced = ReduceOp::create(
        rewriter, op.getLoc(),
        out.clone(permuted(out.getShape(), kToChannelsLast)), t.getInput(),
        Value(), rewriter.getDenseI64ArrayAttr(axes), op.getKeepdimsAttr(),
        op.getNoopWithEmptyAxesAttr());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, out, reduced.getOutput(),
                                             perm);
    return success();
  }
};

/// An existing NCHW → NHWC transpose of `v` that `user` may use.
Value existingChannelsLast(Value v, Operation *user) {
  for (Operation *t : v.getUsers())
    if (auto transpose = dyn_cast<TransposeOp>(t);
        transpose &&
        transpose.getPerm() == ArrayRef<int64_t>(kToChannelsLast) &&
        transpose->getBlock() == user->getBlock() &&
        transpose->isBeforeInBlock(user))
      return transpose.getResult();
  return {};
}

/// op(transpose(a, p), transpose(b, p)) is transpose(op(a, b), p), and so is
/// op(transpose(a, p), c) for a constant c, re-laid out here, and
/// op(transpose(a, p), b) when b already has a channels-last copy (the
/// input of another conv), which is used instead.
template <typename BinaryOp>
struct SinkTransposeThroughBinary : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    std::optional<ArrayRef<int64_t>> perm;
    for (Value v : op->getOperands())
      if (auto t = v.template getDefiningOp<TransposeOp>()) {
        if (!isToChannelsFirst(t) || rank != 4)
          return rewriter.notifyMatchFailure(op, "not an NHWC → NCHW operand");
        perm = t.getPerm();
      }
    if (!perm)
      return rewriter.notifyMatchFailure(op, "no transposed operand");
    SmallVector<int64_t> inv = inverse(*perm);
    // Check every operand before creating anything.
    SmallVector<ElementsAttr> constants(2);
    SmallVector<Value> operands(2);
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      auto type = cast<RankedTensorType>(v.getType());
      if (auto t = v.template getDefiningOp<TransposeOp>())
        operands[i] = t.getInput();
      else if (type.getRank() == 0)
        operands[i] = v;
      else if (matchPattern(v, m_Constant(&constants[i])) &&
               type.getRank() <= rank)
        continue;
      else if (type.getRank() == rank)
        operands[i] = existingChannelsLast(v, op);
      if (!operands[i])
        return rewriter.notifyMatchFailure(
            op, "an operand is neither transposed, a constant nor available "
                "channels-last");
    }
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      if (operands[i])
        continue;
      // Numpy broadcasting: leading 1s up to the result's rank.
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(rank - type.getRank(), 1);
      llvm::append_range(shape, type.getShape());
      operands[i] =
          relayoutConstant(rewriter, op.getLoc(), constants[i], shape, inv);
      if (!operands[i])
        return rewriter.notifyMatchFailure(op, "constant cannot be read");
    }
    auto inner =
        BinaryOp::create(rewriter, op.getLoc(),
                         resultType.clone(permuted(resultType.getShape(), inv)),
                         operands, op->getAttrs());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, resultType, inner.getResult(),
                                             *perm);
    return success();
  }
};

struct ConvLayoutPass : anvil::impl::AnvilConvLayoutBase<ConvLayoutPass> {
  using AnvilConvLayoutBase::AnvilConvLayoutBase;
  void runOnOperation() override {
    SmallVector<ConvOp> convs;
    getOperation().walk([&](ConvOp conv) {
      if (wantsChannelsLast(conv, minChannels))
        convs.push_back(conv);
    });
    IRRewriter rewriter(&getContext());
    for (ConvOp conv : convs)
      (void)makeChannelsLast(conv, rewriter);

    RewritePatternSet patterns(&getContext());
    patterns.add<
        SinkTransposeThroughUnary, SinkTransposeThroughBinary<AddOp>,
        SinkTransposeThroughBinary<SubOp>, SinkTransposeThroughBinary<MulOp>,
        SinkTransposeThroughBinary<DivOp>, SinkTransposeThroughBinary<MaxOp>,
        SinkTransposeThroughBinary<MinOp>, SinkTransposeThroughMaxPool,
        SinkTransposeThroughReduce<ReduceMeanOp>,
        SinkTransposeThroughReduce<ReduceMaxOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

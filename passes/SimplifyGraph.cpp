//===- SimplifyGraph.cpp - Algebraic graph simplifications ----------------===//
//
// Inference graphs carry work that can be done once, at compile time:
// BatchNormalization after a Conv or Gemm with constant weights folds into
// those weights, a constant per-channel Add folds into the Conv bias,
// transposes of weights become re-laid-out weights, and reshapes that keep
// the shape (with a symbolic batch, which the folders cannot see) vanish.
// Folded weights are new dense resource blobs; the old ones die with their
// last user.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "passes/ConstantBytes.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <cstring>

namespace anvil {
#define GEN_PASS_DEF_ANVILSIMPLIFYGRAPH
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

//===----------------------------------------------------------------------===//
// Constants of any size
//===----------------------------------------------------------------------===//

/// A constant operand: its type, its elements as little-endian bytes, and the
/// name of its blob (empty for an inline constant).
struct Weight {
  RankedTensorType type;
  std::vector<char> bytes;
  std::string name;
  int64_t elementBytes() const { return type.getElementTypeBitWidth() / 8; }
};

/// Reads an inline or blob constant with byte-sized int or float elements.
std::optional<Weight> readWeight(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  size_t size = type.getNumElements() * (type.getElementTypeBitWidth() / 8);
  std::string why;
  FailureOr<ConstantBytes> source = constantBytes(attr, why);
  if (failed(source))
    return std::nullopt;
  Weight w{type, {}, source->key};
  ArrayRef<char> raw = source->bytes;
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (dense && dense.isSplat()) {
    for (int64_t k = 0; k < type.getNumElements(); ++k)
      w.bytes.insert(w.bytes.end(), raw.begin(), raw.end());
  } else {
    w.bytes.assign(raw.begin(), raw.end());
  }
  if (w.bytes.size() != size)
    return std::nullopt;
  return w;
}

/// The elements of an f32 constant.
std::optional<std::vector<float>> readF32(Value v) {
  std::optional<Weight> w = readWeight(v);
  if (!w || !w->type.getElementType().isF32())
    return std::nullopt;
  std::vector<float> out(w->type.getNumElements());
  std::memcpy(out.data(), w->bytes.data(), w->bytes.size());
  return out;
}

/// A new constant of `type` from little-endian `bytes`: a blob named after
/// `name` (made unique), like the importer's weights, or inline when it holds
/// one element or `asBlob` is false (small integer vectors that later folds
/// and the lowering read).
Value createConstant(PatternRewriter &rewriter, Location loc,
                     RankedTensorType type, ArrayRef<char> bytes,
                     StringRef name, bool asBlob = true) {
  StringRef key = type.getNumElements() <= 1 || !asBlob ? ""
                  : name.empty()                        ? "folded"
                                                        : name;
  return ConstantOp::create(rewriter, loc, type,
                            elementsFromBytes(type, bytes, key));
}

Value createF32(PatternRewriter &rewriter, Location loc,
                ArrayRef<int64_t> shape, ArrayRef<float> values,
                StringRef name) {
  return createConstant(
      rewriter, loc, RankedTensorType::get(shape, rewriter.getF32Type()),
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float)),
      name);
}

/// The blob name of a constant operand, for naming what is derived from it.
std::string nameOf(Value v) {
  ElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
      return resource.getRawHandle().getKey().str();
  return "";
}

/// `w` with its dims permuted: result dim i is input dim perm[i].
std::vector<char> permute(const Weight &w, ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> in = w.type.getShape();
  int64_t rank = in.size(), eb = w.elementBytes();
  SmallVector<int64_t> inStrides(rank, 1), out(rank);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * in[d + 1];
  for (int64_t d = 0; d < rank; ++d)
    out[d] = in[perm[d]];
  std::vector<char> result(w.bytes.size());
  SmallVector<int64_t> coord(rank, 0);
  int64_t n = w.type.getNumElements();
  for (int64_t k = 0; k < n; ++k) {
    int64_t from = 0;
    for (int64_t d = 0; d < rank; ++d)
      from += coord[d] * inStrides[perm[d]];
    std::memcpy(&result[k * eb], &w.bytes[from * eb], eb);
    for (int64_t d = rank - 1; d >= 0; --d) { // next result coordinate
      if (++coord[d] < out[d])
        break;
      coord[d] = 0;
    }
  }
  return result;
}

Value transposeConstant(PatternRewriter &rewriter, Location loc,
                        const Weight &w, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(w.type.getDimSize(p));
  // A blob stays a blob; an inline constant stays inline.
  return createConstant(rewriter, loc, w.type.clone(shape), permute(w, perm),
                        w.name + ".transposed", /*asBlob=*/!w.name.empty());
}

//===----------------------------------------------------------------------===//
// BatchNormalization into the producer's weights
//===----------------------------------------------------------------------===//

/// Inference BatchNormalization as y = x * scale[c] + shift[c], from constant
/// f32 statistics with `channels` entries each.
struct ChannelAffine {
  std::vector<double> scale, shift;
};

std::optional<ChannelAffine> readBatchNorm(BatchNormOp bn, int64_t channels) {
  auto gamma = readF32(bn.getScale()), beta = readF32(bn.getBias()),
       mean = readF32(bn.getMean()), var = readF32(bn.getVariance());
  if (!gamma || !beta || !mean || !var)
    return std::nullopt;
  for (auto *v : {&*gamma, &*beta, &*mean, &*var})
    if ((int64_t)v->size() != channels)
      return std::nullopt;
  double eps = bn.getEpsilon().convertToDouble();
  ChannelAffine a;
  for (int64_t c = 0; c < channels; ++c) {
    double s = (*gamma)[c] / std::sqrt((double)(*var)[c] + eps);
    a.scale.push_back(s);
    a.shift.push_back((*beta)[c] - (*mean)[c] * s);
  }
  return a;
}

/// conv(x, W, b) followed by BatchNormalization is conv(x, W * s, b * s + t)
/// with s, t the normalization's per-channel scale and shift.
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || conv.getChannelsLast())
      return rewriter.notifyMatchFailure(bn, "input is not an NCHW conv");
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the conv has other users");
    if (!bn.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(bn, "only f32 is folded");
    std::optional<std::vector<float>> w = readF32(conv.getWeight());
    if (!w)
      return rewriter.notifyMatchFailure(bn, "conv weight is not a constant");
    int64_t channels = conv.getWeight().getType().getDimSize(0);
    std::vector<float> bias(channels, 0.0f);
    if (conv.getBias()) {
      std::optional<std::vector<float>> b = readF32(conv.getBias());
      if (!b || (int64_t)b->size() != channels)
        return rewriter.notifyMatchFailure(bn, "conv bias is not a constant");
      bias = *b;
    }
    if (channels == 0)
      return rewriter.notifyMatchFailure(bn, "no output channels");
    std::optional<ChannelAffine> a = readBatchNorm(bn, channels);
    if (!a)
      return rewriter.notifyMatchFailure(
          bn, "statistics are not per-channel f32 constants");
    int64_t perChannel = w->size() / channels;
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t k = 0; k < perChannel; ++k)
        (*w)[c * perChannel + k] =
            (float)((*w)[c * perChannel + k] * a->scale[c]);
      bias[c] = (float)(bias[c] * a->scale[c] + a->shift[c]);
    }
    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    std::string name = nameOf(conv.getWeight());
    Value weight =
        createF32(rewriter, loc, conv.getWeight().getType().getShape(), *w,
                  name.empty() ? "" : name + ".bn");
    Value b = createF32(rewriter, loc, {channels}, bias,
                        name.empty() ? "" : name + ".bn_bias");
    rewriter.replaceOpWithNewOp<ConvOp>(bn, TypeRange{bn.getType()},
                                        ValueRange{conv.getInput(), weight, b},
                                        conv->getAttrs());
    return success();
  }
};

/// gemm(A, B, C) or a 2-D matmul(A, B) followed by BatchNormalization over
/// the columns is gemm(A, B * s, beta * C * s + t): the columns of op(B)
/// scale, the shift becomes the bias.
struct FoldBatchNormIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    auto gemm = dyn_cast_or_null<GemmOp>(producer);
    auto matmul = dyn_cast_or_null<MatMulOp>(producer);
    if (!gemm && !matmul)
      return rewriter.notifyMatchFailure(bn, "input is not a gemm or matmul");
    if (!producer->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the product has other users");
    if (!bn.getType().getElementType().isF32() || bn.getType().getRank() != 2)
      return rewriter.notifyMatchFailure(bn, "only 2-D f32 is folded");
    Value a = producer->getOperand(0), bValue = producer->getOperand(1);
    if (cast<RankedTensorType>(a.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(bn, "matmul lhs is not 2-D");
    std::optional<std::vector<float>> b = readF32(bValue);
    auto bType = cast<RankedTensorType>(bValue.getType());
    if (!b || bType.getRank() != 2)
      return rewriter.notifyMatchFailure(bn,
                                         "the weight is not a 2-D constant");
    bool transB = gemm && gemm.getTransB();
    int64_t n = bType.getDimSize(transB ? 0 : 1);
    std::optional<ChannelAffine> affine = readBatchNorm(bn, n);
    if (!affine)
      return rewriter.notifyMatchFailure(
          bn, "statistics are not per-column f32 constants");
    // The bias broadcasts over rows: absent, a scalar, [N] or [1, N].
    std::vector<float> c(n, 0.0f);
    double beta = gemm ? gemm.getBeta().convertToDouble() : 1.0;
    if (gemm && gemm.getC()) {
      std::optional<std::vector<float>> given = readF32(gemm.getC());
      auto cType = cast<RankedTensorType>(gemm.getC().getType());
      bool perColumn = cType.getRank() >= 1 &&
                       cType.getDimSize(cType.getRank() - 1) == n &&
                       cType.getNumElements() == n;
      if (!given || (given->size() != 1 && !perColumn))
        return rewriter.notifyMatchFailure(
            bn, "bias is not a constant that broadcasts over rows");
      for (int64_t j = 0; j < n; ++j)
        c[j] = (*given)[given->size() == 1 ? 0 : j];
    }
    if (n == 0)
      return rewriter.notifyMatchFailure(bn, "no output columns");
    int64_t k = bType.getNumElements() / n;
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < k; ++i) {
        float &x = transB ? (*b)[j * k + i] : (*b)[i * n + j];
        x = (float)(x * affine->scale[j]);
      }
      c[j] = (float)(beta * c[j] * affine->scale[j] + affine->shift[j]);
    }
    Location loc = rewriter.getFusedLoc({producer->getLoc(), bn.getLoc()});
    std::string name = nameOf(bValue);
    Value weight = createF32(rewriter, loc, bType.getShape(), *b,
                             name.empty() ? "" : name + ".bn");
    Value bias =
        createF32(rewriter, loc, {n}, c, name.empty() ? "" : name + ".bn_bias");
    NamedAttrList attrs(producer->getAttrs());
    attrs.set("beta", rewriter.getF32FloatAttr(1.0f));
    rewriter.replaceOpWithNewOp<GemmOp>(bn, TypeRange{bn.getType()},
                                        ValueRange{a, weight, bias},
                                        attrs.getAttrs());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Bias adds
//===----------------------------------------------------------------------===//

/// The per-channel values of a constant that broadcasts to [1, C, 1, ...]
/// against a rank-`rank` result with `channels` channels.
std::optional<std::vector<float>> perChannel(Value v, int64_t rank,
                                             int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() > rank)
    return std::nullopt;
  int64_t offset = rank - type.getRank();
  bool varies = false;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t size = type.getDimSize(d);
    if (d + offset == 1 && size == channels)
      varies = true;
    else if (size != 1)
      return std::nullopt;
  }
  std::optional<std::vector<float>> values = readF32(v);
  if (!values)
    return std::nullopt;
  if (!varies)
    return std::vector<float>(channels, (*values)[0]);
  return values;
}

/// conv(x, W, b) + c, with c constant per output channel, is conv(x, W, b + c).
struct FoldAddIntoConvBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto conv = add->getOperand(side).getDefiningOp<ConvOp>();
      Value other = add->getOperand(1 - side);
      if (!conv || conv.getChannelsLast() || !conv->hasOneUse() ||
          !add.getType().getElementType().isF32() ||
          add.getType().getShape() != conv.getType().getShape())
        continue;
      int64_t channels = conv.getWeight().getType().getDimSize(0);
      std::optional<std::vector<float>> c =
          perChannel(other, conv.getType().getRank(), channels);
      if (!c)
        continue;
      std::vector<float> bias(channels, 0.0f);
      if (conv.getBias()) {
        std::optional<std::vector<float>> b = readF32(conv.getBias());
        if (!b || (int64_t)b->size() != channels)
          continue;
        bias = *b;
      }
      for (int64_t k = 0; k < channels; ++k)
        bias[k] += (*c)[k];
      Location loc = rewriter.getFusedLoc({conv.getLoc(), add.getLoc()});
      std::string name = nameOf(conv.getWeight());
      Value b = createF32(rewriter, loc, {channels}, bias,
                          name.empty() ? "" : name + ".bias");
      rewriter.replaceOpWithNewOp<ConvOp>(
          add, TypeRange{add.getType()},
          ValueRange{conv.getInput(), conv.getWeight(), b}, conv->getAttrs());
      return success();
    }
    return rewriter.notifyMatchFailure(
        add, "not a single-use f32 conv plus a constant per-channel bias");
  }
};

//===----------------------------------------------------------------------===//
// Weight re-layout
//===----------------------------------------------------------------------===//

/// A transpose of a constant is the re-laid-out constant, whatever its size:
/// the copy happens once, at compile time.
struct FoldTransposeOfConstant : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Weight> w = readWeight(op.getInput());
    if (!w)
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    SmallVector<int64_t> shape;
    for (int64_t p : op.getPerm())
      shape.push_back(w->type.getDimSize(p));
    if (op.getType() != w->type.clone(shape))
      return rewriter.notifyMatchFailure(op, "result type is not static");
    rewriter.replaceOp(
        op, transposeConstant(rewriter, op.getLoc(), *w, op.getPerm()));
    return success();
  }
};

/// gemm with trans_a / trans_b on a constant operand takes the transposed
/// constant instead, so that no transpose runs.
struct PretransposeGemmOperands : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    bool changed = false;
    auto clear = [&](bool set, OpOperand &operand, StringRef flag) {
      if (!set)
        return;
      std::optional<Weight> w = readWeight(operand.get());
      if (!w)
        return;
      Value t = transposeConstant(rewriter, op.getLoc(), *w, {1, 0});
      rewriter.modifyOpInPlace(op, [&] {
        operand.set(t);
        op->setAttr(flag, rewriter.getBoolAttr(false));
      });
      changed = true;
    };
    rewriter.setInsertionPoint(op);
    clear(op.getTransA(), op.getAMutable(), "trans_a");
    clear(op.getTransB(), op.getBMutable(), "trans_b");
    return success(changed);
  }
};

//===----------------------------------------------------------------------===//
// No-op data movement with symbolic dims
//===----------------------------------------------------------------------===//

/// A reshape to its input's type whose constant target provably keeps every
/// dim: an explicit size equal to a static dim, 0 (copy) at its own position,
/// or one -1 when all other dims are static and non-zero. The folder only
/// sees fully static shapes.
struct RemoveIdentityReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType in = op.getInput().getType();
    if (in != op.getType())
      return rewriter.notifyMatchFailure(op, "the type changes");
    DenseIntElementsAttr target;
    if (!matchPattern(op.getShape(), m_Constant(&target)))
      return rewriter.notifyMatchFailure(op, "target is not a constant");
    SmallVector<int64_t> t;
    for (const APInt &x : target.getValues<APInt>())
      t.push_back(x.getSExtValue());
    int64_t inferred = -1;
    for (auto [d, size] : llvm::enumerate(t)) {
      if (size == -1 && inferred < 0)
        inferred = d;
      else if (!(size == 0 && !op.getAllowzero()) &&
               !(!in.isDynamicDim(d) && in.getDimSize(d) == size))
        return rewriter.notifyMatchFailure(op, "a dim may change");
    }
    if (inferred >= 0)
      for (int64_t d = 0; d < in.getRank(); ++d)
        if (d != inferred && (in.isDynamicDim(d) || in.getDimSize(d) == 0))
          return rewriter.notifyMatchFailure(op, "-1 is not determined");
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// Flatten of a 2-D tensor at axis 1 is the tensor itself.
struct RemoveIdentityFlatten : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType in = op.getInput().getType();
    if (in != op.getType() || in.getRank() != 2 ||
        (op.getAxis() != 1 && op.getAxis() != -1))
      return rewriter.notifyMatchFailure(op, "not a 2-D flatten at axis 1");
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct SimplifyGraphPass
    : anvil::impl::AnvilSimplifyGraphBase<SimplifyGraphPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<FoldBatchNormIntoConv, FoldBatchNormIntoGemm, FoldAddIntoConvBias,
             FoldTransposeOfConstant, PretransposeGemmOperands,
             RemoveIdentityReshape, RemoveIdentityFlatten>(&getContext());
    // Every rewrite removes an op or a flag, so the driver converges; should it
    // stop early, the graph is still correct, only less simplified.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};

} // namespace

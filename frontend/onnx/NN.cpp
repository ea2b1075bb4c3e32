//===- NN.cpp - Importers for convolution, pooling, GEMM and normalization
//-===//
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

/// Window parameters of Conv/ConvTranspose/pooling with auto_pad resolved to
/// explicit pads.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

FailureOr<Window> readWindow(NodeImporter &n, ArrayRef<int64_t> kernel,
                             int64_t spatial, ArrayRef<int64_t> inDims,
                             bool ceilMode) {
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = n.attrInts("strides");
  w.dilations = n.attrInts("dilations");
  w.pads = n.attrInts("pads");
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  if (w.pads.empty())
    w.pads.assign(2 * spatial, 0);
  if ((int64_t)w.kernel.size() != spatial ||
      (int64_t)w.strides.size() != spatial ||
      (int64_t)w.dilations.size() != spatial ||
      (int64_t)w.pads.size() != 2 * spatial) {
    (void)n.fail("kernel_shape, strides, dilations and pads do not match the " +
                 std::to_string(spatial) + " spatial dimensions");
    return failure();
  }
  auto positive = [](int64_t v) { return v >= 1; };
  if (!llvm::all_of(w.strides, positive) ||
      !llvm::all_of(w.dilations, positive) ||
      !llvm::all_of(w.kernel,
                    [](int64_t k) { return sh::isDynamic(k) || k >= 1; })) {
    (void)n.fail("kernel_shape, strides and dilations must be positive");
    return failure();
  }
  if (llvm::any_of(w.pads, [](int64_t p) { return p < 0; })) {
    (void)n.fail("pads must not be negative");
    return failure();
  }
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < spatial; ++i) {
      if (sh::isDynamic(inDims[i]) || sh::isDynamic(w.kernel[i])) {
        (void)n.fail("auto_pad " + autoPad +
                     " needs static spatial dimensions and kernel");
        return failure();
      }
      int64_t out = (inDims[i] + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + span - inDims[i]);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    (void)n.fail("unknown auto_pad '" + autoPad + "'");
    return failure();
  }
  (void)ceilMode;
  return w;
}

/// The window must fit the padded input at least once in every spatial
/// dimension.
LogicalResult checkWindowFits(NodeImporter &n, ArrayRef<int64_t> out) {
  if (llvm::is_contained(out.drop_front(2), 0))
    return n.fail("the window is larger than the padded input");
  return success();
}

LogicalResult importConv(NodeImporter &n) {
  auto x = n.inputType(0), wt = n.inputType(1);
  int64_t spatial = x.getRank() - 2;
  if (spatial < 1 || wt.getRank() != x.getRank())
    return n.fail("input and weight must have the same rank >= 3");
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (n.hasAttr("kernel_shape")) {
    SmallVector<int64_t> given = n.attrInts("kernel_shape");
    if (!sh::compatible(given, kernel))
      return n.fail("kernel_shape does not match the weight");
    kernel = given; // fills in dynamic weight dims
  }
  FailureOr<Window> w =
      readWindow(n, kernel, spatial, x.getShape().drop_front(2), false);
  if (failed(w))
    return failure();
  int64_t group = n.attrInt("group", 1);
  if (group < 1)
    return n.fail("group must be positive");
  int64_t c = x.getDimSize(1);
  if (!sh::isDynamic(c) && !sh::isDynamic(wt.getDimSize(1)) &&
      c != wt.getDimSize(1) * group)
    return n.fail("input has " + std::to_string(c) +
                  " channels but the weight expects " +
                  std::to_string(wt.getDimSize(1) * group));
  sh::Shape out{x.getDimSize(0), wt.getDimSize(0)};
  for (int64_t i = 0; i < spatial; ++i)
    out.push_back(sh::windowOutput(
        x.getDimSize(i + 2), w->kernel[i], w->strides[i], w->pads[i],
        w->pads[i + spatial], w->dilations[i], false));
  if (failed(checkWindowFits(n, out)))
    return failure();
  n.setOutput(0,
              ConvOp::create(n.b, n.loc, x.clone(out), n.input(0), n.input(1),
                             n.hasInput(2) ? n.input(2) : Value(),
                             n.b.getDenseI64ArrayAttr(w->strides),
                             n.b.getDenseI64ArrayAttr(w->pads),
                             n.b.getDenseI64ArrayAttr(w->dilations), group));
  return success();
}

LogicalResult importConvTranspose(NodeImporter &n) {
  auto x = n.inputType(0), wt = n.inputType(1);
  int64_t spatial = x.getRank() - 2;
  if (spatial < 1 || wt.getRank() != x.getRank())
    return n.fail("input and weight must have the same rank >= 3");
  int64_t group = n.attrInt("group", 1);
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (n.hasAttr("kernel_shape")) {
    SmallVector<int64_t> given = n.attrInts("kernel_shape");
    if (!sh::compatible(given, kernel))
      return n.fail("kernel_shape does not match the weight");
    kernel = given;
  }
  if (llvm::any_of(kernel, sh::isDynamic))
    return n.fail("needs a static kernel (or kernel_shape)");
  SmallVector<int64_t> strides = n.attrInts("strides"),
                       dil = n.attrInts("dilations"), pads = n.attrInts("pads"),
                       outPad = n.attrInts("output_padding"),
                       outShape = n.attrInts("output_shape");
  if (strides.empty())
    strides.assign(spatial, 1);
  if (dil.empty())
    dil.assign(spatial, 1);
  if (pads.empty())
    pads.assign(2 * spatial, 0);
  if (outPad.empty())
    outPad.assign(spatial, 0);
  if ((int64_t)strides.size() != spatial || (int64_t)dil.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial || (int64_t)outPad.size() != spatial)
    return n.fail("strides, dilations, pads and output_padding do not match "
                  "the input rank");
  if (!outShape.empty() && (int64_t)outShape.size() != spatial)
    return n.fail("output_shape must have one entry per spatial dimension");
  if (!llvm::all_of(strides, [](int64_t v) { return v >= 1; }) ||
      !llvm::all_of(dil, [](int64_t v) { return v >= 1; }))
    return n.fail("strides and dilations must be positive");
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  sh::Shape out{x.getDimSize(0), sh::isDynamic(wt.getDimSize(1))
                                     ? sh::kDynamic
                                     : wt.getDimSize(1) * group};
  SmallVector<int64_t> effPads(2 * spatial);
  bool explicitSize =
      !outShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = x.getDimSize(i + 2);
    if (sh::isDynamic(in)) {
      // The output size follows the run-time input size; padding that depends
      // on it (auto_pad SAME, output_shape) needs it at compile time.
      if (explicitSize)
        return n.fail(
            "auto_pad SAME and output_shape need static spatial dimensions");
      effPads[i] = autoPad == "VALID" ? 0 : pads[i];
      effPads[i + spatial] =
          (autoPad == "VALID" ? 0 : pads[i + spatial]) - outPad[i];
      out.push_back(sh::kDynamic);
      continue;
    }
    int64_t span = (kernel[i] - 1) * dil[i] + 1;
    int64_t full = strides[i] * (in - 1) + outPad[i] + span;
    int64_t begin = pads[i], end = pads[i + spatial];
    if (explicitSize) {
      int64_t target = outShape.empty() ? in * strides[i] : outShape[i];
      int64_t total = full - target;
      // Floor division, as ONNX's reference: a negative total (output_shape
      // one larger than the natural size) crops at the end.
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      if (autoPad == "SAME_UPPER") {
        begin = half;
        end = total - begin;
      } else {
        end = half;
        begin = total - end;
      }
    } else if (autoPad == "VALID") {
      begin = end = 0;
    }
    // The end padding absorbs output_padding, so one formula gives the output
    // size.
    effPads[i] = begin;
    effPads[i + spatial] = end - outPad[i];
    out.push_back(strides[i] * (in - 1) + span - begin - (end - outPad[i]));
    if (out.back() < 1)
      return n.fail("pads leave no output in spatial dimension " +
                    std::to_string(i));
  }
  n.setOutput(0, ConvTransposeOp::create(n.b, n.loc, x.clone(out), n.input(0),
                                         n.input(1),
                                         n.hasInput(2) ? n.input(2) : Value(),
                                         n.b.getDenseI64ArrayAttr(strides),
                                         n.b.getDenseI64ArrayAttr(effPads),
                                         n.b.getDenseI64ArrayAttr(dil), group));
  return success();
}

/// Pooling ops; MaxPool may add its Indices result. `extra` are op-specific
/// attributes.
template <typename PoolOp, typename... Extra>
LogicalResult importPool(NodeImporter &n, Extra... extra) {
  auto x = n.inputType(0);
  int64_t spatial = x.getRank() - 2;
  if (spatial < 1)
    return n.fail("input must have rank >= 3");
  if (!n.hasAttr("kernel_shape"))
    return n.fail("kernel_shape is required");
  bool ceil = n.attrInt("ceil_mode", 0) != 0;
  FailureOr<Window> w = readWindow(n, n.attrInts("kernel_shape"), spatial,
                                   x.getShape().drop_front(2), ceil);
  if (failed(w))
    return failure();
  sh::Shape out{x.getDimSize(0), x.getDimSize(1)};
  for (int64_t i = 0; i < spatial; ++i)
    out.push_back(sh::windowOutput(
        x.getDimSize(i + 2), w->kernel[i], w->strides[i], w->pads[i],
        w->pads[i + spatial], w->dilations[i], ceil));
  if (failed(checkWindowFits(n, out)))
    return failure();
  SmallVector<Type> types{x.clone(out)};
  if constexpr (std::is_same_v<PoolOp, MaxPoolOp>)
    if (n.outputUsed(1))
      types.push_back(RankedTensorType::get(out, n.b.getI64Type()));
  auto op = PoolOp::create(
      n.b, n.loc, types, n.input(0), n.b.getDenseI64ArrayAttr(w->kernel),
      n.b.getDenseI64ArrayAttr(w->strides), n.b.getDenseI64ArrayAttr(w->pads),
      n.b.getDenseI64ArrayAttr(w->dilations), n.b.getBoolAttr(ceil), extra...);
  for (int i = 0, e = op->getNumResults(); i < e; ++i)
    n.setOutput(i, op->getResult(i));
  return success();
}

template <typename ReduceOp> LogicalResult importGlobalPool(NodeImporter &n) {
  auto x = n.inputType(0);
  if (x.getRank() < 3)
    return n.fail("input must have rank >= 3");
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < x.getRank(); ++i)
    axes.push_back(i);
  n.setOutput(0, ReduceOp::create(n.b, n.loc,
                                  x.clone(sh::reduce(x.getShape(), axes, true)),
                                  n.input(0), Value(),
                                  n.b.getDenseI64ArrayAttr(axes), true, false));
  return success();
}

LogicalResult importMatMul(NodeImporter &n) {
  auto a = n.inputType(0), b = n.inputType(1);
  if (a.getElementType() != b.getElementType())
    return n.fail("operands have different element types");
  std::optional<sh::Shape> out = sh::matmul(a.getShape(), b.getShape());
  if (!out)
    return n.fail("operand shapes are incompatible for MatMul");
  n.setOutput(
      0, MatMulOp::create(n.b, n.loc, a.clone(*out), n.input(0), n.input(1)));
  return success();
}

LogicalResult importGemm(NodeImporter &n) {
  auto a = n.inputType(0), b = n.inputType(1);
  if (a.getRank() != 2 || b.getRank() != 2)
    return n.fail("A and B must be 2-D");
  bool ta = n.attrInt("transA", 0) != 0, tb = n.attrInt("transB", 0) != 0;
  int64_t m = ta ? a.getDimSize(1) : a.getDimSize(0);
  int64_t ka = ta ? a.getDimSize(0) : a.getDimSize(1);
  int64_t kb = tb ? b.getDimSize(1) : b.getDimSize(0);
  int64_t nn = tb ? b.getDimSize(0) : b.getDimSize(1);
  if (!sh::isDynamic(ka) && !sh::isDynamic(kb) && ka != kb)
    return n.fail("contraction sizes differ (" + std::to_string(ka) + " vs " +
                  std::to_string(kb) + ")");
  Value c = n.hasInput(2) ? n.input(2) : Value();
  if (c) {
    auto ct = n.inputType(2);
    std::optional<sh::Shape> bc = sh::broadcast(ct.getShape(), {m, nn});
    if (ct.getRank() > 2 || !bc || !sh::compatible(*bc, {m, nn}))
      return n.fail("C does not broadcast to [M, N]");
  }
  n.setOutput(0, GemmOp::create(n.b, n.loc, a.clone({m, nn}), n.input(0),
                                n.input(1), c,
                                n.b.getF32FloatAttr(n.attrFloat("alpha", 1.0f)),
                                n.b.getF32FloatAttr(n.attrFloat("beta", 1.0f)),
                                n.b.getBoolAttr(ta), n.b.getBoolAttr(tb)));
  return success();
}

LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.attrInt("training_mode", 0) != 0 || n.outputUsed(1) || n.outputUsed(2))
    return n.fail(
        "training-mode BatchNormalization is not supported (inference only)");
  auto x = n.inputType(0);
  if (x.getRank() < 2)
    return n.fail("input must have rank >= 2");
  SmallVector<Value> params;
  for (int i = 1; i <= 4; ++i) {
    auto t = n.inputType(i);
    if (t.getRank() != 1 || !sh::compatible(t.getShape(), {x.getDimSize(1)}))
      return n.fail(
          "scale, B, mean and var must be 1-D with one entry per channel");
    params.push_back(n.cast(n.input(i), x.getElementType()));
  }
  n.setOutput(0, BatchNormOp::create(
                     n.b, n.loc, x, n.input(0), params[0], params[1], params[2],
                     params[3],
                     n.b.getF32FloatAttr(n.attrFloat("epsilon", 1e-5f))));
  return success();
}

LogicalResult importInstanceNorm(NodeImporter &n) {
  auto x = n.inputType(0);
  for (int i = 1; i <= 2; ++i)
    if (n.inputType(i).getRank() != 1 ||
        !sh::compatible(n.inputType(i).getShape(), {x.getDimSize(1)}))
      return n.fail("scale and B must be 1-D with one entry per channel");
  n.setOutput(0, InstanceNormOp::create(
                     n.b, n.loc, x, n.input(0), n.input(1), n.input(2),
                     n.b.getF32FloatAttr(n.attrFloat("epsilon", 1e-5f))));
  return success();
}

/// Mean and 1/sqrt(var + eps) of `x` over dims [axis, rank), kept as size-1
/// dims and computed in `stash` precision: the extra outputs of
/// LayerNormalization.
std::pair<Value, Value> normStatistics(NodeImporter &n, Value x, int64_t axis,
                                       Type stash) {
  auto t = cast<RankedTensorType>(x.getType());
  x = n.cast(x, stash);
  t = t.clone(stash);
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < t.getRank(); ++i)
    axes.push_back(i);
  auto reducedType = t.clone(sh::reduce(t.getShape(), axes, true));
  auto axesAttr = n.b.getDenseI64ArrayAttr(axes);
  Value mean = ReduceMeanOp::create(n.b, n.loc, reducedType, x, Value(),
                                    axesAttr, true, false);
  Value centered = n.binary<SubOp>(x, mean);
  Value var = ReduceMeanOp::create(n.b, n.loc, reducedType,
                                   n.binary<MulOp>(centered, centered), Value(),
                                   axesAttr, true, false);
  Value eps = n.constScalar(stash, n.attrFloat("epsilon", 1e-5f));
  Value invStd =
      n.unary<ReciprocalOp>(n.unary<SqrtOp>(n.binary<AddOp>(var, eps)));
  return {mean, invStd};
}

/// The `stash_type` precision of normalization statistics (float unless the
/// model says).
Type stashType(NodeImporter &n) {
  Type t = convertElementType(*n.b.getContext(), n.attrInt("stash_type", 1));
  return t ? t : n.b.getF32Type();
}

LogicalResult importRMSNorm(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", -1, x.getRank());
  if (failed(axis))
    return failure();
  Type stash = stashType(n);
  Value xs = n.cast(n.input(0), stash);
  auto t = x.clone(stash);
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < x.getRank(); ++i)
    axes.push_back(i);
  Value meanSq = ReduceMeanOp::create(
      n.b, n.loc, t.clone(sh::reduce(t.getShape(), axes, true)),
      n.binary<MulOp>(xs, xs), Value(), n.b.getDenseI64ArrayAttr(axes), true,
      false);
  Value eps = n.constScalar(stash, n.attrFloat("epsilon", 1e-5f));
  Value normalized =
      n.binary<DivOp>(xs, n.unary<SqrtOp>(n.binary<AddOp>(meanSq, eps)));
  Value scale = n.cast(n.input(1), x.getElementType());
  n.setOutput(0,
              n.binary<MulOp>(n.cast(normalized, x.getElementType()), scale));
  return success();
}

LogicalResult importLayerNorm(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", -1, x.getRank());
  if (failed(axis))
    return failure();
  auto normalized = x.getShape().drop_front(*axis);
  for (int i = 1; i <= 2; ++i) {
    if (!n.hasInput(i))
      continue;
    auto ps = n.inputType(i).getShape();
    std::optional<sh::Shape> b = sh::broadcast(ps, normalized);
    if (ps.size() > normalized.size() || !b || !sh::compatible(*b, normalized))
      return n.fail("Scale and B must broadcast to the normalized dimensions");
  }
  if (n.outputUsed(1) || n.outputUsed(2)) {
    auto [mean, invStd] = normStatistics(n, n.input(0), *axis, stashType(n));
    n.setOutput(1, mean);
    n.setOutput(2, invStd);
  }
  n.setOutput(0, LayerNormOp::create(
                     n.b, n.loc, x, n.input(0), n.input(1),
                     n.hasInput(2) ? n.input(2) : Value(),
                     n.b.getI64IntegerAttr(*axis),
                     n.b.getF32FloatAttr(n.attrFloat("epsilon", 1e-5f))));
  return success();
}

/// Softmax-like ops. Before opset 13 they worked on the input coerced to 2-D at
/// `axis`.
template <typename OpTy> LogicalResult importSoftmaxLike(NodeImporter &n) {
  auto x = n.inputType(0);
  int64_t dflt = n.opset < 13 ? 1 : -1;
  FailureOr<int64_t> axis = n.axisAttr("axis", dflt, x.getRank());
  if (failed(axis))
    return failure();
  if (n.opset >= 13 || *axis == x.getRank() - 1) {
    n.setOutput(0, OpTy::create(n.b, n.loc, x, n.input(0), *axis));
    return success();
  }
  auto flatType = x.clone({sh::product(x.getShape().take_front(*axis)),
                           sh::product(x.getShape().drop_front(*axis))});
  Value flat = FlattenOp::create(n.b, n.loc, flatType, n.input(0), *axis);
  Value y = OpTy::create(n.b, n.loc, flatType, flat, 1);
  Value shapeV = ShapeOp::create(
      n.b, n.loc, RankedTensorType::get({x.getRank()}, n.b.getI64Type()),
      n.input(0), 0, IntegerAttr());
  n.setOutput(0, ReshapeOp::create(n.b, n.loc, x, y, shapeV, false));
  return success();
}

LogicalResult importAttention(NodeImporter &n) {
  auto q = n.inputType(0);
  if (n.hasInput(4) != n.hasInput(5))
    return n.fail("past_key and past_value must be given together");
  int64_t qHeads = q.getRank() == 3 ? n.attrInt("q_num_heads", 0) : 0;
  int64_t kvHeads = q.getRank() == 3 ? n.attrInt("kv_num_heads", 0) : 0;
  std::string error;
  std::optional<sh::AttentionShapes> shapes = sh::attention(
      q.getShape(), n.inputType(1).getShape(), n.inputType(2).getShape(),
      n.hasInput(4) ? n.inputType(4).getShape() : ArrayRef<int64_t>(), qHeads,
      kvHeads, error);
  if (!shapes)
    return n.fail(error);
  IntegerAttr qHeadsAttr =
      qHeads ? n.b.getI64IntegerAttr(qHeads) : IntegerAttr();
  IntegerAttr kvHeadsAttr =
      kvHeads ? n.b.getI64IntegerAttr(kvHeads) : IntegerAttr();
  SmallVector<Type> types;
  for (const sh::Shape &s :
       {shapes->y, shapes->presentKey, shapes->presentValue, shapes->qk})
    types.push_back(q.clone(s));
  auto opt = [&](int i) { return n.hasInput(i) ? n.input(i) : Value(); };
  auto op = AttentionOp::create(
      n.b, n.loc, types, n.input(0), n.input(1), n.input(2), opt(3), opt(4),
      opt(5), opt(6), n.b.getBoolAttr(n.attrInt("is_causal", 0) != 0),
      qHeadsAttr, kvHeadsAttr,
      n.b.getI64IntegerAttr(n.attrInt("qk_matmul_output_mode", 0)),
      n.hasAttr("scale") ? n.b.getF32FloatAttr(n.attrFloat("scale", 1.0f))
                         : FloatAttr(),
      n.b.getF32FloatAttr(n.attrFloat("softcap", 0.0f)),
      n.hasAttr("softmax_precision")
          ? n.b.getI64IntegerAttr(n.attrInt("softmax_precision", 1))
          : IntegerAttr(),
      n.b.getI64IntegerAttr(n.attrInt("left_window_size", -1)),
      n.b.getI64IntegerAttr(n.attrInt("right_window_size", -1)));
  for (int i = 0; i < 4; ++i)
    n.setOutput(i, op->getResult(i));
  return success();
}

/// RNN, GRU and LSTM; `gates` is 1, 3 or 4.
LogicalResult importRecurrent(NodeImporter &n, StringRef cell,
                              ArrayRef<StringRef> defaultActivations) {
  auto x = n.inputType(0);
  if (x.getRank() != 3)
    return n.fail("X must be 3-D");
  std::string dir = n.attrString("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return n.fail("unknown direction '" + dir + "'");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  if (n.inputRank(1) != 3 || n.inputRank(2) != 3)
    return n.fail("W and R must be 3-D ([directions, gates * hidden, ...])");
  int64_t h = n.hasAttr("hidden_size")
                  ? n.attrInt("hidden_size", 0)
                  : n.inputType(2).getDimSize(2); // R's last dim
  if (sh::isDynamic(h) || h < 1)
    return n.fail(
        "hidden_size must be positive (or R's last dimension static)");
  int64_t layout = n.attrInt("layout", 0);
  int64_t seq = layout ? x.getDimSize(1) : x.getDimSize(0);
  int64_t batch = layout ? x.getDimSize(0) : x.getDimSize(1);
  SmallVector<Attribute> acts;
  const auto *given = [&]() -> const onnx::AttributeProto * {
    for (const auto &a : n.node.attribute())
      if (a.name() == "activations")
        return &a;
    return nullptr;
  }();
  if (given) {
    for (const std::string &a : given->strings())
      acts.push_back(n.b.getStringAttr(a));
  } else {
    for (int64_t d = 0; d < dirs; ++d)
      for (StringRef a : defaultActivations)
        acts.push_back(n.b.getStringAttr(a));
  }
  auto floats = [&](StringRef name) -> ArrayAttr {
    if (!n.hasAttr(name))
      return {};
    SmallVector<Attribute> v;
    for (float f : n.attrFloats(name))
      v.push_back(n.b.getF32FloatAttr(f));
    return n.b.getArrayAttr(v);
  };
  Type et = x.getElementType();
  auto y = RankedTensorType::get(layout ? sh::Shape{batch, seq, dirs, h}
                                        : sh::Shape{seq, dirs, batch, h},
                                 et);
  auto state = RankedTensorType::get(
      layout ? sh::Shape{batch, dirs, h} : sh::Shape{dirs, batch, h}, et);
  bool lstm = cell == "lstm";
  auto opt = [&](int i) { return n.hasInput(i) ? n.input(i) : Value(); };
  auto op = RecurrentOp::create(
      n.b, n.loc, y, state, lstm ? Type(state) : Type(), n.input(0), n.input(1),
      n.input(2), opt(3), opt(4) ? n.cast(opt(4), n.b.getI32Type()) : Value(),
      opt(5), lstm ? opt(6) : Value(), lstm ? opt(7) : Value(),
      n.b.getStringAttr(cell), n.b.getStringAttr(dir), n.b.getI64IntegerAttr(h),
      n.b.getArrayAttr(acts), floats("activation_alpha"),
      floats("activation_beta"),
      n.hasAttr("clip") ? n.b.getF32FloatAttr(n.attrFloat("clip", 0))
                        : FloatAttr(),
      n.b.getBoolAttr(n.attrInt("input_forget", 0) != 0),
      n.b.getBoolAttr(n.attrInt("linear_before_reset", 0) != 0),
      n.b.getI64IntegerAttr(layout));
  n.setOutput(0, op.getY());
  n.setOutput(1, op.getYH());
  if (lstm)
    n.setOutput(2, op.getYC());
  return success();
}

LogicalResult importLRN(NodeImporter &n) {
  if (n.inputRank(0) < 3)
    return n.fail("input must have rank >= 3");
  int64_t size = n.attrInt("size", 0);
  if (size < 1)
    return n.fail("size must be positive");
  n.setOutput(0, LRNOp::create(n.b, n.loc, n.inputType(0), n.input(0),
                               n.b.getI64IntegerAttr(size),
                               n.b.getF32FloatAttr(n.attrFloat("alpha", 1e-4f)),
                               n.b.getF32FloatAttr(n.attrFloat("beta", 0.75f)),
                               n.b.getF32FloatAttr(n.attrFloat("bias", 1.0f))));
  return success();
}

LogicalResult importGridSample(NodeImporter &n) {
  auto x = n.inputType(0), g = n.inputType(1);
  if (x.getRank() < 3 || g.getRank() != x.getRank())
    return n.fail("X and grid must have the same rank >= 3");
  std::string mode =
      n.attrString("mode", n.opset >= 20 ? "linear" : "bilinear");
  if (mode == "bilinear")
    mode = "linear"; // GridSample-16 spelling
  else if (mode == "bicubic")
    mode = "cubic";
  sh::Shape out{x.getDimSize(0), x.getDimSize(1)};
  llvm::append_range(out, g.getShape().slice(1, x.getRank() - 2));
  n.setOutput(0, GridSampleOp::create(n.b, n.loc, x.clone(out), n.input(0),
                                      n.input(1),
                                      n.attrInt("align_corners", 0) != 0, mode,
                                      n.attrString("padding_mode", "zeros")));
  return success();
}

/// x / ||x||_p along one axis (p = 1 or 2).
LogicalResult importLpNormalization(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", -1, x.getRank());
  if (failed(axis))
    return failure();
  int64_t p = n.attrInt("p", 2);
  auto normType = x.clone(sh::reduce(x.getShape(), {*axis}, true));
  auto axes = n.b.getDenseI64ArrayAttr({*axis});
  Value norm;
  if (p == 1)
    norm = ReduceL1Op::create(n.b, n.loc, normType, n.input(0), Value(), axes,
                              true, false);
  else if (p == 2)
    norm = ReduceL2Op::create(n.b, n.loc, normType, n.input(0), Value(), axes,
                              true, false);
  else
    return n.fail("p must be 1 or 2");
  // ONNX defines x / 0 as 0 here (a zero vector stays zero), not NaN.
  auto scalarType = RankedTensorType::get({}, x.getElementType());
  auto scalar = [&](Attribute v) -> Value {
    return ConstantOp::create(
        n.b, n.loc, scalarType,
        cast<ElementsAttr>(DenseElementsAttr::get(scalarType, v)));
  };
  Value zero = scalar(n.b.getZeroAttr(x.getElementType()));
  Value one = scalar(n.b.getOneAttr(x.getElementType()));
  auto nt = cast<RankedTensorType>(norm.getType());
  Value isZero =
      EqualOp::create(n.b, n.loc, nt.clone(n.b.getI1Type()), norm, zero);
  Value safeNorm = SelectOp::create(n.b, n.loc, nt, isZero, one, norm);
  n.setOutput(0, n.binary<DivOp>(n.input(0), safeNorm));
  return success();
}

/// (x - mean) / sqrt(var) over `axes` (default N, H, W).
LogicalResult importMeanVarianceNormalization(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<SmallVector<int64_t>> given = n.normalizeAxes(
      n.hasAttr("axes") ? n.attrInts("axes") : SmallVector<int64_t>{0, 2, 3},
      x.getRank());
  if (failed(given))
    return failure();
  SmallVector<int64_t> axes = *given;
  llvm::sort(axes);
  auto reduced = x.clone(sh::reduce(x.getShape(), axes, true));
  auto axesAttr = n.b.getDenseI64ArrayAttr(axes);
  Value mean = ReduceMeanOp::create(n.b, n.loc, reduced, n.input(0), Value(),
                                    axesAttr, true, false);
  Value centered = n.binary<SubOp>(n.input(0), mean);
  Value var = ReduceMeanOp::create(n.b, n.loc, reduced,
                                   n.binary<MulOp>(centered, centered), Value(),
                                   axesAttr, true, false);
  Value eps = n.constScalar(x.getElementType(), 1e-9);
  n.setOutput(
      0, n.binary<DivOp>(centered, n.unary<SqrtOp>(n.binary<AddOp>(var, eps))));
  return success();
}

LogicalResult importRotaryEmbedding(NodeImporter &n) {
  auto x = n.inputType(0);
  if (x.getRank() != 3 && x.getRank() != 4)
    return n.fail("X must be 3-D or 4-D");
  int64_t heads = n.attrInt("num_heads", 0);
  if (x.getRank() == 3 && heads < 1)
    return n.fail("3-D input needs num_heads");
  int64_t rotary = n.attrInt("rotary_embedding_dim", 0);
  if (rotary < 0 || rotary % 2)
    return n.fail("rotary_embedding_dim must be even and not negative");
  if (n.inputType(1) != n.inputType(2))
    return n.fail("cos_cache and sin_cache must have one shape and type");
  n.setOutput(
      0, RotaryEmbeddingOp::create(
             n.b, n.loc, x, n.input(0), n.input(1), n.input(2),
             n.hasInput(3) ? n.cast(n.input(3), n.b.getI64Type()) : Value(),
             n.attrInt("interleaved", 0) != 0, heads, rotary));
  return success();
}

} // namespace

void anvil::onnx_frontend::registerNNImporters(OpRegistry &r) {
  r["RotaryEmbedding"] = importRotaryEmbedding;
  r["LRN"] = importLRN;
  r["RNN"] = [](NodeImporter &n) {
    return importRecurrent(n, "rnn", {"Tanh"});
  };
  r["GRU"] = [](NodeImporter &n) {
    return importRecurrent(n, "gru", {"Sigmoid", "Tanh"});
  };
  r["LSTM"] = [](NodeImporter &n) {
    return importRecurrent(n, "lstm", {"Sigmoid", "Tanh", "Tanh"});
  };
  r["GridSample"] = importGridSample;
  r["LpNormalization"] = importLpNormalization;
  r["MeanVarianceNormalization"] = importMeanVarianceNormalization;
  r["Attention"] = importAttention;
  r["Conv"] = importConv;
  r["ConvTranspose"] = importConvTranspose;
  r["MatMul"] = importMatMul;
  r["Gemm"] = importGemm;
  r["MaxPool"] = [](NodeImporter &n) -> LogicalResult {
    return importPool<MaxPoolOp>(
        n, n.b.getBoolAttr(n.attrInt("storage_order", 0) != 0));
  };
  r["AveragePool"] = [](NodeImporter &n) {
    return importPool<AvgPoolOp>(
        n, n.b.getBoolAttr(n.attrInt("count_include_pad", 0) != 0));
  };
  r["LpPool"] = [](NodeImporter &n) {
    return importPool<LpPoolOp>(n, n.b.getI64IntegerAttr(n.attrInt("p", 2)));
  };
  r["GlobalAveragePool"] = importGlobalPool<ReduceMeanOp>;
  r["GlobalMaxPool"] = importGlobalPool<ReduceMaxOp>;
  r["GlobalLpPool"] = [](NodeImporter &n) -> LogicalResult {
    if (n.attrInt("p", 2) == 1)
      return importGlobalPool<ReduceL1Op>(n);
    if (n.attrInt("p", 2) == 2)
      return importGlobalPool<ReduceL2Op>(n);
    return n.fail("only p = 1 or p = 2 is supported");
  };
  r["BatchNormalization"] = importBatchNorm;
  r["InstanceNormalization"] = importInstanceNorm;
  r["LayerNormalization"] = importLayerNorm;
  r["RMSNormalization"] = importRMSNorm;
  r["Softmax"] = importSoftmaxLike<SoftmaxOp>;
  r["LogSoftmax"] = importSoftmaxLike<LogSoftmaxOp>;
  r["Hardmax"] = importSoftmaxLike<HardmaxOp>;
}

//===- AnvilOps.cpp - Verifiers and folders of the anvil graph ops
//---------===//
//
// Every verifier names the constraint it checks; each has a negative test in
// test/Dialect/Graph/invalid.mlir.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace anvil;
namespace sh = anvil::shape;

static RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Reports `what` unless the result shape is compatible with the inferred one.
static LogicalResult checkResultShape(Operation *op, ArrayRef<int64_t> inferred,
                                      Value result, StringRef what = "result") {
  ArrayRef<int64_t> actual = rankedType(result).getShape();
  if (sh::compatible(inferred, actual))
    return success();
  auto diag = op->emitOpError() << what << " shape [";
  llvm::interleaveComma(actual, diag, [&](int64_t d) {
    if (sh::isDynamic(d))
      diag << "?";
    else
      diag << d;
  });
  diag << "] is incompatible with the inferred shape [";
  llvm::interleaveComma(inferred, diag, [&](int64_t d) {
    if (sh::isDynamic(d))
      diag << "?";
    else
      diag << d;
  });
  return diag << "]";
}

/// The integer values of a constant 1-D index operand, if it is a compile-time
/// constant.
static std::optional<SmallVector<int64_t>> constantIndices(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(
      llvm::map_range(attr.getValues<APInt>(),
                      [](const APInt &x) { return x.getSExtValue(); }));
}

static LogicalResult checkAxes(Operation *op, ArrayRef<int64_t> axes,
                               int64_t rank,
                               SmallVectorImpl<int64_t> &normalized) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t axis : axes) {
    std::optional<int64_t> n = sh::normalizeAxis(axis, rank);
    if (!n)
      return op->emitOpError()
             << "axis " << axis << " is out of range for rank " << rank;
    if (!seen.insert(*n).second)
      return op->emitOpError() << "axis " << axis << " appears more than once";
    normalized.push_back(*n);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Shared verifiers
//===----------------------------------------------------------------------===//

LogicalResult anvil::verifyBroadcastResult(Operation *op) {
  std::optional<sh::Shape> shape = sh::Shape();
  for (Value operand : op->getOperands()) {
    shape = sh::broadcast(*shape, rankedType(operand).getShape());
    if (!shape)
      return op->emitOpError("operand shapes are not broadcast-compatible");
  }
  return checkResultShape(op, *shape, op->getResult(0));
}

LogicalResult anvil::verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (!sh::normalizeAxis(axis, rank))
    return op->emitOpError()
           << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult anvil::verifyReduction(Operation *op) {
  auto in = rankedType(op->getOperand(0));
  auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  auto keep = op->getAttrOfType<BoolAttr>("keepdims");
  bool keepdims = !keep || keep.getValue();
  if (op->getNumOperands() > 1) {
    if (!axes.empty())
      return op->emitOpError(
          "takes axes from an attribute or an operand, not both");
    auto out = rankedType(op->getResult(0));
    int64_t n = rankedType(op->getOperand(1)).getDimSize(0);
    if (keepdims && out.getRank() != in.getRank())
      return op->emitOpError(
          "with keepdims the result rank must equal the input rank");
    if (!keepdims && !sh::isDynamic(n) && n > 0 &&
        out.getRank() != in.getRank() - n)
      return op->emitOpError(
          "result rank must be the input rank minus the number of axes");
    return success();
  }
  SmallVector<int64_t> normalized;
  if (failed(checkAxes(op, axes, in.getRank(), normalized)))
    return failure();
  return checkResultShape(op, sh::reduce(in.getShape(), normalized, keepdims),
                          op->getResult(0));
}

LogicalResult anvil::verifyArgReduction(Operation *op) {
  auto in = rankedType(op->getOperand(0));
  int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
  auto keep = op->getAttrOfType<BoolAttr>("keepdims");
  std::optional<int64_t> n = sh::normalizeAxis(axis, in.getRank());
  if (!n)
    return op->emitOpError()
           << "axis " << axis << " is out of range for rank " << in.getRank();
  return checkResultShape(
      op, sh::reduce(in.getShape(), {*n}, !keep || keep.getValue()),
      op->getResult(0));
}

/// A sliding window (conv or pooling) must fit the padded input at least once.
/// `out` is an NCHW result shape, or NHWC with `channelsLast`.
static LogicalResult checkWindowFits(Operation *op, ArrayRef<int64_t> out,
                                     bool channelsLast = false) {
  for (int64_t d :
       channelsLast ? out.slice(1, out.size() - 2) : out.drop_front(2))
    if (d == 0)
      return op->emitOpError("the window is larger than the padded input");
  return success();
}

LogicalResult anvil::verifyPool(Operation *op) {
  auto in = rankedType(op->getOperand(0));
  auto kernel =
      op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape").asArrayRef();
  auto strides = op->getAttrOfType<DenseI64ArrayAttr>("strides").asArrayRef();
  auto pads = op->getAttrOfType<DenseI64ArrayAttr>("pads").asArrayRef();
  auto dilations =
      op->getAttrOfType<DenseI64ArrayAttr>("dilations").asArrayRef();
  auto ceil = op->getAttrOfType<BoolAttr>("ceil_mode");
  int64_t spatial = in.getRank() - 2;
  if (spatial < 1)
    return op->emitOpError("input must have rank >= 3 (N, C, spatial...)");
  if ((int64_t)kernel.size() != spatial || (int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return op->emitOpError() << "kernel_shape, strides and dilations need "
                             << spatial << " entries and pads " << 2 * spatial
                             << " for a rank-" << in.getRank() << " input";
  if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError(
        "kernel_shape, strides and dilations must be positive");
  if (rankedType(op->getResult(0)).getElementType() != in.getElementType())
    return op->emitOpError(
        "result element type must match the input element type");
  // NCHW, or NHWC with channels_last: the spatial dims start at `first`.
  bool channelsLast = op->hasAttr("channels_last");
  if (channelsLast && (spatial != 2 || op->getNumResults() != 1))
    return op->emitOpError(
        "channels_last needs a 2-D pooling without indices (NHWC)");
  int64_t first = channelsLast ? 1 : 2;
  sh::Shape out{in.getDimSize(0)};
  if (!channelsLast)
    out.push_back(in.getDimSize(1));
  for (int64_t i = 0; i < spatial; ++i)
    out.push_back(sh::windowOutput(in.getDimSize(i + first), kernel[i],
                                   strides[i], pads[i], pads[i + spatial],
                                   dilations[i], ceil && ceil.getValue()));
  if (channelsLast)
    out.push_back(in.getDimSize(3));
  if (failed(checkWindowFits(op, out, channelsLast)))
    return failure();
  for (Value result : op->getResults())
    if (failed(checkResultShape(op, out, result)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Math and constants
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::verify() {
  if (getOnTrue().getType().getElementType() !=
          getOnFalse().getType().getElementType() ||
      getOnTrue().getType().getElementType() != getType().getElementType())
    return emitOpError(
        "on_true, on_false and the result must have one element type");
  return verifyBroadcastResult(*this);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("min must not exceed max");
  return success();
}

LogicalResult ConstantOp::verify() {
  auto type = cast<ShapedType>(getValue().getType());
  if (type != getType())
    return emitOpError("value type ")
           << type << " differs from the result type " << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOfShapeOp::verify() {
  auto value = cast<ShapedType>(getValue().getType());
  if (value.getNumElements() != 1)
    return emitOpError("value must hold exactly one element");
  if (value.getElementType() != getType().getElementType())
    return emitOpError("value element type must match the result element type");
  int64_t n = getShape().getType().getDimSize(0);
  if (!sh::isDynamic(n) && n != getType().getRank())
    return emitOpError() << "shape operand has " << n
                         << " elements but the result has rank "
                         << getType().getRank();
  if (auto dims = constantIndices(getShape())) {
    if (llvm::any_of(*dims, [](int64_t d) { return d < 0; }))
      return emitOpError("shape must not contain negative dimensions");
    return checkResultShape(*this, *dims, getOutput());
  }
  return success();
}

/// The [start, end) range of ONNX Shape, clamped as ONNX specifies.
static std::pair<int64_t, int64_t> shapeRange(ShapeOp op) {
  int64_t rank = op.getInput().getType().getRank();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampIndex(op.getStart());
  int64_t end = op.getEnd() ? clampIndex(*op.getEnd()) : rank;
  return {start, std::max(start, end)};
}

LogicalResult ShapeOp::verify() {
  auto [start, end] = shapeRange(*this);
  return checkResultShape(*this, {end - start}, getOutput());
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto [start, end] = shapeRange(*this);
  auto dims = getInput().getType().getShape().slice(start, end - start);
  if (llvm::any_of(dims, sh::isDynamic))
    return {};
  return DenseIntElementsAttr::get(getType(), llvm::to_vector(dims));
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  int64_t n = sh::product(getInput().getType().getShape());
  if (sh::isDynamic(n))
    return {};
  return DenseIntElementsAttr::get(getType(), ArrayRef<int64_t>{n});
}

LogicalResult RangeOp::verify() {
  Type t = getStart().getType().getElementType();
  if (getLimit().getType().getElementType() != t ||
      getDelta().getType().getElementType() != t ||
      getType().getElementType() != t)
    return emitOpError(
        "start, limit, delta and the result must have one element type");
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Data-movement ops keep the element type of their `input`.
static LogicalResult verifySameElementType(Operation *op) {
  Type in = rankedType(op->getOperand(0)).getElementType();
  for (Value result : op->getResults())
    if (rankedType(result).getElementType() != in)
      return op->emitOpError(
          "result element type must match the input element type");
  return success();
}

LogicalResult ReshapeOp::verify() {
  int64_t n = getShape().getType().getDimSize(0);
  if (!sh::isDynamic(n) && n != getType().getRank())
    return emitOpError() << "shape operand has " << n
                         << " elements but the result has rank "
                         << getType().getRank();
  int64_t in = sh::product(getInput().getType().getShape());
  int64_t out = sh::product(getType().getShape());
  if (!sh::isDynamic(in) && !sh::isDynamic(out) && in != out)
    return emitOpError() << "element count changes from " << in << " to "
                         << out;
  return success();
}

/// A data-movement op whose static result type equals its input's is a no-op.
static OpFoldResult foldIdentityMove(Operation *op) {
  Value in = op->getOperand(0);
  auto t = rankedType(op->getResult(0));
  if (in.getType() == t && t.hasStaticShape())
    return in;
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (OpFoldResult same = foldIdentityMove(*this))
    return same;
  // reshape(reshape(x)) is reshape(x) when the outer target does not copy (0)
  // dims of the inner result: -1 and explicit sizes depend only on the element
  // count.
  auto inner = getInput().getDefiningOp<ReshapeOp>();
  auto target = constantIndices(getShape());
  if (inner && target && (getAllowzero() || !llvm::is_contained(*target, 0))) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor) { return foldIdentityMove(*this); }
OpFoldResult ExpandOp::fold(FoldAdaptor) { return foldIdentityMove(*this); }
OpFoldResult TileOp::fold(FoldAdaptor) { return foldIdentityMove(*this); }

OpFoldResult SqueezeOp::fold(FoldAdaptor) {
  if (!getDynamicAxes() && getAxes().empty())
    return getInput();
  return {};
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor) {
  if (!getDynamicAxes() && getAxes().empty())
    return getInput();
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

LogicalResult FlattenOp::verify() {
  auto in = getInput().getType();
  int64_t rank = in.getRank();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  if (axis < 0 || axis > rank)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << rank;
  return checkResultShape(*this,
                          {sh::product(in.getShape().take_front(axis)),
                           sh::product(in.getShape().drop_front(axis))},
                          getOutput());
}

/// Squeeze/Unsqueeze with run-time axes: only the result rank can be checked.
static LogicalResult verifyDynamicAxesRank(Operation *op, int64_t delta) {
  if (!op->getAttrOfType<DenseI64ArrayAttr>("axes").empty())
    return op->emitOpError(
        "takes axes from an attribute or an operand, not both");
  int64_t n = rankedType(op->getOperand(1)).getDimSize(0);
  int64_t rank = rankedType(op->getOperand(0)).getRank();
  if (!sh::isDynamic(n) &&
      rankedType(op->getResult(0)).getRank() != rank + delta * n)
    return op->emitOpError()
           << "result rank must be the input rank "
           << (delta > 0 ? "plus" : "minus") << " the number of axes";
  return verifySameElementType(op);
}

LogicalResult SqueezeOp::verify() {
  auto in = getInput().getType();
  if (getDynamicAxes())
    return verifyDynamicAxesRank(*this, -1);
  if (failed(verifySameElementType(*this)))
    return failure();
  SmallVector<int64_t> axes;
  if (failed(checkAxes(*this, getAxes(), in.getRank(), axes)))
    return failure();
  for (int64_t a : axes)
    if (!sh::isDynamic(in.getDimSize(a)) && in.getDimSize(a) != 1)
      return emitOpError() << "cannot squeeze dimension " << a << " of size "
                           << in.getDimSize(a);
  return checkResultShape(*this, sh::dropDims(in.getShape(), axes),
                          getOutput());
}

LogicalResult UnsqueezeOp::verify() {
  auto in = getInput().getType();
  if (getDynamicAxes())
    return verifyDynamicAxesRank(*this, +1);
  if (failed(verifySameElementType(*this)))
    return failure();
  int64_t outRank = in.getRank() + getAxes().size();
  SmallVector<int64_t> axes;
  if (failed(checkAxes(*this, getAxes(), outRank, axes)))
    return failure();
  sh::Shape out;
  auto it = in.getShape().begin();
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(llvm::is_contained(axes, i) ? 1 : *it++);
  return checkResultShape(*this, out, getOutput());
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != in.getRank())
    return emitOpError() << "perm has " << perm.size() << " entries for a rank-"
                         << in.getRank() << " input";
  SmallVector<bool> used(perm.size(), false);
  sh::Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || used[p])
      return emitOpError("perm must be a permutation of [0, rank)");
    used[p] = true;
    out.push_back(in.getDimSize(p));
  }
  return checkResultShape(*this, out, getOutput());
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (llvm::all_of(llvm::enumerate(getPerm()),
                   [](auto ip) { return (int64_t)ip.index() == ip.value(); }))
    return getInput();
  // transpose(transpose(x, p), q) is transpose(x, p∘q), updated in place.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> p = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t i : getPerm())
      composed.push_back(p[i]);
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  int64_t rank = rankedType(getInputs().front()).getRank();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), rank);
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << rank;
  sh::Shape out(rankedType(getInputs().front()).getShape());
  out[*axis] = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != rank)
      return emitOpError("all inputs must have the same rank");
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = t.getDimSize(i);
      if (i == *axis) {
        out[i] = sh::isDynamic(d) || sh::isDynamic(out[i]) ? sh::kDynamic
                                                           : out[i] + d;
      } else if (sh::isDynamic(out[i])) {
        out[i] = d;
      } else if (!sh::isDynamic(d) && d != out[i]) {
        return emitOpError() << "inputs differ in dimension " << i
                             << ", which is not the concatenation axis";
      }
    }
  }
  return checkResultShape(*this, out, getOutput());
}

LogicalResult SplitOp::verify() {
  auto in = getInput().getType();
  if (failed(verifySameElementType(*this)))
    return failure();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), in.getRank());
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << in.getRank();
  if (getDynamicSizes()) {
    if (!getSizes().empty())
      return emitOpError(
          "takes sizes from an attribute or an operand, not both");
    for (Value result : getOutputs())
      if (rankedType(result).getRank() != in.getRank())
        return emitOpError("results must have the input rank");
    return success();
  }
  if (getSizes().size() != getOutputs().size())
    return emitOpError() << "has " << getSizes().size() << " sizes for "
                         << getOutputs().size() << " results";
  int64_t total = 0;
  for (auto [size, result] : llvm::zip(getSizes(), getOutputs())) {
    if (size < 0)
      return emitOpError("sizes must be non-negative");
    total += size;
    sh::Shape expect(in.getShape());
    expect[*axis] = size;
    if (failed(checkResultShape(*this, expect, result)))
      return failure();
  }
  int64_t dim = in.getDimSize(*axis);
  if (!sh::isDynamic(dim) && total != dim)
    return emitOpError() << "sizes add up to " << total
                         << " but the split dimension is " << dim;
  return success();
}

LogicalResult SliceOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  int64_t n = getStarts().getType().getDimSize(0);
  for (Value v : {getEnds(), getAxes(), getSteps()}) {
    int64_t m = rankedType(v).getDimSize(0);
    if (!sh::isDynamic(n) && !sh::isDynamic(m) && n != m)
      return emitOpError(
          "starts, ends, axes and steps must have the same length");
  }
  if (getType().getRank() != getInput().getType().getRank())
    return emitOpError("result rank must equal the input rank");
  if (auto steps = constantIndices(getSteps()))
    if (llvm::is_contained(*steps, 0))
      return emitOpError("steps must not be zero");
  return success();
}

static LogicalResult verifyGatherLike(Operation *op, int64_t axis,
                                      bool elements) {
  auto in = rankedType(op->getOperand(0));
  auto idx = rankedType(op->getOperand(1));
  auto out = rankedType(op->getResult(0));
  std::optional<int64_t> a = sh::normalizeAxis(axis, in.getRank());
  if (!a)
    return op->emitOpError()
           << "axis " << axis << " is out of range for rank " << in.getRank();
  if (out.getElementType() != in.getElementType())
    return op->emitOpError(
        "result element type must match the input element type");
  if (elements) {
    if (idx.getRank() != in.getRank())
      return op->emitOpError("indices must have the input's rank");
    return checkResultShape(op, idx.getShape(), op->getResult(0));
  }
  sh::Shape expect(in.getShape().take_front(*a));
  llvm::append_range(expect, idx.getShape());
  llvm::append_range(expect, in.getShape().drop_front(*a + 1));
  return checkResultShape(op, expect, op->getResult(0));
}

LogicalResult GatherOp::verify() {
  return verifyGatherLike(*this, getAxis(), false);
}
LogicalResult GatherElementsOp::verify() {
  return verifyGatherLike(*this, getAxis(), true);
}

LogicalResult ExpandOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  int64_t n = getShape().getType().getDimSize(0);
  int64_t rank = getInput().getType().getRank();
  int64_t outRank = getType().getRank();
  if (outRank < rank)
    return emitOpError("result rank must be at least the input rank");
  if (!sh::isDynamic(n) && std::max(n, rank) != outRank)
    return emitOpError() << "result rank " << outRank
                         << " differs from max(input rank " << rank
                         << ", shape length " << n << ")";
  return success();
}

LogicalResult TileOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  int64_t n = getRepeats().getType().getDimSize(0);
  if (!sh::isDynamic(n) && n != getInput().getType().getRank())
    return emitOpError("repeats must have one entry per input dimension");
  if (getType().getRank() != getInput().getType().getRank())
    return emitOpError("result rank must equal the input rank");
  return success();
}

LogicalResult PadOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t n = getPads().getType().getDimSize(0);
  if (getAxes()) {
    int64_t a = getAxes().getType().getDimSize(0);
    if (!sh::isDynamic(n) && !sh::isDynamic(a) && n != 2 * a)
      return emitOpError("pads must have two entries per axis");
  } else if (!sh::isDynamic(n) && n != 2 * rank)
    return emitOpError() << "pads must have " << 2 * rank
                         << " entries for a rank-" << rank << " input";
  if (getType().getRank() != rank)
    return emitOpError("result rank must equal the input rank");
  if (getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("result element type must match the input element type");
  if (getValue() && rankedType(getValue()).getElementType() !=
                        getInput().getType().getElementType())
    return emitOpError(
        "pad value element type must match the input element type");
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return emitOpError() << "unknown mode '" << mode << "'";
  if (auto pads = constantIndices(getPads()); pads && !getAxes()) {
    sh::Shape expect;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = getInput().getType().getDimSize(i);
      expect.push_back(sh::isDynamic(d) ? d
                                        : d + (*pads)[i] + (*pads)[i + rank]);
    }
    return checkResultShape(*this, expect, getOutput());
  }
  return success();
}

LogicalResult ResizeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (failed(verifySameElementType(*this)))
    return failure();
  if (getDynamicTarget() && !getScales().empty())
    return emitOpError(
        "takes scales from an attribute or an operand, not both");
  if (!getDynamicTarget() && (int64_t)getScales().size() != rank)
    return emitOpError() << "scales must have " << rank << " entries";
  if (llvm::any_of(getScales(), [](double s) { return s <= 0; }))
    return emitOpError("scales must be positive");
  StringRef mode = getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError() << "unknown mode '" << mode << "'";
  if (getType().getRank() != rank)
    return emitOpError("result rank must equal the input rank");
  return success();
}

static LogicalResult verifyBlockMove(Operation *op, int64_t block,
                                     bool toSpace) {
  auto in = rankedType(op->getOperand(0));
  if (block < 1)
    return op->emitOpError("blocksize must be positive");
  int64_t c = in.getDimSize(1);
  if (toSpace && !sh::isDynamic(c) && c % (block * block) != 0)
    return op->emitOpError("channels must be divisible by blocksize^2");
  auto scale = [&](int64_t d, bool up) {
    return sh::isDynamic(d) ? d : (up ? d * block : d / block);
  };
  sh::Shape out{
      in.getDimSize(0),
      sh::isDynamic(c) ? c
                       : (toSpace ? c / (block * block) : c * block * block),
      scale(in.getDimSize(2), toSpace), scale(in.getDimSize(3), toSpace)};
  if (!toSpace)
    for (int i = 2; i < 4; ++i)
      if (!sh::isDynamic(in.getDimSize(i)) && in.getDimSize(i) % block != 0)
        return op->emitOpError("spatial dims must be divisible by blocksize");
  return checkResultShape(op, out, op->getResult(0));
}

LogicalResult DepthToSpaceOp::verify() {
  if (getMode() != "DCR" && getMode() != "CRD")
    return emitOpError("mode must be DCR or CRD");
  return verifyBlockMove(*this, getBlocksize(), true);
}

LogicalResult SpaceToDepthOp::verify() {
  return verifyBlockMove(*this, getBlocksize(), false);
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2)
    return emitOpError("input must have rank >= 2");
  return success();
}

LogicalResult GatherNDOp::verify() {
  auto in = getInput().getType(), idx = getIndices().getType();
  int64_t b = getBatchDims();
  if (idx.getRank() < 1 || b < 0 || b >= std::min(in.getRank(), idx.getRank()))
    return emitOpError(
        "batch_dims must be less than the ranks of input and indices");
  int64_t k = idx.getDimSize(idx.getRank() - 1);
  if (sh::isDynamic(k))
    return emitOpError("the last dimension of indices must be static");
  if (b + k > in.getRank())
    return emitOpError() << "index tuples of length " << k
                         << " exceed the input rank";
  if (failed(verifySameElementType(*this)))
    return failure();
  sh::Shape out(idx.getShape().drop_back());
  llvm::append_range(out, in.getShape().drop_front(b + k));
  return checkResultShape(*this, out, getOutput());
}

static LogicalResult verifyScatterReduction(Operation *op,
                                            StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return op->emitOpError() << "unknown reduction '" << reduction << "'";
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  auto in = getInput().getType(), idx = getIndices().getType();
  if (failed(verifyScatterReduction(*this, getReduction())) ||
      failed(verifyAxis(*this, getAxis(), in.getRank())) ||
      failed(verifySameElementType(*this)))
    return failure();
  if (idx.getRank() != in.getRank() ||
      !sh::compatible(idx.getShape(), getUpdates().getType().getShape()))
    return emitOpError(
        "indices and updates must have one shape, of the input's rank");
  return checkResultShape(*this, in.getShape(), getOutput());
}

LogicalResult ScatterNDOp::verify() {
  auto in = getInput().getType(), idx = getIndices().getType();
  if (failed(verifyScatterReduction(*this, getReduction())) ||
      failed(verifySameElementType(*this)))
    return failure();
  int64_t k = idx.getRank() ? idx.getDimSize(idx.getRank() - 1) : sh::kDynamic;
  if (!sh::isDynamic(k)) {
    if (k > in.getRank())
      return emitOpError("index tuples are longer than the input rank");
    sh::Shape upd(idx.getShape().drop_back());
    llvm::append_range(upd, in.getShape().drop_front(k));
    if (!sh::compatible(upd, getUpdates().getType().getShape()))
      return emitOpError(
          "updates must be indices.shape[:-1] + input.shape[k:]");
  }
  return checkResultShape(*this, in.getShape(), getOutput());
}

LogicalResult OneHotOp::verify() {
  auto idx = getIndices().getType();
  if (getDynamicDepth() ? getDepth() != 0 : getDepth() < 1)
    return emitOpError(
        "depth must be positive (or 0 with a dynamic_depth operand)");
  if (getValues().getType().getDimSize(0) != 2)
    return emitOpError("values must hold [off_value, on_value]");
  if (getValues().getType().getElementType() != getType().getElementType())
    return emitOpError("values and the result must have one element type");
  int64_t rank = idx.getRank() + 1;
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), rank);
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << rank;
  sh::Shape out(idx.getShape());
  out.insert(out.begin() + *axis,
             getDynamicDepth() ? sh::kDynamic : getDepth());
  return checkResultShape(*this, out, getOutput());
}

LogicalResult EinsumOp::verify() {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : getInputs()) {
    shapes.push_back(rankedType(v).getShape());
    if (rankedType(v).getElementType() != getType().getElementType())
      return emitOpError("inputs and the result must have one element type");
  }
  std::string explicitEq, error;
  std::optional<sh::Shape> out =
      sh::einsum(getEquation(), shapes, explicitEq, error);
  if (!out)
    return emitOpError() << "equation '" << getEquation() << "': " << error;
  return checkResultShape(*this, *out, getOutput());
}

/// Bits an element occupies in memory (booleans take a byte).
static unsigned storageWidth(Type t) {
  return t.isInteger(1) ? 8 : t.getIntOrFloatBitWidth();
}

LogicalResult BitcastOp::verify() {
  if (storageWidth(getInput().getType().getElementType()) !=
      storageWidth(getType().getElementType()))
    return emitOpError(
        "input and result element types must have the same width");
  return checkResultShape(*this, getInput().getType().getShape(), getOutput());
}

LogicalResult LRNOp::verify() {
  if (getSize() < 1)
    return emitOpError("size must be positive");
  if (getInput().getType().getRank() < 3)
    return emitOpError("input must have rank >= 3 (N, C, spatial...)");
  return success();
}

LogicalResult GridSampleOp::verify() {
  auto in = getInput().getType(), grid = getGrid().getType();
  int64_t rank = in.getRank();
  if (rank < 3 || grid.getRank() != rank)
    return emitOpError("input and grid must have the same rank >= 3");
  if (!sh::compatible({grid.getDimSize(rank - 1)}, {rank - 2}))
    return emitOpError() << "the last grid dimension must be " << rank - 2;
  StringRef mode = getMode(), pad = getPaddingMode();
  if (mode != "linear" && mode != "nearest" && mode != "cubic" &&
      mode != "bilinear" && mode != "bicubic")
    return emitOpError() << "unknown mode '" << mode << "'";
  if (pad != "zeros" && pad != "border" && pad != "reflection")
    return emitOpError() << "unknown padding_mode '" << pad << "'";
  if (failed(verifySameElementType(*this)))
    return failure();
  sh::Shape out{in.getDimSize(0), in.getDimSize(1)};
  llvm::append_range(out, grid.getShape().slice(1, rank - 2));
  return checkResultShape(*this, out, getOutput());
}

LogicalResult NonZeroOp::verify() {
  return checkResultShape(*this, {getInput().getType().getRank(), sh::kDynamic},
                          getOutput());
}

LogicalResult NonMaxSuppressionOp::verify() {
  auto boxes = getBoxes().getType(), scores = getScores().getType();
  if (boxes.getRank() != 3 || !sh::compatible({boxes.getDimSize(2)}, {4}))
    return emitOpError("boxes must be [batch, boxes, 4]");
  if (scores.getRank() != 3 ||
      !sh::compatible({scores.getDimSize(0), scores.getDimSize(2)},
                      {boxes.getDimSize(0), boxes.getDimSize(1)}))
    return emitOpError("scores must be [batch, classes, boxes] matching boxes");
  for (Value v : {getMaxOutput(), getIouThreshold(), getScoreThreshold()})
    if (rankedType(v).getNumElements() != 1 && rankedType(v).hasStaticShape())
      return emitOpError("max_output and the thresholds must hold one value");
  return checkResultShape(*this, {sh::kDynamic, 3}, getSelected());
}

LogicalResult RoiAlignOp::verify() {
  auto in = getInput().getType(), rois = getRois().getType();
  if (!sh::compatible({rois.getDimSize(1)}, {4}))
    return emitOpError("rois must be [num_rois, 4]");
  if (!sh::compatible({getBatchIndices().getType().getDimSize(0)},
                      {rois.getDimSize(0)}))
    return emitOpError("batch_indices must have one entry per roi");
  if (getMode() != "avg" && getMode() != "max")
    return emitOpError("mode must be avg or max");
  if (getOutputHeight() < 1 || getOutputWidth() < 1 || getSamplingRatio() < 0)
    return emitOpError(
        "output sizes must be positive and sampling_ratio not negative");
  if (failed(verifySameElementType(*this)))
    return failure();
  return checkResultShape(*this,
                          {rois.getDimSize(0), in.getDimSize(1),
                           getOutputHeight(), getOutputWidth()},
                          getOutput());
}

LogicalResult CompressOp::verify() {
  auto in = getInput().getType();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), in.getRank());
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << in.getRank();
  if (failed(verifySameElementType(*this)))
    return failure();
  sh::Shape out(in.getShape());
  out[*axis] = sh::kDynamic;
  return checkResultShape(*this, out, getOutput());
}

LogicalResult EyeLikeOp::verify() {
  return checkResultShape(*this, getInput().getType().getShape(), getOutput());
}

LogicalResult ReverseSequenceOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("input must have rank >= 2");
  int64_t b = getBatchAxis(), t = getTimeAxis();
  if (!((b == 0 && t == 1) || (b == 1 && t == 0)))
    return emitOpError(
        "batch_axis and time_axis must be 0 and 1 in some order");
  if (!sh::compatible({getLengths().getType().getDimSize(0)},
                      {in.getDimSize(b)}))
    return emitOpError("lengths must have one entry per batch entry");
  return success();
}

LogicalResult UniqueOp::verify() {
  auto in = getInput().getType();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), in.getRank());
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << in.getRank();
  if (getOutput().getType().getElementType() != in.getElementType())
    return emitOpError("output element type must match the input element type");
  sh::Shape out(in.getShape());
  out[*axis] = sh::kDynamic;
  if (failed(checkResultShape(*this, out, getOutput())) ||
      failed(checkResultShape(*this, {in.getDimSize(*axis)},
                              getInverseIndices(), "inverse_indices")))
    return failure();
  return success();
}

LogicalResult RotaryEmbeddingOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank != 3 && rank != 4)
    return emitOpError("input must be 3-D or 4-D");
  if (rank == 3 && getNumHeads() < 1)
    return emitOpError("3-D input needs a positive num_heads");
  if (getCosCache().getType() != getSinCache().getType())
    return emitOpError("cos_cache and sin_cache must have one type");
  if (getRotaryEmbeddingDim() < 0 || getRotaryEmbeddingDim() % 2 != 0)
    return emitOpError("rotary_embedding_dim must be even and not negative");
  return success();
}

//===----------------------------------------------------------------------===//
// Neural-network ops
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  std::optional<sh::Shape> out =
      sh::matmul(getLhs().getType().getShape(), getRhs().getType().getShape());
  if (!out)
    return emitOpError("operand shapes are incompatible for matmul");
  return checkResultShape(*this, *out, getOutput());
}

LogicalResult GemmOp::verify() {
  auto a = getA().getType().getShape(), b = getB().getType().getShape();
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (!sh::isDynamic(ka) && !sh::isDynamic(kb) && ka != kb)
    return emitOpError() << "contraction sizes differ (" << ka << " vs " << kb
                         << ")";
  if (getC()) {
    auto c = rankedType(getC()).getShape();
    std::optional<sh::Shape> bc = sh::broadcast(c, {m, n});
    if (c.size() > 2 || !bc || !sh::compatible(*bc, {m, n}))
      return emitOpError("c must be unidirectionally broadcastable to [M, N]");
  }
  return checkResultShape(*this, {m, n}, getOutput());
}

template <typename ConvLike>
static LogicalResult verifyConvAttrs(ConvLike op, int64_t spatial) {
  if ((int64_t)op.getStrides().size() != spatial ||
      (int64_t)op.getDilations().size() != spatial ||
      (int64_t)op.getPads().size() != 2 * spatial)
    return op.emitOpError() << "strides and dilations need " << spatial
                            << " entries and pads " << 2 * spatial;
  if (op.getGroup() < 1)
    return op.emitOpError("group must be positive");
  if (llvm::any_of(op.getStrides(), [](int64_t s) { return s < 1; }) ||
      llvm::any_of(op.getDilations(), [](int64_t d) { return d < 1; }))
    return op.emitOpError("strides and dilations must be positive");
  return success();
}

LogicalResult ConvOp::verify() {
  auto inType = getInput().getType();
  auto wType = getWeight().getType();
  int64_t spatial = inType.getRank() - 2;
  if (spatial < 1 || wType.getRank() != inType.getRank())
    return emitOpError("input and weight must have the same rank >= 3");
  if (failed(verifyConvAttrs(*this, spatial)))
    return failure();
  // A channels-last conv is checked through its NCHW / OIHW view.
  sh::Shape in(inType.getShape()), w(wType.getShape());
  if (getChannelsLast()) {
    if (spatial != 2)
      return emitOpError("channels_last needs a 2-D convolution");
    in = {in[0], in[3], in[1], in[2]};
    w = {w[3], w[2], w[0], w[1]};
    bool depthwise = !sh::isDynamic(in[1]) && in[1] == getGroup() &&
                     !sh::isDynamic(w[0]) && w[0] == getGroup() && w[1] == 1;
    if (getGroup() != 1 && !depthwise)
      return emitOpError("channels_last needs group 1 or a depthwise "
                         "convolution with static channels");
  }
  int64_t c = in[1], wc = w[1], m = w[0];
  if (!sh::isDynamic(c) && !sh::isDynamic(wc) && c != wc * getGroup())
    return emitOpError() << "input has " << c << " channels but weight expects "
                         << wc << " x group " << getGroup();
  if (!sh::isDynamic(m) && m % getGroup() != 0)
    return emitOpError("output channels must be divisible by group");
  if (getBias() && !sh::compatible(rankedType(getBias()).getShape(), {m}))
    return emitOpError("bias must be 1-D with one entry per output channel");
  sh::Shape out{in[0], m};
  for (int64_t i = 0; i < spatial; ++i)
    out.push_back(sh::windowOutput(in[i + 2], w[i + 2], getStrides()[i],
                                   getPads()[i], getPads()[i + spatial],
                                   getDilations()[i], false));
  if (failed(checkWindowFits(*this, out)))
    return failure();
  if (getChannelsLast())
    out = {out[0], out[2], out[3], out[1]};
  return checkResultShape(*this, out, getOutput());
}

LogicalResult ConvTransposeOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  int64_t spatial = in.getRank() - 2;
  if (spatial < 1 || w.getRank() != in.getRank())
    return emitOpError("input and weight must have the same rank >= 3");
  if (failed(verifyConvAttrs(*this, spatial)))
    return failure();
  int64_t c = in.getDimSize(1), wc = w.getDimSize(0);
  if (!sh::isDynamic(c) && !sh::isDynamic(wc) && c != wc)
    return emitOpError() << "input has " << c << " channels but weight expects "
                         << wc;
  int64_t m = sh::isDynamic(w.getDimSize(1)) ? sh::kDynamic
                                             : w.getDimSize(1) * getGroup();
  if (getBias() && !sh::compatible(rankedType(getBias()).getShape(), {m}))
    return emitOpError("bias must be 1-D with one entry per output channel");
  if (getType().getRank() != in.getRank() ||
      !sh::compatible(getType().getShape().take_front(2),
                      {in.getDimSize(0), m}))
    return emitOpError("result must be [N, group * weight.dim(1), spatial...]");
  return success();
}

template <typename NormOp>
static LogicalResult verifyPerChannel(NormOp op, ArrayRef<Value> params) {
  auto in = op.getInput().getType();
  if (in.getRank() < 2)
    return op.emitOpError("input must have rank >= 2 (N, C, ...)");
  for (Value p : params)
    if (!sh::compatible(rankedType(p).getShape(), {in.getDimSize(1)}))
      return op.emitOpError("per-channel parameters must be 1-D of size C");
  return checkResultShape(op, in.getShape(), op.getOutput());
}

LogicalResult BatchNormOp::verify() {
  return verifyPerChannel(*this,
                          {getScale(), getBias(), getMean(), getVariance()});
}

LogicalResult InstanceNormOp::verify() {
  return verifyPerChannel(*this, {getScale(), getBias()});
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), in.getRank());
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << in.getRank();
  auto normalized = in.getShape().drop_front(*axis);
  for (Value p : {getScale(), getBias()}) {
    if (!p)
      continue;
    auto ps = rankedType(p).getShape();
    std::optional<sh::Shape> b = sh::broadcast(ps, normalized);
    if (ps.size() > normalized.size() || !b || !sh::compatible(*b, normalized))
      return emitOpError(
          "scale and bias must broadcast to the normalized dimensions");
  }
  return checkResultShape(*this, in.getShape(), getOutput());
}

LogicalResult RecurrentOp::verify() {
  StringRef cell = getCell(), dir = getDirection();
  int64_t gates = cell == "rnn"    ? 1
                  : cell == "gru"  ? 3
                  : cell == "lstm" ? 4
                                   : 0;
  if (!gates)
    return emitOpError() << "unknown cell '" << cell << "'";
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return emitOpError() << "unknown direction '" << dir << "'";
  if (getLayout() != 0 && getLayout() != 1)
    return emitOpError("layout must be 0 or 1");
  if ((cell == "lstm") != (bool)getYC())
    return emitOpError("y_c exists exactly for LSTM");
  if (getHiddenSize() < 1)
    return emitOpError("hidden_size must be positive");
  int64_t dirs = dir == "bidirectional" ? 2 : 1, h = getHiddenSize();
  auto x = getX().getType();
  if (x.getRank() != 3)
    return emitOpError("x must be 3-D");
  int64_t seq = getLayout() ? x.getDimSize(1) : x.getDimSize(0);
  int64_t batch = getLayout() ? x.getDimSize(0) : x.getDimSize(1);
  if (failed(checkResultShape(*this, {dirs, gates * h, x.getDimSize(2)}, getW(),
                              "w")) ||
      failed(checkResultShape(*this, {dirs, gates * h, h}, getR(), "r")) ||
      (getBias() && failed(checkResultShape(*this, {dirs, 2 * gates * h},
                                            getBias(), "bias"))))
    return failure();
  sh::Shape y = getLayout() ? sh::Shape{batch, seq, dirs, h}
                            : sh::Shape{seq, dirs, batch, h};
  sh::Shape state =
      getLayout() ? sh::Shape{batch, dirs, h} : sh::Shape{dirs, batch, h};
  if (failed(checkResultShape(*this, y, getY(), "y")) ||
      failed(checkResultShape(*this, state, getYH(), "y_h")) ||
      (getYC() && failed(checkResultShape(*this, state, getYC(), "y_c"))))
    return failure();
  return success();
}

LogicalResult AttentionOp::verify() {
  if ((bool)getPastKey() != (bool)getPastValue())
    return emitOpError("past_key and past_value come together");
  if (getQkMatmulOutputMode() < 0 || getQkMatmulOutputMode() > 3)
    return emitOpError("qk_matmul_output_mode must be 0, 1, 2 or 3");
  std::string error;
  std::optional<sh::AttentionShapes> shapes = sh::attention(
      getQ().getType().getShape(), getK().getType().getShape(),
      getV().getType().getShape(),
      getPastKey() ? rankedType(getPastKey()).getShape() : ArrayRef<int64_t>(),
      getQNumHeads().value_or(0), getKvNumHeads().value_or(0), error);
  if (!shapes)
    return emitOpError(error);
  if (failed(checkResultShape(*this, shapes->y, getOutput())) ||
      failed(checkResultShape(*this, shapes->presentKey, getPresentKey(),
                              "present_key")) ||
      failed(checkResultShape(*this, shapes->presentValue, getPresentValue(),
                              "present_value")) ||
      failed(checkResultShape(*this, shapes->qk, getQkOutput(), "qk_output")))
    return failure();
  return success();
}

LogicalResult TopKOp::verify() {
  auto in = getInput().getType();
  std::optional<int64_t> axis = sh::normalizeAxis(getAxis(), in.getRank());
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << in.getRank();
  if (getValues().getType().getShape() != getIndices().getType().getShape())
    return emitOpError("values and indices must have the same shape");
  if (getValues().getType().getElementType() != in.getElementType())
    return emitOpError("values must have the input element type");
  sh::Shape expect(in.getShape());
  expect[*axis] = sh::kDynamic;
  if (auto k = constantIndices(getK())) {
    if (k->size() != 1 || (*k)[0] < 0)
      return emitOpError("k must be one non-negative value");
    if (!sh::isDynamic(in.getDimSize(*axis)) && (*k)[0] > in.getDimSize(*axis))
      return emitOpError() << "k = " << (*k)[0] << " exceeds the axis size "
                           << in.getDimSize(*axis);
    expect[*axis] = (*k)[0];
  }
  return checkResultShape(*this, expect, getValues());
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

template <typename QOp>
static LogicalResult verifyQuantParams(QOp op, RankedTensorType real,
                                       RankedTensorType quant) {
  auto scale = rankedType(op.getScale());
  auto zp = rankedType(op.getZeroPoint());
  if (!isa<FloatType>(real.getElementType()))
    return op.emitOpError("the real-valued side must be a float tensor");
  if (zp.getElementType() != quant.getElementType())
    return op.emitOpError("zero_point must have the quantized element type");
  if (scale.getShape() != zp.getShape() &&
      !(scale.getNumElements() == 1 && zp.getNumElements() == 1))
    return op.emitOpError("scale and zero_point must have the same shape");
  if (op.getBlockSize() < 0)
    return op.emitOpError("block_size must not be negative");
  if (op.getBlockSize() > 0) {
    std::optional<int64_t> axis =
        sh::normalizeAxis(op.getAxis(), real.getRank());
    if (!axis)
      return op.emitOpError() << "axis " << op.getAxis() << " is out of range";
    sh::Shape blocks(real.getShape());
    int64_t d = blocks[*axis], bs = op.getBlockSize();
    blocks[*axis] = sh::isDynamic(d) ? d : (d + bs - 1) / bs;
    if (!sh::compatible(scale.getShape(), blocks))
      return op.emitOpError(
          "blocked scale must be the input shape with axis divided into "
          "blocks");
  } else if (scale.getRank() > 1 ||
             (scale.getRank() == 1 && scale.getDimSize(0) != 1)) {
    std::optional<int64_t> axis =
        sh::normalizeAxis(op.getAxis(), real.getRank());
    if (!axis)
      return op.emitOpError() << "axis " << op.getAxis() << " is out of range";
    if (scale.getRank() == 1 &&
        !sh::compatible(scale.getShape(), {real.getDimSize(*axis)}))
      return op.emitOpError(
          "per-axis scale must have one entry per element of axis");
  }
  return checkResultShape(op, rankedType(op.getInput()).getShape(),
                          op.getOutput());
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantParams(*this, getInput().getType(), getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantParams(*this, getType(), getInput().getType());
}

#define GET_OP_CLASSES
#include "dialects/Graph/AnvilOps.cpp.inc"

//===- Tensor.cpp - Importers for constants, shapes and data movement
//------===//
#include "frontend/onnx/GraphImporter.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

RankedTensorType i64Vector(NodeImporter &n, int64_t size) {
  return RankedTensorType::get({size}, n.b.getI64Type());
}

/// An integer list that was an attribute in older opsets and an input in newer
/// ones.
std::optional<SmallVector<int64_t>> intsAttrOrInput(NodeImporter &n,
                                                    StringRef attr,
                                                    int inputIndex,
                                                    int64_t sinceOpset) {
  if (n.opset < sinceOpset) {
    if (!n.hasAttr(attr))
      return std::nullopt;
    return n.attrInts(attr);
  }
  if (!n.hasInput(inputIndex))
    return std::nullopt;
  return n.constInts(inputIndex);
}

LogicalResult importConstant(NodeImporter &n) {
  Builder &b = n.b;
  ElementsAttr value;
  if (const onnx::TensorProto *t = n.attrTensor("value")) {
    FailureOr<ElementsAttr> v = n.graph.convertTensor(*t, "Constant value");
    if (failed(v))
      return failure();
    value = *v;
  } else if (n.hasAttr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   n.attrFloat("value_float", 0));
  } else if (n.hasAttr("value_floats")) {
    auto f = n.attrFloats("value_floats");
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)f.size()}, b.getF32Type()),
        ArrayRef<float>(f));
  } else if (n.hasAttr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   n.attrInt("value_int", 0));
  } else if (n.hasAttr("value_ints")) {
    auto v = n.attrInts("value_ints");
    value =
        DenseElementsAttr::get(i64Vector(n, v.size()), ArrayRef<int64_t>(v));
  } else {
    return n.fail(
        "only tensor, float(s) and int(s) constants are supported (no "
        "sparse_value or strings)");
  }
  if (n.hadError())
    return failure();
  n.setOutput(0, ConstantOp::create(n.b, n.loc, value.getType(), value));
  return success();
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  ElementsAttr value;
  if (const onnx::TensorProto *t = n.attrTensor("value")) {
    FailureOr<ElementsAttr> v =
        n.graph.convertTensor(*t, "ConstantOfShape value");
    if (failed(v))
      return failure();
    value = *v;
    if (cast<ShapedType>(value.getType()).getNumElements() != 1)
      return n.fail("value must hold exactly one element");
    auto one = RankedTensorType::get({1}, value.getElementType());
    if (auto dense = dyn_cast<DenseElementsAttr>(value))
      value = dense.reshape(one);
    else
      return n.fail("value must be a small constant");
  } else {
    value = DenseElementsAttr::get(RankedTensorType::get({1}, n.b.getF32Type()),
                                   0.0f);
  }
  auto dims = n.knownInts(0);
  if (!dims)
    return n.fail("the length of the shape input must be known");
  Value v = ConstantOfShapeOp::create(
      n.b, n.loc, RankedTensorType::get(*dims, value.getElementType()),
      n.input(0), value);
  auto dense = dyn_cast<DenseIntElementsAttr>(value);
  if (dims->size() == 1 && !sh::isDynamic((*dims)[0]) && dense &&
      value.getElementType().isInteger(64))
    n.setKnownInts(
        v, SmallVector<int64_t>((*dims)[0], (*dense.begin()).getSExtValue()));
  n.setOutput(0, v);
  return success();
}

LogicalResult importShape(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t rank = t.getRank();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = n.opset >= 15 ? n.attrInt("start", 0) : 0;
  std::optional<int64_t> end;
  if (n.opset >= 15 && n.hasAttr("end"))
    end = n.attrInt("end", rank);
  int64_t s = clampIndex(start), e = std::max(s, end ? clampIndex(*end) : rank);
  Value v = ShapeOp::create(n.b, n.loc, i64Vector(n, e - s), n.input(0), start,
                            end ? n.b.getI64IntegerAttr(*end) : IntegerAttr());
  n.setKnownInts(v, t.getShape().slice(s, e - s));
  SmallVector<DimRef> sources;
  for (int64_t i = s; i < e; ++i)
    sources.push_back({n.input(0), i});
  n.setDimSources(v, sources);
  n.setOutput(0, v);
  return success();
}

LogicalResult importGather(NodeImporter &n) {
  auto t = n.inputType(0), idx = n.inputType(1);
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, t.getRank());
  if (failed(axis))
    return failure();
  if (!isa<IntegerType>(idx.getElementType()))
    return n.fail("indices must be integers");
  int64_t dim = t.getDimSize(*axis);
  if (auto c = n.constInts(1); c && !sh::isDynamic(dim))
    for (int64_t i : *c)
      if (i < -dim || i >= dim)
        return n.fail("index " + std::to_string(i) +
                      " is out of range for a dimension of " +
                      std::to_string(dim));
  Value indices = n.cast(n.input(1), n.b.getI64Type());
  sh::Shape out(t.getShape().take_front(*axis));
  llvm::append_range(out, idx.getShape());
  llvm::append_range(out, t.getShape().drop_front(*axis + 1));
  Value v =
      GatherOp::create(n.b, n.loc, t.clone(out), n.input(0), indices, *axis);
  // Shape arithmetic: picking entries out of a known shape vector.
  auto known = n.graph.knownInts.find(n.input(0));
  auto constIdx = n.constInts(1);
  if (known != n.graph.knownInts.end() && constIdx && t.getRank() == 1 &&
      idx.getRank() <= 1) {
    SmallVector<int64_t> picked;
    SmallVector<DimRef> sources, from = n.dimSources(0);
    int64_t size = known->second.size();
    for (int64_t i : *constIdx) {
      if (i < -size || i >= size)
        break;
      int64_t at = i < 0 ? i + size : i;
      picked.push_back(known->second[at]);
      sources.push_back(from.empty() ? DimRef() : from[at]);
    }
    if ((int64_t)picked.size() == (int64_t)constIdx->size()) {
      n.setKnownInts(v, picked);
      n.setDimSources(v, sources);
    }
  }
  n.setOutput(0, v);
  return success();
}

LogicalResult importGatherElements(NodeImporter &n) {
  auto t = n.inputType(0), idx = n.inputType(1);
  if (idx.getRank() != t.getRank())
    return n.fail("indices must have the same rank as data");
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, t.getRank());
  if (failed(axis))
    return failure();
  n.setOutput(0, GatherElementsOp::create(
                     n.b, n.loc, t.clone(idx.getShape()), n.input(0),
                     n.cast(n.input(1), n.b.getI64Type()), *axis));
  return success();
}

/// Number of elements ONNX Slice takes from a dimension of size `dim`.
int64_t sliceLength(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (sh::isDynamic(dim))
    return sh::kDynamic;
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  // After clamping, start and end lie within [-1, dim], so only the step can be
  // huge: ceil(span / step) computed as (span - 1) / step + 1 does not
  // overflow.
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return end > start ? (end - start - 1) / step + 1 : 0;
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  if (start <= end)
    return 0;
  return step == std::numeric_limits<int64_t>::min()
             ? 1
             : (start - end - 1) / -step + 1;
}

LogicalResult importSlice(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t rank = t.getRank();
  Value starts, ends, axesV, stepsV;
  std::optional<SmallVector<int64_t>> s, e, a, st;
  if (n.opset < 10) {
    s = n.attrInts("starts");
    e = n.attrInts("ends");
    if (n.hasAttr("axes"))
      a = n.attrInts("axes");
    starts = n.constI64(*s);
    ends = n.constI64(*e);
  } else {
    starts = n.cast(n.input(1), n.b.getI64Type());
    ends = n.cast(n.input(2), n.b.getI64Type());
    s = n.constInts(1);
    e = n.constInts(2);
    if (n.hasInput(3)) {
      a = n.constInts(3);
      axesV = n.cast(n.input(3), n.b.getI64Type());
      if (!a) { // axes known only at run time: any dimension may change
        Value stepsRt =
            n.hasInput(4) ? n.cast(n.input(4), n.b.getI64Type()) : Value();
        if (!stepsRt) {
          int64_t count = n.inputType(1).getDimSize(0);
          if (sh::isDynamic(count))
            return n.fail("the number of sliced axes must be known");
          stepsRt = n.constI64(SmallVector<int64_t>(count, 1));
        }
        n.setOutput(0, SliceOp::create(
                           n.b, n.loc, t.clone(sh::Shape(rank, sh::kDynamic)),
                           n.input(0), starts, ends, axesV, stepsRt));
        return success();
      }
    }
    if (n.hasInput(4)) {
      st = n.constInts(4);
      stepsV = n.cast(n.input(4), n.b.getI64Type());
    }
  }
  int64_t count = cast<RankedTensorType>(starts.getType()).getDimSize(0);
  if (sh::isDynamic(count))
    return n.fail("the number of sliced axes must be known");
  if (!a) {
    a = SmallVector<int64_t>();
    for (int64_t i = 0; i < count; ++i)
      a->push_back(i);
  }
  if ((int64_t)a->size() != count)
    return n.fail("starts and axes differ in length");
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*a, rank);
  if (failed(normalized))
    return failure();
  *a = *normalized;
  if (!axesV)
    axesV = n.constI64(*a);
  if (!stepsV) {
    st = SmallVector<int64_t>(count, 1);
    stepsV = n.constI64(*st);
  }
  if (st && llvm::is_contained(*st, 0))
    return n.fail("steps must not be zero");
  sh::Shape out(t.getShape());
  for (int64_t i = 0; i < count; ++i) {
    int64_t axis = (*a)[i];
    out[axis] = s && e && st ? sliceLength(t.getDimSize(axis), (*s)[i], (*e)[i],
                                           (*st)[i])
                             : sh::kDynamic;
  }
  Value v = SliceOp::create(n.b, n.loc, t.clone(out), n.input(0), starts, ends,
                            axesV, stepsV);
  auto known = n.graph.knownInts.find(n.input(0));
  if (known != n.graph.knownInts.end() && s && e && st && count == 1 &&
      st->front() == 1 && !sh::isDynamic(out[0])) {
    int64_t size = known->second.size();
    int64_t b0 = s->front() < 0 ? std::max<int64_t>(0, s->front() + size)
                                : std::min(s->front(), size);
    n.setKnownInts(v, ArrayRef<int64_t>(known->second).slice(b0, out[0]));
    if (SmallVector<DimRef> from = n.dimSources(0); !from.empty())
      n.setDimSources(v, ArrayRef<DimRef>(from).slice(b0, out[0]));
  }
  n.setOutput(0, v);
  return success();
}

LogicalResult importConcat(NodeImporter &n) {
  if (n.numInputs() == 0)
    return n.fail("needs at least one input");
  auto first = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  sh::Shape out(first.getShape());
  out[*axis] = 0;
  SmallVector<int64_t> known;
  bool allKnown = first.getRank() == 1;
  SmallVector<DimRef> sources;
  for (int i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      continue;
    auto t = n.inputType(i);
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return n.fail("inputs must have the same rank and element type");
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d == *axis)
        out[d] = sh::isDynamic(out[d]) || sh::isDynamic(t.getDimSize(d))
                     ? sh::kDynamic
                     : out[d] + t.getDimSize(d);
      else if (sh::isDynamic(out[d]))
        out[d] = t.getDimSize(d);
      else if (!sh::isDynamic(t.getDimSize(d)) && t.getDimSize(d) != out[d])
        return n.fail("inputs differ in dimension " + std::to_string(d) +
                      ", which is not the concatenation axis");
    }
    if (allKnown) {
      if (auto k = n.knownInts(i)) {
        llvm::append_range(known, *k);
        SmallVector<DimRef> from = n.dimSources(i);
        from.resize(k->size());
        llvm::append_range(sources, from);
      } else {
        allKnown = false;
      }
    }
    inputs.push_back(n.input(i));
  }
  Value v = ConcatOp::create(n.b, n.loc, first.clone(out), inputs, *axis);
  if (allKnown && first.getElementType().isInteger(64)) {
    n.setKnownInts(v, known);
    n.setDimSources(v, sources);
  }
  n.setOutput(0, v);
  return success();
}

LogicalResult importSplit(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, t.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> sizes;
  if (n.opset >= 18 && n.hasInput(1) && n.hasAttr("num_outputs"))
    return n.fail("takes split sizes or num_outputs, not both");
  if (auto given = intsAttrOrInput(n, "split", 1, 13)) {
    sizes = *given;
  } else if (n.opset >= 13 && n.hasInput(1)) {
    // Sizes known only at run time: every piece is dynamic along the axis.
    SmallVector<Type> types;
    sh::Shape piece(t.getShape());
    piece[*axis] = sh::kDynamic;
    for (int i = 0; i < n.numOutputs(); ++i)
      types.push_back(t.clone(piece));
    auto op = SplitOp::create(n.b, n.loc, types, n.input(0),
                              n.cast(n.input(1), n.b.getI64Type()), *axis,
                              n.b.getDenseI64ArrayAttr({}));
    for (int i = 0; i < n.numOutputs(); ++i)
      n.setOutput(i, op.getResult(i));
    return success();
  } else {
    int64_t dim = t.getDimSize(*axis);
    if (sh::isDynamic(dim))
      return n.fail("cannot split a dynamic dimension into equal parts");
    int64_t parts = n.opset >= 18 && n.hasAttr("num_outputs")
                        ? n.attrInt("num_outputs", 1)
                        : n.numOutputs();
    if (parts != n.numOutputs())
      return n.fail("num_outputs is " + std::to_string(parts) +
                    " but the node has " + std::to_string(n.numOutputs()) +
                    " outputs");
    if (parts < 1)
      return n.fail("num_outputs must be positive");
    int64_t chunk = (dim + parts - 1) / parts;
    if (n.opset >= 18 && (parts - 1) * chunk >= dim && dim > 0)
      return n.fail("splitting " + std::to_string(dim) + " into " +
                    std::to_string(parts) + " parts leaves an empty part");
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
    if (n.opset < 18 && dim % parts != 0)
      return n.fail("dimension is not divisible into equal parts");
  }
  if ((int64_t)sizes.size() != n.numOutputs())
    return n.fail("has " + std::to_string(sizes.size()) + " split sizes for " +
                  std::to_string(n.numOutputs()) + " outputs");
  SmallVector<Type> types;
  for (int64_t s : sizes) {
    sh::Shape out(t.getShape());
    out[*axis] = s;
    types.push_back(t.clone(out));
  }
  auto op = SplitOp::create(n.b, n.loc, types, n.input(0), Value(), *axis,
                            n.b.getDenseI64ArrayAttr(sizes));
  for (int i = 0; i < n.numOutputs(); ++i)
    n.setOutput(i, op.getResult(i));
  return success();
}

LogicalResult importReshape(NodeImporter &n) {
  auto t = n.inputType(0);
  Value shapeV;
  std::optional<SmallVector<int64_t>> target;
  if (n.opset < 5) {
    target = n.attrInts("shape");
    shapeV = n.constI64(*target);
  } else {
    shapeV = n.input(1);
    target = n.knownInts(1);
  }
  if (!target)
    return n.fail("the length of the target shape must be known");
  bool allowZero = n.opset >= 14 && n.attrInt("allowzero", 0) != 0;
  if (allowZero && llvm::is_contained(*target, 0) &&
      llvm::is_contained(*target, -1))
    return n.fail("with allowzero=1 the target cannot hold both 0 and -1");
  SmallVector<DimRef> sources =
      n.opset < 5 ? SmallVector<DimRef>() : n.dimSources(1);
  sources.resize(target->size());
  sh::Shape out;
  int64_t inferAt = -1;
  // Target entries known to equal an input dimension (a copied 0, or the
  // input's own dimension read through Shape): equal on both sides, so they
  // cancel when inferring -1.
  SmallVector<bool> matchedIn(t.getRank(), false),
      matchedOut(target->size(), false);
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= t.getRank())
        return n.fail("target shape copies dimension " + std::to_string(i) +
                      ", which the input does not have");
      out.push_back(t.getDimSize(i));
      if (!matchedIn[i])
        matchedIn[i] = matchedOut[i] = true;
    } else if (d == -1) {
      if (inferAt >= 0)
        return n.fail("target shape has more than one -1");
      inferAt = i;
      out.push_back(sh::kDynamic);
    } else if (sh::isDynamic(d)) {
      out.push_back(sh::kDynamic); // computed at run time
      auto [src, dim] = sources[i];
      if (src == n.input(0) && dim < t.getRank() && !matchedIn[dim]) {
        out.back() = t.getDimSize(dim);
        matchedIn[dim] = matchedOut[i] = true;
      }
    } else if (d < -1) {
      return n.fail("target shape has invalid dimension " + std::to_string(d));
    } else {
      out.push_back(d);
    }
  }
  int64_t total = sh::product(t.getShape());
  if (inferAt >= 0) {
    int64_t restIn = 1, restOut = 1;
    for (int64_t i = 0; i < t.getRank() && !sh::isDynamic(restIn); ++i)
      if (!matchedIn[i])
        restIn = sh::isDynamic(t.getDimSize(i)) ? sh::kDynamic
                                                : restIn * t.getDimSize(i);
    for (size_t i = 0; i < out.size() && !sh::isDynamic(restOut); ++i)
      if ((int64_t)i != inferAt && !matchedOut[i])
        restOut = sh::isDynamic(out[i]) ? sh::kDynamic : restOut * out[i];
    if (!sh::isDynamic(restIn) && !sh::isDynamic(restOut) && restOut != 0) {
      if (restIn % restOut != 0)
        return n.fail("cannot reshape " + std::to_string(restIn) +
                      " elements into the target");
      out[inferAt] = restIn / restOut;
    }
  } else if (!sh::isDynamic(total) && !sh::isDynamic(sh::product(out)) &&
             total != sh::product(out)) {
    return n.fail("cannot reshape " + std::to_string(total) +
                  " elements into " + std::to_string(sh::product(out)));
  }
  n.setOutput(0, ReshapeOp::create(n.b, n.loc, t.clone(out), n.input(0), shapeV,
                                   allowZero));
  return success();
}

LogicalResult importFlatten(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t axis = n.attrInt("axis", 1);
  if (axis < 0)
    axis += t.getRank();
  if (axis < 0 || axis > t.getRank())
    return n.fail("axis is out of range");
  sh::Shape out{sh::product(t.getShape().take_front(axis)),
                sh::product(t.getShape().drop_front(axis))};
  n.setOutput(0, FlattenOp::create(n.b, n.loc, t.clone(out), n.input(0), axis));
  return success();
}

/// Squeeze/Unsqueeze whose axes are known only at run time: the rank changes by
/// the number of axes and every dimension becomes dynamic.
template <typename OpTy>
LogicalResult importDynamicAxes(NodeImporter &n, int64_t delta) {
  auto t = n.inputType(0);
  auto at = n.inputType(1);
  if (at.getRank() != 1 || sh::isDynamic(at.getDimSize(0)))
    return n.fail("the number of run-time axes must be known");
  int64_t rank = t.getRank() + delta * at.getDimSize(0);
  if (rank < 0)
    return n.fail("more axes than dimensions");
  n.setOutput(0,
              OpTy::create(n.b, n.loc, t.clone(sh::Shape(rank, sh::kDynamic)),
                           n.input(0), n.cast(n.input(1), n.b.getI64Type()),
                           n.b.getDenseI64ArrayAttr({})));
  return success();
}

LogicalResult importSqueeze(NodeImporter &n) {
  auto t = n.inputType(0);
  SmallVector<int64_t> axes;
  auto given = intsAttrOrInput(n, "axes", 1, 13);
  if (given && !given->empty()) {
    FailureOr<SmallVector<int64_t>> normalized =
        n.normalizeAxes(*given, t.getRank());
    if (failed(normalized))
      return failure();
    axes = *normalized;
  } else if (!given && n.opset >= 13 && n.hasInput(1)) {
    return importDynamicAxes<SqueezeOp>(n, -1);
  } else { // no axes (or an empty list): every size-1 dimension
    for (int64_t i = 0; i < t.getRank(); ++i) {
      if (sh::isDynamic(t.getDimSize(i)))
        return n.fail(
            "cannot squeeze all size-1 dimensions when some are dynamic");
      if (t.getDimSize(i) == 1)
        axes.push_back(i);
    }
  }
  llvm::sort(axes);
  Value v =
      SqueezeOp::create(n.b, n.loc, t.clone(sh::dropDims(t.getShape(), axes)),
                        n.input(0), Value(), n.b.getDenseI64ArrayAttr(axes));
  auto known = n.graph.knownInts.find(n.input(0));
  if (known != n.graph.knownInts.end()) {
    n.setKnownInts(v, known->second);
    n.setDimSources(v, n.dimSources(0));
  }
  n.setOutput(0, v);
  return success();
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  auto t = n.inputType(0);
  auto given = intsAttrOrInput(n, "axes", 1, 13);
  if (!given && n.opset >= 13 && n.hasInput(1))
    return importDynamicAxes<UnsqueezeOp>(n, +1);
  if (!given)
    return n.fail("axes are required");
  if (n.opset >= 13 && n.inputRank(1) != 1)
    return n.fail("axes must be a 1-D tensor");
  int64_t outRank = t.getRank() + given->size();
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*given, outRank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> axes = *normalized;
  llvm::sort(axes);
  sh::Shape out;
  auto it = t.getShape().begin();
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(llvm::is_contained(axes, i) ? 1 : *it++);
  Value v = UnsqueezeOp::create(n.b, n.loc, t.clone(out), n.input(0), Value(),
                                n.b.getDenseI64ArrayAttr(axes));
  auto known = n.graph.knownInts.find(n.input(0));
  if (known != n.graph.knownInts.end()) {
    n.setKnownInts(v, known->second);
    n.setDimSources(v, n.dimSources(0));
  } else if (auto c = n.constInts(0); c && t.getRank() == 0)
    n.setKnownInts(v, *c);
  n.setOutput(0, v);
  return success();
}

LogicalResult importTranspose(NodeImporter &n) {
  auto t = n.inputType(0);
  SmallVector<int64_t> perm = n.attrInts("perm");
  if (!n.hasAttr("perm"))
    for (int64_t i = t.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != t.getRank())
    return n.fail("perm must have one entry per dimension");
  sh::Shape out;
  SmallVector<bool> used(perm.size(), false);
  for (int64_t &p : perm) {
    if (p < 0)
      p += t.getRank();
    if (p < 0 || p >= t.getRank() || used[p])
      return n.fail("perm is not a permutation");
    used[p] = true;
    out.push_back(t.getDimSize(p));
  }
  n.setOutput(0, TransposeOp::create(n.b, n.loc, t.clone(out), n.input(0),
                                     n.b.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult importExpand(NodeImporter &n) {
  auto t = n.inputType(0);
  auto target = n.knownInts(1);
  if (!target)
    return n.fail("the length of the shape input must be known");
  // A dynamic target entry may still be 1, so a static input dim cannot be
  // assumed.
  sh::Shape tgt;
  for (int64_t d : *target)
    tgt.push_back(sh::isDynamic(d) ? sh::kDynamic : d);
  size_t rank = std::max<size_t>(t.getRank(), tgt.size());
  sh::Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a =
        i < rank - t.getRank() ? 1 : t.getDimSize(i - (rank - t.getRank()));
    int64_t b = i < rank - tgt.size() ? 1 : tgt[i - (rank - tgt.size())];
    if (sh::isDynamic(b))
      out[i] = (a != 1 && !sh::isDynamic(a)) ? a : sh::kDynamic;
    else if (b == 1)
      out[i] = a;
    else if (a == 1 || sh::isDynamic(a) || a == b)
      out[i] = b;
    else
      return n.fail("input does not broadcast to the target shape");
  }
  n.setOutput(
      0, ExpandOp::create(n.b, n.loc, t.clone(out), n.input(0), n.input(1)));
  return success();
}

LogicalResult importTile(NodeImporter &n) {
  auto t = n.inputType(0);
  auto reps = n.knownInts(1);
  sh::Shape out(t.getRank(), sh::kDynamic);
  if (reps && (int64_t)reps->size() != t.getRank())
    return n.fail("repeats must have one entry per dimension");
  if (reps)
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t r = (*reps)[i];
      if (sh::isDynamic(r))
        continue;
      if (r < 0)
        return n.fail("repeats must not be negative");
      out[i] = sh::product({t.getDimSize(i), r});
    }
  n.setOutput(0, TileOp::create(n.b, n.loc, t.clone(out), n.input(0),
                                n.cast(n.input(1), n.b.getI64Type())));
  return success();
}

/// A 0-D pad value from ONNX's scalar-or-one-element constant_value.
FailureOr<Value> padScalar(NodeImporter &n, Value value) {
  if (!value)
    return value;
  auto vt = cast<RankedTensorType>(value.getType());
  if (vt.getRank() == 0)
    return value;
  if (vt.getNumElements() != 1)
    return (n.fail("constant_value must be a scalar"), failure());
  return Value(ReshapeOp::create(n.b, n.loc, vt.clone(ArrayRef<int64_t>{}),
                                 value, n.constI64({})));
}

/// Pad-18 with axes or pads known only at run time: every padded dim may
/// change.
LogicalResult importPadRuntimeAxes(NodeImporter &n, StringRef mode,
                                   Value value) {
  auto t = n.inputType(0);
  FailureOr<Value> v = padScalar(n, value);
  if (failed(v))
    return failure();
  n.setOutput(0, PadOp::create(n.b, n.loc,
                               t.clone(sh::Shape(t.getRank(), sh::kDynamic)),
                               n.input(0), n.cast(n.input(1), n.b.getI64Type()),
                               *v, n.cast(n.input(3), n.b.getI64Type()),
                               n.b.getStringAttr(mode)));
  return success();
}

LogicalResult importPad(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t rank = t.getRank();
  std::string mode = n.attrString("mode", "constant");
  std::optional<SmallVector<int64_t>> pads;
  Value padsV, value;
  if (n.opset < 11) {
    pads = n.attrInts("pads");
    if (t.getElementType().isIntOrFloat() && isa<FloatType>(t.getElementType()))
      value = n.constScalar(t.getElementType(), n.attrFloat("value", 0));
  } else {
    pads = n.constInts(1);
    padsV = n.input(1);
    if (n.hasInput(2))
      value = n.input(2);
    if (n.hasInput(3)) { // Pad-18: pads only for the listed axes
      auto axes = n.constInts(3);
      if (!axes || !pads)
        return importPadRuntimeAxes(n, mode, value);
      if (pads->size() != 2 * axes->size())
        return n.fail("pads must have two entries per axis");
      FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*axes, rank);
      if (failed(normalized))
        return failure();
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*normalized)) {
        full[a] = (*pads)[i];
        full[a + rank] = (*pads)[i + axes->size()];
      }
      pads = full;
      padsV = Value();
    }
  }
  if (pads && (int64_t)pads->size() != 2 * rank)
    return n.fail("pads must have 2 * rank entries");
  if (!padsV)
    padsV = n.constI64(*pads);
  FailureOr<Value> scalarValue = padScalar(n, value);
  if (failed(scalarValue))
    return failure();
  value = *scalarValue;
  sh::Shape out(rank, sh::kDynamic);
  if (pads)
    for (int64_t i = 0; i < rank; ++i)
      if (!sh::isDynamic(t.getDimSize(i))) {
        out[i] = t.getDimSize(i) + (*pads)[i] + (*pads)[i + rank];
        if (out[i] < 0)
          return n.fail("pads crop more than dimension " + std::to_string(i) +
                        " has");
      }
  n.setOutput(0, PadOp::create(n.b, n.loc, t.clone(out), n.input(0), padsV,
                               value, Value(), n.b.getStringAttr(mode)));
  return success();
}

LogicalResult importRange(NodeImporter &n) {
  Type et = n.inputType(0).getElementType();
  int64_t len = sh::kDynamic;
  auto s = n.constFloats(0), l = n.constFloats(1), d = n.constFloats(2);
  if (d && d->size() == 1 && (*d)[0] == 0)
    return n.fail("delta must not be zero");
  if (s && l && d && s->size() == 1 && l->size() == 1 && d->size() == 1) {
    double count = std::ceil(((*l)[0] - (*s)[0]) / (*d)[0]);
    if (count > (double)(int64_t(1) << 62))
      return n.fail("the range has more elements than a tensor can hold");
    len = std::max<int64_t>(0, (int64_t)count);
  }
  auto scalarOf = [&](int i) -> Value {
    Value v = n.input(i);
    auto vt = n.inputType(i);
    if (vt.getRank() == 0)
      return v;
    return ReshapeOp::create(n.b, n.loc, vt.clone(ArrayRef<int64_t>{}), v,
                             n.constI64({}));
  };
  n.setOutput(0, RangeOp::create(n.b, n.loc, RankedTensorType::get({len}, et),
                                 scalarOf(0), scalarOf(1), scalarOf(2)));
  return success();
}

/// The axes Resize-18 scales or sizes refer to (all when absent), normalized,
/// no repeats.
FailureOr<SmallVector<int64_t>> resizeAxes(NodeImporter &n, int64_t rank) {
  if (rank == 0)
    return (n.fail("cannot resize a scalar"), failure());
  SmallVector<int64_t> axes = n.opset >= 18 && n.hasAttr("axes")
                                  ? n.attrInts("axes")
                                  : SmallVector<int64_t>();
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  return n.normalizeAxes(axes, rank);
}

/// The ONNX coordinate/rounding attributes of Resize, with the pre-opset-11
/// defaults.
struct ResizeModes {
  std::string mode, ctm, nearest;
};

ResizeModes resizeModes(NodeImporter &n, bool upsample) {
  ResizeModes m;
  m.mode = n.attrString("mode", "nearest");
  if (m.mode == "bilinear" || m.mode == "trilinear")
    m.mode = "linear"; // Upsample-7 spelling
  m.ctm = n.attrString("coordinate_transformation_mode", "half_pixel");
  m.nearest = n.attrString("nearest_mode", "round_prefer_floor");
  if (upsample || n.opset < 11) {
    m.ctm = "asymmetric";
    m.nearest = "floor";
  }
  return m;
}

LogicalResult importResizeDynamic(NodeImporter &n, Value target,
                                  bool upsample) {
  auto t = n.inputType(0);
  FailureOr<SmallVector<int64_t>> axes = resizeAxes(n, t.getRank());
  if (failed(axes))
    return failure();
  sh::Shape out(t.getShape());
  for (int64_t a : *axes)
    out[a] = sh::kDynamic;
  DenseI64ArrayAttr axesAttr;
  if (n.opset >= 18 && n.hasAttr("axes"))
    axesAttr = n.b.getDenseI64ArrayAttr(*axes);
  ResizeModes m = resizeModes(n, upsample);
  auto tt = cast<RankedTensorType>(target.getType());
  if (tt.getRank() != 1 ||
      !(tt.getElementType().isF32() || tt.getElementType().isInteger(64)))
    return n.fail("scales must be 1-D f32 and sizes 1-D i64");
  n.setOutput(0,
              ResizeOp::create(
                  n.b, n.loc, t.clone(out), n.input(0), target,
                  n.b.getDenseF64ArrayAttr({}), n.b.getStringAttr(m.mode),
                  n.b.getStringAttr(m.ctm), n.b.getStringAttr(m.nearest),
                  n.b.getF32FloatAttr(n.attrFloat("cubic_coeff_a", -0.75f)),
                  n.b.getBoolAttr(n.attrInt("exclude_outside", 0) != 0),
                  n.b.getF32FloatAttr(n.attrFloat("extrapolation_value", 0.0f)),
                  DenseF64ArrayAttr(), axesAttr,
                  n.b.getStringAttr(
                      n.attrString("keep_aspect_ratio_policy", "stretch"))));
  return success();
}

LogicalResult importResize(NodeImporter &n, bool upsample) {
  // Antialiasing widens the filter when downscaling; anvil.resize has no such
  // mode, and ignoring it would give wrong values.
  if (!upsample && n.attrInt("antialias", 0) != 0)
    return n.fail("Resize with antialias=1 is not supported");
  auto t = n.inputType(0);
  int64_t rank = t.getRank();
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  if (upsample && n.opset < 9) {
    auto f = n.attrFloats("scales");
    scales = SmallVector<double>(f.begin(), f.end());
  } else if (upsample || n.opset < 11) {
    scales = n.constFloats(1);
    if (!scales)
      return importResizeDynamic(n, n.input(1), upsample);
  } else {
    if (n.hasInput(3))
      sizes = n.constInts(3);
    else if (n.hasInput(2))
      scales = n.constFloats(2);
    if (!sizes &&
        !scales) { // known only at run time: every resized dim is dynamic
      int target = n.hasInput(3) ? 3 : 2;
      if (!n.hasInput(target))
        return n.fail("needs scales or sizes");
      return importResizeDynamic(n, n.input(target), false);
    }
  }
  if (scales && scales->empty() && n.hasInput(3))
    sizes = n.constInts(3);
  FailureOr<SmallVector<int64_t>> resized = resizeAxes(n, rank);
  if (failed(resized))
    return failure();
  SmallVector<int64_t> axes = *resized;
  SmallVector<double> fullScales(rank, 1.0);
  sh::Shape out(t.getShape());
  std::string policy = n.attrString("keep_aspect_ratio_policy", "stretch");
  if (sizes) {
    if (sizes->size() != axes.size())
      return n.fail("sizes must have one entry per resized axis");
    if (policy != "stretch") {
      double scale = policy == "not_larger" ? 1e300 : 0;
      for (auto [i, a] : llvm::enumerate(axes)) {
        if (sh::isDynamic(t.getDimSize(a)))
          return n.fail(
              "keep_aspect_ratio_policy needs static input dimensions");
        double s = (double)(*sizes)[i] / t.getDimSize(a);
        scale =
            policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
      }
      for (int64_t a : axes) {
        fullScales[a] = scale;
        out[a] = (int64_t)std::floor(t.getDimSize(a) * scale + 0.5);
      }
    } else {
      for (auto [i, a] : llvm::enumerate(axes)) {
        out[a] = (*sizes)[i];
        if (sh::isDynamic(t.getDimSize(a)))
          return n.fail(
              "resizing a dynamic dimension to a fixed size is not supported");
        fullScales[a] = (double)(*sizes)[i] / t.getDimSize(a);
      }
    }
  } else {
    if (scales->size() != axes.size())
      return n.fail("scales must have one entry per resized axis");
    for (auto [i, a] : llvm::enumerate(axes)) {
      fullScales[a] = (*scales)[i];
      if (!sh::isDynamic(t.getDimSize(a))) {
        // floor(dim * scale): runtimes differ on whether the product is rounded
        // to float first, so a size the two readings disagree on stays dynamic.
        double exact = std::floor(t.getDimSize(a) * (*scales)[i]);
        float rounded =
            std::floor((float)t.getDimSize(a) * (float)(*scales)[i]);
        out[a] = exact == (double)rounded ? (int64_t)exact : sh::kDynamic;
      } else if ((*scales)[i] != 1.0) {
        out[a] = sh::kDynamic;
      }
    }
  }
  ResizeModes m = resizeModes(n, upsample);
  DenseF64ArrayAttr roi;
  if (!upsample && n.opset >= 11 && n.hasInput(1) &&
      m.ctm == "tf_crop_and_resize") {
    auto r = n.constFloats(1);
    if (!r)
      return n.fail("roi must be a compile-time constant");
    SmallVector<double> full(2 * rank, 0.0);
    for (int64_t i = 0; i < rank; ++i)
      full[rank + i] = 1.0;
    for (auto [i, a] : llvm::enumerate(axes)) {
      full[a] = (*r)[i];
      full[rank + a] = (*r)[i + axes.size()];
    }
    roi = n.b.getDenseF64ArrayAttr(full);
  }
  auto op = ResizeOp::create(
      n.b, n.loc, t.clone(out), n.input(0), Value(),
      n.b.getDenseF64ArrayAttr(fullScales), n.b.getStringAttr(m.mode),
      n.b.getStringAttr(m.ctm), n.b.getStringAttr(m.nearest),
      n.b.getF32FloatAttr(n.attrFloat("cubic_coeff_a", -0.75f)),
      n.b.getBoolAttr(n.attrInt("exclude_outside", 0) != 0),
      n.b.getF32FloatAttr(n.attrFloat("extrapolation_value", 0.0f)), roi,
      DenseI64ArrayAttr(), n.b.getStringAttr("stretch"));
  n.setOutput(0, op);
  return success();
}

LogicalResult importDepthToSpace(NodeImporter &n, bool toSpace) {
  auto t = n.inputType(0);
  if (t.getRank() != 4)
    return n.fail("input must be 4-D (NCHW)");
  int64_t bs = n.attrInt("blocksize", 0);
  if (bs < 1 || bs > (1 << 20))
    return n.fail("blocksize must be positive (and below 2^20)");
  auto scale = [&](int64_t d, bool up) {
    return sh::isDynamic(d) ? d : (up ? d * bs : d / bs);
  };
  int64_t c = t.getDimSize(1);
  sh::Shape out{t.getDimSize(0),
                sh::isDynamic(c) ? c : (toSpace ? c / (bs * bs) : c * bs * bs),
                scale(t.getDimSize(2), toSpace),
                scale(t.getDimSize(3), toSpace)};
  if (toSpace)
    n.setOutput(0, DepthToSpaceOp::create(n.b, n.loc, t.clone(out), n.input(0),
                                          bs, n.attrString("mode", "DCR")));
  else
    n.setOutput(
        0, SpaceToDepthOp::create(n.b, n.loc, t.clone(out), n.input(0), bs));
  return success();
}

/// CumSum/CumProd; the axis is an input, normally a constant.
template <typename OpTy> LogicalResult importCumulative(NodeImporter &n) {
  auto axis = n.constInts(1);
  Value dynamicAxis;
  int64_t a = 0;
  if (axis && axis->size() == 1) {
    std::optional<int64_t> norm = sh::normalizeAxis((*axis)[0], n.inputRank(0));
    if (!norm)
      return n.fail("axis is out of range");
    a = *norm;
  } else {
    dynamicAxis = n.input(1);
  }
  n.setOutput(0, OpTy::create(n.b, n.loc, n.input(0).getType(), n.input(0),
                              dynamicAxis, a, n.attrInt("exclusive", 0) != 0,
                              n.attrInt("reverse", 0) != 0));
  return success();
}

} // namespace

void anvil::onnx_frontend::registerTensorImporters(OpRegistry &r) {
  r["Constant"] = importConstant;
  r["ConstantOfShape"] = importConstantOfShape;
  r["Shape"] = importShape;
  r["Size"] = [](NodeImporter &n) {
    Value v = SizeOp::create(
        n.b, n.loc, RankedTensorType::get({}, n.b.getI64Type()), n.input(0));
    n.setKnownInts(v, {sh::product(n.inputType(0).getShape())});
    n.setOutput(0, v);
    return success();
  };
  r["Gather"] = importGather;
  r["GatherElements"] = importGatherElements;
  r["Slice"] = importSlice;
  r["Concat"] = importConcat;
  r["Split"] = importSplit;
  r["Reshape"] = importReshape;
  r["Flatten"] = importFlatten;
  r["Squeeze"] = importSqueeze;
  r["Unsqueeze"] = importUnsqueeze;
  r["Transpose"] = importTranspose;
  r["Expand"] = importExpand;
  r["Tile"] = importTile;
  r["Pad"] = importPad;
  r["Range"] = importRange;
  r["Resize"] = [](NodeImporter &n) { return importResize(n, false); };
  r["Upsample"] = [](NodeImporter &n) { return importResize(n, true); };
  r["DepthToSpace"] = [](NodeImporter &n) {
    return importDepthToSpace(n, true);
  };
  r["SpaceToDepth"] = [](NodeImporter &n) -> LogicalResult {
    // anvil.space_to_depth orders channels like DepthToSpace's DCR mode; the
    // CRD order some exporters set would come out permuted.
    if (n.attrString("mode", "DCR") != "DCR")
      return n.fail("SpaceToDepth with mode '" + n.attrString("mode", "DCR") +
                    "' is not supported (only DCR)");
    return importDepthToSpace(n, false);
  };
  r["Trilu"] = [](NodeImporter &n) -> LogicalResult {
    int64_t k = 0;
    Value dynamicK;
    if (n.hasInput(1)) {
      auto c = n.constInts(1);
      if (c && c->size() == 1)
        k = (*c)[0];
      else if (n.inputType(1).getNumElements() == 1 ||
               sh::isDynamic(n.inputType(1).getNumElements()))
        dynamicK = n.input(1);
      else
        return n.fail("k must hold one value");
    }
    if (n.inputRank(0) < 2)
      return n.fail("input must have rank >= 2");
    n.setOutput(0, TriluOp::create(n.b, n.loc, n.input(0).getType(), n.input(0),
                                   dynamicK, n.attrInt("upper", 1) != 0, k));
    return success();
  };
  r["CumSum"] = importCumulative<CumSumOp>;
  r["CumProd"] = importCumulative<CumProdOp>;
}

//===----------------------------------------------------------------------===//
// Indexing: GatherND, ScatterElements, ScatterND, OneHot, NonZero
//===----------------------------------------------------------------------===//

namespace {

LogicalResult importGatherND(NodeImporter &n) {
  auto t = n.inputType(0), idx = n.inputType(1);
  int64_t b = n.attrInt("batch_dims", 0);
  int64_t k = idx.getRank() ? idx.getDimSize(idx.getRank() - 1) : sh::kDynamic;
  if (sh::isDynamic(k) || b < 0 || b + k > t.getRank())
    return n.fail(
        "indices must end in a static dimension of at most rank - batch_dims");
  sh::Shape out(idx.getShape().drop_back());
  llvm::append_range(out, t.getShape().drop_front(b + k));
  n.setOutput(0, GatherNDOp::create(n.b, n.loc, t.clone(out), n.input(0),
                                    n.cast(n.input(1), n.b.getI64Type()), b));
  return success();
}

LogicalResult importScatterElements(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, t.getRank());
  if (failed(axis))
    return failure();
  n.setOutput(0, ScatterElementsOp::create(n.b, n.loc, t, n.input(0),
                                           n.cast(n.input(1), n.b.getI64Type()),
                                           n.input(2), *axis,
                                           n.attrString("reduction", "none")));
  return success();
}

LogicalResult importScatterND(NodeImporter &n) {
  n.setOutput(0, ScatterNDOp::create(n.b, n.loc, n.inputType(0), n.input(0),
                                     n.cast(n.input(1), n.b.getI64Type()),
                                     n.input(2),
                                     n.attrString("reduction", "none")));
  return success();
}

LogicalResult importOneHot(NodeImporter &n) {
  auto values = n.inputType(2);
  if (values.getRank() != 1 || values.getDimSize(0) != 2)
    return n.fail("values must be [off_value, on_value]");
  auto idx = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", -1, idx.getRank() + 1);
  if (failed(axis))
    return failure();
  auto depth = n.constFloats(1);
  if (depth && depth->size() != 1)
    return n.fail("depth must hold one value");
  int64_t d = depth ? (int64_t)(*depth)[0] : 0; // 0: known only at run time
  if (depth && d < 1)
    return n.fail("depth must be positive");
  sh::Shape out(idx.getShape());
  out.insert(out.begin() + *axis, depth ? d : sh::kDynamic);
  n.setOutput(0, OneHotOp::create(n.b, n.loc, values.clone(out), n.input(0),
                                  n.input(2), depth ? Value() : n.input(1), d,
                                  *axis));
  return success();
}

/// CenterCropPad: a centered slice where the target is smaller, a centered zero
/// pad where it is larger (static shapes).
LogicalResult importCenterCropPad(NodeImporter &n) {
  auto t = n.inputType(0);
  auto target = n.constInts(1);
  if (!target)
    return n.fail("shape must be a compile-time constant");
  SmallVector<int64_t> axes = n.attrInts("axes");
  if (axes.empty())
    for (int64_t i = 0; i < t.getRank(); ++i)
      axes.push_back(i);
  if (axes.size() != target->size())
    return n.fail("shape must have one entry per axis");
  SmallVector<int64_t> sliceStarts, sliceEnds, sliceAxes,
      pads(2 * t.getRank(), 0);
  sh::Shape cropped(t.getShape()), padded(t.getShape());
  FailureOr<SmallVector<int64_t>> normalized =
      n.normalizeAxes(axes, t.getRank());
  if (failed(normalized))
    return failure();
  for (auto [axis, want] : llvm::zip(*normalized, *target)) {
    if (want < 0)
      return n.fail("negative target size");
    int64_t dim = t.getDimSize(axis);
    if (sh::isDynamic(dim))
      return n.fail("needs static dimensions on the cropped/padded axes");
    if (dim > want) {
      int64_t start = (dim - want) / 2;
      sliceStarts.push_back(start);
      sliceEnds.push_back(start + want);
      sliceAxes.push_back(axis);
      cropped[axis] = padded[axis] = want;
    } else if (dim < want) {
      pads[axis] = (want - dim) / 2;
      pads[axis + t.getRank()] = want - dim - pads[axis];
      padded[axis] = want;
    }
  }
  Value v = n.input(0);
  if (!sliceAxes.empty())
    v = SliceOp::create(n.b, n.loc, t.clone(cropped), v,
                        n.constI64(sliceStarts), n.constI64(sliceEnds),
                        n.constI64(sliceAxes),
                        n.constI64(SmallVector<int64_t>(sliceAxes.size(), 1)));
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
    v = PadOp::create(n.b, n.loc, t.clone(padded), v, n.constI64(pads), Value(),
                      Value(), n.b.getStringAttr("constant"));
  n.setOutput(0, v);
  return success();
}

LogicalResult importNonMaxSuppression(NodeImporter &n) {
  if (n.inputRank(0) != 3 || n.inputRank(1) != 3)
    return n.fail(
        "boxes must be [batch, boxes, 4] and scores [batch, classes, boxes]");
  Type f = n.inputType(0).getElementType();
  // Left-out inputs take ONNX's defaults: no boxes, IoU 0, no score threshold.
  auto oneElement = [&](int i, Value dflt) {
    return n.hasInput(i) ? n.input(i) : dflt;
  };
  auto floatConst = [&](double v) {
    return n.constScalar(f, v); // 0-D is accepted as "one value"
  };
  Value maxOut = oneElement(2, n.constI64({0}));
  Value iou = oneElement(3, floatConst(0.0));
  Value score =
      oneElement(4, floatConst(-std::numeric_limits<double>::infinity()));
  n.setOutput(0, NonMaxSuppressionOp::create(
                     n.b, n.loc,
                     RankedTensorType::get({sh::kDynamic, 3}, n.b.getI64Type()),
                     n.input(0), n.input(1), maxOut, n.cast(iou, f),
                     n.cast(score, f), n.attrInt("center_point_box", 0) != 0));
  return success();
}

LogicalResult importRoiAlign(NodeImporter &n) {
  auto x = n.inputType(0), rois = n.inputType(1);
  if (x.getRank() != 4 || rois.getRank() != 2 || n.inputRank(2) != 1)
    return n.fail("X must be 4-D, rois [num_rois, 4] and batch_indices 1-D");
  int64_t h = n.attrInt("output_height", 1), w = n.attrInt("output_width", 1);
  if (h < 1 || w < 1)
    return n.fail("output_height and output_width must be positive");
  // RoiAlign-10 had no coordinate_transformation_mode and behaved like
  // output_half_pixel.
  std::string ctm =
      n.attrString("coordinate_transformation_mode",
                   n.opset < 16 ? "output_half_pixel" : "half_pixel");
  n.setOutput(
      0, RoiAlignOp::create(
             n.b, n.loc, x.clone({rois.getDimSize(0), x.getDimSize(1), h, w}),
             n.input(0), n.cast(n.input(1), x.getElementType()),
             n.cast(n.input(2), n.b.getI64Type()), n.b.getStringAttr(ctm),
             n.b.getStringAttr(n.attrString("mode", "avg")),
             n.b.getI64IntegerAttr(h), n.b.getI64IntegerAttr(w),
             n.b.getI64IntegerAttr(n.attrInt("sampling_ratio", 0)),
             n.b.getF32FloatAttr(n.attrFloat("spatial_scale", 1.0f))));
  return success();
}

/// Compress and Unique work along attribute `axis`, or on the flattened input
/// without it.
FailureOr<std::pair<Value, int64_t>> axisOrFlattened(NodeImporter &n) {
  auto t = n.inputType(0);
  if (n.hasAttr("axis")) {
    FailureOr<int64_t> axis = n.axisAttr("axis", 0, t.getRank());
    if (failed(axis))
      return failure();
    return std::make_pair(n.input(0), *axis);
  }
  auto flat = t.clone(sh::Shape{sh::product(t.getShape())});
  Value x =
      ReshapeOp::create(n.b, n.loc, flat, n.input(0), n.constI64({-1}), false);
  return std::make_pair(x, int64_t(0));
}

LogicalResult importCompress(NodeImporter &n) {
  auto t = n.inputType(0);
  if (n.inputRank(1) != 1)
    return n.fail("condition must be 1-D");
  FailureOr<std::pair<Value, int64_t>> in = axisOrFlattened(n);
  if (failed(in))
    return failure();
  auto [x, axis] = *in;
  t = cast<RankedTensorType>(x.getType());
  sh::Shape out(t.getShape());
  out[axis] = sh::kDynamic;
  n.setOutput(
      0, CompressOp::create(n.b, n.loc, t.clone(out), x, n.input(1), axis));
  return success();
}

LogicalResult importUnique(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<std::pair<Value, int64_t>> in = axisOrFlattened(n);
  if (failed(in))
    return failure();
  auto [x, axis] = *in;
  t = cast<RankedTensorType>(x.getType());
  sh::Shape out(t.getShape());
  out[axis] = sh::kDynamic;
  auto vec = [&](int64_t d) {
    return RankedTensorType::get({d}, n.b.getI64Type());
  };
  auto op = UniqueOp::create(n.b, n.loc, t.clone(out), vec(sh::kDynamic),
                             vec(t.getDimSize(axis)), vec(sh::kDynamic), x,
                             axis, n.attrInt("sorted", 1) != 0);
  for (int i = 0; i < 4; ++i)
    n.setOutput(i, op->getResult(i));
  return success();
}

} // namespace

void anvil::onnx_frontend::registerIndexingImporters(OpRegistry &r) {
  r["Unique"] = importUnique;
  r["NonMaxSuppression"] = importNonMaxSuppression;
  r["RoiAlign"] = importRoiAlign;
  r["Compress"] = importCompress;
  r["EyeLike"] = [](NodeImporter &n) -> LogicalResult {
    if (n.inputRank(0) != 2)
      return n.fail("input must be 2-D");
    Type et = n.hasAttr("dtype")
                  ? convertElementType(*n.b.getContext(), n.attrInt("dtype", 1))
                  : n.inputType(0).getElementType();
    if (!et)
      return n.fail("dtype is not supported");
    n.setOutput(0, EyeLikeOp::create(n.b, n.loc, n.inputType(0).clone(et),
                                     n.input(0), n.attrInt("k", 0)));
    return success();
  };
  r["ReverseSequence"] = [](NodeImporter &n) -> LogicalResult {
    int64_t b = n.attrInt("batch_axis", 1), t = n.attrInt("time_axis", 0);
    if (!((b == 0 && t == 1) || (b == 1 && t == 0)) || n.inputRank(0) < 2)
      return n.fail(
          "batch_axis and time_axis must be 0 and 1 in some order (rank >= 2)");
    n.setOutput(0, ReverseSequenceOp::create(
                       n.b, n.loc, n.input(0).getType(), n.input(0),
                       n.cast(n.input(1), n.b.getI64Type()), b, t));
    return success();
  };
  r["CenterCropPad"] = importCenterCropPad;
  r["GatherND"] = importGatherND;
  r["ScatterElements"] = importScatterElements;
  r["Scatter"] = importScatterElements; // opset 9-10 name of ScatterElements
  r["ScatterND"] = importScatterND;
  r["OneHot"] = importOneHot;
  r["NonZero"] = [](NodeImporter &n) {
    n.setOutput(0, NonZeroOp::create(
                       n.b, n.loc,
                       RankedTensorType::get({n.inputRank(0), sh::kDynamic},
                                             n.b.getI64Type()),
                       n.input(0)));
    return success();
  };
}

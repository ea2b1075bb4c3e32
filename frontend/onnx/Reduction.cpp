//===- Reduction.cpp - Importers for reductions, ArgMax/ArgMin and TopK
//----===//
#include "frontend/onnx/GraphImporter.h"

#include <numeric>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

/// Reduce* ops. `axes` moved from an attribute to an input in opset 13
/// (ReduceSum) or 18 (the others); an empty list reduces everything unless
/// noop_with_empty_axes is set.
template <typename OpTy> ImportFn reduceImporter(int64_t axesInputSince) {
  return [axesInputSince](NodeImporter &n) -> LogicalResult {
    auto x = n.inputType(0);
    SmallVector<int64_t> axes;
    bool keep = n.attrInt("keepdims", 1) != 0;
    bool noop = n.attrInt("noop_with_empty_axes", 0) != 0;
    if (n.opset < axesInputSince) {
      axes = n.attrInts("axes");
    } else if (n.hasInput(1)) {
      auto c = n.constInts(1);
      if (!c) { // axes known only at run time: the result keeps its rank if it
                // can
        int64_t count =
            n.inputType(1).getRank() == 1 ? n.inputType(1).getDimSize(0) : 1;
        if (!keep && (sh::isDynamic(count) || (count == 0 && !noop)))
          return n.fail(
              "with keepdims=0 the number of run-time axes must be known");
        int64_t rank = keep ? x.getRank() : x.getRank() - count;
        if (rank < 0)
          return n.fail("more axes than dimensions");
        n.setOutput(
            0, OpTy::create(n.b, n.loc, x.clone(sh::Shape(rank, sh::kDynamic)),
                            n.input(0), n.cast(n.input(1), n.b.getI64Type()),
                            n.b.getDenseI64ArrayAttr({}), keep, noop));
        return success();
      }
      axes = *c;
    }
    if (axes.empty() && noop) {
      n.setOutput(0, n.input(0));
      return success();
    }
    FailureOr<SmallVector<int64_t>> normalized =
        n.normalizeAxes(axes, x.getRank(), /*allowRepeats=*/true);
    if (failed(normalized))
      return failure();
    axes = *normalized;
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    Value v = OpTy::create(
        n.b, n.loc, x.clone(sh::reduce(x.getShape(), axes, keep)), n.input(0),
        Value(), n.b.getDenseI64ArrayAttr(axes), keep, false);
    // Shape arithmetic: the product or sum of a known shape vector (e.g.
    // flattening).
    if constexpr (std::is_same_v<OpTy, ReduceProdOp> ||
                  std::is_same_v<OpTy, ReduceSumOp>)
      if (auto known = n.knownInts(0);
          known && x.getRank() == 1 && x.getElementType().isInteger(64))
        n.setKnownInts(
            v,
            {std::is_same_v<OpTy, ReduceProdOp> ? sh::product(*known)
             : llvm::any_of(*known, sh::isDynamic)
                 ? sh::kDynamic
                 : std::accumulate(known->begin(), known->end(), int64_t(0))});
    n.setOutput(0, v);
    return success();
  };
}

template <typename OpTy> LogicalResult importArg(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", 0, x.getRank());
  if (failed(axis))
    return failure();
  bool keep = n.attrInt("keepdims", 1) != 0;
  auto type = RankedTensorType::get(sh::reduce(x.getShape(), {*axis}, keep),
                                    n.b.getI64Type());
  n.setOutput(0, OpTy::create(n.b, n.loc, type, n.input(0), *axis, keep,
                              n.attrInt("select_last_index", 0) != 0));
  return success();
}

LogicalResult importTopK(NodeImporter &n) {
  auto x = n.inputType(0);
  FailureOr<int64_t> axis = n.axisAttr("axis", -1, x.getRank());
  if (failed(axis))
    return failure();
  Value kV;
  int64_t k = sh::kDynamic;
  if (n.opset < 10) {
    k = n.attrInt("k", 0);
    kV = n.constI64({k});
  } else {
    kV = n.input(1);
    if (auto c = n.constInts(1); c && c->size() == 1)
      k = (*c)[0];
    auto kt = n.inputType(1);
    if (kt.getRank() != 1 || kt.getDimSize(0) != 1)
      return n.fail("K must be a 1-D tensor with one element");
  }
  int64_t dim = x.getDimSize(*axis);
  if (!sh::isDynamic(k) && (k < 0 || (!sh::isDynamic(dim) && k > dim)))
    return n.fail("k = " + std::to_string(k) +
                  " is out of range for an axis of size " +
                  std::to_string(dim));
  sh::Shape out(x.getShape());
  out[*axis] = k;
  auto op = TopKOp::create(n.b, n.loc, x.clone(out),
                           RankedTensorType::get(out, n.b.getI64Type()),
                           n.input(0), kV, *axis, n.attrInt("largest", 1) != 0,
                           n.attrInt("sorted", 1) != 0);
  n.setOutput(0, op.getValues());
  n.setOutput(1, op.getIndices());
  return success();
}

} // namespace

void anvil::onnx_frontend::registerReductionImporters(OpRegistry &r) {
  r["ReduceSum"] = reduceImporter<ReduceSumOp>(13);
  r["ReduceMean"] = reduceImporter<ReduceMeanOp>(18);
  r["ReduceMax"] = reduceImporter<ReduceMaxOp>(18);
  r["ReduceMin"] = reduceImporter<ReduceMinOp>(18);
  r["ReduceProd"] = reduceImporter<ReduceProdOp>(18);
  r["ReduceL1"] = reduceImporter<ReduceL1Op>(18);
  r["ReduceL2"] = reduceImporter<ReduceL2Op>(18);
  r["ReduceLogSum"] = reduceImporter<ReduceLogSumOp>(18);
  r["ReduceLogSumExp"] = reduceImporter<ReduceLogSumExpOp>(18);
  r["ReduceSumSquare"] = reduceImporter<ReduceSumSquareOp>(18);
  r["ArgMax"] = importArg<ArgMaxOp>;
  r["ArgMin"] = importArg<ArgMinOp>;
  r["TopK"] = importTopK;
}

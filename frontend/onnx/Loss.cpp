//===- Loss.cpp - Importers for NegativeLogLikelihoodLoss and SoftmaxCE
//-----===//
//
// Both are imported as compositions: log-probabilities are picked per target
// with gather_elements, weighted (ignore_index gets weight 0) and reduced.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;
namespace sh = anvil::shape;

namespace {

SmallVector<int64_t> allAxes(int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < rank; ++i)
    axes.push_back(i);
  return axes;
}

/// NLL loss of `logProb` [N, C, d...] at integer `target` [N, d...] with
/// optional class `weight` [C]; `reduction` is none, sum or mean (weighted
/// mean, as ONNX defines it).
FailureOr<Value> nllLoss(NodeImporter &n, Value logProb, Value target,
                         Value weight) {
  auto lp = cast<RankedTensorType>(logProb.getType());
  auto tt = cast<RankedTensorType>(target.getType());
  Type et = lp.getElementType();
  if (lp.getRank() < 2 || tt.getRank() != lp.getRank() - 1)
    return (n.fail("input must be [N, C, d...] and target [N, d...]"),
            failure());
  if (!isa<IntegerType>(tt.getElementType()))
    return (n.fail("target must hold integer class indices"), failure());
  std::string reduction = n.attrString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return (n.fail("reduction must be none, sum or mean"), failure());
  Value t = n.cast(target, n.b.getI64Type());
  auto boolType = tt.clone(n.b.getI1Type());
  Value valid;
  if (n.hasAttr("ignore_index")) {
    Value ignore = n.constI64({n.attrInt("ignore_index", 0)}, /*scalar=*/true);
    Value isIgnored = EqualOp::create(n.b, n.loc, boolType, t, ignore);
    valid = NotOp::create(n.b, n.loc, boolType, isIgnored);
    t = SelectOp::create(n.b, n.loc, tt.clone(n.b.getI64Type()), valid, t,
                         n.constI64({0}, /*scalar=*/true));
  }
  // Pick logProb[n, t[n, d...], d...] along the class axis.
  sh::Shape idxShape(tt.getShape());
  idxShape.insert(idxShape.begin() + 1, 1);
  auto idxType = RankedTensorType::get(idxShape, n.b.getI64Type());
  Value idx = UnsqueezeOp::create(n.b, n.loc, idxType, t, Value(),
                                  n.b.getDenseI64ArrayAttr({1}));
  Value picked =
      GatherElementsOp::create(n.b, n.loc, lp.clone(idxShape), logProb, idx, 1);
  auto lossType = lp.clone(tt.getShape());
  Value loss =
      NegOp::create(n.b, n.loc, lossType,
                    SqueezeOp::create(n.b, n.loc, lossType, picked, Value(),
                                      n.b.getDenseI64ArrayAttr({1})));
  Value w;
  if (weight)
    w = GatherOp::create(n.b, n.loc, lossType, weight, t, 0);
  if (valid) {
    Value zero = n.constScalar(et, 0.0);
    Value one = n.constScalar(et, 1.0);
    w = SelectOp::create(n.b, n.loc, lossType, valid, w ? w : one, zero);
  }
  if (w)
    loss = n.binary<MulOp>(loss, w);
  if (reduction == "none")
    return loss;
  auto scalar = RankedTensorType::get({}, et);
  auto axes = n.b.getDenseI64ArrayAttr(allAxes(tt.getRank()));
  Value sum = ReduceSumOp::create(n.b, n.loc, scalar, loss, Value(), axes,
                                  false, false);
  if (reduction == "sum")
    return sum;
  if (!w)
    return Value(ReduceMeanOp::create(n.b, n.loc, scalar, loss, Value(), axes,
                                      false, false));
  Value wsum =
      ReduceSumOp::create(n.b, n.loc, scalar, w, Value(), axes, false, false);
  return Value(DivOp::create(n.b, n.loc, scalar, sum, wsum));
}

LogicalResult importNLLLoss(NodeImporter &n) {
  FailureOr<Value> loss =
      nllLoss(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  n.setOutput(0, *loss);
  return success();
}

LogicalResult importSoftmaxCrossEntropy(NodeImporter &n) {
  auto scores = n.inputType(0);
  if (scores.getRank() < 2)
    return n.fail("scores must be [N, C, d...]");
  Value logProb = LogSoftmaxOp::create(n.b, n.loc, scores, n.input(0), 1);
  FailureOr<Value> loss =
      nllLoss(n, logProb, n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  n.setOutput(0, *loss);
  n.setOutput(1, logProb);
  return success();
}

} // namespace

void anvil::onnx_frontend::registerLossImporters(OpRegistry &r) {
  r["NegativeLogLikelihoodLoss"] = importNLLLoss;
  r["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropy;
}

//===- SignlessIntegers.cpp - Unsigned tensors become signless ------------===//
//
// After lowering, signedness lives in the arith ops (divui, cmpi ult, ...), so
// an unsigned element type only adds tensor.bitcast ops that bufferization
// cannot handle. Every unsigned integer type is retyped as the signless one of
// the same width; the model's inputs and outputs keep their ONNX type in an
// attribute for the runtime's metadata.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace anvil {
#define GEN_PASS_DEF_ANVILSIGNLESSINTEGERS
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

Type signless(Type t) {
  if (auto i = dyn_cast<IntegerType>(t); i && !i.isSignless())
    return IntegerType::get(t.getContext(), i.getWidth());
  if (auto shaped = dyn_cast<ShapedType>(t)) {
    Type element = signless(shaped.getElementType());
    if (element != shaped.getElementType())
      return shaped.clone(element);
  }
  return t;
}

/// The same elements as `attr`, typed `type` (same bits, signless).
Attribute retype(Attribute attr, ShapedType type) {
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr))
    return dense.bitcast(type.getElementType());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return nullptr;
}

struct SignlessIntegersPass
    : anvil::impl::AnvilSignlessIntegersBase<SignlessIntegersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Remember the ONNX element type of the model's inputs and outputs.
    for (auto fn : module.getOps<func::FuncOp>()) {
      FunctionType type = fn.getFunctionType();
      for (auto [i, t] : llvm::enumerate(type.getInputs()))
        if (t != signless(t))
          fn.setArgAttr(i, "anvil.element_type",
                        TypeAttr::get(getElementTypeOrSelf(t)));
      for (auto [i, t] : llvm::enumerate(type.getResults()))
        if (t != signless(t))
          fn.setResultAttr(i, "anvil.element_type",
                           TypeAttr::get(getElementTypeOrSelf(t)));
      SmallVector<Type> inputs, results;
      for (Type t : type.getInputs())
        inputs.push_back(signless(t));
      for (Type t : type.getResults())
        results.push_back(signless(t));
      fn.setFunctionType(FunctionType::get(fn.getContext(), inputs, results));
    }
    bool failedRetype = false;
    module.walk([&](Operation *op) {
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(signless(arg.getType()));
      for (Value result : op->getResults())
        result.setType(signless(result.getType()));
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        auto type = dyn_cast<ShapedType>(constant.getType());
        auto value = dyn_cast<ElementsAttr>(constant.getValue());
        if (type && value && value.getType() != type) {
          Attribute typed = retype(value, type);
          if (!typed) {
            op->emitError("cannot retype this unsigned constant as signless");
            failedRetype = true;
            return;
          }
          constant->setAttr("value", typed);
        }
      }
    });
    if (failedRetype)
      return signalPassFailure();
    // Bitcasts between a signless type and itself are now no-ops.
    module.walk([&](tensor::BitcastOp op) {
      if (op.getSource().getType() == op.getType()) {
        op.getResult().replaceAllUsesWith(op.getSource());
        op.erase();
      }
    });
  }
};

} // namespace

//===- Pipeline.cpp - Pass pipelines of the CPU back end ------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

static void addTextPipeline(OpPassManager &pm, llvm::StringRef text) {
  // The pipelines are fixed strings of registered upstream passes; a parse
  // failure is a build problem, not a user error.
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("anvil: bad built-in pass pipeline");
}

void anvil::cpu::prepareForBufferization(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      fn.setArgAttr(i, "bufferization.writable",
                    BoolAttr::get(module.getContext(), false));
}

void anvil::cpu::buildBufferizeAndOutlinePipeline(OpPassManager &pm) {
  pm.addPass(anvil::createAnvilSignlessIntegers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Function results keep the identity layout so that each output is one
  // contiguous buffer the runtime hands to the caller.
  addTextPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                      "function-boundary-type-conversion=identity-layout-map}");
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(anvil::createAnvilOutlineDispatches());
}

void anvil::cpu::buildKernelToLLVMPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(anvil::createAnvilTileKernels());
  addTextPipeline(pm, "func.func(convert-linalg-to-loops),canonicalize,cse,"
                      "lower-affine,expand-strided-metadata,lower-affine,"
                      "convert-scf-to-cf,arith-expand,convert-math-to-llvm,"
                      "convert-math-to-libm,finalize-memref-to-llvm,"
                      "convert-arith-to-llvm,convert-index-to-llvm,"
                      "convert-cf-to-llvm,convert-func-to-llvm,"
                      "reconcile-unrealized-casts");
}

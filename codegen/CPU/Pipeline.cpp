//===- Pipeline.cpp - Pass pipelines of the CPU back end ------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

static void addTextPipeline(OpPassManager &pm, llvm::StringRef text) {
  // The pipelines are fixed strings of registered upstream passes; a parse
  // failure is a build problem, not a user error.
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("anvil: bad built-in pass pipeline");
}

namespace {

/// erf, exp and tanh (f32) as inline polynomial approximations, accurate to a
/// few ulp, instead of calls to libm: a loop over a GELU's erf or a softmax's
/// exp then vectorizes (a libm call per element took 10% of BERT-base).
struct ApproximateMathPass
    : PassWrapper<ApproximateMathPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ApproximateMathPass)

  static bool approximated(StringRef name) {
    name.consume_front("math.");
    return name == "erf" || name == "exp" || name == "tanh";
  }

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (approximated(op->getName().getStringRef()))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void anvil::cpu::prepareForBufferization(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      fn.setArgAttr(i, "bufferization.writable",
                    BoolAttr::get(module.getContext(), false));
}

void anvil::cpu::buildBufferizeAndOutlinePipeline(OpPassManager &pm, bool fuse,
                                                  const VectorTarget &target) {
  pm.addPass(anvil::createAnvilSignlessIntegers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Fusion duplicates shared inits so that bufferization never copies one;
  // CSE would merge them again, so only canonicalization follows it.
  if (fuse) {
    pm.addNestedPass<func::FuncOp>(anvil::createAnvilFuseLinalg());
    pm.addPass(createCanonicalizerPass());
    // An op whose result is inserted into a bigger tensor (a padded input)
    // writes into that tensor's buffer directly.
    addTextPipeline(pm, "eliminate-empty-tensors");
  }
  // Function results keep the identity layout so that each output is one
  // contiguous buffer the runtime hands to the caller.
  addTextPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                      "function-boundary-type-conversion=identity-layout-map}");
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // CSE makes the views an in-place insert_slice left behind identical; the
  // copy between them is then a self-copy that canonicalization removes.
  pm.addPass(createCanonicalizerPass());
  anvil::AnvilOutlineDispatchesOptions outline;
  outline.groupDispatches = fuse;
  outline.vectorLanes = target.lanes;
  outline.vectorRegisters = target.registers;
  pm.addPass(anvil::createAnvilOutlineDispatches(outline));
}

void anvil::cpu::buildKernelToLLVMPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(anvil::createAnvilTileKernels());
  pm.addNestedPass<func::FuncOp>(std::make_unique<ApproximateMathPass>());
  addTextPipeline(pm,
                  "func.func(convert-linalg-to-loops),canonicalize,cse,"
                  "convert-vector-to-scf{full-unroll=true},"
                  "lower-affine,expand-strided-metadata,lower-affine,"
                  "convert-scf-to-cf,convert-vector-to-llvm,convert-ub-to-llvm,"
                  // bf16 math and arithmetic in f32, the conversions as integer
                  // ops: left to LLVM they call __truncsfbf2 on CPUs without
                  // AVX512-BF16, which libgcc 12 lacks (the artifact would
                  // not load).
                  "math-extend-to-supported-types{target-type=f32},"
                  "arith-emulate-unsupported-floats{source-types=bf16 "
                  "target-type=f32},"
                  "arith-expand{include-bf16=true},"
                  "convert-math-to-llvm,"
                  "convert-math-to-libm,finalize-memref-to-llvm,"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "convert-cf-to-llvm,convert-func-to-llvm,"
                  "reconcile-unrealized-casts");
}

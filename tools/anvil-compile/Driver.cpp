//===- Driver.cpp - anvil-compile's pipeline, as a library ----------------===//
#include "Driver.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::compile;

void compile::registerPipelineDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<kernel::KernelDialect>();
}

std::unique_ptr<MLIRContext> compile::createPipelineContext() {
  DialectRegistry registry;
  registerPipelineDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->printOpOnDiagnostic(false);
  return context;
}

static const char *const kOptionalPasses[] = {"anvil-fold-constants",
                                              "anvil-simplify-graph",
                                              "anvil-conv-layout",
                                              "canonicalize",
                                              "cse",
                                              "anvil-fuse-linalg",
                                              "anvil-pack-weights"};

ArrayRef<const char *> compile::optionalPasses() { return kOptionalPasses; }

bool PipelineOptions::isDisabled(StringRef name) const {
  return llvm::is_contained(disabledPasses, name.str());
}

/// Runs the passes `build` adds on `module`, in a pass manager of its own so
/// that MLIR's per-pass-manager options apply to each stage.
static LogicalResult runStage(ModuleOp module, const PipelineOptions &options,
                              llvm::function_ref<void(PassManager &)> build) {
  PassManager pm(module.getContext());
  if (options.configure && failed(options.configure(pm)))
    return failure();
  build(pm);
  return pm.run(module);
}

LogicalResult compile::optimizeGraph(ModuleOp module,
                                     const PipelineOptions &options) {
  return runStage(module, options, [&](PassManager &pm) {
    // Sizes and axes computed from constants must be constants before
    // lowering (code generation needs them at compile time).
    if (!options.isDisabled("canonicalize"))
      pm.addPass(createCanonicalizerPass());
    if (!options.isDisabled("anvil-fold-constants"))
      pm.addNestedPass<func::FuncOp>(createAnvilFoldConstants());
    // BatchNorm, bias adds and weight transposes into weights.
    if (!options.isDisabled("anvil-simplify-graph"))
      pm.addNestedPass<func::FuncOp>(createAnvilSimplifyGraph());
    // Channels-last convs where they vectorize better, after BatchNorm and
    // bias adds are folded into NCHW weights.
    if (!options.isDisabled("anvil-conv-layout"))
      pm.addNestedPass<func::FuncOp>(createAnvilConvLayout());
    if (!options.isDisabled("canonicalize"))
      pm.addPass(createCanonicalizerPass());
    if (!options.isDisabled("cse"))
      pm.addPass(createCSEPass());
  });
}

LogicalResult compile::lowerToLinalg(ModuleOp module,
                                     const PipelineOptions &options) {
  return runStage(module, options, [](PassManager &pm) {
    pm.addNestedPass<func::FuncOp>(createConvertAnvilToLinalg());
  });
}

LogicalResult compile::lowerToKernels(ModuleOp module,
                                      const PipelineOptions &options) {
  cpu::prepareForBufferization(module);
  return runStage(module, options, [&](PassManager &pm) {
    cpu::buildBufferizeAndOutlinePipeline(
        pm, !options.isDisabled("anvil-fuse-linalg"), options.vectors);
  });
}

LogicalResult compile::packWeights(ModuleOp module,
                                   const PipelineOptions &options) {
  if (options.isDisabled("anvil-pack-weights"))
    return success();
  return runStage(module, options, [](PassManager &pm) {
    pm.addPass(createAnvilPackWeights());
  });
}

LogicalResult compile::lowerKernelsToLLVM(ModuleOp module,
                                          const cpu::Plan &plan,
                                          const PipelineOptions &options) {
  if (failed(runStage(module, options, [](PassManager &pm) {
        cpu::buildKernelToLLVMPipeline(pm);
      })))
    return failure();
  return cpu::addKernelEntryPoints(module, plan);
}

bool compile::lowerToNative(ModuleOp module, const std::string &cpu,
                            unsigned optLevel, NativeOutput output,
                            NativeCode &code, std::string &error) {
  code.context = std::make_unique<llvm::LLVMContext>();
  code.machine = cpu::createTargetMachine(cpu, optLevel, error);
  if (!code.machine)
    return false;
  code.module = cpu::translateAndOptimize(module, *code.context, *code.machine,
                                          optLevel, error);
  if (!code.module)
    return false;
  return output == NativeOutput::LLVMIR ||
         cpu::emitMachineCode(*code.module, *code.machine,
                              output == NativeOutput::Assembly,
                              code.machineCode, error);
}

LogicalResult compile::buildArtifact(ModuleOp module,
                                     const PipelineOptions &options,
                                     const std::string &cpu, unsigned optLevel,
                                     const std::string &outputPath,
                                     std::string &error) {
  if (failed(packWeights(module, options)))
    return failure();
  FailureOr<cpu::Plan> plan = cpu::extractPlan(module);
  if (failed(plan) || failed(lowerKernelsToLLVM(module, *plan, options)))
    return failure();
  NativeCode code;
  if (!lowerToNative(module, cpu, optLevel, NativeOutput::Object, code,
                     error) ||
      !cpu::linkArtifact(code.machineCode, *plan, outputPath, error))
    return failure();
  return success();
}

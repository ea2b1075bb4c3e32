//===- Driver.h - anvil-compile's pipeline, as a library ---------*- C++
//-*-===//
//
// The stages `anvil-compile` runs a model through, callable from other tools
// (anvil-tune compiles kernel variants in-process with them): import, graph
// passes, linalg, bufferization and outlining (the "kernels" stage), and the
// back end (plan, LLVM dialect, native code, artifact). Each stage reports its
// errors as diagnostics on the module's context and returns failure.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_TOOLS_ANVIL_COMPILE_DRIVER_H
#define ANVIL_TOOLS_ANVIL_COMPILE_DRIVER_H

#include "codegen/CPU/CPUBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Target/TargetMachine.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace anvil::compile {

/// The dialects, extensions and LLVM IR translations the whole pipeline needs.
void registerPipelineDialects(mlir::DialectRegistry &registry);

/// A context with the pipeline's dialects (registerPipelineDialects) that
/// does not print the op a diagnostic is attached to, as the tools report
/// diagnostics.
std::unique_ptr<mlir::MLIRContext> createPipelineContext();

/// The model a tool compiles, its positional argument (anvil-compile,
/// anvil-tune), in the tool's option `category`.
class ModelPathOption : public llvm::cl::opt<std::string> {
public:
  explicit ModelPathOption(llvm::cl::OptionCategory &category)
      : llvm::cl::opt<std::string>(
            llvm::cl::Positional,
            llvm::cl::desc("<model.onnx | model.onnxtxt>"),
            llvm::cl::cat(category)) {}
};

/// The optimizations `--disable-pass` can turn off.
llvm::ArrayRef<const char *> optionalPasses();

/// How the stages run.
struct PipelineOptions {
  /// Names from optionalPasses() that are turned off.
  std::vector<std::string> disabledPasses;
  /// Called on each stage's pass manager before its passes are added (for
  /// MLIR's command-line options: timing, IR printing); null: nothing.
  std::function<mlir::LogicalResult(mlir::PassManager &)> configure;
  /// The vector registers of the CPU the kernels are for: their default
  /// register tiles (cpu::vectorTarget of --cpu).
  cpu::VectorTarget vectors;

  bool isDisabled(llvm::StringRef name) const;
};

/// Canonicalization, constant folding, graph simplification and layout.
mlir::LogicalResult optimizeGraph(mlir::ModuleOp module,
                                  const PipelineOptions &options);
/// The anvil graph dialect to linalg on tensors.
mlir::LogicalResult lowerToLinalg(mlir::ModuleOp module,
                                  const PipelineOptions &options);
/// Bufferizes the model function and outlines its kernels, each with its
/// default TuningConfig (the "kernels" stage).
mlir::LogicalResult lowerToKernels(mlir::ModuleOp module,
                                   const PipelineOptions &options);

/// Stores constant matmul weights as the panels their kernels' final
/// TuningConfigs read (--anvil-pack-weights): the first step of the back end,
/// before cpu::extractPlan takes the weights out.
mlir::LogicalResult packWeights(mlir::ModuleOp module,
                                const PipelineOptions &options);

/// Lowers the kernels of a kernels-stage module whose plan was taken out
/// (cpu::extractPlan) to the LLVM dialect, with the entry points of `plan`.
mlir::LogicalResult lowerKernelsToLLVM(mlir::ModuleOp module,
                                       const cpu::Plan &plan,
                                       const PipelineOptions &options);
/// Lowers the kernels of `module` (already lowered to the LLVM dialect, with
/// the plan taken out) to native code for `cpu`.
struct NativeCode {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<llvm::Module> module;
  /// Object code, or assembly with `assembly`; empty when only LLVM IR was
  /// asked for.
  llvm::SmallVector<char> machineCode;
};
enum class NativeOutput { LLVMIR, Assembly, Object };
bool lowerToNative(mlir::ModuleOp module, const std::string &cpu,
                   unsigned optLevel, NativeOutput output, NativeCode &code,
                   std::string &error);

/// The whole back end of a kernels-stage module: packed weights, plan, LLVM,
/// native code and
/// the artifact at `outputPath` (only written on success). Consumes `module`
/// (it is lowered in place).
mlir::LogicalResult buildArtifact(mlir::ModuleOp module,
                                  const PipelineOptions &options,
                                  const std::string &cpu, unsigned optLevel,
                                  const std::string &outputPath,
                                  std::string &error);

} // namespace anvil::compile

#endif // ANVIL_TOOLS_ANVIL_COMPILE_DRIVER_H

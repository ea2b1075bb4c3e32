//===- KernelVariant.h - One kernel of a model, built alone ------*- C++
//-*-===//
//
// The tuner measures a kernel through the real runtime, but not inside its
// whole model: it cuts the kernel out into a model of its own, whose host
// function runs that kernel's first dispatch (with the grid it has in the
// model) on buffers that are the new model's inputs (what the kernel only
// reads: the model's inputs and earlier kernels' results) and outputs (what
// it writes), and keeps the weights it reads. Symbolic input dims are bound to
// the sizes being tuned for, so every buffer has a known size. Each variant is
// that model compiled under one TuningConfig of the kernel, by anvil-compile's
// own back end, into an artifact the runtime loads.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_KERNELVARIANT_H
#define ANVIL_AUTOTUNE_KERNELVARIANT_H

#include "autotune/SearchSpace.h"
#include "codegen/CPU/KernelTuning.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace anvil::autotune {

/// Input name -> its dims; inputs not named have every symbolic dim bound to 1.
using ShapeBindings = std::map<std::string, std::vector<int64_t>>;

/// Checks that `bindings` name inputs of the model function of the
/// kernels-stage `module`, with their rank and static dims; `error` says
/// which does not.
mlir::LogicalResult checkBindings(mlir::ModuleOp module,
                                  const ShapeBindings &bindings,
                                  std::string &error);

/// A kernel cut out of its model.
struct StandaloneKernel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// What its search space is generated from (kind, bound loop extents,
  /// allowed splits, default config).
  KernelShape shape;
};

/// Cuts kernel `kernel` (of the kernels-stage `module`, which is left alone)
/// out into a model of its own; fails with `error` when a buffer it uses has
/// a size that the bindings do not fix.
mlir::FailureOr<StandaloneKernel>
extractKernel(mlir::ModuleOp module, const cpu::KernelDescription &kernel,
              const ShapeBindings &bindings, std::string &error);

/// MLIR bytecode of `module`, weights included: how a standalone kernel
/// travels to the compilers of other threads.
std::string toBytecode(mlir::ModuleOp module);

/// Compiles variants of one standalone kernel. Each compiler has its own
/// MLIR context, so that several compile on several threads at once.
class VariantCompiler {
public:
  /// Parses `bytecode` (toBytecode) into a context of its own.
  static std::unique_ptr<VariantCompiler>
  create(std::shared_ptr<const std::string> bytecode, std::string cpu,
         unsigned optLevel, std::string &error);
  ~VariantCompiler();

  /// Compiles the kernel under `config` (a `#anvil_kernel.tuning<...>`) into
  /// the artifact `path`. On failure `error` says why: a config the kernel
  /// rejects, or a compilation that failed.
  bool build(const std::string &config, const std::string &path,
             std::string &error);
  /// Compiles the module with each named kernel function under its config
  /// (symbol -> config text; the others keep theirs): how the model check
  /// builds whole models on several threads. `error` names the kernel.
  bool buildWith(const std::map<std::string, std::string> &configs,
                 const std::string &path, std::string &error);

private:
  VariantCompiler() = default;
  std::shared_ptr<const std::string> bytecode;
  std::string cpu;
  unsigned optLevel = 3;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> base;
  std::string kernelName;
};

/// Runs `build(compiler, i)` for every i in [0, count), as many at a time
/// as there are `compilers` (each on its own compiler, in threads when more
/// than one); the result's [i] is what build(i) returned ("" on success).
std::vector<std::string> buildInParallel(
    std::vector<std::unique_ptr<VariantCompiler>> &compilers, size_t count,
    const std::function<std::string(VariantCompiler &, size_t)> &build);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_KERNELVARIANT_H

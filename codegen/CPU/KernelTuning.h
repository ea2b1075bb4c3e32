//===- KernelTuning.h - What the autotuner sees of a CPU kernel -*- C++ -*-===//
//
// The compiler's side of tuning: for each outlined kernel function, the key a
// tuning measurement is stored under (a hash of its IR without its
// TuningConfig, its shapes, the target, the machine and the compiler version),
// what a tuner needs to enumerate its configs (the root op's loops, the loops
// that may be split over workgroups), and a checked replacement of its
// TuningConfig. `anvil-compile --list-kernels`, `--kernel-config` and
// `--tuning-db` are built on it (docs/tuning-database.md).
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_CODEGEN_CPU_KERNELTUNING_H
#define ANVIL_CODEGEN_CPU_KERNELTUNING_H

#include "dialects/Kernel/KernelDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallBitVector.h"

#include <string>
#include <vector>

namespace anvil::cpu {

/// The codegen target name in tuning keys.
inline constexpr llvm::StringLiteral kTuningTarget = "cpu";

/// The Anvil version in tuning keys: the project version and the number of
/// the code generator's revision, e.g. "0.1.0+codegen.1". A measurement is
/// only valid for the code it timed, so the revision is raised (in
/// KernelIdentity.cpp) by every change that makes the same kernel IR under the
/// same TuningConfig compile to different code.
llvm::StringRef compilerVersion();

/// The machine that tuning measurements are valid for: for `cpu` "" or
/// "native", the host CPU's name and a short hash of its features
/// ("znver4-3f0c91a2b7de"); for a named CPU, that name.
std::string cpuFingerprint(llvm::StringRef cpu);

/// What makes two kernels the same for tuning, on one target and machine.
struct KernelIdentity {
  /// SHA-256 (hex) of the kernel function printed in generic form without its
  /// TuningConfig and under a fixed name: identical kernels, in one model or
  /// in two, hash the same; any other op, shape or attribute hashes otherwise.
  std::string hash;
  /// The kernel's buffer argument types, comma-separated
  /// ("memref<?x56x56x64xf32>,memref<3x3x64x64xf32>,...").
  std::string shapes;
};
KernelIdentity identifyKernel(mlir::func::FuncOp kernel);

/// The kernels of `module` (functions with a TuningConfig), in module order;
/// a kernel's position in it is its index.
llvm::SmallVector<mlir::func::FuncOp> kernelFunctions(mlir::ModuleOp module);

/// The op a kernel's TuningConfig describes: its only linalg op, or the one
/// marked `anvil_kernel.root` in a fused kernel; null when there is none.
mlir::linalg::LinalgOp kernelRoot(mlir::func::FuncOp kernel);

/// A kernel as a tuner sees it.
struct KernelDescription {
  mlir::func::FuncOp function;
  mlir::linalg::LinalgOp root;
  KernelIdentity identity;
  /// Linalg ops in the kernel (more than one: a fused kernel).
  int64_t numOps = 0;
  /// Static extent of each loop of the root op (ShapedType::kDynamic if not).
  llvm::SmallVector<int64_t> extents;
  llvm::SmallVector<mlir::utils::IteratorType> iterators;
  /// Loops read through floordiv/mod: neither split nor tiled.
  llvm::SmallBitVector untileable;
  /// The values its TuningConfig's distribute_dim may take (see
  /// allowedDistributeDims).
  llvm::SmallVector<int64_t> distributeDims;
  /// `anvil_kernel.dispatch` ops that run it.
  int64_t dispatches = 0;
  /// Iterations of all its linalg ops per run, symbolic extents counted as 1.
  uint64_t work = 0;
};

/// Describes every kernel of `module`, in kernelFunctions order; fails (with
/// a diagnostic on the kernel) for a kernel without a root op.
mlir::FailureOr<std::vector<KernelDescription>>
describeKernels(mlir::ModuleOp module);

/// The values `distribute_dim` may take in `kernel`'s TuningConfig: -1 and
/// the parallel loops of the root op not read through floordiv/mod; in a
/// fused kernel only its current one, because its other ops are split along
/// loops chosen to match it.
llvm::SmallVector<int64_t> allowedDistributeDims(mlir::func::FuncOp kernel,
                                                 mlir::linalg::LinalgOp root);

/// Parses `text` as a TuningConfig (`#anvil_kernel.tuning<...>`); null, with
/// `error` set and no diagnostic emitted, when it is not one.
kernel::TuningConfigAttr parseTuningConfig(mlir::MLIRContext *ctx,
                                           llvm::StringRef text,
                                           std::string &error);

/// Makes `config` the TuningConfig of `kernel` (of `module`) if it is legal
/// there: its distribute_dim is allowed (allowedDistributeDims), and the
/// kernel compiles under it (a copy of the kernel is tiled and lowered to the
/// LLVM dialect first; --anvil-tile-kernels refuses negative sizes and
/// oversized register tiles). The grid of each
/// dispatch of the kernel follows the new distribute_dim. On failure nothing
/// changes, no diagnostic is emitted, and `reason` says why.
mlir::LogicalResult replaceTuningConfig(mlir::ModuleOp module,
                                        mlir::func::FuncOp kernel,
                                        kernel::TuningConfigAttr config,
                                        std::string &reason);

/// Runs `body` with the error diagnostics it emits on `ctx` collected in
/// `messages` ("; "-separated) instead of reported; returns what `body` does.
template <typename Body>
auto collectErrors(mlir::MLIRContext *ctx, std::string &messages, Body body) {
  mlir::ScopedDiagnosticHandler handler(ctx, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      messages += (messages.empty() ? "" : "; ") + diag.str();
    return mlir::success();
  });
  return body();
}

} // namespace anvil::cpu

#endif // ANVIL_CODEGEN_CPU_KERNELTUNING_H

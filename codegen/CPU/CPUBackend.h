//===- CPUBackend.h - The CPU pipeline after linalg -------------*- C++ -*-===//
//
// From linalg on tensors to a loadable artifact: bufferize the model function,
// outline kernels, turn the schedule into the runtime's plan
// (runtime/include/anvil/plan_format.h), lower kernels to LLVM, emit native
// code for the host (or a named) CPU and link one shared object.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_CODEGEN_CPU_CPUBACKEND_H
#define ANVIL_CODEGEN_CPU_CPUBACKEND_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallBitVector.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class Module;
class LLVMContext;
class TargetMachine;
} // namespace llvm

namespace anvil::cpu {

/// The vector registers a CPU's kernels are register-tiled for: the default
/// TuningConfigs (--anvil-outline-dispatches) and the autotuner's register
/// budget come from it.
struct VectorTarget {
  int64_t lanes = 16;     ///< f32 lanes of one vector register
  int64_t registers = 32; ///< vector registers
  /// The model's weights outgrow the caches, so kernels find them in memory
  /// on every run (--anvil-outline-dispatches' large-weights-bytes): the
  /// default matmul register tiles are then wider.
  bool weightsFromMemory = false;
};

/// The plan and weights of one model, ready to embed in an artifact.
struct Plan {
  std::vector<char> planBytes;
  std::vector<char> weights;
  /// kernelSymbols[K] is the kernel function run by plan kernel index K.
  std::vector<std::string> kernelSymbols;
};

/// Loops of `op` that an indexing map reads through floordiv, ceildiv or mod;
/// tiling them at unaligned offsets would give wrong indices, so no
/// TuningConfig may split or tile them.
llvm::SmallBitVector untileableLoops(mlir::linalg::LinalgOp op);

/// The loops of a batched matmul: C[b.., m, n] += A[b.., m, k] * B[b.., k,
/// n], the batch loops first in every operand, then the two others in this
/// order (attention's Q x K^T and P x V once K is transposed).
struct BatchMatmulDims {
  llvm::SmallVector<unsigned> batch;
  unsigned m = 0, n = 0, k = 0;
};
/// `op`'s loops if it is a batched matmul with at least one batch loop.
std::optional<BatchMatmulDims> batchMatmulDims(mlir::linalg::LinalgOp op);

/// Whether a TuningConfig with `tileSizes` and `vectorSizes` packs `op`'s
/// weights (--anvil-tile-kernels): a register tile and cache blocks for a
/// matmul (`[mc, nc, kc]`) or a channels-last convolution (`[0, 0, 0, nc, 0,
/// 0, kc]`: output and input channels).
bool packsWeights(mlir::linalg::LinalgOp op, llvm::ArrayRef<int64_t> tileSizes,
                  llvm::ArrayRef<int64_t> vectorSizes);

/// Whether the taps of one filter row of `conv`, packed in `kc`-deep blocks,
/// are one reduction of KW*C (at most `kc`): the input pixels a filter row
/// reads for one output pixel are consecutive (dilation 1 along W) and a
/// pixel's channels contiguous, so that (kw, c) walks KW*C consecutive
/// elements, and the HWCF weights of a filter row are one [KW*C x F] matrix.
/// Fewer, longer matmuls: a 7x7 filter over 3 channels is 7 of depth 21, not
/// 49 of 3.
bool mergesTaps(mlir::linalg::Conv2DNhwcHwcfOp conv, int64_t kc);

/// Whether `op` is a channels-last window op (a depthwise convolution or a
/// max pooling: loops n, oh, ow, c, kh, kw) whose register tile is [pixels,
/// channels], one accumulator vector per pixel across the window.
bool hasPixelTile(mlir::Operation *op);

/// A matmul with fewer rows than this is not packed: it reads each weight once
/// or twice, and packing would only add a copy of them (TileKernels'
/// packAndRegisterTile; --anvil-pack-weights leaves its weights alone).
inline constexpr int64_t kMinPackedRows = 16;
/// The panel width w (register-tile columns) with which `op`, a linalg op of
/// `kernel`, packs its B operand (a convolution's filter): a matmul or a
/// channels-last convolution whose sizes (the kernel's
/// TuningConfig for its root, its own attributes otherwise) make packsWeights
/// true. 0 for any other op.
int64_t packedPanelWidth(mlir::func::FuncOp kernel, mlir::linalg::LinalgOp op);
/// A weight of `shape` as the row-major [k x n] matrices --anvil-pack-weights
/// stores as panels ([sets][n/w][k][w]) and TileKernels reads: a matmul's
/// [K x N] B is one matrix, a conv's [KH][KW][C][F] filter KH of [KW*C x F],
/// one per filter row.
struct PanelMatrices {
  int64_t sets, k, n;
};
PanelMatrices panelMatrices(llvm::ArrayRef<int64_t> shape);
/// The multiple of the register tile (`vectorSizes` of `op`'s TuningConfig)
/// at which workgroup chunks of `op`'s loop `dim` start, so that the same
/// elements take the same vector path whatever the number of workgroups (1
/// when the register tile does not cut that loop).
int64_t splitAlign(mlir::linalg::LinalgOp op, int64_t dim,
                   llvm::ArrayRef<int64_t> vectorSizes);

/// Whether `op` only initializes its one output: a fill, or a generic whose
/// body yields its one input (the broadcast of a bias). OutlineDispatches
/// starts a convolution's kernel at such an op; TileKernels runs it per
/// output block of the convolution.
bool onlyInitializes(mlir::linalg::LinalgOp op);

/// Adds the canonicalization patterns of every dialect loaded in, and every
/// op registered with, the context of `patterns`.
inline void
populateAllCanonicalizationPatterns(mlir::RewritePatternSet &patterns) {
  mlir::MLIRContext *ctx = patterns.getContext();
  for (mlir::Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (mlir::RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

/// Marks the model function's arguments read-only: inputs belong to the
/// caller and are never written.
void prepareForBufferization(mlir::ModuleOp module);

/// Bufferizes the model function (linalg on tensors) and outlines its compute
/// ops into kernels with default TuningConfigs. With `fuse`, linalg ops are
/// fused on tensors first (--anvil-fuse-linalg) and runs of ops that can share
/// a workgroup split become one kernel. Default register tiles are for
/// `target`.
void buildBufferizeAndOutlinePipeline(mlir::OpPassManager &pm, bool fuse = true,
                                      const VectorTarget &target = {});

/// Builds the plan from the (single) model function and removes it and the
/// weight globals from `module`, leaving only kernels.
mlir::FailureOr<Plan> extractPlan(mlir::ModuleOp module);

/// Applies TuningConfigs and lowers the kernels to the LLVM dialect, adding the
/// `anvil_kernel_K` entry points the runtime calls.
void buildKernelToLLVMPipeline(mlir::OpPassManager &pm);
mlir::LogicalResult addKernelEntryPoints(mlir::ModuleOp module,
                                         const Plan &plan);

/// A target machine for `cpu` ("" or "native": the host CPU and its
/// features). Returns null and sets `error` for an unknown CPU.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const std::string &cpu,
                                                         unsigned optLevel,
                                                         std::string &error);

/// `cpu`'s vector registers ("" or "native": the host's): AVX-512 32 x 16
/// lanes, AVX 16 x 8, otherwise (SSE) 16 x 4. Returns nullopt and sets
/// `error` for an unknown CPU.
std::optional<VectorTarget> vectorTarget(const std::string &cpu,
                                         std::string &error);

/// Translates LLVM-dialect `module` and optimizes it at `optLevel`.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &ctx,
                                                   llvm::TargetMachine &tm,
                                                   unsigned optLevel,
                                                   std::string &error);

/// Object code (or assembly) for `module`.
bool emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                     bool assembly, llvm::SmallVectorImpl<char> &out,
                     std::string &error);

/// Links kernels' object code, plan and weights into the shared object
/// `outputPath`; writes to a temporary first so `outputPath` changes only on
/// success.
bool linkArtifact(llvm::ArrayRef<char> object, const Plan &plan,
                  const std::string &outputPath, std::string &error);

} // namespace anvil::cpu

#endif // ANVIL_CODEGEN_CPU_CPUBACKEND_H

//===- KernelDialect.h - Dispatch-level ops and TuningConfig ----*- C++ -*-===//
#ifndef ANVIL_DIALECTS_KERNEL_KERNELDIALECT_H
#define ANVIL_DIALECTS_KERNEL_KERNELDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"

#include "dialects/Kernel/KernelDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Kernel/KernelAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Kernel/KernelOps.h.inc"

namespace anvil::kernel {
/// The attribute name under which a kernel function carries its TuningConfig.
inline constexpr llvm::StringLiteral kTuningAttrName = "anvil_kernel.tuning";
/// In a kernel with several ops: the op the TuningConfig describes (its
/// `distribute_dim`, tiles and loop order).
inline constexpr llvm::StringLiteral kRootAttrName = "anvil_kernel.root";
/// In a kernel with several ops: on each op but the root, the loop that is
/// split over workgroups like the root's (same extent and chunks), or -1 when
/// the kernel is not split.
inline constexpr llvm::StringLiteral kDistributeAttrName =
    "anvil_kernel.distribute_dim";
/// In a kernel with several ops split by the batch (the grid is the batch):
/// on an op whose split loop covers this many elements an image (a matmul
/// over the rows of a batch of sequences), the root too. Its workgroup's chunk
/// is this many times the workgroup's images: the loop's extent divided by
/// the factor is the grid's extent. Absent: 1.
inline constexpr llvm::StringLiteral kDistributeFactorAttrName =
    "anvil_kernel.distribute_factor";
/// In a kernel with several ops: on an op but the root, the order of its loops
/// (as in the TuningConfig's `loop_order`), when it is not the given one.
inline constexpr llvm::StringLiteral kLoopOrderAttrName =
    "anvil_kernel.loop_order";
/// In a kernel with several ops: on an op but the root, its cache tiles and
/// register tile (as the TuningConfig's `tile_sizes` and `vector_sizes`).
inline constexpr llvm::StringLiteral kTileSizesAttrName =
    "anvil_kernel.tile_sizes";
inline constexpr llvm::StringLiteral kVectorSizesAttrName =
    "anvil_kernel.vector_sizes";
/// On a convolution of a kernel with several ops: no dispatch after this
/// kernel reads its output buffer, so the kernel may leave it unwritten when
/// the ops that read it run per output block (TileKernels' block fusion then
/// keeps each block in a scratch buffer).
inline constexpr llvm::StringLiteral kScratchOutputAttrName =
    "anvil_kernel.scratch_output";
/// On a kernel function's argument: the constant matrix B ([K x N], N a
/// multiple of the value w) it receives is stored as w-column panels
/// ([N/w][K][w], B[k][n] at ((n/w)*K + k)*w + n%w) under its [K x N] type;
/// a convolution's constant [KH][KW][C][F] filter (F a multiple of w) as the
/// panels of each filter row's [KW*C x F] matrix ([KH][F/w][KW*C][w]) under
/// its filter type. --anvil-pack-weights laid it out so at compile time, and
/// the matmul or conv that reads it (--anvil-tile-kernels) reads the panels
/// instead of packing them.
inline constexpr llvm::StringLiteral kPackedPanelsAttrName =
    "anvil_kernel.packed_panels";
} // namespace anvil::kernel

#endif // ANVIL_DIALECTS_KERNEL_KERNELDIALECT_H

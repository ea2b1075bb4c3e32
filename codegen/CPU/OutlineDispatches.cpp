//===- OutlineDispatches.cpp - Compute ops become kernels + dispatches ----===//
//
// After bufferization the model function is a straight-line list of buffer
// allocations, views, size arithmetic and compute ops. Runs of consecutive
// compute ops that can share one workgroup split (each workgroup only reads
// what it wrote itself) become one kernel function (with the index arithmetic
// they need cloned in) and are replaced by an `anvil_kernel.dispatch`; the
// model function becomes the schedule that the artifact writer turns into the
// runtime's plan.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace anvil {
#define GEN_PASS_DEF_ANVILOUTLINEDISPATCHES
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

/// Loops that some indexing map reads through floordiv, ceildiv or mod (a GQA
/// head index `h floordiv 3`). Tiling such a loop at an offset that is not a
/// multiple of the divisor gives wrong indices in the tile (linalg keeps the
/// maps and rebases the loop), so they are never split or tiled.
llvm::SmallBitVector anvil::cpu::untileableLoops(linalg::LinalgOp op) {
  llvm::SmallBitVector loops(op.getNumLoops());
  std::function<void(AffineExpr, bool)> visit = [&](AffineExpr e,
                                                    bool inDivision) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (inDivision)
        loops.set(d.getPosition());
      return;
    }
    if (auto bin = dyn_cast<AffineBinaryOpExpr>(e)) {
      bool division = inDivision || e.getKind() == AffineExprKind::FloorDiv ||
                      e.getKind() == AffineExprKind::CeilDiv ||
                      e.getKind() == AffineExprKind::Mod;
      visit(bin.getLHS(), division);
      visit(bin.getRHS(), division);
    }
  };
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr e : map.getResults())
      visit(e, false);
  return loops;
}

namespace {

/// Ops that may stay in the schedule: they only allocate, view or compute
/// sizes, all of which the runtime can evaluate from the input shapes.
bool isScheduleOp(Operation *op) {
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             memref::GetGlobalOp, memref::SubViewOp, memref::ExpandShapeOp,
             memref::CollapseShapeOp, memref::CastOp, memref::ReinterpretCastOp,
             memref::DimOp, affine::AffineApplyOp, affine::AffineMinOp,
             affine::AffineMaxOp, func::ReturnOp>(op) ||
         (isa<arith::ArithDialect>(op->getDialect()) && isPure(op));
}

bool isComputeOp(Operation *op) {
  return isa<linalg::LinalgOp, memref::CopyOp, memref::StoreOp>(op);
}

/// For contractions, convolutions and pooling whose last loop is a reduction
/// (matmul's k, conv's kw): the order that moves the last parallel loop (the
/// unit-stride one of the output: matmul's j, conv's ow) innermost, after the
/// reductions, so that LLVM can vectorize it. Empty when the order is fine.
SmallVector<int64_t> vectorFriendlyOrder(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op) &&
      !linalg::isaConvolutionOpInterface(op))
    return {};
  auto iterators = op.getIteratorTypesArray();
  int64_t n = iterators.size();
  if (n < 2 || iterators[n - 1] != utils::IteratorType::reduction)
    return {};
  int64_t lastParallel = -1;
  for (int64_t d = 0; d < n; ++d)
    if (iterators[d] == utils::IteratorType::parallel)
      lastParallel = d;
  if (lastParallel < 0)
    return {};
  SmallVector<int64_t> order;
  for (int64_t d = 0; d < n; ++d)
    if (d != lastParallel)
      order.push_back(d);
  order.push_back(lastParallel);
  return order;
}

/// Iterations below which splitting a kernel over threads costs more than it
/// gains (measured on the bundled CNN at batch 1).
constexpr int64_t kMinParallelWork = 1 << 16;

/// Iterations per image below which a serial kernel stays one workgroup at
/// every batch (see bestGroup): resnet_mini's two 1152-iteration border fills
/// took 1.4 us split by the batch at batch 2 on 2 threads, 0.7 us unsplit (the
/// same at batch 8); its 3468-iteration input transpose the same at batch 2
/// and 1.7x faster at batch 8. Chosen between the two, not tuned.
constexpr int64_t kMinBatchSplitWork = 2048;

/// Iterations a serial kernel (each of its ops below kMinParallelWork) stays
/// below when it runs an NHWC depthwise conv or max pooling op (see
/// joinsPastSerialWork).
constexpr int64_t kMaxSerialGroupWork = kMinParallelWork * 3 / 2;

/// Whether `op` has a reduction loop (a contraction, convolution, pooling op
/// or a generic reduction such as a softmax's sum).
bool hasReduction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0;
}

/// The extent of each loop of a compute op (a copy's loops are its target's
/// dims), and which loops may be spread over workgroups: parallel ones not
/// read through floordiv/mod (every loop of a copy).
SmallVector<int64_t> loopExtents(Operation *op, llvm::SmallBitVector &split) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    auto iterators = linalgOp.getIteratorTypesArray();
    split = cpu::untileableLoops(linalgOp).flip();
    for (auto [d, iterator] : llvm::enumerate(iterators))
      if (iterator != utils::IteratorType::parallel)
        split.reset(d);
    return linalgOp.getStaticLoopRanges();
  }
  SmallVector<int64_t> extents;
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    extents = llvm::to_vector(
        cast<MemRefType>(copy.getTarget().getType()).getShape());
  split = llvm::SmallBitVector(extents.size(), true);
  return extents;
}

/// The register tile of an f32 matmul: at most 8 rows by two vectors (on
/// AVX-512, 8 x 32: 16 accumulators; the 8 x 32 x 1 outer product is 8
/// broadcasts and 16 FMAs; see registerTile), one reduction step unless
/// kReductionUnroll applies.
constexpr int64_t kMaxTileRows = 8;
constexpr int64_t kTileVectors = 2;
/// The register tile of an f32 matmul in a model whose weights come from
/// memory on every run (VectorTarget::weightsFromMemory): 4 rows by four
/// vectors (4 x 64 on AVX-512: 16 accumulators, a 256-byte row of each B
/// panel per step), where the columns are a multiple of four vectors and the
/// registers hold it. BERT-base (414 MiB of weights, 48 such matmuls) ran
/// 1.07x faster end to end (2 threads, 12 interleaved rounds, faster in 12);
/// its three shapes alone with a symbolic row count, 128 rows, 2 threads:
/// 1.02-1.05x faster with the weights flushed before each run (anvil-run
/// --flush-weights, 5 shuffled rounds), but 0.94-0.98x with them cached, so
/// smaller models keep 8 x 32. 6 x 64 (24 accumulators) ran BERT-base 1.09x
/// slower: a 64-row cache block leaves a 4-row edge of every block.
constexpr int64_t kWideTileVectors = 4;
constexpr int64_t kWideTileRows = 4;
/// Output pixels per image at or below which a convolution in such a model
/// gets the wide tile too (one 64-channel block; 7-pixel rows as 4 + 3): the
/// 7x7 layers, whose weights are the largest. ResNet-50 (97 MiB of weights)
/// ran 1.02-1.03x faster end to end (2 threads, 28 interleaved rounds, faster
/// in 25), anvil-tune's cold searches on its 7x7 3x3 conv kept 4 x 64 tiles
/// (1.08x alone); adding the 14x14 layers gained nothing (4 of 12 rounds).
constexpr int64_t kWideConvMaxPixels = 49;
constexpr int64_t kOneStep = 1;
/// Reduction steps per iteration of the register loop (vector_sizes[2]) when
/// they divide the reduction: the loop's control is paid once per 4 steps. A
/// 1024^3 matmul ran 1.5% faster at 1 thread, ResNet-50's 3x3 and 1x1 convs
/// 1-4% (interleaved A/B). 2 would load two values of A as a vector and
/// shuffle them (1.5x slower); 8 ran no faster than 4.
constexpr int64_t kReductionUnroll = 4;
/// Cache blocks of the rows, columns and reduction around it: a 256-column
/// block of B, packed into 32-column panels, stays in L2 while all the rows
/// of A stream past it, 64 at a time, each panel in L1 or L2 while the 64
/// rows stream past it. The reduction block is deep (1024), since each one
/// costs a pass over C's [M x 256] slice: 1024^3 ran 1.08x faster at 1 and
/// 2 threads with 1024 than with 256, 2048^3 1.08x, 512^3 1.05x, BERT-base's
/// 128x768x3072 and 128x3072x768 1-3% (interleaved A/B). Only for a constant
/// B, packed at compile time (--anvil-pack-weights): a B computed at run time
/// is packed block by block into a buffer on the calling thread's stack, and
/// keeps 256-deep blocks (256 KiB, not 1 MiB, of a stack the embedding
/// application may have made small).
constexpr int64_t kCacheTile[] = {64, 256, 1024};
constexpr int64_t kRunTimePackedDepth = 256;
/// A convolution's reduction block (input channels): 256. Deeper ones ran no
/// faster on ResNet-50's 512- and 1024-channel layers.
constexpr int64_t kConvReductionBlock = 256;
/// A conv with a constant filter takes a whole filter row (KW taps of all C
/// input channels) in one reduction block when the block's packed weights
/// (nc x KW*C floats) take at most this many bytes; a filter of several rows
/// and one column keeps its blocks.
/// * A 1x1 filter then makes one pass per output block, so that its fused
///   init and epilogue run on each register tile while it is in registers
///   (see --anvil-tile-kernels). ResNet-50's 28x28 512->128 and 14x14
///   1024->256 convs (128 KiB blocks) ran 1.05-1.09x faster than in
///   256-channel blocks, 7x7 1024->512 (256 KiB) 1.07x; 7x7 2048->512 (512
///   KiB) 0.98-0.99x.
/// * A filter of several taps a row merges them: one pass per filter row
///   instead of one per tap. ResNet-50's 28x28 and 14x14 3x3 convs (96 KiB
///   blocks) ran 1.02-1.04x faster, the model 1.011-1.017x (its 7x7 3x3
///   convs, 384 KiB, keep 256; the tuner's winners on them merged too).
/// * A filter whose row is too wide for that, of several taps, takes all its
///   C channels in one block when nc x C floats fit: its register tiles
///   accumulate every tap (prepacked weights), so it too makes one pass per
///   output block. ResNet-50's 7x7 3x3 512-channel convs (128 KiB) ran
///   1.02-1.03x faster than in two 256-channel blocks.
constexpr int64_t kConvOnePassBlockBytes = 256 * 1024;

/// The widest output row a depthwise conv's default register tile covers in
/// one tile (one accumulator vector a pixel; see kernelConfig).
constexpr int64_t kDepthwiseTilePixels = 14;

/// Output channels in a convolution's cache block when its filter is packed
/// at run time: two 32-channel register tiles (the block's panels live on the
/// worker's stack).
constexpr int64_t kConvChannelBlock = 64;
/// A conv with a constant filter, split by rows (or not at all), whose
/// outputs each sum at most this many products (KH * KW * C) computes all its
/// output channels in one block (as many as whole register tiles cover):
/// each output row is then written whole, pixel after pixel, instead of in
/// one 64-channel (256-byte) slice per pass over the rows; with so short a
/// reduction, writing the output is a large part of the work. Measured with
/// codegen revision 10 at 2 threads (anvil-run --profile, 3 shuffled rounds,
/// NHWC one-conv models, whole vs 64-channel blocks): 56x56 1x1 convs with
/// 256 outputs 1.59x (32 inputs), 1.41x (64, ResNet-50's layer1 expand),
/// 1.30x (128); ResNet-50's 28x28 1x1 128->512 1.05x; MobileNetV2's pointwise
/// expands 1.12-1.91x (28x28 32->192 25 vs 48 us). In ResNet-50 (fused with
/// its bias, residual add and relu) the layer1 expands ran 1.12x faster. A
/// longer reduction gained less alone (28x28 3x3 128 1.03x, 1x1 512->128
/// 1.06x, 56x56 1x1/2 256->512 1.04x) and nothing in the model (0.98x).
/// Split by channels (the 14x14 and 7x7 layers), each workgroup keeps
/// kFewPixels' 32-channel blocks: a whole half ran 0.87-0.97x.
constexpr int64_t kConvWholeChannelsMaxReduction = 128;
/// Output pixels per image at or below which a convolution's cache block is
/// one 32-channel register tile: the rows (a 14x14 or 7x7 layer) are few, so
/// streaming them once more per block costs little, and the block's packed
/// weights ([kc x 32], 32 KiB) stay in L1. anvil-tune's winners on ResNet-50's
/// 14x14 and 7x7 convs had 32 channels (1.05-1.11x over 64).
constexpr int64_t kFewPixels = 196;

/// The columns of a register tile over `extent` output channels: 32, or the
/// largest power of two below when fewer (LLVM splits a vector of another
/// width into element shuffles through the stack).
int64_t tileColumns(int64_t extent, int64_t most) {
  return llvm::bit_floor(static_cast<uint64_t>(std::min(extent, most)));
}

/// Cache blocks [mc, nc, kc] for `columns`-wide register tiles: nc a
/// multiple of them; kc deep when B is `constant` (see kCacheTile).
SmallVector<int64_t> cacheBlocks(int64_t columns, bool constant) {
  return {kCacheTile[0], std::max(columns, kCacheTile[1] / columns * columns),
          constant ? kCacheTile[2] : kRunTimePackedDepth};
}
/// The register loop's reduction steps for a reduction (a matmul's K, a
/// convolution's input channels) of `extent`: kReductionUnroll when it
/// divides the extent (the stem's 3 channels would leave a scalar rest of
/// each 7-tap row: 1.07x slower), else 1.
int64_t reductionUnroll(int64_t extent) {
  return !ShapedType::isDynamic(extent) && extent % kReductionUnroll == 0
             ? kReductionUnroll
             : kOneStep;
}
/// Fewer output channels than this (columns of a matmul) stay scalar: a
/// narrower vector tile does not pay for its loads.
constexpr int64_t kMinVectorColumns = 8;

/// The register tile [rows, columns] on `target`: kTileVectors wide, and as
/// many rows, up to kMaxTileRows, as leave room for the row of B and a
/// broadcast next to the accumulators: 8 x 32 on AVX-512 (16 of 32 zmm
/// accumulate), 6 x 16 on AVX2 (12 of 16 ymm). The 8 x 32 tile compiled for
/// AVX2 (32 accumulators in 16 registers, spilled on every step) ran BERT's
/// 128x768x768 projection 2.2x slower than 6 x 16 (1392 vs 642 us at 2
/// threads, --cpu=x86-64-v3).
std::pair<int64_t, int64_t> registerTile(const cpu::VectorTarget &target) {
  int64_t rows = std::min<int64_t>(
      kMaxTileRows, (target.registers - kTileVectors - 1) / kTileVectors);
  return {std::max<int64_t>(rows, 1), kTileVectors * target.lanes};
}

/// Output pixels in a convolution's register tile for output rows of `ow`
/// pixels and tiles of at most `most` rows: the fewest tiles that cover a row,
/// as even as possible (the edge tile, vectorized too, at most one pixel
/// shorter). A smaller tile that divides the row has fewer FMAs per load: on
/// AVX2 (at most 6 rows) 4-pixel tiles for the 56- and 28-pixel rows of
/// ResNet-50's 3x3 convs ran 1.13x slower than 6 (edges of 2 and 4), 6 x 6 + 2
/// for its 14-pixel rows 1.06x slower than 5 + 5 + 4, 6 + 1 for 7 pixels 1.07x
/// slower than 4 + 3; on AVX-512, 3x3 convs over 60- and 30-pixel rows ran
/// 1.05x and 1.02x faster with 8 rows than with 6, 20 pixels 1.08x with 7
/// than with 5 (kernel times at 2 threads, 5 shuffled rounds). Rows of 56,
/// 28, 14 or 7 pixels keep 8, 7, 7 and 7 rows on AVX-512.
int64_t convTileRows(int64_t ow, int64_t most) {
  if (ow <= 0)
    return 1;
  int64_t tiles = llvm::divideCeil(ow, most);
  return llvm::divideCeil(ow, tiles);
}

/// Whether an op with `columns` output columns (channels) gets the wide
/// register tile (kWideTileRows x kWideTileVectors): its model's weights come
/// from memory, the columns are a multiple of the tile's and the registers
/// hold its accumulators, a row of B and a broadcast.
bool takesWideTile(const cpu::VectorTarget &target, int64_t columns) {
  return target.weightsFromMemory &&
         columns % (kWideTileVectors * target.lanes) == 0 &&
         kWideTileRows * kWideTileVectors + kWideTileVectors + 1 <=
             target.registers;
}

/// The config of `op` split along `dim`: a register-tiled f32 matmul with
/// enough columns for a vector tile, else `order`.
kernel::TuningConfigAttr configFor(Operation *op, int64_t dim,
                                   ArrayRef<int64_t> order,
                                   const cpu::VectorTarget &target) {
  MLIRContext *ctx = op->getContext();
  auto [tileRows, tileCols] = registerTile(target);
  // Register tiles are for ops on f32 buffers (and f32 scalars).
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  bool f32Buffers = linalgOp && linalgOp.hasPureBufferSemantics() &&
                    llvm::all_of(linalgOp->getOperandTypes(), [](Type t) {
                      return getElementTypeOrSelf(t).isF32();
                    });
  auto matmul = dyn_cast<linalg::MatmulOp>(op);
  if (matmul && f32Buffers &&
      llvm::equal(matmul.getIndexingMapsArray(),
                  linalg::MatmulOp::getDefaultIndexingMaps(ctx))) {
    SmallVector<int64_t> extents = matmul.getStaticLoopRanges();
    if (!ShapedType::isDynamic(extents[1]) && extents[1] >= kMinVectorColumns) {
      int64_t columns = tileColumns(extents[1], tileCols);
      int64_t rows = tileRows;
      if (takesWideTile(target, extents[1])) {
        columns = kWideTileVectors * target.lanes;
        rows = kWideTileRows;
      }
      bool constantB = matmul.getDpsInputOperand(1)
                           ->get()
                           .getDefiningOp<memref::GetGlobalOp>();
      return kernel::TuningConfigAttr::get(
          ctx, dim, cacheBlocks(columns, constantB), {},
          SmallVector<int64_t>{rows, columns, reductionUnroll(extents[2])});
    }
  }
  // A batched f32 matmul (attention's Q x K^T and P x V) runs as one
  // register-tiled matmul per batch element; the operands of one are small
  // (a head), so they are not packed.
  if (f32Buffers)
    if (std::optional<cpu::BatchMatmulDims> bm =
            cpu::batchMatmulDims(linalgOp)) {
      SmallVector<int64_t> extents = linalgOp.getStaticLoopRanges();
      if (!ShapedType::isDynamic(extents[bm->n]) &&
          extents[bm->n] >= kMinVectorColumns)
        return kernel::TuningConfigAttr::get(
            ctx, dim, {}, {},
            SmallVector<int64_t>{
                tileRows, tileColumns(extents[bm->n], tileCols), kOneStep});
    }
  // A channels-last convolution runs as one [OW x C] x [C x F] matmul per
  // output row and filter tap (see --anvil-tile-kernels): the register tile
  // is rows of output pixels by two vectors of channels (all of them when
  // fewer); see convTileRows for the pixels.
  auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op);
  if (conv && f32Buffers) {
    SmallVector<int64_t> extents = conv.getStaticLoopRanges();
    int64_t ow = extents[2], f = extents[3];
    if (!ShapedType::isDynamic(ow) && !ShapedType::isDynamic(f) &&
        f >= kMinVectorColumns && !ShapedType::isDynamic(extents[4]) &&
        !ShapedType::isDynamic(extents[5])) {
      int64_t rows = convTileRows(ow, tileRows);
      // Output and input channels in the matmul's cache blocks.
      int64_t columns = tileColumns(f, tileCols);
      int64_t nc = std::max(columns, kConvChannelBlock / columns * columns);
      bool constantFilter = conv.getDpsInputOperand(1)
                                ->get()
                                .getDefiningOp<memref::GetGlobalOp>();
      if (!ShapedType::isDynamic(extents[1]) && extents[1] * ow <= kFewPixels)
        nc = columns;
      else if (constantFilter && dim != 3 &&
               !ShapedType::isDynamic(extents[6]) &&
               extents[4] * extents[5] * extents[6] <=
                   kConvWholeChannelsMaxReduction)
        nc = f / columns * columns;
      if (!ShapedType::isDynamic(extents[1]) &&
          extents[1] * ow <= kWideConvMaxPixels && takesWideTile(target, f)) {
        columns = nc = kWideTileVectors * target.lanes;
        rows = convTileRows(ow, kWideTileRows);
      }
      // A whole filter row in one block (see kConvOnePassBlockBytes).
      int64_t kc = kConvReductionBlock;
      if (constantFilter && !ShapedType::isDynamic(extents[6])) {
        int64_t channels = extents[6], rowK = extents[5] * channels;
        if ((extents[4] == 1 || extents[5] > 1) && rowK > kc &&
            nc * rowK * 4 <= kConvOnePassBlockBytes)
          kc = rowK;
        else if (channels > kc && nc * channels * 4 <= kConvOnePassBlockBytes)
          kc = channels;
      }
      return kernel::TuningConfigAttr::get(
          ctx, dim, SmallVector<int64_t>{0, 0, 0, nc, 0, 0, kc}, {},
          SmallVector<int64_t>{rows, columns, reductionUnroll(extents[6])});
    }
  }
  // A channels-last depthwise convolution or max pooling: 8 output pixels
  // by a vector of channels, each pixel's accumulator kept in a register
  // across the filter window. A depthwise conv with 32 vector registers
  // whose output rows have at most kDepthwiseTilePixels takes each row in
  // one tile: MobileNetV2's 14x14 depthwise convs ran 0.77-0.93x in the
  // model's profile (two runs) in one 14-pixel tile a row instead of 8 + 6.
  // Wider rows keep 8: in 14-pixel tiles its 112x112 and 56x56 ones ran
  // 0.85-0.91x in one run, 1.02-1.18x in another.
  if (cpu::hasPixelTile(op) && f32Buffers) {
    SmallVector<int64_t> extents =
        cast<linalg::LinalgOp>(op).getStaticLoopRanges();
    if (!ShapedType::isDynamic(extents[3]) && extents[3] >= kMinVectorColumns &&
        !ShapedType::isDynamic(extents[4]) &&
        !ShapedType::isDynamic(extents[5])) {
      int64_t pixels = 8;
      if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op) && target.registers >= 32 &&
          !ShapedType::isDynamic(extents[2]) && extents[2] > pixels &&
          extents[2] <= kDepthwiseTilePixels)
        pixels = extents[2];
      return kernel::TuningConfigAttr::get(
          ctx, dim, {}, {},
          SmallVector<int64_t>{pixels, tileColumns(extents[3], target.lanes)});
    }
  }
  return kernel::TuningConfigAttr::get(ctx, dim, {}, order);
}

/// Bytes of an output at which splitting its innermost dim costs memory
/// traffic (see splitsCacheLines). MobileNetV2's expand-conv/depthwise groups
/// on 28x28x192 and 14x14x576 outputs (0.4-0.6 MiB), split by channels, took
/// 1.5-2.4x the CPU time at 2 threads as at 1; split by rows (in two kernels:
/// the depthwise reads its neighbours' rows) the model ran 20% faster at 2
/// threads (interleaved A/B), as fast at 1. Smaller outputs suffer too: two
/// threads storing interleaved 256-512 byte slices of a 256 KiB buffer run at
/// half the rate of one thread (anvil-bench-split), and mobilenetv2_mini, whose
/// expand-conv/depthwise groups (12-96 KiB outputs at batch 1) were split by
/// channels under the earlier 128 KiB bound, ran 1.21x (batch 1) and 1.40x
/// (batch 8) faster at 2 threads, 1.11x at 1 thread, with them split by rows
/// (MobileNetV2, ResNet-50 and BERT-base within noise). The bound itself is
/// not measured: 4 KiB keeps a padded buffer's border rows (1 KiB in
/// resnet_mini) below it, so such fills still join their conv's kernel
/// whichever way they split, and mobilenetv2_mini's 12 KiB outputs above it
/// (at 16 KiB they stayed split by channels, and the model gained 1.11x at
/// batch 8 and lost 2% at batch 1); the bench measured 32 KiB buffers kept in
/// L1 interleaving at no cost, 256 KiB ones at half the rate.
constexpr int64_t kInterleavedSplitBytes = 1 << 12;

/// The product of `shape`'s sizes, its dynamic dims (a batch) counted as 1,
/// at most 2^40 once `factor` (>= 0) is applied.
int64_t staticProduct(ArrayRef<int64_t> shape, int64_t factor = 1) {
  for (int64_t size : shape)
    if (!ShapedType::isDynamic(size))
      factor = std::min<int64_t>(factor * size, int64_t(1) << 40);
  return factor;
}

/// Bytes of a buffer, its dynamic dims (a batch) counted as 1 (0 for
/// sub-byte elements).
int64_t staticBytes(MemRefType type) {
  return staticProduct(type.getShape(), type.getElementTypeBitWidth() / 8);
}
int64_t staticBytes(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type ? staticBytes(type) : 0;
}

/// Whether splitting loop `d` of `op` gives each workgroup a slice of every
/// cache line row of a large output (its innermost dim, e.g. the channels of
/// NHWC): each workgroup then streams the whole buffer, its prefetchers
/// pulling in the other's lines, and the memory traffic doubles (MobileNetV2
/// ran no faster on 2 threads than on 1).
bool splitsCacheLines(Operation *op, int64_t d) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || d < 0 || linalgOp.getNumDpsInits() == 0)
    return false;
  OpOperand *init = linalgOp.getDpsInitOperand(0);
  auto type = dyn_cast<MemRefType>(init->get().getType());
  AffineMap map = linalgOp.getMatchingIndexingMap(init);
  if (!type || type.getRank() < 2 || map.getNumResults() == 0 ||
      map.getResults().back() != getAffineDimExpr(d, op->getContext()))
    return false;
  // One row (a [1, N] output) splits into contiguous halves.
  return staticProduct(type.getShape().drop_back()) > 1 &&
         staticBytes(type) >= kInterleavedSplitBytes;
}

/// Whether splitting loop `d` of `op`, a conv or matmul that packs its
/// weights, splits its rows while the weights outweigh its input and output
/// together. Split by rows, every workgroup reads (and packs) all the
/// weights and half the input and output; split by output channels, half
/// the weights and (the lines of both interleaved, see splitsCacheLines)
/// all the input and output. MobileNetV2's 14x14 and 28x28 expand convs
/// (tens of KiB of weights) ran 20% faster at 2 threads split by rows;
/// ResNet-50's 14x14 3x3 convs (2.4 MB of weights, 0.5 MB of activations)
/// keep channels.
bool readsAllWeights(Operation *op, int64_t d,
                     const cpu::VectorTarget &target) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || d < 0)
    return false;
  kernel::TuningConfigAttr config = configFor(op, d, {}, target);
  if (!cpu::packsWeights(linalgOp, config.getTileSizes(),
                         config.getVectorSizes()))
    return false;
  // Loops 0-2 of a conv (image, row, column) and 0 of a matmul are rows.
  int64_t columns = isa<linalg::Conv2DNhwcHwcfOp>(op) ? 3 : 1;
  int64_t weights = staticBytes(linalgOp.getDpsInputOperand(1)->get()),
          activations = staticBytes(linalgOp.getDpsInputOperand(0)->get()) +
                        staticBytes(linalgOp.getDpsInitOperand(0)->get());
  return d < columns && weights > activations;
}

/// The default TuningConfig: spread the parallel loop with the largest static
/// extent over workgroups (a symbolic batch dim, often 1 at run time, only when
/// no static loop has two or more iterations), and order the loops so
/// the innermost one vectorizes. Cache tiles are left to the tuner.
kernel::TuningConfigAttr defaultConfig(Operation *op,
                                       const cpu::VectorTarget &target) {
  SmallVector<int64_t> order;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    order = vectorFriendlyOrder(linalgOp);
  llvm::SmallBitVector split;
  SmallVector<int64_t> extents = loopExtents(op, split);
  int64_t best = -1, bestExtent = 1;
  int64_t work = 1; // iterations per run, counting symbolic dims as 1
  // Splits that interleave cache lines count only when no other has eight
  // iterations; row splits that read all of large weights, when no other
  // has two.
  auto rank = [&](int64_t d, int64_t e) {
    if (readsAllWeights(op, d, target))
      return std::min<int64_t>(e, 1);
    return splitsCacheLines(op, d) ? std::min<int64_t>(e, 7) : e;
  };
  for (auto [d, extent] : llvm::enumerate(extents)) {
    if (!ShapedType::isDynamic(extent))
      work = std::min<int64_t>(work * std::max<int64_t>(extent, 1), 1 << 30);
    int64_t e = ShapedType::isDynamic(extent) ? 2 : extent;
    if (split.test(d) && rank(d, e) > bestExtent) {
      best = d;
      bestExtent = rank(d, e);
    }
  }
  // Waking another thread costs tens of microseconds: small kernels run as
  // one workgroup.
  if (work < kMinParallelWork)
    best = -1;
  return configFor(op, best, order, target);
}

/// Where a buffer view sits in the allocation it views: for each view dim,
/// the allocation dim (-1 when the dim merges several) and the offset into
/// it. `mapped` is false when the view reshapes otherwise or strides (only the
/// allocation is known then).
struct ViewInfo {
  Value root;
  bool mapped = true;
  SmallVector<int64_t> rootDim;
  SmallVector<OpFoldResult> offset;
  /// The same through reshapes, for serial kernels split by the batch
  /// (unitSliceOf): a dim that merges an allocation dim with static dims
  /// after it (a collapse) is that dim at `unitDen` view elements each, and
  /// the first of the dims a reshape expands one into (the others static) is
  /// that dim at `unitNum` elements each; -1 for the others. `unitMapped` is
  /// false when the view strides, or is a subview of a reshaped view.
  bool unitMapped = true;
  SmallVector<int64_t> unitDim, unitNum, unitDen;
  SmallVector<OpFoldResult> unitOffset;
};

bool sameOffset(OpFoldResult a, OpFoldResult b) {
  std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(b);
  if (x && y)
    return *x == *y;
  return a == b;
}

/// Adds the offsets of `sub` into `offsets` (one a view dim, which walks
/// allocation dim `dims[d]`; -1: none): false when the subview changes the
/// rank, strides, or adds an offset to one that is not constant both.
bool addSubViewOffsets(memref::SubViewOp sub, ArrayRef<int64_t> dims,
                       SmallVectorImpl<OpFoldResult> &offsets) {
  bool unitStrides = llvm::all_of(
      sub.getMixedStrides(), [](auto s) { return isConstantIntValue(s, 1); });
  if (sub.getSourceType().getRank() != sub.getType().getRank() || !unitStrides)
    return false;
  Builder b(sub.getContext());
  SmallVector<OpFoldResult> subOffsets = sub.getMixedOffsets();
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 0)
      continue;
    OpFoldResult o = subOffsets[dims[d]];
    if (isConstantIntValue(offsets[d], 0)) {
      offsets[d] = o;
      continue;
    }
    if (isConstantIntValue(o, 0))
      continue;
    std::optional<int64_t> x = getConstantIntValue(o),
                           y = getConstantIntValue(offsets[d]);
    if (!x || !y)
      return false;
    offsets[d] = b.getIndexAttr(*x + *y);
  }
  return true;
}

/// The product of dims `dims` of `type`; -1 when one is dynamic.
int64_t staticProduct(MemRefType type, ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t d : dims) {
    if (type.isDynamicDim(d))
      return -1;
    product *= type.getDimSize(d);
  }
  return product;
}

/// resolveView's unit fields through a collapse: a dim merging source dims
/// whose later ones are static is the first at their product's elements each.
void resolveUnitCollapse(ViewInfo &info, memref::CollapseShapeOp collapse,
                         bool &reshaped) {
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  MemRefType source = collapse.getSrcType();
  for (size_t d = 0; d < info.unitDim.size(); ++d) {
    int64_t &rootDim = info.unitDim[d];
    if (rootDim < 0)
      continue;
    ReassociationIndices group = groups[rootDim];
    int64_t product =
        staticProduct(source, ArrayRef<int64_t>(group).drop_front());
    if (product < 0 || !isConstantIntValue(info.unitOffset[d], 0)) {
      rootDim = -1;
      continue;
    }
    rootDim = group.front();
    info.unitDen[d] *= product;
    reshaped |= product != 1;
  }
}

/// resolveView's unit fields through an expand: the first of the dims one
/// source dim expands into, the others static, is that dim at their
/// product's elements each; the others map to no allocation dim.
void resolveUnitExpand(ViewInfo &info, memref::ExpandShapeOp expand,
                       bool &reshaped) {
  SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
  MemRefType result = expand.getResultType();
  SmallVector<int64_t> sourceDim(result.getRank(), -1),
      elements(result.getRank(), -1);
  for (auto [s, group] : llvm::enumerate(groups)) {
    sourceDim[group.front()] = s;
    elements[group.front()] =
        staticProduct(result, ArrayRef<int64_t>(group).drop_front());
  }
  for (size_t d = 0; d < info.unitDim.size(); ++d) {
    int64_t &rootDim = info.unitDim[d];
    if (rootDim < 0)
      continue;
    if (sourceDim[rootDim] < 0 || elements[rootDim] < 0 ||
        !isConstantIntValue(info.unitOffset[d], 0)) {
      rootDim = -1;
      continue;
    }
    info.unitNum[d] *= elements[rootDim];
    reshaped |= elements[rootDim] != 1;
    rootDim = sourceDim[rootDim];
  }
}

ViewInfo resolveView(Value v) {
  ViewInfo info;
  auto type = cast<MemRefType>(v.getType());
  Builder b(v.getContext());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    info.rootDim.push_back(d);
    info.offset.push_back(b.getIndexAttr(0));
  }
  info.unitDim = info.rootDim;
  info.unitOffset = info.offset;
  info.unitNum.assign(type.getRank(), 1);
  info.unitDen.assign(type.getRank(), 1);
  // Whether a reshape before (nearer the use) changed the elements a unit
  // dim has: a subview's offsets cannot be mapped through it then.
  bool reshaped = false;
  while (Operation *def = v.getDefiningOp()) {
    if (auto sub = dyn_cast<memref::SubViewOp>(def)) {
      info.mapped =
          info.mapped && addSubViewOffsets(sub, info.rootDim, info.offset);
      info.unitMapped = info.unitMapped && !reshaped &&
                        addSubViewOffsets(sub, info.unitDim, info.unitOffset);
      v = sub.getSource();
      continue;
    }
    // A dim that collapses a single source dim is that dim; one that merges
    // several is no allocation dim (-1).
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
      SmallVector<ReassociationIndices> groups =
          collapse.getReassociationIndices();
      for (int64_t &r : info.rootDim)
        if (r >= 0)
          r = groups[r].size() == 1 ? groups[r][0] : -1;
      resolveUnitCollapse(info, collapse, reshaped);
      v = collapse.getSrc();
      continue;
    }
    if (auto cast = dyn_cast<memref::CastOp>(def)) {
      v = cast.getSource();
      continue;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
      info.mapped = false;
      resolveUnitExpand(info, expand, reshaped);
      v = expand.getSrc();
      continue;
    }
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      info.mapped = false;
      info.unitMapped = false;
      v = view.getViewSource();
      continue;
    }
    break;
  }
  info.root = v;
  return info;
}

/// One buffer access of a compute op: through an indexing map over the op's
/// loops, or (map null) anywhere in the buffer.
struct Access {
  ViewInfo view;
  AffineMap map;
  bool write;
  /// The type of the view the op accesses.
  Type type;
  /// A scalar load cloned into the kernel: it runs when the kernel starts,
  /// before any of the kernel's ops.
  bool hoisted = false;
};

/// What grouping needs to know about one compute op.
struct OpInfo {
  Operation *op;
  SmallVector<Access, 2> accesses;
  SmallVector<int64_t> extents;
  llvm::SmallBitVector split;
  int64_t work = 1;
  bool groupable = true;
};

/// The view dim of `a` that loop `d` indexes, when the access reads or
/// writes only that loop's own index along one dim (-1 otherwise).
int64_t loopViewDim(const Access &a, int64_t d) {
  if (!a.map)
    return -1;
  int64_t found = -1;
  for (auto [i, e] : llvm::enumerate(a.map.getResults())) {
    if (e == getAffineDimExpr(d, e.getContext())) {
      if (found >= 0)
        return -1;
      found = i;
    } else if (e.isFunctionOfDim(d)) {
      return -1;
    }
  }
  return found;
}

/// The allocation dim and offset that loop `d` walks in `a`, when the access
/// reads or writes only that loop's own index along one dim.
std::optional<std::pair<int64_t, OpFoldResult>> sliceOf(const Access &a,
                                                        int64_t d) {
  int64_t found = a.view.mapped ? loopViewDim(a, d) : -1;
  if (found < 0 || a.view.rootDim[found] < 0)
    return std::nullopt;
  return std::make_pair(a.view.rootDim[found], a.view.offset[found]);
}

/// Whether two accesses provably touch no common element: other
/// allocations, or views of one whose static ranges along some allocation
/// dim do not meet (a padded buffer's border and its interior).
bool disjoint(const Access &a, const Access &b) {
  if (a.view.root != b.view.root)
    return true;
  if (!a.view.mapped || !b.view.mapped)
    return false;
  auto sa = cast<MemRefType>(a.type), sb = cast<MemRefType>(b.type);
  for (auto [i, ra] : llvm::enumerate(a.view.rootDim)) {
    if (ra < 0 || sa.isDynamicDim(i))
      continue;
    for (auto [j, rb] : llvm::enumerate(b.view.rootDim)) {
      if (rb != ra || sb.isDynamicDim(j))
        continue;
      std::optional<int64_t> oa = getConstantIntValue(a.view.offset[i]),
                             ob = getConstantIntValue(b.view.offset[j]);
      if (oa && ob &&
          (*oa + sa.getDimSize(i) <= *ob || *ob + sb.getDimSize(j) <= *oa))
        return true;
    }
  }
  return false;
}

/// The size that op `def` gives dim `d` of the buffer it defines: an
/// allocation's, or a subview's of the same rank. nullopt for other ops.
std::optional<OpFoldResult> definedSize(Operation *def, int64_t d) {
  if (auto alloc = dyn_cast<memref::AllocOp>(def))
    return OpFoldResult(
        alloc.getDynamicSizes()[alloc.getType().getDynamicDimIndex(d)]);
  if (auto alloca = dyn_cast<memref::AllocaOp>(def))
    return OpFoldResult(
        alloca.getDynamicSizes()[alloca.getType().getDynamicDimIndex(d)]);
  if (auto sub = dyn_cast<memref::SubViewOp>(def);
      sub && sub.getSourceType().getRank() == sub.getType().getRank())
    return sub.getMixedSizes()[d];
  return std::nullopt;
}

/// Where the run-time size of dim `d` of `memref` comes from, such that two
/// sizes with the same source are equal: a static size (null, the size), a dim
/// of a function argument (the argument, the dim) or an index value (the value,
/// -1) that sized an allocation or a view, traced through `memref.dim`, casts
/// and views of the same rank. nullopt when it cannot be traced.
std::optional<std::pair<Value, int64_t>> sizeSource(Value memref, int64_t d) {
  for (int depth = 0; depth < 64; ++depth) {
    auto type = dyn_cast<MemRefType>(memref.getType());
    if (!type || d < 0 || d >= type.getRank())
      return std::nullopt;
    if (!type.isDynamicDim(d))
      return std::make_pair(Value(), type.getDimSize(d));
    Operation *def = memref.getDefiningOp();
    if (!def)
      return std::make_pair(memref, d);
    if (auto cast = dyn_cast<memref::CastOp>(def)) {
      memref = cast.getSource();
      continue;
    }
    std::optional<OpFoldResult> sized = definedSize(def, d);
    if (!sized)
      return std::nullopt;
    OpFoldResult size = *sized;
    if (std::optional<int64_t> constant = getConstantIntValue(size))
      return std::make_pair(Value(), *constant);
    Value value = cast<Value>(size);
    auto dim = value.getDefiningOp<memref::DimOp>();
    std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
    if (!index)
      return std::make_pair(value, int64_t(-1));
    memref = dim.getSource();
    d = *index;
  }
  return std::nullopt;
}

/// A run-time size as a multiple of another: `factor` times dim `dim` of
/// `source` (a function argument, or an index value with dim -1), as
/// scaledSizeSource finds it.
struct ScaledSize {
  Value source;
  int64_t dim;
  int64_t factor;
};

std::optional<ScaledSize> scaledSizeSource(Value memref, int64_t d,
                                           int depth = 0);

/// The index value `value` (a size) as a multiple of a size source: through
/// `memref.dim`, products with constants (`arith.muli`, `affine.apply` of
/// s0 * c) and exact quotients by them (`arith.divsi`/`divui` of a multiple
/// of the divisor); else the value itself (dim -1, factor 1).
std::optional<ScaledSize> scaledIndexSource(Value value, int depth) {
  ScaledSize opaque{value, -1, 1};
  Operation *producer = value.getDefiningOp();
  if (depth > 64 || !producer)
    return opaque;
  if (auto dim = dyn_cast<memref::DimOp>(producer)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    std::optional<ScaledSize> source =
        index ? scaledSizeSource(dim.getSource(), *index, depth + 1)
              : std::nullopt;
    return source ? source : opaque;
  }
  std::optional<int64_t> c;
  Value operand;
  bool divides = false;
  if (auto mul = dyn_cast<arith::MulIOp>(producer)) {
    if ((c = getConstantIntValue(mul.getRhs())))
      operand = mul.getLhs();
    else if ((c = getConstantIntValue(mul.getLhs())))
      operand = mul.getRhs();
  } else if (isa<arith::DivSIOp, arith::DivUIOp>(producer)) {
    c = getConstantIntValue(producer->getOperand(1));
    operand = producer->getOperand(0);
    divides = true;
  } else if (auto apply = dyn_cast<affine::AffineApplyOp>(producer);
             apply && apply->getNumOperands() == 1 &&
             apply.getAffineMap().getNumResults() == 1) {
    auto mul = dyn_cast<AffineBinaryOpExpr>(apply.getAffineMap().getResult(0));
    if (mul && mul.getKind() == AffineExprKind::Mul &&
        isa<AffineDimExpr, AffineSymbolExpr>(mul.getLHS()))
      if (auto k = dyn_cast<AffineConstantExpr>(mul.getRHS())) {
        c = k.getValue();
        operand = apply->getOperand(0);
      }
  }
  if (!c || *c <= 0 || !operand)
    return opaque;
  std::optional<ScaledSize> inner = scaledIndexSource(operand, depth + 1);
  if (!inner)
    return opaque;
  if (divides) {
    if (inner->factor % *c != 0)
      return opaque;
    inner->factor /= *c;
  } else {
    if (inner->factor > (int64_t(1) << 30) / *c)
      return opaque;
    inner->factor *= *c;
  }
  return inner;
}

/// Where the run-time size of dim `d` of `memref` comes from, as sizeSource,
/// and also through a reshape that merges or splits one symbolic dim with
/// static ones, and through the size arithmetic of scaledIndexSource: the row
/// count of a matmul over a batch of sequences (16 x the batch) against the
/// batch. nullopt for a static size, or one that cannot be traced.
std::optional<ScaledSize> scaledSizeSource(Value memref, int64_t d, int depth) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  if (depth > 64 || !type || d < 0 || d >= type.getRank() ||
      !type.isDynamicDim(d))
    return std::nullopt;
  Operation *def = memref.getDefiningOp();
  if (!def)
    return ScaledSize{memref, d, 1};
  OpFoldResult size;
  if (std::optional<OpFoldResult> sized = definedSize(def, d)) {
    size = *sized;
  } else if (auto cast = dyn_cast<memref::CastOp>(def)) {
    return scaledSizeSource(cast.getSource(), d, depth + 1);
  } else if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
    MemRefType source = collapse.getSrcType();
    int64_t dynamic = -1, product = 1;
    for (int64_t s : collapse.getReassociationIndices()[d]) {
      if (!source.isDynamicDim(s)) {
        product *= source.getDimSize(s);
        continue;
      }
      if (dynamic >= 0)
        return std::nullopt;
      dynamic = s;
    }
    std::optional<ScaledSize> inner =
        dynamic >= 0 ? scaledSizeSource(collapse.getSrc(), dynamic, depth + 1)
                     : std::nullopt;
    if (!inner || product <= 0 || inner->factor > (int64_t(1) << 30) / product)
      return std::nullopt;
    inner->factor *= product;
    return inner;
  } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
    size = expand.getMixedOutputShape()[d];
  } else {
    return std::nullopt;
  }
  if (getConstantIntValue(size))
    return std::nullopt;
  return scaledIndexSource(cast<Value>(size), depth + 1);
}

/// Whether two accesses, split along loops `da` and `db` of their ops (-1: not
/// split), can run in one kernel: they touch different allocations, only
/// read, nothing is split, or each workgroup touches the same slice of the
/// allocation in both.
bool compatible(const Access &a, int64_t da, const Access &b, int64_t db) {
  if (a.view.root != b.view.root || (!a.write && !b.write))
    return true;
  // Elements neither writes where the other reads or writes (a padded
  // buffer's border and its interior) tie no workgroup to another.
  if (disjoint(a, b))
    return true;
  if (da < 0 && db < 0)
    return true;
  if (da < 0 || db < 0)
    return false;
  auto sa = sliceOf(a, da), sb = sliceOf(b, db);
  return sa && sb && sa->first == sb->first &&
         sameOffset(sa->second, sb->second);
}

struct Member {
  const OpInfo *info;
  int64_t dim;
  /// In a serial kernel split by the batch with ops whose split loop spans
  /// several elements an image (a matmul's rows of a batch of sequences):
  /// the loop's elements an image, the same for every image (see
  /// kernel::kDistributeFactorAttrName); else 1.
  int64_t factor = 1;
};

/// Whether `a` and `b` may run in either order: every pair of their
/// accesses that includes a write touches disjoint elements.
bool independent(const OpInfo &a, const OpInfo &b) {
  for (const Access &x : a.accesses)
    for (const Access &y : b.accesses)
      if ((x.write || y.write) && !disjoint(x, y))
        return false;
  return true;
}

/// Whether the host ops strictly between `from` and `to` (same block, in
/// that order) let a compute op move from one end to the other: no scalar
/// load (it would read the buffer before or after the op wrote it) and no
/// deallocation.
bool canReorderAcross(Operation *from, Operation *to) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode())
    if (isa<memref::LoadOp, memref::DeallocOp>(op))
      return false;
  return true;
}

/// Moves the fill of a padded buffer's border after the op that writes its
/// interior, when the ops between touch nothing it writes: between the op
/// computing the interior's source and the one writing the interior, it
/// would keep them out of one kernel. The host block is reordered too, so
/// that dispatches keep run order.
void sinkFills(std::vector<OpInfo> &run) {
  auto writes = [](const OpInfo &info, Value root) {
    return llvm::any_of(info.accesses, [&](const Access &a) {
      return a.write && a.view.root == root;
    });
  };
  for (size_t i = run.size(); i-- > 0;) {
    if (!isa<linalg::FillOp>(run[i].op) || !run[i].groupable ||
        run[i].accesses.empty())
      continue;
    Value root = run[i].accesses.front().view.root;
    size_t target = 0;
    for (size_t j = i + 1; j < run.size(); ++j) {
      if (!run[j].groupable || !independent(run[i], run[j]))
        break;
      if (writes(run[j], root) && !isa<linalg::FillOp>(run[j].op)) {
        target = j;
        break;
      }
    }
    if (target == 0 || !canReorderAcross(run[i].op, run[target].op))
      continue;
    run[i].op->moveAfter(run[target].op);
    std::rotate(run.begin() + i, run.begin() + i + 1, run.begin() + target + 1);
  }
}

/// Moves each elementwise op that reads a convolution's output right after
/// the convolution, when the ops between touch nothing it touches (they
/// move after it): a stage's first 1x1 conv and its relu had the
/// downsampling branch scheduled between them, which kept the relu out of
/// the conv's kernel (see BlockFusion in TileKernels.cpp). The host block
/// is reordered too, so that dispatches keep run order.
void gatherEpilogues(std::vector<OpInfo> &run) {
  for (size_t i = 1; i < run.size(); ++i) {
    auto generic = dyn_cast<linalg::GenericOp>(run[i].op);
    if (!generic || !run[i].groupable ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      continue;
    size_t k = i;
    bool found = false;
    while (k-- > 0) {
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(run[k].op)) {
        Value out = conv.getDpsInitOperand(0)->get();
        if (llvm::any_of(generic.getDpsInputOperands(), [&](OpOperand *in) {
              return in->get() == out &&
                     generic.getMatchingIndexingMap(in).isIdentity();
            })) {
          found = true;
          break;
        }
      }
      if (!run[k].groupable || !independent(run[k], run[i]))
        break;
    }
    if (!found || k + 1 == i || !canReorderAcross(run[k + 1].op, run[i].op))
      continue;
    for (size_t z = i; z-- > k + 1;)
      run[z].op->moveAfter(run[i].op);
    std::rotate(run.begin() + k + 1, run.begin() + i, run.begin() + i + 1);
  }
}

/// Whether `op` only initializes the output of `next` (a fill, or the
/// broadcast of a bias into it): such an op starts `next`'s kernel rather
/// than ending the one before, so that the kernel can initialize each
/// output block where it computes it (see BlockFusion in TileKernels.cpp).
bool initializesNext(const OpInfo &op, const OpInfo &next) {
  auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(next.op);
  auto init = dyn_cast<linalg::LinalgOp>(op.op);
  return conv && init && cpu::onlyInitializes(init) &&
         init.getDpsInitOperand(0)->get() == conv.getDpsInitOperand(0)->get();
}

/// Whether `next` may join the serial kernel `group` past kMinParallelWork
/// iterations (below kMaxSerialGroupWork): when the kernel runs an NHWC
/// depthwise conv or max pooling op (cpu::hasPixelTile) and `next` is not a
/// second op with a reduction loop (ops that joined below kMinParallelWork
/// are not checked).
/// This keeps a small depthwise conv with the fills of its padded input and
/// with its epilogue: mobilenetv2_mini's 8x8 and 4x4 blocks, whose ops no
/// longer share a kernel split by channels (see splitsCacheLines), would
/// otherwise take two kernels more (31; issue 4's bar for it is 29). Other
/// serial kernels keep the kMinParallelWork bound: transformer_encoder's ran
/// 1.01-1.02x slower at batch 8 with elementwise ops moved into the next
/// matmul's kernel, 1.08-1.10x with no bound at all (its four kernels one).
bool joinsPastSerialWork(ArrayRef<Member> group, const OpInfo &next) {
  bool window = cpu::hasPixelTile(next.op), reduction = false;
  for (const Member &m : group) {
    window |= cpu::hasPixelTile(m.info->op);
    reduction |= hasReduction(m.info->op);
  }
  return window && !(reduction && hasReduction(next.op));
}

/// The longest run of ops starting at `ops[start]` that can share a kernel
/// when the first op splits loop `dim0` (-1: the group runs as one workgroup).
SmallVector<Member> growGroup(ArrayRef<OpInfo> ops, size_t start,
                              int64_t dim0) {
  SmallVector<Member> group = {{&ops[start], dim0}};
  int64_t extent = dim0 >= 0 ? ops[start].extents[dim0] : 0;
  int64_t work = ops[start].work;
  for (size_t j = start + 1; j < ops.size(); ++j) {
    const OpInfo &next = ops[j];
    if (!next.groupable ||
        (j + 1 < ops.size() && initializesNext(next, ops[j + 1])))
      break;
    // A scalar `next` loads would be read when the kernel starts, before an
    // earlier member writes it.
    bool loadsEarlierWrite = llvm::any_of(next.accesses, [&](const Access &b) {
      return b.hoisted && llvm::any_of(group, [&](const Member &m) {
               return llvm::any_of(m.info->accesses, [&](const Access &a) {
                 return a.write && a.view.root == b.view.root;
               });
             });
    });
    if (loadsEarlierWrite)
      break;
    auto fits = [&](int64_t d) {
      for (const Member &m : group)
        for (const Access &a : m.info->accesses)
          for (const Access &b : next.accesses)
            if (!compatible(a, m.dim, b, d))
              return false;
      return true;
    };
    int64_t chosen = -2;
    if (dim0 < 0) {
      if ((work + next.work < kMinParallelWork ||
           (next.work < kMinParallelWork &&
            work + next.work < kMaxSerialGroupWork &&
            joinsPastSerialWork(group, next))) &&
          fits(-1))
        chosen = -1;
    } else {
      for (auto [d, e] : llvm::enumerate(next.extents))
        if (next.split.test(d) && e == extent && fits(d)) {
          chosen = d;
          break;
        }
    }
    if (chosen == -2)
      break;
    group.push_back({&next, chosen});
    work = std::min<int64_t>(work + next.work, 1 << 30);
  }
  return group;
}

/// Calls `visit` on each buffer dim that loop `d` of `op` indexes directly (a
/// copy's source and target dim `d`): false as soon as `visit` is, or when
/// there is none.
bool visitSplitDims(Operation *op, int64_t d,
                    llvm::function_ref<bool(Value, int64_t)> visit) {
  bool indexed = false;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (OpOperand &operand : linalgOp->getOpOperands()) {
      if (!isa<MemRefType>(operand.get().getType()))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [j, expr] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(expr);
        if (!loop || (int64_t)loop.getPosition() != d)
          continue;
        if (!visit(operand.get(), j))
          return false;
        indexed = true;
      }
    }
  } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
    indexed = visit(copy.getSource(), d) && visit(copy.getTarget(), d);
  }
  return indexed;
}

/// Whether loop `d` of every op of `group` (its split loop) provably has the
/// same run-time extent: each op's buffer dims that the loop indexes have one
/// size source (sizeSource) for the whole group. Two symbolic extents are not
/// equal for being both symbolic (a batch and a sequence length).
bool sameSplitExtent(ArrayRef<Member> group) {
  std::optional<std::pair<Value, int64_t>> common;
  auto agree = [&](Value buffer, int64_t dim) {
    std::optional<std::pair<Value, int64_t>> source = sizeSource(buffer, dim);
    if (!source || (common && *common != *source))
      return false;
    common = source;
    return true;
  };
  for (const Member &m : group)
    if (!visitSplitDims(m.info->op, m.dim, agree))
      return false;
  return true;
}

/// The multiple of which a workgroup's chunk of loop `d` of `op` starts when
/// the op splits that loop under its default register tile (1 for ops that are
/// not linalg ops, and for loops no register tile covers).
int64_t chunkAlign(Operation *op, int64_t d, const cpu::VectorTarget &target) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return 1;
  return cpu::splitAlign(linalgOp, d,
                         configFor(op, d, {}, target).getVectorSizes());
}

/// How well splitting loop `d` of `op` spreads it over workgroups: the
/// number of chunks its register tile allows (chunks start at multiples of
/// it), counted up to kBalancedChunks. A 32-channel conv split by channels
/// is one chunk of 32: one workgroup would do all the work. Below
/// kBalancedWork iterations every other split of more than one chunk counts
/// the same: fewer kernels matter more there than spreading them; but not one
/// that interleaves the cache lines of a large output (splitsCacheLines):
/// MobileNetV2's depthwise blocks (a border fill, a relu6 into a padded buffer
/// of megabytes, the depthwise conv) shared kernels split by channels, and its
/// 2-thread latency was 15% longer than with the relu6 split by rows in its own
/// kernel.
constexpr int64_t kBalancedChunks = 4;
constexpr int64_t kBalancedWork = 1 << 22;
int64_t splitQuality(const OpInfo &info, int64_t d,
                     const cpu::VectorTarget &target) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(info.op);
  if (d < 0 || !linalgOp)
    return kBalancedChunks;
  if (splitsCacheLines(info.op, d))
    return kBalancedChunks / 2;
  int64_t align = chunkAlign(info.op, d, target);
  if (info.work < kBalancedWork) {
    // But a split into one chunk (16 output channels, 16-column register
    // tiles) is no split: one workgroup does all the work. resnet_mini's
    // 16-channel convs were so split, fused with the padded copy of their
    // output; split by rows instead, in a kernel more, the model ran 1.5x
    // (batch 1) and 1.7x (batch 8) faster at 2 threads.
    if (!ShapedType::isDynamic(info.extents[d]) && info.extents[d] <= align)
      return 1;
    return kBalancedChunks;
  }
  if (readsAllWeights(info.op, d, target))
    return 1;
  // A symbolic extent (a batch) counts as 2, as in defaultConfig.
  int64_t extent = ShapedType::isDynamic(info.extents[d]) ? 2 : info.extents[d];
  return std::min(extent / std::max<int64_t>(align, 1), kBalancedChunks);
}

/// The split loop `d` of `info` as a multiple of a run-time size (see
/// scaledSizeSource): every buffer dim it indexes agrees. nullopt when they
/// do not or none is indexed.
std::optional<ScaledSize> splitUnit(const OpInfo &info, int64_t d) {
  std::optional<ScaledSize> common;
  auto agree = [&](Value buffer, int64_t dim) {
    std::optional<ScaledSize> source = scaledSizeSource(buffer, dim);
    if (!source || (common && (common->source != source->source ||
                               common->dim != source->dim ||
                               common->factor != source->factor)))
      return false;
    common = source;
    return true;
  };
  if (!visitSplitDims(info.op, d, agree))
    return std::nullopt;
  return common;
}

/// The allocation dim, offset and elements a unit of the split (an image)
/// that access `a` walks when its op splits loop `d` with `factor` of the
/// loop's elements an image (unitNum / unitDen of them along the allocation
/// dim each); nullopt when the access reads the loop otherwise than as one
/// view dim, or through a view that hides where. `elements` is
/// factor * num / den, kept as a fraction (whole: den 1).
struct UnitSlice {
  int64_t rootDim;
  OpFoldResult offset;
  int64_t num, den;
};
std::optional<UnitSlice> unitSliceOf(const Access &a, int64_t d,
                                     int64_t factor) {
  int64_t found = a.view.unitMapped ? loopViewDim(a, d) : -1;
  if (found < 0 || a.view.unitDim[found] < 0)
    return std::nullopt;
  int64_t num = factor * a.view.unitNum[found], den = a.view.unitDen[found];
  int64_t g = std::gcd(num, den);
  return UnitSlice{a.view.unitDim[found], a.view.unitOffset[found], num / g,
                   den / g};
}

/// compatible() for a kernel split by the batch: the two ops' split loops,
/// `fa` and `fb` elements an image, walk one allocation dim at the same
/// offset and the same whole number of its elements an image (workgroups then
/// touch the same whole slices of it).
bool compatibleUnits(const Access &a, int64_t da, int64_t fa, const Access &b,
                     int64_t db, int64_t fb) {
  if (a.view.root != b.view.root || (!a.write && !b.write) || disjoint(a, b))
    return true;
  std::optional<UnitSlice> sa = unitSliceOf(a, da, fa),
                           sb = unitSliceOf(b, db, fb);
  return sa && sb && sa->rootDim == sb->rootDim &&
         sameOffset(sa->offset, sb->offset) && sa->den == 1 && sb->den == 1 &&
         sa->num == sb->num;
}

/// Whether `next`, split along loop `d` with `factor` elements an image, may
/// share a kernel split by the batch with `members` (compatibleUnits with
/// each of their accesses).
bool fitsUnits(ArrayRef<Member> members, const OpInfo &next, int64_t d,
               int64_t factor) {
  for (const Member &m : members)
    for (const Access &a : m.info->accesses)
      for (const Access &b : next.accesses)
        if (!compatibleUnits(a, m.dim, m.factor, b, d, factor))
          return false;
  return true;
}

/// The serial group of `count` ops starting at `ops[start]`, each split along
/// a loop that is a multiple of the one run-time size `unit` (the batch) as
/// the first op's loop `dim0` is, with factors divided by their greatest
/// common divisor; fewer ops when one cannot be so split.
SmallVector<Member> growBatchGroup(ArrayRef<OpInfo> ops, size_t start,
                                   size_t count, int64_t dim0,
                                   const ScaledSize &unit) {
  SmallVector<Member> group = {{&ops[start], dim0, unit.factor}};
  auto sameUnit = [&](const ScaledSize &u) {
    return u.source == unit.source && u.dim == unit.dim;
  };
  for (size_t j = start + 1; j < start + count && j < ops.size(); ++j) {
    const OpInfo &next = ops[j];
    bool joined = false;
    for (auto [d, e] : llvm::enumerate(next.extents)) {
      if (!next.split.test(d) || !ShapedType::isDynamic(e))
        continue;
      std::optional<ScaledSize> u = splitUnit(next, d);
      if (u && sameUnit(*u) && fitsUnits(group, next, d, u->factor)) {
        group.push_back({&next, (int64_t)d, u->factor});
        joined = true;
        break;
      }
    }
    if (!joined)
      break;
  }
  int64_t g = 0;
  for (const Member &m : group)
    g = std::gcd(g, m.factor);
  for (Member &m : group)
    m.factor /= std::max<int64_t>(g, 1);
  // Whole elements an image, with the factors now in use.
  for (size_t i = 1; i < group.size(); ++i)
    if (!fitsUnits(ArrayRef<Member>(group).take_front(i), *group[i].info,
                   group[i].dim, group[i].factor)) {
      group.resize(i);
      break;
    }
  return group;
}

/// The best group starting at `ops[start]`: over every way to split the first
/// op, the best balanced (see splitQuality), then the longest; ties go to not
/// splitting (small work), then to the larger split extent. A serial group (of
/// ops under kMinParallelWork iterations per image, at least
/// kMinBatchSplitWork together) splits a symbolic loop, the batch, when all its
/// ops can (see the end): mobilenetv2_mini's 8x8 and 4x4 blocks and
/// resnet_mini's last stage ran on one core at every batch; so split, the
/// models ran 1.17x and 1.06x faster at batch 8 on 2 threads (1.11x and 1.05x
/// at batch 2), the same at batch 1 and on 1 thread (interleaved A/B, 8
/// rounds each).
SmallVector<Member> bestGroup(ArrayRef<OpInfo> ops, size_t start,
                              const cpu::VectorTarget &target) {
  const OpInfo &first = ops[start];
  SmallVector<Member> best = {{&first, -2}}; // -2: the default config
  if (!first.groupable)
    return best;
  // A group must split as well as the op alone would (a 1x1 conv pair on a
  // 7x7 image split by rows packs all weights twice; alone, each splits its
  // channels). A fill or broadcast that only initializes the conv after it
  // (initializesNext) is judged as that conv: the conv's split decides,
  // whatever it does to the broadcast (ResNet-50's and MobileNetV2's 14x14 and
  // 7x7 convs split their channels, their weights being large; counted as a
  // split of cache lines, the broadcast went to a kernel of one workgroup: 21
  // such kernels in ResNet-50, 89 kernels in all, 68 now; with this and the 4
  // KiB kInterleavedSplitBytes ResNet-50 ran 1.03x and MobileNetV2 1.05x faster
  // at batch 1, 2 threads).
  const OpInfo *lead = &first;
  if (start + 1 < ops.size() && initializesNext(first, ops[start + 1]))
    lead = &ops[start + 1];
  int64_t bestExtent = 0,
          bestQuality = splitQuality(
              *lead, defaultConfig(lead->op, target).getDistributeDim(),
              target);
  auto consider = [&](int64_t d) {
    SmallVector<Member> group = growGroup(ops, start, d);
    if (group.size() < 2)
      return;
    int64_t extent = d >= 0 ? first.extents[d] : 1;
    // As good as the worst split of its ops, the first included (a fill of a
    // padded border splits well whichever way; the depthwise conv after it
    // may not).
    int64_t quality = kBalancedChunks;
    for (const Member &m : group)
      if (m.info != &first || lead == &first)
        quality = std::min(quality, splitQuality(*m.info, m.dim, target));
    if (quality > bestQuality ||
        (quality == bestQuality && (group.size() > best.size() ||
                                    (group.size() == best.size() &&
                                     bestExtent > 1 && extent > bestExtent)))) {
      best = std::move(group);
      bestExtent = extent;
      bestQuality = quality;
    }
  };
  if (first.work < kMinParallelWork)
    consider(-1);
  for (auto [d, e] : llvm::enumerate(first.extents))
    if (first.split.test(d) && !ShapedType::isDynamic(e) && e >= 2)
      consider(d);
  // A serial group splits a symbolic loop instead (the batch, in the models
  // here) when every member can, with one run-time extent for all of them
  // (growGroup takes any two symbolic extents as equal: sameSplitExtent) and
  // in chunks of single elements (not a matmul's symbolic rows: its chunks
  // would start at multiples of the register tile's rows, and a few rows are a
  // serial kernel's work). At batch 1 that is one workgroup, as before (the
  // dispatch's grid is the batch, and a grid of 1 runs on the calling thread);
  // at larger batches the threads take whole images. Its length stays the
  // serial one.
  auto singleElementChunks = [&](const Member &m) {
    return chunkAlign(m.info->op, m.dim, target) == 1;
  };
  auto serial = [](const Member &m) { return m.dim == -1; };
  // A lone op whose default is one workgroup is such a group too (BERT-base's
  // zero fills of its FFN matmuls' outputs, 128 x 3072 at batch 1, ran on
  // one core, the heuristics counting the symbolic rows as one: split, 61 ->
  // 34 us each, the model 1.019x faster at batch 1 on 2 threads, 7 of 8
  // interleaved rounds). Not a lone contraction: its chunks of a symbolic
  // loop would not start at register tiles.
  bool loneSerial = best.size() == 1 && best.front().dim == -2 &&
                    isa<linalg::FillOp, linalg::GenericOp, linalg::TransposeOp,
                        linalg::CopyOp>(first.op) &&
                    defaultConfig(first.op, target).getDistributeDim() == -1;
  if (!loneSerial && (best.size() < 2 || !llvm::all_of(best, serial)))
    return best;
  int64_t imageWork = 0;
  for (const Member &m : best)
    imageWork = std::min<int64_t>(imageWork + m.info->work, 1 << 30);
  if (imageWork < kMinBatchSplitWork)
    return best;
  for (auto [d, e] : llvm::enumerate(first.extents))
    if (first.split.test(d) && ShapedType::isDynamic(e)) {
      SmallVector<Member> batch = growGroup(ops, start, d);
      if (batch.size() < best.size())
        continue;
      batch.resize(best.size());
      // (One op's loop has one extent whatever its buffers' views.)
      if (llvm::all_of(batch, singleElementChunks) &&
          (batch.size() == 1 || sameSplitExtent(batch)))
        return batch;
    }
  // Or with ops whose split loop covers several elements an image, through
  // reshapes: transformer_encoder's kernels hold matmuls over the rows of a
  // batch of 16-token sequences between ops over [batch, 16, ...]. Each
  // member's chunk is then its factor times the images of the workgroup, and
  // starts at its register tiles when that factor is a multiple of them.
  if (best.size() < 2)
    return best;
  for (auto [d, e] : llvm::enumerate(first.extents)) {
    if (!first.split.test(d) || !ShapedType::isDynamic(e))
      continue;
    std::optional<ScaledSize> unit = splitUnit(first, d);
    if (!unit)
      continue;
    SmallVector<Member> batch =
        growBatchGroup(ops, start, best.size(), d, *unit);
    if (batch.size() == best.size() &&
        llvm::all_of(batch, [&](const Member &m) {
          return m.factor % chunkAlign(m.info->op, m.dim, target) == 0;
        }))
      return batch;
  }
  return best;
}

struct OutlineDispatchesPass
    : anvil::impl::AnvilOutlineDispatchesBase<OutlineDispatchesPass> {
  using AnvilOutlineDispatchesBase::AnvilOutlineDispatchesBase;

  /// The target the default register tiles are for (the pass's options, and
  /// whether the module's weights outgrow large-weights-bytes).
  cpu::VectorTarget vectors() const {
    return {vectorLanes, vectorRegisters, weightsFromMemory};
  }
  bool weightsFromMemory = false;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorLanes < 1 || vectorRegisters < 4) {
      module.emitError("-anvil-outline-dispatches: vector-lanes must be at "
                       "least 1 and vector-registers at least 4");
      return signalPassFailure();
    }
    if (largeWeightsBytes < 0) {
      module.emitError("-anvil-outline-dispatches: large-weights-bytes must "
                       "not be negative");
      return signalPassFailure();
    }
    int64_t weightBytes = 0;
    module.walk([&](memref::GlobalOp global) {
      if (global.getConstant() && global.getInitialValue())
        weightBytes = std::min<int64_t>(
            weightBytes + staticBytes(global.getType()), int64_t(1) << 50);
    });
    weightsFromMemory =
        largeWeightsBytes > 0 && weightBytes > largeWeightsBytes;
    SmallVector<func::FuncOp> hosts;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn->hasAttr(kernel::kTuningAttrName) && !fn.isExternal())
        hosts.push_back(fn);
    int counter = 0;
    for (func::FuncOp host : hosts)
      if (failed(outlineHost(host, counter)))
        return signalPassFailure();
  }

  LogicalResult outlineHost(func::FuncOp host, int &counter) {
    if (!host.getBody().hasOneBlock())
      return host.emitError("the model function must be one block");
    SmallVector<Operation *> ops;
    for (Operation &op : host.getBody().front())
      ops.push_back(&op);
    // Runs of compute ops with only schedule ops between them.
    std::vector<OpInfo> run;
    auto flush = [&]() -> LogicalResult {
      if (groupDispatches) {
        sinkFills(run);
        gatherEpilogues(run);
      }
      for (size_t i = 0; i < run.size();) {
        SmallVector<Member> group = groupDispatches
                                        ? bestGroup(run, i, vectors())
                                        : SmallVector<Member>{{&run[i], -2}};
        if (failed(outline(group, host, counter)))
          return failure();
        i += group.size();
      }
      run.clear();
      return success();
    };
    for (Operation *op : ops) {
      if (isComputeOp(op)) {
        FailureOr<OpInfo> info = analyze(op, host);
        if (failed(info))
          return failure();
        run.push_back(std::move(*info));
        continue;
      }
      if (isScheduleOp(op) && op->getNumRegions() == 0)
        continue;
      // A scalar read from tensor data (a one-hot's on/off values) is cloned
      // into the kernels that use it; a size computed from one is refused
      // when the plan is built.
      if (isa<memref::LoadOp>(op))
        continue;
      return op->emitError("'")
             << op->getName()
             << "' cannot be scheduled by the CPU runtime (after "
                "bufferization)";
    }
    if (failed(flush()))
      return failure();
    for (Operation &op :
         llvm::make_early_inc_range(llvm::reverse(host.getBody().front())))
      if (isa<memref::LoadOp>(op) && op.use_empty())
        op.erase();
    return success();
  }

  FailureOr<OpInfo> analyze(Operation *op, func::FuncOp host) {
    OpInfo info;
    info.op = op;
    info.extents = loopExtents(op, info.split);
    for (int64_t e : info.extents)
      if (!ShapedType::isDynamic(e))
        info.work =
            std::min<int64_t>(info.work * std::max<int64_t>(e, 1), 1 << 30);
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      for (OpOperand &operand : op->getOpOperands())
        if (isa<MemRefType>(operand.get().getType()))
          info.accesses.push_back({resolveView(operand.get()),
                                   linalgOp.getMatchingIndexingMap(&operand),
                                   linalgOp.isDpsInit(&operand),
                                   operand.get().getType()});
    } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      AffineMap identity = AffineMap::getMultiDimIdentityMap(
          info.extents.size(), op->getContext());
      info.accesses.push_back({resolveView(copy.getSource()), identity, false,
                               copy.getSource().getType()});
      info.accesses.push_back({resolveView(copy.getTarget()), identity, true,
                               copy.getTarget().getType()});
    } else {
      info.groupable = false; // a scalar store
    }
    // Buffers read inside the body or by cloned scalar loads: anywhere.
    SetVector<Value> buffers, bodyReads, loads;
    DenseSet<Operation *> seen;
    if (failed(collectSlice(op, buffers, seen, &bodyReads, &loads)))
      return failure();
    for (Value v : bodyReads)
      info.accesses.push_back(
          {resolveView(v), AffineMap(), false, v.getType()});
    for (Value v : loads)
      info.accesses.push_back(
          {resolveView(v), AffineMap(), false, v.getType(), true});
    return info;
  }

  /// The host ops computing the non-buffer values `op` uses (added to
  /// `seen`), and the buffers those ops read dims of. `bodyReads` gets the
  /// buffers whose data the op's body reads outside its operands (a gather's
  /// table), `loads` those read by scalar loads cloned into the kernel.
  LogicalResult collectSlice(Operation *op, SetVector<Value> &buffers,
                             DenseSet<Operation *> &seen,
                             SetVector<Value> *bodyReads = nullptr,
                             SetVector<Value> *loads = nullptr) {
    SmallVector<Value> worklist;
    auto visitUse = [&](Value v) {
      if (isa<MemRefType>(v.getType()))
        return;
      worklist.push_back(v);
    };
    for (Value v : op->getOperands())
      visitUse(v);
    // Values defined outside `op` but used in its regions (for example a
    // scalar constant in a linalg body) are cloned into the kernel too, and
    // buffers they read become kernel arguments.
    op->walk([&](Operation *inner) {
      if (inner == op)
        return;
      for (Value v : inner->getOperands()) {
        if (op->isAncestor(v.getParentRegion()->getParentOp()))
          continue;
        // A body may read another buffer directly (a gather's table).
        if (isa<MemRefType>(v.getType())) {
          buffers.insert(v);
          if (bodyReads)
            bodyReads->insert(v);
        } else {
          visitUse(v);
        }
      }
    });
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def)
        return op->emitError("uses a non-buffer function argument");
      if (!seen.insert(def).second)
        continue;
      if (auto load = dyn_cast<memref::LoadOp>(def)) {
        buffers.insert(load.getMemRef());
        if (loads)
          loads->insert(load.getMemRef());
        for (Value index : load.getIndices())
          worklist.push_back(index);
        continue;
      }
      if (!isScheduleOp(def) || def->getNumRegions() != 0)
        return def->emitError("'")
               << def->getName() << "' cannot be cloned into a kernel";
      for (Value operand : def->getOperands()) {
        if (isa<MemRefType>(operand.getType())) {
          if (!isa<memref::DimOp>(def))
            return def->emitError("uses a buffer to compute a kernel scalar");
          buffers.insert(operand);
          continue;
        }
        worklist.push_back(operand);
      }
    }
    return success();
  }

  /// Moves the ops of `group` into one kernel and dispatches it where the
  /// last op was. A member's dim of -2 means "use the default config" (only
  /// for a group of one).
  LogicalResult outline(ArrayRef<Member> group, func::FuncOp host,
                        int &counter) {
    SetVector<Value> buffers;
    DenseSet<Operation *> seen;
    for (const Member &m : group) {
      for (Value v : m.info->op->getOperands())
        if (isa<MemRefType>(v.getType()))
          buffers.insert(v);
      if (failed(collectSlice(m.info->op, buffers, seen)))
        return failure();
    }
    // Program order keeps defs before uses when cloning.
    SmallVector<Operation *> slice;
    for (Operation &hostOp : host.getBody().front())
      if (seen.contains(&hostOp))
        slice.push_back(&hostOp);

    // The root is the member with the most work; the kernel's TuningConfig
    // describes it (and the split loop of each other member is recorded on
    // that member).
    const Member *root = &group.front();
    for (const Member &m : group)
      if (m.info->work > root->info->work)
        root = &m;
    Operation *rootOp = root->info->op;
    MLIRContext *ctx = rootOp->getContext();
    kernel::TuningConfigAttr config;
    if (root->dim == -2) {
      config = defaultConfig(rootOp, vectors());
    } else {
      SmallVector<int64_t> order;
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(rootOp))
        order = vectorFriendlyOrder(linalgOp);
      config = configFor(rootOp, root->dim, order, vectors());
    }

    Operation *last = group.back().info->op;
    OpBuilder b(host);
    Location loc = rootOp->getLoc();
    SmallVector<Type> argTypes;
    for (Value v : buffers)
      argTypes.push_back(v.getType());
    argTypes.push_back(b.getIndexType());
    argTypes.push_back(b.getIndexType());
    std::string name = "kernel_" + std::to_string(counter++);
    auto fn = func::FuncOp::create(b, loc, name,
                                   FunctionType::get(ctx, argTypes, {}));
    fn->setAttr(kernel::kTuningAttrName, config);
    // The runtime calls kernels through the C interface: one descriptor
    // pointer per buffer (see plan_format.h).
    fn->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    Block *entry = fn.addEntryBlock();
    OpBuilder kb = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    for (auto [v, arg] : llvm::zip(buffers, entry->getArguments()))
      mapping.map(v, arg);
    for (Operation *s : slice)
      kb.clone(*s, mapping);
    // Buffers no later host op reads (an allocation only this group uses
    // from here on, besides sizes and deallocation), and that the group's
    // ops use only as `buffer` itself: a member reading another view of it
    // gets its own kernel argument, which TileKernels cannot tell from any
    // other buffer, and would read a scratch block's data from memory that
    // is never written. Group order is host order (sinkFills and
    // gatherEpilogues reorder both).
    Operation *first = group.front().info->op;
    auto deadAfter = [&](Value buffer) {
      Value alloc = resolveView(buffer).root;
      if (!alloc.getDefiningOp<memref::AllocOp>())
        return false;
      SmallVector<Value> worklist = {alloc};
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (Operation *user : v.getUsers()) {
          if (isa<ViewLikeOpInterface>(user) && user->getNumResults() == 1) {
            worklist.push_back(user->getResult(0));
            continue;
          }
          if (isa<memref::DeallocOp, memref::DimOp>(user))
            continue;
          if (llvm::any_of(
                  group, [&](const Member &m) { return m.info->op == user; })) {
            if (v != buffer)
              return false;
            continue;
          }
          if (user->getBlock() == first->getBlock() &&
              user->isBeforeInBlock(first))
            continue;
          return false;
        }
      }
      return true;
    };
    for (const Member &m : group) {
      Operation *op = m.info->op;
      Operation *clone;
      // A copy is computed by linalg.copy so that it is tiled and lowered
      // like every other kernel.
      if (auto copy = dyn_cast<memref::CopyOp>(op))
        clone = linalg::CopyOp::create(kb, op->getLoc(),
                                       mapping.lookup(copy.getSource()),
                                       mapping.lookup(copy.getTarget()));
      else
        clone = kb.clone(*op, mapping);
      if (group.size() > 1) {
        if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(
                op) &&
            deadAfter(cast<linalg::LinalgOp>(op).getDpsInitOperand(0)->get()))
          clone->setAttr(kernel::kScratchOutputAttrName, UnitAttr::get(ctx));
        if (&m == root)
          clone->setAttr(kernel::kRootAttrName, UnitAttr::get(ctx));
        else
          clone->setAttr(kernel::kDistributeAttrName,
                         kb.getI64IntegerAttr(m.dim));
        if (m.factor > 1)
          clone->setAttr(kernel::kDistributeFactorAttrName,
                         kb.getI64IntegerAttr(m.factor));
        // Every contraction in the kernel gets its own register tile (or
        // keeps its unit-stride loop innermost), not only the root.
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
            linalgOp && &m != root) {
          SmallVector<int64_t> order = vectorFriendlyOrder(linalgOp);
          kernel::TuningConfigAttr own = configFor(op, m.dim, order, vectors());
          if (!own.getVectorSizes().empty()) {
            clone->setAttr(kernel::kVectorSizesAttrName,
                           kb.getDenseI64ArrayAttr(own.getVectorSizes()));
            if (!own.getTileSizes().empty())
              clone->setAttr(kernel::kTileSizesAttrName,
                             kb.getDenseI64ArrayAttr(own.getTileSizes()));
          } else if (!order.empty()) {
            clone->setAttr(kernel::kLoopOrderAttrName,
                           kb.getDenseI64ArrayAttr(order));
          }
        }
      }
    }
    func::ReturnOp::create(kb, loc);

    // The grid extent is the split loop's size, computed on the host.
    OpBuilder hb(last);
    Value extent;
    if (int64_t dim = config.getDistributeDim(); dim >= 0) {
      if (!ShapedType::isDynamic(root->info->extents[dim])) {
        extent =
            arith::ConstantIndexOp::create(hb, loc, root->info->extents[dim]);
      } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(rootOp)) {
        SmallVector<Range> ranges = linalgOp.createLoopRanges(hb, loc);
        extent = getValueOrCreateConstantIndexOp(hb, loc, ranges[dim].size);
      } else {
        auto copy = cast<memref::CopyOp>(rootOp);
        extent = memref::DimOp::create(hb, loc, copy.getTarget(), dim);
      }
      // A root split `factor` elements an image: the grid is the images.
      if (root->factor > 1)
        extent = arith::DivUIOp::create(
            hb, loc, extent,
            arith::ConstantIndexOp::create(hb, loc, root->factor));
    }
    kernel::DispatchOp::create(hb, loc, FlatSymbolRefAttr::get(ctx, name),
                               buffers.getArrayRef(), extent);
    for (const Member &m : group)
      m.info->op->erase();
    return success();
  }
};

} // namespace

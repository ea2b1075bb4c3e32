//===- TileKernels.cpp - Apply a kernel's TuningConfig --------------------===//
//
// A kernel computes its whole root op when run as one workgroup. With
// `distribute_dim` set, the root op is first tiled along that loop with a
// chunk of ceildiv(extent, wg_count) and the resulting loop is narrowed to the
// one chunk that belongs to `wg_id`; then `tile_sizes` tiles the chunk. In a
// fused kernel every other op is split the same way along its own
// `anvil_kernel.distribute_dim` loop (same extent, so the same chunks).
// `vector_sizes` register-tiles a contraction (a channels-last convolution
// first becomes one matmul per output row and filter tap): full tiles are
// vectorized into broadcast FMAs on an accumulator kept in registers across
// the reduction loop, partial edge tiles stay scalar.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/PatternMatch.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include <numeric>

namespace anvil {
#define GEN_PASS_DEF_ANVILTILEKERNELS
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

struct TileKernelsPass : anvil::impl::AnvilTileKernelsBase<TileKernelsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    auto config =
        fn->getAttrOfType<kernel::TuningConfigAttr>(kernel::kTuningAttrName);
    if (!config)
      return;
    SmallVector<linalg::LinalgOp> ops;
    fn.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    if (ops.empty()) {
      fn.emitError("a kernel must hold a linalg op");
      return signalPassFailure();
    }
    // A fused kernel marks the op its config describes; the others split
    // their own loop (same extent, same chunks) when the root is split.
    linalg::LinalgOp root = ops.front();
    if (ops.size() > 1) {
      auto marked = llvm::make_filter_range(ops, [](linalg::LinalgOp op) {
        return op->hasAttr(kernel::kRootAttrName);
      });
      if (std::distance(marked.begin(), marked.end()) != 1) {
        fn.emitError("a kernel with several linalg ops must mark one '")
            << kernel::kRootAttrName << "'";
        return signalPassFailure();
      }
      root = *marked.begin();
    }
    IRRewriter rewriter(fn.getContext());
    int64_t dim = config.getDistributeDim();
    // Workgroup chunks start at multiples of the register tile along the
    // split loop, so that the same elements take the vector path (and the
    // same rounding) whatever the number of workgroups.
    int64_t align = splitAlign(root, dim, config.getVectorSizes());
    for (linalg::LinalgOp op : ops)
      if (op != root)
        if (auto own =
                op->getAttrOfType<IntegerAttr>(kernel::kDistributeAttrName))
          if (auto vs = op->getAttrOfType<DenseI64ArrayAttr>(
                  kernel::kVectorSizesAttrName))
            align =
                std::lcm(align, splitAlign(op, own.getInt(), vs.asArrayRef()));
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics()) {
        op.emitError("kernels are tiled after bufferization");
        return signalPassFailure();
      }
      if (op == root)
        continue;
      auto own = op->getAttrOfType<IntegerAttr>(kernel::kDistributeAttrName);
      if (!own || own.getInt() >= (int64_t)op.getNumLoops() ||
          (own.getInt() >= 0) != (dim >= 0) ||
          (own.getInt() >= 0 && cpu::untileableLoops(op).test(own.getInt()))) {
        op.emitError("a fused kernel op needs a valid '")
            << kernel::kDistributeAttrName << "' matching the root's split";
        return signalPassFailure();
      }
      auto order =
          op->getAttrOfType<DenseI64ArrayAttr>(kernel::kLoopOrderAttrName);
      auto opTiles =
          op->getAttrOfType<DenseI64ArrayAttr>(kernel::kTileSizesAttrName);
      auto opVector =
          op->getAttrOfType<DenseI64ArrayAttr>(kernel::kVectorSizesAttrName);
      linalg::LinalgOp chunk = op;
      if (own.getInt() >= 0) {
        FailureOr<linalg::LinalgOp> split =
            distribute(rewriter, fn, op, own.getInt(), align);
        if (failed(split))
          return signalPassFailure();
        chunk = *split;
      }
      if (opVector) {
        if (failed(tileAndVectorize(rewriter, fn, chunk,
                                    opTiles ? opTiles.asArrayRef()
                                            : ArrayRef<int64_t>(),
                                    opVector.asArrayRef())))
          return signalPassFailure();
        continue;
      }
      if (order && failed(reorder(rewriter, chunk, order.asArrayRef())))
        return signalPassFailure();
    }
    int64_t numLoops = root.getNumLoops();
    if (dim >= numLoops) {
      root.emitError("TuningConfig distribute_dim ")
          << dim << " is out of range for " << numLoops << " loops";
      return signalPassFailure();
    }
    llvm::SmallBitVector untileable = cpu::untileableLoops(root);
    ArrayRef<int64_t> tileSizes = config.getTileSizes();
    for (int64_t d = 0; d < numLoops; ++d)
      if (untileable.test(d) &&
          (d == dim || (d < (int64_t)tileSizes.size() && tileSizes[d] != 0))) {
        root.emitError("TuningConfig splits or tiles loop ")
            << d << ", which an indexing map reads through floordiv/mod";
        return signalPassFailure();
      }
    if (dim >= 0) {
      FailureOr<linalg::LinalgOp> chunk =
          distribute(rewriter, fn, root, dim, align);
      if (failed(chunk))
        return signalPassFailure();
      root = *chunk;
    }
    ArrayRef<int64_t> tiles = config.getTileSizes();
    if (!tiles.empty() && llvm::any_of(tiles, [](int64_t t) { return t; })) {
      if ((int64_t)tiles.size() != numLoops) {
        root.emitError("TuningConfig has ")
            << tiles.size() << " tile sizes for " << numLoops << " loops";
        return signalPassFailure();
      }
      FailureOr<linalg::TiledLinalgOp> tiled =
          tileInPlace(rewriter, root, tiles, "tile sizes");
      if (failed(tiled))
        return signalPassFailure();
      root = tiled->op;
    }
    ArrayRef<int64_t> vectorSizes = config.getVectorSizes();
    if (!vectorSizes.empty()) {
      if (auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*root)) {
        if (failed(depthwiseRegisterTile(rewriter, fn, dw, vectorSizes)))
          return signalPassFailure();
        return;
      }
      // A channels-last convolution is a sum of matmuls, one per output row
      // and filter tap; the register tile applies to those.
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*root)) {
        FailureOr<linalg::LinalgOp> matmul = convAsMatmuls(rewriter, conv);
        if (failed(matmul))
          return signalPassFailure();
        root = *matmul;
      }
      if (failed(registerTile(rewriter, fn, root, vectorSizes)))
        return signalPassFailure();
      return;
    }
    ArrayRef<int64_t> order = config.getLoopOrder();
    if (!order.empty() && failed(reorder(rewriter, root, order)))
      return signalPassFailure();
  }

  /// Tiles `op` by `sizes` and erases it (the tiled op replaces it); `what`
  /// names the sizes in the error.
  FailureOr<linalg::TiledLinalgOp> tileInPlace(IRRewriter &rewriter,
                                               linalg::LinalgOp op,
                                               ArrayRef<int64_t> sizes,
                                               StringRef what) {
    linalg::LinalgTilingOptions options;
    options.setTileSizes(sizes);
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::TiledLinalgOp> tiled =
        linalg::tileLinalgOp(rewriter, op, options);
    if (failed(tiled))
      return op.emitError("cannot tile by the TuningConfig's ") << what;
    rewriter.eraseOp(op);
    return tiled;
  }

  /// The multiple of the register tile at which workgroup chunks of `op`'s
  /// loop `dim` must start (1 when it has no register tile along it).
  static int64_t splitAlign(linalg::LinalgOp op, int64_t dim,
                            ArrayRef<int64_t> vs) {
    if (vs.empty() || dim < 0)
      return 1;
    if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(*op))
      return dim == 2 ? vs[0] : dim == 3 ? vs[1] : 1;
    return dim < (int64_t)vs.size() ? vs[dim] : 1;
  }

  /// Cache tiles (`tiles`, may be empty) then the register tile `vs` of a
  /// non-root op of a fused kernel, already narrowed to its workgroup chunk.
  LogicalResult tileAndVectorize(IRRewriter &rewriter, func::FuncOp fn,
                                 linalg::LinalgOp op, ArrayRef<int64_t> tiles,
                                 ArrayRef<int64_t> vs) {
    if (!tiles.empty()) {
      FailureOr<linalg::TiledLinalgOp> tiled =
          tileInPlace(rewriter, op, tiles, "tile sizes");
      if (failed(tiled))
        return failure();
      op = tiled->op;
    }
    if (auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*op))
      return depthwiseRegisterTile(rewriter, fn, dw, vs);
    if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*op)) {
      FailureOr<linalg::LinalgOp> matmul = convAsMatmuls(rewriter, conv);
      if (failed(matmul))
        return failure();
      op = *matmul;
    }
    return registerTile(rewriter, fn, op, vs);
  }

  /// out[n, oh, :, :] += in[n, oh*s + kh*d, kw*d :: s, :] x w[kh, kw, :, :]
  /// for every n, oh, kh, kw: loops around one [OW x C] x [C x F] matmul on
  /// views (the input view's rows are `s` pixels apart).
  FailureOr<linalg::LinalgOp> convAsMatmuls(IRRewriter &rewriter,
                                            linalg::Conv2DNhwcHwcfOp conv) {
    Location loc = conv.getLoc();
    Value in = conv.getDpsInputOperand(0)->get(),
          w = conv.getDpsInputOperand(1)->get(),
          out = conv.getDpsInitOperand(0)->get();
    auto wType = cast<MemRefType>(w.getType());
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>()),
        dilations(conv.getDilations().getValues<int64_t>());
    if (wType.isDynamicDim(0) || wType.isDynamicDim(1))
      return conv.emitError("vector_sizes need a static filter window");
    rewriter.setInsertionPoint(conv);
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
    };
    auto dimOf = [&](Value v, int64_t d) -> OpFoldResult {
      return memref::getMixedSize(rewriter, loc, v, d);
    };
    Value zero = index(0), one = index(1);
    auto loopOver = [&](OpFoldResult ub) {
      auto loop = scf::ForOp::create(
          rewriter, loc, zero,
          getValueOrCreateConstantIndexOp(rewriter, loc, ub), one);
      rewriter.setInsertionPointToStart(loop.getBody());
      return loop.getInductionVar();
    };
    OpFoldResult n = dimOf(out, 0), oh = dimOf(out, 1), ow = dimOf(out, 2),
                 f = dimOf(out, 3), c = dimOf(w, 2);
    Value iN = loopOver(n), iOh = loopOver(oh);
    Value iKh = loopOver(rewriter.getIndexAttr(wType.getDimSize(0)));
    Value iKw = loopOver(rewriter.getIndexAttr(wType.getDimSize(1)));
    AffineExpr d0, d1;
    bindDims(rewriter.getContext(), d0, d1);
    Value row = affine::AffineApplyOp::create(
        rewriter, loc,
        AffineMap::get(2, 0, d0 * strides[0] + d1 * dilations[0]),
        ValueRange{iOh, iKh});
    Value col = affine::AffineApplyOp::create(
        rewriter, loc, AffineMap::get(1, 0, d0 * dilations[1]),
        ValueRange{iKw});
    OpFoldResult unit = rewriter.getIndexAttr(1),
                 zeroAttr = rewriter.getIndexAttr(0);
    auto view = [&](Value src, ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes,
                    ArrayRef<OpFoldResult> steps) -> Value {
      auto srcType = cast<MemRefType>(src.getType());
      SmallVector<int64_t> shape;
      for (OpFoldResult size : sizes.drop_front(2))
        shape.push_back(
            getConstantIntValue(size).value_or(ShapedType::kDynamic));
      auto type = memref::SubViewOp::inferRankReducedResultType(
          shape, srcType, offsets, sizes, steps);
      return memref::SubViewOp::create(rewriter, loc, cast<MemRefType>(type),
                                       src, offsets, sizes, steps);
    };
    Value a = view(in, {iN, row, col, zeroAttr}, {unit, unit, ow, c},
                   {unit, unit, rewriter.getIndexAttr(strides[1]), unit});
    Value b = view(w, {iKh, iKw, zeroAttr, zeroAttr}, {unit, unit, c, f},
                   {unit, unit, unit, unit});
    Value acc = view(out, {iN, iOh, zeroAttr, zeroAttr}, {unit, unit, ow, f},
                     {unit, unit, unit, unit});
    auto matmul = linalg::MatmulOp::create(rewriter, loc, ValueRange{a, b},
                                           ValueRange{acc});
    rewriter.eraseOp(conv);
    return cast<linalg::LinalgOp>(matmul.getOperation());
  }

  /// Depthwise channels-last convolution in tiles of `sizes` = [pixels,
  /// channels] of one output row: each full tile keeps one accumulator vector
  /// per pixel in registers across the filter window (per tap: one filter
  /// load, then a load and an FMA per pixel); edge tiles stay scalar.
  LogicalResult depthwiseRegisterTile(IRRewriter &rewriter, func::FuncOp fn,
                                      linalg::DepthwiseConv2DNhwcHwcOp conv,
                                      ArrayRef<int64_t> sizes) {
    if (sizes.size() != 2)
      return conv.emitError("vector_sizes of a depthwise convolution are "
                            "[pixels, channels]");
    int64_t rows = sizes[0], width = sizes[1];
    FailureOr<linalg::TiledLinalgOp> tiled =
        tileInPlace(rewriter, conv, {1, 1, rows, width, 0, 0}, "vector sizes");
    if (failed(tiled))
      return failure();
    for (Operation *loop : tiled->loops)
      if (auto forOp = dyn_cast<scf::ForOp>(loop)) {
        scf::ForOp partial;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    if (failed(canonicalize(fn)))
      return fn.emitError("cannot simplify the register tiles");
    SmallVector<linalg::DepthwiseConv2DNhwcHwcOp> full;
    fn.walk([&](linalg::DepthwiseConv2DNhwcHwcOp op) {
      auto out = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
      auto w = cast<MemRefType>(op.getDpsInputOperand(1)->get().getType());
      if (out.getShape() == ArrayRef<int64_t>{1, 1, rows, width} &&
          w.hasStaticShape())
        full.push_back(op);
    });
    for (linalg::DepthwiseConv2DNhwcHwcOp op : full) {
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      Value in = op.getDpsInputOperand(0)->get(),
            w = op.getDpsInputOperand(1)->get(),
            out = op.getDpsInitOperand(0)->get();
      auto wType = cast<MemRefType>(w.getType());
      SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>()),
          dilations(op.getDilations().getValues<int64_t>());
      auto index = [&](OpBuilder &b, int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v).getResult();
      };
      auto vt = VectorType::get({width}, wType.getElementType());
      Value c0 = index(rewriter, 0), c1 = index(rewriter, 1);
      SmallVector<Value> acc;
      for (int64_t r = 0; r < rows; ++r)
        acc.push_back(vector::LoadOp::create(rewriter, loc, vt, out,
                                             {c0, c0, index(rewriter, r), c0},
                                             false, IntegerAttr()));
      auto khLoop = scf::ForOp::create(
          rewriter, loc, c0, index(rewriter, wType.getDimSize(0)), c1, acc,
          [&](OpBuilder &b1, Location l1, Value kh, ValueRange accKh) {
            auto kwLoop = scf::ForOp::create(
                b1, l1, c0, index(b1, wType.getDimSize(1)), c1, accKh,
                [&](OpBuilder &b, Location l, Value kw, ValueRange a) {
                  Value wv = vector::LoadOp::create(b, l, vt, w, {kh, kw, c0},
                                                    false, IntegerAttr());
                  Value row =
                      arith::MulIOp::create(b, l, kh, index(b, dilations[0]));
                  Value kwOff =
                      arith::MulIOp::create(b, l, kw, index(b, dilations[1]));
                  SmallVector<Value> next;
                  for (int64_t r = 0; r < rows; ++r) {
                    Value col = arith::AddIOp::create(b, l, kwOff,
                                                      index(b, r * strides[1]));
                    Value iv = vector::LoadOp::create(
                        b, l, vt, in, {c0, row, col, c0}, false, IntegerAttr());
                    next.push_back(vector::FMAOp::create(b, l, iv, wv, a[r]));
                  }
                  scf::YieldOp::create(b, l, next);
                });
            scf::YieldOp::create(b1, l1, kwLoop.getResults());
          });
      for (int64_t r = 0; r < rows; ++r)
        vector::StoreOp::create(rewriter, loc, khLoop.getResult(r), out,
                                {c0, c0, index(rewriter, r), c0}, false,
                                IntegerAttr());
      rewriter.eraseOp(op);
    }
    return success();
  }

  /// Canonicalizes `fn` with every loaded dialect's and op's patterns.
  LogicalResult canonicalize(func::FuncOp fn) {
    MLIRContext *ctx = fn.getContext();
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    return applyPatternsGreedily(fn, std::move(patterns));
  }

  /// Register tiling of a contraction: tiles of `sizes` (the last loop, the
  /// reduction, by 1), the partial tiles at the edges peeled off and left
  /// scalar, each full tile vectorized to a vector.contract whose
  /// accumulator is then kept in registers across the reduction loop and
  /// lowered to broadcast FMAs.
  LogicalResult registerTile(IRRewriter &rewriter, func::FuncOp fn,
                             linalg::LinalgOp root, ArrayRef<int64_t> sizes) {
    if ((int64_t)sizes.size() != root.getNumLoops())
      return root.emitError("TuningConfig has ")
             << sizes.size() << " vector sizes for " << root.getNumLoops()
             << " loops";
    if (!linalg::isaContractionOpInterface(root))
      return root.emitError("vector_sizes apply to contractions only");
    FailureOr<linalg::TiledLinalgOp> tiled =
        tileInPlace(rewriter, root, sizes, "vector sizes");
    if (failed(tiled))
      return failure();
    // Peel the parallel tile loops (outermost first) so that the main loops
    // run full tiles only.
    for (Operation *loop : tiled->loops) {
      auto forOp = dyn_cast<scf::ForOp>(loop);
      if (!forOp)
        continue;
      scf::ForOp partial;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
    }
    // Constant tile sizes become static shapes (subview, then the matmul).
    if (failed(canonicalize(fn)))
      return fn.emitError("cannot simplify the register tiles");
    // Every contraction of the kernel whose shape is now the full vector tile.
    SmallVector<linalg::LinalgOp> full;
    fn.walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op) &&
          op.getStaticLoopRanges() == ArrayRef<int64_t>(sizes))
        full.push_back(op);
    });
    for (linalg::LinalgOp op : full) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (failed(result))
        return op.emitError("cannot vectorize the register tile");
      rewriter.eraseOp(op);
    }
    // The accumulator tile stays in registers across the reduction loop.
    fn.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    SmallVector<vector::TransferWriteOp> writes;
    fn.walk([&](vector::TransferWriteOp w) { writes.push_back(w); });
    for (vector::TransferWriteOp write : writes)
      (void)keepAccumulatorInRegisters(rewriter, write);
    RewritePatternSet patterns(fn.getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns,
                                                        fn.getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns,
                                                         fn.getContext());
    if (failed(applyPatternsGreedily(fn, std::move(patterns))))
      return fn.emitError("cannot lower the register tile");
    return success();
  }

  /// In a reduction loop whose body reads a tile with `transfer_read`,
  /// accumulates into it and writes it back to the same place (a register
  /// tile's accumulator), reads the tile once before the loop, carries it
  /// through the iterations and writes it once after. Only when nothing
  /// else in the loop writes memory and the tile's place is loop-invariant.
  LogicalResult keepAccumulatorInRegisters(IRRewriter &rewriter,
                                           vector::TransferWriteOp write) {
    auto loop = dyn_cast<scf::ForOp>(write->getParentOp());
    if (!loop || !isa<MemRefType>(write.getBase().getType()))
      return failure();
    vector::TransferReadOp read;
    for (Operation &op : loop.getBody()->without_terminator()) {
      if (auto r = dyn_cast<vector::TransferReadOp>(op);
          r && r.getBase() == write.getBase() &&
          llvm::equal(r.getIndices(), write.getIndices(),
                      [](Value a, Value b) {
                        return isEqualConstantIntOrValue(a, b);
                      }) &&
          r.getVectorType() == write.getVectorType() &&
          r.getPermutationMap() == write.getPermutationMap() && !r.getMask())
        read = r;
      else if (&op != write.getOperation() && !isMemoryEffectFree(&op) &&
               !isa<vector::TransferReadOp>(op))
        return failure();
    }
    if (!read || write.getMask() || !read->isBeforeInBlock(write) ||
        !loop.isDefinedOutsideOfLoop(write.getBase()) ||
        llvm::any_of(
            write.getIndices(),
            [&](Value v) { return !loop.isDefinedOutsideOfLoop(v); }) ||
        !loop.isDefinedOutsideOfLoop(read.getPadding()))
      return failure();
    // The loop must run at least once for the write after it to be right:
    // only constant bounds here.
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                           ub = getConstantIntValue(loop.getUpperBound());
    if (!lb || !ub || *ub <= *lb)
      return failure();
    rewriter.moveOpBefore(read, loop);
    Value tile = read.getResult();
    auto newLoop = cast<scf::ForOp>(*loop.replaceWithAdditionalYields(
        rewriter, ValueRange{tile}, /*replaceInitOperandUsesInLoop=*/true,
        [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
          return SmallVector<Value>{write.getVector()};
        }));
    rewriter.moveOpAfter(write, newLoop);
    rewriter.modifyOpInPlace(write, [&] {
      write.getValueToStoreMutable().assign(newLoop.getResults().back());
    });
    return success();
  }

  /// Permutes the loops of `op` (generalizing a named op first).
  LogicalResult reorder(IRRewriter &rewriter, linalg::LinalgOp op,
                        ArrayRef<int64_t> order) {
    int64_t n = op.getNumLoops();
    SmallVector<bool> seen(n, false);
    bool valid = (int64_t)order.size() == n;
    for (int64_t d : order) {
      valid &= d >= 0 && d < n && !seen[d];
      if (valid)
        seen[d] = true;
    }
    if (!valid)
      return op.emitError("TuningConfig loop_order is not a permutation of ")
             << n << " loops";
    rewriter.setInsertionPoint(op);
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return op.emitError("cannot reorder the loops of this op");
      generic = *g;
    }
    // interchangeGenericOp takes, for each new loop, the old loop it reads.
    SmallVector<unsigned> permutation(order.begin(), order.end());
    if (failed(linalg::interchangeGenericOp(rewriter, generic, permutation)))
      return op.emitError("cannot reorder the loops of this op");
    return success();
  }

  /// Tiles loop `dim` by ceildiv(extent, wg_count) and narrows the tile loop
  /// to the chunk of this workgroup.
  FailureOr<linalg::LinalgOp> distribute(IRRewriter &rewriter, func::FuncOp fn,
                                         linalg::LinalgOp root, int64_t dim,
                                         int64_t align) {
    Location loc = root.getLoc();
    unsigned numArgs = fn.getNumArguments();
    Value wgId = fn.getArgument(numArgs - 2);
    Value wgCount = fn.getArgument(numArgs - 1);
    rewriter.setInsertionPoint(root);
    SmallVector<Range> ranges = root.createLoopRanges(rewriter, loc);
    Value extent =
        getValueOrCreateConstantIndexOp(rewriter, loc, ranges[dim].size);
    Value chunk = arith::CeilDivUIOp::create(rewriter, loc, extent, wgCount);
    if (align > 1) {
      Value step = arith::ConstantIndexOp::create(rewriter, loc, align);
      chunk = arith::MulIOp::create(
          rewriter, loc, arith::CeilDivUIOp::create(rewriter, loc, chunk, step),
          step);
    }
    linalg::LinalgTilingOptions options;
    options.setTileSizeComputationFunction([&, dim, chunk](OpBuilder &b,
                                                           Operation *) {
      SmallVector<Value, 4> sizes;
      for (int64_t d = 0; d < (int64_t)ranges.size(); ++d)
        sizes.push_back(
            d == dim ? chunk
                     : arith::ConstantIndexOp::create(b, b.getUnknownLoc(), 0)
                           .getResult());
      return sizes;
    });
    FailureOr<linalg::TiledLinalgOp> tiled =
        linalg::tileLinalgOp(rewriter, root, options);
    if (failed(tiled) || tiled->loops.size() != 1) {
      root.emitError("cannot split loop ") << dim << " over workgroups";
      return failure();
    }
    rewriter.eraseOp(root);
    auto loop = cast<scf::ForOp>(tiled->loops.front());
    // for %i = lb to ub step chunk  ->  for %i = wg*chunk to min(ub,
    // that+chunk)
    rewriter.setInsertionPoint(loop);
    Value begin = arith::MulIOp::create(rewriter, loc, wgId, chunk);
    Value end = arith::MinUIOp::create(
        rewriter, loc, loop.getUpperBound(),
        arith::AddIOp::create(rewriter, loc, begin, chunk));
    rewriter.modifyOpInPlace(loop, [&] {
      loop.setLowerBound(begin);
      loop.setUpperBound(end);
    });
    return tiled->op;
  }
};

} // namespace

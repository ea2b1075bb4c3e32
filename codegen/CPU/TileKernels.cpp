//===- TileKernels.cpp - Apply a kernel's TuningConfig --------------------===//
//
// A kernel computes its whole root op when run as one workgroup. With
// `distribute_dim` set, the root op is first tiled along that loop with a
// chunk of ceildiv(extent, wg_count) and the resulting loop is narrowed to the
// one chunk that belongs to `wg_id`; then `tile_sizes` tiles the chunk. In a
// fused kernel every other op is split the same way along its own
// `anvil_kernel.distribute_dim` loop (same extent, so the same chunks).
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
#include "mlir/IR/PatternMatch.h"

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
      linalg::LinalgOp chunk = op;
      if (own.getInt() >= 0) {
        FailureOr<linalg::LinalgOp> split =
            distribute(rewriter, fn, op, own.getInt());
        if (failed(split))
          return signalPassFailure();
        chunk = *split;
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
      FailureOr<linalg::LinalgOp> chunk = distribute(rewriter, fn, root, dim);
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
      linalg::LinalgTilingOptions options;
      options.setTileSizes(tiles);
      rewriter.setInsertionPoint(root);
      FailureOr<linalg::TiledLinalgOp> tiled =
          linalg::tileLinalgOp(rewriter, root, options);
      if (failed(tiled)) {
        root.emitError("cannot tile by the TuningConfig's tile sizes");
        return signalPassFailure();
      }
      rewriter.eraseOp(root);
      root = tiled->op;
    }
    ArrayRef<int64_t> order = config.getLoopOrder();
    if (!order.empty() && failed(reorder(rewriter, root, order)))
      return signalPassFailure();
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
                                         linalg::LinalgOp root, int64_t dim) {
    Location loc = root.getLoc();
    unsigned numArgs = fn.getNumArguments();
    Value wgId = fn.getArgument(numArgs - 2);
    Value wgCount = fn.getArgument(numArgs - 1);
    rewriter.setInsertionPoint(root);
    SmallVector<Range> ranges = root.createLoopRanges(rewriter, loc);
    Value extent =
        getValueOrCreateConstantIndexOp(rewriter, loc, ranges[dim].size);
    Value chunk = arith::CeilDivUIOp::create(rewriter, loc, extent, wgCount);
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

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
// the reduction loop (and, for a conv with prepacked weights, across its
// taps' loops around it); so are the smaller edge tiles (when their sizes
// are static), with narrower vectors.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include <map>
#include <numeric>

namespace anvil {
#define GEN_PASS_DEF_ANVILTILEKERNELS
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

/// Marks the tiles of one register-tiling step until they are vectorized.
constexpr StringLiteral kTileMarker = "anvil_kernel.register_tile";
/// Marks the panel matmuls and packing copies of packAndRegisterTile until
/// the peeled copies of them are collected.
constexpr StringLiteral kPackMarker = "anvil_kernel.packed";
/// A part of a matmul's rows, at run time few (see packAndRegisterTile): the
/// register tile's rows, until it is tiled.
constexpr StringLiteral kRowPartMarker = "anvil_kernel.row_part";
/// The `OpT` ops of `fn` that carry an integer `marker` (a register tile's
/// rows), grouped by it; the marks are removed.
template <typename OpT>
std::map<int64_t, SmallVector<linalg::LinalgOp>> takeMarked(func::FuncOp fn,
                                                            StringRef marker) {
  std::map<int64_t, SmallVector<linalg::LinalgOp>> marked;
  fn.walk([&](OpT op) {
    if (auto rows = op->template getAttrOfType<IntegerAttr>(marker)) {
      op->removeAttr(marker);
      marked[rows.getInt()].push_back(op);
    }
  });
  return marked;
}
/// The columns of a one-row register tile of a matmul whose B is read in
/// place (a classifier at batch 1: B is not packed, its rows are read once):
/// kOneRowWidening times the config's columns, up to kOneRowMaxColumns, so
/// that a step of the reduction has twice the accumulators in flight and
/// reads twice as much of a row of B at once (256 bytes on AVX-512).
/// ResNet-50's classifier (1 x 2048 x 1000, 8 MB of weights that the layers
/// before it have pushed out of the caches) ran 1.18x faster in the model
/// (437 vs 514 us), MobileNetV2's (1 x 1280 x 1000) 1.09x; alone, its weights
/// in the cache from the run before, 1.04x. Four times (8 vectors) ran
/// ResNet-50's 1.35x faster in the model but 1.3-1.7x slower alone (2
/// threads, 5-7 shuffled rounds).
constexpr int64_t kOneRowWidening = 2;
constexpr int64_t kOneRowMaxColumns = 128;
int64_t oneRowColumns(int64_t columns) {
  return std::max(columns,
                  std::min(kOneRowWidening * columns, kOneRowMaxColumns));
}
/// Bytes of a convolution's output block (rows by a block of channels) that
/// its filter taps accumulate into in turn: half of a 1-2 MiB L2.
constexpr int64_t kOutputBlockBytes = 512 * 1024;
/// Longest reduction a row reduction (see vectorizeRows) takes as one
/// vector: 4096 floats, 256 AVX-512 registers' worth, which LLVM reduces in
/// halves (a tree) as it loads them.
constexpr int64_t kMaxRowElements = 4096;

/// Elementwise ops of a fused kernel that run on each block of a packed
/// convolution's output where the block is computed, instead of as passes
/// over the whole chunk before or after it: `before` initializes the block
/// (the broadcast of a bias into the conv's output) when the first filter
/// tap and channel block reach it; `after` (a relu, a residual add, a copy
/// into a padded buffer) read it once the last one has, while it is still
/// in cache. Every op runs on the same elements as unfused, in the same
/// order per element; only whole-buffer passes (memory-bound on an output
/// of megabytes) go.
struct BlockFusion {
  SmallVector<linalg::LinalgOp> before, after;
  /// The root's output buffer (as the fused ops name it).
  Value output;
  /// Whether an op of the kernel besides the root and the fused ones uses
  /// `output` (then it must be written: no scratch blocks).
  bool outputUsedElsewhere = false;
  /// The root's split loop (-1: none) and the first index of this
  /// workgroup's chunk along it: the fused ops index whole buffers.
  int64_t dim = -1;
  Value chunkStart;
  bool empty() const { return before.empty() && after.empty(); }

  /// Whether `root`'s output blocks may live in a scratch buffer instead of
  /// its output: no later kernel reads the output (kScratchOutputAttrName),
  /// the op initializing it and the ops reading it are fused, and no other
  /// op of the kernel uses it.
  bool scratchOutput(Operation *root) const {
    return root->hasAttr(kernel::kScratchOutputAttrName) && !before.empty() &&
           !after.empty() && !outputUsedElsewhere;
  }

  /// `offsets` of the root's loops within this workgroup's chunk, made
  /// whole-buffer indices (the chunk's start added along the split loop).
  void toWholeBuffer(OpBuilder &b, Location loc,
                     MutableArrayRef<OpFoldResult> offsets) const {
    if (dim < 0)
      return;
    offsets[dim] =
        arith::AddIOp::create(
            b, loc, getValueOrCreateConstantIndexOp(b, loc, offsets[dim]),
            chunkStart)
            .getResult();
  }

  /// Erases the fused ops once their copies are in the root's loops.
  void eraseMembers(RewriterBase &rewriter) const {
    for (linalg::LinalgOp member :
         llvm::concat<const linalg::LinalgOp>(before, after))
      rewriter.eraseOp(member);
  }
};

struct TileKernelsPass : anvil::impl::AnvilTileKernelsBase<TileKernelsPass> {
  /// An op of a fused kernel with no config of its own that maps the
  /// conv's output loops one to one: all loops parallel, as many as the
  /// output has dims, each buffer read or written through a projection of
  /// them (a bias through its channel loop), one output, identity-mapped.
  static bool blockwise(linalg::LinalgOp op, MemRefType outType) {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != (unsigned)outType.getRank() ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        op->hasAttr(kernel::kTileSizesAttrName) ||
        op->hasAttr(kernel::kVectorSizesAttrName) ||
        op->hasAttr(kernel::kLoopOrderAttrName) ||
        !isa<linalg::GenericOp, linalg::FillOp>(*op))
      return false;
    auto dst = dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
    if (!dst || dst.getShape() != outType.getShape() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return false;
    return llvm::all_of(op->getOpOperands(), [&](OpOperand &operand) {
      return !isa<MemRefType>(operand.get().getType()) ||
             op.getMatchingIndexingMap(&operand).isProjectedPermutation();
    });
  }

  /// The ops of `ops` (a kernel, in order) that can run per output block
  /// of `root`, a convolution that packs its weights (see BlockFusion): the
  /// op right before it when it only initializes the conv's output (a fill
  /// or a broadcast of one input), and the run of ops right after it that
  /// read the output, or what an earlier one of them wrote, element for
  /// element, and write neither the conv's inputs nor anything else it
  /// reads.
  static BlockFusion blockFusion(func::FuncOp fn,
                                 ArrayRef<linalg::LinalgOp> ops,
                                 linalg::LinalgOp root) {
    BlockFusion fusion;
    if (!isa<linalg::Conv2DNhwcHwcfOp>(*root) && !cpu::hasPixelTile(root))
      return fusion;
    Value out = root.getDpsInitOperand(0)->get();
    auto outType = cast<MemRefType>(out.getType());
    fusion.output = out;
    size_t r = llvm::find(ops, root) - ops.begin();
    linalg::LinalgOp init = r > 0 ? ops[r - 1] : linalg::LinalgOp();
    if (init && blockwise(init, outType) &&
        init.getDpsInitOperand(0)->get() == out && cpu::onlyInitializes(init))
      fusion.before.push_back(init);
    SmallVector<Value> ready = {out};
    SmallVector<Value> rootInputs = root.getDpsInputs();
    for (size_t i = r + 1; i < ops.size(); ++i) {
      linalg::LinalgOp op = ops[i];
      if (!blockwise(op, outType))
        break;
      bool readsReady = false, ok = true;
      for (OpOperand *in : op.getDpsInputOperands()) {
        if (!llvm::is_contained(ready, in->get()))
          continue;
        readsReady = true;
        ok &= op.getMatchingIndexingMap(in).isIdentity();
      }
      Value dst = op.getDpsInitOperand(0)->get();
      if (!ok || !readsReady || llvm::is_contained(rootInputs, dst))
        break;
      fusion.after.push_back(op);
      ready.push_back(dst);
    }
    // Through views: a collapsed view of the output is the output.
    auto base = [](Value v) {
      while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
        v = view.getViewSource();
      return v;
    };
    Value outBase = base(out);
    fn.walk([&](Operation *op) {
      if (op == root.getOperation() || llvm::is_contained(fusion.before, op) ||
          llvm::is_contained(fusion.after, op) || isa<ViewLikeOpInterface>(op))
        return;
      if (llvm::any_of(op->getOperands(),
                       [&](Value v) { return base(v) == outBase; }))
        fusion.outputUsedElsewhere = true;
    });
    return fusion;
  }

  /// A copy of `op` (see blockwise) on the block of its loops that starts at
  /// `offsets` and has `sizes`, at the insertion point.
  /// `replace`, when set, is the block of `replaced` to use instead of a
  /// view of it (a scratch buffer).
  static void cloneOnBlock(IRRewriter &rewriter, Location loc,
                           linalg::LinalgOp op, ArrayRef<OpFoldResult> offsets,
                           ArrayRef<OpFoldResult> sizes, Value replaced = {},
                           Value replace = {}) {
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      Value v = operand.get();
      if (replace && v == replaced) {
        operands.push_back(replace);
        continue;
      }
      if (!isa<MemRefType>(v.getType())) {
        operands.push_back(v);
        continue;
      }
      SmallVector<OpFoldResult> o, z,
          steps(cast<MemRefType>(v.getType()).getRank(),
                rewriter.getIndexAttr(1));
      for (AffineExpr e : op.getMatchingIndexingMap(&operand).getResults()) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        o.push_back(offsets[d]);
        z.push_back(sizes[d]);
      }
      operands.push_back(
          memref::SubViewOp::create(rewriter, loc, v, o, z, steps));
    }
    Operation *copy = rewriter.clone(*op);
    copy->setOperands(operands);
    copy->removeAttr(kernel::kDistributeAttrName);
    copy->setAttr(kPackMarker, rewriter.getUnitAttr());
  }

  /// Kernel arguments whose prepacked panels a matmul reads (prepackedB).
  llvm::SmallDenseSet<unsigned> panelArguments;

  void runOnOperation() override {
    panelArguments.clear();
    tileKernel();
    // The marks of --anvil-pack-weights end here; one that no matmul took
    // would leave panels read as rows.
    func::FuncOp fn = getOperation();
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      if (!fn.getArgAttr(i, kernel::kPackedPanelsAttrName))
        continue;
      if (!panelArguments.contains(i)) {
        fn.emitError("kernel argument ")
            << i << " holds prepacked weight panels that no packed matmul or "
            << "convolution of the kernel reads";
        signalPassFailure();
      }
      fn.removeArgAttr(i, kernel::kPackedPanelsAttrName);
    }
  }

  void tileKernel() {
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
    BlockFusion fusion;
    if (cpu::packsWeights(root, config.getTileSizes(),
                          config.getVectorSizes()) ||
        (cpu::hasPixelTile(root) && config.getVectorSizes().size() == 2 &&
         llvm::none_of(config.getTileSizes(), [](int64_t t) { return t; })))
      fusion = blockFusion(fn, ops, root);
    auto fused = [&](linalg::LinalgOp op) {
      return llvm::is_contained(fusion.before, op) ||
             llvm::is_contained(fusion.after, op);
    };
    // Workgroup chunks start at multiples of the register tile along the
    // split loop, so that the same elements take the vector path (and the
    // same rounding) whatever the number of workgroups.
    // An op split by images (kDistributeFactorAttrName) takes its factor
    // times the workgroup's images instead, and its register tiles must
    // divide that factor.
    auto factorOf = [](linalg::LinalgOp op) -> int64_t {
      auto attr =
          op->getAttrOfType<IntegerAttr>(kernel::kDistributeFactorAttrName);
      return attr ? attr.getInt() : 1;
    };
    int64_t align = 1;
    if (factorOf(root) == 1)
      align = cpu::splitAlign(root, dim, config.getVectorSizes());
    // A kernel split by images (an op has a factor): every op's split loop
    // is its factor times the images, ceildiv(images, wg_count) of them a
    // workgroup, computed once at the kernel's entry.
    Value images;
    if (dim >= 0 && dim < (int64_t)root.getNumLoops() &&
        llvm::all_of(root->getOperands(),
                     [](Value v) { return isa<BlockArgument>(v); }) &&
        llvm::any_of(ops,
                     [&](linalg::LinalgOp op) { return factorOf(op) > 1; })) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&fn.getBody().front());
      Location loc = root.getLoc();
      SmallVector<Range> ranges = root.createLoopRanges(rewriter, loc);
      images = workgroupImages(
          rewriter, loc,
          getValueOrCreateConstantIndexOp(rewriter, loc, ranges[dim].size),
          factorOf(root), fn.getArgument(fn.getNumArguments() - 1));
    }
    for (linalg::LinalgOp op : ops)
      if (op != root && !fused(op) && factorOf(op) == 1)
        if (auto own =
                op->getAttrOfType<IntegerAttr>(kernel::kDistributeAttrName))
          if (auto vs = op->getAttrOfType<DenseI64ArrayAttr>(
                  kernel::kVectorSizesAttrName))
            align = std::lcm(
                align, cpu::splitAlign(op, own.getInt(), vs.asArrayRef()));
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics()) {
        op.emitError("kernels are tiled after bufferization");
        return signalPassFailure();
      }
      if (op == root || fused(op))
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
        int64_t opAlign = align;
        if (factorOf(op) > 1)
          opAlign = opVector ? cpu::splitAlign(op, own.getInt(),
                                               opVector.asArrayRef())
                             : 1;
        FailureOr<linalg::LinalgOp> split = distribute(
            rewriter, fn, op, own.getInt(), opAlign, factorOf(op), images);
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
      if (!order && !opTiles && isRowReduction(chunk)) {
        if (failed(vectorizeRows(rewriter, chunk)))
          return signalPassFailure();
        continue;
      }
      if (auto transpose = dyn_cast<linalg::TransposeOp>(*chunk);
          transpose && !order && !opTiles &&
          failed(vectorizeTranspose(rewriter, transpose)))
        return signalPassFailure();
    }
    int64_t numLoops = root.getNumLoops();
    if (dim >= numLoops) {
      root.emitError("TuningConfig distribute_dim ")
          << dim << " is out of range for " << numLoops << " loops";
      return signalPassFailure();
    }
    // Workgroups writing one output element each add their own partial sums
    // into it without synchronization: only parallel loops are split.
    if (dim >= 0 &&
        root.getIteratorTypesArray()[dim] != utils::IteratorType::parallel) {
      root.emitError("TuningConfig distribute_dim ")
          << dim << " is a reduction loop; only a parallel loop is split";
      return signalPassFailure();
    }
    if (failed(checkSizes(root, config)))
      return signalPassFailure();
    FailureOr<bool> rowsOuter = rowTilesOuter(root, config);
    if (failed(rowsOuter))
      return signalPassFailure();
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
          distribute(rewriter, fn, root, dim,
                     factorOf(root) > 1
                         ? cpu::splitAlign(root, dim, config.getVectorSizes())
                         : align,
                     factorOf(root), images);
      if (failed(chunk))
        return signalPassFailure();
      root = *chunk;
      fusion.dim = dim;
      fusion.chunkStart =
          cast<scf::ForOp>(root->getParentOp()).getInductionVar();
    }
    ArrayRef<int64_t> tiles = config.getTileSizes();
    ArrayRef<int64_t> vectorSizes = config.getVectorSizes();
    if (cpu::packsWeights(root, tiles, vectorSizes)) {
      if (failed(packAndRegisterTile(rewriter, fn, root, tiles, vectorSizes,
                                     &fusion, *rowsOuter)))
        return signalPassFailure();
      return;
    }
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
    if (!vectorSizes.empty()) {
      if (cpu::hasPixelTile(root)) {
        if (failed(depthwiseRegisterTile(rewriter, fn, root, vectorSizes,
                                         &fusion,
                                         /*channelsOuter=*/!*rowsOuter)))
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
      if (FailureOr<linalg::LinalgOp> matmul =
              batchAsMatmuls(rewriter, root, vectorSizes);
          succeeded(matmul))
        root = *matmul;
      if (failed(registerTile(rewriter, fn, root, vectorSizes)))
        return signalPassFailure();
      return;
    }
    ArrayRef<int64_t> order = config.getLoopOrder();
    if (!order.empty() && failed(reorder(rewriter, root, order)))
      return signalPassFailure();
    if (order.empty() && isRowReduction(root)) {
      if (failed(vectorizeRows(rewriter, root)))
        return signalPassFailure();
      return;
    }
    if (order.empty())
      if (auto transpose = dyn_cast<linalg::TransposeOp>(*root))
        if (failed(vectorizeTranspose(rewriter, transpose)))
          return signalPassFailure();
  }

  /// A transpose that keeps its contiguous dim in place (BERT's heads split
  /// off a [S x H x Dh] tensor) copied a row at a time as one vector, when
  /// the rows have a static length of at most kMaxRowElements. As loops LLVM
  /// copied them element by element (the input and output might overlap):
  /// 12% of BERT-base's attention-score kernel.
  LogicalResult copyRows(IRRewriter &rewriter, linalg::TransposeOp op) {
    auto in = cast<MemRefType>(op.getInput().getType());
    auto out = cast<MemRefType>(op.getInit().getType());
    int64_t length = out.getShape().back();
    if (ShapedType::isDynamic(length) || length < 2 ||
        length > kMaxRowElements || !in.isLastDimUnitStride() ||
        !out.isLastDimUnitStride())
      return success();
    return vectorizeRows(rewriter, cast<linalg::LinalgOp>(op.getOperation()));
  }

  /// Whether `op` reduces along its innermost loop only, a static extent of
  /// at most kMaxRowElements, reading each operand along it contiguously (or
  /// not at all) and folding each element into its output with one addf,
  /// mulf or a min/max: a softmax's row max and sum, a layer norm's mean,
  /// ReduceSum over the last axis. Left to convert-linalg-to-loops such an op
  /// is a scalar loop that stores its output element at every step (the
  /// output may alias an input): the row max and sum of BERT-base's
  /// attention took 60% of their kernels' time.
  static bool isRowReduction(linalg::LinalgOp op) {
    auto generic = dyn_cast<linalg::GenericOp>(*op);
    if (!generic || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1)
      return false;
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    int64_t loops = iterators.size();
    if (loops == 0 || iterators.back() != utils::IteratorType::reduction ||
        llvm::count(iterators, utils::IteratorType::reduction) != 1)
      return false;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (ShapedType::isDynamic(ranges.back()) || ranges.back() < 2 ||
        ranges.back() > kMaxRowElements)
      return false;
    unsigned last = loops - 1;
    for (OpOperand &operand : op->getOpOperands()) {
      // f32 sums; inputs of f32 or a half type (a bf16 softmax's rows,
      // extended to f32 in the body).
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      Type element = type ? type.getElementType() : Type();
      if (!type ||
          !(element.isF32() || (!op.isDpsInit(&operand) &&
                                isa<BFloat16Type, Float16Type>(element))))
        return false;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
        return false;
      if (!map.isFunctionOfDim(last))
        continue;
      // An init indexed by the reduction loop is not a reduction's output.
      if (op.isDpsInit(&operand) ||
          map.getResults().back() != getAffineDimExpr(last, op.getContext()) ||
          llvm::any_of(map.getResults().drop_back(),
                       [&](AffineExpr e) { return e.isFunctionOfDim(last); }) ||
          !type.isLastDimUnitStride())
        return false;
    }
    // yield combine(out, x), the output element read there only.
    Block *body = generic.getBody();
    BlockArgument out = body->getArguments().back();
    Operation *combine = body->getTerminator()->getOperand(0).getDefiningOp();
    if (!combine || combine->getBlock() != body || !out.hasOneUse() ||
        !isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
             arith::MaxNumFOp, arith::MinNumFOp>(combine) ||
        !llvm::is_contained(combine->getOperands(), Value(out)))
      return false;
    return true;
  }

  /// `op` tiled to single rows (the outer loops, by 1), each row vectorized
  /// whole: its operands read as one vector and the body computed on it; a
  /// row reduction (isRowReduction) reduced with vector.reduction, sums and
  /// products in any order (a tree of vector ops; LLVM keeps the scalar
  /// loop's order otherwise). The lowering touches the row's block only.
  LogicalResult vectorizeRows(IRRewriter &rewriter, linalg::LinalgOp op) {
    SmallVector<int64_t> rows(op.getNumLoops(), 1);
    rows.back() = 0;
    linalg::LinalgOp row = op;
    if (op.getNumLoops() > 1) {
      FailureOr<linalg::TiledLinalgOp> tiled =
          tileInPlace(rewriter, op, rows, "rows");
      if (failed(tiled))
        return failure();
      row = tiled->op;
    }
    // A row the vectorizer does not take stays a loop (correct, scalar).
    if (failed(linalg::vectorizeOpPrecondition(row)))
      return success();
    Block *block = row->getBlock();
    Location loc = row.getLoc();
    rewriter.setInsertionPoint(row);
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, row);
    if (failed(result))
      return row.emitError("cannot vectorize a row reduction");
    rewriter.eraseOp(row);
    // The row's reduction (none for a row copy), where the vectorizer put it.
    SmallVector<Operation *> reductions;
    for (auto reduction : block->getOps<vector::MultiDimReductionOp>())
      reductions.push_back(reduction);
    if (reductions.empty())
      return success();
    RewritePatternSet patterns(rewriter.getContext());
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    GreedyRewriteConfig greedy;
    greedy.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(
            applyOpPatternsGreedily(reductions, std::move(patterns), greedy)))
      return emitError(loc, "cannot lower a row reduction");
    for (auto reduction : block->getOps<vector::ReductionOp>()) {
      vector::CombiningKind kind = reduction.getKind();
      if (kind == vector::CombiningKind::ADD ||
          kind == vector::CombiningKind::MUL)
        reduction.setFastmathAttr(arith::FastMathFlagsAttr::get(
            reduction.getContext(),
            reduction.getFastmath() | arith::FastMathFlags::reassoc));
    }
    return success();
  }

  /// Side of the square blocks vectorizeTranspose moves: 16 x 32-bit
  /// elements, one 512-bit register per row.
  static constexpr int64_t kTransposeBlock = 16;

  /// A transpose that moves its input's contiguous dim (NHWC -> NCHW) as
  /// square blocks: 16 rows of 16 contiguous input elements are read into
  /// registers, transposed there by shuffles, and written as 16 rows of 16
  /// contiguous output elements. As loops, each element was read and written
  /// on its own, the reads a row apart (1 KiB for 256 channels): 56 of them
  /// fell into 4 of L1's sets, and the epilogue of a 1x1 conv that writes an
  /// NCHW output took two thirds of its time. The last block along each of
  /// the two dims is moved back to end at the extent (it overlaps the one
  /// before: those elements are copied twice, to the same values), so there
  /// are no edge blocks. Left as loops: extents under 16, elements not 32
  /// bits wide. A transpose that keeps the contiguous dim in place is a copy
  /// of rows: copyRows.
  LogicalResult vectorizeTranspose(IRRewriter &rewriter,
                                   linalg::TransposeOp op) {
    ArrayRef<int64_t> perm = op.getPermutation();
    int64_t rank = perm.size();
    Value in = op.getInput(), out = op.getInit();
    Type elem = cast<MemRefType>(in.getType()).getElementType();
    if (rank >= 2 && perm.back() == rank - 1)
      return copyRows(rewriter, op);
    if (rank < 2 || !isa<FloatType, IntegerType>(elem) ||
        elem.getIntOrFloatBitWidth() != 32)
      return success();
    // Loop `a` is the output's contiguous dim; loop `b` reads the input's.
    int64_t a = rank - 1, b = llvm::find(perm, rank - 1) - perm.begin();
    auto outType = cast<MemRefType>(out.getType());
    for (int64_t d : {a, b})
      if (!outType.isDynamicDim(d) && outType.getDimSize(d) < kTransposeBlock)
        return success();
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value block =
        arith::ConstantIndexOp::create(rewriter, loc, kTransposeBlock);
    SmallVector<Value> extents;
    for (int64_t d = 0; d < rank; ++d)
      extents.push_back(memref::DimOp::create(rewriter, loc, out, d));
    // Dynamic extents: blocks when both are at least 16, else the loops.
    Value large = arith::AndIOp::create(
        rewriter, loc,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                              extents[a], block),
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                              extents[b], block));
    auto branch = scf::IfOp::create(rewriter, loc, large, /*else=*/true);
    rewriter.moveOpBefore(op, branch.elseBlock()->getTerminator());
    rewriter.setInsertionPoint(branch.thenBlock()->getTerminator());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> ivs;
    for (int64_t d = 0; d < rank; ++d) {
      bool blocked = d == a || d == b;
      auto loop = scf::ForOp::create(rewriter, loc, zero, extents[d],
                                     blocked ? block : one);
      rewriter.setInsertionPointToStart(loop.getBody());
      Value iv = loop.getInductionVar();
      if (blocked)
        iv = arith::MinSIOp::create(
            rewriter, loc, iv,
            arith::SubIOp::create(rewriter, loc, extents[d], block));
      ivs.push_back(iv);
    }
    Value pad = arith::ConstantOp::create(rewriter, loc, elem,
                                          rewriter.getZeroAttr(elem));
    auto vecType = VectorType::get({kTransposeBlock, kTransposeBlock}, elem);
    SmallVector<bool> inBounds(2, true);
    // Input element [perm[0] ... ] of output element [d0 ...]: input dim i
    // is indexed by the loop that perm maps to it.
    SmallVector<Value> inIndices(rank);
    for (int64_t d = 0; d < rank; ++d)
      inIndices[perm[d]] = ivs[d];
    // Rows along the input dim loop `a` reads, columns along its last.
    AffineMap readMap = AffineMap::get(
        rank, 0,
        {getAffineDimExpr(perm[a], ctx), getAffineDimExpr(rank - 1, ctx)}, ctx);
    Value rows = vector::TransferReadOp::create(
        rewriter, loc, vecType, in, inIndices, pad, readMap, inBounds);
    auto transposed = vector::TransposeOp::create(rewriter, loc, rows,
                                                  ArrayRef<int64_t>{1, 0});
    AffineMap writeMap = AffineMap::get(
        rank, 0, {getAffineDimExpr(b, ctx), getAffineDimExpr(a, ctx)}, ctx);
    vector::TransferWriteOp::create(rewriter, loc, transposed, out, ivs,
                                    writeMap, inBounds);
    // Shuffles now: the generic lowering would extract and insert each of
    // the 256 elements.
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::Shuffle16x16);
    GreedyRewriteConfig greedy;
    greedy.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    return applyOpPatternsGreedily({transposed.getOperation()},
                                   std::move(patterns), greedy);
  }

  /// Elements of a register tile at most: it is unrolled into one vector
  /// operation per row and vector of columns, so a huge one only costs
  /// compile time (and spills).
  static constexpr int64_t kMaxRegisterTile = 4096;

  /// Rejects tile and vector sizes no lowering means: negative ones (tiling
  /// by them would compute a wrong result) and register tiles too large to
  /// unroll.
  static LogicalResult checkSizes(linalg::LinalgOp root,
                                  kernel::TuningConfigAttr config) {
    auto negative = [](ArrayRef<int64_t> sizes) {
      return llvm::any_of(sizes, [](int64_t s) { return s < 0; });
    };
    if (negative(config.getTileSizes()) || negative(config.getVectorSizes()))
      return root.emitError(
          "TuningConfig tile_sizes and vector_sizes must not be negative");
    uint64_t elements = 1;
    for (int64_t s : config.getVectorSizes())
      elements =
          llvm::SaturatingMultiply(elements, uint64_t(std::max<int64_t>(s, 1)));
    if (elements > uint64_t(kMaxRegisterTile))
      return root.emitError(
                 "TuningConfig vector_sizes make a register tile of ")
             << elements << " elements; at most " << kMaxRegisterTile;
    return success();
  }

  /// Whether the root's register tiles run row tiles outer, panels inner
  /// within each cache block: its TuningConfig's `loop_order`, which with
  /// `vector_sizes` is [] or [1, 0] (the default: for each packed panel of
  /// columns, every row tile) or [0, 1] (for each row tile, every panel),
  /// which only a kernel with cache blocks (its weights packed) takes; a
  /// matmul whose workgroup has fewer than kMinPackedRows rows runs unpacked,
  /// where the order changes nothing. Which is faster depends on the shape:
  /// alone, on 2 threads, rows outer ran BERT's 128 x 768 x 3072 matmul 1.07x
  /// faster (its 24 KiB row tile of A stays in L1 while the panels stream from
  /// L2) and its 128 x 3072 x 768 one 1.08x slower; it is a tuning knob, not a
  /// default. A depthwise conv's (or max pooling's) register tiles run a
  /// row's pixel tiles outer by default ([] or [0, 1]), its channel tiles
  /// outer with [1, 0] (see depthwiseRegisterTile).
  static FailureOr<bool> rowTilesOuter(linalg::LinalgOp root,
                                       kernel::TuningConfigAttr config) {
    ArrayRef<int64_t> order = config.getLoopOrder();
    if (cpu::hasPixelTile(root) && config.getVectorSizes().size() == 2) {
      if (order.empty() || order == ArrayRef<int64_t>{0, 1})
        return true;
      if (order == ArrayRef<int64_t>{1, 0})
        return false;
      return root.emitError("TuningConfig loop_order of a depthwise "
                            "convolution or max pooling orders its register "
                            "tiles: [] or [0, 1] (a row's pixel tiles outer) "
                            "or [1, 0] (channel tiles outer)");
    }
    if (config.getVectorSizes().empty() || order.empty() ||
        order == ArrayRef<int64_t>{1, 0})
      return false;
    if (order != ArrayRef<int64_t>{0, 1})
      return root.emitError("TuningConfig loop_order with vector_sizes orders "
                            "the register tiles of a cache block: [] or [1, "
                            "0] (column panels outer) or [0, 1] (row tiles "
                            "outer)");
    if (!cpu::packsWeights(root, config.getTileSizes(),
                           config.getVectorSizes()))
      return root.emitError(
          "TuningConfig loop_order [0, 1] (row tiles outer) needs the cache "
          "blocks of a matmul or convolution in tile_sizes");
    return true;
  }

  /// Tiles `op` by `sizes` and erases it (the tiled op replaces it); `what`
  /// names the sizes in the error.
  FailureOr<linalg::TiledLinalgOp>
  tileInPlace(IRRewriter &rewriter, linalg::LinalgOp op,
              ArrayRef<int64_t> sizes, StringRef what,
              ArrayRef<unsigned> interchange = {}) {
    linalg::LinalgTilingOptions options;
    options.setTileSizes(sizes);
    if (!interchange.empty())
      options.setInterchange(interchange);
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::TiledLinalgOp> tiled =
        linalg::tileLinalgOp(rewriter, op, options);
    if (failed(tiled))
      return op.emitError("cannot tile by the TuningConfig's ") << what;
    rewriter.eraseOp(op);
    return tiled;
  }

  /// Cache tiles (`tiles`, may be empty) then the register tile `vs` of a
  /// non-root op of a fused kernel, already narrowed to its workgroup chunk.
  LogicalResult tileAndVectorize(IRRewriter &rewriter, func::FuncOp fn,
                                 linalg::LinalgOp op, ArrayRef<int64_t> tiles,
                                 ArrayRef<int64_t> vs) {
    if (cpu::packsWeights(op, tiles, vs))
      return packAndRegisterTile(rewriter, fn, op, tiles, vs);
    if (!tiles.empty()) {
      FailureOr<linalg::TiledLinalgOp> tiled =
          tileInPlace(rewriter, op, tiles, "tile sizes");
      if (failed(tiled))
        return failure();
      op = tiled->op;
    }
    if (cpu::hasPixelTile(op))
      return depthwiseRegisterTile(rewriter, fn, op, vs);
    if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*op)) {
      FailureOr<linalg::LinalgOp> matmul = convAsMatmuls(rewriter, conv);
      if (failed(matmul))
        return failure();
      op = *matmul;
    }
    if (FailureOr<linalg::LinalgOp> matmul = batchAsMatmuls(rewriter, op, vs);
        succeeded(matmul))
      op = *matmul;
    return registerTile(rewriter, fn, op, vs);
  }

  /// `for iv = 0 to ub step step` at the insertion point, which moves into
  /// its body; returns iv and the size of its block, min(step, ub - iv),
  /// which peeling makes a constant in the full iterations.
  std::pair<Value, Value> blockLoop(IRRewriter &rewriter, Location loc,
                                    OpFoldResult ub, int64_t step,
                                    SmallVectorImpl<Operation *> &loops) {
    MLIRContext *ctx = rewriter.getContext();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value stepValue = arith::ConstantIndexOp::create(rewriter, loc, step);
    Value upper = getValueOrCreateConstantIndexOp(rewriter, loc, ub);
    auto loop = scf::ForOp::create(rewriter, loc, zero, upper, stepValue);
    loops.push_back(loop);
    rewriter.setInsertionPointToStart(loop.getBody());
    AffineExpr d0, s0;
    bindDims(ctx, d0);
    bindSymbols(ctx, s0);
    Value size = affine::AffineMinOp::create(
        rewriter, loc,
        AffineMap::get(1, 1, {getAffineConstantExpr(step, ctx), s0 - d0}, ctx),
        ValueRange{loop.getInductionVar(), upper});
    return {loop.getInductionVar(), size};
  }

  /// `for iv = 0 to ub step 1` at the insertion point, which moves into its
  /// body; returns iv.
  static Value plainLoop(IRRewriter &rewriter, Location loc, OpFoldResult ub) {
    auto loop = scf::ForOp::create(
        rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, 0),
        getValueOrCreateConstantIndexOp(rewriter, loc, ub),
        arith::ConstantIndexOp::create(rewriter, loc, 1));
    rewriter.setInsertionPointToStart(loop.getBody());
    return loop.getInductionVar();
  }

  /// A subview of `src` that keeps its last `keep` dims (the others have
  /// size 1 here).
  static Value reducedView(IRRewriter &rewriter, Location loc, Value src,
                           ArrayRef<OpFoldResult> offsets,
                           ArrayRef<OpFoldResult> sizes,
                           ArrayRef<OpFoldResult> steps, int64_t keep) {
    auto srcType = cast<MemRefType>(src.getType());
    // Constant values as attributes: the result type has their static sizes.
    auto fold = [](ArrayRef<OpFoldResult> list) {
      return llvm::map_to_vector(list, [](OpFoldResult r) -> OpFoldResult {
        if (auto v = dyn_cast<Value>(r))
          return getAsOpFoldResult(v);
        return r;
      });
    };
    SmallVector<OpFoldResult> o = fold(offsets), z = fold(sizes),
                              t = fold(steps);
    SmallVector<int64_t> shape;
    for (OpFoldResult size : ArrayRef(z).take_back(keep))
      shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
    auto type =
        memref::SubViewOp::inferRankReducedResultType(shape, srcType, o, z, t);
    return memref::SubViewOp::create(rewriter, loc, cast<MemRefType>(type), src,
                                     o, z, t);
  }

  /// The input rows that output row `oh` of image `n` reads through filter
  /// tap (kh, kw), channels c0 to c0+kb-1: an [OW x kb] view whose rows are
  /// `stride` pixels apart.
  static Value convRowView(IRRewriter &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                           Value n, Value oh, Value kh, Value kw,
                           OpFoldResult c0, OpFoldResult ow, OpFoldResult kb) {
    Location loc = conv.getLoc();
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>()),
        dilations(conv.getDilations().getValues<int64_t>());
    AffineExpr d0, d1;
    bindDims(rewriter.getContext(), d0, d1);
    Value row = affine::AffineApplyOp::create(
        rewriter, loc,
        AffineMap::get(2, 0, d0 * strides[0] + d1 * dilations[0]),
        ValueRange{oh, kh});
    Value col = affine::AffineApplyOp::create(
        rewriter, loc, AffineMap::get(1, 0, d0 * dilations[1]), ValueRange{kw});
    OpFoldResult unit = rewriter.getIndexAttr(1);
    return reducedView(rewriter, loc, conv.getDpsInputOperand(0)->get(),
                       {n, row, col, c0}, {unit, unit, ow, kb},
                       {unit, unit, rewriter.getIndexAttr(strides[1]), unit},
                       2);
  }

  /// The input that filter row `kh` reads for output row `oh` of image `n`:
  /// an [OW x KW*C] view whose rows start `stride` pixels apart (they
  /// overlap when KW > stride), at (n, oh*s + kh*d, 0, 0).
  static Value filterRowView(IRRewriter &rewriter,
                             linalg::Conv2DNhwcHwcfOp conv, Value n, Value oh,
                             Value kh, OpFoldResult ow, int64_t depth) {
    Location loc = conv.getLoc();
    Value in = conv.getDpsInputOperand(0)->get();
    auto inType = cast<MemRefType>(in.getType());
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>()),
        dilations(conv.getDilations().getValues<int64_t>());
    auto meta = memref::ExtractStridedMetadataOp::create(rewriter, loc, in);
    AffineExpr d0, d1, d2, s0, s1, s2;
    bindDims(rewriter.getContext(), d0, d1, d2);
    bindSymbols(rewriter.getContext(), s0, s1, s2);
    // offset + n * stride0 + (oh * s + kh * d) * stride1
    Value rowStart = affine::AffineApplyOp::create(
        rewriter, loc,
        AffineMap::get(
            3, 3, s0 + d0 * s1 + (d1 * strides[0] + d2 * dilations[0]) * s2,
            rewriter.getContext()),
        ValueRange{n, oh, kh, meta.getOffset(), meta.getStrides()[0],
                   meta.getStrides()[1]});
    int64_t pixel = inType.getDimSize(3);
    SmallVector<OpFoldResult> sizes = {ow, rewriter.getIndexAttr(depth)};
    SmallVector<OpFoldResult> steps = {
        rewriter.getIndexAttr(strides[1] * pixel), rewriter.getIndexAttr(1)};
    auto type = MemRefType::get(
        {getConstantIntValue(ow).value_or(ShapedType::kDynamic), depth},
        inType.getElementType(),
        StridedLayoutAttr::get(rewriter.getContext(), ShapedType::kDynamic,
                               {strides[1] * pixel, 1}));
    return memref::ReinterpretCastOp::create(
        rewriter, loc, type, meta.getBaseBuffer(), rowStart, sizes, steps);
  }

  /// The loop over the `w`-column panels of `nb` columns (see blockLoop):
  /// the first column, the panel's width and its index.
  std::tuple<Value, Value, Value>
  panelLoop(IRRewriter &rewriter, Location loc, Value nb, int64_t w,
            SmallVectorImpl<Operation *> &loops) {
    auto [j, wj] = blockLoop(rewriter, loc, nb, w, loops);
    Value panel = affine::AffineApplyOp::create(
        rewriter, loc,
        AffineMap::get(1, 0, rewriter.getAffineDimExpr(0).floorDiv(w)), j);
    return {j, wj, panel};
  }

  /// Copies `b` ([kb x nb], any strides) into `panels` ([nb/w][kb][w],
  /// contiguous): panel p holds columns p*w to p*w+w-1, row after row, so
  /// that a register tile streams its B operand through consecutive cache
  /// lines instead of rows a leading dimension apart.
  void packPanels(IRRewriter &rewriter, Location loc, Value b, Value panels,
                  Value kb, Value nb, int64_t w,
                  SmallVectorImpl<Operation *> &loops) {
    OpBuilder::InsertionGuard guard(rewriter);
    auto [j, wj, panel] = panelLoop(rewriter, loc, nb, w, loops);
    Value r = plainLoop(rewriter, loc, kb);
    OpFoldResult unit = rewriter.getIndexAttr(1);
    Value src = reducedView(rewriter, loc, b, {r, j}, {unit, wj}, {unit, unit},
                            /*keep=*/1);
    Value dst =
        reducedView(rewriter, loc, panels, {panel, r, rewriter.getIndexAttr(0)},
                    {unit, unit, wj}, {unit, unit, unit}, /*keep=*/1);
    auto copy = linalg::CopyOp::create(rewriter, loc, src, dst);
    copy->setAttr(kPackMarker, rewriter.getUnitAttr());
  }

  /// c ([mb x nb]) += a ([mb x kb]) x the packed panels of B: for each
  /// panel (a [kb x w] contiguous view), one matmul per `mr` rows, the
  /// register tile (the loops are peeled here, so that the full tiles have
  /// static sizes whatever mb is). `rowsOuter` swaps the two loops: for each
  /// `mr` rows of A, every panel (the TuningConfig's `loop_order = [0, 1]`).
  /// `tileOps`, when given, builds each register tile in place of the bare
  /// matmul: called with the tile's rows and columns in `c` (i, ri, j, wj),
  /// `c`'s tile and `matmul`, which builds the tile's matmul accumulating
  /// into the view it is given, at the insertion point.
  /// `taps`, when given, builds the loops over a batch-reduce tile's terms
  /// (a conv's taps) at the insertion point, inside each register tile,
  /// and returns the term's A and panels in place of `a` and `panels`: the
  /// tile accumulates every term's matmul.
  using TileOps =
      llvm::function_ref<void(Value i, Value ri, Value j, Value wj, Value cTile,
                              llvm::function_ref<void(Value acc)> matmul)>;
  using TapOperands = llvm::function_ref<std::pair<Value, Value>()>;
  void panelMatmuls(IRRewriter &rewriter, Location loc, Value a, Value panels,
                    Value c, Value kb, Value nb, int64_t w, int64_t mr,
                    bool rowsOuter, SmallVectorImpl<Operation *> &loops,
                    TileOps tileOps = nullptr, TapOperands taps = nullptr) {
    OpBuilder::InsertionGuard guard(rewriter);
    OpFoldResult unit = rewriter.getIndexAttr(1),
                 zero = rewriter.getIndexAttr(0);
    OpFoldResult mb = memref::getMixedSize(rewriter, loc, c, 0);
    Value i, ri, j, wj, panel;
    if (rowsOuter) {
      std::tie(i, ri) = blockLoop(rewriter, loc, mb, mr, loops);
      std::tie(j, wj, panel) = panelLoop(rewriter, loc, nb, w, loops);
    } else {
      std::tie(j, wj, panel) = panelLoop(rewriter, loc, nb, w, loops);
      std::tie(i, ri) = blockLoop(rewriter, loc, mb, mr, loops);
    }
    // The tile's operands: B's panel and A's rows (per tap with `taps`).
    auto operands = [&](Value a, Value panels) -> std::pair<Value, Value> {
      Value bv = reducedView(rewriter, loc, panels, {panel, zero, zero},
                             {unit, kb, wj}, {unit, unit, unit}, /*keep=*/2);
      Value av = reducedView(rewriter, loc, a, {i, zero}, {ri, kb},
                             {unit, unit}, /*keep=*/2);
      return {av, bv};
    };
    Value av, bv;
    if (!taps)
      std::tie(av, bv) = operands(a, panels);
    Value cv = reducedView(rewriter, loc, c, {i, j}, {ri, wj}, {unit, unit},
                           /*keep=*/2);
    auto matmul = [&](Value acc) {
      OpBuilder::InsertionGuard guard(rewriter);
      if (taps) {
        auto [tapA, tapPanels] = taps();
        std::tie(av, bv) = operands(tapA, tapPanels);
      }
      auto op =
          linalg::MatmulOp::create(rewriter, loc, ValueRange{av, bv}, acc);
      // The marker carries the register tile's rows (see
      // packAndRegisterTile).
      op->setAttr(kPackMarker, rewriter.getI64IntegerAttr(mr));
    };
    if (tileOps)
      tileOps(i, ri, j, wj, cv, matmul);
    else
      matmul(cv);
  }

  /// A matmul's B operand, or a convolution's filter, read from panels laid
  /// out at compile time (--anvil-pack-weights): the kernel argument viewed
  /// as its panels, [N/w][K][w] for a matmul's [K x N] B, [KH][F/w][KW*C][w]
  /// for a conv's [KH][KW][C][F] filter (each filter row's [KW*C x F] matrix
  /// in panels), and the argument's column (N or F) at which the operand
  /// starts.
  struct PrepackedB {
    Value panels;
    OpFoldResult column;
    /// The operand's first row (of K) in the panels: 0 but for a block.
    OpFoldResult row = {};

    /// The first panel and the number of panels of the operand's columns
    /// n0 .. n0+nb: nb and the operand's first column are multiples of w
    /// (N is, and so are nc and workgroup chunk starts).
    std::pair<Value, Value> panelRange(IRRewriter &rewriter, Location loc,
                                       Value n0, Value nb, int64_t w) const {
      AffineExpr d0, d1;
      bindDims(rewriter.getContext(), d0, d1);
      Value first = getValueOrCreateConstantIndexOp(rewriter, loc, column);
      Value panel = affine::AffineApplyOp::create(
          rewriter, loc, AffineMap::get(2, 0, (d0 + d1).floorDiv(w)),
          ValueRange{first, n0});
      Value count = affine::AffineApplyOp::create(
          rewriter, loc, AffineMap::get(1, 0, d0.ceilDiv(w)), nb);
      return {panel, count};
    }
  };

  /// `b`'s panels when it is (a chunk of whole columns of) a kernel argument
  /// marked kernel::kPackedPanelsAttrName; std::nullopt for any other B.
  /// Fails (with an error) for a marked argument read otherwise, or packed
  /// for another register tile than `w` columns: never read panels as rows.
  FailureOr<std::optional<PrepackedB>>
  prepackedB(IRRewriter &rewriter, func::FuncOp fn, Value b, int64_t w) {
    Value source = b;
    auto sub = b.getDefiningOp<memref::SubViewOp>();
    if (sub)
      source = sub.getSource();
    auto arg = dyn_cast<BlockArgument>(source);
    if (!arg || arg.getOwner() != &fn.front())
      return std::optional<PrepackedB>();
    auto width = fn.getArgAttrOfType<IntegerAttr>(
        arg.getArgNumber(), kernel::kPackedPanelsAttrName);
    if (!width)
      return std::optional<PrepackedB>();
    auto type = cast<MemRefType>(arg.getType());
    int64_t rank = type.getRank();
    OpFoldResult column = rewriter.getIndexAttr(0);
    bool whole = true;
    if (sub) {
      auto isConstant = [](OpFoldResult v, int64_t k) {
        std::optional<int64_t> c = getConstantIntValue(v);
        return c && *c == k;
      };
      SmallVector<OpFoldResult> offsets = sub.getMixedOffsets(),
                                sizes = sub.getMixedSizes(),
                                strides = sub.getMixedStrides();
      whole = (int64_t)offsets.size() == rank && type.hasStaticShape();
      for (int64_t d = 0; whole && d < rank; ++d)
        whole = isConstant(strides[d], 1) &&
                (d == rank - 1 || (isConstant(offsets[d], 0) &&
                                   isConstant(sizes[d], type.getDimSize(d))));
      if (whole)
        column = offsets[rank - 1];
    }
    // Taken, right or wrong: one error for it is enough.
    panelArguments.insert(arg.getArgNumber());
    // A matmul's weight whose last panel is padded is the first N columns
    // of [K x N'] panels' worth (rows N' apart, N' a multiple of w).
    int64_t columns = type.getRank() ? type.getDimSize(rank - 1) : 0;
    if (!type.getLayout().isIdentity()) {
      int64_t offset = 0;
      SmallVector<int64_t> strides;
      columns = 0;
      if (rank == 2 && succeeded(type.getStridesAndOffset(strides, offset)) &&
          offset == 0 && strides[1] == 1 && strides[0] >= type.getDimSize(1))
        columns = strides[0];
    }
    if (width.getInt() != w || !whole || (rank != 2 && rank != 4) ||
        !type.hasStaticShape() || columns <= 0 || columns % w != 0)
      return fn.emitError("kernel argument ")
             << arg.getArgNumber() << " holds " << width.getInt()
             << "-column panels, but the "
             << (rank == 4 ? "convolution" : "matmul") << " reading it packs "
             << w << "-column panels of whole columns";
    // [sets][N'/w][K][w], without the sets dim for a matmul.
    auto [sets, k, n] = cpu::panelMatrices(type.getShape());
    n = columns;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&fn.front());
    SmallVector<int64_t> shape = {sets, n / w, k, w},
                         strides = {n * k, k * w, w, 1};
    if (rank == 2) {
      shape.erase(shape.begin());
      strides.erase(strides.begin());
    }
    auto panelsType = MemRefType::get(shape, type.getElementType());
    SmallVector<OpFoldResult> shapeValues, strideValues;
    for (auto [size, stride] : llvm::zip(shape, strides)) {
      shapeValues.push_back(rewriter.getIndexAttr(size));
      strideValues.push_back(rewriter.getIndexAttr(stride));
    }
    Value panels = memref::ReinterpretCastOp::create(
        rewriter, fn.getLoc(), panelsType, arg, rewriter.getIndexAttr(0),
        shapeValues, strideValues);
    return std::optional<PrepackedB>(PrepackedB{panels, column});
  }

  /// A 64-byte aligned buffer of `type` on the stack, allocated at the
  /// kernel's entry (once per workgroup, whatever loops the caller is in).
  static Value entryAlloca(IRRewriter &rewriter, func::FuncOp fn,
                           MemRefType type) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&fn.getBody().front());
    return memref::AllocaOp::create(rewriter, fn.getLoc(), type,
                                    rewriter.getI64IntegerAttr(64));
  }

  /// The packed-panel buffer for blocks of at most `nc` x `kc` of B
  /// ([extentK x extentN], either may be dynamic), on the stack at the
  /// kernel's entry: at most nc*kc elements (256 KiB for f32 256 x 256).
  Value panelBuffer(IRRewriter &rewriter, func::FuncOp fn, Type element,
                    int64_t extentK, int64_t extentN, int64_t nc, int64_t kc,
                    int64_t w) {
    if (!ShapedType::isDynamic(extentN))
      nc = std::min<int64_t>(nc, llvm::divideCeilSigned(extentN, w) * w);
    if (!ShapedType::isDynamic(extentK))
      kc = std::min(kc, extentK);
    return entryAlloca(rewriter, fn, MemRefType::get({nc / w, kc, w}, element));
  }

  /// Cache blocking with packed weights, then register tiles:
  ///   for n0 (nc), for k0 (kc): pack B[k0.., n0..] into w-wide panels;
  ///     for m0 (mc), for each panel: C[m0.., panel] += A[m0.., k0..] x panel
  /// for a matmul, and for a channels-last convolution (F and C blocked):
  ///   for f0, for c0, for each tap: pack W[tap, c0.., f0..];
  ///     for n, oh, for each panel: out[n, oh, :, panel] += in-row x panel
  /// The panel of one register-tile column block stays in L1 while all the
  /// rows of the block stream past it. A conv of several taps whose weights
  /// are prepacked moves the taps inside the register tiles instead:
  ///   for f0, for c0, for n, oh, for each panel and tile:
  ///     tile += sum over taps of in-row(tap) x panel(tap)
  LogicalResult packAndRegisterTile(IRRewriter &rewriter, func::FuncOp fn,
                                    linalg::LinalgOp op,
                                    ArrayRef<int64_t> tiles,
                                    ArrayRef<int64_t> vs,
                                    const BlockFusion *fusion = nullptr,
                                    bool rowsOuter = false) {
    Location loc = op.getLoc();
    int64_t w = vs.size() == 3 ? vs[1] : 0;
    auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*op);
    bool valid = w > 0 && (int64_t)tiles.size() == op.getNumLoops();
    int64_t mc = 0, nc = 0, kc = 0;
    if (valid && conv) {
      nc = tiles[3];
      kc = tiles[6];
      for (int64_t d : {0, 1, 2, 4, 5})
        valid &= tiles[d] == 0;
    } else if (valid) {
      mc = tiles[0];
      nc = tiles[1];
      kc = tiles[2];
      valid &= mc > 0;
    }
    if (!valid || nc <= 0 || kc <= 0 || nc % w != 0)
      return op.emitError("TuningConfig tile_sizes with vector_sizes are "
                          "cache blocks: [mc, nc, kc] for a matmul, [0, 0, 0, "
                          "nc, 0, 0, kc] for a convolution, nc a multiple of "
                          "the register tile's columns");
    Value b = op.getDpsInputOperand(1)->get(),
          c = op.getDpsInitOperand(0)->get();
    SmallVector<Operation *> loops;
    OpFoldResult unit = rewriter.getIndexAttr(1),
                 zero = rewriter.getIndexAttr(0);
    auto dimOf = [&](Value v, int64_t d) {
      return memref::getMixedSize(rewriter, loc, v, d);
    };
    // for n0, for k0: pack (or find the prepacked panels of) B[k0.., n0..];
    // for m0: C[m0.., n0..] += A[m0.., k0..] x the panels, `mr` rows a tile.
    // `inBlock`: the target is one block already (a part of few rows, see
    // below): its block loops run once and are not peeled.
    auto matmulBlocks = [&](linalg::LinalgOp target,
                            std::optional<PrepackedB> pre, int64_t mr,
                            bool inBlock = false) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(target);
      Value a = target.getDpsInputOperand(0)->get(),
            b = target.getDpsInputOperand(1)->get(),
            c = target.getDpsInitOperand(0)->get();
      OpFoldResult m = dimOf(c, 0), n = dimOf(c, 1), k = dimOf(a, 1);
      Value panels;
      if (!pre) {
        auto bType = cast<MemRefType>(b.getType());
        panels =
            panelBuffer(rewriter, fn, bType.getElementType(),
                        bType.getDimSize(0), bType.getDimSize(1), nc, kc, w);
      }
      SmallVector<Operation *> once;
      auto [n0, nb] = blockLoop(rewriter, loc, n, nc, inBlock ? once : loops);
      auto [k0, kb] = blockLoop(rewriter, loc, k, kc, inBlock ? once : loops);
      if (pre) {
        auto [panel, count] = pre->panelRange(rewriter, loc, n0, nb, w);
        OpFoldResult firstRow = k0;
        AffineExpr d0, d1;
        bindDims(rewriter.getContext(), d0, d1);
        if (pre->row)
          firstRow = affine::makeComposedFoldedAffineApply(
              rewriter, loc, d0 + d1, {pre->row, k0});
        panels = memref::SubViewOp::create(
            rewriter, loc, pre->panels,
            SmallVector<OpFoldResult>{panel, firstRow, zero},
            SmallVector<OpFoldResult>{count, kb, rewriter.getIndexAttr(w)},
            SmallVector<OpFoldResult>{unit, unit, unit});
      } else {
        Value bv =
            reducedView(rewriter, loc, b, {k0, n0}, {kb, nb}, {unit, unit}, 2);
        packPanels(rewriter, loc, bv, panels, kb, nb, w, loops);
      }
      auto [m0, mb] = blockLoop(rewriter, loc, m, mc, loops);
      Value av =
          reducedView(rewriter, loc, a, {m0, k0}, {mb, kb}, {unit, unit}, 2);
      Value cv =
          reducedView(rewriter, loc, c, {m0, n0}, {mb, nb}, {unit, unit}, 2);
      panelMatmuls(rewriter, loc, av, panels, cv, kb, nb, w, mr, rowsOuter,
                   loops);
    };
    // A matmul of few rows (a classifier at batch 1) reads each weight once
    // or twice: packing would only add a copy of them. Unpacked register
    // tiles when the rows are few, statically or at run time (then one row
    // per tile). Prepacked weights are read as panels either way.
    std::optional<PrepackedB> pre;
    if (!conv) {
      FailureOr<std::optional<PrepackedB>> found =
          prepackedB(rewriter, fn, b, w);
      if (failed(found))
        return failure();
      pre = *found;
      int64_t rows = cast<MemRefType>(c.getType()).getDimSize(0);
      // The register tile of `r` rows of a matmul that reads B in place.
      auto rowTile = [&](int64_t r) -> SmallVector<int64_t> {
        return {r, r == 1 ? oneRowColumns(w) : w, vs[2]};
      };
      if (!ShapedType::isDynamic(rows) && rows < cpu::kMinPackedRows) {
        if (pre)
          return op.emitError("a matmul of ")
                 << rows << " rows reads prepacked weights";
        return registerTile(rewriter, fn, {op},
                            rows == 1 ? rowTile(1) : SmallVector<int64_t>(vs));
      }
      if (ShapedType::isDynamic(rows)) {
        rewriter.setInsertionPoint(op);
        Value m = memref::DimOp::create(rewriter, loc, c, 0);
        Value few = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::slt, m,
            arith::ConstantIndexOp::create(rewriter, loc, cpu::kMinPackedRows));
        auto choice = scf::IfOp::create(rewriter, loc, few,
                                        /*withElseRegion=*/true);
        rewriter.setInsertionPoint(choice.thenBlock()->getTerminator());
        // The rows in parts: whole tiles of the config's rows, then blocks
        // of 4, 2 and 1 row(s) for the rest, each part a loop over blocks of
        // a static row count, so that no part has a (scalar) edge. The parts
        // run block by block of B (nc x kc, as on the packed path): the
        // first part reads a block from memory, the others from the cache.
        // (One row per tile read B once per row: 15 rows of ResNet-50's
        // classifier ran 6x slower than 16, 3.2 vs 0.50 ms; the parts one
        // after the other over all of B, 1.8x slower than 16 rows.)
        SmallVector<std::pair<linalg::LinalgOp, int64_t>> rowParts;
        SmallVector<int64_t> parts = {vs[0]};
        for (int64_t p : {4, 2, 1})
          if (p < vs[0])
            parts.push_back(p);
        AffineExpr d0, d1;
        bindDims(rewriter.getContext(), d0, d1);
        OpFoldResult unit = rewriter.getIndexAttr(1),
                     zero = rewriter.getIndexAttr(0);
        Value a = op.getDpsInputOperand(0)->get();
        // The reduction's blocks are peeled so that each has a static depth
        // (which keeps the accumulators in registers): with the prepacked
        // panels at the end (the parts' panel matmuls are tiled then), else
        // before the parts are register-tiled. The column blocks are not:
        // register tiles and panel matmuls handle a dynamic column count,
        // and a peeled copy of every part doubled the compile time of
        // BERT-base.
        SmallVector<Operation *> blockLoops, unpeeled;
        auto [n0, nb] =
            blockLoop(rewriter, loc, memref::getMixedSize(rewriter, loc, c, 1),
                      nc, unpeeled);
        auto [k0, kb] =
            blockLoop(rewriter, loc, memref::getMixedSize(rewriter, loc, a, 1),
                      kc, pre ? loops : blockLoops);
        Value aBlock = memref::SubViewOp::create(
                  rewriter, loc, a, SmallVector<OpFoldResult>{zero, k0},
                  SmallVector<OpFoldResult>{m, kb},
                  SmallVector<OpFoldResult>{unit, unit}),
              cBlock = memref::SubViewOp::create(
                  rewriter, loc, c, SmallVector<OpFoldResult>{zero, n0},
                  SmallVector<OpFoldResult>{m, nb},
                  SmallVector<OpFoldResult>{unit, unit}),
              bBlock = b;
        if (!pre)
          bBlock = memref::SubViewOp::create(
              rewriter, loc, b, SmallVector<OpFoldResult>{k0, n0},
              SmallVector<OpFoldResult>{kb, nb},
              SmallVector<OpFoldResult>{unit, unit});
        Value start = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value left = m;
        for (int64_t p : parts) {
          Value size = affine::AffineApplyOp::create(
              rewriter, loc, AffineMap::get(1, 0, d0.floorDiv(p) * p), left);
          Value end = arith::AddIOp::create(rewriter, loc, start, size);
          // Blocks of p rows (a static shape: whole register tiles).
          OpBuilder::InsertionGuard guard(rewriter);
          auto blocks = scf::ForOp::create(
              rewriter, loc, start, end,
              arith::ConstantIndexOp::create(rewriter, loc, p));
          rewriter.setInsertionPointToStart(blocks.getBody());
          Value r0 = blocks.getInductionVar();
          auto rowsOf = [&](Value v) -> Value {
            return memref::SubViewOp::create(
                rewriter, loc, v, SmallVector<OpFoldResult>{r0, zero},
                SmallVector<OpFoldResult>{
                    rewriter.getIndexAttr(p),
                    memref::getMixedSize(rewriter, loc, v, 1)},
                SmallVector<OpFoldResult>{unit, unit});
          };
          Value aPart = rowsOf(aBlock), cPart = rowsOf(cBlock);
          auto part = cast<linalg::LinalgOp>(rewriter.clone(*op));
          part.getDpsInputOperand(0)->set(aPart);
          part.getDpsInputOperand(1)->set(bBlock);
          part.getDpsInitOperand(0)->set(cPart);
          if (pre)
            rowParts.push_back({part, p});
          else
            part->setAttr(kRowPartMarker, rewriter.getI64IntegerAttr(p));
          rewriter.setInsertionPointAfter(blocks);
          left = arith::SubIOp::create(rewriter, loc, left, size);
          start = end;
        }
        rewriter.moveOpBefore(op, choice.elseBlock()->getTerminator());
        for (auto [part, p] : rowParts) {
          // The block's panels: the parts' own block loops run once.
          rewriter.setInsertionPoint(part);
          PrepackedB block = *pre;
          block.column = affine::makeComposedFoldedAffineApply(
              rewriter, loc, d0 + d1, {pre->column, n0});
          block.row = k0;
          matmulBlocks(part, block, p, /*inBlock=*/true);
          rewriter.eraseOp(part);
        }
        if (!pre) {
          // Tiled once peeled (which copies the parts of the edge blocks),
          // part by part: registerTile simplifies the function.
          peelEdges(rewriter, blockLoops);
          if (failed(canonicalize(fn)))
            return fn.emitError("cannot simplify the few-row blocks");
          for (auto &[p, group] :
               takeMarked<linalg::LinalgOp>(fn, kRowPartMarker))
            if (failed(registerTile(rewriter, fn, group, rowTile(p))))
              return failure();
        }
      }
    }
    if (!conv) {
      matmulBlocks(op, pre, vs[0]);
    } else {
      auto bType = cast<MemRefType>(b.getType());
      bool mergeTaps = cpu::mergesTaps(conv, kc);
      int64_t packedK = mergeTaps ? bType.getDimSize(1) * bType.getDimSize(2)
                                  : bType.getDimSize(2);
      FailureOr<std::optional<PrepackedB>> found =
          prepackedB(rewriter, fn, b, w);
      if (failed(found))
        return failure();
      std::optional<PrepackedB> pre = *found;
      Value panels;
      if (!pre)
        panels = panelBuffer(rewriter, fn, bType.getElementType(), packedK,
                             bType.getDimSize(3), nc, kc, w);
      rewriter.setInsertionPoint(op);
      auto wType = bType;
      if (wType.isDynamicDim(0) || wType.isDynamicDim(1))
        return conv.emitError("vector_sizes need a static filter window");
      auto loopOver = [&](OpFoldResult ub) {
        return plainLoop(rewriter, loc, ub);
      };
      OpFoldResult batch = dimOf(c, 0), oh = dimOf(c, 1), ow = dimOf(c, 2),
                   f = dimOf(c, 3), ch = dimOf(b, 2);
      auto [f0, nb] = blockLoop(rewriter, loc, f, nc, loops);
      Value c0, kb;
      if (mergeTaps) {
        c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
        kb = arith::ConstantIndexOp::create(rewriter, loc, packedK);
      } else {
        std::tie(c0, kb) = blockLoop(rewriter, loc, ch, kc, loops);
      }
      // Every tap accumulates into the whole output block (when the taps
      // are outside the register tiles, below): blocks of output rows small
      // enough to stay in L2 across the taps (a 112 x 112 x 64 output
      // streamed once per tap of a 7 x 7 filter is memory-bound). Convs
      // with the taps inside keep the blocks: without them ResNet-50's stem
      // ran 1.01-1.04x slower (batch 1 and 8, three runs).
      // A workgroup's chunk of channels has a symbolic size: at most nc of
      // them are a block.
      auto cType = cast<MemRefType>(c.getType());
      int64_t channels =
          cType.isDynamicDim(3) ? nc : std::min(nc, cType.getDimSize(3));
      int64_t rowBytes = cType.isDynamicDim(2)
                             ? 0
                             : cType.getDimSize(2) * channels *
                                   int64_t(cType.getElementTypeBitWidth() / 8);
      int64_t blockRows =
          rowBytes > 0 ? std::max<int64_t>(1, kOutputBlockBytes / rowBytes)
                       : ShapedType::kDynamic;
      // A filter of several taps (or filter rows) with prepacked weights,
      // every tap's panels in memory at once: the taps' loops run inside
      // each register tile, whose accumulators stay in registers across
      // all of them (a batch-reduce tile, acc += sum over taps of A_tap x
      // B_tap). Until 2026-12 each tap made a pass over the output block,
      // loading and storing every tile's accumulators: ResNet-50's 7x7
      // stem made 7 passes of 21 products each, and ran 1.3x slower. The
      // images go one after another, each through its row blocks (a row
      // block of every image at once outgrew L2 at batch 8 when the taps
      // were outside). Panels packed here (weights that are not constant)
      // keep the taps outside: packed once a tap for all images, each tap
      // accumulating into a row block small enough to stay in L2. A 1x1
      // filter keeps the batch loop inside (moving it gained nothing).
      bool revisits =
          wType.getDimSize(0) > 1 || (!mergeTaps && wType.getDimSize(1) > 1);
      bool tapsInTile = pre && revisits;
      Value iN;
      if (tapsInTile)
        iN = loopOver(batch);
      Value rowBase, rows;
      if (!ShapedType::isDynamic(blockRows) &&
          (cType.isDynamicDim(1) || blockRows < cType.getDimSize(1))) {
        SmallVector<Operation *> unpeeled; // peeling would copy the body
        std::tie(rowBase, rows) =
            blockLoop(rewriter, loc, oh, blockRows, unpeeled);
      }
      Value kh, kw;
      auto tapLoops = [&] {
        kh = loopOver(rewriter.getIndexAttr(wType.getDimSize(0)));
        if (!mergeTaps)
          kw = loopOver(rewriter.getIndexAttr(wType.getDimSize(1)));
      };
      Value firstPanel, panelCount;
      if (pre)
        std::tie(firstPanel, panelCount) =
            pre->panelRange(rewriter, loc, f0, nb, w);
      // The tap's (or the filter row's) panels, packed here unless
      // prepacked.
      auto tapPanels = [&]() -> Value {
        if (pre) {
          // The tap's (or the filter row's) rows c0 .. c0+kb of the panels
          // of f0 .. f0+nb: [KH][F/w][KW*C][w] holds tap (kh, kw) at rows
          // kw*C onwards of filter row kh's panels.
          AffineExpr d0, d1;
          bindDims(rewriter.getContext(), d0, d1);
          Value row =
              mergeTaps
                  ? c0
                  : affine::AffineApplyOp::create(
                        rewriter, loc,
                        AffineMap::get(2, 0, d0 * wType.getDimSize(2) + d1),
                        ValueRange{kw, c0})
                        .getResult();
          return reducedView(rewriter, loc, pre->panels,
                             {kh, firstPanel, row, zero},
                             {unit, panelCount, kb, rewriter.getIndexAttr(w)},
                             {unit, unit, unit, unit}, 3);
        }
        Value wv;
        if (mergeTaps) {
          // The filter row's [KW, C, nb] weights as one [KW*C x nb] matrix.
          Value row =
              reducedView(rewriter, loc, b, {kh, zero, zero, f0},
                          {unit, rewriter.getIndexAttr(wType.getDimSize(1)),
                           rewriter.getIndexAttr(wType.getDimSize(2)), nb},
                          {unit, unit, unit, unit}, 3);
          wv = memref::CollapseShapeOp::create(
              rewriter, loc, row,
              SmallVector<ReassociationIndices>{{0, 1}, {2}});
        } else {
          wv = reducedView(rewriter, loc, b, {kh, kw, c0, f0},
                           {unit, unit, kb, nb}, {unit, unit, unit, unit}, 2);
        }
        packPanels(rewriter, loc, wv, panels, kb, nb, w, loops);
        return panels;
      };
      if (!tapsInTile) {
        tapLoops();
        panels = tapPanels();
      }
      if (!iN)
        iN = loopOver(batch);
      Value iOh = loopOver(rows ? OpFoldResult(rows) : oh);
      if (rowBase)
        iOh = arith::AddIOp::create(rewriter, loc, rowBase, iOh);
      auto rowView = [&] {
        return mergeTaps
                   ? filterRowView(rewriter, conv, iN, iOh, kh, ow, packedK)
                   : convRowView(rewriter, conv, iN, iOh, kh, kw, c0, ow, kb);
      };
      Value av;
      if (!tapsInTile)
        av = rowView();
      Value cv = reducedView(rewriter, loc, c, {iN, iOh, zero, f0},
                             {unit, unit, ow, nb}, {unit, unit, unit, unit}, 2);
      // Inside a register tile: the loops over the taps, and the tap's A
      // (its input row) and panels.
      auto tapOperands = [&]() -> std::pair<Value, Value> {
        tapLoops();
        Value tapPanelsView = tapPanels();
        return {rowView(), tapPanelsView};
      };
      TapOperands taps = nullptr;
      if (tapsInTile)
        taps = tapOperands;
      // A single pass over each output block (one channel block, or one
      // merged filter row; one tap, or every tap in the register tile): the
      // fused ops run on each register tile,
      // its init before its matmul and the ops after it once it is final,
      // while the tile is in registers. When no later kernel reads the
      // convolution's output, the tile lives in a scratch block on the
      // stack, which LLVM keeps in registers, and the output buffer is
      // never written. (Until 2026-12 the fused ops ran on the whole output
      // block, pixel by pixel, before and after its matmuls: the block was
      // written by the init, read and written by the matmuls, and read
      // again by the epilogue.)
      std::optional<int64_t> channelCount = getConstantIntValue(ch);
      bool onePass = (!revisits || tapsInTile) &&
                     (mergeTaps || (channelCount && *channelCount <= kc));
      if (!fusion || fusion->empty()) {
        panelMatmuls(rewriter, loc, av, panels, cv, kb, nb, w, vs[0], rowsOuter,
                     loops, nullptr, taps);
      } else if (onePass) {
        Value tileScratch;
        if (fusion->scratchOutput(conv))
          tileScratch = entryAlloca(
              rewriter, fn,
              MemRefType::get({1, 1, vs[0], w}, cType.getElementType()));
        auto tileOps = [&](Value i, Value ri, Value j, Value wj, Value cTile,
                           llvm::function_ref<void(Value)> matmul) {
          AffineExpr d0, d1;
          bindDims(rewriter.getContext(), d0, d1);
          Value channel = affine::AffineApplyOp::create(
              rewriter, loc, AffineMap::get(2, 0, d0 + d1),
              ValueRange{getValueOrCreateConstantIndexOp(rewriter, loc, f0),
                         j});
          SmallVector<OpFoldResult> offsets = {iN, iOh, i, channel},
                                    sizes = {unit, unit, ri, wj};
          fusion->toWholeBuffer(rewriter, loc, offsets);
          Value block;
          if (tileScratch) {
            block = memref::SubViewOp::create(
                rewriter, loc, tileScratch, SmallVector<OpFoldResult>(4, zero),
                sizes, SmallVector<OpFoldResult>(4, unit));
            cTile = reducedView(rewriter, loc, tileScratch,
                                {zero, zero, zero, zero}, {unit, unit, ri, wj},
                                {unit, unit, unit, unit}, 2);
          }
          for (linalg::LinalgOp member : fusion->before)
            cloneOnBlock(rewriter, loc, member, offsets, sizes, fusion->output,
                         block);
          matmul(cTile);
          for (linalg::LinalgOp member : fusion->after)
            cloneOnBlock(rewriter, loc, member, offsets, sizes, fusion->output,
                         block);
        };
        panelMatmuls(rewriter, loc, av, panels, cv, kb, nb, w, vs[0], rowsOuter,
                     loops, tileOps, taps);
        fusion->eraseMembers(rewriter);
      } else {
        // The block [n, oh, :, f0 .. f0+nb) in whole-buffer indices; it is
        // first reached at the first channel block and tap, and final
        // after the last.
        SmallVector<OpFoldResult> offsets = {iN, iOh, zero, f0},
                                  sizes = {unit, unit, ow, nb};
        fusion->toWholeBuffer(rewriter, loc, offsets);
        auto is = [&](Value v, int64_t k) -> Value {
          return arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq, v,
              arith::ConstantIndexOp::create(rewriter, loc, k));
        };
        auto both = [&](Value a, Value b) -> Value {
          return arith::AndIOp::create(rewriter, loc, a, b);
        };
        // The taps' loops, when inside the register tiles, have all run.
        Value first = arith::ConstantIntOp::create(rewriter, loc, 1, 1),
              last = first;
        if (!tapsInTile) {
          first = is(kh, 0);
          last = is(kh, wType.getDimSize(0) - 1);
          if (kw) {
            first = both(first, is(kw, 0));
            last = both(last, is(kw, wType.getDimSize(1) - 1));
          }
        }
        if (!mergeTaps) {
          first = both(first, is(c0, 0));
          Value end = arith::AddIOp::create(rewriter, loc, c0, kb);
          last = both(last,
                      arith::CmpIOp::create(
                          rewriter, loc, arith::CmpIPredicate::sge, end,
                          getValueOrCreateConstantIndexOp(rewriter, loc, ch)));
        }
        auto guarded = [&](Value cond, ArrayRef<linalg::LinalgOp> members) {
          if (members.empty())
            return;
          OpBuilder::InsertionGuard guard(rewriter);
          auto branch = scf::IfOp::create(rewriter, loc, cond,
                                          /*withElseRegion=*/false);
          rewriter.setInsertionPoint(branch.thenBlock()->getTerminator());
          // Pixel by pixel: each a vector of the block's channels once
          // they are static (left to LLVM, the loop over a row's pixels
          // was vectorized across pixels, with gathers and scatters).
          Value pixel = plainLoop(rewriter, loc, ow);
          SmallVector<OpFoldResult> at(offsets), one(sizes);
          at[2] =
              arith::AddIOp::create(
                  rewriter, loc,
                  getValueOrCreateConstantIndexOp(rewriter, loc, at[2]), pixel)
                  .getResult();
          one[2] = unit;
          for (linalg::LinalgOp member : members)
            cloneOnBlock(rewriter, loc, member, at, one);
        };
        guarded(first, fusion->before);
        panelMatmuls(rewriter, loc, av, panels, cv, kb, nb, w, vs[0], rowsOuter,
                     loops, nullptr, taps);
        guarded(last, fusion->after);
        fusion->eraseMembers(rewriter);
      }
    }
    rewriter.eraseOp(op);
    peelEdges(rewriter, loops);
    if (failed(canonicalize(fn)))
      return fn.emitError("cannot simplify the packed blocks");
    // Register tiles of the rows each panel matmul was made for.
    std::map<int64_t, SmallVector<linalg::LinalgOp>> matmuls =
        takeMarked<linalg::MatmulOp>(fn, kPackMarker);
    if (failed(vectorizeMarked(rewriter, fn)))
      return failure();
    for (auto &[rows, group] : matmuls) {
      SmallVector<int64_t> sizes = conv ? SmallVector<int64_t>(vs)
                                        : SmallVector<int64_t>{rows, w, vs[2]};
      if (failed(registerTile(rewriter, fn, group, sizes)))
        return failure();
    }
    return success();
  }

  /// Vectorizes the ops marked kPackMarker (packing copies, fused ops' blocks,
  /// see BlockFusion) whose shapes are static: full and edge blocks alike once
  /// peeled. The others (dynamic edges) stay loops.
  LogicalResult vectorizeMarked(IRRewriter &rewriter, func::FuncOp fn) {
    SmallVector<linalg::LinalgOp> marked;
    fn.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kPackMarker) && !isa<linalg::MatmulOp>(*op))
        marked.push_back(op);
    });
    for (linalg::LinalgOp op : marked) {
      op->removeAttr(kPackMarker);
      if (!llvm::all_of(op->getOperands(), [](Value v) {
            auto type = dyn_cast<MemRefType>(v.getType());
            return !type || type.hasStaticShape();
          }))
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op)))
        return op.emitError("cannot vectorize a packing copy or fused block");
      rewriter.eraseOp(op);
    }
    return success();
  }

  /// out[n, oh, :, :] += in[n, oh*s + kh*d, kw*d :: s, :] x w[kh, kw, :, :]
  /// for every n, oh, kh, kw: loops around one [OW x C] x [C x F] matmul on
  /// views (the input view's rows are `s` pixels apart).
  FailureOr<linalg::LinalgOp> convAsMatmuls(IRRewriter &rewriter,
                                            linalg::Conv2DNhwcHwcfOp conv) {
    Location loc = conv.getLoc();
    Value w = conv.getDpsInputOperand(1)->get(),
          out = conv.getDpsInitOperand(0)->get();
    auto wType = cast<MemRefType>(w.getType());
    if (wType.isDynamicDim(0) || wType.isDynamicDim(1))
      return conv.emitError("vector_sizes need a static filter window");
    rewriter.setInsertionPoint(conv);
    auto dimOf = [&](Value v, int64_t d) -> OpFoldResult {
      return memref::getMixedSize(rewriter, loc, v, d);
    };
    auto loopOver = [&](OpFoldResult ub) {
      return plainLoop(rewriter, loc, ub);
    };
    OpFoldResult n = dimOf(out, 0), oh = dimOf(out, 1), ow = dimOf(out, 2),
                 f = dimOf(out, 3), c = dimOf(w, 2);
    Value iN = loopOver(n), iOh = loopOver(oh);
    Value iKh = loopOver(rewriter.getIndexAttr(wType.getDimSize(0)));
    Value iKw = loopOver(rewriter.getIndexAttr(wType.getDimSize(1)));
    OpFoldResult unit = rewriter.getIndexAttr(1),
                 zeroAttr = rewriter.getIndexAttr(0);
    auto view = [&](Value src, ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes,
                    ArrayRef<OpFoldResult> steps) -> Value {
      return reducedView(rewriter, loc, src, offsets, sizes, steps, 2);
    };
    Value a = convRowView(rewriter, conv, iN, iOh, iKh, iKw, zeroAttr, ow, c);
    Value b = view(w, {iKh, iKw, zeroAttr, zeroAttr}, {unit, unit, c, f},
                   {unit, unit, unit, unit});
    Value acc = view(out, {iN, iOh, zeroAttr, zeroAttr}, {unit, unit, ow, f},
                     {unit, unit, unit, unit});
    auto matmul = linalg::MatmulOp::create(rewriter, loc, ValueRange{a, b},
                                           ValueRange{acc});
    rewriter.eraseOp(conv);
    return cast<linalg::LinalgOp>(matmul.getOperation());
  }

  /// A batched matmul with a matmul's register tile (`vs` = [rows, columns,
  /// 1]) as loops over its batch and one `linalg.matmul` per batch element on
  /// [M x K], [K x N] and [M x N] views; fails, changing nothing, for any
  /// other op or register tile.
  FailureOr<linalg::LinalgOp> batchAsMatmuls(IRRewriter &rewriter,
                                             linalg::LinalgOp op,
                                             ArrayRef<int64_t> vs) {
    std::optional<cpu::BatchMatmulDims> dims = cpu::batchMatmulDims(op);
    if (!dims || vs.size() != 3)
      return failure();
    Value a = op.getDpsInputOperand(0)->get(),
          b = op.getDpsInputOperand(1)->get(),
          c = op.getDpsInitOperand(0)->get();
    Type element = cast<MemRefType>(c.getType()).getElementType();
    if (llvm::any_of(ValueRange{a, b}, [&](Value v) {
          return cast<MemRefType>(v.getType()).getElementType() != element;
        }))
      return failure();
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<OpFoldResult> index;
    for (size_t i = 0; i < dims->batch.size(); ++i)
      index.push_back(
          plainLoop(rewriter, loc, memref::getMixedSize(rewriter, loc, c, i)));
    OpFoldResult unit = rewriter.getIndexAttr(1),
                 zero = rewriter.getIndexAttr(0);
    auto matrix = [&](Value src) {
      int64_t rank = cast<MemRefType>(src.getType()).getRank();
      SmallVector<OpFoldResult> offsets(index), sizes(index.size(), unit),
          steps(rank, unit);
      offsets.append({zero, zero});
      sizes.push_back(memref::getMixedSize(rewriter, loc, src, rank - 2));
      sizes.push_back(memref::getMixedSize(rewriter, loc, src, rank - 1));
      return reducedView(rewriter, loc, src, offsets, sizes, steps, 2);
    };
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc, ValueRange{matrix(a), matrix(b)}, ValueRange{matrix(c)});
    rewriter.eraseOp(op);
    return cast<linalg::LinalgOp>(matmul.getOperation());
  }

  /// Depthwise channels-last convolution, or channels-last max pooling, in
  /// tiles of `sizes` = [pixels, channels] of one output row: each tile
  /// keeps one accumulator vector per pixel in registers across the filter
  /// window (per tap: one filter load, then a load and an FMA per pixel; for
  /// pooling a load and a max per pixel); the edge tiles are smaller (scalar
  /// only when their sizes are not static). Left to LLVM, pooling's loops
  /// were unrolled over the window and channels as scalar maxima with NaN
  /// checks: resnet_mini's max pool took a fifth of its run at batch 8.
  LogicalResult depthwiseRegisterTile(IRRewriter &rewriter, func::FuncOp fn,
                                      linalg::LinalgOp conv,
                                      ArrayRef<int64_t> sizes,
                                      const BlockFusion *fusion = nullptr,
                                      bool channelsOuter = false) {
    bool pooling = isa<linalg::PoolingNhwcMaxOp>(*conv);
    if (sizes.size() != 2)
      return conv.emitError("vector_sizes of a ")
             << (pooling ? "max pooling" : "depthwise convolution")
             << " are [pixels, channels]";
    int64_t rows = sizes[0], width = sizes[1];
    bool scratchOutput = fusion && fusion->scratchOutput(conv);
    // The tile loops, outer to inner: image, output row, pixel tile, channel
    // tile; with `channelsOuter` (loop_order [1, 0]) image, channel tile,
    // output row, pixel tile, so that the input rows of one channel tile
    // stay in L1 from one output row to the next. Which is faster depends
    // on the shape: MobileNetV2's 112x112 and 56x56 depthwise convs ran
    // 0.92-0.97x in the model with the channel tiles outer, its 14x14 ones
    // 1.2-1.56x (their reads 64 bytes every 1.5 KB); a tuning knob.
    SmallVector<unsigned> order = {0, 1, 2, 3};
    if (channelsOuter)
      order = {0, 3, 1, 2};
    FailureOr<linalg::TiledLinalgOp> tiled = tileInPlace(
        rewriter, conv, {1, 1, rows, width, 0, 0}, "vector sizes", order);
    if (failed(tiled))
      return failure();
    tiled->op->setAttr(kTileMarker, rewriter.getUnitAttr());
    // The fused ops on each register tile: their copies, vectors once the
    // edges are peeled, write and read what the tile loads and stores.
    // When the init and the epilogue are both fused and no later kernel
    // reads the convolution's output, each tile's output lives in a scratch
    // block on the stack instead, which LLVM keeps in registers: the output
    // buffer is never written (MobileNetV2's depthwise convs wrote their
    // bias, then their sums, to it, and read them back for relu6).
    if (fusion && !fusion->empty() && tiled->loops.size() == 4) {
      Location loc = conv.getLoc();
      Value output = tiled->op.getDpsInitOperand(0)->get();
      Type element = cast<MemRefType>(output.getType()).getElementType();
      rewriter.setInsertionPoint(tiled->op);
      SmallVector<OpFoldResult> offsets,
          extents = memref::getMixedSizes(rewriter, loc, output);
      offsets.resize(4);
      for (auto [loop, dim] : llvm::zip(tiled->loops, order))
        offsets[dim] = cast<scf::ForOp>(loop).getInductionVar();
      fusion->toWholeBuffer(rewriter, loc, offsets);
      Value block;
      if (scratchOutput) {
        Value scratch = entryAlloca(
            rewriter, fn, MemRefType::get({1, 1, rows, width}, element));
        OpFoldResult zero = rewriter.getIndexAttr(0),
                     one = rewriter.getIndexAttr(1);
        block = memref::SubViewOp::create(
            rewriter, loc, scratch, SmallVector<OpFoldResult>(4, zero), extents,
            SmallVector<OpFoldResult>(4, one));
        tiled->op.getDpsInitOperand(0)->set(block);
      }
      for (linalg::LinalgOp member : fusion->before)
        cloneOnBlock(rewriter, loc, member, offsets, extents, fusion->output,
                     block);
      rewriter.setInsertionPointAfter(tiled->op);
      for (linalg::LinalgOp member : fusion->after)
        cloneOnBlock(rewriter, loc, member, offsets, extents, fusion->output,
                     block);
      fusion->eraseMembers(rewriter);
    }
    peelEdges(rewriter, tiled->loops);
    if (failed(canonicalize(fn)))
      return fn.emitError("cannot simplify the register tiles");
    if (failed(vectorizeMarked(rewriter, fn)))
      return failure();
    // The full tiles and the edge tiles alike, once their shapes are static.
    SmallVector<linalg::LinalgOp> tiles;
    fn.walk([&](linalg::LinalgOp op) {
      if (!cpu::hasPixelTile(op))
        return;
      auto out = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
      auto w = cast<MemRefType>(op.getDpsInputOperand(1)->get().getType());
      if (!op->hasAttr(kTileMarker))
        return;
      op->removeAttr(kTileMarker);
      if (out.hasStaticShape() && w.hasStaticShape() &&
          out.getDimSize(2) <= rows && out.getDimSize(3) <= width)
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      Value in = op.getDpsInputOperand(0)->get(),
            w = op.getDpsInputOperand(1)->get(),
            out = op.getDpsInitOperand(0)->get();
      auto wType = cast<MemRefType>(w.getType());
      auto outType = cast<MemRefType>(out.getType());
      int64_t pixels = outType.getDimSize(2);
      auto attribute = [&](StringRef name) {
        return SmallVector<int64_t>(
            op->getAttrOfType<DenseIntElementsAttr>(name).getValues<int64_t>());
      };
      SmallVector<int64_t> strides = attribute("strides"),
                           dilations = attribute("dilations");
      auto index = [&](OpBuilder &b, int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v).getResult();
      };
      auto vt =
          VectorType::get({outType.getDimSize(3)}, wType.getElementType());
      Value c0 = index(rewriter, 0), c1 = index(rewriter, 1);
      SmallVector<Value> acc;
      for (int64_t r = 0; r < pixels; ++r)
        acc.push_back(vector::LoadOp::create(rewriter, loc, vt, out,
                                             {c0, c0, index(rewriter, r), c0},
                                             false, IntegerAttr()));
      auto khLoop = scf::ForOp::create(
          rewriter, loc, c0, index(rewriter, wType.getDimSize(0)), c1, acc,
          [&](OpBuilder &b1, Location l1, Value kh, ValueRange accKh) {
            auto kwLoop = scf::ForOp::create(
                b1, l1, c0, index(b1, wType.getDimSize(1)), c1, accKh,
                [&](OpBuilder &b, Location l, Value kw, ValueRange a) {
                  Value wv;
                  if (!pooling)
                    wv = vector::LoadOp::create(b, l, vt, w, {kh, kw, c0},
                                                false, IntegerAttr());
                  Value row =
                      arith::MulIOp::create(b, l, kh, index(b, dilations[0]));
                  Value kwOff =
                      arith::MulIOp::create(b, l, kw, index(b, dilations[1]));
                  SmallVector<Value> next;
                  for (int64_t r = 0; r < pixels; ++r) {
                    Value col = arith::AddIOp::create(b, l, kwOff,
                                                      index(b, r * strides[1]));
                    Value iv = vector::LoadOp::create(
                        b, l, vt, in, {c0, row, col, c0}, false, IntegerAttr());
                    next.push_back(
                        pooling ? arith::MaximumFOp::create(b, l, a[r], iv)
                                      .getResult()
                                : vector::FMAOp::create(b, l, iv, wv, a[r])
                                      .getResult());
                  }
                  scf::YieldOp::create(b, l, next);
                });
            scf::YieldOp::create(b1, l1, kwLoop.getResults());
          });
      for (int64_t r = 0; r < pixels; ++r)
        vector::StoreOp::create(rewriter, loc, khLoop.getResult(r), out,
                                {c0, c0, index(rewriter, r), c0}, false,
                                IntegerAttr());
      rewriter.eraseOp(op);
    }
    return success();
  }

  /// Peels the partial last iteration off each tile loop of `loops`
  /// (outermost first), in the main loops and in the peeled edges alike, so
  /// that every tile has a size known when the extents are: full tiles, and
  /// edge tiles along one or several loops.
  void peelEdges(IRRewriter &rewriter, ArrayRef<Operation *> loops) {
    constexpr StringLiteral kPeel = "anvil_kernel.peel";
    Operation *outermost = nullptr;
    for (Operation *loop : loops)
      if (auto forOp = dyn_cast<scf::ForOp>(loop)) {
        forOp->setAttr(kPeel, rewriter.getUnitAttr());
        outermost = outermost ? outermost : loop;
      }
    if (!outermost)
      return;
    Operation *scope = outermost->getParentOp();
    // A peeled loop's edge copy holds copies of the loops inside it, still
    // marked: peel until no marked loop is left.
    while (true) {
      SmallVector<scf::ForOp> marked;
      scope->walk<WalkOrder::PreOrder>([&](scf::ForOp forOp) {
        if (forOp->hasAttr(kPeel))
          marked.push_back(forOp);
      });
      if (marked.empty())
        return;
      for (scf::ForOp forOp : marked) {
        forOp->removeAttr(kPeel);
        scf::ForOp partial;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    }
  }

  /// Canonicalizes `fn` with every loaded dialect's and op's patterns.
  LogicalResult canonicalize(func::FuncOp fn) {
    MLIRContext *ctx = fn.getContext();
    RewritePatternSet patterns(ctx);
    cpu::populateAllCanonicalizationPatterns(patterns);
    // min(step, ub - iv) of a loop whose step divides its trip: the step.
    scf::populateSCFForLoopCanonicalizationPatterns(patterns);
    return applyPatternsGreedily(fn, std::move(patterns));
  }

  /// Register tiling of a contraction: tiles of `sizes` (the last loop, the
  /// reduction, by 1), the partial tiles at the edges peeled off, each tile
  /// with static sizes (full or edge) vectorized to a vector.contract whose
  /// accumulator is then kept in registers across the reduction loop and
  /// lowered to broadcast FMAs.
  LogicalResult registerTile(IRRewriter &rewriter, func::FuncOp fn,
                             ArrayRef<linalg::LinalgOp> roots,
                             ArrayRef<int64_t> sizes) {
    for (linalg::LinalgOp root : roots) {
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
      tiled->op->setAttr(kTileMarker, rewriter.getUnitAttr());
      peelEdges(rewriter, tiled->loops);
    }
    // Constant tile sizes become static shapes (subview, then the matmul).
    if (failed(canonicalize(fn)))
      return fn.emitError("cannot simplify the register tiles");
    // The tiles of this contraction whose shapes are now static: the full
    // vector tile and the edge tiles the peeling split off (smaller vectors,
    // still FMAs; an edge stays scalar only when its size is not known).
    SmallVector<linalg::LinalgOp> full;
    fn.walk([&](linalg::LinalgOp op) {
      if (!op->hasAttr(kTileMarker))
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::all_of(llvm::zip_equal(ranges, sizes), [](auto pair) {
            auto [range, size] = pair;
            return !ShapedType::isDynamic(range) && range > 0 && range <= size;
          }))
        full.push_back(op);
      else
        op->removeAttr(kTileMarker);
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
    // Out of every loop it can leave: a batch-reduce tile's accumulator
    // out of the reduction loop, then out of its taps' loops.
    for (vector::TransferWriteOp write : writes)
      while (succeeded(keepAccumulatorInRegisters(rewriter, write))) {
      }
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

  /// Whether `op` and the ops nested in it at most read memory.
  static bool onlyReads(Operation *op) {
    WalkResult result = op->walk([](Operation *nested) {
      auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
      if (!effects)
        return nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>()
                   ? WalkResult::advance()
                   : WalkResult::interrupt();
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (const MemoryEffects::EffectInstance &effect : list)
        if (!isa<MemoryEffects::Read>(effect.getEffect()))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    return !result.wasInterrupted();
  }

  /// In a reduction loop whose body reads a tile with `transfer_read`,
  /// accumulates into it and writes it back to the same place (a register
  /// tile's accumulator), reads the tile once before the loop, carries it
  /// through the iterations and writes it once after. Only when nothing
  /// else in the loop writes memory (inner loops that only read, such as an
  /// inner reduction loop that already carries the tile, may be there) and
  /// the tile's place is loop-invariant.
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
      else if (&op != write.getOperation() && !onlyReads(&op))
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

  /// The images a workgroup takes of a loop of `extent` elements, `factor`
  /// an image: ceildiv(extent / factor, wg_count).
  static Value workgroupImages(OpBuilder &b, Location loc, Value extent,
                               int64_t factor, Value wgCount) {
    if (factor > 1)
      extent = arith::DivUIOp::create(
          b, loc, extent, arith::ConstantIndexOp::create(b, loc, factor));
    return arith::CeilDivUIOp::create(b, loc, extent, wgCount);
  }

  /// Tiles loop `dim` by ceildiv(extent, wg_count), rounded up to `align`,
  /// and narrows the tile loop to the chunk of this workgroup. An op with a
  /// `factor` (its elements an image, see kDistributeFactorAttrName), which
  /// `align` must divide, takes factor x the workgroup's images, `images`
  /// when the kernel computed them once (else computed here), and runs an
  /// image at a time.
  FailureOr<linalg::LinalgOp> distribute(IRRewriter &rewriter, func::FuncOp fn,
                                         linalg::LinalgOp root, int64_t dim,
                                         int64_t align, int64_t factor = 1,
                                         Value images = {}) {
    Location loc = root.getLoc();
    unsigned numArgs = fn.getNumArguments();
    Value wgId = fn.getArgument(numArgs - 2);
    Value wgCount = fn.getArgument(numArgs - 1);
    rewriter.setInsertionPoint(root);
    SmallVector<Range> ranges = root.createLoopRanges(rewriter, loc);
    Value extent =
        getValueOrCreateConstantIndexOp(rewriter, loc, ranges[dim].size);
    if (factor < 1 ||
        ((factor > 1 || images) && factor % std::max<int64_t>(align, 1))) {
      root.emitError("a workgroup's chunk of ")
          << factor << " elements an image does not start at register tiles of "
          << align;
      return failure();
    }
    if (factor > 1 && !images)
      images = workgroupImages(rewriter, loc, extent, factor, wgCount);
    Value chunk, perImage;
    if (images) {
      perImage = arith::ConstantIndexOp::create(rewriter, loc, factor);
      chunk = factor > 1
                  ? arith::MulIOp::create(rewriter, loc, images, perImage)
                        .getResult()
                  : images;
      align = 1;
    } else {
      chunk = arith::CeilDivUIOp::create(rewriter, loc, extent, wgCount);
    }
    if (align > 1) {
      Value step = arith::ConstantIndexOp::create(rewriter, loc, align);
      chunk = arith::MulIOp::create(
          rewriter, loc, arith::CeilDivUIOp::create(rewriter, loc, chunk, step),
          step);
    }
    // Split by images, the op runs one image at a time: its tiles are
    // `factor` elements of static size (with the chunk as its tile, each op
    // worked on views of a dynamic size and offset, and transformer_encoder
    // ran 1.04x slower at batch 1 than unsplit).
    Value tile = images ? perImage : chunk;
    linalg::LinalgTilingOptions options;
    options.setTileSizeComputationFunction([&, dim, tile](OpBuilder &b,
                                                          Operation *) {
      SmallVector<Value, 4> sizes;
      for (int64_t d = 0; d < (int64_t)ranges.size(); ++d)
        sizes.push_back(
            d == dim ? tile
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
    // Every image is whole (the loop's extent is factor x the images and
    // its chunks whole images): the tile's size is the factor, not the
    // min(factor, rest) tiling wrote.
    if (images) {
      Value iv = loop.getInductionVar();
      for (Operation &op :
           llvm::make_early_inc_range(loop.getBody()->getOperations()))
        if (auto min = dyn_cast<affine::AffineMinOp>(op);
            min && llvm::is_contained(min->getOperands(), iv)) {
          rewriter.setInsertionPoint(min);
          rewriter.replaceOp(min, perImage);
        }
    }
    return tiled->op;
  }
};

} // namespace

std::optional<cpu::BatchMatmulDims>
anvil::cpu::batchMatmulDims(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->batch.empty() || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  BatchMatmulDims result;
  result.batch.assign(dims->batch.begin(), dims->batch.end());
  result.m = dims->m.front();
  result.n = dims->n.front();
  result.k = dims->k.front();
  // The batch loops lead every operand, in the same order; then rows and
  // columns of a row-major matrix.
  auto is = [&](AffineMap map, unsigned row, unsigned column) {
    SmallVector<AffineExpr> expected;
    for (unsigned b : result.batch)
      expected.push_back(getAffineDimExpr(b, op.getContext()));
    expected.push_back(getAffineDimExpr(row, op.getContext()));
    expected.push_back(getAffineDimExpr(column, op.getContext()));
    return map.getResults() == ArrayRef<AffineExpr>(expected);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!is(maps[0], result.m, result.k) || !is(maps[1], result.k, result.n) ||
      !is(maps[2], result.m, result.n))
    return std::nullopt;
  return result;
}

bool anvil::cpu::mergesTaps(linalg::Conv2DNhwcHwcfOp conv, int64_t kc) {
  auto in = cast<MemRefType>(conv.getDpsInputOperand(0)->get().getType());
  auto w = cast<MemRefType>(conv.getDpsInputOperand(1)->get().getType());
  SmallVector<int64_t> strides, wStrides;
  int64_t offset, wOffset;
  // The filter may be a workgroup's chunk of the output channels (a
  // subview, its last dim symbolic): a filter row's taps and channels still
  // collapse into one dim.
  if (w.isDynamicDim(0) || w.isDynamicDim(1) || w.isDynamicDim(2) ||
      in.isDynamicDim(3) || failed(in.getStridesAndOffset(strides, offset)) ||
      failed(w.getStridesAndOffset(wStrides, wOffset)) ||
      ShapedType::isDynamic(wStrides[2]) ||
      wStrides[1] != w.getDimSize(2) * wStrides[2])
    return false;
  int64_t channels = w.getDimSize(2);
  return w.getDimSize(1) > 1 &&
         conv.getDilations().getValues<int64_t>()[1] == 1 && strides[3] == 1 &&
         strides[2] == channels && w.getDimSize(1) * channels <= kc;
}

bool anvil::cpu::packsWeights(linalg::LinalgOp op, ArrayRef<int64_t> tiles,
                              ArrayRef<int64_t> vs) {
  return !vs.empty() && llvm::any_of(tiles, [](int64_t t) { return t; }) &&
         isa<linalg::MatmulOp, linalg::Conv2DNhwcHwcfOp>(*op);
}

bool anvil::cpu::hasPixelTile(Operation *op) {
  return isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::PoolingNhwcMaxOp>(op);
}

int64_t anvil::cpu::splitAlign(linalg::LinalgOp op, int64_t dim,
                               ArrayRef<int64_t> vs) {
  if (vs.empty() || dim < 0)
    return 1;
  if (isa<linalg::Conv2DNhwcHwcfOp>(*op) || hasPixelTile(op))
    return dim == 2 ? vs[0] : dim == 3 ? vs[1] : 1;
  if (std::optional<BatchMatmulDims> bm = batchMatmulDims(op);
      bm && vs.size() == 3)
    return dim == (int64_t)bm->m ? vs[0] : dim == (int64_t)bm->n ? vs[1] : 1;
  return dim < (int64_t)vs.size() ? vs[dim] : 1;
}

bool anvil::cpu::onlyInitializes(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1)
    return false;
  if (isa<linalg::FillOp>(*op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(*op);
  return generic && generic.getNumDpsInputs() == 1 &&
         generic.getBody()->getOperations().size() == 1 &&
         generic.getBody()->getTerminator()->getOperand(0) ==
             generic.getBody()->getArgument(0);
}

//===- OutlineDispatches.cpp - Compute ops become kernels + dispatches ----===//
//
// After bufferization the model function is a straight-line list of buffer
// allocations, views, size arithmetic and compute ops. Each compute op moves
// into its own kernel function (with the index arithmetic it needs cloned in)
// and is replaced by an `anvil_kernel.dispatch`; the model function becomes the
// schedule that the artifact writer turns into the runtime's plan.
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

/// The default TuningConfig: spread the parallel loop with the largest static
/// extent over workgroups (a symbolic batch dim, often 1 at run time, only when
/// no static loop has two or more iterations), and order the loops so
/// the innermost one vectorizes. Cache tiles are left to the tuner.
kernel::TuningConfigAttr defaultConfig(Operation *op) {
  MLIRContext *ctx = op->getContext();
  SmallVector<int64_t> order;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    order = vectorFriendlyOrder(linalgOp);
  llvm::SmallBitVector split;
  SmallVector<int64_t> extents = loopExtents(op, split);
  int64_t best = -1, bestExtent = 1;
  int64_t work = 1; // iterations per run, counting symbolic dims as 1
  for (auto [d, extent] : llvm::enumerate(extents)) {
    if (!ShapedType::isDynamic(extent))
      work = std::min<int64_t>(work * std::max<int64_t>(extent, 1), 1 << 30);
    int64_t e = ShapedType::isDynamic(extent) ? 2 : extent;
    if (split.test(d) && e > bestExtent) {
      best = d;
      bestExtent = e;
    }
  }
  // Waking another thread costs tens of microseconds: small kernels run as
  // one workgroup.
  if (work < kMinParallelWork)
    best = -1;
  return kernel::TuningConfigAttr::get(ctx, best, {}, order);
}

struct OutlineDispatchesPass
    : anvil::impl::AnvilOutlineDispatchesBase<OutlineDispatchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
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
    for (Operation *op : ops) {
      if (isComputeOp(op)) {
        if (failed(outline(op, host, counter)))
          return failure();
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
    for (Operation &op :
         llvm::make_early_inc_range(llvm::reverse(host.getBody().front())))
      if (isa<memref::LoadOp>(op) && op.use_empty())
        op.erase();
    return success();
  }

  /// The host ops (in program order) computing the non-buffer values `op`
  /// uses, and the buffers those ops read dims of.
  LogicalResult collectSlice(Operation *op, func::FuncOp host,
                             SetVector<Operation *> &slice,
                             SetVector<Value> &buffers) {
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
        if (isa<MemRefType>(v.getType()))
          buffers.insert(v);
        else
          visitUse(v);
      }
    });
    DenseSet<Operation *> seen;
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def)
        return op->emitError("uses a non-buffer function argument");
      if (!seen.insert(def).second)
        continue;
      if (auto load = dyn_cast<memref::LoadOp>(def)) {
        buffers.insert(load.getMemRef());
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
    // Program order keeps defs before uses when cloning.
    for (Operation &hostOp : host.getBody().front())
      if (seen.contains(&hostOp))
        slice.insert(&hostOp);
    return success();
  }

  LogicalResult outline(Operation *op, func::FuncOp host, int &counter) {
    SetVector<Value> buffers;
    for (Value v : op->getOperands())
      if (isa<MemRefType>(v.getType()))
        buffers.insert(v);
    SetVector<Operation *> slice;
    if (failed(collectSlice(op, host, slice, buffers)))
      return failure();

    MLIRContext *ctx = op->getContext();
    OpBuilder b(host);
    Location loc = op->getLoc();
    SmallVector<Type> argTypes;
    for (Value v : buffers)
      argTypes.push_back(v.getType());
    argTypes.push_back(b.getIndexType());
    argTypes.push_back(b.getIndexType());
    std::string name = "kernel_" + std::to_string(counter++);
    auto fn = func::FuncOp::create(b, loc, name,
                                   FunctionType::get(ctx, argTypes, {}));
    kernel::TuningConfigAttr config = defaultConfig(op);
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
    // A copy is computed by linalg.copy so that it is tiled and lowered like
    // every other kernel.
    if (auto copy = dyn_cast<memref::CopyOp>(op))
      linalg::CopyOp::create(kb, loc, mapping.lookup(copy.getSource()),
                             mapping.lookup(copy.getTarget()));
    else
      kb.clone(*op, mapping);
    func::ReturnOp::create(kb, loc);

    // The grid extent is the distributed loop's size, computed on the host.
    OpBuilder hb(op);
    Value extent;
    if (config.getDistributeDim() >= 0) {
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        SmallVector<Range> ranges = linalgOp.createLoopRanges(hb, loc);
        extent = getValueOrCreateConstantIndexOp(
            hb, loc, ranges[config.getDistributeDim()].size);
      } else {
        auto copy = cast<memref::CopyOp>(op);
        extent = memref::DimOp::create(hb, loc, copy.getTarget(),
                                       config.getDistributeDim());
      }
    }
    kernel::DispatchOp::create(hb, loc, FlatSymbolRefAttr::get(ctx, name),
                               buffers.getArrayRef(), extent);
    op->erase();
    return success();
  }
};

} // namespace

//===- KernelConfigs.cpp - Checked replacement of a kernel's TuningConfig -===//
//
// The autotuner and the tuning database give kernels configs that the default
// heuristics did not choose. A config is only taken if the kernel still
// computes the same result under it and compiles: its split loop must be one
// that workgroups can share, and a copy of the kernel is tiled and lowered
// first, so that a config --anvil-tile-kernels rejects is refused here, with
// the reason, instead of failing the compilation later.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "codegen/CPU/KernelTuning.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

using namespace mlir;
using namespace anvil;

namespace {

/// Where the host finds the extent of a loop of a kernel's root op: a static
/// extent, or dim `pos` of the buffer passed as the kernel's argument `arg`.
struct ExtentSource {
  int64_t staticExtent = ShapedType::kDynamic;
  unsigned arg = 0;
  int64_t pos = 0;
};

/// The extent of loop `dim` of `root`, as the host can compute it: the loop
/// indexes some dim of a buffer argument directly.
std::optional<ExtentSource> extentSource(func::FuncOp kernel,
                                         linalg::LinalgOp root, int64_t dim) {
  int64_t extent = root.getStaticLoopRanges()[dim];
  if (!ShapedType::isDynamic(extent))
    return ExtentSource{extent};
  AffineExpr loop = getAffineDimExpr(dim, root.getContext());
  for (OpOperand &operand : root->getOpOperands()) {
    auto arg = dyn_cast<BlockArgument>(operand.get());
    if (!arg || arg.getOwner() != &kernel.front() ||
        !isa<MemRefType>(arg.getType()))
      continue;
    for (auto [pos, e] :
         llvm::enumerate(root.getMatchingIndexingMap(&operand).getResults()))
      if (e == loop)
        return ExtentSource{ShapedType::kDynamic, arg.getArgNumber(),
                            static_cast<int64_t>(pos)};
  }
  return std::nullopt;
}

/// Whether `kernel` tiles and lowers to the LLVM dialect under `config` (a
/// copy of it does; the kernel itself is left alone).
LogicalResult lowersUnder(func::FuncOp kernel, kernel::TuningConfigAttr config,
                          std::string &reason) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(kernel.getLoc());
  Operation *copy = kernel->clone();
  copy->setAttr(kernel::kTuningAttrName, config);
  scratch->push_back(copy);
  PassManager pm(kernel.getContext());
  cpu::buildKernelToLLVMPipeline(pm);
  std::string messages;
  if (succeeded(cpu::collectErrors(kernel.getContext(), messages,
                                   [&] { return pm.run(*scratch); })))
    return success();
  reason = messages.empty() ? "it does not compile" : messages;
  return failure();
}

/// Points the grid of each dispatch of `kernel` at the extent of its new split
/// loop (`source`), or removes it when the kernel is no longer split.
void retargetDispatches(ModuleOp module, func::FuncOp kernel,
                        std::optional<ExtentSource> source) {
  module.walk([&](kernel::DispatchOp dispatch) {
    if (dispatch.getKernel() != kernel.getSymName())
      return;
    Value old = dispatch.getGrid();
    if (!source) {
      dispatch.getGridMutable().clear();
    } else {
      OpBuilder b(dispatch);
      Location loc = dispatch.getLoc();
      Value extent =
          ShapedType::isDynamic(source->staticExtent)
              ? Value(memref::DimOp::create(
                    b, loc, dispatch.getArgs()[source->arg], source->pos))
              : Value(arith::ConstantIndexOp::create(b, loc,
                                                     source->staticExtent));
      dispatch.getGridMutable().assign(extent);
    }
    if (Operation *def = old ? old.getDefiningOp() : nullptr;
        def && wouldOpBeTriviallyDead(def))
      def->erase();
  });
}

/// Whether `config`'s split loop is legal in `kernel`, whatever the lowering
/// makes of it (its sizes are checked by --anvil-tile-kernels, which
/// lowersUnder runs).
LogicalResult checkSplit(func::FuncOp kernel, linalg::LinalgOp root,
                         kernel::TuningConfigAttr config, std::string &reason) {
  // Splitting another loop than a parallel one (or, in a fused kernel, than
  // the one its other ops are split to match) races between workgroups.
  int64_t dim = config.getDistributeDim();
  SmallVector<int64_t> allowed = cpu::allowedDistributeDims(kernel, root);
  if (!llvm::is_contained(allowed, dim)) {
    llvm::raw_string_ostream os(reason);
    os << "distribute_dim " << dim << " is not one this kernel allows (";
    llvm::interleaveComma(allowed, os);
    os << (root->hasAttr(kernel::kRootAttrName)
               ? "; a fused kernel keeps the split its ops were fused under)"
               : "; -1 or a parallel loop of its root op)");
    return failure();
  }
  return success();
}

} // namespace

SmallVector<int64_t> cpu::allowedDistributeDims(func::FuncOp kernel,
                                                linalg::LinalgOp root) {
  if (root->hasAttr(kernel::kRootAttrName)) {
    auto config = kernel->getAttrOfType<kernel::TuningConfigAttr>(
        kernel::kTuningAttrName);
    return {config ? config.getDistributeDim() : -1};
  }
  SmallVector<int64_t> dims = {-1};
  llvm::SmallBitVector untileable = untileableLoops(root);
  for (auto [d, iterator] : llvm::enumerate(root.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::parallel && !untileable.test(d))
      dims.push_back(d);
  return dims;
}

kernel::TuningConfigAttr
cpu::parseTuningConfig(MLIRContext *ctx, StringRef text, std::string &error) {
  ctx->getOrLoadDialect<kernel::KernelDialect>();
  std::string messages;
  Attribute attr =
      collectErrors(ctx, messages, [&] { return parseAttribute(text, ctx); });
  if (!attr) {
    error = messages.empty() ? "not an attribute" : messages;
    return nullptr;
  }
  auto config = dyn_cast<kernel::TuningConfigAttr>(attr);
  if (!config)
    error = "not a TuningConfig (#anvil_kernel.tuning<...>)";
  return config;
}

LogicalResult cpu::replaceTuningConfig(ModuleOp module, func::FuncOp kernel,
                                       kernel::TuningConfigAttr config,
                                       std::string &reason) {
  linalg::LinalgOp root = kernelRoot(kernel);
  if (!root) {
    reason = "the kernel has no root linalg op";
    return failure();
  }
  if (failed(checkSplit(kernel, root, config, reason)))
    return failure();
  int64_t dim = config.getDistributeDim();
  auto current =
      kernel->getAttrOfType<kernel::TuningConfigAttr>(kernel::kTuningAttrName);
  if (config == current)
    return success();
  bool resplit = !current || current.getDistributeDim() != dim;
  std::optional<ExtentSource> grid;
  if (resplit && dim >= 0) {
    grid = extentSource(kernel, root, dim);
    if (!grid) {
      reason = "the host cannot compute the extent of loop " +
               std::to_string(dim) + " to size the workgroup grid";
      return failure();
    }
  }
  if (failed(lowersUnder(kernel, config, reason)))
    return failure();
  kernel->setAttr(kernel::kTuningAttrName, config);
  if (resplit)
    retargetDispatches(module, kernel, grid);
  return success();
}

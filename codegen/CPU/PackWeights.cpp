//===- PackWeights.cpp - Constant weights packed at compile time ----------===//
//
// A packed matmul or channels-last convolution (TileKernels'
// packAndRegisterTile) copies each [kc x nc] block of its B operand (the
// conv's filter, per tap or filter row) into w-column panels before its
// register tiles stream through them. When B is a constant weight that only
// this op reads, the copy is the same on every run: this pass stores the
// weight as panels once, at compile time, and marks the kernel argument
// (kernel::kPackedPanelsAttrName), so the kernel reads them in place.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUBackend.h"
#include "codegen/CPU/KernelTuning.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/ConstantBytes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

#include <cstring>

namespace anvil {
#define GEN_PASS_DEF_ANVILPACKWEIGHTS
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

int64_t anvil::cpu::packedPanelWidth(func::FuncOp kernel, linalg::LinalgOp op) {
  auto config =
      kernel->getAttrOfType<kernel::TuningConfigAttr>(kernel::kTuningAttrName);
  if (!config || !isa<linalg::MatmulOp, linalg::Conv2DNhwcHwcfOp>(*op))
    return 0;
  ArrayRef<int64_t> tiles, vs;
  if (op == kernelRoot(kernel)) {
    tiles = config.getTileSizes();
    vs = config.getVectorSizes();
  } else {
    auto opTiles =
        op->getAttrOfType<DenseI64ArrayAttr>(kernel::kTileSizesAttrName);
    auto opVector =
        op->getAttrOfType<DenseI64ArrayAttr>(kernel::kVectorSizesAttrName);
    if (!opTiles || !opVector)
      return 0;
    tiles = opTiles.asArrayRef();
    vs = opVector.asArrayRef();
  }
  if (!packsWeights(op, tiles, vs) || vs.size() != 3 || vs[1] <= 0)
    return 0;
  return vs[1];
}

cpu::PanelMatrices anvil::cpu::panelMatrices(ArrayRef<int64_t> shape) {
  if (shape.size() == 4)
    return {shape[0], shape[1] * shape[2], shape[3]};
  return {1, shape[0], shape[1]};
}

namespace {

/// Where a kernel could read one of its arguments as prepacked panels.
struct Use {
  func::FuncOp kernel;
  unsigned argument;
  int64_t width;
};

/// The panel width with which `kernel` could read argument `i` prepacked:
/// the argument is a static row-major [K x N] matrix, read only as the B
/// operand of one matmul that packs its weights in panels of w columns (the
/// last one padded with zeros when N is not a multiple of w), and that matmul
/// has enough rows to take the packed path (cpu::kMinPackedRows; a dynamic
/// count qualifies) and N is at least w; or a static row-major [KH][KW][C][F]
/// filter read only by one channels-last convolution that packs it in panels
/// of w columns, F a multiple of w. 0 if not.
int64_t prepackableWidth(func::FuncOp kernel, unsigned i) {
  BlockArgument arg = kernel.getArgument(i);
  auto type = dyn_cast<MemRefType>(arg.getType());
  if (!type || (type.getRank() != 2 && type.getRank() != 4) ||
      !type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !arg.hasOneUse())
    return 0;
  Operation *user = arg.getUses().begin()->getOwner();
  auto op = dyn_cast<linalg::LinalgOp>(user);
  bool matmul = isa<linalg::MatmulOp>(user),
       conv = isa<linalg::Conv2DNhwcHwcfOp>(user);
  if (!op || (!matmul && !conv) || (matmul && type.getRank() != 2) ||
      (conv && type.getRank() != 4) || op.getDpsInputOperand(1)->get() != arg ||
      op.getDpsInputOperand(0)->get() == arg)
    return 0;
  int64_t w = cpu::packedPanelWidth(kernel, op),
          n = type.getDimSize(type.getRank() - 1);
  // Padding a matmul's weight narrower than one panel would store it up to w
  // times over (a 2-class head: 16x) for a pack that costs little at run time.
  if (w <= 0 || (n % w != 0 && (conv || n < w)))
    return 0;
  auto c = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
  if (matmul && !c.isDynamicDim(0) && c.getDimSize(0) < cpu::kMinPackedRows)
    return 0;
  return w;
}

/// `bytes` (`sets` row-major [K x N] matrices, `elementBytes` each) as
/// [sets][ceil(N/w)][K][w] panels, the columns past N zeros.
std::vector<char> toPanels(ArrayRef<char> bytes, int64_t sets, int64_t k,
                           int64_t n, int64_t w, size_t elementBytes) {
  int64_t panels = llvm::divideCeil(n, w);
  std::vector<char> out(size_t(sets * panels * k * w) * elementBytes, 0);
  char *dst = out.data();
  for (int64_t s = 0; s < sets; ++s) {
    const char *matrix = bytes.data() + s * k * n * elementBytes;
    for (int64_t p = 0; p < panels; ++p) {
      size_t run = std::min(w, n - p * w) * elementBytes;
      for (int64_t r = 0; r < k; ++r, dst += w * elementBytes)
        std::memcpy(dst, matrix + (r * n + p * w) * elementBytes, run);
    }
  }
  return out;
}

struct PackWeightsPass : anvil::impl::AnvilPackWeightsBase<PackWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Every dispatch operand that is a weight, by global.
    llvm::MapVector<memref::GlobalOp, SmallVector<Use>> uses;
    llvm::DenseSet<memref::GlobalOp> excluded;
    SymbolTable symbols(module);
    module.walk([&](memref::GetGlobalOp get) {
      auto global = symbols.lookup<memref::GlobalOp>(get.getName());
      if (!global)
        return;
      for (OpOperand &operand : get->getUses()) {
        auto dispatch = dyn_cast<kernel::DispatchOp>(operand.getOwner());
        func::FuncOp kernel =
            dispatch ? symbols.lookup<func::FuncOp>(dispatch.getKernel())
                     : nullptr;
        unsigned first =
            dispatch ? dispatch.getArgs().getBeginOperandIndex() : 0;
        if (!kernel || kernel.isExternal() ||
            operand.getOperandNumber() < first) {
          excluded.insert(global);
          continue;
        }
        unsigned i = operand.getOperandNumber() - first;
        if (i >= kernel.getNumArguments()) {
          excluded.insert(global);
          continue;
        }
        uses[global].push_back({kernel, i, prepackableWidth(kernel, i)});
      }
    });
    // A kernel argument is prepacked for all of its dispatches or none; a
    // global for all of its readers or none: drop both until they agree.
    llvm::DenseMap<std::pair<Operation *, unsigned>, int64_t> packed;
    for (auto &[global, list] : uses)
      for (const Use &use : list)
        packed[{use.kernel, use.argument}] = use.width;
    // Arguments that also receive something else than a packable weight.
    module.walk([&](kernel::DispatchOp dispatch) {
      auto kernel = symbols.lookup<func::FuncOp>(dispatch.getKernel());
      if (!kernel)
        return;
      for (auto [i, value] : llvm::enumerate(dispatch.getArgs())) {
        auto get = value.getDefiningOp<memref::GetGlobalOp>();
        auto global =
            get ? symbols.lookup<memref::GlobalOp>(get.getName()) : nullptr;
        if (!global || !global.getConstant() || !global.getInitialValue())
          packed[{kernel, (unsigned)i}] = 0;
      }
    });
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto &[global, list] : uses) {
        bool ok = !excluded.contains(global) && global.getConstant() &&
                  global.getInitialValue();
        for (const Use &use : list)
          ok &= use.width > 0 && use.width == list.front().width &&
                packed.lookup({use.kernel, use.argument}) == use.width;
        if (ok)
          continue;
        if (!excluded.insert(global).second)
          continue;
        changed = true;
        for (const Use &use : list)
          packed[{use.kernel, use.argument}] = 0;
      }
    }
    for (auto &[global, list] : uses) {
      if (excluded.contains(global))
        continue;
      auto type = cast<MemRefType>(global.getType());
      if (failed(pack(global, list.front().width)))
        return signalPassFailure();
      // Padded panels: the global grows to whole panels, its readers see
      // its first N columns (rows `padded` apart).
      if (auto padded = cast<MemRefType>(global.getType()); padded != type) {
        auto view =
            MemRefType::get(type.getShape(), type.getElementType(),
                            StridedLayoutAttr::get(&getContext(), 0,
                                                   {padded.getDimSize(1), 1}));
        module.walk([&](memref::GetGlobalOp get) {
          if (get.getName() != global.getSymName())
            return;
          get.getResult().setType(padded);
          OpBuilder b(get->getContext());
          b.setInsertionPointAfter(get);
          Value columns = memref::SubViewOp::create(
              b, get.getLoc(), view, get.getResult(), ArrayRef<int64_t>{0, 0},
              type.getShape(), ArrayRef<int64_t>{1, 1});
          get.getResult().replaceAllUsesExcept(columns,
                                               columns.getDefiningOp());
        });
        for (Use use : list) {
          use.kernel.getArgument(use.argument).setType(view);
          SmallVector<Type> inputs(use.kernel.getArgumentTypes());
          inputs[use.argument] = view;
          use.kernel.setFunctionType(FunctionType::get(
              &getContext(), inputs, use.kernel.getResultTypes()));
        }
      }
      for (Use use : list)
        use.kernel.setArgAttr(
            use.argument, kernel::kPackedPanelsAttrName,
            IntegerAttr::get(IntegerType::get(&getContext(), 64), use.width));
    }
  }

  LogicalResult pack(memref::GlobalOp global, int64_t w) {
    auto type = cast<MemRefType>(global.getType());
    auto [sets, k, n] = cpu::panelMatrices(type.getShape());
    Attribute initial = *global.getInitialValue();
    global->setAttr(kernel::kPackedPanelsAttrName,
                    IntegerAttr::get(IntegerType::get(&getContext(), 64), w));
    Type element = type.getElementType();
    // A matmul's [K x N] weight with N not a multiple of w: [K x N'], N' the
    // next multiple (the last panel's columns past N are zeros; the kernel
    // never reads them).
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = llvm::divideCeil(n, w) * w;
    if (shape.back() != n)
      global.setTypeAttr(TypeAttr::get(MemRefType::get(shape, element)));
    if (auto dense = dyn_cast<DenseElementsAttr>(initial);
        dense && dense.isSplat()) {
      if (shape.back() != n)
        global.setInitialValueAttr(
            DenseElementsAttr::get(RankedTensorType::get(shape, element),
                                   dense.getSplatValue<Attribute>()));
      return success();
    }
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
      return global.emitError("cannot pack a weight of ") << element;
    size_t elementBytes = element.getIntOrFloatBitWidth() / 8;
    if (!isa<DenseResourceElementsAttr, DenseElementsAttr>(initial))
      return global.emitError("cannot pack a weight that is not dense");
    std::string why;
    FailureOr<ConstantBytes> source = constantBytes(initial, why);
    if (failed(source))
      return global.emitError(why);
    ArrayRef<char> bytes = source->bytes;
    if (bytes.size() != size_t(sets * k * n) * elementBytes)
      return global.emitError("the weight holds ")
             << bytes.size() << " bytes, expected "
             << sets * k * n * elementBytes;
    std::string key =
        source->key.empty() ? "" : source->key + "_panels" + std::to_string(w);
    global.setInitialValueAttr(
        elementsFromBytes(RankedTensorType::get(shape, element),
                          toPanels(bytes, sets, k, n, w, elementBytes), key));
    return success();
  }
};

} // namespace

//===- KernelIdentity.cpp - Tuning keys and descriptions of kernels -------===//
//
// A tuning measurement is stored under the kernel's key
// (docs/tuning-database.md): the hash of its IR without the TuningConfig, its
// shapes, the target, the machine and the compiler version. Identical kernels
// share a key, so a kernel tuned once is tuned in every model that has it.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "codegen/CPU/KernelTuning.h"

#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SHA256.h"
#include "llvm/TargetParser/Host.h"

#include <limits>

using namespace mlir;
using namespace anvil;

#ifndef ANVIL_VERSION
#error "ANVIL_VERSION (the CMake project version) must be defined"
#endif

/// The revision of the code generator in tuning keys. Raise it with every
/// change that compiles the same kernel IR under the same TuningConfig to other
/// code (tiling, vectorization, lowering, LLVM options): measurements of the
/// old code then no longer match any kernel; likewise a change of how the
/// tuner measures a trial (8: outputs no longer restored before each timed
/// run), whose numbers would not compare with the old ones (9: transposes
/// moved as 16x16 register blocks; 10: constant conv filters stored as panels
/// at compile time; 11: one-row tiles of a matmul that reads B in place twice
/// the config's columns; below 16 rows at run time, a matmul's rows in parts
/// of whole register tiles; 12: those parts block by block of B; 13: constant
/// matmul weights of any width from one panel stored as panels, the last one
/// padded; 14: the weights of a model whose weights do not stay cached
/// flushed from the caches before each timed run, anvil-tune's
/// --weights-cache; the inputs and outputs of a timed kernel 64-byte aligned,
/// as the arena's tensors are; 15: a workgroup's chunk of a convolution's
/// output channels merges each filter row's taps when kc covers them, as a
/// whole filter did; 16: a packed conv of one pass per output block runs its
/// fused init and epilogue on each register tile, and one of several taps
/// reading prepacked weights runs a batch's images one after another; 17:
/// such a conv accumulates all its taps (or filter rows) in each register
/// tile, one pass per output block and channel block; 18: a reduction along
/// the innermost loop, a softmax's row max or a layer norm's mean, reduces
/// each row as one vector).
/// Changes to the default configs alone keep it (a key does not include the
/// config).
constexpr int kCodegenRevision = 18;

StringRef cpu::compilerVersion() {
  static const std::string version = std::string(ANVIL_VERSION) + "+codegen." +
                                     std::to_string(kCodegenRevision);
  return version;
}

/// Hex SHA-256 of `text`.
static std::string sha256(StringRef text) {
  return llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(text)),
                     /*LowerCase=*/true);
}

std::string cpu::cpuFingerprint(StringRef cpu) {
  if (!cpu.empty() && cpu != "native")
    return cpu.str();
  // Sorted, so that the hash does not depend on the map's order.
  SmallVector<std::string> features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.push_back((feature.getValue() ? "+" : "-") +
                       feature.getKey().str());
  llvm::sort(features, [](const std::string &a, const std::string &b) {
    return StringRef(a).drop_front() < StringRef(b).drop_front();
  });
  return (llvm::sys::getHostCPUName() + "-" +
          StringRef(sha256(llvm::join(features, ","))).take_front(12))
      .str();
}

/// Printing flags that depend on nothing but the IR: every flag the
/// --mlir-print-* options could change is set.
static OpPrintingFlags canonicalPrinting() {
  return OpPrintingFlags()
      .printGenericOpForm()
      .enableDebugInfo(false)
      .elideLargeElementsAttrs(std::numeric_limits<int64_t>::max())
      .printLargeElementsAttrWithHex(-1)
      .elideLargeResourceString(std::numeric_limits<int64_t>::max())
      .printValueUsers(false)
      .printUniqueSSAIDs(false)
      .printNameLocAsPrefix(false)
      .skipRegions(false);
}

cpu::KernelIdentity cpu::identifyKernel(func::FuncOp kernel) {
  // A copy without the config and under a fixed name: kernel_3 of one model
  // and kernel_7 of another are the same kernel if only those differ.
  OwningOpRef<func::FuncOp> copy = cast<func::FuncOp>(kernel->clone());
  (*copy)->removeAttr(kernel::kTuningAttrName);
  copy->setSymName("kernel");
  KernelIdentity identity;
  std::string text;
  llvm::raw_string_ostream os(text);
  copy->print(os, canonicalPrinting());
  identity.hash = sha256(text);

  llvm::raw_string_ostream shapes(identity.shapes);
  llvm::interleave(
      llvm::make_filter_range(kernel.getArgumentTypes(),
                              [](Type t) { return isa<MemRefType>(t); }),
      shapes, [&](Type t) { t.print(shapes); }, ",");
  return identity;
}

SmallVector<func::FuncOp> cpu::kernelFunctions(ModuleOp module) {
  return llvm::to_vector(
      llvm::make_filter_range(module.getOps<func::FuncOp>(), [](auto fn) {
        return fn->hasAttr(kernel::kTuningAttrName);
      }));
}

linalg::LinalgOp cpu::kernelRoot(func::FuncOp kernel) {
  SmallVector<linalg::LinalgOp> ops;
  kernel.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
  if (ops.size() == 1)
    return ops.front();
  auto marked = llvm::make_filter_range(ops, [](linalg::LinalgOp op) {
    return op->hasAttr(kernel::kRootAttrName);
  });
  if (std::distance(marked.begin(), marked.end()) != 1)
    return nullptr;
  return *marked.begin();
}

/// Iterations of `op`, its symbolic loops counted as 1.
static uint64_t iterations(linalg::LinalgOp op) {
  uint64_t count = 1;
  for (int64_t extent : op.getStaticLoopRanges())
    if (!ShapedType::isDynamic(extent))
      count = llvm::SaturatingMultiply(count, static_cast<uint64_t>(extent));
  return count;
}

FailureOr<std::vector<cpu::KernelDescription>>
cpu::describeKernels(ModuleOp module) {
  llvm::StringMap<int64_t> dispatches;
  module.walk(
      [&](kernel::DispatchOp dispatch) { ++dispatches[dispatch.getKernel()]; });
  std::vector<KernelDescription> kernels;
  for (func::FuncOp fn : kernelFunctions(module)) {
    KernelDescription &k = kernels.emplace_back();
    k.function = fn;
    k.root = kernelRoot(fn);
    if (!k.root)
      return fn.emitError("a kernel needs one root linalg op (one op, or one "
                          "marked '")
             << kernel::kRootAttrName << "')";
    k.identity = identifyKernel(fn);
    k.extents = k.root.getStaticLoopRanges();
    k.iterators = k.root.getIteratorTypesArray();
    k.untileable = untileableLoops(k.root);
    k.distributeDims = allowedDistributeDims(fn, k.root);
    k.dispatches = dispatches.lookup(fn.getSymName());
    fn.walk([&](linalg::LinalgOp op) {
      ++k.numOps;
      k.work = llvm::SaturatingAdd(k.work, iterations(op));
    });
  }
  return kernels;
}

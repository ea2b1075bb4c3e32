//===- KernelABI.cpp - The entry points the runtime calls -----------------===//
//
// The runtime calls every kernel the same way, whatever its buffers:
//   void anvil_kernel_K(void **args, int64_t wg_id, int64_t wg_count)
// with args[i] pointing to buffer i's memref descriptor. The entry point
// forwards those pointers to MLIR's C interface of the kernel function, which
// takes exactly one descriptor pointer per memref argument.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

LogicalResult anvil::cpu::addKernelEntryPoints(ModuleOp module,
                                               const Plan &plan) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  for (auto [index, symbol] : llvm::enumerate(plan.kernelSymbols)) {
    auto target =
        module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_" + symbol);
    if (!target)
      return module.emitError("kernel '")
             << symbol << "' has no C interface after lowering";
    LLVM::LLVMFunctionType targetType = target.getFunctionType();
    unsigned numBuffers = targetType.getNumParams() - 2;
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, "anvil_kernel_" + std::to_string(index),
        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64}));
    Block *entry = fn.addEntryBlock(b);
    OpBuilder eb = OpBuilder::atBlockBegin(entry);
    SmallVector<Value> operands;
    for (unsigned i = 0; i < numBuffers; ++i) {
      Value slot = LLVM::GEPOp::create(eb, loc, ptr, ptr, entry->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{(int32_t)i});
      operands.push_back(LLVM::LoadOp::create(eb, loc, ptr, slot));
    }
    operands.push_back(entry->getArgument(1));
    operands.push_back(entry->getArgument(2));
    LLVM::CallOp::create(eb, loc, target, operands);
    LLVM::ReturnOp::create(eb, loc, ValueRange{});
  }
  return success();
}

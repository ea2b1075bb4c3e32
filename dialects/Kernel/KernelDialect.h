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
} // namespace anvil::kernel

#endif // ANVIL_DIALECTS_KERNEL_KERNELDIALECT_H

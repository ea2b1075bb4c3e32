//===- AnvilDialect.h - The anvil graph dialect ----------------*- C++ -*-===//
#ifndef ANVIL_DIALECTS_GRAPH_ANVILDIALECT_H
#define ANVIL_DIALECTS_GRAPH_ANVILDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Graph/AnvilDialect.h.inc"

namespace anvil {
// Shared verifiers, one per op family; each names the constraint it checks.
llvm::LogicalResult verifyBroadcastResult(mlir::Operation *op);
llvm::LogicalResult verifyReduction(mlir::Operation *op);
llvm::LogicalResult verifyArgReduction(mlir::Operation *op);
llvm::LogicalResult verifyPool(mlir::Operation *op);
llvm::LogicalResult verifyAxis(mlir::Operation *op, int64_t axis, int64_t rank);
} // namespace anvil

#define GET_OP_CLASSES
#include "dialects/Graph/AnvilOps.h.inc"

#endif // ANVIL_DIALECTS_GRAPH_ANVILDIALECT_H

//===- GraphToLinalg.h - anvil → linalg on tensors ---------------*- C++
//-*-===//
#ifndef ANVIL_CODEGEN_GRAPHTOLINALG_GRAPHTOLINALG_H
#define ANVIL_CODEGEN_GRAPHTOLINALG_GRAPHTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace anvil {
/// Patterns lowering anvil ops to linalg/tensor/arith/math on tensors.
void populateGraphToLinalgPatterns(mlir::RewritePatternSet &patterns);
} // namespace anvil

#endif

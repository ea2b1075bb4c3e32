//===- anvil-opt.cpp - mlir-opt with Anvil's dialects and passes
//-----------===//
//
// The lit workhorse: parses, verifies, transforms and prints IR that uses the
// anvil dialect.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<anvil::AnvilDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect>();
  anvil::registerAnvilPasses();
  // Generic passes the graph pipeline uses (canonicalize, cse, symbol-dce,
  // ...).
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Anvil optimizer driver\n", registry));
}

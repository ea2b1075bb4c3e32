//===- anvil-opt.cpp - mlir-opt with Anvil's dialects and passes ----------===//
//
// The lit workhorse: parses, verifies, transforms and prints IR that uses the
// anvil dialects, with every upstream dialect and pass available so that the
// CPU pipeline's stages can be run one at a time.
//
//===----------------------------------------------------------------------===//
#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Kernel/KernelDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<anvil::AnvilDialect, anvil::kernel::KernelDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  anvil::registerAnvilPasses();
  mlir::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Anvil optimizer driver\n", registry));
}

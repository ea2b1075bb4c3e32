//===- Importer.h - ONNX model → anvil graph dialect -----------*- C++ -*-===//
//
// The public entry point of the ONNX frontend. Errors are reported through the
// MLIR diagnostic engine of the context (the tools print them); a null module
// means failure.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_FRONTEND_ONNX_IMPORTER_H
#define ANVIL_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace anvil::onnx_frontend {

struct ImportOptions {
  /// Pins input dimensions: name → full shape; -1 keeps that dimension as it
  /// is.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Integer constants with at most this many elements (shape vectors, axes)
  /// and scalars are printed inline; everything else becomes a dense resource
  /// blob.
  int64_t inlineConstantLimit = 16;
  /// Turns inputs into constants: name → a `TensorProto` file (`.pb`, the
  /// format of the ONNX test data) or a comma-separated list of values in the
  /// input's declared element type. For inputs that set sizes or axes
  /// (Reshape's shape, Reduce's axes, ...), which code generation needs at
  /// compile time.
  std::map<std::string, std::string> boundInputs;
};

/// Loads a binary `.onnx` (with external data next to it) or ONNX text syntax
/// (`.onnxtxt`) model and imports it into a module holding `func.func @main`.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const ImportOptions &options = {});

/// Registers the dialects the imported IR uses.
void registerImportDialects(mlir::MLIRContext &context);

/// The ONNX op types the importer supports, sorted (for docs and `--list-ops`).
std::vector<std::string> supportedOpTypes();

} // namespace anvil::onnx_frontend

#endif // ANVIL_FRONTEND_ONNX_IMPORTER_H

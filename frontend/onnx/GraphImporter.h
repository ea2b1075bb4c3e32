//===- GraphImporter.h - Imports one ONNX graph into func.func -*- C++ -*-===//
#ifndef ANVIL_FRONTEND_ONNX_GRAPHIMPORTER_H
#define ANVIL_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "frontend/onnx/Importer.h"
#include "frontend/onnx/NodeImporter.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"

#include <memory>
#include <string>
#include <unordered_map>

namespace llvm {
class MemoryBuffer;
}

namespace anvil::onnx_frontend {

/// Converts an ONNX element type number to an MLIR type; null when Anvil has no
/// equivalent.
mlir::Type convertElementType(mlir::MLIRContext &ctx, int32_t onnxType);
/// The ONNX element type number of an MLIR element type (0 when there is none).
int32_t toOnnxElementType(mlir::Type t);
/// The ONNX name of an element type number, for messages.
std::string onnxTypeName(int32_t onnxType);

class GraphImporter {
public:
  /// `model` is shared because weight blobs point into it (and into mapped
  /// external data) instead of copying: the last blob to go releases it.
  GraphImporter(mlir::MLIRContext &ctx,
                std::shared_ptr<const onnx::ModelProto> model,
                llvm::StringRef path, const ImportOptions &options);

  /// Builds `func.func @main` into `module`; false after reporting errors.
  bool run(mlir::ModuleOp module);

  mlir::MLIRContext &ctx;
  const ImportOptions &options;

  mlir::Value lookup(const std::string &name) const;
  void bind(const std::string &name, mlir::Value v) { values[name] = v; }
  /// Statically known contents of 1-D/0-D i64 values (shape arithmetic that is
  /// not yet folded, e.g. dims of a tensor with a dynamic batch).
  llvm::DenseMap<mlir::Value, llvm::SmallVector<int64_t>> knownInts;
  /// For those vectors, which tensor dimension each entry is (from `Shape`),
  /// when known: lets Reshape(x, [batch, -1]) see that `batch` is x's own dim
  /// 0.
  llvm::DenseMap<mlir::Value, llvm::SmallVector<DimRef>> dimSources;

  /// Converts an initializer or a Constant tensor into a constant op's
  /// attribute.
  mlir::FailureOr<mlir::ElementsAttr> convertTensor(const onnx::TensorProto &t,
                                                    llvm::StringRef what);
  mlir::Location nodeLoc(const onnx::NodeProto &node, int index) const;
  mlir::Location fileLoc() const;

private:
  bool checkOpset();
  bool checkStructure(std::vector<int> &order);
  bool checkSupport();
  mlir::FailureOr<mlir::RankedTensorType>
  convertValueType(const onnx::ValueInfoProto &info, bool isInput);
  /// A tensor's bytes in ONNX's little-endian layout and whatever keeps them
  /// alive.
  struct TensorBytes {
    llvm::StringRef data;
    std::shared_ptr<const void> owner;
  };
  mlir::FailureOr<TensorBytes> tensorBytes(const onnx::TensorProto &t,
                                           llvm::StringRef what, int64_t bits);
  mlir::FailureOr<TensorBytes> readExternalData(const onnx::TensorProto &t);

  std::shared_ptr<const onnx::ModelProto> owner;
  const onnx::ModelProto &model;
  /// External data files, mapped once each.
  std::unordered_map<std::string, std::shared_ptr<llvm::MemoryBuffer>>
      externalFiles;
  std::string path;
  int64_t opset = 0;
  std::unordered_map<std::string, mlir::Value> values;
  int resourceCounter = 0;
};

} // namespace anvil::onnx_frontend

#endif // ANVIL_FRONTEND_ONNX_GRAPHIMPORTER_H

//===- NodeImporter.h - What an ONNX op importer works with ----*- C++ -*-===//
//
// Each ONNX op has one import function, grouped by category (Math.cpp, NN.cpp,
// Tensor.cpp, Reduction.cpp, Quant.cpp). It reads the node through
// NodeImporter, builds anvil ops and binds the node's outputs. Opset
// differences (attributes that became inputs, changed defaults) are resolved
// here so the anvil ops see one canonical form.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_FRONTEND_ONNX_NODEIMPORTER_H
#define ANVIL_FRONTEND_ONNX_NODEIMPORTER_H

#include "dialects/Graph/AnvilDialect.h"
#include "dialects/Graph/ShapeInference.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace anvil::onnx_frontend {

class GraphImporter;

/// A tensor dimension: (tensor, index); a null tensor when unknown.
using DimRef = std::pair<mlir::Value, int64_t>;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node, int64_t opset,
               mlir::OpBuilder &builder, mlir::Location loc)
      : graph(graph), node(node), opset(opset), b(builder), loc(loc) {}

  GraphImporter &graph;
  const onnx::NodeProto &node;
  const int64_t opset; // version of the default ONNX domain the model imports
  mlir::OpBuilder &b;
  const mlir::Location loc;

  // -- Inputs (an empty name is an omitted optional input) --
  int numInputs() const { return node.input_size(); }
  bool hasInput(int i) const {
    return i < node.input_size() && !node.input(i).empty();
  }
  mlir::Value input(int i) const;
  mlir::RankedTensorType inputType(int i) const;
  int64_t inputRank(int i) const { return inputType(i).getRank(); }
  /// Elements of a compile-time-constant (or statically known) integer input.
  std::optional<llvm::SmallVector<int64_t>> constInts(int i) const;
  std::optional<llvm::SmallVector<double>> constFloats(int i) const;
  /// The statically known entries of a 0-D/1-D integer input (kDynamic where
  /// unknown), when at least its length is known: shape arithmetic with a
  /// dynamic batch dim.
  std::optional<llvm::SmallVector<int64_t>> knownInts(int i) const;

  // -- Attributes (a wrong attribute type is reported and yields the default)
  // --
  bool hasAttr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt);
  float attrFloat(llvm::StringRef name, float dflt);
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt);
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name);
  llvm::SmallVector<float> attrFloats(llvm::StringRef name);
  const onnx::TensorProto *attrTensor(llvm::StringRef name);
  /// An axis attribute normalized into [0, rank); reports an out-of-range
  /// value.
  mlir::FailureOr<int64_t> axisAttr(llvm::StringRef name, int64_t dflt,
                                    int64_t rank);
  /// A list of axes normalized into [0, rank), in their order; reports an
  /// out-of-range axis and, unless `allowRepeats`, a repeated one.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank,
                bool allowRepeats = false);

  // -- Outputs --
  int numOutputs() const { return node.output_size(); }
  bool outputUsed(int i) const {
    return i < node.output_size() && !node.output(i).empty();
  }
  void setOutput(int i, mlir::Value v);

  // -- Building helpers --
  /// A small i64 constant (1-D, or 0-D when `scalar`).
  mlir::Value constI64(llvm::ArrayRef<int64_t> values, bool scalar = false);
  /// A 0-D constant of `elementType` holding `value`.
  mlir::Value constScalar(mlir::Type elementType, double value);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                    mlir::Type element) {
    return mlir::RankedTensorType::get(shape, element);
  }
  /// Broadcasting binary op with the result type inferred from the operands.
  template <typename OpTy> mlir::Value binary(mlir::Value lhs, mlir::Value rhs);
  /// Elementwise unary op of the operand's type.
  template <typename OpTy> mlir::Value unary(mlir::Value x) {
    return OpTy::create(b, loc, x.getType(), x);
  }
  mlir::Value cast(mlir::Value v, mlir::Type elementType);
  /// Records a statically known value for a 1-D i64 result (shape arithmetic).
  void setKnownInts(mlir::Value v, llvm::ArrayRef<int64_t> values);
  /// Which tensor dimension each entry of input `i` is (see
  /// GraphImporter::dimSources); empty when not tracked.
  llvm::SmallVector<DimRef> dimSources(int i) const;
  void setDimSources(mlir::Value v, llvm::ArrayRef<DimRef> sources);

  /// Reports an error on this node and returns failure().
  mlir::LogicalResult fail(const llvm::Twine &message);
  bool hadError() const { return errored; }

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  bool checkAttrType(const onnx::AttributeProto &a, int type,
                     llvm::StringRef what);
  bool errored = false;
};

template <typename OpTy>
mlir::Value NodeImporter::binary(mlir::Value lhs, mlir::Value rhs) {
  auto lt = mlir::cast<mlir::RankedTensorType>(lhs.getType());
  auto rt = mlir::cast<mlir::RankedTensorType>(rhs.getType());
  std::optional<shape::Shape> s =
      shape::broadcast(lt.getShape(), rt.getShape());
  if (!s) {
    (void)fail("operand shapes are not broadcast-compatible");
    s = shape::Shape(std::max(lt.getRank(), rt.getRank()), shape::kDynamic);
  }
  return OpTy::create(
      b, loc, mlir::RankedTensorType::get(*s, lt.getElementType()), lhs, rhs);
}

/// An op importer: builds the node and binds its outputs, or reports why it
/// cannot.
using ImportFn = std::function<mlir::LogicalResult(NodeImporter &)>;
using OpRegistry = llvm::StringMap<ImportFn>;

void registerMathImporters(OpRegistry &registry);
void registerNNImporters(OpRegistry &registry);
void registerTensorImporters(OpRegistry &registry);
void registerReductionImporters(OpRegistry &registry);
void registerQuantImporters(OpRegistry &registry);
void registerLossImporters(OpRegistry &registry);
void registerIndexingImporters(OpRegistry &registry);

const OpRegistry &opRegistry();

} // namespace anvil::onnx_frontend

#endif // ANVIL_FRONTEND_ONNX_NODEIMPORTER_H

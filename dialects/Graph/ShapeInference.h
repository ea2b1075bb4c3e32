//===- ShapeInference.h - Result shapes of anvil ops -----------*- C++ -*-===//
//
// Shape rules shared by the op verifiers and the ONNX importer, so both agree
// on what an op produces. Dimensions use mlir::ShapedType::kDynamic for `?`.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_DIALECTS_GRAPH_SHAPEINFERENCE_H
#define ANVIL_DIALECTS_GRAPH_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace anvil::shape {

using Shape = llvm::SmallVector<int64_t, 6>;
constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

inline bool isDynamic(int64_t d) { return mlir::ShapedType::isDynamic(d); }

/// Maps a possibly negative axis into [0, rank); nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Numpy multidirectional broadcast; nullopt when two static dims differ and
/// neither is 1.
std::optional<Shape> broadcast(llvm::ArrayRef<int64_t> a,
                               llvm::ArrayRef<int64_t> b);

/// True when both shapes have the same rank and each pair of dims is equal or
/// dynamic.
bool compatible(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Shape after reducing the (normalized) `axes`; empty axes reduce everything.
Shape reduce(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> axes,
             bool keepdims);

/// `in` without the (normalized) dims in `axes`; unlike reduce(), empty axes
/// drop nothing.
Shape dropDims(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> axes);

/// Numpy matmul result shape (1-D operands promoted and squeezed); nullopt when
/// the contraction dims or the batch dims are incompatible.
std::optional<Shape> matmul(llvm::ArrayRef<int64_t> a,
                            llvm::ArrayRef<int64_t> b);

/// Output size of a sliding window (conv or pooling) along one spatial
/// dimension.
int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                     int64_t padBegin, int64_t padEnd, int64_t dilation,
                     bool ceilMode);

/// Result shape of an einsum `equation` (numpy syntax, `...` allowed) over
/// `operands`; `explicitEquation` receives the equation with its output
/// subscripts spelled out. nullopt (with `error` set) for a malformed equation
/// or mismatched dimensions.
std::optional<Shape> einsum(llvm::StringRef equation,
                            llvm::ArrayRef<llvm::ArrayRef<int64_t>> operands,
                            std::string &explicitEquation, std::string &error);

/// Result shapes of ONNX Attention: Y, present_key, present_value, qk output.
struct AttentionShapes {
  Shape y, presentKey, presentValue, qk;
};
/// `qHeads`/`kvHeads` are needed for 3-D inputs (0 when absent); `pastKey` is
/// empty without a KV cache. nullopt (with `error` set) when the shapes cannot
/// work.
std::optional<AttentionShapes>
attention(llvm::ArrayRef<int64_t> q, llvm::ArrayRef<int64_t> k,
          llvm::ArrayRef<int64_t> v, llvm::ArrayRef<int64_t> pastKey,
          int64_t qHeads, int64_t kvHeads, std::string &error);

/// Product of the dims, or kDynamic when any is dynamic.
int64_t product(llvm::ArrayRef<int64_t> dims);

} // namespace anvil::shape

#endif // ANVIL_DIALECTS_GRAPH_SHAPEINFERENCE_H

//===- LoweringHelpers.h - Pieces shared by the anvil → linalg patterns ---===//
//
// Private to codegen/GraphToLinalg: the builders every category of patterns
// uses (broadcast maps, empty tensors, elementwise generics, reshapes), the
// symbolic evaluation of shape sub-graphs, and one populate function per
// category file.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_CODEGEN_GRAPHTOLINALG_LOWERINGHELPERS_H
#define ANVIL_CODEGEN_GRAPHTOLINALG_LOWERINGHELPERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace anvil::lowering {

using mlir::AffineMap;
using mlir::Location;
using mlir::OpBuilder;
using mlir::OpFoldResult;
using mlir::RankedTensorType;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;

/// Carries an op type through a generic lambda.
template <typename T> struct TypeTag { using type = T; };

//===--- Constants and types ---------------------------------------------===//

Value zeroOf(OpBuilder &b, Location l, Type t);
/// A float constant of float type `t`.
Value floatConst(OpBuilder &b, Location l, Type t, double v);
/// 1.0 of float type `t`.
Value oneOf(OpBuilder &b, Location l, Type t);
/// An integer (or index) constant of type `t`.
Value intConst(OpBuilder &b, Location l, Type t, int64_t v);
Value indexConst(OpBuilder &b, Location l, int64_t v);
/// An i64 vector attribute (strides and dilations of the linalg conv/pool ops).
mlir::DenseIntElementsAttr i64Vector(mlir::Builder &b,
                                     llvm::ArrayRef<int64_t> v);
/// The signless integer type of an unsigned one; other types unchanged.
Type signlessOf(Type t);
bool isUnsignedInt(Type t);
/// Reinterprets a tensor of unsigned integers as signless (and back with
/// `to`): arith only computes on signless integers.
Value toSignless(OpBuilder &b, Location l, Value v);
Value bitcastTo(OpBuilder &b, Location l, Value v, RankedTensorType to);

//===--- Sizes ------------------------------------------------------------===//

/// Every dim of `v` (constants where static, tensor.dim where dynamic).
llvm::SmallVector<OpFoldResult> dimSizes(OpBuilder &b, Location l, Value v);
Value toIndex(OpBuilder &b, Location l, OpFoldResult ofr);
/// Products and quotients of sizes, folded when constant.
OpFoldResult mulSizes(OpBuilder &b, Location l, OpFoldResult x, OpFoldResult y);
OpFoldResult divSizes(OpBuilder &b, Location l, OpFoldResult x, OpFoldResult y);
OpFoldResult addSizes(OpBuilder &b, Location l, OpFoldResult x, OpFoldResult y);
/// The number of elements of `v`.
OpFoldResult numElements(OpBuilder &b, Location l, Value v);
/// An empty tensor of `type` whose dynamic dims take `sizes`.
Value emptyOfSizes(OpBuilder &b, Location l, RankedTensorType type,
                   llvm::ArrayRef<OpFoldResult> sizes);
/// An empty tensor of `type`; dynamic sizes are read from the operand dims that
/// the broadcast maps to each result dim (an operand's `?` dim is taken to
/// match the result).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange operands);
/// tensor.empty filled with `value`.
Value filled(OpBuilder &b, Location l, RankedTensorType type,
             llvm::ArrayRef<OpFoldResult> sizes, Value value);

//===--- Maps and generics ------------------------------------------------===//

/// The indexing map that reads `operand` (right-aligned numpy broadcasting)
/// while iterating over the dims of `result`.
AffineMap broadcastMap(RankedTensorType operand, RankedTensorType result,
                       mlir::MLIRContext *ctx);
/// (d0, ..., dN-1) -> (d0, ..., dn-1): the result's dims of an iteration
/// space whose trailing dims are reduced (a valid map even for n = 0).
AffineMap leadingDimsMap(int64_t numDims, int64_t n, mlir::MLIRContext *ctx);
/// The map reading a per-channel vector while iterating over (n, c, ...).
AffineMap channelMap(int64_t rank, mlir::MLIRContext *ctx);

/// Computes one result element from the operand elements; `t` is the
/// (signless) result element type.
using ScalarFn =
    llvm::function_ref<Value(OpBuilder &b, Location l, Type t, ValueRange a)>;

/// Replaces `op` by one linalg.generic applying `fn` with numpy broadcasting.
/// Unsigned operands are reinterpreted as signless first (and the result back).
mlir::LogicalResult lowerElementwise(mlir::Operation *op,
                                     mlir::PatternRewriter &rewriter,
                                     ScalarFn fn);
/// The same on explicit operands, returning the result of `resultType`.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ScalarFn fn);

/// A linalg.generic over `result`'s dims with no inputs whose body computes
/// each element from the iteration indices.
Value buildIndexGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    llvm::ArrayRef<OpFoldResult> sizes,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> fn);

//===--- Reshapes ---------------------------------------------------------===//

/// `x` reinterpreted (row-major) as `type` whose dims are `sizes`: one
/// collapse/expand when the static shapes group, else through 1-D.
Value reshapeTo(OpBuilder &b, Location l, Value x, RankedTensorType type,
                llvm::ArrayRef<OpFoldResult> sizes);

//===--- Shape sub-graphs -------------------------------------------------===//

/// True for small 0-D/1-D integer tensors that may hold shapes or indices;
/// their producers are lowered last so that consumers can read them
/// symbolically.
bool isShapeValue(Value v);
/// The elements of a 0-D/1-D integer tensor computed by a shape sub-graph
/// (anvil.shape, constants, gather with constant indices, unsqueeze, concat,
/// slice, cast, integer arithmetic...) as index sizes built from tensor.dim;
/// failure when an element depends on tensor data.
mlir::FailureOr<llvm::SmallVector<OpFoldResult>>
evaluateShapeVector(OpBuilder &b, Location l, Value v);
/// Whether evaluateShapeVector would succeed (it builds nothing).
bool canEvaluateShapeVector(Value v);
/// Only the elements that are compile-time constants.
std::optional<llvm::SmallVector<int64_t>> constantInts(Value v);
std::optional<llvm::SmallVector<double>> constantFloats(Value v);

//===--- Pattern sets -----------------------------------------------------===//

void populateAttentionPatterns(mlir::RewritePatternSet &patterns);
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateTensorPatterns(mlir::RewritePatternSet &patterns);
void populateInterpolationPatterns(mlir::RewritePatternSet &patterns);
void populateNNPatterns(mlir::RewritePatternSet &patterns);
void populateQuantizationPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);

} // namespace anvil::lowering

#endif // ANVIL_CODEGEN_GRAPHTOLINALG_LOWERINGHELPERS_H

//===- GraphToLinalg.cpp - anvil → linalg on tensors ----------------------===//
//
// The pass and the builders its patterns share. Patterns live by category in
// Elementwise.cpp, Tensor.cpp, NN.cpp, Attention.cpp, Interpolation.cpp,
// Quantization.cpp and Reduction.cpp; shape sub-graphs are
// read symbolically by ShapeEvaluation.cpp. This is the first step of the CPU
// pipeline (graph → linalg → tile/vectorize → bufferize → LLVM).
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/GraphToLinalg.h"
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace anvil {
#define GEN_PASS_DEF_CONVERTANVILTOLINALG
#include "passes/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace anvil::lowering {

Value zeroOf(OpBuilder &b, Location l, Type t) {
  return arith::ConstantOp::create(b, l, t, b.getZeroAttr(t));
}

Value floatConst(OpBuilder &b, Location l, Type t, double v) {
  return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, v));
}

Value oneOf(OpBuilder &b, Location l, Type t) {
  return floatConst(b, l, t, 1.0);
}

Value intConst(OpBuilder &b, Location l, Type t, int64_t v) {
  return arith::ConstantOp::create(b, l, t, b.getIntegerAttr(t, v));
}

Value indexConst(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

DenseIntElementsAttr i64Vector(Builder &b, ArrayRef<int64_t> v) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()), v);
}

bool isUnsignedInt(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && !i.isSignless();
}

Type signlessOf(Type t) {
  if (isUnsignedInt(t))
    return IntegerType::get(t.getContext(), t.getIntOrFloatBitWidth());
  return t;
}

Value toSignless(OpBuilder &b, Location l, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!isUnsignedInt(t.getElementType()))
    return v;
  return tensor::BitcastOp::create(b, l,
                                   t.clone(signlessOf(t.getElementType())), v);
}

Value bitcastTo(OpBuilder &b, Location l, Value v, RankedTensorType to) {
  if (v.getType() == to)
    return v;
  return tensor::BitcastOp::create(b, l, to, v);
}

SmallVector<OpFoldResult> dimSizes(OpBuilder &b, Location l, Value v) {
  return tensor::getMixedSizes(b, l, v);
}

Value toIndex(OpBuilder &b, Location l, OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, l, ofr);
}

OpFoldResult mulSizes(OpBuilder &b, Location l, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  if (cx == 1)
    return y;
  if (cy == 1)
    return x;
  return arith::MulIOp::create(b, l, toIndex(b, l, x), toIndex(b, l, y))
      .getResult();
}

OpFoldResult divSizes(OpBuilder &b, Location l, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy && *cy != 0)
    return b.getIndexAttr(*cx / *cy);
  if (cy == 1)
    return x;
  return arith::DivSIOp::create(b, l, toIndex(b, l, x), toIndex(b, l, y))
      .getResult();
}

OpFoldResult addSizes(OpBuilder &b, Location l, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx + *cy);
  if (cx == 0)
    return y;
  if (cy == 0)
    return x;
  return arith::AddIOp::create(b, l, toIndex(b, l, x), toIndex(b, l, y))
      .getResult();
}

OpFoldResult numElements(OpBuilder &b, Location l, Value v) {
  OpFoldResult n = b.getIndexAttr(1);
  for (OpFoldResult d : dimSizes(b, l, v))
    n = mulSizes(b, l, n, d);
  return n;
}

Value emptyOfSizes(OpBuilder &b, Location l, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(toIndex(b, l, sizes[d]));
  return tensor::EmptyOp::create(b, l, type.getShape(), type.getElementType(),
                                 dynamic);
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange operands) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      continue;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t od = d - (type.getRank() - t.getRank());
      if (od >= 0 && t.getDimSize(od) != 1) {
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, v, od));
        break;
      }
    }
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

Value filled(OpBuilder &b, Location l, RankedTensorType type,
             ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = emptyOfSizes(b, l, type, sizes);
  return linalg::FillOp::create(b, l, value, empty).getResult(0);
}

AffineMap broadcastMap(RankedTensorType operand, RankedTensorType result,
                       MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.getRank() - operand.getRank();
  for (int64_t d = 0; d < operand.getRank(); ++d) {
    bool broadcast =
        operand.getDimSize(d) == 1 && result.getDimSize(d + offset) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(d + offset, ctx));
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

AffineMap channelMap(int64_t rank, MLIRContext *ctx) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ScalarFn fn) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    inputs.push_back(toSignless(b, loc, v));
    maps.push_back(broadcastMap(cast<RankedTensorType>(v.getType()), resultType,
                                b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  auto computeType = resultType.clone(signlessOf(resultType.getElementType()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyLike(b, loc, computeType, inputs);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{computeType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value r = fn(nb, l, computeType.getElementType(), args.drop_back());
        linalg::YieldOp::create(nb, l, r);
      });
  return bitcastTo(b, loc, generic.getResult(0), resultType);
}

LogicalResult lowerElementwise(Operation *op, PatternRewriter &rewriter,
                               ScalarFn fn) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  rewriter.replaceOp(op, buildElementwise(rewriter, op->getLoc(), resultType,
                                          op->getOperands(), fn));
  return success();
}

AffineMap leadingDimsMap(int64_t numDims, int64_t n, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < n; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

Value buildIndexGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  auto computeType = resultType.clone(signlessOf(resultType.getElementType()));
  Value init = emptyOfSizes(b, loc, computeType, sizes);
  int64_t rank = resultType.getRank();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{computeType}, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < rank; ++d)
          ivs.push_back(linalg::IndexOp::create(nb, l, d));
        linalg::YieldOp::create(nb, l, fn(nb, l, ivs));
      });
  return bitcastTo(b, loc, generic.getResult(0), resultType);
}

/// Groups the dims of `fine` (the longer shape) into the dims of `coarse` by
/// static products. A dynamic dim is only matched to a dynamic dim, and only
/// when each side has one (the element count then forces them equal).
static std::optional<SmallVector<ReassociationIndices>>
groupDims(ArrayRef<int64_t> fine, ArrayRef<int64_t> coarse) {
  auto dynCount = [](ArrayRef<int64_t> s) {
    return llvm::count(s, ShapedType::kDynamic);
  };
  if (dynCount(fine) != dynCount(coarse) || dynCount(fine) > 1 ||
      llvm::is_contained(fine, 0) || llvm::is_contained(coarse, 0))
    return std::nullopt;
  SmallVector<ReassociationIndices> groups;
  size_t i = 0;
  for (int64_t c : coarse) {
    ReassociationIndices group;
    if (ShapedType::isDynamic(c)) {
      while (i < fine.size() && fine[i] == 1)
        group.push_back(i++);
      if (i == fine.size() || !ShapedType::isDynamic(fine[i]))
        return std::nullopt;
      group.push_back(i++);
    } else {
      int64_t product = 1;
      while (group.empty() || product < c) {
        if (i == fine.size() || ShapedType::isDynamic(fine[i]))
          return std::nullopt;
        product *= fine[i];
        group.push_back(i++);
      }
      if (product != c)
        return std::nullopt;
    }
    groups.push_back(group);
  }
  for (; i < fine.size(); ++i) {
    if (fine[i] != 1 || groups.empty())
      return std::nullopt;
    groups.back().push_back(i);
  }
  return groups;
}

Value reshapeTo(OpBuilder &b, Location l, Value x, RankedTensorType type,
                ArrayRef<OpFoldResult> sizes) {
  auto in = cast<RankedTensorType>(x.getType());
  // Static dims of the result take the type's sizes (expand_shape checks).
  SmallVector<OpFoldResult> outSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    outSizes.push_back(
        type.isDynamicDim(d) ? sizes[d] : b.getIndexAttr(type.getDimSize(d)));
  if (in == type && llvm::count(in.getShape(), ShapedType::kDynamic) <= 1)
    return x;
  if (in.getRank() > type.getRank()) {
    if (auto groups = groupDims(in.getShape(), type.getShape()))
      return tensor::CollapseShapeOp::create(b, l, type, x, *groups);
  } else if (in.getRank() < type.getRank()) {
    if (auto groups = groupDims(type.getShape(), in.getShape()))
      return tensor::ExpandShapeOp::create(b, l, type, x, *groups, outSizes);
  }
  // Through a 1-D tensor, which always has a reassociation.
  Value flat = x;
  if (in.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(
        b, l, in.clone({1}), x, SmallVector<ReassociationIndices>{},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  } else if (in.getRank() > 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < in.getRank(); ++d)
      all.push_back(d);
    flat = tensor::CollapseShapeOp::create(
        b, l, x, SmallVector<ReassociationIndices>{all});
  }
  auto flatType = cast<RankedTensorType>(flat.getType());
  // A static result needs a static 1-D source (expand_shape checks that the
  // collapsed size matches); the input's `?` is known to equal it.
  if (type.hasStaticShape() && !flatType.hasStaticShape()) {
    flatType = flatType.clone({type.getNumElements()});
    flat = tensor::CastOp::create(b, l, flatType, flat);
  }
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, l, type, flat,
                                           SmallVector<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flatType == type ? flat : tensor::CastOp::create(b, l, type, flat);
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return tensor::ExpandShapeOp::create(
      b, l, type, flat, SmallVector<ReassociationIndices>{all}, outSizes);
}

} // namespace anvil::lowering

namespace {

struct ConvertAnvilToLinalg
    : anvil::impl::ConvertAnvilToLinalgBase<ConvertAnvilToLinalg> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGraphToLinalgPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // First everything but the producers of small integer vectors, so that
    // reshape/expand/slice... can still read their shape sub-graphs
    // symbolically; what stays used of those is lowered afterwards.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<AnvilDialect>(op->getDialect()) &&
          !llvm::all_of(op->getResults(), lowering::isShapeValue))
        ops.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    (void)applyOpPatternsGreedily(ops, frozen, config);
    if (failed(applyPatternsGreedily(getOperation(), frozen)))
      return signalPassFailure();
    // Every anvil op must be gone; what is left is reported at its ONNX node.
    bool leftover = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<AnvilDialect>(op->getDialect()))
        return;
      op->emitError()
          << "'" << op->getName()
          << "' cannot be lowered to linalg yet (or not for its types)";
      leftover = true;
    });
    if (leftover)
      signalPassFailure();
  }
};

} // namespace

void anvil::populateGraphToLinalgPatterns(RewritePatternSet &patterns) {
  lowering::populateAttentionPatterns(patterns);
  lowering::populateElementwisePatterns(patterns);
  lowering::populateTensorPatterns(patterns);
  lowering::populateInterpolationPatterns(patterns);
  lowering::populateNNPatterns(patterns);
  lowering::populateQuantizationPatterns(patterns);
  lowering::populateReductionPatterns(patterns);
}

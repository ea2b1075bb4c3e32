//===- Artifact.cpp - Plan extraction, machine code and linking -----------===//
//
// The bufferized, outlined model function is a schedule: allocations, views,
// index arithmetic and dispatches. extractPlan() turns it into the runtime's
// plan (runtime/include/anvil/plan_format.h): every buffer with its sizes as
// expressions over the input dims, every dispatch as a step. The runtime
// evaluates the expressions for each input shape, which is how one artifact
// serves every batch size.
//
//===----------------------------------------------------------------------===//
#include "codegen/CPU/CPUBackend.h"
#include "dialects/Kernel/KernelDialect.h"
#include "runtime/include/anvil/plan_format.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <map>

using namespace mlir;
using namespace anvil::cpu;

namespace {

/// One Reverse-Polish program computing a size (see plan_format.h).
using Program = std::vector<std::pair<uint32_t, int64_t>>;

/// A size: a constant, or an expression over the input dims.
struct Size {
  bool isConst = true;
  int64_t value = 0; // the constant, or the expression id
};

struct Layout {
  int root = -1;
  Size offset;
  std::vector<Size> sizes, strides;
};

struct Node {
  uint8_t kind = ANVIL_BUFFER_TEMP;
  uint8_t dtype = 0;
  uint32_t ref = 0;
  std::vector<Size> dims, strides;
  Size offset;
  uint64_t byteSize = 0;
  int64_t firstStep = -1, lastStep = -1;
};

struct Step {
  uint32_t kind;
  uint32_t kernel = 0, gridKind = 0;
  Size gridExtent;
  std::vector<uint32_t> args;
};

class PlanBuilder {
public:
  explicit PlanBuilder(ModuleOp module) : module(module) {}

  FailureOr<Plan> build(func::FuncOp host);

private:
  ModuleOp module;
  std::vector<Program> programs;
  std::map<Program, int64_t> programIds;
  DenseMap<Value, Size> sizes;
  DenseMap<Value, Layout> layouts;
  std::vector<Node> nodes;
  std::vector<Step> steps;
  std::vector<std::pair<uint32_t, std::string>> inputs, outputs;
  DenseMap<Operation *, unsigned> claimedAllocs; // alloc -> output index
  DenseMap<unsigned, int> outputNodes;           // output index -> node
  llvm::StringMap<int> constantNodes;
  llvm::StringMap<uint32_t> kernelIndex;
  Plan plan;

  Size constant(int64_t v) { return Size{true, v}; }
  Program programOf(Size s) {
    return s.isConst ? Program{{ANVIL_EXPR_CONST, s.value}} : programs[s.value];
  }
  Size intern(Program p) {
    auto [it, inserted] = programIds.try_emplace(p, (int64_t)programs.size());
    if (inserted)
      programs.push_back(std::move(p));
    return Size{false, it->second};
  }
  Size binary(uint32_t opcode, Size a, Size b);
  Size product(ArrayRef<Size> factors) {
    Size r = constant(1);
    for (Size f : factors)
      r = binary(ANVIL_EXPR_MUL, r, f);
    return r;
  }
  std::vector<Size> contiguousStrides(ArrayRef<Size> dims) {
    std::vector<Size> strides(dims.size());
    Size s = constant(1);
    for (int64_t d = (int64_t)dims.size() - 1; d >= 0; --d) {
      strides[d] = s;
      s = binary(ANVIL_EXPR_MUL, s, dims[d]);
    }
    return strides;
  }

  FailureOr<Size> sizeOf(Value v);
  FailureOr<Size> sizeOf(OpFoldResult ofr) {
    if (auto attr = dyn_cast<Attribute>(ofr))
      return constant(cast<IntegerAttr>(attr).getInt());
    return sizeOf(cast<Value>(ofr));
  }
  FailureOr<Size> affineSize(AffineExpr e, ArrayRef<Size> dims,
                             ArrayRef<Size> syms);
  FailureOr<std::vector<Size>> shapeOf(MemRefType type, ValueRange dynamic,
                                       Operation *op);
  LogicalResult visit(Operation *op);
  LogicalResult visitView(Operation *op);
  FailureOr<int> bufferFor(Value v);
  int addNode(Node n) {
    nodes.push_back(std::move(n));
    return (int)nodes.size() - 1;
  }
  void touch(int node) {
    Node &n = nodes[node];
    int64_t step = (int64_t)steps.size();
    if (n.firstStep < 0)
      n.firstStep = step;
    n.lastStep = step;
  }
  int rootOf(int node) {
    return nodes[node].kind == ANVIL_BUFFER_VIEW ? (int)nodes[node].ref : node;
  }
  LogicalResult addConstant(memref::GetGlobalOp op);
  void serialize();
};

FailureOr<uint8_t> dtypeOf(Type t) {
  if (t.isF32())
    return (uint8_t)ANVIL_PLAN_DTYPE_F32;
  if (t.isF64())
    return (uint8_t)ANVIL_PLAN_DTYPE_F64;
  if (t.isF16())
    return (uint8_t)ANVIL_PLAN_DTYPE_F16;
  if (t.isBF16())
    return (uint8_t)ANVIL_PLAN_DTYPE_BF16;
  if (auto i = dyn_cast<IntegerType>(t)) {
    if (i.getWidth() == 1)
      return (uint8_t)ANVIL_PLAN_DTYPE_BOOL;
    bool isUnsigned = i.isUnsigned();
    switch (i.getWidth()) {
    case 8:
      return (uint8_t)(isUnsigned ? ANVIL_PLAN_DTYPE_U8 : ANVIL_PLAN_DTYPE_I8);
    case 16:
      return (uint8_t)(isUnsigned ? ANVIL_PLAN_DTYPE_U16
                                  : ANVIL_PLAN_DTYPE_I16);
    case 32:
      return (uint8_t)(isUnsigned ? ANVIL_PLAN_DTYPE_U32
                                  : ANVIL_PLAN_DTYPE_I32);
    case 64:
      return (uint8_t)(isUnsigned ? ANVIL_PLAN_DTYPE_U64
                                  : ANVIL_PLAN_DTYPE_I64);
    }
  }
  return failure();
}

Size PlanBuilder::binary(uint32_t opcode, Size a, Size b) {
  if (a.isConst && b.isConst) {
    int64_t x = a.value, y = b.value;
    auto floorDiv = [](int64_t p, int64_t q) {
      int64_t d = p / q;
      return (p % q != 0 && ((p < 0) != (q < 0))) ? d - 1 : d;
    };
    switch (opcode) {
    case ANVIL_EXPR_ADD:
      return constant(x + y);
    case ANVIL_EXPR_SUB:
      return constant(x - y);
    case ANVIL_EXPR_MUL:
      return constant(x * y);
    case ANVIL_EXPR_FLOORDIV:
      if (y != 0)
        return constant(floorDiv(x, y));
      break;
    case ANVIL_EXPR_CEILDIV:
      if (y != 0)
        return constant(-floorDiv(-x, y));
      break;
    case ANVIL_EXPR_MOD:
      if (y != 0)
        return constant(x - y * floorDiv(x, y));
      break;
    case ANVIL_EXPR_MIN:
      return constant(std::min(x, y));
    case ANVIL_EXPR_MAX:
      return constant(std::max(x, y));
    }
  }
  // x * 1, x + 0 and friends keep expressions short.
  if (b.isConst && ((b.value == 1 && (opcode == ANVIL_EXPR_MUL ||
                                      opcode == ANVIL_EXPR_FLOORDIV ||
                                      opcode == ANVIL_EXPR_CEILDIV)) ||
                    (b.value == 0 &&
                     (opcode == ANVIL_EXPR_ADD || opcode == ANVIL_EXPR_SUB))))
    return a;
  if (a.isConst && ((a.value == 1 && opcode == ANVIL_EXPR_MUL) ||
                    (a.value == 0 && opcode == ANVIL_EXPR_ADD)))
    return b;
  if (opcode == ANVIL_EXPR_MUL &&
      ((a.isConst && a.value == 0) || (b.isConst && b.value == 0)))
    return constant(0);
  Program p = programOf(a);
  Program q = programOf(b);
  p.insert(p.end(), q.begin(), q.end());
  p.push_back({opcode, 0});
  return intern(std::move(p));
}

FailureOr<Size> PlanBuilder::affineSize(AffineExpr e, ArrayRef<Size> dims,
                                        ArrayRef<Size> syms) {
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return constant(c.getValue());
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return dims[d.getPosition()];
  if (auto s = dyn_cast<AffineSymbolExpr>(e))
    return syms[s.getPosition()];
  auto bin = cast<AffineBinaryOpExpr>(e);
  FailureOr<Size> l = affineSize(bin.getLHS(), dims, syms);
  FailureOr<Size> r = affineSize(bin.getRHS(), dims, syms);
  if (failed(l) || failed(r))
    return failure();
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return binary(ANVIL_EXPR_ADD, *l, *r);
  case AffineExprKind::Mul:
    return binary(ANVIL_EXPR_MUL, *l, *r);
  case AffineExprKind::FloorDiv:
    return binary(ANVIL_EXPR_FLOORDIV, *l, *r);
  case AffineExprKind::CeilDiv:
    return binary(ANVIL_EXPR_CEILDIV, *l, *r);
  case AffineExprKind::Mod:
    return binary(ANVIL_EXPR_MOD, *l, *r);
  default:
    return failure();
  }
}

FailureOr<Size> PlanBuilder::sizeOf(Value v) {
  if (auto it = sizes.find(v); it != sizes.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  if (!def)
    return emitError(v.getLoc(), "a size comes from a block argument");
  if (isa<memref::LoadOp>(def))
    return def->emitError("a size or an offset depends on tensor data; the "
                          "CPU runtime cannot schedule data-dependent sizes "
                          "yet");
  auto fail = [&]() -> FailureOr<Size> {
    return def->emitError("the runtime cannot evaluate the size computed by '")
           << def->getName() << "'";
  };
  auto operandSize = [&](unsigned i) { return sizeOf(def->getOperand(i)); };
  FailureOr<Size> result = failure();
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto attr = dyn_cast<IntegerAttr>(c.getValue());
    if (!attr)
      return fail();
    result = constant(attr.getInt());
  } else if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
                 arith::ExtUIOp, arith::TruncIOp>(def)) {
    result = operandSize(0);
  } else if (auto dim = dyn_cast<memref::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    if (!index)
      return fail();
    if (failed(bufferFor(dim.getSource())))
      return failure();
    const Layout &layout = layouts[dim.getSource()];
    if (*index < 0 || *index >= (int64_t)layout.sizes.size())
      return fail();
    result = layout.sizes[*index];
  } else if (auto apply = dyn_cast<affine::AffineApplyOp>(def)) {
    AffineMap map = apply.getAffineMap();
    SmallVector<Size> operands;
    for (Value o : apply.getOperands()) {
      FailureOr<Size> s = sizeOf(o);
      if (failed(s))
        return failure();
      operands.push_back(*s);
    }
    ArrayRef<Size> all(operands);
    result = affineSize(map.getResult(0), all.take_front(map.getNumDims()),
                        all.drop_front(map.getNumDims()));
    if (failed(result))
      return fail();
  } else if (isa<affine::AffineMinOp, affine::AffineMaxOp>(def)) {
    AffineMap map = isa<affine::AffineMinOp>(def)
                        ? cast<affine::AffineMinOp>(def).getAffineMap()
                        : cast<affine::AffineMaxOp>(def).getAffineMap();
    SmallVector<Size> operands;
    for (Value o : def->getOperands()) {
      FailureOr<Size> s = sizeOf(o);
      if (failed(s))
        return failure();
      operands.push_back(*s);
    }
    ArrayRef<Size> all(operands);
    std::optional<Size> acc;
    for (AffineExpr e : map.getResults()) {
      FailureOr<Size> s = affineSize(e, all.take_front(map.getNumDims()),
                                     all.drop_front(map.getNumDims()));
      if (failed(s))
        return fail();
      acc = acc ? binary(isa<affine::AffineMinOp>(def) ? ANVIL_EXPR_MIN
                                                       : ANVIL_EXPR_MAX,
                         *acc, *s)
                : *s;
    }
    if (!acc)
      return fail();
    result = *acc;
  } else {
    std::optional<uint32_t> opcode =
        llvm::TypeSwitch<Operation *, std::optional<uint32_t>>(def)
            .Case<arith::AddIOp>([](auto) { return ANVIL_EXPR_ADD; })
            .Case<arith::SubIOp>([](auto) { return ANVIL_EXPR_SUB; })
            .Case<arith::MulIOp>([](auto) { return ANVIL_EXPR_MUL; })
            // Sizes are non-negative, where truncating and floor division
            // agree.
            .Case<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(
                [](auto) { return ANVIL_EXPR_FLOORDIV; })
            .Case<arith::CeilDivSIOp, arith::CeilDivUIOp>(
                [](auto) { return ANVIL_EXPR_CEILDIV; })
            .Case<arith::RemSIOp, arith::RemUIOp>(
                [](auto) { return ANVIL_EXPR_MOD; })
            .Case<arith::MinSIOp, arith::MinUIOp>(
                [](auto) { return ANVIL_EXPR_MIN; })
            .Case<arith::MaxSIOp, arith::MaxUIOp>(
                [](auto) { return ANVIL_EXPR_MAX; })
            .Default([](auto) { return std::nullopt; });
    if (!opcode)
      return fail();
    FailureOr<Size> a = operandSize(0), b = operandSize(1);
    if (failed(a) || failed(b))
      return failure();
    result = binary(*opcode, *a, *b);
  }
  if (succeeded(result))
    sizes[v] = *result;
  return result;
}

FailureOr<std::vector<Size>>
PlanBuilder::shapeOf(MemRefType type, ValueRange dynamic, Operation *op) {
  std::vector<Size> dims;
  unsigned next = 0;
  for (int64_t d : type.getShape()) {
    if (!ShapedType::isDynamic(d)) {
      dims.push_back(constant(d));
      continue;
    }
    if (next >= dynamic.size())
      return op->emitError("missing dynamic size");
    FailureOr<Size> s = sizeOf(dynamic[next++]);
    if (failed(s))
      return failure();
    dims.push_back(*s);
  }
  return dims;
}

/// A buffer id for `v`: its root buffer when `v` covers the root exactly,
/// otherwise a view of the root.
FailureOr<int> PlanBuilder::bufferFor(Value v) {
  auto it = layouts.find(v);
  if (it == layouts.end())
    return emitError(v.getLoc(), "buffer has no known origin");
  const Layout &l = it->second;
  const Node &root = nodes[l.root];
  bool identity = l.offset.isConst && l.offset.value == 0 &&
                  l.sizes.size() == root.dims.size();
  if (identity) {
    std::vector<Size> strides = contiguousStrides(root.dims);
    for (size_t d = 0; d < l.sizes.size() && identity; ++d) {
      auto same = [](Size a, Size b) {
        return a.isConst == b.isConst && a.value == b.value;
      };
      identity = same(l.sizes[d], root.dims[d]) &&
                 (root.dims[d].isConst && root.dims[d].value == 1
                      ? true
                      : same(l.strides[d], strides[d]));
    }
  }
  if (identity)
    return l.root;
  Node view;
  view.kind = ANVIL_BUFFER_VIEW;
  view.dtype = root.dtype;
  view.ref = l.root;
  view.dims = l.sizes;
  view.strides = l.strides;
  view.offset = l.offset;
  return addNode(std::move(view));
}

LogicalResult PlanBuilder::addConstant(memref::GetGlobalOp op) {
  Layout layout;
  auto type = cast<MemRefType>(op.getType());
  if (auto it = constantNodes.find(op.getName()); it != constantNodes.end()) {
    layout.root = it->second;
  } else {
    auto global = module.lookupSymbol<memref::GlobalOp>(op.getNameAttr());
    if (!global || !global.getInitialValue())
      return op.emitError("constant '") << op.getName() << "' has no value";
    auto value = dyn_cast<ElementsAttr>(*global.getInitialValue());
    if (!value)
      return op.emitError("constant '") << op.getName() << "' is not dense";
    FailureOr<uint8_t> dtype = dtypeOf(type.getElementType());
    if (failed(dtype))
      return op.emitError("unsupported constant element type ")
             << type.getElementType();
    std::vector<char> &w = plan.weights;
    w.resize((w.size() + 63) / 64 * 64, 0);
    Node n;
    n.kind = ANVIL_BUFFER_CONSTANT;
    n.dtype = *dtype;
    n.offset = constant((int64_t)w.size());
    for (int64_t d : type.getShape())
      n.dims.push_back(constant(d));
    Type elementType = type.getElementType();
    unsigned bits = elementType.getIntOrFloatBitWidth();
    unsigned bytes = bits == 1 ? 1 : bits / 8;
    int64_t count = type.getNumElements();
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
      AsmResourceBlob *blob = resource.getRawHandle().getBlob();
      if (!blob || bits == 1)
        return op.emitError("weight blob of '")
               << op.getName() << "' is unavailable";
      ArrayRef<char> data = blob->getData();
      if ((int64_t)data.size() != count * (int64_t)bytes)
        return op.emitError("weight blob of '")
               << op.getName() << "' has " << data.size() << " bytes, expected "
               << count * bytes;
      w.insert(w.end(), data.begin(), data.end());
    } else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      auto put = [&](const APInt &bitsValue) {
        uint64_t raw = bitsValue.getZExtValue();
        for (unsigned i = 0; i < bytes; ++i)
          w.push_back((char)((raw >> (8 * i)) & 0xff));
      };
      if (isa<FloatType>(elementType)) {
        for (const APFloat &f : dense.getValues<APFloat>())
          put(f.bitcastToAPInt());
      } else {
        for (const APInt &i : dense.getValues<APInt>())
          put(bits == 1 ? APInt(8, i.getBoolValue()) : i);
      }
    } else {
      return op.emitError("constant '")
             << op.getName() << "' has an unsupported encoding";
    }
    n.byteSize = (uint64_t)count * bytes;
    layout.root = addNode(std::move(n));
    constantNodes[op.getName()] = layout.root;
  }
  layout.sizes = nodes[layout.root].dims;
  layout.strides = contiguousStrides(layout.sizes);
  layout.offset = constant(0);
  layouts[op.getResult()] = layout;
  return success();
}

LogicalResult PlanBuilder::visitView(Operation *op) {
  Value source = op->getOperand(0);
  auto it = layouts.find(source);
  if (it == layouts.end())
    return op->emitError("view of a buffer with no known origin");
  Layout src = it->second;
  Layout out;
  out.root = src.root;
  out.offset = src.offset;
  if (auto sub = dyn_cast<memref::SubViewOp>(op)) {
    llvm::SmallBitVector dropped = sub.getDroppedDims();
    auto offsets = sub.getMixedOffsets();
    auto sizesOf = sub.getMixedSizes();
    auto stridesOf = sub.getMixedStrides();
    for (size_t d = 0; d < offsets.size(); ++d) {
      FailureOr<Size> o = sizeOf(offsets[d]), s = sizeOf(sizesOf[d]),
                      st = sizeOf(stridesOf[d]);
      if (failed(o) || failed(s) || failed(st))
        return failure();
      out.offset = binary(ANVIL_EXPR_ADD, out.offset,
                          binary(ANVIL_EXPR_MUL, *o, src.strides[d]));
      if (dropped.test(d))
        continue;
      out.sizes.push_back(*s);
      out.strides.push_back(binary(ANVIL_EXPR_MUL, *st, src.strides[d]));
    }
  } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
    SmallVector<OpFoldResult> shape = expand.getMixedOutputShape();
    for (OpFoldResult s : shape) {
      FailureOr<Size> size = sizeOf(s);
      if (failed(size))
        return failure();
      out.sizes.push_back(*size);
    }
    out.strides.resize(out.sizes.size());
    for (auto [srcDim, group] :
         llvm::enumerate(expand.getReassociationIndices())) {
      Size stride = src.strides[srcDim];
      for (int64_t j = (int64_t)group.size() - 1; j >= 0; --j) {
        out.strides[group[j]] = stride;
        stride = binary(ANVIL_EXPR_MUL, stride, out.sizes[group[j]]);
      }
    }
  } else if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    for (const auto &group : collapse.getReassociationIndices()) {
      std::vector<Size> factors;
      for (int64_t d : group)
        factors.push_back(src.sizes[d]);
      out.sizes.push_back(product(factors));
      out.strides.push_back(group.empty() ? constant(1)
                                          : src.strides[group.back()]);
    }
  } else if (isa<memref::CastOp>(op)) {
    out = src;
  } else if (auto re = dyn_cast<memref::ReinterpretCastOp>(op)) {
    FailureOr<Size> o = sizeOf(re.getMixedOffsets()[0]);
    if (failed(o))
      return failure();
    out.offset = *o;
    for (auto [s, st] : llvm::zip(re.getMixedSizes(), re.getMixedStrides())) {
      FailureOr<Size> size = sizeOf(s), stride = sizeOf(st);
      if (failed(size) || failed(stride))
        return failure();
      out.sizes.push_back(*size);
      out.strides.push_back(*stride);
    }
  } else {
    return op->emitError("unsupported view");
  }
  layouts[op->getResult(0)] = out;
  return success();
}

LogicalResult PlanBuilder::visit(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
    auto type = cast<MemRefType>(op->getResult(0).getType());
    if (!type.getLayout().isIdentity())
      return op->emitError("allocation with a non-identity layout");
    FailureOr<uint8_t> dtype = dtypeOf(type.getElementType());
    if (failed(dtype))
      return op->emitError("unsupported element type ")
             << type.getElementType();
    FailureOr<std::vector<Size>> dims = shapeOf(type, op->getOperands(), op);
    if (failed(dims))
      return failure();
    Layout layout;
    if (auto it = claimedAllocs.find(op); it != claimedAllocs.end()) {
      // The model returns this buffer: compute straight into the caller's
      // output memory; the output node's dims are set at the return.
      Node n;
      n.kind = ANVIL_BUFFER_OUTPUT;
      n.dtype = *dtype;
      n.ref = it->second;
      layout.root = addNode(std::move(n));
      outputNodes[it->second] = layout.root;
      nodes[layout.root].dims = *dims;
    } else {
      Node n;
      n.kind = ANVIL_BUFFER_TEMP;
      n.dtype = *dtype;
      n.dims = *dims;
      layout.root = addNode(std::move(n));
    }
    layout.sizes = *dims;
    layout.strides = contiguousStrides(*dims);
    layout.offset = constant(0);
    layouts[op->getResult(0)] = layout;
    return success();
  }
  if (auto get = dyn_cast<memref::GetGlobalOp>(op))
    return addConstant(get);
  if (isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
          memref::CastOp, memref::ReinterpretCastOp>(op))
    return visitView(op);
  if (auto dispatch = dyn_cast<anvil::kernel::DispatchOp>(op)) {
    Step step;
    step.kind = ANVIL_STEP_KERNEL;
    auto [it, inserted] = kernelIndex.try_emplace(
        dispatch.getKernel(), (uint32_t)plan.kernelSymbols.size());
    if (inserted)
      plan.kernelSymbols.push_back(dispatch.getKernel().str());
    step.kernel = it->second;
    if (Value grid = dispatch.getGrid()) {
      FailureOr<Size> extent = sizeOf(grid);
      if (failed(extent))
        return failure();
      step.gridKind = 1;
      step.gridExtent = *extent;
    }
    for (Value arg : dispatch.getArgs()) {
      FailureOr<int> id = bufferFor(arg);
      if (failed(id))
        return failure();
      step.args.push_back(*id);
      touch(rootOf(*id));
    }
    steps.push_back(std::move(step));
    return success();
  }
  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
      const Layout &l = layouts[value];
      auto parent = op->getParentOfType<func::FuncOp>();
      auto onnxType =
          parent.getResultAttrOfType<TypeAttr>(index, "anvil.element_type");
      auto node = outputNodes.find(index);
      if (node != outputNodes.end() &&
          nodes[node->second].kind == ANVIL_BUFFER_OUTPUT &&
          (unsigned)nodes[node->second].ref == index) {
        nodes[node->second].dims = l.sizes;
        if (onnxType)
          nodes[node->second].dtype = *dtypeOf(onnxType.getValue());
        outputs[index].first = node->second;
        continue;
      }
      // An input, a constant or a buffer already returned: copy it.
      FailureOr<int> src = bufferFor(value);
      if (failed(src))
        return failure();
      Node out;
      out.kind = ANVIL_BUFFER_OUTPUT;
      Type resultType = onnxType ? onnxType.getValue()
                                 : getElementTypeOrSelf(value.getType());
      FailureOr<uint8_t> dtype = dtypeOf(resultType);
      if (failed(dtype))
        return op->emitError("model output #")
               << index << " has an unsupported element type " << resultType;
      out.dtype = *dtype;
      out.ref = index;
      out.dims = l.sizes;
      int dst = addNode(std::move(out));
      outputs[index].first = dst;
      Step step;
      step.kind = ANVIL_STEP_COPY;
      step.args = {(uint32_t)*src, (uint32_t)dst};
      touch(rootOf(*src));
      steps.push_back(std::move(step));
    }
    return success();
  }
  if (isa<memref::DeallocOp>(op))
    return success();
  if (isa<memref::DimOp, affine::AffineApplyOp, affine::AffineMinOp,
          affine::AffineMaxOp>(op) ||
      isa<arith::ArithDialect>(op->getDialect()))
    return success(); // sizes are evaluated where they are used
  return op->emitError("'")
         << op->getName() << "' cannot appear in the runtime's schedule";
}

FailureOr<Plan> PlanBuilder::build(func::FuncOp host) {
  // Inputs.
  for (auto [i, arg] : llvm::enumerate(host.getArguments())) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return host.emitError("model input #") << i << " is not a buffer";
    auto onnxType = host.getArgAttrOfType<TypeAttr>(i, "anvil.element_type");
    FailureOr<uint8_t> dtype =
        dtypeOf(onnxType ? onnxType.getValue() : type.getElementType());
    if (failed(dtype))
      return host.emitError("model input #")
             << i << " has an unsupported element type "
             << type.getElementType();
    Node n;
    n.kind = ANVIL_BUFFER_INPUT;
    n.dtype = *dtype;
    n.ref = i;
    for (auto [d, size] : llvm::enumerate(type.getShape()))
      n.dims.push_back(
          ShapedType::isDynamic(size)
              ? intern({{ANVIL_EXPR_INPUT_DIM, (int64_t)((i << 16) | d)}})
              : constant(size));
    Layout layout;
    layout.sizes = n.dims;
    layout.strides = contiguousStrides(n.dims);
    layout.offset = constant(0);
    layout.root = addNode(std::move(n));
    layouts[arg] = layout;
    auto name = host.getArgAttrOfType<StringAttr>(i, "anvil.name");
    inputs.push_back({(uint32_t)layout.root,
                      name ? name.str() : "input" + std::to_string(i)});
  }
  // Outputs that are freshly allocated buffers are computed in place in the
  // caller's memory; the others are copied there at the end.
  auto ret = cast<func::ReturnOp>(host.getBody().front().getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto name = host.getResultAttrOfType<StringAttr>(index, "anvil.name");
    outputs.push_back(
        {0, name ? name.str() : "output" + std::to_string(index)});
    Operation *def = value.getDefiningOp();
    if (def && isa<memref::AllocOp, memref::AllocaOp>(def) &&
        !claimedAllocs.count(def))
      claimedAllocs[def] = index;
  }
  for (Operation &op : host.getBody().front())
    if (failed(visit(&op)))
      return failure();
  serialize();
  return std::move(plan);
}

void PlanBuilder::serialize() {
  // Views come last so that each refers to an earlier buffer.
  std::vector<int> order, newId(nodes.size());
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < nodes.size(); ++i)
      if ((nodes[i].kind == ANVIL_BUFFER_VIEW) == (pass == 1)) {
        newId[i] = (int)order.size();
        order.push_back((int)i);
      }
  std::vector<char> &out = plan.planBytes;
  auto u8 = [&](uint8_t v) { out.push_back((char)v); };
  auto u16 = [&](uint16_t v) {
    for (int i = 0; i < 2; ++i)
      out.push_back((char)(v >> (8 * i)));
  };
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back((char)(v >> (8 * i)));
  };
  auto i64 = [&](int64_t v) {
    for (int i = 0; i < 8; ++i)
      out.push_back((char)((uint64_t)v >> (8 * i)));
  };
  auto size = [&](Size s) { i64(s.isConst ? s.value : -s.value - 1); };
  auto str = [&](const std::string &s) {
    u32((uint32_t)s.size());
    out.insert(out.end(), s.begin(), s.end());
  };
  out.insert(out.end(), ANVIL_PLAN_MAGIC, ANVIL_PLAN_MAGIC + 8);
  u32(ANVIL_PLAN_VERSION);
  u32(programs.size());
  u32(nodes.size());
  u32(inputs.size());
  u32(outputs.size());
  u32(steps.size());
  u32(plan.kernelSymbols.size());
  for (const Program &p : programs) {
    u32(p.size());
    for (auto [opcode, operand] : p) {
      u32(opcode);
      u32(0);
      i64(operand);
    }
  }
  for (int i : order) {
    const Node &n = nodes[i];
    u8(n.kind);
    u8(n.dtype);
    u16(n.dims.size());
    u32(n.kind == ANVIL_BUFFER_VIEW ? newId[n.ref] : n.ref);
    for (Size d : n.dims)
      size(d);
    if (n.kind == ANVIL_BUFFER_VIEW)
      for (Size s : n.strides)
        size(s);
    size(n.offset);
    i64(n.byteSize);
    u32(n.kind == ANVIL_BUFFER_TEMP ? std::max<int64_t>(n.firstStep, 0) : 0);
    u32(n.kind == ANVIL_BUFFER_TEMP ? std::max<int64_t>(n.lastStep, 0) : 0);
  }
  for (auto &[node, name] : inputs) {
    u32(newId[node]);
    str(name);
  }
  for (auto &[node, name] : outputs) {
    u32(newId[node]);
    str(name);
  }
  for (const Step &s : steps) {
    u32(s.kind);
    if (s.kind == ANVIL_STEP_COPY) {
      u32(newId[s.args[0]]);
      u32(newId[s.args[1]]);
      continue;
    }
    u32(s.kernel);
    u32(s.gridKind);
    size(s.gridExtent);
    u32(s.args.size());
    for (uint32_t a : s.args)
      u32(newId[a]);
  }
}

} // namespace

FailureOr<Plan> anvil::cpu::extractPlan(ModuleOp module) {
  SmallVector<func::FuncOp> hosts;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn->hasAttr(anvil::kernel::kTuningAttrName) && !fn.isExternal())
      hosts.push_back(fn);
  if (hosts.size() != 1)
    return module.emitError("expected one model function, found ")
           << hosts.size();
  PlanBuilder builder(module);
  FailureOr<Plan> plan = builder.build(hosts.front());
  if (failed(plan))
    return failure();
  // Weights now live in the plan; the kernels module keeps only kernels.
  hosts.front().erase();
  for (auto global :
       llvm::make_early_inc_range(module.getOps<memref::GlobalOp>()))
    if (SymbolTable::symbolKnownUseEmpty(global, module))
      global.erase();
  return plan;
}

std::unique_ptr<llvm::TargetMachine>
anvil::cpu::createTargetMachine(const std::string &cpu, unsigned optLevel,
                                std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpuName = cpu, features;
  if (cpu.empty() || cpu == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    features = f.getString();
  } else {
    const llvm::MCSubtargetInfo *info =
        target->createMCSubtargetInfo(triple, "", "");
    if (!info || !info->isCPUStringValid(cpuName)) {
      delete info;
      error = "unknown CPU '" + cpu + "' for " + triple.str() +
              " (try 'llc -mcpu=help')";
      return nullptr;
    }
    delete info;
  }
  llvm::TargetOptions options;
  auto level = optLevel == 0   ? llvm::CodeGenOptLevel::None
               : optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                               : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(
      target->createTargetMachine(triple, cpuName, features, options,
                                  llvm::Reloc::PIC_, std::nullopt, level));
}

std::optional<VectorTarget> anvil::cpu::vectorTarget(const std::string &cpu,
                                                     std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(cpu, 0, error);
  if (!tm)
    return std::nullopt;
  const llvm::MCSubtargetInfo *info = tm->getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return VectorTarget{16, 32};
  if (info->checkFeatures("+avx"))
    return VectorTarget{8, 16};
  return VectorTarget{4, 16};
}

std::unique_ptr<llvm::Module>
anvil::cpu::translateAndOptimize(ModuleOp module, llvm::LLVMContext &ctx,
                                 llvm::TargetMachine &tm, unsigned optLevel,
                                 std::string &error) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, ctx, "anvil_kernels");
  if (!llvmModule) {
    error = "cannot translate kernels to LLVM IR";
    return nullptr;
  }
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  auto optimize = makeOptimizingTransformer(optLevel, 0, &tm);
  if (llvm::Error e = optimize(llvmModule.get())) {
    error = llvm::toString(std::move(e));
    return nullptr;
  }
  return llvmModule;
}

bool anvil::cpu::emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                                 bool assembly,
                                 llvm::SmallVectorImpl<char> &out,
                                 std::string &error) {
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             assembly ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}

static bool writeFile(const llvm::Twine &path, llvm::ArrayRef<char> data,
                      std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path.str(), ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  os.write(data.data(), data.size());
  os.close();
  if (os.has_error()) {
    error = "cannot write '" + path.str() + "'";
    os.clear_error();
    return false;
  }
  return true;
}

bool anvil::cpu::linkArtifact(llvm::ArrayRef<char> object, const Plan &plan,
                              const std::string &outputPath,
                              std::string &error) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("anvil-link", dir)) {
    error = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(dir); });
  auto path = [&](const char *name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  std::string asmText = "# Plan and weights of an Anvil artifact (generated).\n"
                        "  .section .rodata.anvil_plan,\"a\"\n  .balign 64\n"
                        "  .globl anvil_plan_begin\nanvil_plan_begin:\n"
                        "  .incbin \"" +
                        path("plan.bin") +
                        "\"\n"
                        "  .globl anvil_plan_end\nanvil_plan_end:\n"
                        "  .section .rodata.anvil_weights,\"a\"\n  .balign 64\n"
                        "  .globl anvil_weights_begin\nanvil_weights_begin:\n"
                        "  .incbin \"" +
                        path("weights.bin") +
                        "\"\n"
                        "  .globl anvil_weights_end\nanvil_weights_end:\n"
                        "  .byte 0\n"
                        "  .section .rodata.anvil_kernel_names,\"a\"\n"
                        "  .globl anvil_kernel_names_begin\n"
                        "anvil_kernel_names_begin:\n"
                        "  .incbin \"" +
                        path("names.bin") +
                        "\"\n"
                        "  .globl anvil_kernel_names_end\n"
                        "anvil_kernel_names_end:\n"
                        "  .section .note.GNU-stack,\"\",@progbits\n";
  // Each kernel's function name, NUL-terminated, in plan order: what a
  // runtime profile calls the kernel.
  std::string names;
  for (const std::string &symbol : plan.kernelSymbols)
    names += symbol + '\0';
  if (!writeFile(path("kernels.o"), object, error) ||
      !writeFile(path("plan.bin"), plan.planBytes, error) ||
      !writeFile(path("weights.bin"), plan.weights, error) ||
      !writeFile(path("names.bin"), names, error) ||
      !writeFile(path("data.S"), asmText, error))
    return false;
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("cc");
  if (!cc) {
    error = "no C compiler driver 'cc' on PATH to link the artifact "
            "(install build-essential)";
    return false;
  }
  std::string out = path("artifact.so");
  std::string o = path("kernels.o"), s = path("data.S");
  llvm::SmallVector<llvm::StringRef> args = {
      *cc, "-shared", "-o", out, o, s, "-lm", "-Wl,-z,noexecstack"};
  std::string linkError;
  int rc =
      llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &linkError);
  if (rc != 0) {
    error = "linking the artifact failed" +
            (linkError.empty() ? std::string() : ": " + linkError);
    return false;
  }
  // Copy rather than rename: the temporary directory may be on another
  // file system. Write next to the target, then rename over it.
  std::string staging = outputPath + ".anvil-tmp";
  if (std::error_code ec = llvm::sys::fs::copy_file(out, staging)) {
    error = "cannot write '" + outputPath + "': " + ec.message();
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::rename(staging, outputPath)) {
    llvm::sys::fs::remove(staging);
    error = "cannot write '" + outputPath + "': " + ec.message();
    return false;
  }
  return true;
}

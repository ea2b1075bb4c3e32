//===- Importer.cpp - Loading ONNX models and the NodeImporter helpers ------===//
#include "frontend/onnx/Importer.h"
#include "frontend/onnx/GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/defs/parser.h>

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

static bool looksLikeText(StringRef data) {
  StringRef head = data.take_front(256).ltrim();
  return head.starts_with("<") || head.starts_with("ir_version") ||
         head.starts_with("opset_import");
}

OwningOpRef<ModuleOp> anvil::onnx_frontend::importOnnxFile(MLIRContext &context,
                                                           StringRef path,
                                                           const ImportOptions &options) {
  registerImportDialects(context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                                   /*RequiresNullTerminator=*/true);
  if (!buffer) {
    emitError(fileLoc) << "cannot read model: " << buffer.getError().message();
    return nullptr;
  }
  StringRef data = (*buffer)->getBuffer();
  if (data.empty()) {
    emitError(fileLoc) << "model file is empty";
    return nullptr;
  }

  onnx::ModelProto model;
  bool text = path.ends_with(".onnxtxt") || path.ends_with(".onnx.txt") ||
              (!path.ends_with(".onnx") && looksLikeText(data));
  if (text) {
    onnx::OnnxParser parser(data.data());
    auto status = parser.Parse(model);
    if (!status.IsOK()) {
      std::string msg = status.ErrorMessage();
      std::replace(msg.begin(), msg.end(), '\n', ' ');
      emitError(fileLoc) << "cannot parse ONNX text syntax: " << msg;
      return nullptr;
    }
  } else {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(data.data()), static_cast<int>(data.size()));
    stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
    if (data.size() > (size_t)std::numeric_limits<int>::max() ||
        !model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
      emitError(fileLoc) << "not a valid ONNX model: the file is not a complete ONNX "
                            "protobuf (truncated or another format?)"
                         << (looksLikeText(data) ? "; for ONNX text syntax use the "
                                                   ".onnxtxt extension"
                                                 : "");
      return nullptr;
    }
    if (!model.has_graph()) {
      emitError(fileLoc) << "not a valid ONNX model: it has no graph";
      return nullptr;
    }
  }
  buffer->reset(); // the protobuf holds its own copy now

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  GraphImporter importer(context, model, path, options);
  if (!importer.run(*module))
    return nullptr;
  return module;
}

void anvil::onnx_frontend::registerImportDialects(MLIRContext &context) {
  context.loadDialect<AnvilDialect, func::FuncDialect>();
}

const OpRegistry &anvil::onnx_frontend::opRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerMathImporters(r);
    registerNNImporters(r);
    registerTensorImporters(r);
    registerReductionImporters(r);
    registerQuantImporters(r);
    return r;
  }();
  return registry;
}

std::vector<std::string> anvil::onnx_frontend::supportedOpTypes() {
  std::vector<std::string> ops;
  for (const auto &entry : opRegistry())
    ops.push_back(entry.getKey().str());
  std::sort(ops.begin(), ops.end());
  return ops;
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

LogicalResult NodeImporter::fail(const Twine &message) {
  errored = true;
  // Unnamed nodes are called by their location name (op type and position).
  std::string name = node.name();
  if (auto nameLoc = dyn_cast<NameLoc>(loc))
    name = nameLoc.getName().str();
  return emitError(loc) << "node '" << name << "' (" << node.op_type() << ", opset " << opset
                        << "): " << message;
}

Value NodeImporter::input(int i) const {
  if (!hasInput(i))
    return {};
  return graph.lookup(node.input(i));
}

RankedTensorType NodeImporter::inputType(int i) const {
  Value v = input(i);
  return v ? mlir::cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

std::optional<SmallVector<int64_t>> NodeImporter::constInts(int i) const {
  Value v = input(i);
  if (!v)
    return std::nullopt;
  auto known = graph.knownInts.find(v);
  if (known != graph.knownInts.end()) {
    if (llvm::any_of(known->second, shape::isDynamic))
      return std::nullopt;
    return known->second;
  }
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<int64_t> out;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    bool isUnsigned = attr.getElementType().isUnsignedInteger();
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(isUnsigned ? (int64_t)x.getZExtValue() : x.getSExtValue());
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || !attr.getElementType().isInteger(64))
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    const int64_t *p = reinterpret_cast<const int64_t *>(bytes.data());
    out.assign(p, p + bytes.size() / 8);
    return out;
  }
  return std::nullopt;
}

std::optional<SmallVector<double>> NodeImporter::constFloats(int i) const {
  Value v = input(i);
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> out;
  if (isa<FloatType>(attr.getElementType())) {
    for (const APFloat &x : attr.getValues<APFloat>())
      out.push_back(x.convertToDouble());
  } else {
    for (const APInt &x : attr.getValues<APInt>())
      out.push_back(attr.getElementType().isUnsignedInteger() ? (double)x.getZExtValue()
                                                              : (double)x.getSExtValue());
  }
  return out;
}

const onnx::AttributeProto *NodeImporter::findAttr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool NodeImporter::hasAttr(StringRef name) const { return findAttr(name) != nullptr; }

bool NodeImporter::checkAttrType(const onnx::AttributeProto &a, int type, StringRef what) {
  // Old exporters leave `type` unset; accept those when the matching field is present.
  if (a.type() == type || a.type() == onnx::AttributeProto::UNDEFINED)
    return true;
  (void)fail("attribute '" + a.name() + "' must be " + what + ", got " +
             onnx::AttributeProto::AttributeType_Name(a.type()));
  return false;
}

int64_t NodeImporter::attrInt(StringRef name, int64_t dflt) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::INT, "an int"))
    return dflt;
  return a->i();
}

float NodeImporter::attrFloat(StringRef name, float dflt) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::FLOAT, "a float"))
    return dflt;
  return a->f();
}

std::string NodeImporter::attrString(StringRef name, StringRef dflt) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::STRING, "a string"))
    return dflt.str();
  return a->s();
}

SmallVector<int64_t> NodeImporter::attrInts(StringRef name) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::INTS, "a list of ints"))
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeImporter::attrFloats(StringRef name) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::FLOATS, "a list of floats"))
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *NodeImporter::attrTensor(StringRef name) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::TENSOR, "a tensor"))
    return nullptr;
  return &a->t();
}

void NodeImporter::setOutput(int i, Value v) {
  if (outputUsed(i))
    graph.bind(node.output(i), v);
}

Value NodeImporter::constI64(ArrayRef<int64_t> values, bool scalar) {
  auto type = scalar ? RankedTensorType::get({}, b.getI64Type())
                     : RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  auto attr = DenseIntElementsAttr::get(type, values);
  return ConstantOp::create(b, loc, type, attr);
}

Value NodeImporter::constScalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  TypedAttr attr;
  if (auto ft = dyn_cast<FloatType>(elementType)) {
    APFloat f(value);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    attr = DenseElementsAttr::get(type, f);
  } else {
    unsigned width = elementType.getIntOrFloatBitWidth();
    attr = DenseElementsAttr::get(type, APInt(width, (int64_t)value, /*isSigned=*/true,
                                              /*implicitTrunc=*/true));
  }
  return ConstantOp::create(b, loc, type, mlir::cast<ElementsAttr>(attr));
}

Value NodeImporter::cast(Value v, Type elementType) {
  auto t = mlir::cast<RankedTensorType>(v.getType());
  if (t.getElementType() == elementType)
    return v;
  return CastOp::create(b, loc, t.clone(elementType), v);
}

void NodeImporter::setKnownInts(Value v, ArrayRef<int64_t> values) {
  graph.knownInts[v] = SmallVector<int64_t>(values);
}

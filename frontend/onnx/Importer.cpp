//===- Importer.cpp - Loading ONNX models and the NodeImporter helpers
//------===//
#include "frontend/onnx/Importer.h"
#include "frontend/onnx/GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
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

/// Parses a binary model straight from the file (no second copy of the weights)
/// or a text-syntax model from memory.
static LogicalResult loadModel(StringRef path, Location fileLoc,
                               onnx::ModelProto &model) {
  if (llvm::sys::fs::is_directory(path)) {
    return emitError(fileLoc) << "cannot read model: it is a directory";
  }
  uint64_t size = 0;
  if (std::error_code err = llvm::sys::fs::file_size(path, size))
    return emitError(fileLoc) << "cannot read model: " << err.message();
  if (size == 0)
    return emitError(fileLoc) << "model file is empty";
  // Sniff the first bytes to tell ONNX text syntax from protobuf.
  auto head =
      llvm::MemoryBuffer::getFileSlice(path, std::min<uint64_t>(size, 256), 0,
                                       /*IsVolatile=*/false);
  if (!head)
    return emitError(fileLoc)
           << "cannot read model: " << head.getError().message();
  StringRef start = (*head)->getBuffer();
  bool text = path.ends_with(".onnxtxt") || path.ends_with(".onnx.txt") ||
              (!path.ends_with(".onnx") && looksLikeText(start));
  if (text) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer)
      return emitError(fileLoc)
             << "cannot read model: " << buffer.getError().message();
    onnx::OnnxParser parser((*buffer)->getBufferStart());
    onnx::Common::Status status;
    // ONNX's parser throws (std::stoll and friends) on some malformed numbers.
    try {
      status = parser.Parse(model);
    } catch (const std::exception &e) {
      return emitError(fileLoc)
             << "cannot parse ONNX text syntax: malformed number (" << e.what()
             << ")";
    }
    if (!status.IsOK()) {
      std::string msg = status.ErrorMessage();
      std::replace(msg.begin(), msg.end(), '\n', ' ');
      return emitError(fileLoc) << "cannot parse ONNX text syntax: " << msg;
    }
    return success();
  }
  if (size > (uint64_t)std::numeric_limits<int>::max())
    return emitError(fileLoc)
           << "model is larger than protobuf's 2 GiB limit; store the "
              "weights as external data";
  int fd;
  if (auto err = llvm::sys::fs::openFileForRead(path, fd))
    return emitError(fileLoc) << "cannot read model: " << err.message();
  bool parsed;
  {
    google::protobuf::io::FileInputStream file(fd);
    file.SetCloseOnDelete(true);
    google::protobuf::io::CodedInputStream stream(&file);
    stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
    parsed =
        model.ParseFromCodedStream(&stream) && stream.ConsumedEntireMessage();
  }
  if (!parsed)
    return emitError(fileLoc)
           << "not a valid ONNX model: the file is not a complete ONNX "
              "protobuf (truncated or another format?)"
           << (looksLikeText(start) ? "; for ONNX text syntax use the "
                                      ".onnxtxt extension"
                                    : "");
  if (!model.has_graph())
    return emitError(fileLoc) << "not a valid ONNX model: it has no graph";
  return success();
}

/// The value `spec` gives input `in`: a TensorProto file, or comma-separated
/// values shaped like the input (which must then have a static shape, or be
/// 1-D).
static FailureOr<onnx::TensorProto> boundValue(const onnx::ValueInfoProto &in,
                                               const std::string &spec,
                                               Location loc) {
  onnx::TensorProto t;
  auto fail = [&](const Twine &why) -> FailureOr<onnx::TensorProto> {
    return emitError(loc) << "--bind-input " << in.name() << "=" << spec << ": "
                          << why;
  };
  if (StringRef(spec).ends_with(".pb")) {
    auto buffer = llvm::MemoryBuffer::getFile(spec);
    if (!buffer)
      return fail("cannot read the file: " + buffer.getError().message());
    if (!t.ParseFromArray((*buffer)->getBufferStart(),
                          (int)(*buffer)->getBufferSize()))
      return fail("not an ONNX TensorProto file");
    t.set_name(in.name());
    return t;
  }
  const auto &tt = in.type().tensor_type();
  SmallVector<StringRef> parts;
  StringRef(spec).split(parts, ',', -1, /*KeepEmpty=*/false);
  int64_t count = parts.size(), declared = 1;
  bool staticShape = tt.has_shape();
  if (staticShape)
    for (const auto &d : tt.shape().dim())
      staticShape &= d.has_dim_value(), declared *= d.dim_value();
  if (staticShape) {
    if (declared != count)
      return fail("the input has " + Twine(declared) + " elements, " +
                  Twine(count) + " values given");
    for (const auto &d : tt.shape().dim())
      t.add_dims(d.dim_value());
  } else if (tt.has_shape() && tt.shape().dim_size() == 1) {
    t.add_dims(count);
  } else {
    return fail("values can only be listed for an input with a static shape "
                "or rank 1; use a .pb file");
  }
  t.set_data_type(tt.elem_type());
  t.set_name(in.name());
  for (StringRef p : parts) {
    p = p.trim();
    int64_t i;
    double f;
    switch (tt.elem_type()) {
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::BOOL:
      if (p.getAsInteger(10, i))
        return fail("'" + p + "' is not an integer");
      if (tt.elem_type() == onnx::TensorProto::INT64)
        t.add_int64_data(i);
      else
        t.add_int32_data((int32_t)i);
      break;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
      if (p.getAsDouble(f))
        return fail("'" + p + "' is not a number");
      if (tt.elem_type() == onnx::TensorProto::FLOAT)
        t.add_float_data((float)f);
      else
        t.add_double_data(f);
      break;
    default:
      return fail("values can only be listed for int32/int64/bool/float/"
                  "double inputs; use a .pb file");
    }
  }
  return t;
}

/// Moves each bound input into the initializers (an initializer with an
/// input's name replaces the input).
static LogicalResult bindInputs(onnx::ModelProto &model,
                                const std::map<std::string, std::string> &bound,
                                Location loc) {
  onnx::GraphProto *g = model.mutable_graph();
  for (const auto &[name, spec] : bound) {
    const onnx::ValueInfoProto *input = nullptr;
    for (const auto &in : g->input())
      if (in.name() == name)
        input = &in;
    bool isInitializer = false;
    for (const auto &init : g->initializer())
      isInitializer |= init.name() == name;
    if (!input || isInitializer)
      return emitError(loc) << "--bind-input names '" << name
                            << "', which is not an input of the model";
    FailureOr<onnx::TensorProto> value = boundValue(*input, spec, loc);
    if (failed(value))
      return failure();
    *g->add_initializer() = std::move(*value);
  }
  return success();
}

OwningOpRef<ModuleOp>
anvil::onnx_frontend::importOnnxFile(MLIRContext &context, StringRef path,
                                     const ImportOptions &options) {
  registerImportDialects(context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto model = std::make_shared<onnx::ModelProto>();
  if (failed(loadModel(path, fileLoc, *model)))
    return nullptr;
  if (failed(bindInputs(*model, options.boundInputs, fileLoc)))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  GraphImporter importer(context, std::move(model), path, options);
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
    registerLossImporters(r);
    registerIndexingImporters(r);
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
  // The first problem of a node is the one to report; later ones follow from
  // it.
  if (errored)
    return failure();
  errored = true;
  // Unnamed nodes are called by their location name (op type and position).
  std::string name = node.name();
  if (auto nameLoc = dyn_cast<NameLoc>(loc))
    name = nameLoc.getName().str();
  return emitError(loc) << "node '" << name << "' (" << node.op_type()
                        << ", opset " << opset << "): " << message;
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

/// The elements of a constant value as a DenseElementsAttr, reading small dense
/// resource blobs too (initializers such as Resize scales arrive as blobs).
static std::optional<DenseElementsAttr> constantElements(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  auto res = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!res || res.getType().getNumElements() > 4096 ||
      !res.getType().getElementType().isIntOrFloat() ||
      res.getType().getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(res.getType(), data, splat))
    return std::nullopt;
  return DenseElementsAttr::getFromRawBuffer(res.getType(), data);
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
  std::optional<DenseElementsAttr> attr = constantElements(v);
  if (!attr || !isa<IntegerType>(attr->getElementType()))
    return std::nullopt;
  bool isUnsigned = attr->getElementType().isUnsignedInteger();
  SmallVector<int64_t> out;
  for (const APInt &x : attr->getValues<APInt>())
    out.push_back(isUnsigned ? (int64_t)x.getZExtValue() : x.getSExtValue());
  return out;
}

std::optional<SmallVector<int64_t>> NodeImporter::knownInts(int i) const {
  Value v = input(i);
  if (!v)
    return std::nullopt;
  auto it = graph.knownInts.find(v);
  if (it != graph.knownInts.end())
    return it->second;
  if (auto c = constInts(i))
    return c;
  auto t = inputType(i);
  if (t.getRank() == 1 && !shape::isDynamic(t.getDimSize(0)))
    return SmallVector<int64_t>(t.getDimSize(0), shape::kDynamic);
  if (t.getRank() == 0)
    return SmallVector<int64_t>{shape::kDynamic};
  return std::nullopt;
}

std::optional<SmallVector<double>> NodeImporter::constFloats(int i) const {
  std::optional<DenseElementsAttr> attr = constantElements(input(i));
  if (!attr)
    return std::nullopt;
  SmallVector<double> out;
  Type et = attr->getElementType();
  if (isa<FloatType>(et)) {
    for (const APFloat &x : attr->getValues<APFloat>()) {
      APFloat d = x;
      bool lost;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(d.convertToDouble());
    }
  } else if (isa<IntegerType>(et)) {
    for (const APInt &x : attr->getValues<APInt>())
      out.push_back(et.isUnsignedInteger() ? (double)x.getZExtValue()
                                           : (double)x.getSExtValue());
  } else {
    return std::nullopt;
  }
  return out;
}

const onnx::AttributeProto *NodeImporter::findAttr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool NodeImporter::hasAttr(StringRef name) const {
  return findAttr(name) != nullptr;
}

bool NodeImporter::checkAttrType(const onnx::AttributeProto &a, int type,
                                 StringRef what) {
  // Old exporters leave `type` unset; accept those when the matching field is
  // present.
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
  if (!a ||
      !checkAttrType(*a, onnx::AttributeProto::FLOATS, "a list of floats"))
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *NodeImporter::attrTensor(StringRef name) {
  const auto *a = findAttr(name);
  if (!a || !checkAttrType(*a, onnx::AttributeProto::TENSOR, "a tensor"))
    return nullptr;
  return &a->t();
}

FailureOr<int64_t> NodeImporter::axisAttr(StringRef name, int64_t dflt,
                                          int64_t rank) {
  int64_t axis = attrInt(name, dflt);
  std::optional<int64_t> normalized = shape::normalizeAxis(axis, rank);
  if (!normalized)
    return fail("attribute '" + name + "' = " + std::to_string(axis) +
                " is out of range for rank " + std::to_string(rank));
  return *normalized;
}

FailureOr<SmallVector<int64_t>>
NodeImporter::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank,
                            bool allowRepeats) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    std::optional<int64_t> normalized = shape::normalizeAxis(a, rank);
    if (!normalized)
      return fail("axis " + std::to_string(a) + " is out of range for rank " +
                  std::to_string(rank));
    if (!allowRepeats && llvm::is_contained(out, *normalized))
      return fail("axes contain a duplicate");
    out.push_back(*normalized);
  }
  return out;
}

void NodeImporter::setOutput(int i, Value v) {
  if (outputUsed(i))
    graph.bind(node.output(i), v);
}

Value NodeImporter::constI64(ArrayRef<int64_t> values, bool scalar) {
  auto type =
      scalar ? RankedTensorType::get({}, b.getI64Type())
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
    attr = DenseElementsAttr::get(type, APInt(width, (int64_t)value,
                                              /*isSigned=*/true,
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

SmallVector<DimRef> NodeImporter::dimSources(int i) const {
  auto it = graph.dimSources.find(input(i));
  return it == graph.dimSources.end() ? SmallVector<DimRef>() : it->second;
}

void NodeImporter::setDimSources(Value v, ArrayRef<DimRef> sources) {
  if (llvm::any_of(sources, [](const DimRef &d) { return (bool)d.first; }))
    graph.dimSources[v] = SmallVector<DimRef>(sources);
}

void NodeImporter::setKnownInts(Value v, ArrayRef<int64_t> values) {
  graph.knownInts[v] = SmallVector<int64_t>(values);
}

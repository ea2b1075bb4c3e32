//===- GraphImporter.cpp - Imports one ONNX graph into func.func
//------------===//
//
// Checks the model's structure before anything is built (undefined names,
// cycles, missing outputs, unsupported ops — all of them reported in one run),
// converts initializers to constants (dense resource blobs for weights), then
// imports the nodes in topological order through the per-op importers.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/defs/data_type_utils.h>
#include <onnx/defs/schema.h>

#include <deque>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_frontend;

// The newest default-domain opset whose op changes this importer has been
// written against.
static constexpr int64_t kNewestOpset = 28;

Type anvil::onnx_frontend::convertElementType(MLIRContext &ctx, int32_t t) {
  Builder b(&ctx);
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::UINT8:
    return IntegerType::get(&ctx, 8, IntegerType::Unsigned);
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(&ctx, 16, IntegerType::Unsigned);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::UINT32:
    return IntegerType::get(&ctx, 32, IntegerType::Unsigned);
  case onnx::TensorProto::UINT64:
    return IntegerType::get(&ctx, 64, IntegerType::Unsigned);
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  // Newer than the ONNX 1.12 headers, so spelled as numbers.
  case 17:
    return b.getType<Float8E4M3FNType>();
  case 18:
    return b.getType<Float8E4M3FNUZType>();
  case 19:
    return b.getType<Float8E5M2Type>();
  case 20:
    return b.getType<Float8E5M2FNUZType>();
  case 21:
    return IntegerType::get(&ctx, 4, IntegerType::Unsigned);
  case 22:
    return b.getIntegerType(4);
  case 23:
    return b.getType<Float4E2M1FNType>();
  case 24:
    return b.getType<Float8E8M0FNUType>();
  case 25:
    return IntegerType::get(&ctx, 2, IntegerType::Unsigned);
  case 26:
    return b.getIntegerType(2);
  default:
    return {};
  }
}

int32_t anvil::onnx_frontend::toOnnxElementType(Type t) {
  for (int32_t code = 1; code <= 26; ++code)
    if (Type candidate = convertElementType(*t.getContext(), code);
        candidate == t)
      return code;
  return 0;
}

std::string anvil::onnx_frontend::onnxTypeName(int32_t t) {
  static const char *names[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",
      "INT8",           "UINT16",     "INT16",
      "INT32",          "INT64",      "STRING",
      "BOOL",           "FLOAT16",    "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",
      "COMPLEX128",     "BFLOAT16",   "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
      "UINT4",          "INT4",       "FLOAT4E2M1",
      "FLOAT8E8M0",     "UINT2",      "INT2"};
  if (t >= 0 && t < (int32_t)std::size(names))
    return names[t];
  return "type #" + std::to_string(t);
}

GraphImporter::GraphImporter(MLIRContext &ctx,
                             std::shared_ptr<const onnx::ModelProto> modelProto,
                             StringRef path, const ImportOptions &options)
    : ctx(ctx), options(options), owner(std::move(modelProto)), model(*owner),
      path(path.str()) {}

Location GraphImporter::fileLoc() const {
  return FileLineColLoc::get(&ctx, path, 0, 0);
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, int index) const {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + "#" + std::to_string(index);
  return NameLoc::get(StringAttr::get(&ctx, name), fileLoc());
}

Value GraphImporter::lookup(const std::string &name) const {
  auto it = values.find(name);
  return it == values.end() ? Value() : it->second;
}

bool GraphImporter::checkOpset() {
  bool found = false;
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx") {
      opset = imp.version();
      found = true;
    }
  }
  if (!found && model.opset_import_size() == 0 && model.ir_version() < 3) {
    opset = 1; // IR versions before 3 had no opset_import: default opset 1
    found = true;
  }
  if (!found) {
    // Fine when no node uses the default domain: checkSupport names the foreign
    // ops.
    bool usesDefault =
        llvm::any_of(model.graph().node(), [](const onnx::NodeProto &n) {
          return n.domain().empty() || n.domain() == "ai.onnx";
        });
    if (!usesDefault) {
      opset = kNewestOpset;
      return true;
    }
    emitError(fileLoc())
        << "model imports no version of the default ONNX domain "
           "(opset_import has no entry for domain '')";
    return false;
  }
  if (opset < 1 || opset > kNewestOpset) {
    emitError(fileLoc()) << "model uses default-domain opset " << opset
                         << ", outside the range Anvil supports (1-"
                         << kNewestOpset << ")";
    return false;
  }
  return true;
}

bool GraphImporter::checkStructure(std::vector<int> &order) {
  const onnx::GraphProto &g = model.graph();
  if (g.node_size() == 0 && g.output_size() == 0) {
    emitError(fileLoc())
        << "model has an empty graph (no nodes and no outputs)";
    return false;
  }
  if (g.output_size() == 0) {
    emitError(fileLoc()) << "graph declares no outputs";
    return false;
  }
  llvm::StringSet<> defined;
  for (const auto &in : g.input())
    defined.insert(in.name());
  for (const auto &init : g.initializer())
    defined.insert(init.name());
  for (const auto &init : g.sparse_initializer())
    defined.insert(init.values().name());

  // Kahn's algorithm over the node list; ONNX requires topological order but
  // does not always get it, so order is restored rather than assumed.
  std::unordered_map<std::string, int> producer;
  bool ok = true;
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto &out : g.node(i).output()) {
      if (out.empty())
        continue;
      if (defined.contains(out) || !producer.emplace(out, i).second) {
        emitError(nodeLoc(g.node(i), i))
            << "output name '" << out
            << "' is defined more than once in the graph";
        ok = false;
      }
    }
  }
  std::vector<int> pending(g.node_size(), 0);
  std::vector<std::vector<int>> users(g.node_size());
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto &in : g.node(i).input()) {
      if (in.empty() || defined.contains(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        Location loc = nodeLoc(g.node(i), i);
        emitError(loc) << "node '" << cast<NameLoc>(loc).getName().str()
                       << "' (" << g.node(i).op_type() << ") uses '" << in
                       << "', which is not a graph input, an initializer or "
                          "any node's output";
        ok = false;
        continue;
      }
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  if (!ok)
    return false;
  std::deque<int> ready;
  for (int i = 0; i < g.node_size(); ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if ((int)order.size() != g.node_size()) {
    // The unordered nodes are the cycles and whatever depends on them; peel off
    // nodes that feed no other unordered node until only the cycles remain.
    std::vector<bool> onCycle(g.node_size());
    for (int i = 0; i < g.node_size(); ++i)
      onCycle[i] = pending[i] > 0;
    for (bool changed = true; changed;) {
      changed = false;
      for (int i = 0; i < g.node_size(); ++i)
        if (onCycle[i] &&
            llvm::none_of(users[i], [&](int u) { return onCycle[u]; }))
          onCycle[i] = false, changed = true;
    }
    auto diag = emitError(fileLoc()) << "graph has a cycle through nodes: ";
    bool first = true;
    for (int i = 0; i < g.node_size(); ++i) {
      if (!onCycle[i])
        continue;
      diag << (first ? "" : ", ") << "'"
           << cast<NameLoc>(nodeLoc(g.node(i), i)).getName().str() << "' ("
           << g.node(i).op_type() << ")";
      first = false;
    }
    return false;
  }
  for (const auto &out : g.output()) {
    if (!defined.contains(out.name()) && !producer.count(out.name())) {
      emitError(fileLoc())
          << "graph output '" << out.name()
          << "' is not produced by any node, input or initializer";
      return false;
    }
  }
  return true;
}

bool GraphImporter::checkSupport() {
  const OpRegistry &registry = opRegistry();
  bool ok = true;
  for (int index = 0; index < model.graph().node_size(); ++index) {
    const onnx::NodeProto *node = &model.graph().node(index);
    const std::string &domain = node->domain();
    bool defaultDomain = domain.empty() || domain == "ai.onnx";
    if (!defaultDomain || !registry.count(node->op_type())) {
      int64_t version = opset;
      for (const auto &imp : model.opset_import())
        if (imp.domain() == domain)
          version = imp.version();
      Location loc = nodeLoc(*node, index);
      emitError(loc) << "node '" << cast<NameLoc>(loc).getName().str()
                     << "' (op " << node->op_type() << ", domain '" << domain
                     << "', opset " << version << "): unsupported op '"
                     << node->op_type() << "'";
      ok = false;
    }
  }
  return ok;
}

FailureOr<RankedTensorType>
GraphImporter::convertValueType(const onnx::ValueInfoProto &info,
                                bool isInput) {
  const std::string &name = info.name();
  if (!info.type().has_tensor_type()) {
    emitError(fileLoc())
        << (isInput ? "input" : "output") << " '" << name
        << "' is not a tensor (sequence, map and optional values are "
           "not supported)";
    return failure();
  }
  const auto &tt = info.type().tensor_type();
  Type element = convertElementType(ctx, tt.elem_type());
  if (!element) {
    emitError(fileLoc()) << (isInput ? "input" : "output") << " '" << name
                         << "' has unsupported element type "
                         << onnxTypeName(tt.elem_type());
    return failure();
  }
  shape::Shape dims;
  auto override = options.inputShapes.find(name);
  if (!tt.has_shape() && (!isInput || override == options.inputShapes.end())) {
    if (isInput) {
      emitError(fileLoc())
          << "input '" << name
          << "' has no shape (unknown rank); pin it with --input-shape " << name
          << "=D0xD1x...";
      return failure();
    }
    return RankedTensorType(); // outputs may omit their shape: inferred instead
  }
  if (tt.has_shape())
    for (const auto &d : tt.shape().dim())
      dims.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value()
                                                             : shape::kDynamic);
  if (isInput && override != options.inputShapes.end()) {
    const std::vector<int64_t> &pin = override->second;
    if (tt.has_shape() && pin.size() != dims.size()) {
      emitError(fileLoc()) << "--input-shape for '" << name << "' has "
                           << pin.size()
                           << " dimensions but the input has rank "
                           << dims.size();
      return failure();
    }
    dims.resize(pin.size(), shape::kDynamic);
    for (size_t i = 0; i < pin.size(); ++i) {
      if (pin[i] < 0)
        continue;
      if (!shape::isDynamic(dims[i]) && dims[i] != pin[i]) {
        emitError(fileLoc())
            << "--input-shape for '" << name << "' sets dimension " << i
            << " to " << pin[i] << " but the model fixes it to " << dims[i];
        return failure();
      }
      dims[i] = pin[i];
    }
  }
  return RankedTensorType::get(dims, element);
}

FailureOr<GraphImporter::TensorBytes>
GraphImporter::readExternalData(const onnx::TensorProto &t) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::strtoll(kv.value().c_str(), nullptr, 10);
    else if (kv.key() == "length")
      length = std::strtoll(kv.value().c_str(), nullptr, 10);
  }
  if (location.empty()) {
    emitError(fileLoc()) << "tensor '" << t.name()
                         << "' has external data without a location";
    return failure();
  }
  // External data must stay next to the model: no absolute paths, no escaping
  // upwards.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location),
                                    llvm::sys::path::end(location)),
                   [](StringRef part) { return part == ".."; })) {
    emitError(fileLoc()) << "tensor '" << t.name()
                         << "' points outside the model's folder ('" << location
                         << "')";
    return failure();
  }
  SmallString<256> full(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(full, location);
  std::shared_ptr<llvm::MemoryBuffer> &file = externalFiles[std::string(full)];
  if (!file) {
    // Mapped, not read: weights are used in place.
    auto buffer = llvm::MemoryBuffer::getFile(full, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      emitError(fileLoc()) << "cannot read external data '" << full
                           << "' of tensor '" << t.name()
                           << "': " << buffer.getError().message();
      return failure();
    }
    file = std::move(*buffer);
  }
  int64_t size = file->getBufferSize();
  if (length < 0)
    length = size - offset;
  if (offset < 0 || offset > size || length > size - offset) {
    emitError(fileLoc()) << "external data of tensor '" << t.name()
                         << "' (offset " << offset << ", length " << length
                         << ") lies outside '" << full << "' (" << size
                         << " bytes)";
    return failure();
  }
  return TensorBytes{StringRef(file->getBufferStart() + offset, length), file};
}

/// Bits per element as ONNX stores it in raw_data (sub-byte types are packed).
static int64_t storageBits(Type t) {
  if (t.isInteger(1))
    return 8;
  return t.getIntOrFloatBitWidth();
}

FailureOr<GraphImporter::TensorBytes>
GraphImporter::tensorBytes(const onnx::TensorProto &t, StringRef what,
                           int64_t bits) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return readExternalData(t);
  if (t.has_raw_data())
    return TensorBytes{t.raw_data(), owner};
  auto raw = std::make_shared<std::string>();
  auto append = [&](const void *p, size_t n) {
    raw->append(static_cast<const char *>(p), n);
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    append(t.float_data().data(), t.float_data_size() * 4);
    break;
  case onnx::TensorProto::DOUBLE:
    append(t.double_data().data(), t.double_data_size() * 8);
    break;
  case onnx::TensorProto::INT64:
    append(t.int64_data().data(), t.int64_data_size() * 8);
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    for (uint64_t v : t.uint64_data())
      append(&v, bits / 8);
    break;
  default:
    if (bits < 8) {
      emitError(fileLoc())
          << what << " '" << t.name()
          << "': sub-byte types are only supported as raw_data";
      return failure();
    }
    for (int32_t v : t.int32_data())
      append(&v, bits / 8); // little-endian host: the low bytes hold the value
    break;
  }
  return TensorBytes{*raw, raw};
}

FailureOr<ElementsAttr> GraphImporter::convertTensor(const onnx::TensorProto &t,
                                                     StringRef what) {
  Type element = convertElementType(ctx, t.data_type());
  if (!element) {
    emitError(fileLoc()) << what << " '" << t.name()
                         << "' has unsupported element type "
                         << onnxTypeName(t.data_type());
    return failure();
  }
  shape::Shape dims;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      emitError(fileLoc()) << what << " '" << t.name()
                           << "' has a negative dimension";
      return failure();
    }
    dims.push_back(d);
  }
  auto type = RankedTensorType::get(dims, element);
  int64_t count = type.getNumElements();
  int64_t bits = storageBits(element);

  FailureOr<TensorBytes> bytes = tensorBytes(t, what, bits);
  if (failed(bytes))
    return failure();
  StringRef raw = bytes->data;
  int64_t expectedBytes = (count * bits + 7) / 8;
  if ((int64_t)raw.size() != expectedBytes) {
    emitError(fileLoc()) << what << " '" << t.name() << "' holds " << raw.size()
                         << " bytes of data but its shape and type need "
                         << expectedBytes;
    return failure();
  }

  if (element.isInteger(1)) {
    SmallVector<bool> v(raw.begin(), raw.end());
    return cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef<bool>(v)));
  }
  if (bits < 8) { // unpack sub-byte values, low bits first
    SmallVector<APInt> v;
    for (int64_t i = 0; i < count; ++i) {
      int64_t bit = i * bits;
      uint8_t byte = static_cast<uint8_t>(raw[bit / 8]);
      v.push_back(APInt(bits, (byte >> (bit % 8)) & ((1u << bits) - 1)));
    }
    if (isa<FloatType>(element)) {
      SmallVector<APFloat> f;
      for (const APInt &x : v)
        f.push_back(APFloat(cast<FloatType>(element).getFloatSemantics(), x));
      return cast<ElementsAttr>(DenseElementsAttr::get(type, f));
    }
    return cast<ElementsAttr>(DenseElementsAttr::get(type, v));
  }
  // Scalars and short integer vectors (shapes, axes) stay inline so passes can
  // read them; everything else, weights above all, travels as a blob.
  if (count <= 1 ||
      (isa<IntegerType>(element) && count <= options.inlineConstantLimit)) {
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(
            type, ArrayRef<char>(raw.data(), raw.size()), detectedSplat)) {
      emitError(fileLoc()) << what << " '" << t.name()
                           << "' has malformed data";
      return failure();
    }
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size())));
  }
  std::string key = t.name().empty()
                        ? "constant_" + std::to_string(resourceCounter++)
                        : t.name();
  constexpr size_t align = alignof(uint64_t);
  AsmResourceBlob blob;
  if (reinterpret_cast<uintptr_t>(raw.data()) % align == 0) {
    // Zero copy: the blob keeps the bytes' owner (the model or a mapped file)
    // alive.
    blob = AsmResourceBlob(
        ArrayRef<char>(raw.data(), raw.size()), align,
        [keep = bytes->owner](void *, size_t, size_t) {},
        /*dataIsMutable=*/false);
  } else {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(raw.data(), raw.size()), align);
  }
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, key, std::move(blob)));
}

/// Checks that every required input of `node` is present, from the ONNX schema
/// (the newest the linked ONNX library knows) or, for newer ops, from their
/// minimum arity.
static LogicalResult checkRequiredInputs(NodeImporter &ni) {
  static const llvm::StringMap<int> newerOps = {
      {"Attention", 3},     {"BitCast", 1},          {"BitwiseAnd", 2},
      {"BitwiseNot", 1},    {"BitwiseOr", 2},        {"BitwiseXor", 2},
      {"CenterCropPad", 2}, {"CumProd", 2},          {"Gelu", 1},
      {"Mish", 1},          {"RMSNormalization", 2}, {"RotaryEmbedding", 3}};
  const onnx::NodeProto &node = ni.node;
  auto missing = [&](int i) {
    return ni.fail("required input #" + std::to_string(i) + " is missing");
  };
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), std::min<int64_t>(ni.opset, 17), "");
  if (!schema) {
    int required = newerOps.lookup(node.op_type());
    for (int i = 0; i < required; ++i)
      if (!ni.hasInput(i))
        return missing(i);
    return success();
  }
  const auto &formal = schema->inputs();
  for (int i = 0, e = formal.size(); i < e; ++i) {
    auto option = formal[i].GetOption();
    if (option == onnx::OpSchema::Single && !ni.hasInput(i))
      return missing(i);
    if (option == onnx::OpSchema::Variadic) {
      // A variadic list has no holes (ONNX leaves out only optional inputs).
      for (int j = i, e = std::max(schema->min_input(), node.input_size());
           j < e; ++j)
        if (!ni.hasInput(j))
          return missing(j);
      break;
    }
  }
  if (ni.opset > 17)
    return success(); // newer schemas than the linked ONNX knows: arity only
  if (node.input_size() > schema->max_input())
    return ni.fail("has " + std::to_string(node.input_size()) +
                   " inputs, at most " + std::to_string(schema->max_input()) +
                   " allowed");
  // Element types against the schema's type constraints; inputs that share a
  // constraint (e.g. both operands of Add are "T") must also agree.
  std::unordered_map<std::string, std::pair<int32_t, size_t>>
      bound; // type, formal

  for (int i = 0; i < node.input_size() && !formal.empty(); ++i) {
    if (!ni.hasInput(i))
      continue;
    size_t f = std::min<size_t>(i, formal.size() - 1);
    const auto &param = formal[f];
    if (i >= (int)formal.size() &&
        param.GetOption() != onnx::OpSchema::Variadic)
      break;
    int32_t code = toOnnxElementType(ni.inputType(i).getElementType());
    if (!code)
      continue;
    onnx::TypeProto tp;
    tp.mutable_tensor_type()->set_elem_type(code);
    onnx::DataType actual = onnx::Utils::DataTypeUtils::ToType(tp);
    if (!param.GetTypes().count(actual))
      return ni.fail("input #" + std::to_string(i) + " ('" + param.GetName() +
                     "') has type " + *actual + ", which " + node.op_type() +
                     "-" + std::to_string(schema->SinceVersion()) +
                     " does not accept");
    auto [it, fresh] =
        bound.emplace(param.GetTypeStr(), std::make_pair(code, f));
    // A heterogeneous variadic parameter may mix types; anything else bound to
    // one constraint may not.
    bool mayDiffer = it->second.second == f && !param.GetIsHomogeneous();
    if (!fresh && it->second.first != code && !mayDiffer)
      return ni.fail("inputs of type constraint '" + param.GetTypeStr() +
                     "' have different element types (" +
                     onnxTypeName(it->second.first) + " and " +
                     onnxTypeName(code) + ")");
  }
  return success();
}

bool GraphImporter::run(ModuleOp module) {
  std::vector<int> order; // node positions in the file, topologically sorted
  if (!checkOpset() || !checkStructure(order) || !checkSupport())
    return false;

  const onnx::GraphProto &g = model.graph();
  llvm::StringSet<> initNames;
  for (const auto &init : g.initializer())
    initNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : g.input()) {
    if (initNames.contains(in.name()))
      continue; // IR < 4 lists initializers as inputs too; the initializer wins
    FailureOr<RankedTensorType> t = convertValueType(in, /*isInput=*/true);
    if (failed(t))
      return false;
    argTypes.push_back(*t);
    argNames.push_back(in.name());
  }
  for (const auto &name : options.inputShapes)
    if (!llvm::is_contained(argNames, name.first)) {
      emitError(fileLoc()) << "--input-shape names '" << name.first
                           << "', which is not an input of the model";
      return false;
    }

  OpBuilder b(&ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, fileLoc(), "main",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "anvil.name", b.getStringAttr(name));
    bind(name, entry->getArgument(i));
  }
  b.setInsertionPointToStart(entry);

  for (const auto &init : g.initializer()) {
    FailureOr<ElementsAttr> value = convertTensor(init, "initializer");
    if (failed(value))
      return false;
    Location loc = NameLoc::get(b.getStringAttr(init.name()), fileLoc());
    bind(init.name(), ConstantOp::create(b, loc, value->getType(), *value));
  }
  if (g.sparse_initializer_size() > 0) {
    emitError(fileLoc())
        << "sparse initializers are not supported (initializer '"
        << g.sparse_initializer(0).values().name() << "')";
    return false;
  }

  const OpRegistry &registry = opRegistry();
  for (int index : order) {
    const onnx::NodeProto *node = &g.node(index);
    Location loc = nodeLoc(*node, index);
    NodeImporter ni(*this, *node, opset, b, loc);
    for (int i = 0; i < node->input_size(); ++i)
      if (ni.hasInput(i) && !lookup(node->input(i)))
        return (void)ni.fail("input '" + node->input(i) + "' has no value (a " +
                             "previous node did not produce it)"),
               false;
    if (failed(checkRequiredInputs(ni)) ||
        failed(registry.lookup(node->op_type())(ni)) || ni.hadError())
      return false;
    for (int i = 0; i < node->output_size(); ++i) {
      if (!ni.outputUsed(i))
        continue;
      Value v = lookup(node->output(i));
      if (!v)
        return (void)ni.fail("output #" + std::to_string(i) + " ('" +
                             node->output(i) +
                             "') is not produced by the importer"),
               false;
      // A safety net under the per-op checks: no shape with a negative size
      // gets out.
      auto shape = cast<RankedTensorType>(v.getType()).getShape();
      if (llvm::any_of(shape,
                       [](int64_t d) { return d < 0 && !shape::isDynamic(d); }))
        return (void)ni.fail(
                   "output #" + std::to_string(i) +
                   " would have a negative "
                   "dimension; the inputs or attributes are inconsistent"),
               false;
    }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : g.output()) {
    Value v = lookup(out.name());
    FailureOr<RankedTensorType> declared =
        convertValueType(out, /*isInput=*/false);
    if (failed(declared))
      return false;
    auto actual = cast<RankedTensorType>(v.getType());
    if (*declared &&
        (declared->getElementType() != actual.getElementType() ||
         !shape::compatible(declared->getShape(), actual.getShape()))) {
      emitError(fileLoc()) << "graph output '" << out.name()
                           << "' is declared as " << *declared
                           << " but the graph computes " << actual;
      return false;
    }
    results.push_back(v);
    resultTypes.push_back(actual);
  }
  func::ReturnOp::create(b, fileLoc(), results);
  func.setFunctionType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(g.output()))
    func.setResultAttr(i, "anvil.name", b.getStringAttr(out.name()));
  return succeeded(mlir::verify(module));
}

//===- ConstantBytes.h - The bytes of a constant, and constants from bytes ===//
//
// Passes that re-lay out a weight at compile time (ConvLayout's NHWC filters,
// SimplifyGraph's folds, --anvil-pack-weights' panels) read its raw bytes,
// whether the importer stored it as a resource blob or inline, and store the
// result the same way: a blob under a name derived from the source's, or
// inline. Header-only: both the graph passes and the CPU back end use it.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_PASSES_CONSTANTBYTES_H
#define ANVIL_PASSES_CONSTANTBYTES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstdint>
#include <string>

namespace anvil {

/// The raw little-endian bytes of a constant and, for a resource blob, its
/// key ("" for an inline DenseElementsAttr).
struct ConstantBytes {
  llvm::ArrayRef<char> bytes;
  std::string key;
};

/// The bytes of `attr`: a DenseResourceElementsAttr's blob or a
/// DenseElementsAttr's raw data (one element for a splat). Fails, with the
/// reason in `why`, for an unavailable blob or another encoding.
inline mlir::FailureOr<ConstantBytes> constantBytes(mlir::Attribute attr,
                                                    std::string &why) {
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(attr)) {
    mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) {
      why = "the weight's blob is unavailable";
      return mlir::failure();
    }
    return ConstantBytes{blob->getData(),
                         resource.getRawHandle().getKey().str()};
  }
  if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(attr))
    return ConstantBytes{dense.getRawData(), ""};
  why = "the weight is not dense";
  return mlir::failure();
}

/// A constant of `type` holding `bytes`: a blob named `key` (made unique by
/// the resource manager) when `key` is not empty, else inline.
inline mlir::ElementsAttr elementsFromBytes(mlir::ShapedType type,
                                            llvm::ArrayRef<char> bytes,
                                            llvm::StringRef key) {
  if (key.empty())
    return mlir::DenseElementsAttr::getFromRawBuffer(type, bytes);
  return mlir::DenseResourceElementsAttr::get(
      type, key,
      mlir::HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                          alignof(uint64_t)));
}

} // namespace anvil

#endif // ANVIL_PASSES_CONSTANTBYTES_H

//===- AnvilDialect.cpp - The anvil graph dialect
//---------------------------===//
#include "dialects/Graph/AnvilDialect.h"

using namespace mlir;

#include "dialects/Graph/AnvilDialect.cpp.inc"

void anvil::AnvilDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Graph/AnvilOps.cpp.inc"
      >();
}

Operation *anvil::AnvilDialect::materializeConstant(OpBuilder &builder,
                                                    Attribute value, Type type,
                                                    Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

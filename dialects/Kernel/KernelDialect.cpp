//===- KernelDialect.cpp - Dispatch-level ops and TuningConfig ------------===//
#include "dialects/Kernel/KernelDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace anvil::kernel;

#include "dialects/Kernel/KernelDialect.cpp.inc"

/// `[1, 2, 3]` or `[]`: the default ArrayRef syntax cannot spell an empty
/// list.
static ParseResult parseIntList(AsmParser &parser,
                                SmallVector<int64_t> &values) {
  return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
    return parser.parseInteger(values.emplace_back());
  });
}

static void printIntList(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

#define GET_ATTRDEF_CLASSES
#include "dialects/Kernel/KernelAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/Kernel/KernelOps.cpp.inc"

void KernelDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Kernel/KernelAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Kernel/KernelOps.cpp.inc"
      >();
}

LogicalResult DispatchOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto fn =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getKernelAttr());
  if (!fn)
    return emitOpError("kernel '") << getKernel() << "' is not a function";
  // A kernel takes the dispatched buffers plus the workgroup id and count.
  FunctionType type = fn.getFunctionType();
  if (type.getNumInputs() != getArgs().size() + 2 || type.getNumResults() != 0)
    return emitOpError("kernel '")
           << getKernel() << "' must take " << getArgs().size()
           << " buffers plus (workgroup id, workgroup count) and return "
              "nothing";
  for (auto [i, arg] : llvm::enumerate(getArgs())) {
    auto expected = dyn_cast<MemRefType>(type.getInput(i));
    auto actual = cast<MemRefType>(arg.getType());
    if (!expected || expected.getRank() != actual.getRank() ||
        expected.getElementType() != actual.getElementType())
      return emitOpError("buffer #")
             << i << " has type " << actual << " but the kernel expects "
             << type.getInput(i);
  }
  return success();
}

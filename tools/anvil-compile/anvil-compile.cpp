//===- anvil-compile.cpp - The Anvil compiler driver
//-----------------------===//
//
// Imports an ONNX model and emits the requested stage. Today the stage is the
// graph dialect
// (`--emit=graph`); later stages extend the same driver.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Importer.h"
#include "passes/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace frontend = anvil::onnx_frontend;

static cl::OptionCategory category("anvil-compile options");
static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<model.onnx | model.onnxtxt>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));
enum class Emit { Graph, Linalg };
static cl::opt<Emit> emit(
    "emit", cl::desc("Stage to emit"), cl::init(Emit::Graph),
    cl::values(
        clEnumValN(Emit::Graph, "graph",
                   "the imported anvil graph dialect module"),
        clEnumValN(Emit::Linalg, "linalg",
                   "linalg on tensors (the ops that have a lowering so far)")),
    cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Pin an input's shape, e.g. input=1x3x224x224 ('?' keeps a dim "
             "symbolic); repeatable"),
    cl::value_desc("NAME=D0xD1x..."), cl::cat(category));
static cl::opt<bool>
    emitBytecode("emit-bytecode",
                 cl::desc("Write MLIR bytecode instead of text"),
                 cl::cat(category));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the supported ONNX ops and exit"),
                             cl::cat(category));

/// "FILE" or "FILE: node 'NAME'" for a diagnostic, so that verifier errors
/// point at the ONNX node too (the importer's own messages already start with
/// the node).
static std::string describe(mlir::Diagnostic &diag) {
  std::string file, node;
  diag.getLocation()->walk([&](mlir::Location l) {
    if (auto f = dyn_cast<mlir::FileLineColLoc>(l); f && file.empty())
      file = f.getFilename().str();
    if (auto n = dyn_cast<mlir::NameLoc>(l); n && node.empty())
      node = n.getName().str();
    return mlir::WalkResult::advance();
  });
  std::string where = file.empty() ? std::string("<unknown>") : file;
  if (!node.empty() && !StringRef(diag.str()).starts_with("node '"))
    where += ": node '" + node + "'";
  return where;
}

static bool parseShape(StringRef spec, frontend::ImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty()) {
    errs()
        << "anvil-compile: error: --input-shape expects NAME=D0xD1x..., got '"
        << spec << "'\n";
    return false;
  }
  std::vector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p == "?" || p == "-1") {
      shape.push_back(-1);
    } else if (!p.getAsInteger(10, d) && d >= 0) {
      shape.push_back(d);
    } else {
      errs() << "anvil-compile: error: --input-shape '" << spec << "': '" << p
             << "' is not a dimension (a non-negative integer or '?')\n";
      return false;
    }
  }
  if (options.inputShapes.count(name.str())) {
    errs() << "anvil-compile: error: --input-shape given twice for '" << name
           << "'\n";
    return false;
  }
  options.inputShapes[name.str()] = shape;
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions({&category});
  cl::SetVersionPrinter(
      [](raw_ostream &os) { os << "anvil-compile (Anvil) 0.1.0\n"; });
  cl::ParseCommandLineOptions(
      argc, argv,
      "Anvil: compile ONNX models to native kernels.\n\n"
      "  anvil-compile MODEL.onnx --emit=graph [-o OUT.mlir] [--input-shape "
      "NAME=1x3x224x224]\n\n"
      "Reads binary ONNX (.onnx, with external data next to it) or ONNX text "
      "syntax\n"
      "(.onnxtxt). Errors name the file and the ONNX node; the exit status is "
      "1.\nMLIR's printing flags (--mlir-print-debuginfo, "
      "--mlir-elide-resource-strings-if-larger=N, ...) work too: see "
      "--help-hidden.\n");

  if (listOps) {
    for (const std::string &op : frontend::supportedOpTypes())
      outs() << op << "\n";
    return 0;
  }
  if (inputPath.empty()) {
    errs() << "anvil-compile: error: no input model (see --help)\n";
    return 1;
  }
  frontend::ImportOptions options;
  for (const std::string &spec : inputShapes)
    if (!parseShape(spec, options))
      return 1;
  if (outputPath != "-") {
    sys::fs::UniqueID in, out;
    if (!sys::fs::getUniqueID(inputPath, in) &&
        !sys::fs::getUniqueID(outputPath, out) && in == out) {
      errs() << "anvil-compile: error: output '" << outputPath
             << "' is the input model; refusing to overwrite it\n";
      return 1;
    }
  }

  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  int errors = 0;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    const char *kind =
        diag.getSeverity() == mlir::DiagnosticSeverity::Error     ? "error"
        : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                  : "note";
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      ++errors;
    errs() << kind << ": " << describe(diag) << ": " << diag.str() << "\n";
    return mlir::success();
  });

  mlir::OwningOpRef<mlir::ModuleOp> module =
      frontend::importOnnxFile(context, inputPath, options);
  if (!module || errors) {
    errs() << "anvil-compile: " << (errors ? errors : 1) << " error"
           << (errors == 1 ? "" : "s") << "; nothing written\n";
    return 1;
  }

  if (emit == Emit::Linalg) {
    mlir::PassManager pm(&context);
    if (failed(mlir::applyPassManagerCLOptions(pm))) {
      errs() << "anvil-compile: error: bad pass manager options\n";
      return 1;
    }
    pm.addNestedPass<mlir::func::FuncOp>(anvil::createConvertAnvilToLinalg());
    if (failed(pm.run(*module))) {
      errs() << "anvil-compile: " << errors << " error"
             << (errors == 1 ? "" : "s") << "; nothing written\n";
      return 1;
    }
  }

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputPath, &errorMessage);
  if (!output) {
    errs() << "anvil-compile: error: " << errorMessage << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(mlir::writeBytecodeToFile(*module, output->os()))) {
      errs() << "anvil-compile: error: cannot write bytecode\n";
      return 1;
    }
  } else {
    module->print(output->os());
  }
  output->os().flush();
  if (output->os().has_error()) {
    errs() << "anvil-compile: error: writing '" << outputPath << "' failed\n";
    output->os().clear_error();
    return 1;
  }
  output->keep();
  return 0;
}

//===- anvil-compile.cpp - The Anvil compiler driver ----------------------===//
//
// Imports an ONNX model and runs it down the CPU pipeline as far as `--emit`
// asks: graph -> linalg -> kernels -> llvm -> asm/obj -> so (the artifact the
// runtime loads). Each stage can be printed for inspection.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"
#include "Tuning.h"
#include "frontend/onnx/Importer.h"
#include "runtime/src/arena.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Support/Timing.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace frontend = anvil::onnx_frontend;

static cl::OptionCategory category("anvil-compile options");
static anvil::compile::ModelPathOption inputPath(category);
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));
enum class Emit { Default, Graph, Linalg, Kernels, LLVM, Asm, Obj, So };
static cl::opt<Emit> emit(
    "emit",
    cl::desc("Stage to emit (default: from the -o extension: .so, .o, .s, "
             ".ll; otherwise graph)"),
    cl::init(Emit::Default),
    cl::values(
        clEnumValN(Emit::Graph, "graph",
                   "the imported anvil graph dialect module"),
        clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
        clEnumValN(Emit::Kernels, "kernels",
                   "the bufferized schedule (dispatches) and its kernels, "
                   "each with its TuningConfig"),
        clEnumValN(Emit::LLVM, "llvm", "optimized LLVM IR of the kernels"),
        clEnumValN(Emit::Asm, "asm", "assembly of the kernels"),
        clEnumValN(Emit::Obj, "obj", "object code of the kernels"),
        clEnumValN(Emit::So, "so",
                   "the artifact: one shared object with kernels, weights, "
                   "execution plan and I/O metadata")),
    cl::cat(category));
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimization level of the generated code (0-3)"),
             cl::Prefix, cl::init(3), cl::cat(category));
static cl::opt<std::string>
    cpuName("cpu",
            cl::desc("CPU to generate code for (default: this machine's, "
                     "with its features; e.g. znver5, skylake-avx512, "
                     "x86-64-v3)"),
            cl::init("native"), cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Pin an input's shape, e.g. input=1x3x224x224 ('?' keeps a dim "
             "symbolic); repeatable"),
    cl::value_desc("NAME=D0xD1x..."), cl::cat(category));
static cl::list<std::string> bindInputs(
    "bind-input",
    cl::desc("Compile an input as a constant: NAME=FILE.pb (an ONNX "
             "TensorProto) or NAME=V0,V1,... (values in the input's type); "
             "for inputs that set sizes or axes; repeatable"),
    cl::value_desc("NAME=VALUE"), cl::cat(category));
static cl::opt<std::string> listKernelsPath(
    "list-kernels",
    cl::desc("Write the model's kernels as JSON to FILE ('-': stdout): "
             "index, tuning key, default config, loops (see "
             "docs/tuning-database.md). Without -o or --emit nothing else is "
             "written"),
    cl::value_desc("FILE.json"), cl::cat(category));
static cl::list<std::string> kernelConfigs(
    "kernel-config",
    cl::desc("Compile kernel INDEX (its index in --list-kernels) with the "
             "TuningConfig CONFIG, e.g. '2=#anvil_kernel.tuning<distribute_dim "
             "= 0, tile_sizes = [], loop_order = []>'; repeatable"),
    cl::value_desc("INDEX=CONFIG"), cl::cat(category));
static cl::opt<std::string> tuningDbPath(
    "tuning-db",
    cl::desc("Compile each kernel with the best config the tuning database "
             "DB holds for it (the file is only read)"),
    cl::value_desc("DB"), cl::cat(category));
static cl::opt<std::string> tuningObjective(
    "tuning-objective",
    cl::desc("The best configs --tuning-db applies: latency (default), "
             "memory or balanced"),
    cl::init(anvil::autotune::kLatencyObjective), cl::value_desc("objective"),
    cl::cat(category));
static cl::list<std::string> disabledPasses(
    "disable-pass",
    cl::desc("Turn an optimization off (for debugging and A/B measurement): "
             "anvil-fold-constants, anvil-simplify-graph, canonicalize, cse, "
             "anvil-fuse-linalg (also turns off fused dispatches), "
             "anvil-pack-weights; "
             "repeatable"),
    cl::value_desc("NAME"), cl::cat(category));
/// --stats prints op, kernel and dispatch counts after each stage. LLVM owns a
/// `-stats` option of its own, so this one is taken out of argv by hand.
static bool printStats = false;

/// "N ops (anvil.conv 3, ...)" per dialect prefix, for --stats.
static void printStageStats(StringRef stage, mlir::ModuleOp module) {
  llvm::StringMap<int64_t> byName;
  int64_t dispatches = 0, kernels = 0;
  module.walk([&](mlir::Operation *op) {
    StringRef name = op->getName().getStringRef();
    // Graph ops and linalg's structured ops (not their region terminators).
    if ((name.starts_with("anvil.") || isa<mlir::linalg::LinalgOp>(op)) &&
        name != "anvil_kernel.dispatch")
      ++byName[name];
    if (name == "anvil_kernel.dispatch")
      ++dispatches;
    if (auto fn = dyn_cast<mlir::func::FuncOp>(op);
        fn && fn->hasAttr("anvil_kernel.tuning"))
      ++kernels;
  });
  SmallVector<std::pair<StringRef, int64_t>> sorted;
  for (const auto &entry : byName)
    sorted.push_back({entry.getKey(), entry.getValue()});
  llvm::sort(sorted, [](auto &a, auto &b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  int64_t total = 0;
  for (auto &[name, count] : sorted)
    total += count;
  errs() << "stats: " << stage << ": " << total << " ops";
  if (kernels || dispatches)
    errs() << ", " << kernels << " kernels, " << dispatches << " dispatches";
  if (!sorted.empty()) {
    errs() << " (";
    for (size_t i = 0; i < sorted.size() && i < 6; ++i)
      errs() << (i ? ", " : "") << sorted[i].first << " " << sorted[i].second;
    errs() << (sorted.size() > 6 ? ", ...)" : ")");
  }
  errs() << "\n";
}

/// The arena of `plan` and its lower bound, for --stats, laid out by the
/// runtime's own placement code (runtime/src/arena.c) with every symbolic
/// input dim set to 1 (the real sizes are only known at run time).
static void printMemoryStats(const anvil::cpu::Plan &plan) {
  anvil_arena_layout_t layout;
  anvil_status_t st = anvil_arena_plan_blob(
      reinterpret_cast<const uint8_t *>(plan.planBytes.data()),
      plan.planBytes.size(), plan.weights.size(), 1, &layout);
  errs() << "stats: memory (symbolic dims = 1): ";
  if (st) {
    errs() << "not available: " << anvil_status_message(st) << "\n";
    anvil_status_free(st);
    return;
  }
  auto human = [](uint64_t bytes) -> std::string {
    if (bytes < 1024)
      return std::to_string(bytes) + " B";
    double v = (double)bytes / 1024;
    const char *unit = "KiB";
    for (const char *next : {"MiB", "GiB"})
      if (v >= 1024) {
        v /= 1024;
        unit = next;
      }
    return formatv("{0:F1} {1}", v, unit).str();
  };
  double ratio =
      layout.lower_bound ? (double)layout.size / layout.lower_bound : 1.0;
  errs() << "arena " << human(layout.size) << ", lower bound "
         << human(layout.lower_bound) << ", ratio " << format("%.3f", ratio)
         << " (" << layout.size << " and " << layout.lower_bound
         << " bytes, placement " << anvil_arena_heuristic_name(layout.heuristic)
         << "); weights " << human(plan.weights.size()) << ", mapped\n";
}

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
  std::vector<char *> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 &&
        (StringRef(argv[i]) == "--stats" || StringRef(argv[i]) == "-stats")) {
      printStats = true;
      continue;
    }
    args.push_back(argv[i]);
  }
  argc = (int)args.size();
  argv = args.data();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAllPasses();
  cl::HideUnrelatedOptions({&category});
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "anvil-compile (Anvil) " << anvil::cpu::compilerVersion() << "\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "Anvil: compile ONNX models to native kernels.\n\n"
      "  anvil-compile MODEL.onnx -o MODEL.so [-O3] [--cpu=NAME]\n"
      "  anvil-compile MODEL.onnx --emit=graph|linalg|kernels|llvm|asm "
      "[-o OUT] [--input-shape NAME=1x3x224x224]\n\n"
      "Reads binary ONNX (.onnx, with external data next to it) or ONNX text "
      "syntax\n"
      "(.onnxtxt). Errors name the file and the ONNX node; the exit status is "
      "1.\nMLIR's debugging flags (--mlir-print-ir-after-all, --mlir-timing, "
      "--mlir-print-debuginfo, --mlir-elide-resource-strings-if-larger=N, "
      "...) work too: see --help-hidden.\n"
      "--stats prints op, kernel and dispatch counts after each stage, and "
      "the\nplanned memory (arena, its lower bound, weights).\n"
      "--list-kernels, --kernel-config and --tuning-db are the autotuner's "
      "interface\n(docs/tuning-database.md).\n");

  if (listOps) {
    for (const std::string &op : frontend::supportedOpTypes())
      outs() << op << "\n";
    return 0;
  }
  if (optLevel > 3) {
    errs() << "anvil-compile: error: -O" << optLevel
           << " is not an optimization level (use -O0 to -O3)\n";
    return 1;
  }
  for (const std::string &name : disabledPasses)
    if (!llvm::is_contained(anvil::compile::optionalPasses(),
                            StringRef(name))) {
      errs() << "anvil-compile: error: --disable-pass=" << name
             << ": not an optimization that can be turned off (one of:";
      for (const char *p : anvil::compile::optionalPasses())
        errs() << " " << p;
      errs() << ")\n";
      return 1;
    }
  // --list-kernels alone lists the kernels and writes nothing else.
  bool listOnly =
      !listKernelsPath.empty() && emit == Emit::Default && outputPath == "-";
  if (listOnly)
    emit = Emit::Kernels;
  if (emit == Emit::Default) {
    StringRef ext = sys::path::extension(outputPath);
    emit = ext == ".so"   ? Emit::So
           : ext == ".o"  ? Emit::Obj
           : ext == ".s"  ? Emit::Asm
           : ext == ".ll" ? Emit::LLVM
                          : Emit::Graph;
  }
  if (emit == Emit::So && outputPath == "-") {
    errs() << "anvil-compile: error: --emit=so needs an output file (-o "
              "MODEL.so)\n";
    return 1;
  }
  bool tunes = !kernelConfigs.empty() || !tuningDbPath.empty();
  if ((tunes || !listKernelsPath.empty()) &&
      (emit == Emit::Graph || emit == Emit::Linalg)) {
    errs() << "anvil-compile: error: --"
           << (!listKernelsPath.empty() ? "list-kernels"
               : kernelConfigs.empty()  ? "tuning-db"
                                        : "kernel-config")
           << " needs the kernels, but "
           << (emit.getNumOccurrences() ? "--emit=" : "the default --emit=")
           << (emit == Emit::Graph ? "graph" : "linalg")
           << " stops before they exist (use --emit=kernels or later)\n";
    return 1;
  }
  if (listKernelsPath == "-" && outputPath == "-" && !listOnly) {
    errs() << "anvil-compile: error: --list-kernels=- and the output both go "
              "to stdout (give -o FILE or --list-kernels=FILE)\n";
    return 1;
  }
  if (!anvil::autotune::isObjective(tuningObjective)) {
    errs() << "anvil-compile: error: --tuning-objective=" << tuningObjective
           << ": expected latency, memory or balanced\n";
    return 1;
  }
  if (tuningObjective.getNumOccurrences() && tuningDbPath.empty()) {
    errs() << "anvil-compile: error: --tuning-objective needs --tuning-db\n";
    return 1;
  }
  if (inputPath.empty()) {
    errs() << "anvil-compile: error: no input model (see --help)\n";
    return 1;
  }
  frontend::ImportOptions options;
  for (const std::string &spec : inputShapes)
    if (!parseShape(spec, options))
      return 1;
  for (const std::string &spec : bindInputs) {
    auto [name, value] = StringRef(spec).split('=');
    if (name.empty() || value.empty()) {
      errs() << "anvil-compile: error: --bind-input expects NAME=FILE.pb or "
                "NAME=V0,V1,..., got '"
             << spec << "'\n";
      return 1;
    }
    if (!options.boundInputs.emplace(name.str(), value.str()).second) {
      errs() << "anvil-compile: error: --bind-input given twice for '" << name
             << "'\n";
      return 1;
    }
  }
  if (outputPath != "-") {
    sys::fs::UniqueID in, out;
    if (!sys::fs::getUniqueID(inputPath, in) &&
        !sys::fs::getUniqueID(outputPath, out) && in == out) {
      errs() << "anvil-compile: error: output '" << outputPath
             << "' is the input model; refusing to overwrite it\n";
      return 1;
    }
  }

  // Read-only: compiling never changes a tuning database.
  std::optional<anvil::autotune::TuningDatabase> tuningDb;
  if (!tuningDbPath.empty()) {
    anvil::autotune::Expected<anvil::autotune::TuningDatabase> opened =
        anvil::autotune::TuningDatabase::open(
            tuningDbPath, anvil::autotune::OpenMode::ReadOnly);
    if (!opened) {
      errs() << "anvil-compile: error: --tuning-db: " << opened.message()
             << "\n";
      return 1;
    }
    tuningDb.emplace(std::move(*opened));
  }

  std::unique_ptr<mlir::MLIRContext> ownedContext =
      anvil::compile::createPipelineContext();
  mlir::MLIRContext &context = *ownedContext;
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
  auto failWith = [&](const Twine &message) {
    if (!message.isTriviallyEmpty())
      errs() << "anvil-compile: error: " << message << "\n";
    int n = std::max(errors, 1);
    errs() << "anvil-compile: " << n << " error" << (n == 1 ? "" : "s")
           << "; nothing written\n";
    return 1;
  };

  std::vector<anvil::compile::KernelConfigFlag> configFlags;
  if (std::string error; failed(anvil::compile::parseKernelConfigFlags(
          &context, kernelConfigs, configFlags, error)))
    return failWith(error);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      frontend::importOnnxFile(context, inputPath, options);
  if (!module || errors)
    return failWith("");

  // Each stage is its own pass manager so that --mlir-print-ir-after-all and
  // --mlir-timing apply to every stage.
  anvil::compile::PipelineOptions pipeline;
  pipeline.disabledPasses = disabledPasses;
  pipeline.configure = [](mlir::PassManager &pm) {
    if (failed(mlir::applyPassManagerCLOptions(pm))) {
      errs() << "anvil-compile: error: bad pass manager options\n";
      return mlir::failure();
    }
    mlir::applyDefaultTimingPassManagerCLOptions(pm);
    return mlir::success();
  };
  auto runStage = [&](auto stage) -> bool {
    return succeeded(stage(*module, pipeline)) && errors == 0;
  };

  std::optional<json::Value> kernelList;
  // Written last, after the output, so that a failed compilation writes
  // neither (the output may already be written when this fails).
  auto writeKernelList = [&]() -> int {
    if (!kernelList)
      return 0;
    std::string error;
    if (auto file = mlir::openOutputFile(listKernelsPath, &error)) {
      file->os() << formatv("{0:2}", *kernelList) << "\n";
      file->os().flush();
      if (!file->os().has_error()) {
        file->keep();
        return 0;
      }
      file->os().clear_error();
      error = "writing '" + listKernelsPath + "' failed";
    }
    errs() << "anvil-compile: error: --list-kernels: " << error << "\n";
    return 1;
  };
  std::optional<anvil::cpu::Plan> plan;
  anvil::compile::NativeCode native;
  if (emit != Emit::Graph) {
    if (printStats)
      printStageStats("imported graph", *module);
    if (!runStage(anvil::compile::optimizeGraph))
      return failWith("");
    if (printStats)
      printStageStats("optimized graph", *module);
    if (!runStage(anvil::compile::lowerToLinalg))
      return failWith("");
    if (printStats)
      printStageStats("linalg", *module);
  }
  if (emit != Emit::Graph && emit != Emit::Linalg) {
    std::string cpuError;
    std::optional<anvil::cpu::VectorTarget> vectors =
        anvil::cpu::vectorTarget(cpuName, cpuError);
    if (!vectors)
      return failWith(cpuError);
    pipeline.vectors = *vectors;
    if (!runStage(anvil::compile::lowerToKernels))
      return failWith("");
    if (tunes || !listKernelsPath.empty()) {
      anvil::compile::ConfigRequest request;
      request.flags = configFlags;
      request.db = tuningDb ? &*tuningDb : nullptr;
      request.objective = tuningObjective;
      request.cpu = cpuName;
      std::string error;
      FailureOr<std::vector<anvil::compile::KernelChoice>> chosen =
          anvil::compile::chooseKernelConfigs(*module, request, errs(), error);
      if (failed(chosen))
        return failWith(error);
      if (tuningDb)
        anvil::compile::printTuningSummary(*chosen, tuningDbPath, errs());
      if (!listKernelsPath.empty())
        kernelList = anvil::compile::kernelList(*chosen, inputPath);
    }
    if (printStats)
      printStageStats("kernels", *module);
  }
  if (emit == Emit::LLVM || emit == Emit::Asm || emit == Emit::Obj ||
      emit == Emit::So) {
    if (!runStage(anvil::compile::packWeights))
      return failWith("");
    mlir::FailureOr<anvil::cpu::Plan> extracted =
        anvil::cpu::extractPlan(*module);
    if (failed(extracted))
      return failWith("");
    plan = std::move(*extracted);
    if (printStats)
      printMemoryStats(*plan);
    if (!runStage([&](mlir::ModuleOp m,
                      const anvil::compile::PipelineOptions &options) {
          return anvil::compile::lowerKernelsToLLVM(m, *plan, options);
        }))
      return failWith("");
    std::string error;
    if (!anvil::compile::lowerToNative(
            *module, cpuName, optLevel,
            emit == Emit::LLVM  ? anvil::compile::NativeOutput::LLVMIR
            : emit == Emit::Asm ? anvil::compile::NativeOutput::Assembly
                                : anvil::compile::NativeOutput::Object,
            native, error))
      return failWith(error);
  }
  if (emit == Emit::So) {
    std::string error;
    if (!anvil::cpu::linkArtifact(native.machineCode, *plan, outputPath, error))
      return failWith(error);
    return writeKernelList();
  }
  if (listOnly)
    return writeKernelList();

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputPath, &errorMessage);
  if (!output)
    return failWith(errorMessage);
  if (emit == Emit::LLVM) {
    native.module->print(output->os(), nullptr);
  } else if (emit == Emit::Asm || emit == Emit::Obj) {
    output->os().write(native.machineCode.data(), native.machineCode.size());
  } else if (emitBytecode) {
    if (failed(mlir::writeBytecodeToFile(*module, output->os())))
      return failWith("cannot write bytecode");
  } else {
    module->print(output->os());
  }
  output->os().flush();
  if (output->os().has_error()) {
    output->os().clear_error();
    return failWith("writing '" + outputPath + "' failed");
  }
  output->keep();
  return writeKernelList();
}

//===- anvil-tune.cpp - The Anvil autotuner -------------------------------===//
//
// Compiles a model to its kernels (anvil-compile's pipeline, in-process),
// then tunes each distinct kernel: variants compiled under the configs of its
// search space, measured through the runtime, checked against the default
// config's outputs, and committed one trial at a time to a tuning database
// that `anvil-compile --tuning-db` reads (docs/autotuning.md).
//
//===----------------------------------------------------------------------===//
#include "autotune/Measurement.h"
#include "autotune/SearchStrategy.h"
#include "autotune/Tuner.h"
#include "autotune/TuningReport.h"
#include "frontend/onnx/Importer.h"
#include "tools/anvil-compile/Driver.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <sched.h>
#include <unistd.h>

using namespace llvm;
namespace autotune = anvil::autotune;

static cl::OptionCategory category("anvil-tune options");
static anvil::compile::ModelPathOption inputPath(category);
static cl::opt<std::string>
    dbPath("db", cl::desc("The tuning database (created if missing)"),
           cl::value_desc("DB"), cl::cat(category));
static cl::opt<int>
    trials("trials",
           cl::desc("Trials per kernel, those already in the database "
                    "included (default 64)"),
           cl::init(64), cl::cat(category));
static cl::opt<double>
    timeBudget("time-budget",
               cl::desc("Stop searching after about this many seconds in all "
                        "(default: no limit)"),
               cl::init(0), cl::value_desc("SECONDS"), cl::cat(category));
static cl::opt<std::string>
    objective("objective",
              cl::desc("What the best config minimizes: latency (default), "
                       "memory or balanced"),
              cl::init(autotune::kLatencyObjective), cl::cat(category));
static cl::opt<std::string>
    strategy("strategy",
             cl::desc("exhaustive, random or model (default: model; a space "
                      "no larger than the trials is measured whole)"),
             cl::init("model"), cl::cat(category));
static cl::opt<std::string>
    reportDir("report",
              cl::desc("Write report.json, report.md and convergence.svg "
                       "into DIR"),
              cl::value_desc("DIR"), cl::cat(category));
static cl::opt<int> jobs("jobs",
                         cl::desc("Variants compiled at once (measurements "
                                  "stay one at a time; default 1)"),
                         cl::init(1), cl::cat(category));
static cl::opt<uint64_t>
    minWork("min-work",
            cl::desc("Skip kernels of fewer loop iterations per run "
                     "(symbolic dims counted as 1; default 65536)"),
            cl::init(1 << 16), cl::cat(category));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seed of the search and the inputs "
                                       "(default 1)"),
                              cl::init(1), cl::cat(category));
static cl::opt<bool> noModelCheck(
    "no-model-check",
    cl::desc("Keep each kernel's winner as timed alone, without checking it "
             "inside runs of the whole model (docs/autotuning.md)"),
    cl::init(false), cl::cat(category));
static cl::opt<double> modelCheckSeconds(
    "model-check-seconds",
    cl::desc("Seconds of whole-model runs per measurement of the model check "
             "(at least 20 passes; default 8)"),
    cl::init(8), cl::value_desc("SECONDS"), cl::cat(category));
static cl::opt<int> modelCheckCandidates(
    "model-check-candidates",
    cl::desc("Configs per kernel the model check tries, best alone first "
             "(default 3)"),
    cl::init(3), cl::value_desc("N"), cl::cat(category));
static cl::opt<std::string> weightsCache(
    "weights-cache",
    cl::desc("Where a kernel's weights are when it is timed: cold (flushed "
             "from the caches before every run), warm, or auto (default: "
             "cold when a probe of the caches finds that the model's weights "
             "do not stay cached from one run to the next; on a database "
             "with trials of the model on as many threads, as they were "
             "timed)"),
    cl::init("auto"), cl::cat(category));
static cl::opt<int> corruptEvery(
    "testing-corrupt-every",
    cl::desc("Testing only: corrupt the outputs of every Nth candidate"),
    cl::init(0), cl::ReallyHidden, cl::cat(category));
static cl::opt<int> crashEvery(
    "testing-crash-every",
    cl::desc("Testing only: crash the measuring process of every Nth "
             "candidate"),
    cl::init(0), cl::ReallyHidden, cl::cat(category));
static cl::opt<double> referenceCores(
    "testing-reference-cores",
    cl::desc("Testing only: take the default's runs to use N cores whatever "
             "they measure (64: every paired run is contended, 1: none is)"),
    cl::init(0), cl::ReallyHidden, cl::cat(category));
static cl::opt<bool> crashModelCheck(
    "testing-crash-model-check",
    cl::desc("Testing only: crash the model check's measuring process"),
    cl::init(false), cl::ReallyHidden, cl::cat(category));
static cl::opt<std::string> dumpStandalone(
    "testing-dump-standalone",
    cl::desc("Testing only: write each tuned kernel's standalone model to "
             "DIR/<kernel>.mlir"),
    cl::value_desc("DIR"), cl::ReallyHidden, cl::cat(category));
/// --threads: the measuring session's threads (0: all cores). LLVM owns a
/// `-threads` option of its own, so this one is taken out of argv by hand.
static int threads = 0;
static cl::list<std::string>
    shapes("shape",
           cl::desc("Sizes to tune for: NAME=D0,D1,... for an input (symbolic "
                    "dims of inputs not named are 1); repeatable"),
           cl::value_desc("NAME=D0,D1,..."), cl::cat(category));
static cl::opt<std::string>
    cpuName("cpu",
            cl::desc("CPU to generate code for (default: this machine's); "
                     "must be the one anvil-compile is given"),
            cl::init("native"), cl::value_desc("name"), cl::cat(category));

static cl::list<std::string> imports(
    "import",
    cl::desc("Merge the trials and best configs of DB2 into --db before "
             "anything else (as anvil-tunedb merge); repeatable; without a "
             "model nothing is tuned"),
    cl::value_desc("DB2"), cl::cat(category));
static cl::opt<std::string> exportPath(
    "export",
    cl::desc("When done, copy --db to the new file FILE (an existing file is "
             "never overwritten; as anvil-tunedb export)"),
    cl::value_desc("FILE"), cl::cat(category));

static int fail(const Twine &message) {
  errs() << "anvil-tune: error: " << message << "\n";
  return 1;
}

static bool parseShape(StringRef spec, autotune::ShapeBindings &bindings,
                       std::string &error) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty()) {
    error = "--shape expects NAME=D0,D1,..., got '" + spec.str() + "'";
    return false;
  }
  std::vector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, ',');
  for (StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 1) {
      error = "--shape '" + spec.str() + "': '" + p.str() +
              "' is not a positive size";
      return false;
    }
    shape.push_back(d);
  }
  if (!bindings.emplace(name.str(), shape).second) {
    error = "--shape given twice for '" + name.str() + "'";
    return false;
  }
  return true;
}

/// Whether every --import opens as a tuning database (read-only; nothing is
/// written): checked before --db is opened, so that a bad source leaves no
/// new, empty database behind.
static bool importsReadable() {
  for (const std::string &source : imports)
    if (autotune::Expected<autotune::TuningDatabase> db =
            autotune::TuningDatabase::open(source,
                                           autotune::OpenMode::ReadOnly);
        !db) {
      fail("--import " + source + ": cannot merge: " + db.message());
      return false;
    }
  return true;
}

/// Merges each --import into `db` and copies `db` to --export, as asked;
/// false (with a message) at the first that fails.
static bool importAndExport(autotune::TuningDatabase &db, bool importing,
                            bool exporting = true) {
  std::vector<std::string> sources;
  if (importing)
    sources.assign(imports.begin(), imports.end());
  for (const std::string &source : sources) {
    autotune::Expected<autotune::MergeStats> stats = db.mergeFrom(source);
    if (!stats) {
      fail("--import " + source + ": " + stats.message());
      return false;
    }
    errs() << formatv("anvil-tune: imported '{0}': {1} trials added, {2} best "
                      "records updated\n",
                      source, stats->trialsAdded, stats->bestUpdated);
  }
  if (!exporting || exportPath.empty())
    return true;
  if (autotune::Status status = db.exportTo(exportPath); !status.ok()) {
    fail("--export " + exportPath + ": " + status.message());
    return false;
  }
  errs() << "anvil-tune: exported '" << db.path() << "' to '" << exportPath
         << "'\n";
  return true;
}

/// The progress line: rewritten in place on a terminal, one line per update
/// otherwise.
class ProgressLine {
public:
  ProgressLine() : tty(isatty(STDERR_FILENO)) {}
  ~ProgressLine() { finish(); }
  void update(const autotune::Progress &p) {
    std::string line =
        !p.phase.empty()
            ? p.phase
            : formatv("kernel {0}/{1} {2}: trial {3}/{4}, best speed-up "
                      "{5:F3}x ({6})",
                      p.kernel, p.kernels, p.symbol, p.trial, p.trials,
                      p.bestSpeedup, p.last)
                  .str();
    if (tty) {
      errs() << "\r\033[K" << line;
      open = true;
    } else {
      errs() << line << "\n";
    }
    errs().flush();
  }
  void finish() {
    if (open)
      errs() << "\n";
    open = false;
  }

private:
  bool tty;
  bool open = false;
};

/// Takes --threads N / --threads=N out of argv; false for a malformed value.
static bool takeThreads(int &argc, char **argv, std::string &error) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg == "--") {
      while (i < argc)
        argv[out++] = argv[i++];
      break;
    }
    std::optional<StringRef> value;
    if (arg == "--threads" || arg == "-threads") {
      if (i + 1 >= argc) {
        error = "--threads needs a value";
        return false;
      }
      value = StringRef(argv[++i]);
    } else if (arg.consume_front("--threads=") ||
               arg.consume_front("-threads=")) {
      value = arg;
    }
    if (!value) {
      argv[out++] = argv[i];
      continue;
    }
    if (value->getAsInteger(10, threads) || threads < 0) {
      error = "--threads=" + value->str() +
              ": expected a number of threads (0: all cores)";
      return false;
    }
  }
  argc = out;
  argv[argc] = nullptr;
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (std::string error; !takeThreads(argc, argv, error))
    return fail(error);
  // The pipelines name some upstream passes by their flags.
  mlir::registerAllPasses();
  cl::HideUnrelatedOptions({&category});
  cl::ParseCommandLineOptions(
      argc, argv,
      "Anvil autotuner: measure the kernels of a model under many configs "
      "and keep\nthe best in a tuning database for anvil-compile "
      "--tuning-db.\n\n"
      "  anvil-tune MODEL.onnx --db DB [--trials N] [--time-budget SECONDS]\n"
      "             [--objective latency|memory|balanced] "
      "[--strategy exhaustive|random|model]\n"
      "             [--report DIR] [--jobs J] [--min-work W] [--seed S] "
      "[--shape NAME=D0,D1,...]\n"
      "             [--threads T (the measuring session's threads; default "
      "0: all cores)]\n"
      "             [--no-model-check] [--model-check-seconds S] "
      "[--weights-cache auto|cold|warm]\n"
      "             [--import DB2]... [--export FILE]\n"
      "  anvil-tune --db DB --import DB2... [--export FILE]   (merge, copy; "
      "no tuning)\n");
  if (inputPath.empty() && imports.empty() && exportPath.empty())
    return fail("no input model (see --help)");
  if (dbPath.empty())
    return fail("no tuning database (--db DB)");
  // --import and --export alone merge and copy databases.
  if (inputPath.empty()) {
    if (!importsReadable())
      return 1;
    autotune::Expected<autotune::TuningDatabase> db =
        autotune::TuningDatabase::open(
            dbPath, imports.empty() ? autotune::OpenMode::ReadOnly
                                    : autotune::OpenMode::CreateIfMissing);
    if (!db)
      return fail("--db: " + db.message());
    return importAndExport(*db, /*importing=*/true) ? 0 : 1;
  }
  if (trials < 1)
    return fail("--trials must be at least 1");
  if (timeBudget < 0 || std::isnan(timeBudget))
    return fail("--time-budget must not be negative");
  if (!autotune::isObjective(objective))
    return fail("--objective=" + objective +
                ": expected latency, memory or balanced");
  if (!llvm::is_contained(autotune::strategyNames(), strategy.getValue()))
    return fail("--strategy=" + strategy +
                ": expected exhaustive, random or model");
  if (jobs < 1)
    return fail("--jobs must be at least 1");
  if (!autotune::isWeightsCache(weightsCache))
    return fail("--weights-cache=" + weightsCache +
                ": expected auto, cold or warm");
  if (!(modelCheckSeconds >= 0) || std::isinf(modelCheckSeconds))
    return fail("--model-check-seconds must be a number of seconds >= 0");
  if (modelCheckCandidates < 1 || modelCheckCandidates > 64)
    return fail("--model-check-candidates must be between 1 and 64");
  // Where the results go is checked before any tuning, not after it.
  if (!exportPath.empty() && llvm::sys::fs::exists(exportPath))
    return fail("--export " + exportPath +
                ": the file exists (export never overwrites)");
  if (!reportDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(reportDir))
      return fail("--report: cannot make '" + reportDir + "': " + ec.message());
    if (!llvm::sys::fs::is_directory(reportDir))
      return fail("--report: '" + reportDir + "' is not a directory");
    if (llvm::sys::fs::access(reportDir, llvm::sys::fs::AccessMode::Write))
      return fail("--report: cannot write into '" + reportDir + "'");
  }
  autotune::TuneOptions options;
  for (const std::string &spec : shapes) {
    std::string error;
    if (!parseShape(spec, options.shapes, error))
      return fail(error);
  }
  options.trials = trials;
  options.timeBudgetSeconds = timeBudget;
  options.objective = objective;
  options.strategy = strategy;
  options.jobs = jobs;
  options.minWork = minWork;
  options.seed = seed;
  options.threads = threads;
  // A session runs its threads on the CPUs the process may use; fewer of
  // those than threads times every config on fewer cores than it is tuned
  // for (taskset, a container's cpuset).
  {
    int wanted = autotune::TargetLimits::host(threads).threads;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < wanted)
      errs() << formatv("anvil-tune: warning: the session runs {0} threads, "
                        "but this process may run on {1} CPU(s) (its "
                        "affinity): the configs are timed on {1} core(s)\n",
                        wanted, CPU_COUNT(&set));
  }
  options.cpu = cpuName;
  options.corruptEvery = corruptEvery;
  options.crashEvery = crashEvery;
  options.referenceCoresForTesting = referenceCores;
  options.crashModelCheck = crashModelCheck;
  options.dumpStandaloneDir = dumpStandalone;
  options.modelCheck = !noModelCheck;
  options.modelCheckSeconds = modelCheckSeconds;
  options.modelCheckCandidates = modelCheckCandidates;
  options.weightsCache = weightsCache;

  std::unique_ptr<mlir::MLIRContext> ownedContext =
      anvil::compile::createPipelineContext();
  mlir::MLIRContext &context = *ownedContext;
  int errors = 0;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    ++errors;
    std::string where = inputPath;
    diag.getLocation()->walk([&](mlir::Location l) {
      if (auto n = dyn_cast<mlir::NameLoc>(l)) {
        where += ": node '" + n.getName().str() + "'";
        return mlir::WalkResult::interrupt();
      }
      return mlir::WalkResult::advance();
    });
    errs() << "error: " << where << ": " << diag.str() << "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      anvil::onnx_frontend::importOnnxFile(context, inputPath);
  anvil::compile::PipelineOptions pipeline;
  std::string cpuError;
  std::optional<anvil::cpu::VectorTarget> vectors =
      anvil::cpu::vectorTarget(options.cpu, cpuError);
  if (!vectors)
    return fail("--cpu=" + options.cpu + ": " + cpuError);
  pipeline.vectors = *vectors;
  if (!module || errors ||
      failed(anvil::compile::optimizeGraph(*module, pipeline)) || errors ||
      failed(anvil::compile::lowerToLinalg(*module, pipeline)) || errors ||
      failed(anvil::compile::lowerToKernels(*module, pipeline)) || errors)
    return fail("cannot compile '" + inputPath + "' to kernels");
  if (std::string error;
      failed(autotune::checkBindings(*module, options.shapes, error)))
    return fail(error);

  // Opened once the model is known to compile and the imports to open, so
  // that a bad model, flag or source leaves no new database behind.
  if (!importsReadable())
    return 1;
  autotune::Expected<autotune::TuningDatabase> db =
      autotune::TuningDatabase::open(dbPath);
  if (!db)
    return fail("--db: " + db.message());
  if (!importAndExport(*db, /*importing=*/true, /*exporting=*/false))
    return 1;

  ProgressLine line;
  std::string error;
  mlir::FailureOr<autotune::TuneSummary> summary = autotune::tuneModule(
      *module, *db, options,
      [&](const autotune::Progress &p) { line.update(p); }, error);
  line.finish();
  if (failed(summary))
    return fail(error);
  summary->model = inputPath;

  int tuned = 0;
  std::string contendedLines;
  for (const autotune::KernelSummary &k : summary->kernels) {
    if (!k.skipped.empty()) {
      if (k.skipped.rfind("work ", 0) != 0)
        errs() << "anvil-tune: warning: " << k.symbol
               << " not tuned: " << k.skipped << "\n";
      continue;
    }
    ++tuned;
    errs() << formatv("anvil-tune: {0} ({1}): {2:F3} ms -> {3:F3} ms, "
                      "{4:F3}x, {5} trials ({6} new)\n",
                      k.symbol, k.rootOp, k.defaultNs / 1e6, k.bestNs / 1e6,
                      k.speedup(), k.trials.size(), k.newTrials);
    if (k.otherConditionsTrials)
      errs() << formatv("anvil-tune: {0}: {1} trials in the database were "
                        "measured under other conditions ({2}; this run: "
                        "{3}): not reused, measured again where the search "
                        "came to them\n",
                        k.symbol, k.otherConditionsTrials,
                        k.otherConditions.empty() ? "not recorded"
                                                  : k.otherConditions,
                        summary->conditions);
    // A few dropped pairs are the host's usual noise (report.json counts
    // them); trials that stayed contended are said, after the model check.
    if (k.contendedTrials)
      contendedLines +=
          formatv("anvil-tune: {0}: {1} trials contended throughout "
                  "(not compared): the host gave the default's runs "
                  "under {2:F1} of the {3:F1} cores they use ({4} "
                  "paired runs dropped)\n",
                  k.symbol, k.contendedTrials,
                  autotune::kContendedFraction * k.defaultCores, k.defaultCores,
                  k.droppedPairs)
              .str();
  }
  const autotune::ModelCheckSummary &check = summary->modelCheck;
  if (check.ran) {
    std::string dropped =
        check.droppedPasses
            ? formatv(" ({0} dropped: fewer cores)", check.droppedPasses).str()
            : std::string();
    errs() << formatv("anvil-tune: model check ({0} variants, {1} passes{6}, "
                      "{2:F1} s): {3} winners kept, {4} replaced by a "
                      "runner-up, {5} back to the default; ",
                      check.variants, check.passes, check.seconds, check.kept,
                      check.switched, check.reverted, dropped);
    if (check.kept + check.switched == 0 && !check.allReverted)
      errs() << formatv("the model {0:F3} ms with the defaults (nothing "
                        "kept)\n",
                        check.defaultNs / 1e6);
    else
      errs() << formatv("the model {0:F3} ms -> {1:F3} ms (time ratio "
                        "{2:F3}, 95% CI {3:F3}-{4:F3})\n",
                        check.defaultNs / 1e6, check.tunedNs / 1e6, check.ratio,
                        check.ratioLow, check.ratioHigh);
    if (check.allReverted)
      errs() << "anvil-tune: the kept configs did not run the model faster: "
                "every kernel keeps its default\n";
  } else if (!noModelCheck)
    errs() << "anvil-tune: model check not run: " << check.skipped << "\n";
  errs() << contendedLines;
  errs() << formatv("anvil-tune: {0} of {1} kernels tuned in {2:F1} s, "
                    "weights timed {5}, geomean speed-up {3:F3}x; database "
                    "'{4}'\n",
                    tuned, summary->kernels.size(), summary->seconds,
                    autotune::geomeanSpeedup(*summary), dbPath,
                    summary->weightsCacheReason);
  if (!reportDir.empty() && !autotune::writeReport(*summary, reportDir, error))
    return fail(error);
  return importAndExport(*db, /*importing=*/false) ? 0 : 1;
}

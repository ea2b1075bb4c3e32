//===- Tuner.h - Tuning every kernel of a model ------------------*- C++
//-*-===//
//
// For each distinct kernel (tuning key) of a kernels-stage module: cut it out
// (KernelVariant.h), generate its search space (SearchSpace.h), measure its
// default config (trial 0, and the reference for every other trial's
// outputs), then the configs a strategy proposes, compiled in parallel and
// measured one at a time. Each trial is committed to the tuning database as
// soon as it is measured; configs the database already holds for the key are
// not measured again, so an interrupted tuning resumes. At the end the best
// candidates and the default are measured again, and the winner is stored as
// the key's best record for the objective.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_TUNER_H
#define ANVIL_AUTOTUNE_TUNER_H

#include "autotune/KernelVariant.h"
#include "autotune/Measurement.h"
#include "autotune/TuningDatabase.h"

#include "mlir/IR/BuiltinOps.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace anvil::autotune {

struct TuneOptions {
  int trials =
      64; ///< Trials per kernel, those already in the database included.
  double timeBudgetSeconds = 0;              ///< 0: no limit.
  std::string objective = kLatencyObjective; ///< latency, memory or balanced
  std::string strategy = "model";
  int jobs = 1; ///< Variants compiled at once.
  uint64_t minWork = 1 << 16;
  uint64_t seed = 1;
  int threads = 0;
  std::string cpu = "native";
  unsigned optLevel = 3;
  ShapeBindings shapes;
  int remeasureTop = 3;
  double tolerance = 1e-4;
  /// After the kernels: measure the winners inside whole-model runs
  /// (ModelCheck.h) and keep only those faster there. Latency objective only.
  bool modelCheck = true;
  /// The model check's timed passes (each runs every variant of the model
  /// once): at least this many, then more until modelCheckSeconds.
  int modelCheckMinPasses = 20;
  double modelCheckSeconds = 8;
  /// The best configs alone that the model check tries per kernel (the
  /// final re-measurement's, then the search's).
  int modelCheckCandidates = 3;
  /// Where variants are written (a fresh directory is made in it).
  std::string workDir;
  /// Where a kernel's weights are when it is timed: "cold" (flushed from the
  /// caches before every run, as inside a model whose weights do not stay
  /// cached from one run to the next), "warm" (left where the last run put
  /// them) or "auto" (cold when a probe of the caches finds that the model's
  /// weights do not stay cached from one run to the next: chooseColdWeights).
  std::string weightsCache = "auto";
  /// Testing only: corrupts the outputs of every Nth candidate (0: none), to
  /// show that wrong outputs are recorded and never chosen.
  int corruptEvery = 0;
  /// Testing only: every Nth candidate's measuring process crashes (0:
  /// none), to show that a crashing variant fails its trial and the tuning
  /// goes on.
  int crashEvery = 0;
  /// Testing only: MeasureOptions::referenceCoresForTesting.
  double referenceCoresForTesting = 0;
  /// Testing only: the model check's measuring process crashes (SIGSEGV)
  /// once it has loaded the variants.
  bool crashModelCheck = false;
  /// Testing only: writes each tuned kernel's standalone model (MLIR text)
  /// to DIR/<kernel symbol>.mlir before it is tuned ("": none).
  std::string dumpStandaloneDir;
};

/// One trial of a kernel, as the report shows it.
struct TrialSummary {
  std::string config;
  std::string status;
  std::string strategy;
  double medianNs = 0, ciLowNs = 0, ciHighNs = 0;
  uint64_t memoryBytes = 0;
  bool fromEarlierRun = false;
  std::string message;
};

/// A config that the final re-measurement timed against the default, alone.
struct Candidate {
  std::string config;
  double medianNs = 0, ciLowNs = 0, ciHighNs = 0;
  uint64_t memoryBytes = 0;
};

/// What the model check found for one kernel (ModelCheck.h).
struct InModel {
  bool checked = false;
  /// Which config the check kept: 0 the default, r > 0 candidates[r - 1].
  int chosen = 0;
  /// Per candidate r > 0 (index r - 1): the median and 95% CI, over the
  /// passes, of its time in the model over the default's in the same pass
  /// (the kernel's steps summed).
  std::vector<double> ratio, ratioLow, ratioHigh;
  /// The default's time in the model per run (median over the passes).
  double defaultNs = 0;
};

struct KernelSummary {
  std::vector<int64_t> indices; ///< The model's kernels with this key.
  /// Their kernel functions (what runtime profiles name them), in order.
  std::vector<std::string> symbols;
  std::string symbol, rootOp, kind;
  TuningKey key;
  uint64_t work = 0;
  int64_t dispatches = 0;
  std::string skipped; ///< Why it was not tuned; empty when it was.
  size_t spaceSize = 0;
  std::string strategy;
  std::string defaultConfig, bestConfig;
  double defaultNs = 0, bestNs = 0, bestCiLowNs = 0, bestCiHighNs = 0;
  uint64_t defaultMemory = 0, bestMemory = 0;
  int newTrials = 0;
  /// Trials of the key in the database measured under other conditions
  /// (TrialRecord::conditions) than this run's: not reused. The first one's
  /// conditions ("" when not said).
  int otherConditionsTrials = 0;
  std::string otherConditions;
  double seconds = 0;
  /// Paired runs dropped because the default's run got fewer cores than it
  /// uses (the host's spell), and this run's trials recorded as contended
  /// (still so after a second measurement; never chosen). Measurement.h.
  int droppedPairs = 0, contendedTrials = 0;
  /// The cores the default's runs use (Measurer::referenceCores()).
  double defaultCores = 0;
  /// The weights of the kernel's standalone model, and the bytes of them
  /// flushed from the caches before every timed run (TuneSummary::coldWeights).
  uint64_t weightsBytes = 0, flushedBytes = 0;
  std::vector<TrialSummary> trials; ///< Every trial of the key, in order.
  /// The configs that beat the default alone, best first: those of the final
  /// re-measurement (the first is the winner alone), then the search's best
  /// trials, up to TuneOptions::modelCheckCandidates in all.
  std::vector<Candidate> candidates;
  InModel inModel;
  double speedup() const { return bestNs > 0 ? defaultNs / bestNs : 1; }
};

/// The model check of a whole tuning run (ModelCheck.h).
struct ModelCheckSummary {
  bool ran = false;
  std::string skipped; ///< Why it did not run (empty when it ran or was off).
  double seconds = 0;
  /// Passes of the variants' timing: kept, and dropped because the host gave
  /// them fewer cores than the others (Measurement.h).
  int variants = 0, passes = 0, droppedPasses = 0;
  /// The model per run with every kernel's default, and with the configs
  /// kept (medians over the final paired passes), and the median and CI of
  /// their per-pass ratio tuned / default.
  double defaultNs = 0, tunedNs = 0, ratio = 1, ratioLow = 1, ratioHigh = 1;
  int kept = 0, reverted = 0, switched = 0;
  /// The kept configs' model was not faster than the defaults' (median
  /// ratio >= 1): every kernel went back to its default.
  bool allReverted = false;
};

struct TuneSummary {
  std::string model, objective, strategy, fingerprint;
  int threads = 0, trials = 0;
  /// Whether the kernels were timed with their weights cold (flushed from
  /// the caches before every run), and why (TuneOptions::weightsCache).
  bool coldWeights = false;
  std::string weightsCacheReason;
  /// What this run's trials were measured under (measurementConditions).
  std::string conditions;
  double seconds = 0;
  std::vector<KernelSummary> kernels;
  ModelCheckSummary modelCheck;
};

/// How a trial is measured beyond its key (TrialRecord::conditions): the
/// session's threads and whether the weights were flushed before each run,
/// e.g. "threads=2 weights=cold". A stored trial under other conditions is
/// not reused.
std::string measurementConditions(int threads, bool coldWeights);

/// The L2 per core chooseColdWeights assumes where the OS does not say.
constexpr uint64_t kAssumedL2Bytes = 1 << 20;

/// The weights-cache values TuneOptions::weightsCache takes.
bool isWeightsCache(const std::string &value);

/// Whether `weightsCache` ("auto", "cold" or "warm") times kernels with cold
/// weights for a model of `weightBytes` of weights measured on `threads`
/// cores of `l2BytesPerCore` of L2 each; `reason` says why. auto: weights
/// that fit the L2 are warm; larger ones are cold when `probe` (probeCache)
/// finds that a pass over as many bytes does not leave them cached, a line
/// read again costing more than kCachedRatio of a flushed one. Measured on
/// this project's host, whose 480 MB L3 is shared with other machines:
/// MobileNetV2's 13 MB of weights ran as fast in the model as warm alone
/// (probe ratio 0.43-0.51), ResNet-50's 98 MB as cold (0.96);
/// docs/autotuning.md.
bool chooseColdWeights(const std::string &weightsCache, uint64_t weightBytes,
                       uint64_t l2BytesPerCore, int threads,
                       const std::function<CacheProbe(uint64_t)> &probe,
                       std::string &reason);
constexpr double kCachedRatio = 0.7;

/// The bytes of the constant globals (weights) of the kernels-stage
/// `module`.
uint64_t weightBytesOf(mlir::ModuleOp module);

/// What the progress line shows.
struct Progress {
  int kernel = 0, kernels = 0; ///< 1-based
  std::string symbol;
  int trial = 0, trials = 0;
  double bestSpeedup = 1;
  std::string last; ///< The last trial's outcome, e.g. "ok 1.21 ms".
  /// The model check's progress, e.g. "model check: building variant 2 of
  /// 4"; when set the fields above are not used.
  std::string phase;
};

/// Tunes every kernel of the kernels-stage `module` (left unchanged) into
/// `db`. Fails, with `error`, on what stops the whole tuning (a database
/// write that fails, a work directory that cannot be made); a kernel that
/// cannot be tuned (its default does not build or run) is skipped with a
/// reason in its summary.
mlir::FailureOr<TuneSummary> tuneModule(
    mlir::ModuleOp module, TuningDatabase &db, const TuneOptions &options,
    const std::function<void(const Progress &)> &progress, std::string &error);

/// Stores `kernel`'s best config and its times and memory (bestConfig,
/// bestNs, its interval, bestMemory) as the best record of its key under
/// `objective`, chosen after `trials` trials.
Status storeBest(TuningDatabase &db, const KernelSummary &kernel,
                 const std::string &objective, int trials);

/// Makes a fresh directory `workDir`/`prefix`-XXXXXX (just `prefix`-XXXXXX
/// when `workDir` is empty), as llvm::sys::fs::createUniqueDirectory places
/// it, into `dir`.
std::error_code makeWorkDirectory(const std::string &workDir,
                                  const std::string &prefix,
                                  llvm::SmallVectorImpl<char> &dir);

/// Seconds on the steady clock since `start`: the search's and the model
/// check's budgets and reported durations.
inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// How a trial measured in a spell with fewer cores than the default uses
/// (Measurement.h) is recorded: ok, with its time, and a message starting
/// with this, which keeps it from being the best (its time cannot be
/// trusted), from the search's model, the curves and the trade-off. A later
/// run measures it again (the database keeps the new time when it is not
/// contended too).
constexpr llvm::StringLiteral kContendedMessage = kContendedPrefix;
inline bool isContended(llvm::StringRef message) {
  return message.starts_with(kContendedMessage);
}

/// The score the objective minimizes (ties go to the smaller config text):
/// latency: the median; memory: the memory, then the median; balanced: their
/// product (the product of the ratios to any fixed reference).
bool betterFor(const std::string &objective, double medianA, uint64_t memoryA,
               const std::string &configA, double medianB, uint64_t memoryB,
               const std::string &configB);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_TUNER_H

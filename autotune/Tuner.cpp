//===- Tuner.cpp - Tuning every kernel of a model -------------------------===//
#include "autotune/Tuner.h"
#include "autotune/ModelCheck.h"
#include "autotune/SearchStrategy.h"
#include "codegen/CPU/CPUBackend.h"
#include "tools/anvil-compile/Tuning.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <unistd.h>

using namespace mlir;
using namespace anvil;
using namespace anvil::autotune;

bool autotune::betterFor(const std::string &objective, double medianA,
                         uint64_t memoryA, const std::string &configA,
                         double medianB, uint64_t memoryB,
                         const std::string &configB) {
  auto tie = [&](double a, double b) {
    if (a != b)
      return a < b;
    if (medianA != medianB)
      return medianA < medianB;
    return configA < configB;
  };
  if (objective == kMemoryObjective) {
    if (memoryA != memoryB)
      return memoryA < memoryB;
    return tie(medianA, medianB);
  }
  if (objective == kBalancedObjective)
    return tie(medianA * (double)std::max<uint64_t>(memoryA, 1),
               medianB * (double)std::max<uint64_t>(memoryB, 1));
  return tie(medianA, medianB);
}

Status autotune::storeBest(TuningDatabase &db, const KernelSummary &kernel,
                           const std::string &objective, int trials) {
  BestRecord best;
  best.key = kernel.key;
  best.config = kernel.bestConfig;
  best.medianNs = kernel.bestNs;
  best.ciLowNs = kernel.bestCiLowNs;
  best.ciHighNs = kernel.bestCiHighNs;
  best.memoryBytes = kernel.bestMemory;
  best.trials = trials;
  best.objective = objective;
  best.timestamp = (int64_t)std::time(nullptr);
  return db.setBest(best);
}

std::error_code autotune::makeWorkDirectory(const std::string &workDir,
                                            const std::string &prefix,
                                            llvm::SmallVectorImpl<char> &dir) {
  return llvm::sys::fs::createUniqueDirectory(
      workDir.empty() ? prefix : workDir + "/" + prefix, dir);
}

namespace {

using Clock = std::chrono::steady_clock;

/// How many times longer than a trial the best candidates are measured again
/// before a winner is picked.
constexpr int kFinalMeasureFactor = 3;

/// The message of a trial that measured faster than the best so far: it was
/// measured again and keeps that second time ("new best, re-measured, first
/// 1.2 ms"), or says why not.
constexpr llvm::StringLiteral kNewBestMessage = "new best, ";

bool contended(const TrialRecord &t) { return isContended(t.message); }
/// An ok trial whose time can be compared with the others'.
bool trusted(const TrialRecord &t) {
  return t.status == TrialRecord::Ok && !contended(t);
}

std::string asText(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}

std::string formatNs(double ns) {
  char text[32];
  if (ns >= 1e6)
    std::snprintf(text, sizeof text, "%.3f ms", ns / 1e6);
  else
    std::snprintf(text, sizeof text, "%.1f us", ns / 1e3);
  return text;
}

/// What the report says of `trial`.
TrialSummary summarize(const TrialRecord &trial, bool fromEarlierRun) {
  TrialSummary t;
  t.config = trial.config;
  t.status = trialStatusName(trial.status);
  t.strategy = trial.strategy;
  t.medianNs = trial.medianNs;
  t.ciLowNs = trial.ciLowNs;
  t.ciHighNs = trial.ciHighNs;
  t.memoryBytes = trial.memoryBytes;
  t.fromEarlierRun = fromEarlierRun;
  t.message = trial.message;
  return t;
}

/// One distinct kernel of the model and what is known of it.
struct Task {
  std::vector<size_t> choices; ///< indices into the model's kernels
};

/// Tunes one kernel. Holds the compilers, the measurer and the reference.
class KernelTuner {
public:
  KernelTuner(TuningDatabase &db, const TuneOptions &options,
              const TargetLimits &limits, KernelSummary &summary,
              std::string dir)
      : db(db), options(options), limits(limits), summary(summary),
        dir(std::move(dir)), measurer(measureOptions(options)) {}

  /// Fails only for what stops the whole tuning (a database error).
  LogicalResult run(StandaloneKernel &kernel, double budgetSeconds,
                    const std::function<void(Progress &)> &progress,
                    std::string &error);

private:
  static MeasureOptions measureOptions(const TuneOptions &options) {
    MeasureOptions m;
    m.threads = options.threads;
    m.seed = options.seed;
    m.isolate = true;
    m.referenceCoresForTesting = options.referenceCoresForTesting;
    m.coldWeights = options.weightsCache == "cold";
    return m;
  }
  std::string variantPath(const std::string &tag) const {
    return dir + "/" + tag + ".so";
  }
  /// Builds the given configs on the compilers, in parallel; errors[i] is
  /// empty on success.
  std::vector<std::string> buildAll(const std::vector<std::string> &configs,
                                    const std::vector<std::string> &paths);
  uint64_t memoryOf(const std::string &config, uint64_t arena) const {
    std::optional<KernelConfig> c = parseKernelConfig(config);
    return (c ? workspaceOfConfig(shape, *c) : 0) + arena;
  }
  LogicalResult record(const TrialRecord &trial, std::string &error);

  TuningDatabase &db;
  const TuneOptions &options;
  const TargetLimits &limits;
  KernelSummary &summary;
  std::string dir;
  Measurer measurer;
  KernelShape shape;
  std::vector<std::unique_ptr<VariantCompiler>> compilers;
};

std::vector<std::string>
KernelTuner::buildAll(const std::vector<std::string> &configs,
                      const std::vector<std::string> &paths) {
  return buildInParallel(
      compilers, configs.size(), [&](VariantCompiler &compiler, size_t i) {
        std::string why;
        if (compiler.build(configs[i], paths[i], why))
          return std::string();
        return why.empty() ? std::string("build failed") : why;
      });
}

LogicalResult KernelTuner::record(const TrialRecord &trial,
                                  std::string &error) {
  Expected<bool> stored = db.recordTrial(trial);
  if (!stored) {
    error = stored.message();
    return failure();
  }
  // A contended trial of an earlier run measured again: this run's entry
  // replaces the earlier one.
  llvm::erase_if(summary.trials, [&](const TrialSummary &t) {
    return t.config == trial.config;
  });
  summary.trials.push_back(summarize(trial, false));
  ++summary.newTrials;
  return success();
}

LogicalResult KernelTuner::run(StandaloneKernel &kernel, double budgetSeconds,
                               const std::function<void(Progress &)> &progress,
                               std::string &error) {
  Clock::time_point start = Clock::now();
  shape = kernel.shape;
  summary.kind = kernelKindName(shape.kind);
  SearchSpace space = cpuSearchSpace(shape, limits);
  std::vector<Point> points = space.legalPoints();
  summary.spaceSize = points.size();

  auto bytecode =
      std::make_shared<const std::string>(toBytecode(*kernel.module));
  for (int j = 0; j < std::max(1, options.jobs); ++j) {
    std::string why;
    std::unique_ptr<VariantCompiler> c =
        VariantCompiler::create(bytecode, options.cpu, options.optLevel, why);
    if (!c) {
      summary.skipped = why;
      return success();
    }
    compilers.push_back(std::move(c));
  }

  // What the database already holds for this key (a resumed tuning).
  Expected<std::vector<TrialRecord>> stored = db.trials(summary.key);
  if (!stored) {
    error = stored.message();
    return failure();
  }
  // Trials measured under other conditions (another thread count, weights
  // timed otherwise; or not said) are not this run's: not reused, and
  // measured again (replacing them) when the search comes to them.
  std::string conditions =
      measurementConditions(limits.threads, options.weightsCache == "cold");
  std::map<std::string, TrialRecord> known;
  for (const TrialRecord &t : *stored) {
    if (t.conditions != conditions) {
      ++summary.otherConditionsTrials;
      if (summary.otherConditions.empty())
        summary.otherConditions = t.conditions;
      continue;
    }
    known[t.config] = t;
    summary.trials.push_back(summarize(t, true));
  }

  Progress p;
  p.symbol = summary.symbol;
  p.trials = options.trials;
  auto report = [&](const std::string &last) {
    p.trial = (int)known.size();
    p.last = last;
    progress(p);
  };

  // Trial 0: the default config, also the reference for every output.
  std::string defaultText = summary.defaultConfig;
  std::vector<std::string> built =
      buildAll({defaultText}, {variantPath("default")});
  if (!built[0].empty()) {
    summary.skipped = "the default config does not build: " + built[0];
    return success();
  }
  Measurement reference = measurer.measureReference(variantPath("default"));
  if (!reference.ok) {
    summary.skipped = "the default config does not run: " + reference.error;
    return success();
  }
  summary.weightsBytes = reference.weightsBytes;
  summary.flushedBytes = reference.flushedBytes;
  uint64_t defaultMemory = memoryOf(defaultText, reference.arenaBytes);
  if (!known.count(defaultText)) {
    TrialRecord t{summary.key,
                  defaultText,
                  TrialRecord::Ok,
                  reference.timeNs.median,
                  reference.timeNs.low,
                  reference.timeNs.high,
                  defaultMemory,
                  reference.repeats,
                  kDefaultStrategy,
                  (int64_t)std::time(nullptr),
                  "",
                  conditions};
    if (failed(record(t, error)))
      return failure();
    known[defaultText] = t;
  }
  double defaultNs = known[defaultText].medianNs;
  auto bestNs = [&] {
    double best = defaultNs;
    for (auto &[config, t] : known)
      if (trusted(t) && t.medianNs < best)
        best = t.medianNs;
    return best;
  };
  auto bestSoFar = [&] {
    double best = bestNs();
    return best > 0 ? defaultNs / best : 1.0;
  };
  // A paired measurement of `path` for `seconds` (0: a trial's), its dropped
  // pairs counted; `retry`: once more when it stayed contended (a spell with
  // fewer cores, Measurement.h).
  auto measure = [&](const std::string &path, double seconds, bool retry) {
    Measurement m = measurer.measurePaired(path, defaultNs, seconds);
    summary.droppedPairs += m.droppedPairs;
    if (retry && m.ok && m.contended) {
      m = measurer.measurePaired(path, defaultNs, seconds);
      summary.droppedPairs += m.droppedPairs;
    }
    return m;
  };
  p.bestSpeedup = bestSoFar();
  report("default " + formatNs(reference.timeNs.median));

  // The search. A space no larger than the budget is measured whole.
  std::map<std::string, size_t> pointOf;
  for (size_t i = 0; i < points.size(); ++i)
    pointOf[space.toConfig(points[i]).str()] = i;
  // Contended trials of an earlier run (their times are not compared) are
  // measured again first; they count against the budget once measured.
  std::vector<size_t> remeasure;
  int counted = 0;
  for (auto &[config, t] : known) {
    auto it = pointOf.find(config);
    if (contended(t) && it != pointOf.end())
      remeasure.push_back(it->second);
    else
      ++counted;
  }
  int budget = std::max(0, options.trials - counted);
  std::string strategyName = options.strategy;
  if (points.size() <= (size_t)budget)
    strategyName = "exhaustive";
  summary.strategy = strategyName;
  std::unique_ptr<SearchStrategy> strategy =
      makeStrategy(strategyName, space, points, options.seed);
  for (auto &[config, t] : known) {
    auto it = pointOf.find(config);
    if (it != pointOf.end() && !contended(t))
      strategy->observe(it->second, t.status == TrialRecord::Ok ? t.medianNs
                                                                : std::nan(""));
  }
  // The artifacts of the best candidates so far are kept for the final
  // measurement (the others are deleted once measured).
  std::map<std::string, std::string> kept;
  // The `n` best ok trials other than the default, best first;
  // `remeasureTop` of them are the final re-measurement's candidates.
  size_t remeasureTop = (size_t)std::max(0, options.remeasureTop);
  auto topCandidates = [&](size_t n) {
    std::vector<const TrialRecord *> ok;
    for (auto &[config, t] : known)
      if (trusted(t) && config != defaultText)
        ok.push_back(&t);
    std::sort(
        ok.begin(), ok.end(), [&](const TrialRecord *a, const TrialRecord *b) {
          return betterFor(options.objective, a->medianNs, a->memoryBytes,
                           a->config, b->medianNs, b->memoryBytes, b->config);
        });
    ok.resize(std::min(ok.size(), n));
    return ok;
  };
  auto keepOnlyTop = [&] {
    std::vector<const TrialRecord *> top = topCandidates(remeasureTop);
    for (auto it = kept.begin(); it != kept.end();) {
      bool wanted = llvm::any_of(
          top, [&](const TrialRecord *t) { return t->config == it->first; });
      if (wanted) {
        ++it;
        continue;
      }
      llvm::sys::fs::remove(it->second);
      it = kept.erase(it);
    }
  };
  int batchNumber = 0, candidates = 0;
  while (budget > 0 && secondsSince(start) < budgetSeconds) {
    std::vector<size_t> batch;
    while ((int)batch.size() < std::min<int>(budget, (int)compilers.size())) {
      if (!remeasure.empty()) {
        batch.push_back(remeasure.back());
        remeasure.pop_back();
        continue;
      }
      std::optional<size_t> next = strategy->next();
      if (!next)
        break;
      if (known.count(space.toConfig(points[*next]).str()))
        continue;
      batch.push_back(*next);
    }
    if (batch.empty())
      break;
    std::vector<std::string> configs, paths;
    for (size_t i : batch) {
      configs.push_back(space.toConfig(points[i]).str());
      paths.push_back(variantPath("v" + std::to_string(batchNumber) + "_" +
                                  std::to_string(paths.size())));
    }
    ++batchNumber;
    std::vector<std::string> errors = buildAll(configs, paths);
    for (size_t j = 0; j < batch.size(); ++j) {
      TrialRecord t;
      t.key = summary.key;
      t.config = configs[j];
      t.strategy = strategyName;
      t.timestamp = (int64_t)std::time(nullptr);
      t.conditions = conditions;
      t.medianNs = t.ciLowNs = t.ciHighNs = std::nan("");
      std::string last;
      if (!errors[j].empty()) {
        t.status = TrialRecord::BuildFailed;
        t.message = errors[j];
        last = "build failed";
      } else {
        if (options.crashEvery > 0 &&
            (candidates + 1) % options.crashEvery == 0)
          measurer.crashNextForTesting();
        // Still contended after a second measurement: recorded as such.
        Measurement m = measure(paths[j], 0, /*retry=*/true);
        std::string why;
        ++candidates;
        if (m.ok && options.corruptEvery > 0 &&
            candidates % options.corruptEvery == 0 && !m.outputs.empty() &&
            !m.outputs[0].empty())
          // The top byte of the first f32: its sign and exponent.
          m.outputs[0][std::min<size_t>(3, m.outputs[0].size() - 1)] ^= 0xc0;
        // A new best is measured again and keeps the second time: the first
        // was picked for being fast, so it is biased (the best of many noisy
        // measurements); the second is not. A variant whose second outputs
        // differ is a wrong one.
        std::string newBest;
        if (m.ok && !m.contended && m.timeNs.median < bestNs() &&
            outputsMatch(reference, m, options.tolerance, why)) {
          Measurement again = measure(paths[j], 0, /*retry=*/false);
          if (again.ok && !again.contended) {
            newBest = kNewBestMessage.str() + "re-measured, first " +
                      formatNs(m.timeNs.median);
            again.arenaBytes = m.arenaBytes;
            m = std::move(again);
          } else {
            newBest = kNewBestMessage.str() +
                      "measured once (the second measurement " +
                      (again.ok ? "was contended" : "failed: " + again.error) +
                      ")";
          }
        }
        if (!m.ok) {
          t.status = TrialRecord::RunFailed;
          t.message = m.error;
          last = "run failed";
        } else if (!outputsMatch(reference, m, options.tolerance, why)) {
          t.status = TrialRecord::WrongOutput;
          t.message = why;
          t.memoryBytes = memoryOf(configs[j], m.arenaBytes);
          t.repeats = m.repeats;
          last = "wrong output";
        } else {
          t.status = TrialRecord::Ok;
          t.message = newBest;
          t.medianNs = m.timeNs.median;
          t.ciLowNs = m.timeNs.low;
          t.ciHighNs = m.timeNs.high;
          t.repeats = m.repeats;
          t.memoryBytes = memoryOf(configs[j], m.arenaBytes);
          last = "ok " + formatNs(m.timeNs.median);
          if (!t.message.empty())
            last += " (" + t.message + ")";
          if (m.contended) {
            char text[160];
            std::snprintf(text, sizeof text,
                          "the default's runs got %.1f cores of the %.1f they "
                          "use; this time is not compared",
                          m.referenceCores, measurer.referenceCores());
            t.message = kContendedMessage.str() + text;
            last += " (contended: not compared)";
            ++summary.contendedTrials;
          } else {
            kept[configs[j]] = paths[j];
          }
        }
        if (!kept.count(configs[j]))
          llvm::sys::fs::remove(paths[j]);
      }
      if (known.count(t.config))
        last += " (measured again: contended in an earlier run)";
      if (failed(record(t, error)))
        return failure();
      known[t.config] = t;
      keepOnlyTop();
      --budget;
      if (!contended(t))
        strategy->observe(batch[j], t.status == TrialRecord::Ok ? t.medianNs
                                                                : std::nan(""));
      p.bestSpeedup = bestSoFar();
      report(last);
    }
  }

  // The best candidates for the objective measured again against the
  // default, longer, run for run in alternation (a slow or fast spell of a
  // shared machine falls on both); the winner is the best of those and the
  // default.
  std::vector<const TrialRecord *> ok = topCandidates(remeasureTop);
  struct Final {
    std::string config;
    Measurement m;
    uint64_t memory;
  };
  std::vector<std::string> configs, paths, missing, missingPaths;
  for (const TrialRecord *t : ok) {
    configs.push_back(t->config);
    auto it = kept.find(t->config);
    paths.push_back(it != kept.end()
                        ? it->second
                        : variantPath("top" + std::to_string(paths.size())));
    if (it == kept.end()) {
      missing.push_back(t->config);
      missingPaths.push_back(paths.back());
    }
  }
  // Candidates of an earlier run are built again.
  std::vector<std::string> missingErrors = buildAll(missing, missingPaths);
  std::vector<std::string> errors(configs.size());
  for (size_t j = 0, m = 0; j < configs.size(); ++j)
    if (!kept.count(configs[j]))
      errors[j] = missingErrors[m++];
  Measurement defaultFinal = reference;
  defaultFinal.timeNs = {defaultNs, defaultNs, defaultNs};
  defaultFinal.ratio = {1, 1, 1};
  std::vector<Final> finals = {{defaultText, defaultFinal, defaultMemory}};
  for (size_t j = 0; j < configs.size(); ++j) {
    if (!errors[j].empty())
      continue;
    Measurement m =
        measure(paths[j], kFinalMeasureFactor * measurer.targetSeconds(),
                /*retry=*/true);
    llvm::sys::fs::remove(paths[j]);
    std::string why;
    // A contended candidate is not a winner: the default stays.
    if (!m.ok || m.contended ||
        !outputsMatch(reference, m, options.tolerance, why))
      continue;
    uint64_t memory = memoryOf(configs[j], m.arenaBytes);
    finals.push_back({configs[j], std::move(m), memory});
  }
  llvm::sys::fs::remove(variantPath("default"));
  const Final *winner = &finals[0];
  for (const Final &f : finals)
    if (betterFor(options.objective, f.m.timeNs.median, f.memory, f.config,
                  winner->m.timeNs.median, winner->memory, winner->config))
      winner = &f;
  summary.defaultCores = measurer.referenceCores();
  summary.defaultNs = finals[0].m.timeNs.median;
  summary.defaultMemory = defaultMemory;
  for (size_t j = 1; j < finals.size(); ++j)
    if (betterFor(options.objective, finals[j].m.timeNs.median,
                  finals[j].memory, finals[j].config, finals[0].m.timeNs.median,
                  finals[0].memory, finals[0].config))
      summary.candidates.push_back({finals[j].config, finals[j].m.timeNs.median,
                                    finals[j].m.timeNs.low,
                                    finals[j].m.timeNs.high, finals[j].memory});
  std::sort(summary.candidates.begin(), summary.candidates.end(),
            [&](const Candidate &a, const Candidate &b) {
              return betterFor(options.objective, a.medianNs, a.memoryBytes,
                               a.config, b.medianNs, b.memoryBytes, b.config);
            });
  // More for the model check: the search's best trials, when the winner
  // still beat the default (on the default's scale of the search).
  if (!summary.candidates.empty())
    for (const TrialRecord *t : topCandidates(known.size())) {
      if ((int)summary.candidates.size() >= options.modelCheckCandidates)
        break;
      if (t->medianNs < defaultNs &&
          llvm::none_of(summary.candidates, [&](const Candidate &c) {
            return c.config == t->config;
          }))
        summary.candidates.push_back(
            {t->config, t->medianNs, t->ciLowNs, t->ciHighNs, t->memoryBytes});
    }
  summary.bestConfig = winner->config;
  summary.bestNs = winner->m.timeNs.median;
  summary.bestCiLowNs = winner->m.timeNs.low;
  summary.bestCiHighNs = winner->m.timeNs.high;
  summary.bestMemory = winner->memory;

  if (Status set = storeBest(db, summary, options.objective, (int)known.size());
      !set.ok()) {
    error = set.message();
    return failure();
  }
  p.bestSpeedup = summary.speedup();
  report("best " + formatNs(summary.bestNs));
  summary.seconds = secondsSince(start);
  return success();
}

} // namespace

bool autotune::isWeightsCache(const std::string &value) {
  return value == "auto" || value == "cold" || value == "warm";
}

namespace {
std::string mib(uint64_t bytes) {
  return llvm::formatv("{0:F1} MiB", double(bytes) / (1 << 20)).str();
}
} // namespace

std::string autotune::measurementConditions(int threads, bool coldWeights) {
  return "threads=" + std::to_string(threads) +
         " weights=" + (coldWeights ? "cold" : "warm");
}

bool autotune::chooseColdWeights(
    const std::string &weightsCache, uint64_t weightBytes,
    uint64_t l2BytesPerCore, int threads,
    const std::function<CacheProbe(uint64_t)> &probe, std::string &reason) {
  if (weightsCache != "auto") {
    reason = weightsCache + " (--weights-cache)";
    return weightsCache == "cold";
  }
  threads = std::max(threads, 1);
  uint64_t l2 = l2BytesPerCore * (uint64_t)threads;
  if (weightBytes <= l2) {
    reason = llvm::formatv("warm (auto: {0} of weights <= {1} of L2, {2} "
                           "core{3})",
                           mib(weightBytes), mib(l2), threads,
                           threads > 1 ? "s" : "")
                 .str();
    return false;
  }
  CacheProbe p = probe(weightBytes);
  if (p.coldNs <= 0) {
    reason = "warm (auto: the caches cannot be probed here)";
    return false;
  }
  bool cold = p.ratio() > kCachedRatio;
  reason = llvm::formatv("{0} (auto: {1} of weights; after a pass over {2}, "
                         "a line read again {3:F0} ns, flushed {4:F0} ns: {5})",
                         cold ? "cold" : "warm", mib(weightBytes), mib(p.bytes),
                         p.warmNs, p.coldNs, cold ? "not cached" : "cached")
               .str();
  return cold;
}

uint64_t autotune::weightBytesOf(ModuleOp module) {
  uint64_t bytes = 0;
  module.walk([&](memref::GlobalOp global) {
    if (!global.getConstant() || !global.getInitialValue())
      return;
    MemRefType type = global.getType();
    if (!type.hasStaticShape())
      return;
    unsigned bits = type.getElementTypeBitWidth();
    bytes += (uint64_t)type.getNumElements() * ((bits + 7) / 8);
  });
  return bytes;
}

FailureOr<TuneSummary> autotune::tuneModule(
    ModuleOp module, TuningDatabase &db, const TuneOptions &options,
    const std::function<void(const Progress &)> &progress, std::string &error) {
  Clock::time_point start = Clock::now();
  compile::ConfigRequest request;
  request.cpu = options.cpu;
  std::string warnings;
  llvm::raw_string_ostream warningStream(warnings);
  FailureOr<std::vector<compile::KernelChoice>> choices =
      compile::chooseKernelConfigs(module, request, warningStream, error);
  if (failed(choices)) {
    if (error.empty())
      error = "cannot describe the model's kernels";
    return failure();
  }
  if (failed(checkBindings(module, options.shapes, error)))
    return failure();

  SmallString<128> dir;
  if (std::error_code ec =
          makeWorkDirectory(options.workDir, "anvil-tune", dir)) {
    error = "cannot make a directory for the variants: " + ec.message();
    return failure();
  }
  TargetLimits limits = TargetLimits::host(options.threads);
  std::optional<cpu::VectorTarget> vectors =
      cpu::vectorTarget(options.cpu, error);
  if (!vectors)
    return failure();
  limits.vectorLanes = vectors->lanes;
  limits.vectorRegisters = vectors->registers;
  // Resolved once for the whole model: every kernel is timed the same way.
  TuneOptions resolved = options;
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  std::string cacheReason;
  auto probe = [&](uint64_t bytes) {
    Progress p;
    p.phase = llvm::formatv("probing the caches with {0} (the model's "
                            "weights)",
                            mib(std::min(bytes, kMaxCacheProbeBytes)))
                  .str();
    progress(p);
    return probeCache(bytes);
  };
  // auto on a database that holds this model's trials on as many threads
  // follows them: a resumed tuning is timed as it began (a probe near its
  // threshold could decide otherwise, and every trial would be measured
  // again). The most recent trial decides.
  std::optional<bool> stored;
  if (options.weightsCache == "auto") {
    int64_t latest = -1;
    std::set<std::string> seen;
    for (const compile::KernelChoice &c : *choices) {
      if (!seen.insert(c.key.kernelHash + "\n" + c.key.shapes).second)
        continue;
      Expected<std::vector<TrialRecord>> trials = db.trials(c.key);
      if (!trials) {
        error = trials.message();
        return failure();
      }
      for (const TrialRecord &t : *trials)
        for (bool cold : {false, true})
          if (t.conditions == measurementConditions(limits.threads, cold) &&
              t.timestamp >= latest) {
            latest = t.timestamp;
            stored = cold;
          }
    }
  }
  bool cold = false;
  if (stored) {
    cold = *stored;
    cacheReason = llvm::formatv("{0} (auto: as this database's trials of the "
                                "model's kernels on {1} thread{2})",
                                cold ? "cold" : "warm", limits.threads,
                                limits.threads > 1 ? "s" : "")
                      .str();
  } else {
    cold = chooseColdWeights(options.weightsCache, weightBytesOf(module),
                             l2 > 0 ? (uint64_t)l2 : kAssumedL2Bytes,
                             limits.threads, probe, cacheReason);
  }
  if (cold && !canFlushCaches()) {
    cold = false;
    cacheReason = "warm (this CPU has no cache flush the tuner can use)";
  }
  resolved.weightsCache = cold ? "cold" : "warm";
  TuneSummary summary;
  summary.coldWeights = cold;
  summary.weightsCacheReason = cacheReason;
  summary.conditions = measurementConditions(limits.threads, cold);
  summary.objective = options.objective;
  summary.strategy = options.strategy;
  summary.threads = limits.threads;
  summary.trials = options.trials;
  summary.fingerprint = cpu::cpuFingerprint(options.cpu);

  // One task per key, in the order of the model's kernels.
  std::vector<Task> tasks;
  std::map<std::string, size_t> taskOf;
  for (size_t i = 0; i < choices->size(); ++i) {
    const autotune::TuningKey &k = (*choices)[i].key;
    std::string id = k.kernelHash + "\n" + k.shapes;
    auto [it, inserted] = taskOf.try_emplace(id, tasks.size());
    if (inserted)
      tasks.emplace_back();
    tasks[it->second].choices.push_back(i);
  }
  int tuned = 0;
  for (const Task &task : tasks) {
    const compile::KernelChoice &c = (*choices)[task.choices[0]];
    if (c.kernel.work >= options.minWork)
      ++tuned;
  }
  int position = 0;
  for (size_t t = 0; t < tasks.size(); ++t) {
    const compile::KernelChoice &c = (*choices)[tasks[t].choices[0]];
    KernelSummary &k = summary.kernels.emplace_back();
    for (size_t i : tasks[t].choices) {
      k.indices.push_back((int64_t)i);
      k.symbols.push_back((*choices)[i].kernel.function.getSymName().str());
      k.dispatches += (*choices)[i].kernel.dispatches;
    }
    func::FuncOp fn = c.kernel.function;
    linalg::LinalgOp root = c.kernel.root;
    k.symbol = fn.getSymName().str();
    k.rootOp = root->getName().getStringRef().str();
    k.key = c.key;
    k.work = c.kernel.work;
    k.defaultConfig = asText(c.defaultConfig);
    k.kind = "other";
    if (c.kernel.work < options.minWork) {
      k.skipped = "work " + std::to_string(c.kernel.work) + " < --min-work " +
                  std::to_string(options.minWork);
      continue;
    }
    ++position;
    std::string why;
    FailureOr<StandaloneKernel> standalone =
        extractKernel(module, c.kernel, options.shapes, why);
    if (failed(standalone)) {
      k.skipped = "cannot be cut out of the model: " + why;
      continue;
    }
    if (!options.dumpStandaloneDir.empty()) {
      std::error_code ec;
      llvm::SmallString<256> path(options.dumpStandaloneDir);
      llvm::sys::path::append(path, k.symbol + ".mlir");
      llvm::raw_fd_ostream os(path, ec);
      if (ec) {
        error = "cannot write '" + path.str().str() + "': " + ec.message();
        llvm::sys::fs::remove_directories(dir);
        return failure();
      }
      standalone->module->print(os);
    }
    double budget = 1e30;
    if (options.timeBudgetSeconds > 0) {
      double left = options.timeBudgetSeconds - secondsSince(start);
      budget = std::max(0.0, left / (tuned - position + 1));
    }
    KernelTuner tuner(db, resolved, limits, k, dir.str().str());
    auto onProgress = [&](Progress &p) {
      p.kernel = position;
      p.kernels = tuned;
      progress(p);
    };
    if (failed(tuner.run(*standalone, budget, onProgress, error))) {
      llvm::sys::fs::remove_directories(dir);
      return failure();
    }
  }
  llvm::sys::fs::remove_directories(dir);
  if (!options.modelCheck)
    summary.modelCheck.skipped = "off (--no-model-check)";
  else if (options.objective != kLatencyObjective)
    summary.modelCheck.skipped = "only for the latency objective";
  else if (failed(checkInModel(module, db, options, summary, progress, error)))
    return failure();
  summary.seconds = secondsSince(start);
  return summary;
}

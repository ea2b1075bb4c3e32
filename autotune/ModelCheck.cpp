//===- ModelCheck.cpp - Keeping only the configs faster in the model ------===//
#include "autotune/ModelCheck.h"
#include "autotune/SearchStrategy.h"
#include "codegen/CPU/KernelTuning.h"
#include "tools/anvil-compile/Driver.h"

#include "anvil/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>

using namespace mlir;
using namespace anvil;
using namespace anvil::autotune;

void autotune::chooseInModel(const std::vector<std::vector<double>> &times,
                             InModel &out) {
  out = InModel();
  out.checked = true;
  if (times.empty())
    return;
  out.defaultNs = summarize(times[0]).median;
  double best = 1;
  for (size_t r = 1; r < times.size(); ++r) {
    std::vector<double> ratios;
    for (size_t p = 0; p < times[0].size() && p < times[r].size(); ++p)
      if (times[0][p] > 0)
        ratios.push_back(times[r][p] / times[0][p]);
    Summary s = summarize(ratios);
    if (ratios.empty())
      s = {1, 1, 1};
    out.ratio.push_back(s.median);
    out.ratioLow.push_back(s.low);
    out.ratioHigh.push_back(s.high);
    // Faster beyond the noise of the passes, and the fastest so; equal
    // medians keep the earlier (better alone) candidate.
    if (s.high < 1 && s.median < best) {
      best = s.median;
      out.chosen = (int)r;
    }
  }
}

namespace {

using Clock = std::chrono::steady_clock;

/// One variant of the model, loaded, with its session profiling.
struct Variant {
  ~Variant() {
    anvil_session_release(session);
    anvil_model_release(model);
  }
  anvil_model_t *model = nullptr;
  anvil_session_t *session = nullptr;
  std::vector<std::vector<char>> outputs;
  std::vector<int> outputTypes;
  std::vector<anvil_tensor_t> out;
  /// Per step: the kernel summary it belongs to (-1: none), and its
  /// profile's total after the last run.
  std::vector<int> group;
  std::vector<uint64_t> lastNs;
};

/// The model's inputs: deterministic values, symbolic dims bound by
/// --shape (1 when not bound), as the tuner binds them.
class Runner {
public:
  Runner(const TuneOptions &options, size_t groups)
      : options(options), groups(groups) {}

  std::string load(const std::string &path,
                   const std::map<std::string, int> &groupOf, Variant &v) {
    if (std::string e = takeStatus(anvil_model_load(path.c_str(), &v.model));
        !e.empty())
      return e;
    size_t numInputs = 0, numOutputs = 0;
    if (std::string e = takeStatus(anvil_model_num_inputs(v.model, &numInputs));
        !e.empty())
      return e;
    if (std::string e =
            takeStatus(anvil_model_num_outputs(v.model, &numOutputs));
        !e.empty())
      return e;
    if (inputs.empty() && numInputs) {
      Random random(options.seed);
      for (size_t i = 0; i < numInputs; ++i) {
        anvil_tensor_info_t info;
        if (std::string e =
                takeStatus(anvil_model_input_info(v.model, i, &info));
            !e.empty())
          return e;
        anvil_tensor_t t = {};
        t.dtype = info.dtype;
        t.rank = info.rank;
        auto bound = options.shapes.find(info.name ? info.name : "");
        size_t elements = 1;
        for (int d = 0; d < info.rank; ++d) {
          int64_t dim = info.dims[d];
          if (dim < 0)
            dim = bound != options.shapes.end() && d < (int)bound->second.size()
                      ? bound->second[d]
                      : 1;
          t.dims[d] = dim;
          elements *= (size_t)dim;
        }
        TensorBytes &bytes = inputBytes.emplace_back(
            elements * anvil_dtype_size(info.dtype) + 1);
        fillDeterministic(bytes.data(), bytes.size(), info.dtype, random);
        t.data = bytes.data();
        t.byte_size = bytes.size() - 1;
        inputs.push_back(t);
      }
    }
    if (numInputs != inputs.size())
      return "the variant's inputs differ from the default's";
    v.out.assign(numOutputs, anvil_tensor_t{});
    if (std::string e = takeStatus(anvil_model_output_shapes(
            v.model, inputs.data(), inputs.size(), v.out.data(), numOutputs));
        !e.empty())
      return e;
    for (anvil_tensor_t &t : v.out) {
      v.outputs.emplace_back(std::max<size_t>(t.byte_size, 1));
      v.outputTypes.push_back(t.dtype);
      t.data = v.outputs.back().data();
    }
    anvil_session_options_t sessionOptions;
    anvil_session_options_init(&sessionOptions);
    sessionOptions.num_threads = options.threads;
    if (std::string e = takeStatus(
            anvil_session_create(v.model, &sessionOptions, &v.session));
        !e.empty())
      return e;
    if (std::string e = takeStatus(anvil_session_set_profiling(v.session, 1));
        !e.empty())
      return e;
    size_t steps = 0;
    if (std::string e = takeStatus(anvil_session_num_steps(v.session, &steps));
        !e.empty())
      return e;
    v.group.assign(steps, -1);
    v.lastNs.assign(steps, 0);
    for (size_t i = 0; i < steps; ++i) {
      anvil_step_profile_t p;
      if (std::string e =
              takeStatus(anvil_session_step_profile(v.session, i, &p));
          !e.empty())
        return e;
      auto it = groupOf.find(p.name);
      if (it != groupOf.end())
        v.group[i] = it->second;
    }
    return "";
  }

  /// Runs `v` once; adds each group's time to `perGroup` (groups entries)
  /// and gives the whole run's time.
  std::string run(Variant &v, std::vector<double> &perGroup, double &totalNs) {
    perGroup.assign(groups, 0);
    auto start = Clock::now();
    std::string e = takeStatus(anvil_session_run(
        v.session, inputs.data(), inputs.size(), v.out.data(), v.out.size()));
    totalNs =
        std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    if (!e.empty())
      return e;
    for (size_t i = 0; i < v.group.size(); ++i) {
      anvil_step_profile_t p;
      if (std::string e =
              takeStatus(anvil_session_step_profile(v.session, i, &p));
          !e.empty())
        return e;
      if (v.group[i] >= 0)
        perGroup[(size_t)v.group[i]] += (double)(p.total_ns - v.lastNs[i]);
      v.lastNs[i] = p.total_ns;
    }
    return "";
  }

private:
  const TuneOptions &options;
  size_t groups;
  std::vector<TensorBytes> inputBytes;
  std::vector<anvil_tensor_t> inputs;
};

/// Per variant, per group, per pass: the group's time; and per variant, per
/// pass, the whole run's time.
struct Timings {
  std::vector<std::vector<std::vector<double>>> group;
  std::vector<std::vector<double>> total;
  /// Passes dropped: the host gave them fewer cores than the others got.
  uint64_t dropped = 0;
};

/// Drops from `t` the passes uncontendedPasses does not keep.
void dropContendedPasses(Timings &t, const std::vector<double> &cores,
                         int minPasses) {
  std::vector<size_t> keep = uncontendedPasses(cores, minPasses);
  if (keep.size() == cores.size())
    return;
  auto select = [&](std::vector<double> &v) {
    std::vector<double> kept;
    for (size_t p : keep)
      kept.push_back(v[p]);
    v = std::move(kept);
  };
  for (auto &variant : t.total)
    select(variant);
  for (auto &variant : t.group)
    for (auto &group : variant)
      select(group);
  t.dropped = cores.size() - keep.size();
}

/// Warm-up runs, then passes (each runs every variant once, the order
/// rotated by one each pass) until both the minimum passes and the time.
std::string measure(Runner &runner, std::vector<std::unique_ptr<Variant>> &vs,
                    size_t groups, const TuneOptions &options,
                    Timings &timings) {
  std::vector<double> perGroup;
  double total = 0;
  for (int w = 0; w < 2; ++w)
    for (auto &v : vs)
      if (std::string e = runner.run(*v, perGroup, total); !e.empty())
        return e;
  size_t n = vs.size();
  timings.group.assign(n, std::vector<std::vector<double>>(groups));
  timings.total.assign(n, {});
  Clock::time_point start = Clock::now();
  std::vector<clockid_t> clocks = threadCpuClocks();
  std::vector<double> cores;
  for (int pass = 0;; ++pass) {
    if (pass >= options.modelCheckMinPasses &&
        (secondsSince(start) >= options.modelCheckSeconds || pass >= 2000))
      break;
    Clock::time_point passStart = Clock::now();
    double cpuStart = threadsCpuNs(clocks);
    for (size_t j = 0; j < n; ++j) {
      size_t i = (j + (size_t)pass) % n;
      if (std::string e = runner.run(*vs[i], perGroup, total); !e.empty())
        return e;
      timings.total[i].push_back(total);
      for (size_t g = 0; g < groups; ++g)
        timings.group[i][g].push_back(perGroup[g]);
    }
    double cpu = threadsCpuNs(clocks) - cpuStart;
    double wall =
        std::chrono::duration<double, std::nano>(Clock::now() - passStart)
            .count();
    cores.push_back(cpu / std::max(wall, 1.0));
  }
  dropContendedPasses(timings, cores, options.modelCheckMinPasses);
  return "";
}

/// What timing a set of variants gives: the timings and each variant's
/// outputs after its last run.
struct Timed {
  Timings timings;
  std::vector<Measurement> outputs;
};

/// Loads the variants at `paths` and times them (measure) in a child
/// process: a variant that crashes or hangs in the model fails the check
/// instead of stopping the tuner. "" or why not.
std::string timeVariants(const std::vector<std::string> &paths,
                         const std::map<std::string, int> &groupOf,
                         size_t groups, const TuneOptions &options,
                         Timed &timed) {
  std::string bytes, error;
  bool ran = runIsolated(
      [&] {
        ByteWriter w;
        Runner runner(options, groups);
        std::vector<std::unique_ptr<Variant>> loaded;
        std::string why;
        for (size_t r = 0; r < paths.size() && why.empty(); ++r) {
          loaded.push_back(std::make_unique<Variant>());
          why = runner.load(paths[r], groupOf, *loaded.back());
          if (!why.empty())
            why = "variant " + std::to_string(r) + ": " + why;
        }
        if (why.empty() && options.crashModelCheck)
          std::raise(SIGSEGV);
        Timings t;
        if (why.empty())
          why = measure(runner, loaded, groups, options, t);
        w.blob(why);
        if (!why.empty())
          return w.bytes;
        w.u64(t.dropped);
        for (size_t r = 0; r < paths.size(); ++r) {
          w.u64(t.total[r].size());
          for (double v : t.total[r])
            w.f64(v);
          for (size_t g = 0; g < groups; ++g)
            for (double v : t.group[r][g])
              w.f64(v);
          w.u64(loaded[r]->outputs.size());
          for (size_t o = 0; o < loaded[r]->outputs.size(); ++o) {
            w.u64((uint64_t)loaded[r]->outputTypes[o]);
            w.blob(loaded[r]->outputs[o]);
          }
        }
        return w.bytes;
      },
      // Generous: builds are done; this is only runs of the model.
      std::max(600.0, 20 * options.modelCheckSeconds), bytes, error);
  if (!ran)
    return "the model's variants do not run: " + error;
  ByteReader r{bytes};
  std::string why = r.text();
  if (!r.ok)
    return "the measuring process failed";
  if (!why.empty())
    return why;
  size_t n = paths.size();
  timed.timings.dropped = r.u64();
  timed.timings.total.assign(n, {});
  timed.timings.group.assign(n, std::vector<std::vector<double>>(groups));
  timed.outputs.assign(n, Measurement());
  for (size_t v = 0; v < n && r.ok; ++v) {
    uint64_t passes = r.count();
    for (uint64_t p = 0; p < passes && r.ok; ++p)
      timed.timings.total[v].push_back(r.f64());
    for (size_t g = 0; g < groups && r.ok; ++g)
      for (uint64_t p = 0; p < passes && r.ok; ++p)
        timed.timings.group[v][g].push_back(r.f64());
    uint64_t outputs = r.count();
    for (uint64_t o = 0; o < outputs && r.ok; ++o) {
      timed.outputs[v].outputTypes.push_back((int)r.u64());
      timed.outputs[v].outputs.push_back(r.blob());
    }
  }
  if (!r.done())
    return "the measuring process failed";
  return "";
}

/// Builds whole-model variants, `jobs` at a time, each compiler in an MLIR
/// context of its own (the model travels as bytecode).
class ModelBuilder {
public:
  ModelBuilder(ModuleOp module, const TuneOptions &options)
      : module(module), options(options) {}

  /// Builds configs[i] (kernel symbol -> config text; the other kernels
  /// keep what the module has) into paths[i]; "" or why not, per variant.
  std::vector<std::string>
  build(const std::vector<std::map<std::string, std::string>> &configs,
        const std::vector<std::string> &paths) {
    size_t jobs = std::min<size_t>(std::max(1, options.jobs), configs.size());
    if (compilers.size() < jobs && !bytecode)
      bytecode = std::make_shared<const std::string>(toBytecode(module));
    while (compilers.size() < jobs) {
      std::string why;
      auto c =
          VariantCompiler::create(bytecode, options.cpu, options.optLevel, why);
      if (!c)
        return std::vector<std::string>(configs.size(), why);
      compilers.push_back(std::move(c));
    }
    return buildInParallel(compilers, configs.size(),
                           [&](VariantCompiler &compiler, size_t i) {
                             std::string why;
                             if (compiler.buildWith(configs[i], paths[i], why))
                               return std::string();
                             return "the model does not build: " + why;
                           });
  }

private:
  ModuleOp module;
  const TuneOptions &options;
  std::shared_ptr<const std::string> bytecode;
  std::vector<std::unique_ptr<VariantCompiler>> compilers;
};

} // namespace

std::vector<size_t>
autotune::uncontendedPasses(const std::vector<double> &cores, int minPasses) {
  std::vector<size_t> all(cores.size());
  for (size_t p = 0; p < all.size(); ++p)
    all[p] = p;
  if (cores.empty())
    return all;
  std::vector<double> sorted(cores);
  std::sort(sorted.begin(), sorted.end());
  double usual = sorted[(sorted.size() - 1) * 9 / 10];
  if (usual < kParallelCores)
    return all;
  std::vector<size_t> keep;
  for (size_t p = 0; p < cores.size(); ++p)
    if (cores[p] >= kContendedFraction * usual)
      keep.push_back(p);
  return (int)keep.size() < minPasses ? all : keep;
}

LogicalResult
autotune::checkInModel(ModuleOp module, TuningDatabase &db,
                       const TuneOptions &options, TuneSummary &summary,
                       const std::function<void(const Progress &)> &progress,
                       std::string &error) {
  Clock::time_point start = Clock::now();
  ModelCheckSummary &check = summary.modelCheck;
  auto say = [&](const std::string &phase) {
    Progress p;
    p.phase = "model check: " + phase;
    progress(p);
  };
  // The kernels it compares: tuned, with a candidate that beat the default
  // alone.
  std::vector<size_t> checked;
  std::map<std::string, int> groupOf;
  int variants = 1;
  for (size_t k = 0; k < summary.kernels.size(); ++k) {
    KernelSummary &ks = summary.kernels[k];
    if (!ks.skipped.empty() || ks.candidates.empty())
      continue;
    for (const std::string &symbol : ks.symbols)
      groupOf[symbol] = (int)checked.size();
    checked.push_back(k);
    variants = std::max(variants, 1 + std::min((int)ks.candidates.size(),
                                               options.modelCheckCandidates));
  }
  if (checked.empty()) {
    check.skipped = "no kernel has a config faster than its default alone";
    return success();
  }

  SmallString<128> dir;
  if (std::error_code ec =
          makeWorkDirectory(options.workDir, "anvil-model-check", dir)) {
    check.skipped = "cannot make a directory for the variants: " + ec.message();
    return success();
  }
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(dir); });
  auto pathOf = [&](const std::string &tag) {
    return (dir + "/" + tag + ".so").str();
  };

  // Variant r: each checked kernel's candidate r (its default past its
  // last), for every kernel function of its key.
  auto configsOf = [&](auto choose) {
    std::map<std::string, std::string> configs;
    for (size_t k : checked) {
      const KernelSummary &ks = summary.kernels[k];
      for (const std::string &symbol : ks.symbols)
        configs[symbol] = choose(ks);
    }
    return configs;
  };
  ModelBuilder builder(module, options);
  say(llvm::formatv("building {0} variants of the model ({1} at a time)",
                    variants, std::max(1, options.jobs))
          .str());
  std::vector<std::map<std::string, std::string>> variantConfigs;
  std::vector<std::string> paths;
  for (int r = 0; r < variants; ++r) {
    variantConfigs.push_back(configsOf([&](const KernelSummary &ks) {
      return r == 0 || r > (int)ks.candidates.size()
                 ? ks.defaultConfig
                 : ks.candidates[(size_t)r - 1].config;
    }));
    paths.push_back(pathOf("variant" + std::to_string(r)));
  }
  std::vector<std::string> built = builder.build(variantConfigs, paths);
  for (int r = 0; r < variants; ++r)
    if (!built[(size_t)r].empty()) {
      check.skipped = "variant " + std::to_string(r) + ": " + built[(size_t)r];
      return success();
    }
  say(llvm::formatv("timing {0} variants of the model in alternation", variants)
          .str());
  Timed first;
  if (std::string why =
          timeVariants(paths, groupOf, checked.size(), options, first);
      !why.empty()) {
    check.skipped = why;
    return success();
  }
  const Timings &timings = first.timings;
  check.variants = variants;
  check.passes = (int)timings.total[0].size();
  check.droppedPasses = (int)timings.dropped;

  // Each kernel's choice.
  for (size_t g = 0; g < checked.size(); ++g) {
    KernelSummary &ks = summary.kernels[checked[g]];
    std::vector<std::vector<double>> times = {timings.group[0][g]};
    int n = std::min((int)ks.candidates.size(), options.modelCheckCandidates);
    for (int r = 1; r <= n; ++r)
      times.push_back(timings.group[(size_t)r][g]);
    chooseInModel(times, ks.inModel);
  }
  auto keptConfig = [&](const KernelSummary &ks) {
    return ks.inModel.chosen == 0
               ? ks.defaultConfig
               : ks.candidates[(size_t)ks.inModel.chosen - 1].config;
  };
  bool anyKept = llvm::any_of(checked, [&](size_t k) {
    return summary.kernels[k].inModel.chosen != 0;
  });

  // Stopping from here leaves every winner as it was, unchecked.
  auto abandon = [&](const std::string &why) {
    check.skipped = why;
    for (size_t k : checked)
      summary.kernels[k].inModel = InModel();
    return success();
  };

  // The model with the kept configs against the default, for the
  // end-to-end figure and an output check.
  if (anyKept) {
    say("building the model with the kept configs");
    std::string path = pathOf("kept");
    if (std::string why = builder.build({configsOf(keptConfig)}, {path})[0];
        !why.empty()) {
      return abandon("the kept configs: " + why);
    }
    say("timing it against the defaults");
    Timed timed;
    if (std::string why = timeVariants({paths[0], path}, groupOf,
                                       checked.size(), options, timed);
        !why.empty()) {
      return abandon("the kept configs: " + why);
    }
    const Timings &against = timed.timings;
    check.droppedPasses += (int)against.dropped;
    std::string why2;
    // Reductions over many layers in another order: a looser bound than one
    // kernel's.
    if (!outputsMatch(timed.outputs[0], timed.outputs[1],
                      options.tolerance * 10, why2)) {
      return abandon("the model with the kept configs computes other "
                     "outputs than the default (" +
                     why2 + "): every winner left as it was");
    }
    std::vector<double> ratios;
    for (size_t p = 0; p < against.total[0].size(); ++p)
      ratios.push_back(against.total[1][p] / against.total[0][p]);
    Summary r = summarize(ratios);
    check.defaultNs = summarize(against.total[0]).median;
    check.tunedNs = summarize(against.total[1]).median;
    check.ratio = r.median;
    check.ratioLow = r.low;
    check.ratioHigh = r.high;
    // Each kernel's time is its own steps: what a config does to the
    // kernels after it (where it leaves their inputs) is not in it. The
    // whole run is, and has the last word.
    if (r.median >= 1) {
      check.allReverted = true;
      for (size_t k : checked)
        summary.kernels[k].inModel.chosen = 0;
    }
  } else {
    check.defaultNs = check.tunedNs = summarize(timings.total[0]).median;
  }

  // The database keeps what the model check kept.
  for (size_t k : checked) {
    KernelSummary &ks = summary.kernels[k];
    std::string kept = keptConfig(ks);
    if (ks.inModel.chosen == 0)
      ++check.reverted;
    else if (ks.inModel.chosen == 1)
      ++check.kept;
    else
      ++check.switched;
    if (kept == ks.bestConfig)
      continue;
    const Candidate *c = ks.inModel.chosen
                             ? &ks.candidates[(size_t)ks.inModel.chosen - 1]
                             : nullptr;
    ks.bestConfig = kept;
    ks.bestNs = c ? c->medianNs : ks.defaultNs;
    ks.bestCiLowNs = c ? c->ciLowNs : ks.defaultNs;
    ks.bestCiHighNs = c ? c->ciHighNs : ks.defaultNs;
    ks.bestMemory = c ? c->memoryBytes : ks.defaultMemory;
    if (Status set =
            storeBest(db, ks, options.objective, (int)ks.trials.size());
        !set.ok()) {
      error = set.message();
      return failure();
    }
  }
  check.ran = true;
  check.seconds = secondsSince(start);
  return success();
}

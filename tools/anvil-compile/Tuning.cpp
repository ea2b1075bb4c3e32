//===- Tuning.cpp - anvil-compile's kernel configs and kernel list --------===//
#include "Tuning.h"

#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::compile;

/// The attribute as --emit=kernels prints it.
static std::string asText(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}

LogicalResult
compile::parseKernelConfigFlags(MLIRContext *ctx, ArrayRef<std::string> specs,
                                std::vector<KernelConfigFlag> &flags,
                                std::string &error) {
  for (const std::string &spec : specs) {
    auto [index, text] = StringRef(spec).split('=');
    KernelConfigFlag flag;
    flag.spec = spec;
    auto fail = [&](const Twine &why) {
      error = ("--kernel-config=" + spec + ": " + why).str();
      return failure();
    };
    if (index.getAsInteger(10, flag.index) || flag.index < 0 || text.empty())
      return fail("expected INDEX=CONFIG, with INDEX a kernel index (see "
                  "--list-kernels) and CONFIG a #anvil_kernel.tuning<...>");
    std::string why;
    flag.config = cpu::parseTuningConfig(ctx, text.trim(), why);
    if (!flag.config)
      return fail("cannot parse the config: " + why);
    if (llvm::any_of(flags, [&](const KernelConfigFlag &other) {
          return other.index == flag.index;
        }))
      return fail("kernel " + Twine(flag.index) + " is given a config twice");
    flags.push_back(std::move(flag));
  }
  return success();
}

/// "kernel 3 (@kernel_3)".
static std::string name(int64_t index, func::FuncOp kernel) {
  return ("kernel " + Twine(index) + " (@" + kernel.getSymName() + ")").str();
}

/// Each kernel of `module` with its key, under its default config.
static FailureOr<std::vector<KernelChoice>>
defaultChoices(ModuleOp module, const ConfigRequest &request) {
  FailureOr<std::vector<cpu::KernelDescription>> described =
      cpu::describeKernels(module);
  if (failed(described))
    return failure();
  std::string fingerprint = cpu::cpuFingerprint(request.cpu);
  std::vector<KernelChoice> kernels;
  for (cpu::KernelDescription &k : *described) {
    KernelChoice &choice = kernels.emplace_back();
    choice.kernel = std::move(k);
    choice.key = {choice.kernel.identity.hash, choice.kernel.identity.shapes,
                  cpu::kTuningTarget.str(), fingerprint,
                  cpu::compilerVersion().str()};
    choice.defaultConfig = choice.config =
        choice.kernel.function->getAttrOfType<kernel::TuningConfigAttr>(
            kernel::kTuningAttrName);
  }
  return kernels;
}

/// Applies each --kernel-config; the first that fails is the error.
static LogicalResult applyFlags(ModuleOp module, const ConfigRequest &request,
                                std::vector<KernelChoice> &kernels,
                                std::string &error) {
  for (const KernelConfigFlag &flag : request.flags) {
    std::string prefix = "--kernel-config=" + flag.spec + ": ";
    if (flag.index >= (int64_t)kernels.size()) {
      error = (Twine(prefix) + "no kernel " + Twine(flag.index) +
               " (the model has " + Twine(kernels.size()) + " kernels)")
                  .str();
      return failure();
    }
    KernelChoice &choice = kernels[flag.index];
    std::string reason;
    if (failed(cpu::replaceTuningConfig(module, choice.kernel.function,
                                        flag.config, reason))) {
      error = prefix + name(flag.index, choice.kernel.function) +
              " rejects it: " + reason;
      return failure();
    }
    choice.config = flag.config;
    choice.source = ConfigSource::KernelConfigFlag;
  }
  return success();
}

/// Applies the database's best config to each kernel still at its default.
/// A stored config that no longer fits (a database edited by hand, or a bug in
/// a tuner) is a warning, not an error: the default still works.
static LogicalResult applyDatabase(ModuleOp module,
                                   const ConfigRequest &request,
                                   std::vector<KernelChoice> &kernels,
                                   raw_ostream &warnings, std::string &error) {
  for (auto [index, choice] : llvm::enumerate(kernels)) {
    if (choice.source != ConfigSource::Default)
      continue;
    autotune::Expected<std::optional<autotune::BestRecord>> best =
        request.db->best(choice.key, request.objective);
    if (!best) {
      error = best.message();
      return failure();
    }
    if (!*best)
      continue;
    autotune::Expected<std::vector<autotune::TrialRecord>> trials =
        request.db->trials(choice.key);
    if (!trials) {
      error = trials.message();
      return failure();
    }
    // A best that is the default config of the compiler that tuned the
    // kernel (no trial beat it) says nothing against this compiler's
    // default when that is another config (the heuristics changed) that no
    // trial measured: the kernel keeps this one's.
    std::string currentDefault = asText(choice.defaultConfig);
    if ((*best)->config != currentDefault) {
      if (llvm::any_of(*trials,
                       [&](const autotune::TrialRecord &t) {
                         return t.strategy == autotune::kDefaultStrategy &&
                                t.config == (*best)->config;
                       }) &&
          llvm::none_of(*trials, [&](const autotune::TrialRecord &t) {
            return t.config == currentDefault;
          })) {
        warnings << "anvil-compile: note: tuning database '"
                 << request.db->path()
                 << "': " << name(index, choice.kernel.function)
                 << ": the stored " << request.objective << " config '"
                 << (*best)->config
                 << "' is the default config it was tuned against (no trial "
                    "beat it), and this compiler's default is another; the "
                    "kernel keeps this compiler's default (tune again to "
                    "compare them)\n";
        continue;
      }
    }
    std::string reason;
    kernel::TuningConfigAttr config =
        cpu::parseTuningConfig(module.getContext(), (*best)->config, reason);
    if (config && succeeded(cpu::replaceTuningConfig(
                      module, choice.kernel.function, config, reason))) {
      choice.config = config;
      choice.source = ConfigSource::TuningDatabase;
      for (const autotune::TrialRecord &t : *trials)
        if (t.config == (*best)->config)
          choice.tunedConditions = t.conditions;
      continue;
    }
    warnings << "anvil-compile: warning: tuning database '"
             << request.db->path()
             << "': " << name(index, choice.kernel.function) << ": the stored "
             << request.objective << " config '" << (*best)->config
             << "' cannot be used: " << reason
             << "; the kernel keeps its default config\n";
  }
  return success();
}

FailureOr<std::vector<KernelChoice>>
compile::chooseKernelConfigs(ModuleOp module, const ConfigRequest &request,
                             raw_ostream &warnings, std::string &error) {
  FailureOr<std::vector<KernelChoice>> kernels =
      defaultChoices(module, request);
  if (failed(kernels) || failed(applyFlags(module, request, *kernels, error)) ||
      (request.db &&
       failed(applyDatabase(module, request, *kernels, warnings, error))))
    return failure();
  return kernels;
}

void compile::printTuningSummary(ArrayRef<KernelChoice> kernels,
                                 const std::string &dbPath, raw_ostream &os) {
  int64_t tuned = 0, dispatches = 0;
  // How many of the tuned configs were measured under each set of
  // conditions, in first-seen order.
  std::vector<std::pair<std::string, int64_t>> conditions;
  for (const KernelChoice &choice : kernels)
    if (choice.source == ConfigSource::TuningDatabase) {
      ++tuned;
      dispatches += choice.kernel.dispatches;
      std::string what = choice.tunedConditions.empty()
                             ? "unrecorded conditions"
                             : choice.tunedConditions;
      auto it = llvm::find_if(conditions,
                              [&](const auto &c) { return c.first == what; });
      if (it == conditions.end())
        conditions.emplace_back(what, 1);
      else
        ++it->second;
    }
  os << "tuning: " << tuned << " of " << kernels.size() << " kernels ("
     << dispatches << " dispatch" << (dispatches == 1 ? "" : "es")
     << ") use tuned configs from '" << dbPath << "'";
  // The thread count a config was tuned with is the one it is best for:
  // say it, so that a model served with other threads is tuned again.
  if (conditions.size() == 1) {
    os << ", measured under " << conditions.front().first;
  } else if (!conditions.empty()) {
    os << ", measured under ";
    llvm::interleaveComma(conditions, os, [&](const auto &entry) {
      os << entry.first << " (" << entry.second << ")";
    });
  }
  os << "\n";
}

/// The loops in `set`, as a JSON array.
static llvm::json::Array loops(const llvm::SmallBitVector &set) {
  llvm::json::Array result;
  for (int d : set.set_bits())
    result.push_back(d);
  return result;
}

llvm::json::Value compile::kernelList(ArrayRef<KernelChoice> kernels,
                                      StringRef model) {
  static constexpr const char *kSources[] = {"default", "kernel-config",
                                             "tuning-db"};
  llvm::json::Array list;
  for (auto [index, choice] : llvm::enumerate(kernels)) {
    const cpu::KernelDescription &k = choice.kernel;
    func::FuncOp fn = k.function;
    linalg::LinalgOp root = k.root;
    llvm::json::Array extents, iterators;
    for (int64_t e : k.extents)
      extents.push_back(ShapedType::isDynamic(e) ? int64_t(-1) : e);
    for (utils::IteratorType it : k.iterators)
      iterators.push_back(utils::stringifyIteratorType(it).str());
    list.push_back(llvm::json::Object{
        {"index", int64_t(index)},
        {"symbol", fn.getSymName().str()},
        {"key",
         llvm::json::Object{{"kernelHash", choice.key.kernelHash},
                            {"shapes", choice.key.shapes},
                            {"target", choice.key.target},
                            {"fingerprint", choice.key.fingerprint},
                            {"compilerVersion", choice.key.compilerVersion}}},
        {"defaultConfig", asText(choice.defaultConfig)},
        {"config", asText(choice.config)},
        {"configSource", kSources[static_cast<int>(choice.source)]},
        {"tunedConditions", choice.tunedConditions},
        {"rootOp", root->getName().getStringRef().str()},
        {"loopExtents", std::move(extents)},
        {"iteratorTypes", std::move(iterators)},
        {"untileableDims", loops(k.untileable)},
        {"distributeDims", llvm::json::Array(k.distributeDims)},
        {"ops", k.numOps},
        {"dispatches", k.dispatches},
        {"work", int64_t(std::min<uint64_t>(
                     k.work, std::numeric_limits<int64_t>::max()))},
    });
  }
  return llvm::json::Object{
      {"format", 1}, {"model", model.str()}, {"kernels", std::move(list)}};
}

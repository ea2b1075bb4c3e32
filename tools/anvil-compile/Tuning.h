//===- Tuning.h - anvil-compile's kernel configs and kernel list -*- C++
//-*-===//
//
// How anvil-compile picks each kernel's TuningConfig: the one --kernel-config
// names for it, else the best one a tuning database (--tuning-db) holds for
// its key, else the default heuristics' one; and the --list-kernels document
// that a tuner reads to enumerate the kernels of a model.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_TOOLS_ANVIL_COMPILE_TUNING_H
#define ANVIL_TOOLS_ANVIL_COMPILE_TUNING_H

#include "autotune/TuningDatabase.h"
#include "codegen/CPU/KernelTuning.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace anvil::compile {

/// One --kernel-config INDEX=CONFIG.
struct KernelConfigFlag {
  std::string spec; ///< As given, for messages.
  int64_t index = 0;
  kernel::TuningConfigAttr config;
};

/// Parses the --kernel-config specs. A malformed one (no INDEX, a CONFIG that
/// is not a TuningConfig, an INDEX given twice) fails with `error`.
mlir::LogicalResult parseKernelConfigFlags(mlir::MLIRContext *ctx,
                                           llvm::ArrayRef<std::string> specs,
                                           std::vector<KernelConfigFlag> &flags,
                                           std::string &error);

enum class ConfigSource { Default, KernelConfigFlag, TuningDatabase };

/// A kernel and the config it is compiled with.
struct KernelChoice {
  cpu::KernelDescription kernel;
  autotune::TuningKey key;
  kernel::TuningConfigAttr defaultConfig, config;
  ConfigSource source = ConfigSource::Default;
  /// For a config from the tuning database: the conditions its trial was
  /// measured under ("threads=2 weights=cold"; empty: not recorded).
  std::string tunedConditions;
};

struct ConfigRequest {
  llvm::ArrayRef<KernelConfigFlag> flags;
  /// Null: no tuning database.
  const autotune::TuningDatabase *db = nullptr;
  std::string objective = autotune::kLatencyObjective;
  /// The --cpu the code is generated for (its fingerprint is in the keys).
  std::string cpu;
};

/// Gives every kernel of `module` its config, by `request`. A flag naming no
/// kernel, or a config the kernel rejects, fails with `error` (naming the
/// flag and the kernel), as does a database that cannot be read. A stored
/// config the kernel rejects is a warning (on `warnings`), and the kernel
/// keeps its default.
mlir::FailureOr<std::vector<KernelChoice>>
chooseKernelConfigs(mlir::ModuleOp module, const ConfigRequest &request,
                    llvm::raw_ostream &warnings, std::string &error);

/// "tuning: N of M kernels (K dispatches) use tuned configs from DB".
void printTuningSummary(llvm::ArrayRef<KernelChoice> kernels,
                        const std::string &dbPath, llvm::raw_ostream &os);

/// The --list-kernels document (docs/tuning-database.md).
llvm::json::Value kernelList(llvm::ArrayRef<KernelChoice> kernels,
                             llvm::StringRef model);

} // namespace anvil::compile

#endif // ANVIL_TOOLS_ANVIL_COMPILE_TUNING_H

//===- Harness.cpp - What the kernel benchmark binaries share -------------===//

#include "bench/Harness.h"

#include "bench/FmaPeak.h"

#include <cblas.h>
#include <dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace anvil::bench {
namespace {

bool failed = false;

#ifndef ANVIL_COMPILE_DEFAULT
#define ANVIL_COMPILE_DEFAULT "anvil-compile"
#endif

const char kUsage[] =
    "\n%s options (after Google Benchmark's):\n"
    "  --threads=N           threads of Anvil, OpenBLAS, oneDNN (default 1)\n"
    "  --anvil_compile=PATH  the compiler (default $ANVIL_COMPILE, else\n"
    "                        " ANVIL_COMPILE_DEFAULT ")\n"
    "  --work_dir=DIR        keep the models and artifacts in DIR (default: a\n"
    "                        temporary directory, removed at exit)\n"
    "  --tolerance=X         the largest max|anvil - ref| / max|ref| accepted\n"
    "                        (default 1e-4)\n"
    "  --peak_gflops=X       the FMA peak of N threads for peak_pct (default:\n"
    "                        measured at startup)\n"
    "  --test_corrupt_anvil_output\n"
    "                        perturb Anvil's output before the check (to test\n"
    "                        the check)\n"
    "Exit status: 0 success; 1 a bad option, a missing tool, a failed\n"
    "compile or a result that differs from the reference (\"error: ...\"\n"
    "on stderr).\n\n";

// Matches --name=VALUE; sets `value`.
bool flag(const char *arg, const char *name, const char **value) {
  size_t length = std::strlen(name);
  if (std::strncmp(arg, name, length) || arg[length] != '=')
    return false;
  *value = arg + length + 1;
  return true;
}

bool parseDouble(const char *name, const char *text, double low, double &out) {
  char *end = nullptr;
  double value = std::strtod(text, &end);
  if (!*text || *end || !std::isfinite(value) || value < low) {
    std::fprintf(stderr, "error: %s: '%s' is not a number >= %g\n", name, text,
                 low);
    return false;
  }
  out = value;
  return true;
}

bool parseOptions(int argc, char **argv, Options &options) {
  if (const char *env = std::getenv("ANVIL_COMPILE"); env && *env)
    options.anvilCompile = env;
  else
    options.anvilCompile = ANVIL_COMPILE_DEFAULT;
  for (int i = 1; i < argc; ++i) {
    const char *value = nullptr;
    if (flag(argv[i], "--threads", &value)) {
      double threads;
      if (!parseDouble("--threads", value, 1, threads) || threads > 1024 ||
          threads != std::floor(threads)) {
        std::fprintf(stderr, "error: --threads: expected 1..1024, got '%s'\n",
                     value);
        return false;
      }
      options.threads = static_cast<int>(threads);
    } else if (flag(argv[i], "--anvil_compile", &value)) {
      options.anvilCompile = value;
    } else if (flag(argv[i], "--work_dir", &value)) {
      options.workDir = value;
    } else if (flag(argv[i], "--tolerance", &value)) {
      if (!parseDouble("--tolerance", value, 0, options.tolerance))
        return false;
    } else if (flag(argv[i], "--peak_gflops", &value)) {
      if (!parseDouble("--peak_gflops", value, 0, options.peakGflops))
        return false;
    } else if (!std::strcmp(argv[i], "--test_corrupt_anvil_output")) {
      options.corruptAnvilOutput = true;
    } else {
      std::fprintf(stderr, "error: unknown option '%s' (see --help)\n",
                   argv[i]);
      return false;
    }
  }
  if (access(options.anvilCompile.c_str(), X_OK)) {
    std::fprintf(stderr,
                 "error: anvil-compile not found or not executable: '%s' "
                 "(build it with `ninja anvil-compile`, or pass "
                 "--anvil_compile=PATH)\n",
                 options.anvilCompile.c_str());
    return false;
  }
  return true;
}

// Removes the work directory at exit when it is a temporary one.
struct TemporaryDir {
  std::string path;
  ~TemporaryDir() {
    if (path.empty())
      return;
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

bool makeWorkDir(Options &options, TemporaryDir &temporary) {
  if (options.workDir.empty()) {
    std::error_code error;
    std::filesystem::path base = std::filesystem::temp_directory_path(error);
    std::string pattern =
        (error ? std::string("/tmp") : base.string()) + "/anvil-bench-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      std::fprintf(stderr, "error: cannot create a directory like '%s': %s\n",
                   pattern.c_str(), std::strerror(errno));
      return false;
    }
    options.workDir = temporary.path = pattern;
    return true;
  }
  std::error_code error;
  std::filesystem::create_directories(options.workDir, error);
  if (error) {
    std::fprintf(stderr, "error: --work_dir: cannot create '%s': %s\n",
                 options.workDir.c_str(), error.message().c_str());
    return false;
  }
  return true;
}

void addContext(const Options &options) {
  benchmark::AddCustomContext("anvil_threads", std::to_string(options.threads));
  benchmark::AddCustomContext("anvil_compile", options.anvilCompile);
  char peak[32];
  std::snprintf(peak, sizeof peak, "%.1f", options.peakGflops);
  benchmark::AddCustomContext("peak_gflops", peak);
  FmaIsa isa;
  benchmark::AddCustomContext("fma_isa",
                              bestFmaIsa(isa) ? fmaIsaName(isa) : "none");
  benchmark::AddCustomContext("openblas_config", openblas_get_config());
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  const char *coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE",
                              coretype ? coretype : "(unset)");
  const dnnl_version_t *dnnl = dnnl_version();
  char version[64];
  std::snprintf(version, sizeof version, "%d.%d.%d (%s)", dnnl->major,
                dnnl->minor, dnnl->patch,
                dnnl->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP"
                                                      : "other runtime");
  benchmark::AddCustomContext("onednn_version", version);
}

} // namespace

void fail(const std::string &message, benchmark::State *state) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::fflush(stderr);
  failed = true;
  if (state)
    state->SkipWithError(message.c_str());
}

double maxRelativeError(const float *got, const float *want, size_t n) {
  double scale = 1e-30, diff = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(got[i]))
      return INFINITY;
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  return diff / scale;
}

std::string checkClose(const std::string &what, const float *got,
                       const float *want, size_t n, double tolerance) {
  double error = maxRelativeError(got, want, n);
  if (error <= tolerance)
    return "";
  char text[64];
  std::snprintf(text, sizeof text, "%.3g > tolerance %.3g", error, tolerance);
  return what + ": wrong result: max relative error " + text;
}

/// How long spinning worker threads (OpenBLAS's, the previous session's)
/// take to go idle.
constexpr std::chrono::milliseconds kSettleTime(300);

void settle(const Options &options, const std::string &impl) {
  static std::string last;
  if (options.threads > 1 && impl != last)
    std::this_thread::sleep_for(kSettleTime);
  last = impl;
}

std::vector<float> randomFloats(size_t n, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(n);
  for (float &value : values)
    value = uniform(engine);
  return values;
}

int benchMain(int argc, char **argv, const char *description,
              const std::function<void(const Options &)> &registerBenchmarks) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("%s\n", description);
      std::printf(kUsage, argv[0]);
    }
  }
  benchmark::Initialize(&argc, argv);
  Options options;
  if (!parseOptions(argc, argv, options))
    return 1;
  TemporaryDir temporary;
  if (!makeWorkDir(options, temporary))
    return 1;
  // OpenBLAS starts its workers when it loads, and they spin for a while
  // before they sleep: measured at once, the 2-thread peak read as one
  // core's. settle()'s wait lets them go idle.
  if (options.peakGflops == 0) {
    if (options.threads > 1)
      std::this_thread::sleep_for(kSettleTime);
    options.peakGflops = measurePeakGflops(options.threads);
    options.probePeak = options.threads == 1 && options.peakGflops > 0;
  }
  // OpenBLAS and oneDNN (OpenMP) keep their own pools; both get the same
  // number of threads as Anvil's session.
  openblas_set_num_threads(options.threads);
  omp_set_num_threads(options.threads);
  addContext(options);
  registerBenchmarks(options);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return failed ? 1 : 0;
}

} // namespace anvil::bench

//===- Harness.h - What the kernel benchmark binaries share ------*- C++
//-*-===//
//
// Command-line options, the work directory for Anvil artifacts, failure
// reporting (a wrong result makes the binary exit 1), result checks, thread
// counts for the peer libraries, and the timing loop that turns runs into
// GFLOP/s and % of the measured FMA peak.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_BENCH_HARNESS_H
#define ANVIL_BENCH_HARNESS_H

#include "bench/FmaPeak.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace anvil::bench {

/// The options every Anvil-vs-peers binary takes, after Google Benchmark's.
struct Options {
  /// Threads for Anvil's session, OpenBLAS and oneDNN alike.
  int threads = 1;
  /// The compiler that turns the one-node models into artifacts.
  std::string anvilCompile;
  /// Where models and artifacts go; empty: a temporary directory.
  std::string workDir;
  /// The largest max|got - want| / max|want| accepted against the reference.
  double tolerance = 1e-4;
  /// The FMA peak (GFLOP/s) for `threads` threads; 0: measure it at startup.
  double peakGflops = 0;
  /// Probe the peak after every timed run (see timeRuns): with one thread
  /// and no --peak_gflops. With more threads the peers' workers spin after
  /// each call and would take the probe's cores.
  bool probePeak = false;
  /// For the tests of the check itself: perturbs Anvil's output before it is
  /// compared, so that the check must fail.
  bool corruptAnvilOutput = false;
};

/// Reports a failure: prints "error: <message>" to stderr, marks the
/// benchmark (if any) as failed, and makes benchMain return 1.
void fail(const std::string &message, benchmark::State *state = nullptr);

/// max|got - want| / max|want| (max|want| floored at 1e-30); infinity when
/// `got` holds a NaN or an infinity.
double maxRelativeError(const float *got, const float *want, size_t n);

/// An error message if maxRelativeError exceeds `tolerance`, else "".
std::string checkClose(const std::string &what, const float *got,
                       const float *want, size_t n, double tolerance);

/// `n` floats uniform in [-1, 1), the same for the same seed.
std::vector<float> randomFloats(size_t n, uint64_t seed);

/// Lets the worker threads of the previous benchmark go idle before one of
/// `impl` is timed: OpenBLAS's threads spin for a while after each call, and
/// with more than one thread they would take the next benchmark's cores.
void settle(const Options &options, const std::string &impl);

/// Times `run` (which returns an error message, or "" on success) once per
/// benchmark iteration and sets the counters GFLOPS (from `flopsPerRun`,
/// the mean rate over the iterations) and, when a peak is known, peak_pct.
/// With one thread and a measured peak (options.probePeak), the timed runs
/// are cut into windows of at least kProbeWindowSeconds of run time, each
/// followed by a ~1 ms probe of the FMA peak, and peak_pct is the median over
/// the windows of window rate / probe rate: the kernel and its yardstick are
/// measured side by side, so a host whose speed drifts (shared machines here
/// move 30% within minutes) moves both. The counter probe_gflops holds the
/// probes' median. Otherwise peak_pct is GFLOPS against options.peakGflops.
/// Use with UseManualTime().
inline constexpr double kProbeWindowSeconds = 2e-3;
template <typename Run>
void timeRuns(benchmark::State &state, double flopsPerRun,
              const Options &options, Run &&run) {
  using Clock = std::chrono::steady_clock;
  double total = 0, window = 0, windowFlops = 0;
  std::vector<double> ratios, probes;
  for (auto _ : state) {
    auto start = Clock::now();
    std::string error = run();
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (!error.empty()) {
      fail(error, &state);
      return;
    }
    state.SetIterationTime(seconds);
    total += seconds;
    if (!options.probePeak)
      continue;
    window += seconds;
    windowFlops += flopsPerRun;
    if (window < kProbeWindowSeconds)
      continue;
    if (double peak = probePeakGflops(); peak > 0) {
      probes.push_back(peak);
      ratios.push_back(windowFlops / window / 1e9 / peak);
    }
    window = windowFlops = 0;
  }
  if (total <= 0)
    return;
  double gflops =
      flopsPerRun * static_cast<double>(state.iterations()) / total / 1e9;
  state.counters["GFLOPS"] = gflops;
  auto median = [](std::vector<double> &values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  };
  if (!ratios.empty()) {
    state.counters["peak_pct"] = 100 * median(ratios);
    state.counters["probe_gflops"] = median(probes);
  } else if (options.peakGflops > 0) {
    state.counters["peak_pct"] = 100 * gflops / options.peakGflops;
  }
}

/// The main() of a binary that times Anvil against peers: parses the options
/// (exit 1 with a message on a bad one, or when anvil-compile is missing),
/// sets the peers' thread counts, makes the work directory, measures the FMA
/// peak, records the context (threads, peak, library versions), calls
/// `registerBenchmarks`, and runs them. Returns 1 if anything failed.
int benchMain(int argc, char **argv, const char *description,
              const std::function<void(const Options &)> &registerBenchmarks);

} // namespace anvil::bench

#endif // ANVIL_BENCH_HARNESS_H

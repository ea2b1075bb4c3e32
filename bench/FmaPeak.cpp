//===- FmaPeak.cpp - The fp32 FMA peak of this machine, measured ----------===//

#include "bench/FmaPeak.h"

#include <algorithm>
#include <chrono>
#include <immintrin.h>
#include <thread>
#include <vector>

namespace anvil::bench {
namespace {

// Zen 5 and recent Intel cores issue two FMAs a cycle with a latency of four:
// eight chains in flight keep them busy, twelve leave a margin and still fit
// the 16 AVX2 registers next to the two operands.
constexpr int kChains = 12;

// acc = acc * a + b converges to b / (1 - a) = 1: no overflow and no
// denormals, however long it runs, and nothing the compiler may fold.
constexpr float kMul = 0.999999f;
constexpr float kAdd = 0.000001f;

// Returned (and summed by the caller) so that the chains are not dead code.
volatile float sink;

__attribute__((target("avx512f"))) void chainsAvx512(int64_t iterations) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(static_cast<float>(c));
  const __m512 mul = _mm512_set1_ps(kMul), add = _mm512_set1_ps(kAdd);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], mul, add);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes)
    total += lane;
  sink = total;
}

__attribute__((target("avx2,fma"))) void chainsAvx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(static_cast<float>(c));
  const __m256 mul = _mm256_set1_ps(kMul), add = _mm256_set1_ps(kAdd);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], mul, add);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes)
    total += lane;
  sink = total;
}

int lanes(FmaIsa isa) { return isa == FmaIsa::Avx512 ? 16 : 8; }

} // namespace

const char *fmaIsaName(FmaIsa isa) {
  return isa == FmaIsa::Avx512 ? "avx512" : "avx2";
}

bool fmaIsaSupported(FmaIsa isa) {
  __builtin_cpu_init();
  if (isa == FmaIsa::Avx512)
    return __builtin_cpu_supports("avx512f");
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool bestFmaIsa(FmaIsa &out) {
  for (FmaIsa isa : {FmaIsa::Avx512, FmaIsa::Avx2}) {
    if (fmaIsaSupported(isa)) {
      out = isa;
      return true;
    }
  }
  return false;
}

double runFmaChains(FmaIsa isa, int64_t iterations) {
  if (isa == FmaIsa::Avx512)
    chainsAvx512(iterations);
  else
    chainsAvx2(iterations);
  return 2.0 * kChains * lanes(isa) * static_cast<double>(iterations);
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Rounds of runFmaChains that take about `seconds` on this thread, from a
/// short calibration run; at least 4096, so that the loop and the clock
/// reads stay negligible.
int64_t roundsFor(FmaIsa isa, double seconds) {
  int64_t rounds = 1 << 12;
  auto start = Clock::now();
  runFmaChains(isa, rounds);
  double took = secondsSince(start);
  return std::max<int64_t>(rounds,
                           static_cast<int64_t>(rounds * seconds / took));
}

/// The best GFLOP/s of `repeats` runs of `rounds` rounds on each of
/// `threads` threads at once: many short runs give the best one a good
/// chance to run undisturbed when other processes share the cores.
double bestOfRuns(FmaIsa isa, int64_t rounds, int threads, int repeats) {
  double best = 0;
  for (int repeat = 0; repeat < repeats; ++repeat) {
    std::vector<std::thread> workers;
    auto start = Clock::now();
    for (int t = 1; t < threads; ++t)
      workers.emplace_back([=] { runFmaChains(isa, rounds); });
    double flops = runFmaChains(isa, rounds) * threads;
    for (std::thread &worker : workers)
      worker.join();
    if (double seconds = secondsSince(start); seconds > 0)
      best = std::max(best, flops / seconds / 1e9);
  }
  return best;
}

} // namespace

double measurePeakGflops(int threads) {
  FmaIsa isa;
  if (!bestFmaIsa(isa) || threads < 1)
    return 0;
  return bestOfRuns(isa, roundsFor(isa, 2e-3), threads, threads > 1 ? 100 : 30);
}

double probePeakGflops() {
  static FmaIsa isa;
  static const bool supported = bestFmaIsa(isa);
  if (!supported)
    return 0;
  // Sized once; three ~0.3 ms runs.
  static const int64_t rounds = roundsFor(isa, 3e-4);
  return bestOfRuns(isa, rounds, 1, 3);
}

} // namespace anvil::bench

//===- FmaBench.cpp - The fp32 FMA peak of this machine -------------------===//
//
// Independent chains of AVX-512 FMAs (and AVX2 FMAs, the fallback when the
// CPU has no AVX-512) on one thread and on every thread: the ceiling that
// the kernel benchmarks report their % of peak against.
//
//===----------------------------------------------------------------------===//

#include "bench/FmaPeak.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <thread>

using namespace anvil::bench;

namespace {

// ~1 ms a run: long enough to amortize the loop, short enough to iterate.
constexpr int64_t kIterations = 1 << 18;

void benchFma(benchmark::State &state, FmaIsa isa) {
  double flops = 0;
  for (auto _ : state)
    flops += runFmaChains(isa, kIterations);
  // Summed over the threads and divided by the wall time (UseRealTime).
  state.counters["GFLOPS"] =
      benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  bool any = false;
  for (FmaIsa isa : {FmaIsa::Avx512, FmaIsa::Avx2}) {
    if (!fmaIsaSupported(isa))
      continue;
    any = true;
    auto *bench = benchmark::RegisterBenchmark(
        (std::string("fma/") + fmaIsaName(isa)).c_str(), benchFma, isa);
    bench->UseRealTime()->Threads(1);
    if (cores > 1)
      bench->Threads(cores);
  }
  if (!any) {
    std::fprintf(stderr, "error: this CPU has neither AVX-512 nor AVX2 FMA\n");
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

//===- SplitBench.cpp - Two threads writing one buffer, split two ways ----===//
//
// What splitting a kernel's output between threads costs in stores alone:
// every thread writes its share of one buffer, either a contiguous part
// (a split by rows of an NHWC output) or every T-th chunk of `chunk` bytes
// (a split by channels: each thread writes a slice of every pixel). On this
// project's 2-core machine (2026-12-07), for a 256 KiB buffer (in L2, not
// L1) two threads writing interleaved chunks of 256-512 bytes stored at
// 0.45-0.65x the rate of one thread writing it all (64-byte chunks at
// 0.65-1.2x, varying from run to run), chunks of 4 KiB or more (a page each)
// at 1.9-2.0x, as contiguous halves; for a 32 KiB buffer,
// which stays in each thread's L1 across iterations here, interleaving cost
// nothing. The outlining pass's splitsCacheLines counts a split of an
// output's innermost dim as a poor one from these figures and from A/B runs
// of the bundled models (see kInterleavedSplitBytes).
//
//   build/bin/anvil-bench-split --benchmark_filter='split/.*/262144/'
//
// Benchmarks are named split/{contiguous,interleaved}/BUFFER/CHUNK with
// threads:1 and threads:2 variants; bytes_per_second is the whole buffer's
// (every thread's share summed) per wall-clock second, so the two variants
// compare directly.
//
//===----------------------------------------------------------------------===//

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// One buffer per (size): the threads of a benchmark share it.
float *sharedBuffer(int64_t bytes) {
  static std::vector<std::pair<int64_t, float *>> buffers;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  for (auto &[size, data] : buffers)
    if (size == bytes)
      return data;
  // The registered sizes are multiples of the 4 KiB alignment.
  auto *data = static_cast<float *>(std::aligned_alloc(4096, bytes));
  if (!data) {
    std::fprintf(stderr, "error: cannot allocate %lld bytes\n",
                 static_cast<long long>(bytes));
    std::exit(1);
  }
  std::fill(data, data + bytes / sizeof(float), 0.0f);
  buffers.push_back({bytes, data});
  return data;
}

void benchSplit(benchmark::State &state, bool interleaved) {
  int64_t bytes = state.range(0), chunk = state.range(1);
  int threads = state.threads(), me = state.thread_index();
  float *buffer = sharedBuffer(bytes);
  int64_t floats = chunk / sizeof(float), chunks = bytes / chunk;
  float value = 1.0f;
  for (auto _ : state) {
    if (interleaved) {
      for (int64_t c = me; c < chunks; c += threads)
        std::fill_n(buffer + c * floats, floats, value);
    } else {
      int64_t begin = chunks * me / threads, end = chunks * (me + 1) / threads;
      std::fill(buffer + begin * floats, buffer + end * floats, value);
    }
    benchmark::ClobberMemory();
    value += 1.0f;
  }
  // Each thread's share; Google Benchmark sums the threads' counts.
  state.SetBytesProcessed(state.iterations() * bytes / threads);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  for (bool interleaved : {false, true}) {
    auto *bench = benchmark::RegisterBenchmark(interleaved ? "split/interleaved"
                                                           : "split/contiguous",
                                               benchSplit, interleaved);
    // Buffers: multiples of 4 KiB (the alignment) and of every chunk.
    for (int64_t bytes : {int64_t(32) << 10, int64_t(256) << 10})
      for (int64_t chunk : {64, 256, 512, 4096, 16384})
        bench->Args({bytes, chunk});
    bench->UseRealTime()->Threads(1);
    if (cores > 1)
      bench->Threads(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

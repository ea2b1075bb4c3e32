//===- FmaPeak.h - The fp32 FMA peak of this machine, measured ---*- C++
//-*-===//
//
// The yardstick of every kernel benchmark: independent chains of vector FMAs,
// enough of them to hide the FMA latency, so that the FMA units never wait.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_BENCH_FMAPEAK_H
#define ANVIL_BENCH_FMAPEAK_H

#include <cstdint>

namespace anvil::bench {

/// The vector widths the FMA chains come in.
enum class FmaIsa { Avx512, Avx2 };

/// "avx512" or "avx2".
const char *fmaIsaName(FmaIsa isa);

/// Whether this CPU (and OS) runs `isa`'s FMAs.
bool fmaIsaSupported(FmaIsa isa);

/// The widest supported ISA; false when the CPU has no FMA at all.
bool bestFmaIsa(FmaIsa &out);

/// Runs `iterations` rounds of the independent FMA chains with `isa` on the
/// calling thread; returns the floating-point operations done (2 per lane).
double runFmaChains(FmaIsa isa, int64_t iterations);

/// The fp32 FMA peak of `threads` threads in GFLOP/s: the best of 30
/// ~2 ms runs of runFmaChains on each thread at once. 0 without FMA.
double measurePeakGflops(int threads);

/// The fp32 FMA peak of the calling thread right now, in GFLOP/s: the best
/// of three ~0.3 ms runs of runFmaChains (about 1 ms in all, to interleave
/// with timed runs of a kernel). 0 without FMA.
double probePeakGflops();

} // namespace anvil::bench

#endif // ANVIL_BENCH_FMAPEAK_H

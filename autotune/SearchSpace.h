//===- SearchSpace.h - The configs a tuner may try for a kernel -*- C++ -*-===//
//
// A kernel's search space is a list of named knobs, each with its candidate
// values, and a constraint that says which combinations are legal (and why
// not). A point of the space is one value per knob; the space turns it into a
// TuningConfig. Search strategies only see knobs, points and the analytic
// prior, so a new target adds knobs (and a constraint) without touching them.
//
// The CPU space is generated from the kernel's shape (its kind, its loop
// extents with symbolic ones bound to the sizes being tuned for) and the
// target's limits: vector registers, L1/L2 cache, stack, threads. Everything
// here is plain C++ with no LLVM or MLIR, so strategies and spaces can be
// tested on their own.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_SEARCHSPACE_H
#define ANVIL_AUTOTUNE_SEARCHSPACE_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace anvil::autotune {

/// A TuningConfig (`#anvil_kernel.tuning<...>`) as plain numbers.
struct KernelConfig {
  int64_t distributeDim = -1;
  std::vector<int64_t> tileSizes, loopOrder, vectorSizes;

  /// The attribute as MLIR prints it, e.g. `#anvil_kernel.tuning<distribute_dim
  /// = 1, tile_sizes = [64, 256, 256], loop_order = [], vector_sizes = [8, 32,
  /// 1]>` (no vector_sizes when empty).
  std::string str() const;
  bool operator==(const KernelConfig &other) const;
  bool operator!=(const KernelConfig &other) const { return !(*this == other); }
};

/// Parses what KernelConfig::str() prints; nullopt for anything else.
std::optional<KernelConfig> parseKernelConfig(const std::string &text);

/// The op a kernel's TuningConfig describes, as far as the space cares.
enum class KernelKind {
  Matmul,        ///< f32 linalg.matmul: loops (m, n, k)
  ConvNhwc,      ///< f32 channels-last conv: (n, oh, ow, f, kh, kw, c)
  DepthwiseNhwc, ///< f32 channels-last depthwise conv: (n, oh, ow, c, kh, kw)
  /// f32 batched matmul (attention's products): batch loops, then m, n, k in
  /// any order (KernelShape::matmulLoops)
  BatchMatmul,
  Other, ///< anything else: only the split is searched
};
const char *kernelKindName(KernelKind kind);

/// What a kernel's space is generated from.
struct KernelShape {
  KernelKind kind = KernelKind::Other;
  /// Extent of each loop of the root op, symbolic ones bound to the sizes
  /// being tuned for (at least 1).
  std::vector<int64_t> extents;
  /// The values distribute_dim may take.
  std::vector<int64_t> distributeDims;
  /// BatchMatmul: the loops m, n and k (the others are batch loops).
  std::vector<int64_t> matmulLoops;
  /// A kernel split by images whose root's split loop covers this many
  /// elements an image (anvil_kernel.distribute_factor; a matmul over the
  /// rows of a batch of sequences): its register tile along that loop must
  /// divide it. 1 otherwise.
  int64_t splitFactor = 1;
  /// The heuristics' config: trial 0, and the values of knobs not searched.
  KernelConfig defaultConfig;
};

/// What the target allows and how fast it is, for legality and the prior.
struct TargetLimits {
  int64_t vectorRegisters = 32; ///< vector registers (cpu::VectorTarget;
                                ///< AVX-512's zmm by default)
  int64_t vectorLanes = 16;     ///< f32 lanes in one
  int64_t l1Bytes = 48 << 10;
  int64_t l2Bytes = 1 << 20;
  /// The largest packed panel a kernel may put on a worker thread's stack.
  int64_t stackBytes = 2 << 20;
  int threads = 1;

  /// The host's caches (sysconf) and `threads` (0: online cores).
  static TargetLimits host(int threads);
};

/// One knob: a name and the values it may take, in increasing order.
struct Knob {
  std::string name;
  std::vector<int64_t> values;
};

/// One value per knob of a space.
using Point = std::vector<int64_t>;

/// Knobs, which of their combinations are legal, and what they mean.
struct SearchSpace {
  std::vector<Knob> knobs;
  /// Why `point` is not legal (register budget, cache budget, divisibility);
  /// nullopt when it is.
  std::function<std::optional<std::string>(const Point &)> violation;
  std::function<KernelConfig(const Point &)> toConfig;
  /// Analytic estimate of the run time (arbitrary units, lower is faster):
  /// the prior that the cost model starts from.
  std::function<double(const Point &)> estimate;
  /// Numbers that describe a point to a learned cost model.
  std::function<std::vector<double>(const Point &)> features;
  /// Bytes of scratch memory (packed panels) a point's kernel needs.
  std::function<int64_t(const Point &)> workspaceBytes;
  /// The point whose config is `config` (its values need not be candidates
  /// of their knobs: the default config's often are not); nullopt when the
  /// knobs cannot express it.
  std::function<std::optional<Point>(const KernelConfig &)> fromConfig;

  /// The legal points, in knob order (the last knob varies fastest), each
  /// giving a different config; at most `limit` of them are kept.
  std::vector<Point> legalPoints(size_t limit = 1 << 20) const;
  /// "rows=8 cols=32 ...".
  std::string describe(const Point &point) const;
  /// The index of `value` in knob `k`'s values, or -1.
  int indexOf(size_t k, int64_t value) const;
};

/// The CPU space of a kernel of `shape` on a target with `limits`.
SearchSpace cpuSearchSpace(const KernelShape &shape,
                           const TargetLimits &limits);

/// Bytes of the packed weight panels a kernel of `shape` puts on the stack
/// under `config` (0 when it packs none).
int64_t workspaceOfConfig(const KernelShape &shape, const KernelConfig &config);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_SEARCHSPACE_H

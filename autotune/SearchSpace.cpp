//===- SearchSpace.cpp - The configs a tuner may try for a kernel ---------===//
#include "autotune/SearchSpace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unistd.h>

using namespace anvil::autotune;

namespace {

std::string list(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }
int64_t bitFloor(int64_t v) {
  int64_t p = 1;
  while (p * 2 <= v)
    p *= 2;
  return p;
}

/// The values of `base` below `extent`, and `extent` itself standing for all
/// those at or above it (a block at least as large as its loop is the whole
/// loop: larger ones compile to the same code).
std::vector<int64_t> clampTo(const std::vector<int64_t> &base, int64_t extent) {
  std::vector<int64_t> values;
  for (int64_t v : base)
    if (v < extent)
      values.push_back(v);
  if (extent >= 1 && (values.empty() || extent <= base.back()))
    values.push_back(extent);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

/// The values of `base` no larger than `most` (at least the smallest).
std::vector<int64_t> atMost(const std::vector<int64_t> &base, int64_t most) {
  std::vector<int64_t> values;
  for (int64_t v : base)
    if (v <= most)
      values.push_back(v);
  return values;
}

/// Peak FMAs per nanosecond of one core, for the estimates: 2 FMA ports at
/// about 3 GHz. Only ratios matter.
constexpr double kFmasPerNs = 6.0;
/// Waking the other threads of a session for a dispatch.
constexpr double kWakeNs = 4000;

/// How a split along a loop of `extent` in chunks aligned to `align` spreads
/// over `threads`: the fraction of the loop the busiest thread gets, and the
/// number of threads that work.
struct Split {
  double share = 1;
  int workers = 1;
  /// Iterations of the split loop the busiest thread gets (0: not split).
  int64_t busiest = 0;
};
Split splitOver(int64_t extent, int64_t align, int threads) {
  Split s;
  if (threads <= 1 || extent <= 1)
    return s;
  int64_t units = ceilDiv(extent, std::max<int64_t>(align, 1));
  s.workers = (int)std::min<int64_t>(threads, units);
  int64_t busiest = ceilDiv(units, s.workers) * std::max<int64_t>(align, 1);
  s.share = std::min(1.0, (double)busiest / (double)extent);
  s.busiest = std::min(busiest, extent);
  return s;
}

/// Fraction of peak a register tile of `rows` x `cols` f32 reaches: per
/// reduction step it broadcasts `rows` values, loads cols/lanes vectors and
/// issues rows*cols/lanes FMAs (two ports each for loads and FMAs), and it
/// needs about 8 independent accumulators to hide the FMA latency.
double tileEfficiency(int64_t rows, int64_t cols, int lanes) {
  double vectors = (double)ceilDiv(cols, lanes);
  double usedLanes = std::min<double>(1.0, (double)cols / lanes);
  double fmas = rows * vectors;
  double loads = rows + vectors;
  double cycles = std::max(fmas, loads) / 2 + 0.5;
  double eff = (fmas / 2) / cycles;
  eff *= std::min(1.0, fmas / 8);
  return eff * usedLanes;
}

/// Why a `rows` x `cols` f32 register tile does not fit the vector
/// registers (its accumulators, the row of B it multiplies and a broadcast);
/// nullopt when it does. (Until 2026-12 each row counted a broadcast of its
/// own, which kept 9-14-row tiles of 32 columns out of AVX-512 spaces: a
/// 14 x 32 tile, 28 accumulators in 31 zmm with no spill, ran ResNet-50's
/// 14x14 3x3 conv 1.07x faster than the default 7 x 32 alone.)
std::optional<std::string> registerViolation(int64_t rows, int64_t cols,
                                             const TargetLimits &t) {
  int64_t vectors = ceilDiv(cols, t.vectorLanes);
  int64_t needed = rows * vectors + vectors + 1;
  if (needed <= t.vectorRegisters)
    return std::nullopt;
  return "register tile " + std::to_string(rows) + "x" + std::to_string(cols) +
         " needs " + std::to_string(needed) + " vector registers (" +
         std::to_string(t.vectorRegisters) + ")";
}

/// The packed-matmul estimate shared by matmuls and convolutions (which run
/// as one matmul per output row and filter tap): `m` rows in runs of
/// `rowRun` (edges at the end of each run), `n` columns, `k` reduction.
struct PackedMatmul {
  int64_t m, n, k, rowRun;
  int64_t rows, cols, mc, nc, kc;
  int64_t panelK; ///< reduction depth of one packed panel
  Split split;
  /// Whether each worker packs all of the weights (split along rows) or its
  /// share (split along columns).
  bool packsAll;
  /// Reduction steps per iteration of the register loop.
  int64_t unroll = 1;
  /// Row tiles outer, packed panels inner, within a cache block
  /// (`loop_order = [0, 1]`).
  bool rowsOuter = false;
  /// Passes over the output, each loading and storing every accumulator: 0
  /// for one per reduction block, ceil(k / kc). A conv with constant
  /// (prepacked) weights accumulates all its taps in each register tile, so
  /// it makes one pass per block of its channels only.
  int64_t passes = 0;
};

double packedMatmulNs(const PackedMatmul &p, const TargetLimits &t) {
  double full = tileEfficiency(p.rows, p.cols, t.vectorLanes);
  int64_t rowEdge = p.rowRun % p.rows;
  double fullRows = (double)(p.rowRun - rowEdge) / (double)p.rowRun;
  double edgeEff =
      rowEdge ? tileEfficiency(rowEdge, p.cols, t.vectorLanes) : full;
  int64_t colEdge = p.n % p.cols;
  double fullCols = (double)(p.n - colEdge) / (double)p.n;
  double colEff =
      colEdge ? tileEfficiency(p.rows, bitFloor(colEdge), t.vectorLanes) * 0.7
              : full;
  double eff = fullRows * (fullCols * full + (1 - fullCols) * colEff) +
               (1 - fullRows) * edgeEff;
  // Blocks that overflow the caches stream from the next level.
  double panelBytes =
      4.0 * std::min(p.nc, roundUp(p.n, p.cols)) * std::min(p.kc, p.panelK);
  double columnBytes = 4.0 * p.cols * std::min(p.kc, p.panelK);
  double aBytes = 4.0 * std::min(p.mc, p.m) * std::min(p.kc, p.k);
  if (panelBytes > t.l2Bytes)
    eff *= 0.6;
  else if (panelBytes > t.l2Bytes / 2)
    eff *= 0.9;
  // A panel deeper than L1 streams from L2 (the prefetchers keep up: a
  // 1024-deep one ran faster than a 256-deep one, by fewer passes over C).
  if (columnBytes > t.l2Bytes / 2)
    eff *= 0.8;
  else if (columnBytes > t.l1Bytes)
    eff *= 0.97;
  // The register loop's control, once per `unroll` reduction steps.
  eff /= 1 + 0.02 / (double)std::max<int64_t>(p.unroll, 1);
  if (aBytes > t.l2Bytes / 2)
    eff *= 0.85;
  // The loop order within a block decides which operand stays in L1 from
  // one register tile to the next: the panel (columns outer) or the row tile
  // of A (rows outer). Only a panel deeper than L1 gains from rows outer.
  double aTileBytes = 4.0 * p.rows * std::min(p.kc, p.panelK);
  if (p.rowsOuter)
    eff *= columnBytes > t.l1Bytes && aTileBytes <= t.l1Bytes / 2 ? 1.02 : 0.97;
  double fmas = (double)p.m * p.n * p.k;
  double compute =
      fmas * p.split.share / (kFmasPerNs * t.vectorLanes * std::max(eff, 0.02));
  // Accumulators are loaded and stored once per reduction block, from L2 or
  // beyond (a 1024^3 matmul lost 0.7 ms of 10 to three more blocks).
  double kBlocks = (double)ceilDiv(p.k, std::max<int64_t>(p.kc, 1));
  double passes = p.passes > 0 ? (double)p.passes : kBlocks;
  double accumulate = (double)p.m * p.n * passes * p.split.share * 0.15;
  // Packing copies each weight once per worker that needs it.
  double packed =
      (double)p.k * p.n * (p.packsAll ? 1.0 : std::max(p.split.share, 0.0));
  double pack = packed * 0.15;
  // Per register tile call and per cache block loop overheads.
  double tiles = (double)ceilDiv(p.m, p.rows) * ceilDiv(p.n, p.cols) * passes;
  double overhead = tiles * p.split.share * 2.0;
  return compute + accumulate + pack + overhead +
         (p.split.workers > 1 ? kWakeNs : 0);
}

double log2p(double v) { return std::log2(std::max(v, 0.0) + 1); }

/// A cache block knob of a packed matmul: the tile size of loop `loop`.
struct BlockKnob {
  Knob knob;
  size_t loop;
};

/// What a packed-matmul space (a matmul, or a convolution run as packed
/// matmuls) is made of. Its points are (distribute_dim, rows, cols, blocks,
/// unroll, order), rows and cols being the register tile's sizes along
/// `rowLoop` and `colLoop`, unroll its reduction steps per iteration
/// (vector_sizes[2]), order the loop order of a block's register tiles (0:
/// panels outer, `loop_order = []`; 1: row tiles outer, `[0, 1]`); the
/// blocks' knob along `colLoop` is nc.
struct PackedSpaceParts {
  size_t rowLoop, colLoop;
  /// The reduction the register loop runs over (K; a conv's channels).
  int64_t reduction;
  std::vector<BlockKnob> blocks;
  std::function<int64_t(const Point &)> panelBytes;
  std::function<PackedMatmul(const Point &)> model;
  /// A matmul's workgroup of fewer rows runs unpacked (codegen's
  /// cpu::kMinPackedRows, 16), where the order of the register tiles changes
  /// nothing; 0 for a convolution, whose rows are always packed.
  int64_t packedFromRows = 0;
  /// What else makes a point illegal, checked after nc and before the panel
  /// size; may be null.
  std::function<std::optional<std::string>(const Point &)> blockViolation;
};

SearchSpace packedSpace(const KernelShape &shape, const TargetLimits &t,
                        const PackedSpaceParts &parts) {
  const std::vector<int64_t> &e = shape.extents;
  SearchSpace s;
  s.knobs = {
      {"distribute_dim", shape.distributeDims},
      {"rows",
       clampTo({1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}, e[parts.rowLoop])},
      {"cols", atMost({8, 16, 32, 64, 128},
                      std::max<int64_t>(8, bitFloor(e[parts.colLoop])))},
  };
  constexpr size_t firstBlock = 3;
  size_t ncKnob = firstBlock;
  std::vector<size_t> blockLoops;
  for (const BlockKnob &block : parts.blocks) {
    if (block.loop == parts.colLoop)
      ncKnob = s.knobs.size();
    s.knobs.push_back(block.knob);
    blockLoops.push_back(block.loop);
  }
  // 2 is left out: LLVM loads two values of A as one vector and shuffles
  // them (a 1024^3 matmul ran 1.5x slower).
  size_t unrollKnob = s.knobs.size();
  s.knobs.push_back(
      {"unroll", atMost({1, 4, 8}, std::max<int64_t>(1, parts.reduction))});
  // 0: a block's packed panels outer, its row tiles inner (loop_order = []);
  // 1: row tiles outer (loop_order = [0, 1]).
  size_t orderKnob = s.knobs.size();
  s.knobs.push_back({"order", {0, 1}});
  auto panelBytes = parts.panelBytes;
  auto model = parts.model;
  auto blockViolation = parts.blockViolation;
  size_t rowLoop = parts.rowLoop, colLoop = parts.colLoop;
  int64_t packedFromRows = parts.packedFromRows;
  // Row tiles outer is the same code as panels outer when a block has one
  // row tile or one panel (as a workgroup's chunk sees it), or when its rows
  // run unpacked.
  auto sameOrder = [=](const Point &p) {
    PackedMatmul pm = model(p);
    auto chunk = [&](int64_t extent, size_t loop) {
      return p[0] == (int64_t)loop && pm.split.busiest > 0 ? pm.split.busiest
                                                           : extent;
    };
    int64_t rowsChunk = chunk(pm.rowRun, rowLoop);
    int64_t rowsIn = std::min(pm.mc, rowsChunk);
    int64_t colsIn = std::min(pm.nc, chunk(pm.n, colLoop));
    return rowsChunk < packedFromRows || ceilDiv(rowsIn, p[1]) <= 1 ||
           ceilDiv(colsIn, p[2]) <= 1;
  };
  int64_t splitFactor = shape.splitFactor;
  s.violation = [=](const Point &p) -> std::optional<std::string> {
    int64_t rows = p[1], cols = p[2], nc = p[ncKnob];
    if (std::optional<std::string> why = registerViolation(rows, cols, t))
      return why;
    // A kernel split by images: its workgroups' chunks start at multiples
    // of splitFactor, which must be register tiles (codegen refuses others).
    int64_t along = p[0] == (int64_t)rowLoop   ? rows
                    : p[0] == (int64_t)colLoop ? cols
                                               : 1;
    if (splitFactor > 1 && splitFactor % along != 0)
      return "a register tile of " + std::to_string(along) +
             " does not divide the " + std::to_string(splitFactor) +
             " elements an image that the kernel's workgroups take";
    if (nc % cols != 0)
      return "nc " + std::to_string(nc) + " is not a multiple of cols " +
             std::to_string(cols);
    if (blockViolation)
      if (std::optional<std::string> why = blockViolation(p))
        return why;
    int64_t bytes = panelBytes(p);
    if (bytes > t.l2Bytes || bytes > t.stackBytes)
      return "packed panel of " + std::to_string(bytes) +
             " bytes exceeds the cache or stack budget";
    if (p[orderKnob] == 1 && sameOrder(p))
      return std::string("order 1 (row tiles outer) is order 0's code: a "
                         "block has one row tile or one panel");
    return std::nullopt;
  };
  size_t loops = e.size();
  s.toConfig = [=](const Point &p) {
    KernelConfig c = shape.defaultConfig;
    c.distributeDim = p[0];
    c.tileSizes.assign(loops, 0);
    for (size_t b = 0; b < blockLoops.size(); ++b)
      c.tileSizes[blockLoops[b]] = p[firstBlock + b];
    c.vectorSizes = {p[1], p[2], p[unrollKnob]};
    c.loopOrder.clear();
    if (p[orderKnob] == 1)
      c.loopOrder = {0, 1};
    return c;
  };
  s.fromConfig = [=](const KernelConfig &c) -> std::optional<Point> {
    if (c.tileSizes.size() != loops || c.vectorSizes.size() != 3)
      return std::nullopt;
    int64_t order;
    if (c.loopOrder.empty() || c.loopOrder == std::vector<int64_t>{1, 0})
      order = 0;
    else if (c.loopOrder == std::vector<int64_t>{0, 1})
      order = 1;
    else
      return std::nullopt;
    Point p{c.distributeDim, c.vectorSizes[0], c.vectorSizes[1]};
    for (size_t loop : blockLoops)
      p.push_back(c.tileSizes[loop]);
    p.push_back(c.vectorSizes[2]);
    p.push_back(order);
    return p;
  };
  auto modelOf = [=](const Point &p) {
    PackedMatmul pm = model(p);
    pm.unroll = p[unrollKnob];
    pm.rowsOuter = p[orderKnob] == 1;
    return pm;
  };
  s.estimate = [=](const Point &p) { return packedMatmulNs(modelOf(p), t); };
  s.workspaceBytes = panelBytes;
  s.features = [=](const Point &p) {
    PackedMatmul pm = modelOf(p);
    std::vector<double> f{(double)p[0]};
    for (size_t k = 1; k < p.size(); ++k)
      f.push_back(log2p((double)p[k]));
    f.insert(f.end(), {
                          (double)(p[1] * ceilDiv(p[2], t.vectorLanes)),
                          log2p((double)panelBytes(p)),
                          pm.split.share,
                          (double)pm.split.workers,
                          tileEfficiency(p[1], p[2], t.vectorLanes),
                          (double)(pm.rowRun % p[1]) / (double)pm.rowRun,
                          // What the order keeps in L1 (see packedMatmulNs).
                          log2p(4.0 * p[2] * std::min(pm.kc, pm.panelK)),
                          log2p(4.0 * p[1] * std::min(pm.kc, pm.panelK)),
                      });
    return f;
  };
  return s;
}

SearchSpace matmulSpace(const KernelShape &shape, const TargetLimits &t) {
  int64_t m = shape.extents[0], n = shape.extents[1], k = shape.extents[2];
  PackedSpaceParts parts;
  parts.rowLoop = 0;
  parts.colLoop = 1;
  parts.reduction = k;
  parts.packedFromRows = 16;
  parts.blocks = {
      {{"mc", clampTo({16, 32, 64, 128, 256, 512}, m)}, 0},
      {{"nc", clampTo({32, 64, 128, 256, 512, 1024}, n)}, 1},
      {{"kc", clampTo({32, 64, 128, 256, 512, 1024}, k)}, 2},
  };
  // Points: (distribute_dim, rows, cols, mc, nc, kc, unroll, order).
  parts.panelBytes = [=](const Point &p) {
    return 4 * std::min(p[4], roundUp(n, p[2])) * std::min(p[5], k);
  };
  parts.blockViolation = [=](const Point &p) -> std::optional<std::string> {
    int64_t rows = p[1], mc = p[3];
    if (mc % rows != 0 && mc < m)
      return "mc " + std::to_string(mc) + " is not a multiple of rows " +
             std::to_string(rows);
    return std::nullopt;
  };
  parts.model = [=](const Point &p) {
    int64_t dd = p[0], rows = p[1], cols = p[2];
    int64_t extent = dd == 0 ? m : dd == 1 ? n : 1;
    int64_t align = dd == 0 ? rows : dd == 1 ? cols : 1;
    PackedMatmul pm{m,
                    n,
                    k,
                    m,
                    rows,
                    cols,
                    p[3],
                    p[4],
                    p[5],
                    k,
                    dd < 0 ? Split{} : splitOver(extent, align, t.threads),
                    dd == 0};
    return pm;
  };
  return packedSpace(shape, t, parts);
}

SearchSpace convSpace(const KernelShape &shape, const TargetLimits &t) {
  const std::vector<int64_t> &e = shape.extents;
  int64_t batch = e[0], oh = e[1], ow = e[2], f = e[3], kh = e[4], kw = e[5],
          c = e[6];
  // The reduction of one packed panel: all taps of a filter row when kc
  // covers them (the tiler merges them), else kc channels.
  auto panelK = [=](int64_t kc) {
    return kw > 1 && kc >= kw * c ? kw * c : std::min(kc, c);
  };
  std::vector<int64_t> kcs = clampTo({8, 16, 32, 64, 128, 256, 512}, c);
  // All of the filter's channels: one pass per output block (a 1x1 filter,
  // or a constant filter of several taps, which each register tile
  // accumulates), the fused ops on each register tile; the default's when
  // the block's weights fit 256 KiB. clampTo offers C itself only up to 512.
  if (c > kcs.back())
    kcs.push_back(c);
  if (kw > 1)
    kcs.push_back(kw * c);
  PackedSpaceParts parts;
  parts.rowLoop = 2;
  parts.colLoop = 3;
  parts.reduction = c;
  parts.blocks = {
      {{"nc", clampTo({32, 64, 128, 256, 512, 1024}, f)}, 3},
      {{"kc", kcs}, 6},
  };
  // Points: (distribute_dim, rows, cols, nc, kc, unroll, order).
  parts.panelBytes = [=](const Point &p) {
    return 4 * std::min(p[3], roundUp(f, p[2])) * panelK(p[4]);
  };
  parts.model = [=](const Point &p) {
    int64_t dd = p[0], rows = p[1], cols = p[2];
    int64_t extent = dd >= 0 && dd < 4 ? e[dd] : 1;
    int64_t align = dd == 2 ? rows : dd == 3 ? cols : 1;
    int64_t k = kh * kw * c;
    PackedMatmul pm{batch * oh * ow,
                    f,
                    k,
                    ow,
                    rows,
                    cols,
                    batch * oh * ow,
                    p[3],
                    p[4],
                    k,
                    dd < 0 ? Split{} : splitOver(extent, align, t.threads),
                    dd != 3};
    // Every tap in each register tile (a constant filter, prepacked): one
    // pass per channel block (kCodegenRevision 17).
    pm.passes = ceilDiv(c, std::min(p[4], c));
    return pm;
  };
  return packedSpace(shape, t, parts);
}

SearchSpace depthwiseSpace(const KernelShape &shape, const TargetLimits &t) {
  const std::vector<int64_t> &e = shape.extents;
  int64_t ow = e[2], c = e[3];
  SearchSpace s;
  s.knobs = {
      {"distribute_dim", shape.distributeDims},
      {"pixels", clampTo({1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}, ow)},
      {"channels", atMost({8, 16, 32, 64}, std::max<int64_t>(8, bitFloor(c)))},
      // 0: a row's pixel tiles outer, channel tiles inner (loop_order []);
      // 1: channel tiles outside the rows ([1, 0]).
      {"order", {0, 1}},
  };
  s.violation = [=](const Point &p) -> std::optional<std::string> {
    int64_t needed = p[1] * ceilDiv(p[2], t.vectorLanes) + 2;
    if (needed > t.vectorRegisters)
      return "register tile needs " + std::to_string(needed) +
             " vector registers";
    return std::nullopt;
  };
  s.toConfig = [=](const Point &p) {
    KernelConfig cfg = shape.defaultConfig;
    cfg.distributeDim = p[0];
    cfg.vectorSizes = {p[1], p[2]};
    cfg.loopOrder.clear();
    if (p[3] == 1)
      cfg.loopOrder = {1, 0};
    return cfg;
  };
  s.fromConfig = [=](const KernelConfig &cfg) -> std::optional<Point> {
    if (cfg.vectorSizes.size() != 2)
      return std::nullopt;
    int64_t order = 0;
    if (cfg.loopOrder == std::vector<int64_t>{1, 0})
      order = 1;
    else if (!cfg.loopOrder.empty() &&
             cfg.loopOrder != std::vector<int64_t>{0, 1})
      return std::nullopt;
    return Point{cfg.distributeDim, cfg.vectorSizes[0], cfg.vectorSizes[1],
                 order};
  };
  auto split = [=](const Point &p) {
    int64_t dd = p[0];
    return dd < 0 ? Split{}
                  : splitOver(e[dd],
                              dd == 2   ? p[1]
                              : dd == 3 ? p[2]
                                        : 1,
                              t.threads);
  };
  s.estimate = [=](const Point &p) {
    double work = 1;
    for (int64_t x : e)
      work *= (double)x;
    double lanes = std::min<double>(1.0, (double)p[2] / t.vectorLanes);
    double vectors = (double)ceilDiv(p[2], t.vectorLanes);
    // Per tap: one filter load, then a load and an FMA per pixel.
    double eff = lanes * (p[1] * vectors) / (p[1] * vectors + vectors + 1);
    int64_t edge = ow % p[1];
    eff *= 1.0 - 0.5 * (double)edge / (double)ow;
    // Channel tiles outer: the input rows of a tile stay in L1 across the
    // output rows, but each row is read 64 bytes a pixel; no better a
    // priori (the measurements decide), ranked after the default.
    if (p[3] == 1)
      eff *= 0.99;
    Split sp = split(p);
    return work * sp.share / (kFmasPerNs * t.vectorLanes * eff) +
           (sp.workers > 1 ? kWakeNs : 0);
  };
  s.workspaceBytes = [](const Point &) { return int64_t(0); };
  s.features = [=](const Point &p) {
    Split sp = split(p);
    return std::vector<double>{(double)p[0],        log2p((double)p[1]),
                               log2p((double)p[2]), sp.share,
                               (double)sp.workers,  (double)p[3]};
  };
  return s;
}

/// A batched matmul (attention's products): each batch element's matmul in
/// register tiles that read its operands in place (no cache blocks, no
/// packing: one element's matrices are small). Points: (distribute_dim,
/// rows, cols, unroll).
SearchSpace batchMatmulSpace(const KernelShape &shape, const TargetLimits &t) {
  const std::vector<int64_t> &e = shape.extents;
  int64_t mLoop = shape.matmulLoops[0], nLoop = shape.matmulLoops[1],
          kLoop = shape.matmulLoops[2];
  int64_t m = e[mLoop], n = e[nLoop], k = e[kLoop], batch = 1;
  for (int64_t i = 0; i < (int64_t)e.size(); ++i)
    if (i != mLoop && i != nLoop && i != kLoop)
      batch *= e[i];
  SearchSpace s;
  s.knobs = {
      {"distribute_dim", shape.distributeDims},
      {"rows", clampTo({1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}, m)},
      {"cols", atMost({8, 16, 32, 64, 128}, std::max<int64_t>(8, bitFloor(n)))},
      {"unroll", atMost({1, 4, 8}, std::max<int64_t>(1, k))},
  };
  s.violation = [=](const Point &p) -> std::optional<std::string> {
    return registerViolation(p[1], p[2], t);
  };
  s.toConfig = [=](const Point &p) {
    KernelConfig c = shape.defaultConfig;
    c.distributeDim = p[0];
    c.vectorSizes = {p[1], p[2], p[3]};
    return c;
  };
  s.fromConfig = [](const KernelConfig &c) -> std::optional<Point> {
    if (c.vectorSizes.size() != 3)
      return std::nullopt;
    return Point{c.distributeDim, c.vectorSizes[0], c.vectorSizes[1],
                 c.vectorSizes[2]};
  };
  auto model = [=](const Point &p) {
    int64_t dd = p[0], rows = p[1], cols = p[2];
    int64_t align = dd == mLoop ? rows : dd == nLoop ? cols : 1;
    Split split = dd < 0 || dd >= (int64_t)e.size()
                      ? Split{}
                      : splitOver(e[dd], align, t.threads);
    // No packing: `packsAll` false stands for streaming B's rows.
    PackedMatmul pm{batch * m, n, k, m,     rows,  cols, m,
                    n,         k, k, split, false, p[3]};
    return pm;
  };
  s.estimate = [=](const Point &p) { return packedMatmulNs(model(p), t); };
  s.workspaceBytes = [](const Point &) { return int64_t(0); };
  s.features = [=](const Point &p) {
    PackedMatmul pm = model(p);
    return std::vector<double>{
        (double)p[0],
        log2p((double)p[1]),
        log2p((double)p[2]),
        log2p((double)p[3]),
        (double)(p[1] * ceilDiv(p[2], t.vectorLanes)),
        pm.split.share,
        (double)pm.split.workers,
        tileEfficiency(p[1], p[2], t.vectorLanes),
        (double)(m % p[1]) / (double)m,
        (double)(n % p[2]) / (double)n,
    };
  };
  return s;
}

/// Whether every value of `v` is in [0, bound).
bool allBelow(const std::vector<int64_t> &v, int64_t bound) {
  return std::all_of(v.begin(), v.end(),
                     [&](int64_t x) { return x >= 0 && x < bound; });
}

/// Kernels without a register tile: only their split is searched.
SearchSpace splitOnlySpace(const KernelShape &shape, const TargetLimits &t) {
  SearchSpace s;
  s.knobs = {{"distribute_dim", shape.distributeDims}};
  s.violation = [](const Point &) { return std::nullopt; };
  s.toConfig = [=](const Point &p) {
    KernelConfig c = shape.defaultConfig;
    c.distributeDim = p[0];
    return c;
  };
  s.fromConfig = [](const KernelConfig &c) -> std::optional<Point> {
    return Point{c.distributeDim};
  };
  auto split = [=](const Point &p) {
    int64_t dd = p[0];
    return dd < 0 || dd >= (int64_t)shape.extents.size()
               ? Split{}
               : splitOver(shape.extents[dd], 1, t.threads);
  };
  s.estimate = [=](const Point &p) {
    double work = 1;
    for (int64_t x : shape.extents)
      work *= (double)x;
    Split sp = split(p);
    return work * sp.share / kFmasPerNs + (sp.workers > 1 ? kWakeNs : 0);
  };
  s.workspaceBytes = [](const Point &) { return int64_t(0); };
  s.features = [=](const Point &p) {
    Split sp = split(p);
    return std::vector<double>{(double)p[0], sp.share, (double)sp.workers};
  };
  return s;
}

} // namespace

std::string KernelConfig::str() const {
  std::string s =
      "#anvil_kernel.tuning<distribute_dim = " + std::to_string(distributeDim) +
      ", tile_sizes = " + list(tileSizes) + ", loop_order = " + list(loopOrder);
  if (!vectorSizes.empty())
    s += ", vector_sizes = " + list(vectorSizes);
  return s + ">";
}

bool KernelConfig::operator==(const KernelConfig &other) const {
  return distributeDim == other.distributeDim && tileSizes == other.tileSizes &&
         loopOrder == other.loopOrder && vectorSizes == other.vectorSizes;
}

std::optional<KernelConfig>
anvil::autotune::parseKernelConfig(const std::string &text) {
  // Exactly what str() prints: a fixed sequence of fields.
  const std::string prefix = "#anvil_kernel.tuning<";
  if (text.compare(0, prefix.size(), prefix) != 0 || text.back() != '>')
    return std::nullopt;
  std::string body =
      text.substr(prefix.size(), text.size() - prefix.size() - 1);
  size_t pos = 0;
  auto expect = [&](const std::string &token) {
    while (pos < body.size() && body[pos] == ' ')
      ++pos;
    if (body.compare(pos, token.size(), token) != 0)
      return false;
    pos += token.size();
    return true;
  };
  auto number = [&](int64_t &out) {
    while (pos < body.size() && body[pos] == ' ')
      ++pos;
    size_t used = 0;
    try {
      out = std::stoll(body.substr(pos), &used);
    } catch (...) {
      return false;
    }
    pos += used;
    return true;
  };
  auto numbers = [&](std::vector<int64_t> &out) {
    if (!expect("["))
      return false;
    if (expect("]"))
      return true;
    do {
      int64_t v;
      if (!number(v))
        return false;
      out.push_back(v);
    } while (expect(","));
    return expect("]");
  };
  KernelConfig c;
  if (!expect("distribute_dim") || !expect("=") || !number(c.distributeDim) ||
      !expect(",") || !expect("tile_sizes") || !expect("=") ||
      !numbers(c.tileSizes) || !expect(",") || !expect("loop_order") ||
      !expect("=") || !numbers(c.loopOrder))
    return std::nullopt;
  if (expect(",") &&
      (!expect("vector_sizes") || !expect("=") || !numbers(c.vectorSizes)))
    return std::nullopt;
  if (pos != body.size())
    return std::nullopt;
  return c;
}

const char *anvil::autotune::kernelKindName(KernelKind kind) {
  switch (kind) {
  case KernelKind::Matmul:
    return "matmul";
  case KernelKind::ConvNhwc:
    return "conv";
  case KernelKind::DepthwiseNhwc:
    return "depthwise-conv";
  case KernelKind::BatchMatmul:
    return "batch-matmul";
  case KernelKind::Other:
    return "other";
  }
  return "other";
}

TargetLimits TargetLimits::host(int threads) {
  TargetLimits t;
  long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE),
       l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l1 > 0)
    t.l1Bytes = l1;
  if (l2 > 0)
    t.l2Bytes = l2;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  t.threads = threads > 0 ? threads : (int)std::max(1L, cores);
  return t;
}

std::vector<Point> SearchSpace::legalPoints(size_t limit) const {
  std::vector<Point> points;
  if (knobs.empty())
    return points;
  for (const Knob &knob : knobs)
    if (knob.values.empty())
      return points;
  std::vector<std::string> seen;
  std::vector<size_t> index(knobs.size(), 0);
  while (points.size() < limit) {
    Point p(knobs.size());
    for (size_t k = 0; k < knobs.size(); ++k)
      p[k] = knobs[k].values[index[k]];
    if (!violation(p)) {
      std::string text = toConfig(p).str();
      if (std::find(seen.begin(), seen.end(), text) == seen.end()) {
        seen.push_back(text);
        points.push_back(p);
      }
    }
    size_t k = knobs.size();
    while (k > 0) {
      --k;
      if (++index[k] < knobs[k].values.size())
        break;
      index[k] = 0;
      if (k == 0)
        return points;
    }
  }
  return points;
}

std::string SearchSpace::describe(const Point &point) const {
  std::string s;
  for (size_t k = 0; k < knobs.size() && k < point.size(); ++k)
    s += (k ? " " : "") + knobs[k].name + "=" + std::to_string(point[k]);
  return s;
}

int SearchSpace::indexOf(size_t k, int64_t value) const {
  const std::vector<int64_t> &values = knobs[k].values;
  auto it = std::find(values.begin(), values.end(), value);
  return it == values.end() ? -1 : (int)(it - values.begin());
}

SearchSpace anvil::autotune::cpuSearchSpace(const KernelShape &shape,
                                            const TargetLimits &limits) {
  const KernelConfig &d = shape.defaultConfig;
  size_t loops = shape.extents.size();
  if (shape.kind == KernelKind::Matmul && loops == 3 &&
      d.vectorSizes.size() == 3)
    return matmulSpace(shape, limits);
  if (shape.kind == KernelKind::ConvNhwc && loops == 7 &&
      d.vectorSizes.size() == 3)
    return convSpace(shape, limits);
  if (shape.kind == KernelKind::DepthwiseNhwc && loops == 6 &&
      d.vectorSizes.size() == 2)
    return depthwiseSpace(shape, limits);
  if (shape.kind == KernelKind::BatchMatmul && shape.matmulLoops.size() == 3 &&
      allBelow(shape.matmulLoops, (int64_t)loops) && d.vectorSizes.size() == 3)
    return batchMatmulSpace(shape, limits);
  return splitOnlySpace(shape, limits);
}

int64_t anvil::autotune::workspaceOfConfig(const KernelShape &shape,
                                           const KernelConfig &config) {
  const std::vector<int64_t> &e = shape.extents;
  const std::vector<int64_t> &t = config.tileSizes;
  const std::vector<int64_t> &v = config.vectorSizes;
  if (v.size() != 3 || v[1] <= 0)
    return 0;
  if (shape.kind == KernelKind::Matmul && e.size() == 3 && t.size() == 3)
    return 4 * std::min(t[1], roundUp(e[1], v[1])) * std::min(t[2], e[2]);
  if (shape.kind == KernelKind::ConvNhwc && e.size() == 7 && t.size() == 7) {
    int64_t kw = e[5], c = e[6], kc = t[6];
    int64_t depth = kw > 1 && kc >= kw * c ? kw * c : std::min(kc, c);
    return 4 * std::min(t[3], roundUp(e[3], v[1])) * depth;
  }
  return 0;
}

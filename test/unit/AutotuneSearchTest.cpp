//===- AutotuneSearchTest.cpp - Search spaces, strategies, cost model -----===//
#include "autotune/CostModel.h"
#include "autotune/Measurement.h"
#include "autotune/ModelCheck.h"
#include "autotune/SearchSpace.h"
#include "autotune/SearchStrategy.h"
#include "autotune/Tuner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace anvil::autotune;

namespace {

KernelShape matmulShape(int64_t m, int64_t n, int64_t k) {
  KernelShape shape;
  shape.kind = KernelKind::Matmul;
  shape.extents = {m, n, k};
  shape.distributeDims = {-1, 0, 1};
  shape.defaultConfig.distributeDim = 1;
  shape.defaultConfig.tileSizes = {64, 256, 256};
  shape.defaultConfig.vectorSizes = {8, 32, 1};
  return shape;
}

TargetLimits limits() {
  TargetLimits t;
  t.l2Bytes = 1 << 20;
  t.stackBytes = 1 << 20;
  t.threads = 4;
  return t;
}

TEST(SearchSpaceTest, ConfigTextRoundTrips) {
  KernelConfig c = matmulShape(64, 512, 512).defaultConfig;
  EXPECT_EQ(c.str(), "#anvil_kernel.tuning<distribute_dim = 1, tile_sizes = "
                     "[64, 256, 256], loop_order = [], vector_sizes = [8, 32, "
                     "1]>");
  std::optional<KernelConfig> back = parseKernelConfig(c.str());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
  KernelConfig plain;
  plain.distributeDim = -1;
  plain.loopOrder = {1, 0};
  EXPECT_EQ(plain.str(), "#anvil_kernel.tuning<distribute_dim = -1, "
                         "tile_sizes = [], loop_order = [1, 0]>");
  EXPECT_EQ(parseKernelConfig(plain.str()), plain);
  EXPECT_FALSE(parseKernelConfig("#anvil_kernel.tuning<distribute_dim = 1>"));
  EXPECT_FALSE(parseKernelConfig("garbage"));
}

TEST(SearchSpaceTest, MatmulPointsAreLegal) {
  TargetLimits t = limits();
  KernelShape shape = matmulShape(64, 512, 512);
  SearchSpace space = cpuSearchSpace(shape, t);
  std::vector<Point> points = space.legalPoints();
  ASSERT_GT(points.size(), 50u);
  std::set<std::string> configs;
  for (const Point &p : points) {
    EXPECT_FALSE(space.violation(p)) << space.describe(p);
    KernelConfig c = space.toConfig(p);
    int64_t rows = c.vectorSizes[0], cols = c.vectorSizes[1];
    int64_t nc = c.tileSizes[1], kc = c.tileSizes[2];
    // Register budget: accumulators, the row of B and a broadcast.
    EXPECT_LE(rows * ((cols + 15) / 16) + (cols + 15) / 16 + 1,
              t.vectorRegisters);
    EXPECT_EQ(nc % cols, 0) << c.str();
    EXPECT_LE(4 * std::min<int64_t>(nc, 512) * std::min<int64_t>(kc, 512),
              t.l2Bytes);
    // cols a power of two, no wider than the columns.
    EXPECT_EQ(cols & (cols - 1), 0);
    EXPECT_LE(cols, 512);
    EXPECT_TRUE(configs.insert(c.str()).second) << "duplicate " << c.str();
    EXPECT_EQ(space.fromConfig(c), p);
  }
  // 14 rows of 32 columns fit (28 accumulators, 2 vectors of B, a
  // broadcast: 31); 8 rows of 64 do not (32 + 4 + 1).
  EXPECT_FALSE(space.violation({1, 14, 32, 64, 256, 256, 4, 0}));
  ASSERT_TRUE(space.violation({1, 8, 64, 64, 256, 256, 4, 0}));
  // Out of budget: 16 rows of 64 columns need 69 registers; a block of
  // columns that is not a multiple of the register tile's.
  Point tooWide = {1, 16, 64, 64, 256, 256, 1, 0};
  ASSERT_TRUE(space.violation(tooWide));
  EXPECT_NE(space.violation(tooWide)->find("vector registers"),
            std::string::npos);
  Point ragged = {1, 4, 64, 64, 32, 256, 4, 0};
  ASSERT_TRUE(space.violation(ragged));
  EXPECT_NE(space.violation(ragged)->find("multiple"), std::string::npos);
  Point huge = {1, 4, 32, 64, 512, 1024, 4, 0};
  SearchSpace small = cpuSearchSpace(matmulShape(64, 512, 1024), t);
  ASSERT_TRUE(small.violation(huge));
  EXPECT_NE(small.violation(huge)->find("budget"), std::string::npos);
}

// A matmul over the rows of a batch of 16-token sequences, in a kernel split
// by images (16 rows an image): register tiles of rows that do not divide 16
// are illegal (the split loop is the rows).
TEST(SearchSpaceTest, SplitByImagesKeepsWholeTiles) {
  TargetLimits t = limits();
  KernelShape shape = matmulShape(128, 256, 64);
  shape.distributeDims = {0};
  shape.defaultConfig.distributeDim = 0;
  shape.splitFactor = 16;
  SearchSpace space = cpuSearchSpace(shape, t);
  std::vector<Point> points = space.legalPoints();
  ASSERT_FALSE(points.empty());
  std::set<int64_t> rows;
  for (const Point &p : points) {
    KernelConfig c = space.toConfig(p);
    EXPECT_EQ(16 % c.vectorSizes[0], 0) << c.str();
    rows.insert(c.vectorSizes[0]);
  }
  EXPECT_TRUE(rows.count(8) && rows.count(16) && !rows.count(6));
  // A point legal without the split by images but with 6 or 12-row tiles
  // along the split rows: illegal with it, and why.
  shape.splitFactor = 1;
  SearchSpace plain = cpuSearchSpace(shape, t);
  std::optional<Point> uneven;
  for (const Point &p : plain.legalPoints())
    if (p[0] == 0 && 16 % plain.toConfig(p).vectorSizes[0] != 0)
      uneven = p;
  ASSERT_TRUE(uneven);
  std::optional<std::string> why = space.violation(*uneven);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("does not divide the 16 elements an image"),
            std::string::npos)
      << *why;
}

// The order of a block's register tiles: 0 (packed panels outer) is the
// default's `loop_order = []`, 1 (row tiles outer) is `[0, 1]`; 1 is left
// out where it compiles to 0's code (one row tile or one panel per block).
TEST(SearchSpaceTest, RegisterTileOrder) {
  TargetLimits t = limits();
  SearchSpace space = cpuSearchSpace(matmulShape(64, 512, 512), t);
  ASSERT_EQ(space.knobs[7].name, "order");
  EXPECT_EQ(space.knobs[7].values, (std::vector<int64_t>{0, 1}));
  Point rows = {1, 8, 32, 64, 256, 256, 4, 1};
  ASSERT_FALSE(space.violation(rows)) << *space.violation(rows);
  KernelConfig c = space.toConfig(rows);
  EXPECT_EQ(c.loopOrder, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(space.fromConfig(c), rows);
  rows.back() = 0;
  EXPECT_TRUE(space.toConfig(rows).loopOrder.empty());
  c.loopOrder = {1, 0};
  EXPECT_EQ(space.fromConfig(c), rows);
  c.loopOrder = {0, 2};
  EXPECT_FALSE(space.fromConfig(c));
  // One panel per block (nc = cols), one row tile (mc = rows), or one row
  // tile in a workgroup's chunk of 8 rows (split along the rows): no order.
  for (Point one : {Point{1, 8, 32, 64, 32, 256, 4, 1},
                    Point{1, 8, 32, 8, 256, 256, 4, 1}}) {
    ASSERT_TRUE(space.violation(one)) << space.describe(one);
    EXPECT_NE(space.violation(one)->find("order"), std::string::npos);
    one.back() = 0;
    EXPECT_FALSE(space.violation(one)) << *space.violation(one);
  }
  t.threads = 8;
  SearchSpace split = cpuSearchSpace(matmulShape(64, 512, 512), t);
  EXPECT_TRUE(split.violation({0, 8, 32, 64, 256, 256, 4, 1}));
  EXPECT_FALSE(split.violation({1, 8, 32, 64, 256, 256, 4, 1}));
  // Two 4-row tiles in a chunk of 8 rows, but fewer than 16 rows run
  // unpacked, where the order changes nothing.
  EXPECT_TRUE(split.violation({0, 4, 32, 64, 256, 256, 4, 1}));
  EXPECT_FALSE(split.violation({0, 4, 32, 64, 256, 256, 4, 0}));
  // A conv's row tiles run along an output row (OW = 7 here): a 7-pixel
  // tile is the whole row.
  KernelShape conv;
  conv.kind = KernelKind::ConvNhwc;
  conv.extents = {1, 7, 7, 512, 3, 3, 512};
  conv.distributeDims = {-1, 3};
  conv.defaultConfig.distributeDim = 3;
  conv.defaultConfig.tileSizes = {0, 0, 0, 32, 0, 0, 256};
  conv.defaultConfig.vectorSizes = {7, 32, 4};
  SearchSpace cs = cpuSearchSpace(conv, limits());
  EXPECT_EQ(cs.knobs.back().name, "order");
  EXPECT_TRUE(cs.violation({3, 7, 32, 128, 256, 4, 1}));
  EXPECT_FALSE(cs.violation({3, 4, 32, 128, 256, 4, 1}));
  // Split along the output row (OW = 50 over 8 threads: 7 pixels each, 8
  // chunks of 7 for 8 workers), one 7-pixel tile per chunk: no order.
  KernelShape wide = conv;
  wide.extents = {1, 50, 50, 64, 3, 3, 64};
  wide.distributeDims = {-1, 2, 3};
  TargetLimits eight = limits();
  eight.threads = 8;
  SearchSpace ws = cpuSearchSpace(wide, eight);
  EXPECT_TRUE(ws.violation({2, 7, 32, 64, 64, 4, 1}));
  EXPECT_FALSE(ws.violation({2, 7, 32, 64, 64, 4, 0}));
  EXPECT_FALSE(ws.violation({-1, 7, 32, 64, 64, 4, 1})); // 8 tiles, 2 panels
  EXPECT_EQ(cs.toConfig({3, 4, 32, 128, 256, 4, 1}).str(),
            "#anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, "
            "128, 0, 0, 256], loop_order = [0, 1], vector_sizes = [4, 32, 4]>");
  // A 1x1 filter of 1024 channels offers a reduction block of all of them
  // (one pass per output block, the default's when its weights fit 256
  // KiB), beyond the powers of two up to 512; a 3x3 one offers them too
  // (its register tiles accumulate the nine taps), and a filter row's taps.
  KernelShape pointwise = conv;
  pointwise.extents = {1, 14, 14, 256, 1, 1, 1024};
  SearchSpace ps = cpuSearchSpace(pointwise, limits());
  EXPECT_EQ(ps.knobs[4].name, "kc");
  EXPECT_EQ(ps.knobs[4].values,
            (std::vector<int64_t>{8, 16, 32, 64, 128, 256, 512, 1024}));
  EXPECT_FALSE(ps.violation({3, 7, 32, 32, 1024, 4, 0}));
  KernelShape taps = pointwise;
  taps.extents = {1, 14, 14, 256, 3, 3, 1024};
  EXPECT_EQ(cpuSearchSpace(taps, limits()).knobs[4].values,
            (std::vector<int64_t>{8, 16, 32, 64, 128, 256, 512, 1024, 3072}));
}

TEST(SearchSpaceTest, DepthwiseOrderKnob) {
  // A depthwise conv's space orders its register tiles: a row's pixel tiles
  // outer (loop_order [], the default) or the channel tiles outer ([1, 0]);
  // both round-trip through the config, and no other order is a point.
  KernelShape dw;
  dw.kind = KernelKind::DepthwiseNhwc;
  dw.extents = {1, 112, 112, 32, 3, 3};
  dw.distributeDims = {-1, 1, 2, 3};
  dw.defaultConfig.distributeDim = 1;
  dw.defaultConfig.vectorSizes = {8, 16};
  SearchSpace s = cpuSearchSpace(dw, limits());
  ASSERT_EQ(s.knobs.back().name, "order");
  EXPECT_EQ(s.knobs.back().values, (std::vector<int64_t>{0, 1}));
  std::optional<Point> def = s.fromConfig(dw.defaultConfig);
  ASSERT_TRUE(def);
  EXPECT_EQ(*def, (Point{1, 8, 16, 0}));
  KernelConfig outer = s.toConfig({1, 8, 16, 1});
  EXPECT_EQ(outer.str(),
            "#anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], "
            "loop_order = [1, 0], vector_sizes = [8, 16]>");
  EXPECT_EQ(s.fromConfig(outer), (Point{1, 8, 16, 1}));
  KernelConfig bad = outer;
  bad.loopOrder = {1, 0, 2};
  EXPECT_FALSE(s.fromConfig(bad));
  // The prior ranks the default order first.
  EXPECT_LT(s.estimate({1, 8, 16, 0}), s.estimate({1, 8, 16, 1}));
}

TEST(SearchSpaceTest, RegisterBudgetFollowsTheTarget) {
  // AVX2: 16 registers of 8 lanes. 6 x 16 (12 accumulators + 2 + 1) fits,
  // 7 x 16 and 8 x 32 (AVX-512's default) do not.
  TargetLimits t = limits();
  t.vectorRegisters = 16;
  t.vectorLanes = 8;
  SearchSpace space = cpuSearchSpace(matmulShape(64, 512, 512), t);
  EXPECT_FALSE(space.violation({1, 6, 16, 64, 256, 256, 4, 0}));
  EXPECT_TRUE(space.violation({1, 7, 16, 64, 256, 256, 4, 0}));
  EXPECT_TRUE(space.violation({1, 8, 32, 64, 256, 256, 4, 0}));
  for (const Point &p : space.legalPoints()) {
    KernelConfig c = space.toConfig(p);
    int64_t vectors = (c.vectorSizes[1] + 7) / 8;
    EXPECT_LE(c.vectorSizes[0] * vectors + vectors + 1, 16) << c.str();
  }
}

TEST(SearchSpaceTest, BlocksStopAtTheLoopExtent) {
  SearchSpace space = cpuSearchSpace(matmulShape(1, 48, 100), limits());
  // One row: every row count and row block above it is the same code.
  EXPECT_EQ(space.knobs[1].values, std::vector<int64_t>{1});
  EXPECT_EQ(space.knobs[3].values, std::vector<int64_t>{1});
  // Reduction blocks below 100, and 100 for all the larger ones.
  EXPECT_EQ(space.knobs[5].values, (std::vector<int64_t>{32, 64, 100}));
  // Register tiles of at most bit_floor(48) = 32 columns.
  EXPECT_EQ(space.knobs[2].values, (std::vector<int64_t>{8, 16, 32}));
  // Reduction steps per register loop iteration: 2 is never offered, and a
  // reduction of 3 has only 1.
  EXPECT_EQ(space.knobs[6].name, "unroll");
  EXPECT_EQ(space.knobs[6].values, (std::vector<int64_t>{1, 4, 8}));
  SearchSpace shallow = cpuSearchSpace(matmulShape(64, 64, 3), limits());
  EXPECT_EQ(shallow.knobs[6].values, std::vector<int64_t>{1});
}

TEST(SearchSpaceTest, EstimatePrefersUnrolledDeepReductions) {
  // What the prior must rank first (measured on 1024^3, see
  // OutlineDispatches' kCacheTile): an unrolled register loop, and one deep
  // reduction block over four shallow ones.
  TargetLimits t = limits();
  t.l2Bytes = 2 << 20; // this machine's
  SearchSpace space = cpuSearchSpace(matmulShape(1024, 1024, 1024), t);
  Point plain = {0, 8, 32, 64, 256, 256, 1, 0};
  Point unrolled = {0, 8, 32, 64, 256, 256, 4, 0};
  Point deep = {0, 8, 32, 64, 256, 1024, 4, 0};
  ASSERT_FALSE(space.violation(deep)) << *space.violation(deep);
  EXPECT_LT(space.estimate(unrolled), space.estimate(plain));
  EXPECT_LT(space.estimate(deep), space.estimate(unrolled));
  EXPECT_EQ(space.toConfig(deep).vectorSizes, (std::vector<int64_t>{8, 32, 4}));
}

TEST(SearchSpaceTest, OtherKernelsOnlySplit) {
  KernelShape shape;
  shape.extents = {128, 256};
  shape.distributeDims = {-1, 0, 1};
  shape.defaultConfig.distributeDim = 1;
  shape.defaultConfig.loopOrder = {0, 1};
  SearchSpace space = cpuSearchSpace(shape, limits());
  ASSERT_EQ(space.knobs.size(), 1u);
  std::vector<Point> points = space.legalPoints();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(space.toConfig(points[0]).str(),
            "#anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], "
            "loop_order = [0, 1]>");
}

// Attention's products: the register tile of each batch element's matmul is
// searched (rows, columns, unroll), wherever the batch loop is; the default's
// other fields are kept, and nothing is packed.
TEST(SearchSpaceTest, BatchedMatmulsSearchTheRegisterTile) {
  KernelShape shape;
  shape.kind = KernelKind::BatchMatmul;
  // Loops (m, b, n, k): the batch loop second.
  shape.extents = {128, 12, 64, 128};
  shape.matmulLoops = {0, 2, 3};
  shape.distributeDims = {0, 1};
  shape.defaultConfig.distributeDim = 0;
  shape.defaultConfig.vectorSizes = {8, 32, 1};
  SearchSpace space = cpuSearchSpace(shape, limits());
  ASSERT_EQ(space.knobs.size(), 4u);
  EXPECT_EQ(space.knobs[2].values.back(), 64); // cols up to n
  std::vector<Point> points = space.legalPoints();
  ASSERT_GT(points.size(), 50u);
  for (const Point &p : points) {
    KernelConfig c = space.toConfig(p);
    EXPECT_TRUE(c.tileSizes.empty());
    ASSERT_EQ(c.vectorSizes.size(), 3u);
    int64_t vectors = (c.vectorSizes[1] + 15) / 16;
    EXPECT_LE(c.vectorSizes[0] * vectors + vectors + 1, 32);
    EXPECT_EQ(space.fromConfig(c), p);
    EXPECT_EQ(space.workspaceBytes(p), 0);
  }
  std::optional<Point> d = space.fromConfig(shape.defaultConfig);
  ASSERT_TRUE(d);
  EXPECT_FALSE(space.violation(*d));
  // The prior prefers a full register tile to a one-row one.
  EXPECT_LT(space.estimate({0, 8, 32, 4}), space.estimate({0, 1, 32, 4}));
  EXPECT_EQ(space.features({0, 8, 32, 4}).size(),
            space.features({1, 4, 64, 8}).size());
  EXPECT_EQ(std::string(kernelKindName(shape.kind)), "batch-matmul");
  // Without its loops, or without a register tile, only the split is left.
  shape.matmulLoops.clear();
  EXPECT_EQ(cpuSearchSpace(shape, limits()).knobs.size(), 1u);
}

std::vector<size_t> drain(SearchStrategy &s, size_t n,
                          const std::function<double(size_t)> &time) {
  std::vector<size_t> order;
  while (order.size() < n) {
    std::optional<size_t> i = s.next();
    if (!i)
      break;
    order.push_back(*i);
    s.observe(*i, time(*i));
  }
  return order;
}

TEST(SearchStrategyTest, DeterministicForASeed) {
  SearchSpace space = cpuSearchSpace(matmulShape(64, 512, 512), limits());
  std::vector<Point> points = space.legalPoints();
  auto time = [&](size_t i) { return space.estimate(points[i]) * 1.3 + 100; };
  for (const std::string &name : strategyNames()) {
    auto a = makeStrategy(name, space, points, 7);
    auto b = makeStrategy(name, space, points, 7);
    ASSERT_TRUE(a && b);
    std::vector<size_t> first = drain(*a, 30, time),
                        second = drain(*b, 30, time);
    EXPECT_EQ(first, second) << name;
    EXPECT_EQ(first.size(), 30u);
    // No point is proposed twice.
    EXPECT_EQ(std::set<size_t>(first.begin(), first.end()).size(), first.size())
        << name;
  }
  auto r1 = makeStrategy("random", space, points, 1);
  auto r2 = makeStrategy("random", space, points, 2);
  EXPECT_NE(drain(*r1, 20, time), drain(*r2, 20, time));
  EXPECT_EQ(makeStrategy("annealing", space, points, 1), nullptr);
}

TEST(SearchStrategyTest, ExhaustiveCoversTheSpaceOnce) {
  SearchSpace space = cpuSearchSpace(matmulShape(1, 48, 100), limits());
  std::vector<Point> points = space.legalPoints();
  auto s = makeStrategy("exhaustive", space, points, 1);
  std::vector<size_t> order =
      drain(*s, points.size() + 5, [](size_t) { return 1.0; });
  EXPECT_EQ(order.size(), points.size());
  EXPECT_EQ(std::set<size_t>(order.begin(), order.end()).size(), points.size());
}

TEST(SearchStrategyTest, ResumedPointsAreNotProposedAgain) {
  SearchSpace space = cpuSearchSpace(matmulShape(4, 16, 64), limits());
  std::vector<Point> points = space.legalPoints();
  for (const std::string &name : strategyNames()) {
    auto s = makeStrategy(name, space, points, 3);
    for (size_t i = 0; i < points.size(); i += 2)
      s->observe(i, 1000.0 + (double)i);
    std::vector<size_t> order =
        drain(*s, points.size(), [](size_t) { return 5.0; });
    EXPECT_EQ(order.size(), points.size() / 2) << name;
    for (size_t i : order)
      EXPECT_EQ(i % 2, 1u) << name;
  }
}

TEST(SearchStrategyTest, ModelFindsTheMinimumOfASmoothFunction) {
  // A hidden run time with its minimum away from where the prior points:
  // the model-guided search gets there in far fewer trials than the space.
  SearchSpace space = cpuSearchSpace(matmulShape(64, 512, 512), limits());
  std::vector<Point> points = space.legalPoints();
  auto hidden = [&](size_t i) {
    const Point &p = points[i];
    return 1000 + 50 * std::pow(std::log2((double)p[1]) - 1, 2) +
           40 * std::pow(std::log2((double)p[2]) - 4, 2) +
           30 * std::pow(std::log2((double)p[5]) - 7, 2) +
           20 * std::pow(std::log2((double)p[4]) - 7, 2) + 5 * (p[0] != 0);
  };
  double best = 1e30;
  for (size_t i = 0; i < points.size(); ++i)
    best = std::min(best, hidden(i));
  // Over several seeds, against random search with the same budget.
  double model = 0, random = 0;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    for (const char *name : {"model", "random"}) {
      auto s = makeStrategy(name, space, points, seed);
      double found = 1e30;
      for (size_t i : drain(*s, 48, hidden))
        found = std::min(found, hidden(i));
      (std::string(name) == "model" ? model : random) += found / best / 4;
    }
  }
  EXPECT_LE(model, 1.05) << "space of " << points.size();
  EXPECT_LT(model, random);
}

TEST(CostModelTest, TreesLearnASimpleFunction) {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int a = 0; a < 12; ++a)
    for (int b = 0; b < 12; ++b) {
      x.push_back({(double)a, (double)b, 3.0});
      y.push_back((a - 5) * (a - 5) + 2.0 * b);
    }
  GradientBoostedTrees trees({/*trees=*/150, /*depth=*/3, 0.2, 2});
  trees.fit(x, y);
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, std::fabs(trees.predict(x[i]) - y[i]));
  // The target spans 0..47; the fit is within a few units everywhere.
  EXPECT_LT(worst, 3.0);
  // And ranks unseen points between the samples.
  EXPECT_LT(trees.predict({5.2, 1.5, 3.0}), trees.predict({10.5, 9.5, 3.0}));
  GradientBoostedTrees empty;
  empty.fit({}, {});
  EXPECT_EQ(empty.predict({1.0}), 0.0);
}

TEST(CostModelTest, PriorRanksBeforeDataAndDataCorrectsIt) {
  CostModel model;
  // Without data: the prior's order.
  EXPECT_LT(model.predictLog({0.0}, 10), model.predictLog({1.0}, 20));
  // The prior is wrong for feature 1 (those points are really 4x slower).
  std::vector<std::vector<double>> x;
  std::vector<double> prior, measured;
  for (int i = 0; i < 40; ++i) {
    double f = i % 2;
    x.push_back({f});
    prior.push_back(10 + i);
    measured.push_back((10 + i) * (f ? 4.0 : 1.0));
  }
  model.fit(x, prior, measured);
  EXPECT_GT(model.predictLog({1.0}, 20), model.predictLog({0.0}, 40));
}

TEST(MeasurementTest, MedianAndConfidenceInterval) {
  Summary s = summarize({5, 1, 4, 2, 3});
  EXPECT_EQ(s.median, 3);
  EXPECT_LE(s.low, s.median);
  EXPECT_GE(s.high, s.median);
  std::vector<double> many;
  for (int i = 1; i <= 100; ++i)
    many.push_back(i);
  Summary m = summarize(many);
  EXPECT_DOUBLE_EQ(m.median, 50.5);
  // Ranks 50 -+ 9.8: about [40, 61].
  EXPECT_GE(m.low, 38);
  EXPECT_LE(m.low, 42);
  EXPECT_GE(m.high, 59);
  EXPECT_LE(m.high, 63);
  Summary one = summarize({7});
  EXPECT_EQ(one.median, 7);
  EXPECT_EQ(one.low, 7);
}

TEST(MeasurementTest, FlushingKeepsTheBytes) {
  // Flushing writes dirty lines back before evicting them: the bytes, just
  // written, read back the same (an unaligned start and end included).
  std::vector<unsigned char> bytes((1 << 20) + 37);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = (unsigned char)(i * 131 + 7);
  flushFromCaches(bytes.data() + 3, bytes.size() - 3);
  for (size_t i = 0; i < bytes.size(); ++i)
    ASSERT_EQ(bytes[i], (unsigned char)(i * 131 + 7)) << "byte " << i;
}

TEST(MeasurementTest, TensorsStartOnACacheLine) {
  // The runtime's arena places every tensor on a 64-byte boundary; the
  // tuner's inputs and outputs must too (malloc's large blocks start 16
  // bytes into a page: every vector load of them would straddle two lines).
  for (size_t size : {1ul, 100ul, 4096ul, 800000ul, 3211264ul}) {
    TensorBytes bytes(size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes.data()) % 64, 0u) << size;
    std::vector<TensorBytes> several(3, TensorBytes(size));
    several.emplace_back(size);
    for (const TensorBytes &b : several)
      EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 64, 0u) << size;
  }
}

TEST(TunerTest, WeightsCacheChoice) {
  std::string why;
  const uint64_t mib = 1 << 20;
  int probes = 0;
  uint64_t probed = 0;
  // What a host like this project's measures: ResNet-50's 98 MB not
  // cached from one pass to the next, MobileNetV2's 13 MB cached.
  auto probe = [&](uint64_t bytes) {
    ++probes;
    probed = bytes;
    CacheProbe p;
    p.bytes = bytes;
    p.coldNs = 170;
    p.warmNs = bytes > 20 * mib ? 165 : 70;
    return p;
  };
  EXPECT_TRUE(chooseColdWeights("auto", 98 * mib, 2 * mib, 2, probe, why));
  EXPECT_EQ(probed, 98 * mib);
  EXPECT_EQ(why, "cold (auto: 98.0 MiB of weights; after a pass over 98.0 "
                 "MiB, a line read again 165 ns, flushed 170 ns: not cached)");
  EXPECT_FALSE(chooseColdWeights("auto", 13 * mib, 2 * mib, 2, probe, why));
  EXPECT_EQ(why, "warm (auto: 13.0 MiB of weights; after a pass over 13.0 "
                 "MiB, a line read again 70 ns, flushed 170 ns: cached)");
  EXPECT_EQ(probes, 2);
  // Weights that fit the L2 of the session's cores are warm, unprobed; the
  // same weights on one core are probed.
  EXPECT_FALSE(chooseColdWeights("auto", 3 * mib, 2 * mib, 2, probe, why));
  EXPECT_EQ(why, "warm (auto: 3.0 MiB of weights <= 4.0 MiB of L2, 2 cores)");
  EXPECT_EQ(probes, 2);
  EXPECT_FALSE(chooseColdWeights("auto", 3 * mib, 2 * mib, 1, probe, why));
  EXPECT_EQ(probes, 3);
  // A probe that measured nothing (no cache flush here): warm.
  auto none = [](uint64_t) { return CacheProbe(); };
  EXPECT_FALSE(chooseColdWeights("auto", 98 * mib, 2 * mib, 2, none, why));
  EXPECT_EQ(why, "warm (auto: the caches cannot be probed here)");
  // Asked for, whatever the sizes, unprobed.
  EXPECT_TRUE(chooseColdWeights("cold", 0, 2 * mib, 2, probe, why));
  EXPECT_EQ(why, "cold (--weights-cache)");
  EXPECT_FALSE(chooseColdWeights("warm", 1000 * mib, 2 * mib, 2, probe, why));
  EXPECT_EQ(why, "warm (--weights-cache)");
  EXPECT_EQ(probes, 3);
  for (const char *value : {"auto", "cold", "warm"})
    EXPECT_TRUE(isWeightsCache(value)) << value;
  for (const char *value : {"", "hot", "Cold", "cold "})
    EXPECT_FALSE(isWeightsCache(value)) << value;
}

TEST(MeasurementTest, CacheProbeTimesBothWays) {
  // A 4 MiB probe measures both ways (no timing is asserted: the host may be
  // busy); none of more than kMaxCacheProbeBytes is made.
  CacheProbe p = probeCache(4 << 20);
  if (!canFlushCaches())
    GTEST_SKIP() << "no cache flush on this CPU";
  EXPECT_EQ(p.bytes, uint64_t(4) << 20);
  EXPECT_GT(p.warmNs, 0);
  EXPECT_GT(p.coldNs, 0);
  EXPECT_EQ(probeCache(1).bytes, 0u);
}

TEST(TunerTest, ObjectivesAndTies) {
  // latency: the lower median; equal medians go to the smaller config text.
  EXPECT_TRUE(betterFor("latency", 10, 900, "b", 11, 100, "a"));
  EXPECT_TRUE(betterFor("latency", 10, 900, "a", 10, 100, "b"));
  EXPECT_FALSE(betterFor("latency", 10, 900, "b", 10, 100, "a"));
  // memory: the lower memory first.
  EXPECT_TRUE(betterFor("memory", 11, 100, "b", 10, 900, "a"));
  // balanced: the product.
  EXPECT_TRUE(betterFor("balanced", 12, 100, "b", 10, 200, "a"));
  EXPECT_FALSE(betterFor("balanced", 30, 100, "b", 10, 200, "a"));
}

} // namespace

// Passes in which the host gave the process one of its two cores are
// dropped, as long as enough passes are left; a model that never uses more
// than one core is never thinned.
TEST(ModelCheckTest, DropsPassesWithFewerCores) {
  std::vector<double> cores(20, 1.9);
  cores[3] = cores[4] = 1.0;
  cores[7] = 1.5; // above 3/4 of 1.9
  std::vector<size_t> kept = uncontendedPasses(cores, 10);
  EXPECT_EQ(kept.size(), 18u);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), 3), 0);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), 7), 1);
  EXPECT_EQ(uncontendedPasses(cores, 19).size(), 20u); // too few left
  EXPECT_EQ(uncontendedPasses(std::vector<double>(20, 1.0), 10).size(), 20u);
  // Mostly contended: the usual cores are the 90th percentile's.
  std::vector<double> spell(10, 1.0);
  spell[9] = 1.9;
  spell[8] = 1.9;
  EXPECT_EQ(uncontendedPasses(spell, 2).size(), 2u);
  EXPECT_TRUE(uncontendedPasses({}, 3).empty());
}

TEST(ModelCheckTest, KeepsOnlyCandidatesFasterInEveryPassBeyondNoise) {
  // 40 passes; the default's time wanders (a noisy machine) and each
  // candidate's follows it in the same pass.
  std::vector<double> base;
  for (int p = 0; p < 40; ++p)
    base.push_back(100 + 30 * ((p * 7) % 5));
  auto scaled = [&](double f, double jitter) {
    std::vector<double> v;
    for (size_t p = 0; p < base.size(); ++p)
      v.push_back(base[p] * f * (1 + jitter * ((p % 3) - 1.0)));
    return v;
  };
  InModel out;
  // Candidate 1 (the winner alone) is slower in the model; candidate 2 is
  // 5% faster; candidate 3 3% faster: candidate 2 is kept.
  chooseInModel(
      {base, scaled(1.10, 0.01), scaled(0.95, 0.01), scaled(0.97, 0.01)}, out);
  EXPECT_TRUE(out.checked);
  EXPECT_EQ(out.chosen, 2);
  ASSERT_EQ(out.ratio.size(), 3u);
  EXPECT_NEAR(out.ratio[0], 1.10, 0.02);
  EXPECT_NEAR(out.ratio[1], 0.95, 0.02);
  EXPECT_LT(out.ratioHigh[1], 1);
  EXPECT_DOUBLE_EQ(out.defaultNs, summarize(base).median);
  // A candidate that is faster in half of the passes and slower in the
  // other half: its interval holds 1, and the default stays.
  std::vector<double> mixed;
  for (size_t p = 0; p < base.size(); ++p)
    mixed.push_back(base[p] * (p % 2 ? 0.9 : 1.1));
  chooseInModel({base, mixed}, out);
  EXPECT_EQ(out.chosen, 0);
  EXPECT_GE(out.ratioHigh[0], 1);
  // Equal ratios keep the earlier candidate (better alone).
  chooseInModel({base, scaled(0.9, 0), scaled(0.9, 0)}, out);
  EXPECT_EQ(out.chosen, 1);
  // No passes: nothing to go on, the default.
  chooseInModel({{}, {}}, out);
  EXPECT_EQ(out.chosen, 0);
}

//===- SearchStrategy.h - Which config to measure next -----------*- C++
//-*-===//
//
// A strategy walks the legal points of one kernel's search space: it proposes
// the next point to measure and is told each result. Proposals may run ahead
// of results (variants are compiled in parallel, measured one at a time).
// Every strategy is deterministic given its seed.
//
//   exhaustive  every legal point, best analytic estimate first
//   random      a seeded shuffle of the legal points
//   model       an evolutionary search: offspring of the best measured points
//               (mutations and crossovers) and a few random points, ranked by
//               a cost model trained on every measurement so far
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_SEARCHSTRATEGY_H
#define ANVIL_AUTOTUNE_SEARCHSTRATEGY_H

#include "autotune/CostModel.h"
#include "autotune/SearchSpace.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anvil::autotune {

/// SplitMix64: a small PRNG whose sequence is the same on every platform
/// (unlike the standard distributions).
class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  uint64_t next();
  /// Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n);
  /// Uniform in [0, 1).
  double unit();

private:
  uint64_t state;
};

class SearchStrategy {
public:
  virtual ~SearchStrategy();
  virtual const char *name() const = 0;
  /// The index (into the legal points) of the next point to measure, never
  /// one proposed or observed before; nullopt when there is none left.
  virtual std::optional<size_t> next() = 0;
  /// The measured time of point `index` (NaN: it failed: did not build, ran
  /// wrong or crashed). Points measured before this run (a resumed tuning)
  /// are observed before the first next().
  virtual void observe(size_t index, double timeNs);
};

/// Names accepted by makeStrategy.
const std::vector<std::string> &strategyNames();

/// The strategy called `name` over `points` (the legal points of `space`),
/// seeded with `seed`; null for an unknown name.
std::unique_ptr<SearchStrategy> makeStrategy(const std::string &name,
                                             const SearchSpace &space,
                                             const std::vector<Point> &points,
                                             uint64_t seed);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_SEARCHSTRATEGY_H

//===- SearchStrategy.cpp - Which config to measure next ------------------===//
#include "autotune/SearchStrategy.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

using namespace anvil::autotune;

uint64_t Random::next() {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Random::below(uint64_t n) {
  // Rejection sampling: no modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do
    v = next();
  while (v >= limit);
  return v % n;
}

double Random::unit() { return (double)(next() >> 11) * 0x1.0p-53; }

SearchStrategy::~SearchStrategy() = default;
void SearchStrategy::observe(size_t, double) {}

namespace {

/// Points handed out in a fixed order, skipping those already observed.
class OrderedStrategy : public SearchStrategy {
public:
  OrderedStrategy(const char *label, std::vector<size_t> order, size_t total)
      : label(label), order(std::move(order)), taken(total, false) {}
  const char *name() const override { return label; }
  std::optional<size_t> next() override {
    while (cursor < order.size()) {
      size_t i = order[cursor++];
      if (!taken[i]) {
        taken[i] = true;
        return i;
      }
    }
    return std::nullopt;
  }
  void observe(size_t index, double) override {
    if (index < taken.size())
      taken[index] = true;
  }

private:
  const char *label;
  std::vector<size_t> order;
  std::vector<bool> taken;
  size_t cursor = 0;
};

std::unique_ptr<SearchStrategy> exhaustive(const SearchSpace &space,
                                           const std::vector<Point> &points) {
  std::vector<double> estimate(points.size());
  for (size_t i = 0; i < points.size(); ++i)
    estimate[i] = space.estimate(points[i]);
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return estimate[a] < estimate[b];
  });
  return std::make_unique<OrderedStrategy>("exhaustive", std::move(order),
                                           points.size());
}

std::unique_ptr<SearchStrategy> shuffled(const std::vector<Point> &points,
                                         uint64_t seed) {
  Random random(seed);
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[random.below(i)]);
  return std::make_unique<OrderedStrategy>("random", std::move(order),
                                           points.size());
}

/// Evolution guided by a cost model. Each proposal breeds a pool of
/// candidates from the best measured points (one or two knobs moved to a
/// neighbouring value or redrawn, or knobs taken from two parents), adds
/// random points, and proposes the candidate with the least predicted time;
/// now and then (exploration) a random one of the pool's best quarter.
class ModelGuided : public SearchStrategy {
public:
  ModelGuided(const SearchSpace &space, const std::vector<Point> &points,
              uint64_t seed)
      : space(space), points(points), random(seed),
        taken(points.size(), false) {
    for (size_t i = 0; i < points.size(); ++i) {
      where[points[i]] = i;
      features.push_back(space.features(points[i]));
      estimates.push_back(space.estimate(points[i]));
    }
  }
  const char *name() const override { return "model"; }

  void observe(size_t index, double timeNs) override {
    if (index >= points.size())
      return;
    taken[index] = true;
    if (std::isnan(timeNs)) {
      failed.push_back(index);
      return;
    }
    measured.push_back({index, timeNs});
    stale = true;
  }

  std::optional<size_t> next() override {
    if (remaining() == 0)
      return std::nullopt;
    // Refits are cheap while there are few measurements; after that, once
    // they grew by a quarter.
    if (stale && (measured.size() < 64 || measured.size() >= fitted * 5 / 4)) {
      fitted = measured.size();
      std::vector<std::vector<double>> x;
      std::vector<double> e, t;
      for (auto [i, time] : measured) {
        x.push_back(features[i]);
        e.push_back(estimates[i]);
        t.push_back(time);
      }
      model.fit(x, e, t);
      stale = false;
    }
    std::vector<size_t> pool = breed();
    if (pool.empty())
      return take(firstFree());
    std::vector<double> score(pool.size());
    for (size_t j = 0; j < pool.size(); ++j)
      score[j] = model.predictLog(features[pool[j]], estimates[pool[j]]);
    std::vector<size_t> order(pool.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return score[a] != score[b] ? score[a] < score[b] : pool[a] < pool[b];
    });
    size_t pick = order[0];
    if (!measured.empty() && random.unit() < kExplore)
      pick = order[random.below(std::max<size_t>(1, order.size() / 4))];
    return take(pool[pick]);
  }

private:
  static constexpr double kExplore = 0.2;
  static constexpr size_t kParents = 6;
  static constexpr size_t kOffspring = 256;
  static constexpr size_t kRandom = 64;

  size_t remaining() const {
    return (size_t)std::count(taken.begin(), taken.end(), false);
  }
  size_t firstFree() const {
    return (size_t)(std::find(taken.begin(), taken.end(), false) -
                    taken.begin());
  }
  size_t take(size_t i) {
    taken[i] = true;
    return i;
  }

  /// Untaken legal points near the best measured ones, and random ones; with
  /// nothing measured yet, every untaken point (ranked by the prior alone).
  std::vector<size_t> breed() {
    std::vector<size_t> pool;
    std::vector<bool> inPool(points.size(), false);
    auto add = [&](const Point &p) {
      auto it = where.find(p);
      if (it != where.end() && !taken[it->second] && !inPool[it->second]) {
        inPool[it->second] = true;
        pool.push_back(it->second);
      }
    };
    if (measured.empty()) {
      for (size_t i = 0; i < points.size(); ++i)
        add(points[i]);
      return pool;
    }
    std::vector<std::pair<size_t, double>> best = measured;
    std::sort(best.begin(), best.end(), [](auto &a, auto &b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    best.resize(std::min(best.size(), kParents));
    size_t knobs = space.knobs.size();
    for (size_t n = 0; n < kOffspring; ++n) {
      Point child = points[best[random.below(best.size())].first];
      if (best.size() > 1 && random.unit() < 0.3) {
        const Point &other = points[best[random.below(best.size())].first];
        for (size_t k = 0; k < knobs; ++k)
          if (random.below(2))
            child[k] = other[k];
      }
      size_t moves = 1 + random.below(2);
      for (size_t m = 0; m < moves; ++m) {
        size_t k = random.below(knobs);
        const std::vector<int64_t> &values = space.knobs[k].values;
        int at = space.indexOf(k, child[k]);
        if (at < 0 || random.unit() < 0.25) {
          child[k] = values[random.below(values.size())];
        } else {
          int step = random.below(2) ? 1 : -1;
          int to = std::clamp(at + step, 0, (int)values.size() - 1);
          child[k] = values[to];
        }
      }
      add(child);
    }
    for (size_t n = 0; n < kRandom; ++n)
      add(points[random.below(points.size())]);
    return pool;
  }

  const SearchSpace &space;
  const std::vector<Point> &points;
  Random random;
  std::vector<bool> taken;
  std::map<Point, size_t> where;
  std::vector<std::vector<double>> features;
  std::vector<double> estimates;
  std::vector<std::pair<size_t, double>> measured;
  std::vector<size_t> failed;
  CostModel model;
  bool stale = false;
  size_t fitted = 0;
};

} // namespace

const std::vector<std::string> &anvil::autotune::strategyNames() {
  static const std::vector<std::string> names = {"exhaustive", "random",
                                                 "model"};
  return names;
}

std::unique_ptr<SearchStrategy>
anvil::autotune::makeStrategy(const std::string &name, const SearchSpace &space,
                              const std::vector<Point> &points, uint64_t seed) {
  if (name == "exhaustive")
    return exhaustive(space, points);
  if (name == "random")
    return shuffled(points, seed);
  if (name == "model")
    return std::make_unique<ModelGuided>(space, points, seed);
  return nullptr;
}

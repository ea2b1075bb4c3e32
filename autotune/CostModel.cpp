//===- CostModel.cpp - A learned model of kernel run times ----------------===//
#include "autotune/CostModel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace anvil::autotune;

void GradientBoostedTrees::fit(const std::vector<std::vector<double>> &x,
                               const std::vector<double> &y) {
  trees.clear();
  base = 0;
  if (y.empty())
    return;
  base = std::accumulate(y.begin(), y.end(), 0.0) / (double)y.size();
  std::vector<double> residual(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    residual[i] = y[i] - base;
  if (y.size() < 2 * options.minLeaf)
    return;
  for (int t = 0; t < options.trees; ++t) {
    Tree tree;
    std::vector<size_t> rows(y.size());
    std::iota(rows.begin(), rows.end(), 0);
    grow(tree, x, residual, rows, 0);
    for (size_t i = 0; i < y.size(); ++i)
      residual[i] -= options.learningRate * evaluate(tree, x[i]);
    trees.push_back(std::move(tree));
  }
}

int GradientBoostedTrees::grow(Tree &tree,
                               const std::vector<std::vector<double>> &x,
                               const std::vector<double> &residual,
                               std::vector<size_t> &rows, int depth) const {
  int id = (int)tree.size();
  tree.emplace_back();
  double sum = 0;
  for (size_t r : rows)
    sum += residual[r];
  tree[id].value = sum / (double)rows.size();
  if (depth >= options.depth || rows.size() < 2 * options.minLeaf)
    return id;
  // The split of least squared error: for each feature, the rows sorted by
  // it, and every cut between two different values that leaves minLeaf rows
  // on each side.
  double bestGain = 1e-12, bestThreshold = 0;
  int bestFeature = -1;
  size_t features = x[rows.front()].size();
  std::vector<size_t> sorted = rows;
  for (size_t f = 0; f < features; ++f) {
    std::sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
      return x[a][f] < x[b][f] || (x[a][f] == x[b][f] && a < b);
    });
    double left = 0;
    size_t n = sorted.size();
    for (size_t i = 0; i + 1 < n; ++i) {
      left += residual[sorted[i]];
      size_t nl = i + 1, nr = n - nl;
      if (nl < options.minLeaf || nr < options.minLeaf ||
          x[sorted[i]][f] == x[sorted[i + 1]][f])
        continue;
      double right = sum - left;
      double gain = left * left / (double)nl + right * right / (double)nr -
                    sum * sum / (double)n;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = (int)f;
        bestThreshold = (x[sorted[i]][f] + x[sorted[i + 1]][f]) / 2;
      }
    }
  }
  if (bestFeature < 0)
    return id;
  std::vector<size_t> lo, hi;
  for (size_t r : rows)
    (x[r][bestFeature] < bestThreshold ? lo : hi).push_back(r);
  tree[id].feature = bestFeature;
  tree[id].threshold = bestThreshold;
  int l = grow(tree, x, residual, lo, depth + 1);
  int h = grow(tree, x, residual, hi, depth + 1);
  tree[id].left = l;
  tree[id].right = h;
  return id;
}

double GradientBoostedTrees::evaluate(const Tree &tree,
                                      const std::vector<double> &x) {
  int node = 0;
  while (tree[node].feature >= 0)
    node = x[tree[node].feature] < tree[node].threshold ? tree[node].left
                                                        : tree[node].right;
  return tree[node].value;
}

double GradientBoostedTrees::predict(const std::vector<double> &x) const {
  double y = base;
  for (const Tree &tree : trees)
    y += options.learningRate * evaluate(tree, x);
  return y;
}

void CostModel::fit(const std::vector<std::vector<double>> &features,
                    const std::vector<double> &estimate,
                    const std::vector<double> &measured) {
  size_t n = measured.size();
  numSamples = n;
  std::vector<double> le(n), lm(n);
  for (size_t i = 0; i < n; ++i) {
    le[i] = std::log(std::max(estimate[i], 1e-9));
    lm[i] = std::log(std::max(measured[i], 1e-9));
  }
  // The prior's scale and offset by least squares once a few points pin
  // them down (a prior in the wrong units still ranks); a prior the
  // measurements contradict fades out (scale 0) instead of inverting.
  scale = 1;
  offset = 0;
  if (n > 0) {
    double me = std::accumulate(le.begin(), le.end(), 0.0) / (double)n;
    double mm = std::accumulate(lm.begin(), lm.end(), 0.0) / (double)n;
    double cov = 0, var = 0;
    for (size_t i = 0; i < n; ++i) {
      cov += (le[i] - me) * (lm[i] - mm);
      var += (le[i] - me) * (le[i] - me);
    }
    if (n >= 4 && var > 1e-12)
      scale = std::clamp(cov / var, 0.0, 2.0);
    offset = mm - scale * me;
  }
  std::vector<double> residual(n);
  for (size_t i = 0; i < n; ++i)
    residual[i] = lm[i] - (scale * le[i] + offset);
  trees.fit(features, residual);
}

double CostModel::predictLog(const std::vector<double> &features,
                             double estimate) const {
  return scale * std::log(std::max(estimate, 1e-9)) + offset +
         trees.predict(features);
}

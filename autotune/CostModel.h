//===- CostModel.h - A learned model of kernel run times ---------*- C++
//-*-===//
//
// The model-guided search ranks configs it has not measured by a cost model
// trained online on the ones it has: gradient-boosted regression trees on the
// points' features, fitted to the log of the measured times relative to the
// space's analytic estimate. Before any measurement (and where the trees have
// nothing to say) the prediction is the analytic estimate itself, so the first
// trials are already sensible.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_COSTMODEL_H
#define ANVIL_AUTOTUNE_COSTMODEL_H

#include <cstddef>
#include <vector>

namespace anvil::autotune {

/// Least-squares gradient boosting of small regression trees.
class GradientBoostedTrees {
public:
  struct Options {
    int trees = 60;
    int depth = 3;
    double learningRate = 0.2;
    size_t minLeaf = 2; ///< Fewest samples in a leaf.
  };

  GradientBoostedTrees() = default;
  explicit GradientBoostedTrees(Options options) : options(options) {}

  /// Fits `x` (one feature vector per sample, all the same length) to `y`,
  /// replacing any earlier fit. With no samples it predicts 0.
  void fit(const std::vector<std::vector<double>> &x,
           const std::vector<double> &y);
  double predict(const std::vector<double> &x) const;
  size_t numTrees() const { return trees.size(); }

private:
  struct Node {
    int feature = -1; ///< -1: a leaf
    double threshold = 0, value = 0;
    int left = -1, right = -1;
  };
  using Tree = std::vector<Node>;

  int grow(Tree &tree, const std::vector<std::vector<double>> &x,
           const std::vector<double> &residual, std::vector<size_t> &rows,
           int depth) const;
  static double evaluate(const Tree &tree, const std::vector<double> &x);

  Options options;
  double base = 0;
  std::vector<Tree> trees;
};

/// The tuner's cost model: predicts log(run time) of a point from its
/// features and its analytic estimate.
class CostModel {
public:
  explicit CostModel(GradientBoostedTrees::Options options = {})
      : trees(options) {}

  /// Refits on every measurement so far: `features[i]`, `estimate[i]` (the
  /// analytic prior, > 0) and the measured time `measured[i]` (> 0).
  void fit(const std::vector<std::vector<double>> &features,
           const std::vector<double> &estimate,
           const std::vector<double> &measured);
  /// Predicted log of the run time (comparable between points of a space).
  double predictLog(const std::vector<double> &features, double estimate) const;
  size_t samples() const { return numSamples; }

private:
  /// log(time) ~ scale * log(estimate) + offset + trees(features).
  double scale = 1, offset = 0;
  size_t numSamples = 0;
  GradientBoostedTrees trees;
};

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_COSTMODEL_H

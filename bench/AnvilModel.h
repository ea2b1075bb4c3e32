//===- AnvilModel.h - One-node ONNX models compiled by Anvil -----*- C++
//-*-===//
//
// A kernel benchmark times Anvil the way a user gets it: a one-node ONNX model
// (the weights as constant initializers, so that Anvil may pack them at
// compile time), compiled by anvil-compile into an artifact, loaded and run
// through the runtime's C API.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_BENCH_ANVILMODEL_H
#define ANVIL_BENCH_ANVILMODEL_H

#include "anvil/runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace anvil::bench {

struct Options;

/// An f32 constant input of the node: an ONNX initializer.
struct Constant {
  std::string name;
  std::vector<int64_t> dims;
  const float *data;
};

/// A model of one node: y = opType(x, constants...) with integer attributes;
/// x and y are f32 tensors of static shapes. With `channelsLast`, x and y are
/// the NHWC forms of `inputDims` and `outputDims` (NCHW, as the node sees
/// them): x -> Transpose -> node -> Transpose -> y, so that the layout a
/// compiler picks inside costs no conversion at the model's edges.
struct OneNodeModel {
  std::string opType;
  std::vector<int64_t> inputDims;
  std::vector<Constant> constants;
  std::vector<std::pair<std::string, int64_t>> intAttributes;
  std::vector<std::pair<std::string, std::vector<int64_t>>> intsAttributes;
  std::vector<int64_t> outputDims;
  bool channelsLast = false;
};

/// NCHW dims as NHWC.
std::vector<int64_t> toChannelsLast(const std::vector<int64_t> &nchw);
/// A copy of the NCHW tensor `data` of `dims` in NHWC order, or (`inverse`)
/// of the NHWC tensor of NCHW `dims` in NCHW order.
std::vector<float> transposeChannels(const float *data,
                                     const std::vector<int64_t> &dims,
                                     bool inverse);

/// Writes `model` as a binary ONNX file (opset 17); returns an error message,
/// or "" on success.
std::string writeOnnx(const OneNodeModel &model, const std::string &path);

/// A one-node model compiled by Anvil, loaded, with a session of the
/// options' thread count. Used by one thread at a time.
class AnvilKernel {
public:
  /// Writes `model` to <work dir>/<name>.onnx, compiles it into
  /// <name>.so with the options' anvil-compile, loads it and creates the
  /// session; returns an error message, or "" and sets `out`.
  static std::string create(const OneNodeModel &model, const std::string &name,
                            const Options &options,
                            std::unique_ptr<AnvilKernel> &out);
  ~AnvilKernel();
  AnvilKernel(const AnvilKernel &) = delete;
  AnvilKernel &operator=(const AnvilKernel &) = delete;

  /// Runs the model on `input` (the model's input elements) into `output`
  /// (its output elements); returns an error message, or "" on success.
  std::string run(const float *input, float *output);

  /// Seconds anvil-compile took.
  double compileSeconds() const { return compileSeconds_; }

  /// Runs the model `runs` times with the runtime's per-step profile on and
  /// sets `ns` to the mean time per run of the steps that dispatch its main
  /// kernel: the one whose root op is the convolution or matmul (from
  /// anvil-compile --list-kernels), without the copies and fills around it
  /// (a padded convolution's model copies its input into a zero-bordered
  /// buffer, which inside a model the producing kernel writes directly).
  /// Returns an error message, or "" on success.
  std::string mainKernelNs(const float *input, float *output, int runs,
                           double &ns);

private:
  AnvilKernel() = default;

  anvil_model_t *model_ = nullptr;
  anvil_session_t *session_ = nullptr;
  anvil_tensor_t input_{};
  anvil_tensor_t output_{};
  double compileSeconds_ = 0;
  /// The main kernel's symbol ("kernel_N"; empty when none was found).
  std::string mainKernel_;
};

} // namespace anvil::bench

#endif // ANVIL_BENCH_ANVILMODEL_H

//===- ConvBench.cpp - fp32 convolution: Anvil vs oneDNN ------------------===//
//
// y = Conv(x, W), batch 1, constant weights, no bias. Each layer is timed
// two ways with the same thread count, each in the layout it picks (in a
// model, layout conversions happen at its edges, not at every layer):
//   anvil   a one-node ONNX Conv compiled by anvil-compile, run through the
//           runtime, with NHWC input and output (Transposes around the Conv
//           that Anvil's layout pass cancels against its channels-last conv)
//   onednn  the convolution primitive in the layouts oneDNN picks
//           (format_tag::any); the reorders of x, W and y are not timed
// Anvil's result is checked against oneDNN's once per layer.
//
//===----------------------------------------------------------------------===//

#include "bench/AnvilModel.h"
#include "bench/Harness.h"

#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

using namespace anvil::bench;

namespace {

struct ConvShape {
  const char *model;
  int64_t channels, size, outChannels, kernel, stride, group;
  const char *layer;

  int64_t pad() const { return kernel / 2; }
  int64_t outSize() const { return (size + 2 * pad() - kernel) / stride + 1; }
  double flops() const {
    return 2.0 * outChannels * outSize() * outSize() * (channels / group) *
           kernel * kernel;
  }
};

// The distinct layers of ResNet-50 and MobileNetV2 at 224x224, batch 1.
const ConvShape kShapes[] = {
    {"resnet50", 3, 224, 64, 7, 2, 1, "conv1 7x7/2"},
    {"resnet50", 64, 56, 64, 3, 1, 1, "layer1 3x3"},
    {"resnet50", 128, 28, 128, 3, 1, 1, "layer2 3x3"},
    {"resnet50", 256, 14, 256, 3, 1, 1, "layer3 3x3"},
    {"resnet50", 512, 7, 512, 3, 1, 1, "layer4 3x3"},
    {"resnet50", 64, 56, 256, 1, 1, 1, "layer1 1x1 expand"},
    {"resnet50", 256, 56, 64, 1, 1, 1, "layer1 1x1 reduce"},
    {"resnet50", 256, 56, 512, 1, 2, 1, "layer2 1x1/2 downsample"},
    {"resnet50", 512, 28, 128, 1, 1, 1, "layer2 1x1 reduce"},
    {"resnet50", 1024, 14, 256, 1, 1, 1, "layer3 1x1 reduce"},
    {"resnet50", 512, 7, 2048, 1, 1, 1, "layer4 1x1 expand"},
    {"mobilenetv2", 32, 112, 32, 3, 1, 32, "block1 depthwise 3x3"},
    {"mobilenetv2", 96, 112, 96, 3, 2, 96, "block2 depthwise 3x3/2"},
    {"mobilenetv2", 144, 56, 144, 3, 1, 144, "block3 depthwise 3x3"},
    {"mobilenetv2", 192, 28, 192, 3, 1, 192, "block5 depthwise 3x3"},
    {"mobilenetv2", 576, 14, 576, 3, 1, 576, "block13 depthwise 3x3"},
    {"mobilenetv2", 960, 7, 960, 3, 1, 960, "block15 depthwise 3x3"},
    {"mobilenetv2", 16, 112, 96, 1, 1, 1, "block2 pointwise expand"},
    {"mobilenetv2", 144, 56, 24, 1, 1, 1, "block3 pointwise project"},
    {"mobilenetv2", 192, 28, 32, 1, 1, 1, "block5 pointwise project"},
    {"mobilenetv2", 64, 14, 384, 1, 1, 1, "block8 pointwise expand"},
    {"mobilenetv2", 576, 14, 96, 1, 1, 1, "block13 pointwise project"},
    {"mobilenetv2", 320, 7, 1280, 1, 1, 1, "last pointwise 1x1"},
};

std::string shapeName(const ConvShape &shape) {
  std::string name =
      "c" + std::to_string(shape.channels) + "_" + std::to_string(shape.size) +
      "x" + std::to_string(shape.size) + "_k" + std::to_string(shape.kernel) +
      "s" + std::to_string(shape.stride) + "_oc" +
      std::to_string(shape.outChannels);
  if (shape.group > 1)
    name += "_g" + std::to_string(shape.group);
  return name;
}

struct ConvCase {
  ConvShape shape;
  std::vector<float> x, w, y, reference;
  /// x in NHWC, and Anvil's NHWC output.
  std::vector<float> xNhwc, yNhwc;
  std::unique_ptr<AnvilKernel> anvil;
  std::optional<std::string> anvilError;
  std::optional<dnnl::convolution_forward> onednn;
  std::optional<std::string> onednnError;
  std::string onednnImpl;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::unordered_map<int, dnnl::memory> onednnArgs;

  explicit ConvCase(const ConvShape &shape)
      : shape(shape),
        x(randomFloats(shape.channels * shape.size * shape.size, 1)),
        w(randomFloats(shape.outChannels * (shape.channels / shape.group) *
                           shape.kernel * shape.kernel,
                       2)),
        y(shape.outChannels * shape.outSize() * shape.outSize()) {}

  std::vector<int64_t> inputDims() const {
    return {1, shape.channels, shape.size, shape.size};
  }
  std::vector<int64_t> weightDims() const {
    return {shape.outChannels, shape.channels / shape.group, shape.kernel,
            shape.kernel};
  }
  std::vector<int64_t> outputDims() const {
    return {1, shape.outChannels, shape.outSize(), shape.outSize()};
  }

  // Sets up oneDNN and computes the reference (in NCHW) with it.
  std::string setUpOnednn() {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::dims weights = weightDims();
    tag weightsTag = tag::oihw;
    if (shape.group > 1) {
      weights = {shape.group, shape.outChannels / shape.group,
                 shape.channels / shape.group, shape.kernel, shape.kernel};
      weightsTag = tag::goihw;
    }
    dnnl::memory::dims strides = {shape.stride, shape.stride};
    dnnl::memory::dims padding = {shape.pad(), shape.pad()};
    dnnl::memory::desc xAny(inputDims(), dt::f32, tag::any);
    dnnl::memory::desc wAny(weights, dt::f32, tag::any);
    dnnl::memory::desc yAny(outputDims(), dt::f32, tag::any);
#if DNNL_VERSION_MAJOR >= 3
    dnnl::convolution_forward::primitive_desc pd(
        engine, dnnl::prop_kind::forward_inference,
        dnnl::algorithm::convolution_direct, xAny, wAny, yAny, strides, padding,
        padding);
#else
    dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                        dnnl::algorithm::convolution_direct,
                                        xAny, wAny, yAny, strides, padding,
                                        padding),
        engine);
#endif
    onednnImpl = pd.impl_info_str();
    dnnl::memory xUser({inputDims(), dt::f32, tag::nchw}, engine, x.data());
    dnnl::memory wUser({weights, dt::f32, weightsTag}, engine, w.data());
    dnnl::memory yUser({outputDims(), dt::f32, tag::nchw}, engine, y.data());
    dnnl::memory xMem(pd.src_desc(), engine), wMem(pd.weights_desc(), engine),
        yMem(pd.dst_desc(), engine);
    dnnl::reorder(xUser, xMem).execute(stream, xUser, xMem);
    dnnl::reorder(wUser, wMem).execute(stream, wUser, wMem);
    onednnArgs = {
        {DNNL_ARG_SRC, xMem}, {DNNL_ARG_WEIGHTS, wMem}, {DNNL_ARG_DST, yMem}};
    onednn.emplace(pd);
    onednn->execute(stream, onednnArgs);
    dnnl::reorder(yMem, yUser).execute(stream, yMem, yUser);
    stream.wait();
    reference = y;
    return "";
  }

  std::string setUpAnvil(const Options &options) {
    OneNodeModel model;
    model.opType = "Conv";
    model.inputDims = inputDims();
    model.constants = {{"W", weightDims(), w.data()}};
    model.intAttributes = {{"group", shape.group}};
    model.intsAttributes = {
        {"kernel_shape", {shape.kernel, shape.kernel}},
        {"strides", {shape.stride, shape.stride}},
        {"pads", {shape.pad(), shape.pad(), shape.pad(), shape.pad()}},
        {"dilations", {1, 1}}};
    model.outputDims = outputDims();
    model.channelsLast = true;
    if (std::string error = AnvilKernel::create(
            model, "conv_" + shapeName(shape), options, anvil);
        !error.empty())
      return error;
    xNhwc = transposeChannels(x.data(), inputDims(), /*inverse=*/false);
    yNhwc.resize(y.size());
    if (std::string error = anvil->run(xNhwc.data(), yNhwc.data());
        !error.empty())
      return error;
    y = transposeChannels(yNhwc.data(), outputDims(), /*inverse=*/true);
    if (options.corruptAnvilOutput)
      y[y.size() / 2] += 1.0f + std::fabs(reference[y.size() / 2]);
    return checkClose("conv " + shapeName(shape) + ": Anvil vs oneDNN",
                      y.data(), reference.data(), y.size(), options.tolerance);
  }
};

std::map<std::string, std::unique_ptr<ConvCase>> cases;

// The case of `shape` with oneDNN set up (it gives Anvil's reference); null
// after reporting a failure to set it up.
ConvCase *caseOf(benchmark::State &state, const ConvShape &shape) {
  std::unique_ptr<ConvCase> &slot = cases[shapeName(shape)];
  if (!slot)
    slot = std::make_unique<ConvCase>(shape);
  if (!slot->onednnError) {
    try {
      slot->onednnError = slot->setUpOnednn();
    } catch (const dnnl::error &e) {
      slot->onednnError = "conv " + shapeName(shape) + ": oneDNN: " + e.what();
    }
  }
  if (!slot->onednnError->empty()) {
    fail(*slot->onednnError, &state);
    return nullptr;
  }
  return slot.get();
}

void setCounters(benchmark::State &state, const ConvShape &shape) {
  state.counters["C"] = shape.channels;
  state.counters["HW"] = shape.size;
  state.counters["OC"] = shape.outChannels;
  state.counters["k"] = shape.kernel;
  state.counters["stride"] = shape.stride;
  state.counters["group"] = shape.group;
}

void benchAnvil(benchmark::State &state, const ConvShape &shape,
                const Options &options) {
  ConvCase *conv = caseOf(state, shape);
  if (!conv)
    return;
  if (!conv->anvilError)
    conv->anvilError = conv->setUpAnvil(options);
  if (!conv->anvilError->empty())
    return fail(*conv->anvilError, &state);
  state.SetLabel(std::string(shape.model) + " " + shape.layer);
  settle(options, "anvil");
  timeRuns(state, shape.flops(), options, [&] {
    return conv->anvil->run(conv->xNhwc.data(), conv->yNhwc.data());
  });
  setCounters(state, shape);
  state.counters["compile_s"] = conv->anvil->compileSeconds();
  // The conv kernel alone, from the runtime's profile of more runs (at least
  // 50, and about 0.2 s): the one-node model of a padded conv also copies its
  // input into a zero-bordered buffer (and zero-fills the output of a conv
  // without bias), passes a model's producing kernel does in its epilogue.
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < 5; ++r)
    if (std::string error =
            conv->anvil->run(conv->xNhwc.data(), conv->yNhwc.data());
        !error.empty())
      return fail(error, &state);
  double perRun =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count() /
      5;
  int runs =
      static_cast<int>(std::clamp(0.2 / std::max(perRun, 1e-7), 50.0, 5000.0));
  double ns = 0;
  if (std::string error = conv->anvil->mainKernelNs(
          conv->xNhwc.data(), conv->yNhwc.data(), runs, ns);
      !error.empty())
    return fail(error, &state);
  state.counters["kernel_GFLOPS"] = shape.flops() / ns;
}

void benchOnednn(benchmark::State &state, const ConvShape &shape,
                 const Options &options) {
  ConvCase *conv = caseOf(state, shape);
  if (!conv)
    return;
  state.SetLabel(std::string(shape.model) + " " + shape.layer + "; " +
                 conv->onednnImpl);
  settle(options, "onednn");
  timeRuns(state, shape.flops(), options, [&] {
    conv->onednn->execute(conv->stream, conv->onednnArgs);
    conv->stream.wait();
    return std::string();
  });
  setCounters(state, shape);
}

void registerConvs(const Options &options) {
  using Bench =
      void (*)(benchmark::State &, const ConvShape &, const Options &);
  const std::pair<const char *, Bench> impls[] = {{"anvil", benchAnvil},
                                                  {"onednn", benchOnednn}};
  for (const ConvShape &shape : kShapes) {
    for (const auto &[impl, bench] : impls) {
      benchmark::RegisterBenchmark(("conv/" + std::string(shape.model) + "/" +
                                    shapeName(shape) + "/" + impl)
                                       .c_str(),
                                   bench, shape, options)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  return benchMain(argc, argv,
                   "fp32 convolution (NCHW, batch 1, constant weights): Anvil "
                   "vs oneDNN.\nBenchmarks are named "
                   "conv/MODEL/cC_HxW_kKsS_ocOC[_gG]/{anvil,onednn}.",
                   registerConvs);
}

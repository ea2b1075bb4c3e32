//===- GemmBench.cpp - fp32 GEMM: Anvil vs OpenBLAS vs oneDNN -------------===//
//
// C[M,N] = A[M,K] x B[K,N], row-major, B constant (a layer's weights). Each
// shape is timed three ways with the same thread count:
//   anvil     a one-node ONNX MatMul compiled by anvil-compile, run through
//             the runtime (B is an initializer, so Anvil may pack it ahead)
//   openblas  cblas_sgemm
//   onednn    the matmul primitive, B reordered ahead into the layout oneDNN
//             picks (format_tag::any); the reorder is not timed
// Anvil's and oneDNN's results are checked against OpenBLAS once per shape.
//
//===----------------------------------------------------------------------===//

#include "bench/AnvilModel.h"
#include "bench/Harness.h"

#include <cblas.h>
#include <dnnl.hpp>

#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

using namespace anvil::bench;

namespace {

struct GemmShape {
  int64_t m, k, n;
  const char *layer;
};

// Square sizes, then the layers of BERT-base (sequence 128, batch 1) and the
// 1x1 convolutions of ResNet-50 (batch 1, 224x224) as GEMMs over the pixels
// (M = H*W, K = input channels, N = output channels).
const GemmShape kShapes[] = {
    {256, 256, 256, "square"},
    {512, 512, 512, "square"},
    {1024, 1024, 1024, "square"},
    {2048, 2048, 2048, "square"},
    {128, 768, 768, "BERT-base attention projection (seq 128)"},
    {128, 768, 3072, "BERT-base FFN up (seq 128)"},
    {128, 3072, 768, "BERT-base FFN down (seq 128)"},
    {3136, 64, 256, "ResNet-50 layer1 1x1 expand (56x56, 64->256)"},
    {3136, 256, 64, "ResNet-50 layer1 1x1 reduce (56x56, 256->64)"},
    {784, 128, 512, "ResNet-50 layer2 1x1 expand (28x28, 128->512)"},
    {784, 512, 128, "ResNet-50 layer2 1x1 reduce (28x28, 512->128)"},
    {196, 256, 1024, "ResNet-50 layer3 1x1 expand (14x14, 256->1024)"},
    {196, 1024, 256, "ResNet-50 layer3 1x1 reduce (14x14, 1024->256)"},
    {49, 512, 2048, "ResNet-50 layer4 1x1 expand (7x7, 512->2048)"},
    {49, 2048, 512, "ResNet-50 layer4 1x1 reduce (7x7, 2048->512)"},
};

std::string shapeName(const GemmShape &shape) {
  return std::to_string(shape.m) + "x" + std::to_string(shape.k) + "x" +
         std::to_string(shape.n);
}

// The data of one shape, made the first time a benchmark of it runs and shared
// by its three implementations.
struct GemmCase {
  GemmShape shape;
  std::vector<float> a, b, reference;
  std::vector<float> c;
  // Each implementation is set up (and checked) once; a failure is remembered
  // so that Google Benchmark's repeated calls report it without retrying.
  std::unique_ptr<AnvilKernel> anvil;
  std::optional<std::string> anvilError;
  std::optional<dnnl::matmul> onednn;
  std::optional<std::string> onednnError;
  std::string onednnImpl;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::unordered_map<int, dnnl::memory> onednnArgs;

  explicit GemmCase(const GemmShape &shape)
      : shape(shape), a(randomFloats(shape.m * shape.k, 1)),
        b(randomFloats(shape.k * shape.n, 2)), c(shape.m * shape.n) {}

  double flops() const { return 2.0 * shape.m * shape.k * shape.n; }

  void openblas(float *out) const {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, shape.m, shape.n,
                shape.k, 1.0f, a.data(), shape.k, b.data(), shape.n, 0.0f, out,
                shape.n);
  }

  const std::vector<float> &ref() {
    if (reference.empty()) {
      reference.resize(shape.m * shape.n);
      openblas(reference.data());
    }
    return reference;
  }

  std::string setUpAnvil(const Options &options) {
    OneNodeModel model;
    model.opType = "MatMul";
    model.inputDims = {shape.m, shape.k};
    model.constants = {{"B", {shape.k, shape.n}, b.data()}};
    model.outputDims = {shape.m, shape.n};
    if (std::string error = AnvilKernel::create(
            model, "gemm_" + shapeName(shape), options, anvil);
        !error.empty())
      return error;
    if (std::string error = anvil->run(a.data(), c.data()); !error.empty())
      return error;
    if (options.corruptAnvilOutput)
      c[c.size() / 2] += 1.0f + std::fabs(ref()[c.size() / 2]);
    return checkClose("gemm " + shapeName(shape) + ": Anvil vs OpenBLAS",
                      c.data(), ref().data(), c.size(), options.tolerance);
  }

  std::string setUpOnednn(const Options &options) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc aDesc({shape.m, shape.k}, dt::f32, tag::ab);
    dnnl::memory::desc bUserDesc({shape.k, shape.n}, dt::f32, tag::ab);
    dnnl::memory::desc bAnyDesc({shape.k, shape.n}, dt::f32, tag::any);
    dnnl::memory::desc cDesc({shape.m, shape.n}, dt::f32, tag::ab);
#if DNNL_VERSION_MAJOR >= 3
    dnnl::matmul::primitive_desc pd(engine, aDesc, bAnyDesc, cDesc);
#else
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bAnyDesc, cDesc),
                                    engine);
#endif
    onednnImpl = pd.impl_info_str();
    dnnl::memory bUser(bUserDesc, engine, b.data());
    dnnl::memory bPacked(pd.weights_desc(), engine);
    dnnl::reorder(bUser, bPacked).execute(stream, bUser, bPacked);
    onednnArgs = {{DNNL_ARG_SRC, dnnl::memory(aDesc, engine, a.data())},
                  {DNNL_ARG_WEIGHTS, bPacked},
                  {DNNL_ARG_DST, dnnl::memory(cDesc, engine, c.data())}};
    onednn.emplace(pd);
    onednn->execute(stream, onednnArgs);
    stream.wait();
    return checkClose("gemm " + shapeName(shape) + ": oneDNN vs OpenBLAS",
                      c.data(), ref().data(), c.size(), options.tolerance);
  }
};

std::map<std::string, std::unique_ptr<GemmCase>> cases;

GemmCase &caseOf(const GemmShape &shape) {
  std::unique_ptr<GemmCase> &slot = cases[shapeName(shape)];
  if (!slot)
    slot = std::make_unique<GemmCase>(shape);
  return *slot;
}

void setCounters(benchmark::State &state, const GemmShape &shape) {
  state.counters["M"] = shape.m;
  state.counters["K"] = shape.k;
  state.counters["N"] = shape.n;
}

void benchAnvil(benchmark::State &state, const GemmShape &shape,
                const Options &options) {
  GemmCase &gemm = caseOf(shape);
  if (!gemm.anvilError)
    gemm.anvilError = gemm.setUpAnvil(options);
  if (!gemm.anvilError->empty())
    return fail(*gemm.anvilError, &state);
  state.SetLabel(shape.layer);
  settle(options, "anvil");
  timeRuns(state, gemm.flops(), options,
           [&] { return gemm.anvil->run(gemm.a.data(), gemm.c.data()); });
  setCounters(state, shape);
  state.counters["compile_s"] = gemm.anvil->compileSeconds();
}

void benchOpenblas(benchmark::State &state, const GemmShape &shape,
                   const Options &options) {
  GemmCase &gemm = caseOf(shape);
  state.SetLabel(shape.layer);
  settle(options, "openblas");
  timeRuns(state, gemm.flops(), options, [&] {
    gemm.openblas(gemm.c.data());
    return std::string();
  });
  setCounters(state, shape);
}

void benchOnednn(benchmark::State &state, const GemmShape &shape,
                 const Options &options) {
  GemmCase &gemm = caseOf(shape);
  if (!gemm.onednnError) {
    try {
      gemm.onednnError = gemm.setUpOnednn(options);
    } catch (const dnnl::error &e) {
      gemm.onednnError = "gemm " + shapeName(shape) + ": oneDNN: " + e.what();
    }
  }
  if (!gemm.onednnError->empty())
    return fail(*gemm.onednnError, &state);
  state.SetLabel(std::string(shape.layer) + "; " + gemm.onednnImpl);
  settle(options, "onednn");
  timeRuns(state, gemm.flops(), options, [&] {
    gemm.onednn->execute(gemm.stream, gemm.onednnArgs);
    gemm.stream.wait();
    return std::string();
  });
  setCounters(state, shape);
}

void registerGemms(const Options &options) {
  using Bench =
      void (*)(benchmark::State &, const GemmShape &, const Options &);
  const std::pair<const char *, Bench> impls[] = {{"anvil", benchAnvil},
                                                  {"openblas", benchOpenblas},
                                                  {"onednn", benchOnednn}};
  for (const GemmShape &shape : kShapes) {
    for (const auto &[impl, bench] : impls) {
      benchmark::RegisterBenchmark(
          ("gemm/" + shapeName(shape) + "/" + impl).c_str(), bench, shape,
          options)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  return benchMain(argc, argv,
                   "fp32 GEMM C[M,N] = A[M,K] x B[K,N] (B constant): Anvil vs "
                   "OpenBLAS vs oneDNN.\nBenchmarks are named "
                   "gemm/MxKxN/{anvil,openblas,onednn}.",
                   registerGemms);
}

//===- AnvilModel.cpp - One-node ONNX models compiled by Anvil ------------===//

#include "bench/AnvilModel.h"

#include "bench/Harness.h"

#include "onnx/onnx_pb.h"

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>

extern char **environ;

namespace anvil::bench {
namespace {

void setShape(onnx::ValueInfoProto &value, const std::string &name,
              const std::vector<int64_t> &dims) {
  value.set_name(name);
  onnx::TypeProto_Tensor *tensor = value.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : dims)
    tensor->mutable_shape()->add_dim()->set_dim_value(dim);
}

int64_t elements(const std::vector<int64_t> &dims) {
  int64_t count = 1;
  for (int64_t dim : dims)
    count *= dim;
  return count;
}

// The last lines of a log, for an error message.
std::string tail(const std::string &path, size_t lines) {
  std::ifstream file(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(file, line);)
    all.push_back(line);
  std::string text;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size();
       ++i)
    text += "\n  " + all[i];
  return text.empty() ? " (none)" : text;
}

// Runs `argv` with stdout and stderr into `log`; returns an error message.
std::string runTool(const std::vector<std::string> &argv,
                    const std::string &log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char *> args;
  for (const std::string &arg : argv)
    args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int error =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error)
    return "cannot run " + argv[0] + ": " + std::strerror(error);
  int status;
  if (waitpid(pid, &status, 0) < 0)
    return "waiting for " + argv[0] + ": " + std::strerror(errno);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return "";
  std::ostringstream message;
  message << argv[0] << " " << argv[1] << " failed ("
          << (WIFEXITED(status) ? "exit status " : "signal ")
          << (WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status))
          << "); its last output lines (" << log << "):" << tail(log, 8);
  return message.str();
}

std::string statusError(const std::string &what, anvil_status_t status) {
  std::string message = what + ": " + anvil_status_message(status);
  anvil_status_free(status);
  return message;
}

} // namespace

std::vector<int64_t> toChannelsLast(const std::vector<int64_t> &nchw) {
  return {nchw[0], nchw[2], nchw[3], nchw[1]};
}

std::vector<float> transposeChannels(const float *data,
                                     const std::vector<int64_t> &dims,
                                     bool inverse) {
  int64_t n = dims[0], c = dims[1], hw = dims[2] * dims[3];
  std::vector<float> out(n * c * hw);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < hw; ++p) {
        int64_t nchw = (i * c + ch) * hw + p, nhwc = (i * hw + p) * c + ch;
        out[inverse ? nchw : nhwc] = data[inverse ? nhwc : nchw];
      }
  return out;
}

std::string writeOnnx(const OneNodeModel &model, const std::string &path) {
  onnx::ModelProto proto;
  proto.set_ir_version(8);
  proto.set_producer_name("anvil/bench");
  proto.add_opset_import()->set_version(17);
  onnx::GraphProto *graph = proto.mutable_graph();
  graph->set_name(model.opType);
  bool nhwc = model.channelsLast;
  setShape(*graph->add_input(), "x",
           nhwc ? toChannelsLast(model.inputDims) : model.inputDims);
  setShape(*graph->add_output(), "y",
           nhwc ? toChannelsLast(model.outputDims) : model.outputDims);
  auto transpose = [&](const char *from, const char *to,
                       std::vector<int64_t> perm) {
    onnx::NodeProto *t = graph->add_node();
    t->set_op_type("Transpose");
    t->set_name(to);
    t->add_input(from);
    t->add_output(to);
    onnx::AttributeProto *attribute = t->add_attribute();
    attribute->set_name("perm");
    attribute->set_type(onnx::AttributeProto::INTS);
    for (int64_t p : perm)
      attribute->add_ints(p);
  };
  if (nhwc)
    transpose("x", "x_nchw", {0, 3, 1, 2});

  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(model.opType);
  node->set_name(model.opType);
  node->add_input(nhwc ? "x_nchw" : "x");
  node->add_output(nhwc ? "y_nchw" : "y");
  for (const Constant &constant : model.constants) {
    node->add_input(constant.name);
    onnx::TensorProto *tensor = graph->add_initializer();
    tensor->set_name(constant.name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : constant.dims)
      tensor->add_dims(dim);
    tensor->set_raw_data(constant.data,
                         elements(constant.dims) * sizeof(float));
  }
  for (const auto &[name, value] : model.intAttributes) {
    onnx::AttributeProto *attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(value);
  }
  for (const auto &[name, values] : model.intsAttributes) {
    onnx::AttributeProto *attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INTS);
    for (int64_t value : values)
      attribute->add_ints(value);
  }

  if (nhwc)
    transpose("y_nchw", "y", {0, 2, 3, 1});

  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file || !proto.SerializeToOstream(&file) || !file.flush())
    return "cannot write " + path + ": " + std::strerror(errno);
  return "";
}

/// The symbol of the first kernel whose root op is a convolution or a matmul
/// in an anvil-compile --list-kernels document (each kernel's keys are
/// written sorted: "rootOp" comes before "symbol"); empty when none is.
static std::string mainKernelOf(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::string json = text.str();
  auto valueAt = [&](size_t at) {
    size_t begin = json.find('"', json.find(':', at) + 1);
    size_t end = begin == std::string::npos ? begin : json.find('"', begin + 1);
    return end == std::string::npos ? std::string()
                                    : json.substr(begin + 1, end - begin - 1);
  };
  for (size_t at = json.find("\"rootOp\""); at != std::string::npos;
       at = json.find("\"rootOp\"", at + 1)) {
    std::string root = valueAt(at);
    if (root.rfind("linalg.conv", 0) != 0 &&
        root.rfind("linalg.depthwise_conv", 0) != 0 && root != "linalg.matmul")
      continue;
    size_t symbol = json.find("\"symbol\"", at);
    return symbol == std::string::npos ? std::string() : valueAt(symbol);
  }
  return "";
}

std::string AnvilKernel::create(const OneNodeModel &model,
                                const std::string &name, const Options &options,
                                std::unique_ptr<AnvilKernel> &out) {
  std::string base = options.workDir + "/" + name;
  if (std::string error = writeOnnx(model, base + ".onnx"); !error.empty())
    return error;

  std::unique_ptr<AnvilKernel> kernel(new AnvilKernel());
  auto start = std::chrono::steady_clock::now();
  if (std::string error =
          runTool({options.anvilCompile, base + ".onnx", "-o", base + ".so",
                   "--list-kernels=" + base + ".kernels.json"},
                  base + ".log");
      !error.empty())
    return error;
  kernel->compileSeconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  kernel->mainKernel_ = mainKernelOf(base + ".kernels.json");

  if (anvil_status_t status =
          anvil_model_load((base + ".so").c_str(), &kernel->model_))
    return statusError("loading " + base + ".so", status);
  anvil_session_options_t sessionOptions;
  anvil_session_options_init(&sessionOptions);
  sessionOptions.num_threads = options.threads;
  if (anvil_status_t status = anvil_session_create(
          kernel->model_, &sessionOptions, &kernel->session_))
    return statusError("creating a session of " + base + ".so", status);

  anvil_tensor_t &input = kernel->input_;
  input.dtype = ANVIL_DTYPE_F32;
  std::vector<int64_t> inputDims =
      model.channelsLast ? toChannelsLast(model.inputDims) : model.inputDims;
  input.rank = static_cast<int32_t>(inputDims.size());
  for (size_t d = 0; d < inputDims.size(); ++d)
    input.dims[d] = inputDims[d];
  input.byte_size = elements(inputDims) * sizeof(float);
  anvil_tensor_t &output = kernel->output_;
  if (anvil_status_t status =
          anvil_model_output_shapes(kernel->model_, &input, 1, &output, 1))
    return statusError(base + ".so", status);
  if (output.byte_size != elements(model.outputDims) * sizeof(float))
    return base + ".so: the output has " + std::to_string(output.byte_size) +
           " bytes, expected " +
           std::to_string(elements(model.outputDims) * sizeof(float));
  out = std::move(kernel);
  return "";
}

AnvilKernel::~AnvilKernel() {
  anvil_session_release(session_);
  anvil_model_release(model_);
}

std::string AnvilKernel::run(const float *input, float *output) {
  input_.data = const_cast<float *>(input);
  output_.data = output;
  if (anvil_status_t status =
          anvil_session_run(session_, &input_, 1, &output_, 1))
    return statusError("running the Anvil artifact", status);
  return "";
}

std::string AnvilKernel::mainKernelNs(const float *input, float *output,
                                      int runs, double &ns) {
  if (mainKernel_.empty())
    return "no convolution or matmul kernel in the model's kernel list";
  if (anvil_status_t status = anvil_session_set_profiling(session_, 1))
    return statusError("profiling the Anvil artifact", status);
  for (int r = 0; r < runs; ++r)
    if (std::string error = run(input, output); !error.empty())
      return error;
  if (anvil_status_t status = anvil_session_set_profiling(session_, 0))
    return statusError("profiling the Anvil artifact", status);
  size_t steps = 0;
  if (anvil_status_t status = anvil_session_num_steps(session_, &steps))
    return statusError("profiling the Anvil artifact", status);
  uint64_t total = 0, timed = 0;
  for (size_t step = 0; step < steps; ++step) {
    anvil_step_profile_t profile;
    if (anvil_status_t status =
            anvil_session_step_profile(session_, step, &profile))
      return statusError("profiling the Anvil artifact", status);
    if (profile.name && mainKernel_ == profile.name) {
      total += profile.total_ns;
      timed += profile.runs;
    }
  }
  if (timed == 0)
    return "the profile has no step of " + mainKernel_;
  ns = static_cast<double>(total) / runs;
  return "";
}

} // namespace anvil::bench

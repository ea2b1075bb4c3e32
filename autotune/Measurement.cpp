//===- Measurement.cpp - Timing a variant through the runtime -------------===//
#include "autotune/Measurement.h"
#include "autotune/SearchStrategy.h"

#include "anvil/runtime.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <new>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace anvil::autotune;

bool anvil::autotune::canFlushCaches() {
  return anvil_can_evict_from_caches() != 0;
}

void anvil::autotune::flushFromCaches(const void *begin, size_t size) {
  // Fails only where canFlushCaches() is false: then a no-op.
  anvil_status_free(anvil_evict_from_caches(begin, size));
}

Summary anvil::autotune::summarize(std::vector<double> samples) {
  Summary s;
  if (samples.empty())
    return s;
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  if (n < 3) {
    s.low = samples.front();
    s.high = samples.back();
    return s;
  }
  // Ranks n/2 -+ 1.96 sqrt(n)/2 (1-based) bound the median with 95%
  // confidence.
  double half = 1.96 * std::sqrt((double)n) / 2;
  long lo = (long)std::floor((double)n / 2 - half);
  long hi = (long)std::ceil((double)n / 2 + half);
  s.low = samples[(size_t)std::clamp<long>(lo - 1, 0, (long)n - 1)];
  s.high = samples[(size_t)std::clamp<long>(hi - 1, 0, (long)n - 1)];
  return s;
}

std::string anvil::autotune::takeStatus(anvil_status_t st) {
  if (!st)
    return "";
  std::string message = anvil_status_message(st);
  anvil_status_free(st);
  return message.empty() ? "failed" : message;
}

void anvil::autotune::fillDeterministic(char *bytes, size_t byteSize, int dtype,
                                        Random &random) {
  size_t size = anvil_dtype_size((anvil_dtype_t)dtype);
  if (size == 0)
    return;
  size_t n = byteSize / size;
  for (size_t i = 0; i < n; ++i) {
    char *at = bytes + i * size;
    double v = random.unit() * 2 - 1;
    switch (dtype) {
    case ANVIL_DTYPE_F32: {
      float f = (float)v;
      std::memcpy(at, &f, 4);
      break;
    }
    case ANVIL_DTYPE_F64:
      std::memcpy(at, &v, 8);
      break;
    case ANVIL_DTYPE_F16:
    case ANVIL_DTYPE_BF16: {
      // Small exact values: 0, +-0.5, +-1 (the same bits as f32's top half
      // for bf16; f16 spelled out).
      static const uint16_t bf16[] = {0x0000, 0x3f00, 0xbf00, 0x3f80, 0xbf80};
      static const uint16_t f16[] = {0x0000, 0x3800, 0xb800, 0x3c00, 0xbc00};
      uint16_t h = (dtype == ANVIL_DTYPE_F16 ? f16 : bf16)[random.below(5)];
      std::memcpy(at, &h, 2);
      break;
    }
    default:
      std::memset(at, 0, size);
      at[0] = (char)random.below(2);
      break;
    }
  }
}

namespace {

bool isFloat(int dtype) {
  return dtype == ANVIL_DTYPE_F32 || dtype == ANVIL_DTYPE_F64;
}

double element(const std::vector<char> &bytes, int dtype, size_t i) {
  if (dtype == ANVIL_DTYPE_F32) {
    float f;
    std::memcpy(&f, bytes.data() + 4 * i, 4);
    return f;
  }
  double d;
  std::memcpy(&d, bytes.data() + 8 * i, 8);
  return d;
}

} // namespace

/// An artifact loaded with a session and its run's tensors.
class Measurer::Loaded {
public:
  ~Loaded() {
    anvil_session_release(session);
    anvil_model_release(model);
  }
  /// Runs once; `ns` gets the run's time. The outputs start from their
  /// initial bytes on the first run only: a kernel's standalone model seeds
  /// every buffer its kernel reads before writing (KernelVariant.h), so later
  /// runs compute the same. Restoring them before every run, as this did
  /// until codegen revision 8, left them in the measuring thread's cache:
  /// one-workgroup configs of elementwise kernels then ran 1.3-2.7x faster
  /// alone, and 1.5-1.7x slower in the model.
  /// `cores` gets the cores the run used: the CPU time of the threads of
  /// `clocks` (threadCpuClocks()) over the wall time (on a host that gives the
  /// process one core, at most 1).
  std::string run(double *ns, double *cores = nullptr,
                  const std::vector<clockid_t> *clocks = nullptr) {
    for (size_t i = 0; i < out.size(); ++i) {
      if (!restored)
        std::memcpy(results[i].data(), (*initial)[i].bytes.data(),
                    results[i].size());
      out[i] = {};
      out[i].data = results[i].data();
      out[i].byte_size = results[i].size();
    }
    restored = true;
    if (coldWeights && weightsSize)
      flushFromCaches(weights, weightsSize);
    // The CPU time is read outside the timed span, and divided by the wall
    // time from before its first read to after its last.
    auto outerStart = std::chrono::steady_clock::now();
    double cpuStart = cores ? threadsCpuNs(*clocks) : 0;
    auto start = std::chrono::steady_clock::now();
    std::string e = takeStatus(anvil_session_run(session, in.data(), in.size(),
                                                 out.data(), out.size()));
    auto end = std::chrono::steady_clock::now();
    if (ns)
      *ns = std::chrono::duration<double, std::nano>(end - start).count();
    if (cores) {
      double cpu = threadsCpuNs(*clocks) - cpuStart;
      double outer = std::chrono::duration<double, std::nano>(
                         std::chrono::steady_clock::now() - outerStart)
                         .count();
      *cores = cpu / std::max(outer, 1.0);
    }
    return e;
  }

  anvil_model_t *model = nullptr;
  anvil_session_t *session = nullptr;
  std::vector<anvil_tensor_t> in, out;
  std::vector<TensorBytes> results;
  bool restored = false;
  const std::vector<Buffer> *initial = nullptr;
  /// The artifact's weights (anvil_model_weights), flushed from the caches
  /// before every run when coldWeights is set.
  const char *weights = nullptr;
  size_t weightsSize = 0;
  bool coldWeights = false;
};

// The process clock (CLOCK_PROCESS_CPUTIME_ID) would not do: it
// adds a thread running on another core only as of that core's last tick
// (up to 4 ms late), longer than many runs; a thread's own clock is read up
// to date. The ids are Linux's per-thread scheduler clocks, as glibc's
// pthread_getcpuclockid makes them, for the tids in /proc/self/task.
std::vector<clockid_t> anvil::autotune::threadCpuClocks() {
  std::vector<clockid_t> clocks;
  DIR *dir = opendir("/proc/self/task");
  if (!dir)
    return clocks;
  while (dirent *entry = readdir(dir)) {
    char *end = nullptr;
    long tid = std::strtol(entry->d_name, &end, 10);
    if (tid > 0 && *end == 0)
      clocks.push_back(clockid_t((~(unsigned)tid << 3) | 6));
  }
  closedir(dir);
  return clocks;
}

double anvil::autotune::threadsCpuNs(const std::vector<clockid_t> &clocks) {
  double sum = 0;
  for (clockid_t clock : clocks) {
    timespec ts{};
    if (clock_gettime(clock, &ts) == 0)
      sum += double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
  }
  return sum;
}

CacheProbe anvil::autotune::probeCache(uint64_t bytes) {
  CacheProbe probe;
  uint64_t lines = std::min(bytes, kMaxCacheProbeBytes) / 64;
  if (lines < 2 || !canFlushCaches())
    return probe;
  probe.bytes = lines * 64;
  struct alignas(64) Line {
    uint64_t next;
    char pad[56];
  };
  std::unique_ptr<Line[]> buffer(new (std::nothrow) Line[lines]);
  std::unique_ptr<uint64_t[]> order(new (std::nothrow) uint64_t[lines]);
  if (!buffer || !order)
    return {};
  // One cycle through every line in a random order (Sattolo's shuffle), so
  // that neither the prefetchers nor a line's neighbours help a read.
  for (uint64_t i = 0; i < lines; ++i)
    order[i] = i;
  Random random(0x5eed);
  for (uint64_t i = lines - 1; i > 0; --i)
    std::swap(order[i], order[random.below(i)]);
  for (uint64_t i = 0; i < lines; ++i)
    buffer[order[i]].next = order[(i + 1) % lines];
  uint64_t first = order[0];
  order.reset();
  uint64_t steps = std::min<uint64_t>(lines, 200000);
  volatile uint64_t sink = 0;
  auto walk = [&](uint64_t n) {
    uint64_t at = first;
    auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i)
      at = buffer[at].next;
    auto end = std::chrono::steady_clock::now();
    sink = at;
    return std::chrono::duration<double, std::nano>(end - start).count() /
           double(n);
  };
  double warm = 1e30, cold = 1e30;
  for (int round = 0; round < 2; ++round) {
    walk(lines);
    warm = std::min(warm, walk(steps));
    flushFromCaches(buffer.get(), lines * 64);
    cold = std::min(cold, walk(steps));
  }
  (void)sink;
  probe.warmNs = warm;
  probe.coldNs = cold;
  return probe;
}

Measurer::Measurer(MeasureOptions options) : options(options) {}
Measurer::~Measurer() = default;

std::string Measurer::load(const std::string &path, Loaded &loaded) {
  if (std::string e = takeStatus(anvil_model_load(path.c_str(), &loaded.model));
      !e.empty())
    return e;
  anvil_model_t *model = loaded.model;
  const void *weights = nullptr;
  if (std::string e =
          takeStatus(anvil_model_weights(model, &weights, &loaded.weightsSize));
      !e.empty())
    return e;
  loaded.weights = static_cast<const char *>(weights);
  loaded.coldWeights = options.coldWeights;
  size_t numInputs = 0, numOutputs = 0;
  if (std::string e = takeStatus(anvil_model_num_inputs(model, &numInputs));
      !e.empty())
    return e;
  if (std::string e = takeStatus(anvil_model_num_outputs(model, &numOutputs));
      !e.empty())
    return e;
  if (!prepared) {
    Random random(options.seed);
    std::vector<anvil_tensor_t> shapes(numInputs);
    for (size_t i = 0; i < numInputs; ++i) {
      anvil_tensor_info_t info;
      if (std::string e = takeStatus(anvil_model_input_info(model, i, &info));
          !e.empty())
        return e;
      Buffer b;
      b.dtype = info.dtype;
      b.rank = info.rank;
      size_t elements = 1;
      for (int d = 0; d < info.rank; ++d) {
        b.dims[d] = std::max<int64_t>(info.dims[d], 1);
        elements *= (size_t)b.dims[d];
      }
      b.bytes.resize(elements * anvil_dtype_size(info.dtype));
      fillDeterministic(b.bytes.data(), b.bytes.size(), b.dtype, random);
      inputs.push_back(std::move(b));
      anvil_tensor_t &t = shapes[i];
      t = {};
      t.dtype = info.dtype;
      t.rank = info.rank;
      std::copy(inputs.back().dims, inputs.back().dims + info.rank, t.dims);
    }
    std::vector<anvil_tensor_t> outs(numOutputs);
    if (std::string e = takeStatus(anvil_model_output_shapes(
            model, shapes.data(), numInputs, outs.data(), numOutputs));
        !e.empty())
      return e;
    for (const anvil_tensor_t &t : outs) {
      Buffer b;
      b.dtype = t.dtype;
      b.rank = t.rank;
      std::copy(t.dims, t.dims + t.rank, b.dims);
      b.bytes.resize(t.byte_size);
      fillDeterministic(b.bytes.data(), b.bytes.size(), b.dtype, random);
      outputsInitial.push_back(std::move(b));
    }
    prepared = true;
  }
  if (numInputs != inputs.size() || numOutputs != outputsInitial.size())
    return "the variant's inputs or outputs differ from the default's";
  anvil_session_options_t sessionOptions;
  anvil_session_options_init(&sessionOptions);
  sessionOptions.num_threads = options.threads;
  if (std::string e = takeStatus(
          anvil_session_create(model, &sessionOptions, &loaded.session));
      !e.empty())
    return e;
  loaded.in.resize(numInputs);
  for (size_t i = 0; i < numInputs; ++i) {
    Buffer &b = inputs[i];
    anvil_tensor_t &t = loaded.in[i];
    t = {};
    t.data = b.bytes.data();
    t.byte_size = b.bytes.size();
    t.dtype = (anvil_dtype_t)b.dtype;
    t.rank = b.rank;
    std::copy(b.dims, b.dims + b.rank, t.dims);
  }
  loaded.out.resize(numOutputs);
  loaded.results.resize(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i)
    loaded.results[i].resize(outputsInitial[i].bytes.size());
  loaded.initial = &outputsInitial;
  return "";
}

Measurement Measurer::finish(Loaded &loaded, Measurement m) {
  anvil_memory_info_t memory;
  if (takeStatus(anvil_session_memory_info(loaded.session, &memory)).empty()) {
    m.arenaBytes = memory.arena_bytes;
    m.weightsBytes = memory.weights_bytes;
  }
  m.flushedBytes = loaded.coldWeights ? loaded.weightsSize : 0;
  m.ok = true;
  for (const TensorBytes &r : loaded.results)
    m.outputs.emplace_back(r.begin(), r.end());
  for (const Buffer &b : outputsInitial)
    m.outputTypes.push_back(b.dtype);
  return m;
}

namespace {
Measurement unmeasured(const std::string &why) {
  Measurement m;
  m.error = why;
  return m;
}
} // namespace

std::string Measurer::loadAndWarmUp(const std::string &path, Loaded &loaded) {
  if (std::string e = load(path, loaded); !e.empty())
    return e;
  for (int i = 0; i < options.warmupRuns; ++i)
    if (std::string e = loaded.run(nullptr); !e.empty())
      return e;
  return "";
}

Measurement Measurer::measureReference(const std::string &path) {
  reference.reset();
  auto loaded = std::make_unique<Loaded>();
  if (std::string e = loadAndWarmUp(path, *loaded); !e.empty())
    return unmeasured(e);
  std::vector<double> samples, cores;
  std::vector<clockid_t> clocks = threadCpuClocks();
  double total = 0;
  while ((int)samples.size() < options.maxRepeats) {
    double ns = 0, used = 0;
    if (std::string e = loaded->run(&ns, &used, &clocks); !e.empty())
      return unmeasured(e);
    samples.push_back(ns);
    cores.push_back(used);
    total += ns;
    if ((int)samples.size() >= options.minRepeats &&
        total >= options.targetSeconds * 1e9)
      break;
  }
  Measurement m;
  m.timeNs = summarize(samples);
  m.repeats = (int)samples.size();
  m.referenceCores = summarize(cores).median;
  expectedCores = options.referenceCoresForTesting > 0
                      ? options.referenceCoresForTesting
                      : m.referenceCores;
  m = finish(*loaded, std::move(m));
  reference = std::move(loaded);
  referencePath = path;
  return m;
}

std::string Measurer::loadReference(const std::string &path) {
  reference.reset();
  auto loaded = std::make_unique<Loaded>();
  if (std::string e = loadAndWarmUp(path, *loaded); !e.empty())
    return e;
  reference = std::move(loaded);
  return "";
}

Measurement Measurer::measurePaired(const std::string &path, double referenceNs,
                                    double seconds) {
  if (!reference)
    return unmeasured("no reference to measure against");
  Measurement m = options.isolate
                      ? measureIsolated(path, referenceNs, seconds)
                      : measurePairedHere(path, referenceNs, seconds);
  // A measurement in which the reference used more cores than any before
  // shows what it can use (measureReference may have fallen in a spell).
  if (m.ok && !m.contended && options.referenceCoresForTesting <= 0)
    expectedCores = std::max(expectedCores, m.referenceCores);
  return m;
}

namespace {

/// A Measurement as bytes, through the pipe from an isolated child.
std::string serialize(const Measurement &m) {
  ByteWriter w;
  w.u64(m.ok);
  w.blob(m.error);
  for (const Summary *s : {&m.timeNs, &m.ratio})
    for (double v : {s->median, s->low, s->high})
      w.f64(v);
  w.u64((uint64_t)m.repeats);
  w.u64(m.arenaBytes);
  w.u64(m.weightsBytes);
  w.u64(m.flushedBytes);
  w.f64(m.referenceCores);
  w.u64((uint64_t)m.droppedPairs);
  w.u64(m.contended);
  w.u64(m.outputs.size());
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    w.u64((uint64_t)m.outputTypes[i]);
    w.blob(m.outputs[i]);
  }
  return std::move(w.bytes);
}

/// Reads what serialize wrote; false when `in` is cut short.
bool deserialize(const std::string &in, Measurement &m) {
  ByteReader r{in};
  m.ok = r.u64();
  m.error = r.text();
  for (Summary *s : {&m.timeNs, &m.ratio})
    for (double *v : {&s->median, &s->low, &s->high})
      *v = r.f64();
  m.repeats = (int)r.u64();
  m.arenaBytes = r.u64();
  m.weightsBytes = r.u64();
  m.flushedBytes = r.u64();
  m.referenceCores = r.f64();
  m.droppedPairs = (int)r.u64();
  m.contended = r.u64();
  uint64_t outputs = r.count();
  for (uint64_t i = 0; i < outputs && r.ok; ++i) {
    m.outputTypes.push_back((int)r.u64());
    m.outputs.push_back(r.blob());
  }
  return r.done();
}

} // namespace

void ByteReader::take(void *to, size_t n) {
  if (!ok || n > bytes.size() - at) {
    ok = false;
    std::memset(to, 0, n);
    return;
  }
  std::memcpy(to, bytes.data() + at, n);
  at += n;
}

uint64_t ByteReader::u64() {
  uint64_t v = 0;
  take(&v, sizeof v);
  return v;
}

double ByteReader::f64() {
  double v = 0;
  take(&v, sizeof v);
  return v;
}

uint64_t ByteReader::count() {
  uint64_t n = u64();
  if (n > bytes.size() - at) {
    ok = false;
    return 0;
  }
  return n;
}

std::vector<char> ByteReader::blob() {
  uint64_t n = count();
  if (!ok)
    return {};
  std::vector<char> b(bytes.data() + at, bytes.data() + at + n);
  at += n;
  return b;
}

std::string ByteReader::text() {
  std::vector<char> b = blob();
  return std::string(b.begin(), b.end());
}

bool anvil::autotune::runIsolated(const std::function<std::string()> &work,
                                  double timeoutSeconds, std::string &bytes,
                                  std::string &error) {
  bytes.clear();
  int fds[2];
  if (pipe(fds) != 0) {
    error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    error = std::string("cannot fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    std::string out = work();
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0)
        _exit(2);
      done += (size_t)n;
    }
    _exit(0);
  }
  close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration<double>(timeoutSeconds);
  bool timedOut = false;
  for (;;) {
    double left = std::chrono::duration<double, std::milli>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    int ready = poll(&p, 1, (int)std::min(left, 1000.0));
    if (ready < 0 && errno != EINTR)
      break;
    if (ready <= 0)
      continue;
    char buffer[1 << 16];
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    bytes.append(buffer, (size_t)n);
  }
  close(fds[0]);
  if (timedOut)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (timedOut) {
    char text[96];
    std::snprintf(text, sizeof text,
                  "killed after %.0f s (a variant that does not finish)",
                  timeoutSeconds);
    error = text;
    return false;
  }
  if (WIFSIGNALED(status)) {
    error = std::string("the variant crashed (") + strsignal(WTERMSIG(status)) +
            ")";
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "the measuring process failed";
    return false;
  }
  return true;
}

Measurement Measurer::measureIsolated(const std::string &path,
                                      double referenceNs, double seconds) {
  bool crash = crashNext;
  crashNext = false;
  std::string bytes, error;
  bool ran = runIsolated(
      [&] {
        // The child: the parent's session threads do not exist here, so its
        // reference is abandoned (never released) and loaded afresh.
        reference.release();
        Measurement m;
        if (std::string e = loadReference(referencePath); !e.empty()) {
          m = unmeasured("the reference failed: " + e);
        } else {
          if (crash)
            std::raise(SIGSEGV);
          m = measurePairedHere(path, referenceNs, seconds);
        }
        return serialize(m);
      },
      options.timeoutSeconds, bytes, error);
  if (!ran)
    return unmeasured(error);
  Measurement m;
  if (!deserialize(bytes, m))
    return unmeasured("the measuring process failed");
  return m;
}

Measurement Measurer::measurePairedHere(const std::string &path,
                                        double referenceNs, double seconds) {
  Loaded loaded;
  if (std::string e = loadAndWarmUp(path, loaded); !e.empty())
    return unmeasured(e);
  if (seconds <= 0)
    seconds = options.targetSeconds;
  // Pairs whose reference run got fewer cores than this are dropped (none
  // when the reference does not use several).
  double threshold =
      expectedCores >= kParallelCores ? kContendedFraction * expectedCores : 0;
  std::vector<double> ratios, all, cores;
  std::vector<clockid_t> clocks = threadCpuClocks();
  double total = 0, kept = 0;
  int tried = 0, maxTried = options.maxRepeats * (int)kContendedPatience;
  bool contended = false;
  while ((int)ratios.size() < options.maxRepeats) {
    double ns[2] = {0, 0}; // reference, candidate
    double used = 0;       // the reference run's cores
    bool referenceFirst = tried % 2 == 0;
    for (int side = 0; side < 2; ++side) {
      bool isReference = (side == 0) == referenceFirst;
      std::string e = isReference ? reference->run(&ns[0], &used, &clocks)
                                  : loaded.run(&ns[1]);
      if (!e.empty())
        return unmeasured(isReference ? "the reference failed: " + e : e);
    }
    ++tried;
    double ratio = ns[1] / std::max(ns[0], 1.0);
    all.push_back(ratio);
    cores.push_back(used);
    total += ns[0] + ns[1];
    if (used >= threshold) {
      ratios.push_back(ratio);
      kept += ns[0] + ns[1];
    }
    if ((int)ratios.size() >= options.minRepeats && kept >= seconds * 1e9)
      break;
    // Too long in a spell: the result comes from every pair, marked.
    if ((int)all.size() >= options.minRepeats &&
        (total >= kContendedPatience * seconds * 1e9 || tried >= maxTried)) {
      contended = (int)ratios.size() < options.minRepeats;
      break;
    }
  }
  Measurement m;
  m.ratio = summarize(contended ? all : ratios);
  m.timeNs = {m.ratio.median * referenceNs, m.ratio.low * referenceNs,
              m.ratio.high * referenceNs};
  m.repeats = int(contended ? all.size() : ratios.size());
  m.referenceCores = summarize(cores).median;
  m.droppedPairs = int(all.size() - ratios.size());
  m.contended = contended;
  return finish(loaded, std::move(m));
}

bool anvil::autotune::outputsMatch(const Measurement &reference,
                                   const Measurement &candidate, double relTol,
                                   std::string &why) {
  if (reference.outputs.size() != candidate.outputs.size()) {
    why = "a different number of outputs";
    return false;
  }
  for (size_t o = 0; o < reference.outputs.size(); ++o) {
    const std::vector<char> &r = reference.outputs[o],
                            &c = candidate.outputs[o];
    int dtype = reference.outputTypes[o];
    if (r.size() != c.size()) {
      why = "output " + std::to_string(o) + " has another size";
      return false;
    }
    if (!isFloat(dtype)) {
      if (r != c) {
        why = "output " + std::to_string(o) + " differs";
        return false;
      }
      continue;
    }
    size_t n = r.size() / anvil_dtype_size((anvil_dtype_t)dtype);
    double scale = 0;
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(element(r, dtype, i)))
        scale = std::max(scale, std::fabs(element(r, dtype, i)));
    double tolerance = relTol * std::max(scale, 1e-30);
    for (size_t i = 0; i < n; ++i) {
      double a = element(r, dtype, i), b = element(c, dtype, i);
      bool same = std::isnan(a)   ? std::isnan(b)
                  : std::isinf(a) ? a == b
                                  : std::fabs(a - b) <= tolerance;
      if (!same) {
        char text[160];
        std::snprintf(text, sizeof text,
                      "output %zu element %zu is %g, expected %g (tolerance "
                      "%g)",
                      o, i, b, a, tolerance);
        why = text;
        return false;
      }
    }
  }
  return true;
}

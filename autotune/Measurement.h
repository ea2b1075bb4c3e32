//===- Measurement.h - Timing a variant through the runtime ------*- C++
//-*-===//
//
// A variant is measured the way a user runs it: loaded with anvil_model_load,
// run in a session of the tuning thread count with anvil_session_run. Inputs
// are deterministic random values (the same for every variant of a kernel);
// the outputs' initial bytes are too, set before the first run (the
// standalone model seeds what its kernel reads before writing, so each run
// computes the same). After warm-up runs, timed runs give a median and a 95%
// confidence interval of the median from order statistics.
//
// On a shared machine a slow or fast spell lasts longer than one variant's
// measurement, so times measured one after the other are not comparable to a
// few percent. A paired measurement runs a variant in alternation with a
// reference kept loaded (the default config), run for run, and gives the
// median of the per-pair ratios: a spell falls on both sides of every pair.
//
// A spell in which the host gives the process fewer cores than its threads
// is one that pairing cannot cancel: a config that runs on one workgroup then
// looks as fast as a default that runs on two (the default's second
// workgroup waits for the same core), and is 2x slower once the cores are
// back. Each run's cores (its threads' CPU time over wall time) show such a
// spell: when the reference's runs used at least kParallelCores, a pair whose
// reference run got under kContendedFraction of that is dropped, and a
// measurement with too few pairs left is marked contended.
//
// A model whose weights outgrow the caches finds each kernel's weights far
// away on every run; alone, a kernel's previous run left them close. With
// MeasureOptions::coldWeights the artifact's weights are flushed from the
// caches before every run (outside the timed span); probeCache tells whether
// a model's weights stay cached from one run to the next.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_MEASUREMENT_H
#define ANVIL_AUTOTUNE_MEASUREMENT_H

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

/// The runtime's status (anvil/runtime.h's anvil_status_t points to one).
struct anvil_status;

namespace anvil::autotune {

struct MeasureOptions {
  int threads = 0; ///< Session threads; 0: the online cores.
  int warmupRuns = 2;
  int minRepeats = 10;
  int maxRepeats = 200;
  /// Timed runs stop once they took this long (and minRepeats ran).
  double targetSeconds = 0.15;
  uint64_t seed = 1;
  /// Paired measurements run in a child process (fork): a variant that
  /// crashes or hangs (a code generator bug) fails its trial instead of
  /// taking the tuner with it.
  bool isolate = false;
  /// An isolated measurement that takes longer than this is killed.
  double timeoutSeconds = 120;
  /// Testing only: the cores the reference's runs are taken to use, whatever
  /// they measure (0: as measured). Pairs whose reference run got under
  /// kContendedFraction of it are dropped when it is at least kParallelCores:
  /// a large value makes every pair contended, 1 none (tests whose output must
  /// not depend on how busy the host is).
  double referenceCoresForTesting = 0;
  /// Before every run, flush the artifact's weights from the caches: a
  /// kernel then reads them from memory, as it does inside a model whose
  /// weights are evicted between its runs by the rest of the model.
  bool coldWeights = false;
};

/// A std::allocator whose blocks are 64-byte aligned (a cache line, an
/// AVX-512 vector), as the runtime's arena places every tensor.
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(
        ::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T *p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <typename U> bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};
/// The bytes of a tensor the tuner gives the runtime. malloc's large blocks
/// start 16 bytes into a page, so every 64-byte vector load and store of a
/// std::vector<char>'s tensor straddled two cache lines, which no tensor of
/// the arena does.
using TensorBytes = std::vector<char, CacheLineAllocator<char>>;

/// What probeCache measured: the time of one dependent read of a random cache
/// line of a buffer read whole just before (warm), and of one flushed from
/// the caches (cold); both 0 where nothing was measured.
struct CacheProbe {
  uint64_t bytes = 0; ///< The buffer probed.
  double warmNs = 0, coldNs = 0;
  /// warmNs / coldNs: near 1 when a pass over `bytes` does not leave them
  /// cached for the next pass.
  double ratio() const { return coldNs > 0 ? warmNs / coldNs : 0; }
};

/// Whether `bytes` of data read in one pass are still cached when the next
/// pass comes around (as a model's weights are from one run to the next):
/// a buffer of that size (at most kMaxCacheProbeBytes) is linked into one
/// random cycle of its cache lines and read whole; then the first lines of
/// the cycle (the longest since they were read) are timed, and timed again
/// once flushed; the least of two rounds each. Needs canFlushCaches().
CacheProbe probeCache(uint64_t bytes);
constexpr uint64_t kMaxCacheProbeBytes = uint64_t(256) << 20;

/// Whether flushFromCaches does anything on this machine (x86-64: yes).
bool canFlushCaches();
/// Writes back and evicts the cache lines of [begin, begin + size) from every
/// level of the cache hierarchy (the runtime's anvil_evict_from_caches:
/// clflushopt where the CPU has it, else clflush); a no-op where
/// canFlushCaches() is false.
void flushFromCaches(const void *begin, size_t size);

/// The median of `samples` and its 95% confidence interval (the order
/// statistics around the median that cover it with 95% probability, by the
/// normal approximation of the binomial); all equal for fewer than 3 samples.
struct Summary {
  double median = 0, low = 0, high = 0;
};
Summary summarize(std::vector<double> samples);

struct Measurement {
  bool ok = false;
  std::string error; ///< Why it failed to load or run.
  Summary timeNs;
  int repeats = 0;
  /// Paired measurements: the median of candidate / reference time over the
  /// pairs and its confidence interval (timeNs is these times the
  /// reference's time given to measurePaired).
  Summary ratio;
  uint64_t arenaBytes = 0;
  /// The artifact's weights, and the bytes of them flushed from the caches
  /// before every run (all of them with MeasureOptions::coldWeights, else 0).
  uint64_t weightsBytes = 0, flushedBytes = 0;
  /// Each output's bytes after a run, and its element type (runtime dtype).
  std::vector<std::vector<char>> outputs;
  std::vector<int> outputTypes;
  /// The cores the reference's runs used (median of process CPU time over
  /// wall time per run), over all of this measurement's pairs.
  double referenceCores = 0;
  /// Paired measurements: the pairs dropped because the reference's run got
  /// too few cores, and whether so many were that the result comes from all
  /// pairs, dropped ones included (then it is not to be trusted).
  int droppedPairs = 0;
  bool contended = false;
};

/// A reference whose runs use at least this many cores is watched for spells
/// with fewer; one that uses fewer (one workgroup, one thread) is not.
constexpr double kParallelCores = 1.5;
/// A pair whose reference run got less than this fraction of the reference's
/// usual cores is dropped.
constexpr double kContendedFraction = 0.75;
/// A paired measurement that has not got its pairs after this many times its
/// target time gives up on dropping pairs and is marked contended.
constexpr double kContendedPatience = 4;

/// Measures artifacts that share one set of inputs and outputs (the variants
/// of one kernel): the buffers are made from the first artifact measured.
class Measurer {
public:
  explicit Measurer(MeasureOptions options);
  ~Measurer();
  /// Loads and times the artifact at `path` (warm-up runs, then timed runs
  /// until the target time and minRepeats), and keeps it loaded as the
  /// reference of measurePaired; the cores its runs used become
  /// referenceCores().
  Measurement measureReference(const std::string &path);
  /// Loads the artifact at `path` and times it run for run in alternation
  /// with the reference (reference first in even pairs, last in odd ones),
  /// for at least `seconds` (0: the options' target) of both sides' runs and
  /// minRepeats pairs (at most maxRepeats). The result's ratio is the median
  /// of the pairs' candidate / reference times; its timeNs that ratio times
  /// `referenceNs`, so that every variant of a kernel is on the scale of one
  /// measurement of the reference. Pairs whose reference run got too few
  /// cores are dropped and do not count (see the file comment).
  Measurement measurePaired(const std::string &path, double referenceNs,
                            double seconds = 0);
  double targetSeconds() const { return options.targetSeconds; }
  /// The cores the reference's runs use when the host lets them (the most
  /// of the medians seen), the yardstick for dropping pairs; 0 before
  /// measureReference.
  double referenceCores() const { return expectedCores; }

  /// Testing only: the next isolated measurement's child crashes (SIGSEGV)
  /// once it has loaded the variant.
  void crashNextForTesting() { crashNext = true; }

private:
  struct Buffer {
    TensorBytes bytes;
    int dtype = 0, rank = 0;
    int64_t dims[8] = {};
  };
  class Loaded;

  MeasureOptions options;
  bool prepared = false;
  std::vector<Buffer> inputs, outputsInitial;
  std::unique_ptr<Loaded> reference;
  std::string referencePath;
  bool crashNext = false;
  double expectedCores = 0;
  Measurement measurePairedHere(const std::string &path, double referenceNs,
                                double seconds);
  Measurement measureIsolated(const std::string &path, double referenceNs,
                              double seconds);
  /// Loads `path` into `loaded`, making the buffers from it the first time.
  std::string load(const std::string &path, Loaded &loaded);
  /// load, then the options' warm-up runs.
  std::string loadAndWarmUp(const std::string &path, Loaded &loaded);
  /// Loads `path` as the reference without timing it (an isolated child's
  /// own copy of it).
  std::string loadReference(const std::string &path);
  /// `m` completed from `loaded`'s session and a copy of its outputs.
  Measurement finish(Loaded &loaded, Measurement m);
};

/// The CPU-time clocks of the process's threads, sessions' threads included
/// (load the sessions first).
std::vector<clockid_t> threadCpuClocks();
/// The CPU time of the threads of `clocks` in nanoseconds, up to date also
/// for threads running on other cores (a thread that ended counts no more).
double threadsCpuNs(const std::vector<clockid_t> &clocks);

class Random;

/// The message of a runtime status `st` (which it frees); "" when it is OK.
std::string takeStatus(::anvil_status *st);

/// Deterministic values for a buffer of runtime dtype `dtype`: floats in
/// [-1, 1), integers 0 or 1 (safe as indices and as booleans).
void fillDeterministic(char *bytes, size_t size, int dtype, Random &random);

/// Bytes written by an isolated child (runIsolated) for its parent: numbers
/// and length-prefixed blobs, in the host's byte order.
struct ByteWriter {
  std::string bytes;
  void u64(uint64_t v) { bytes.append((const char *)&v, sizeof v); }
  void f64(double v) { bytes.append((const char *)&v, sizeof v); }
  void blob(const char *data, size_t size) {
    u64(size);
    bytes.append(data, size);
  }
  void blob(const std::vector<char> &b) { blob(b.data(), b.size()); }
  void blob(const std::string &b) { blob(b.data(), b.size()); }
};

/// Reads what a ByteWriter wrote; a read past the end (a child cut short)
/// clears `ok` and gives zeros or empty blobs from then on.
struct ByteReader {
  const std::string &bytes;
  size_t at = 0;
  bool ok = true;
  uint64_t u64();
  double f64();
  std::vector<char> blob();
  std::string text();
  /// A count that cannot be right: more items than there are bytes left
  /// (clears `ok`).
  uint64_t count();
  /// Whether everything was read, and nothing more was there.
  bool done() const { return ok && at == bytes.size(); }

private:
  void take(void *to, size_t n);
};

/// Runs `work` in a child process (fork) and gives back in `bytes` what it
/// returned. False, with `error`, when the child crashed ("the variant
/// crashed (Segmentation fault)"), ran past `timeoutSeconds` (it is killed)
/// or failed otherwise: a code generator bug in a variant then fails one
/// measurement instead of the whole tuner.
bool runIsolated(const std::function<std::string()> &work,
                 double timeoutSeconds, std::string &bytes, std::string &error);

/// Whether `candidate`'s outputs match `reference`'s: floating-point ones
/// within `relTol` of the largest reference magnitude (fp32 reductions in
/// another order round differently), others exactly; `why` says where not.
bool outputsMatch(const Measurement &reference, const Measurement &candidate,
                  double relTol, std::string &why);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_MEASUREMENT_H

//===- anvil-tunedb.cpp - Inspect, check and combine tuning databases -----===//
//
// A command-line view of autotune/TuningDatabase.h, for users (info, dump,
// merge, export, check, and load, which reads back what dump writes) and for
// the crash-safety test (stress, which is killed with SIGKILL while it
// commits). Exit status: 0 on success, 1 on an error, 2 on a usage error.
//
//===----------------------------------------------------------------------===//
#include "autotune/TuningDatabase.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace anvil::autotune;

namespace {

constexpr const char *kUsage =
    "usage: anvil-tunedb DB COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  info              schema version and number of kernels, trials and "
    "best records\n"
    "  dump              one tab-separated line per best record\n"
    "  check             SQLite integrity check and schema validation\n"
    "  merge SRC         add the trials of SRC and keep the better best "
    "records\n"
    "                    (creates DB if missing)\n"
    "  export DEST       copy DB to the new file DEST\n"
    "  load FILE         set the best records listed in FILE, in dump's "
    "format\n"
    "                    (creates DB if missing)\n"
    "  stress --trials N record N synthetic trials, one transaction each, "
    "printing\n"
    "                    'committed <i>' after each (creates DB if missing)\n";

int usageError(const std::string &message) {
  std::fprintf(stderr, "error: %s\n%s", message.c_str(), kUsage);
  return 2;
}

int fail(const Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return 1;
}

/// Tabs, newlines and backslashes escaped, so that a record is one line.
std::string escape(const std::string &text) {
  std::string result;
  for (char c : text) {
    switch (c) {
    case '\t':
      result += "\\t";
      break;
    case '\n':
      result += "\\n";
      break;
    case '\\':
      result += "\\\\";
      break;
    default:
      result += c;
    }
  }
  return result;
}

/// Undoes escape().
std::string unescape(const std::string &text) {
  std::string result;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      result += text[i];
      continue;
    }
    char c = text[++i];
    result += c == 't' ? '\t' : c == 'n' ? '\n' : c;
  }
  return result;
}

int info(TuningDatabase &db, const std::vector<std::string> &) {
  Expected<int64_t> kernels = db.countKernels();
  if (!kernels)
    return fail(kernels.status());
  Expected<int64_t> trials = db.countTrials();
  if (!trials)
    return fail(trials.status());
  Expected<std::vector<BestRecord>> best = db.allBest();
  if (!best)
    return fail(best.status());
  std::printf("tuning database: %s\nschema version: %d\nkernels: %" PRId64
              "\ntrials: %" PRId64 "\nbest records: %zu\n",
              db.path().c_str(), TuningDatabase::kSchemaVersion, *kernels,
              *trials, best->size());
  return 0;
}

int dump(TuningDatabase &db, const std::vector<std::string> &) {
  Expected<std::vector<BestRecord>> best = db.allBest();
  if (!best)
    return fail(best.status());
  std::printf("# objective\tkernel_hash\tshapes\ttarget\tfingerprint\t"
              "compiler_version\tmedian_ns\tci_low_ns\tci_high_ns\t"
              "memory_bytes\ttrials\ttimestamp\tconfig\n");
  for (const BestRecord &r : *best)
    std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%.6g\t%.6g\t%.6g\t%" PRIu64
                "\t%d\t%" PRId64 "\t%s\n",
                r.objective.c_str(), escape(r.key.kernelHash).c_str(),
                escape(r.key.shapes).c_str(), escape(r.key.target).c_str(),
                escape(r.key.fingerprint).c_str(),
                escape(r.key.compilerVersion).c_str(), r.medianNs, r.ciLowNs,
                r.ciHighNs, r.memoryBytes, r.trials, r.timestamp,
                escape(r.config).c_str());
  return 0;
}

int check(TuningDatabase &db, const std::vector<std::string> &) {
  if (Status status = db.checkIntegrity(); !status.ok())
    return fail(status);
  std::printf("ok: %s\n", db.path().c_str());
  return 0;
}

int merge(TuningDatabase &db, const std::vector<std::string> &args) {
  Expected<MergeStats> stats = db.mergeFrom(args[0]);
  if (!stats)
    return fail(stats.status());
  std::printf("merged '%s': %" PRId64 " trials added, %" PRId64
              " best records updated\n",
              args[0].c_str(), stats->trialsAdded, stats->bestUpdated);
  return 0;
}

int exportTo(TuningDatabase &db, const std::vector<std::string> &args) {
  if (Status status = db.exportTo(args[0]); !status.ok())
    return fail(status);
  std::printf("exported to '%s'\n", args[0].c_str());
  return 0;
}

/// The fields of one line of dump's output, in order.
constexpr const char *kDumpFields[] = {
    "objective",   "kernel_hash",      "shapes",    "target",
    "fingerprint", "compiler_version", "median_ns", "ci_low_ns",
    "ci_high_ns",  "memory_bytes",     "trials",    "timestamp",
    "config"};
constexpr size_t kNumDumpFields = std::size(kDumpFields);

/// Parses all of `text` with `parse` (strtod, strtoll or strtoull).
template <typename T, typename Parse>
bool parseNumber(const std::string &text, T &value, Parse parse) {
  char *end = nullptr;
  errno = 0;
  value = static_cast<T>(parse(text.c_str(), &end));
  return errno == 0 && end != text.c_str() && *end == '\0';
}

/// One line of dump's output as a best record; the failure names the field.
Status parseBestRecord(const std::string &line, BestRecord &record) {
  std::vector<std::string> fields(1);
  for (char c : line) {
    if (c == '\t')
      fields.emplace_back();
    else
      fields.back() += c;
  }
  if (fields.size() != kNumDumpFields)
    return Status::failure("expected " + std::to_string(kNumDumpFields) +
                           " tab-separated fields, got " +
                           std::to_string(fields.size()));
  for (std::string &field : fields)
    field = unescape(field);
  if (fields[0] != kLatencyObjective && fields[0] != kMemoryObjective)
    return Status::failure("objective '" + fields[0] + "' is not '" +
                           kLatencyObjective + "' or '" + kMemoryObjective +
                           "'");
  record.objective = fields[0];
  record.key = {fields[1], fields[2], fields[3], fields[4], fields[5]};
  record.config = fields[12];
  auto toDouble = [](const char *s, char **end) { return std::strtod(s, end); };
  auto toInt = [](const char *s, char **end) {
    return std::strtoll(s, end, 10);
  };
  auto toUnsigned = [](const char *s, char **end) {
    return std::strtoull(s, end, 10);
  };
  long long trials = 0;
  const std::pair<size_t, bool> numbers[] = {
      {6, parseNumber(fields[6], record.medianNs, toDouble)},
      {7, parseNumber(fields[7], record.ciLowNs, toDouble)},
      {8, parseNumber(fields[8], record.ciHighNs, toDouble)},
      {9, fields[9].find('-') == std::string::npos &&
              parseNumber(fields[9], record.memoryBytes, toUnsigned)},
      {10, parseNumber(fields[10], trials, toInt) && trials >= 0 &&
               trials <= INT32_MAX},
      {11, parseNumber(fields[11], record.timestamp, toInt)}};
  for (auto [field, ok] : numbers)
    if (!ok)
      return Status::failure(std::string(kDumpFields[field]) + " '" +
                             fields[field] + "' is not a number");
  record.trials = int(trials);
  return Status::success();
}

/// Sets the best records listed in a file in dump's format (lines starting
/// with '#' and empty lines are skipped). The whole file is read first, so a
/// malformed line changes nothing.
int load(TuningDatabase &db, const std::vector<std::string> &args) {
  std::ifstream in(args[0]);
  if (!in)
    return fail(Status::failure("cannot read '" + args[0] +
                                "': " + std::strerror(errno)));
  std::vector<BestRecord> records;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#')
      continue;
    BestRecord &record = records.emplace_back();
    if (Status status = parseBestRecord(line, record); !status.ok())
      return fail(Status::failure(args[0] + ":" + std::to_string(number) +
                                  ": " + status.message()));
  }
  if (in.bad())
    return fail(Status::failure("cannot read '" + args[0] + "'"));
  for (const BestRecord &record : records)
    if (Status status = db.setBest(record); !status.ok())
      return fail(status);
  std::printf("loaded %zu best records from '%s'\n", records.size(),
              args[0].c_str());
  return 0;
}

/// Parses a positive decimal count; nullopt if `text` is anything else.
std::optional<int64_t> parseCount(const std::string &text) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || value <= 0)
    return std::nullopt;
  return value;
}

/// `stress`'s arguments, checked before the database is opened (or created).
bool isStressUsage(const std::vector<std::string> &args) {
  return args[0] == "--trials" && parseCount(args[1]);
}

/// Keeps `record` as the best of its key and objective if it beats the current
/// one.
Status updateBest(TuningDatabase &db, const BestRecord &record) {
  Expected<std::optional<BestRecord>> current =
      db.best(record.key, record.objective);
  if (!current)
    return current.status();
  if (*current && !isBetterBest(record, **current))
    return Status::success();
  return db.setBest(record);
}

/// Records `count` new trials of one synthetic kernel, as a tuner would:
/// each trial, then the best records it improves, one transaction each. The
/// configs continue after those of earlier runs, so that a second run appends
/// rather than re-records. "committed <i>" is printed (and flushed) only after
/// the commits: the crash test relies on every printed trial being in the
/// database.
int stress(TuningDatabase &db, const std::vector<std::string> &args) {
  int64_t count = *parseCount(args[1]);
  Expected<int64_t> existing = db.countTrials();
  if (!existing)
    return fail(existing.status());
  TrialRecord trial;
  trial.key = {"anvil-tunedb-stress", "256x256xf32,256x256xf32", "cpu",
               "synthetic", "stress"};
  trial.repeats = 5;
  trial.strategy = "stress";
  int64_t committed = 0;
  for (int64_t n = *existing; committed < count; ++n) {
    trial.config = "#anvil_kernel.tuning<stress = " + std::to_string(n) + ">";
    // Deterministic but unordered measurements, so that the best records
    // change often early on and rarely later, as in a real search.
    uint64_t hash = uint64_t(n + 1) * 2654435761u % 1000003;
    trial.medianNs = 1000.0 + double(hash % 100000) / 10;
    trial.ciLowNs = trial.medianNs - 5;
    trial.ciHighNs = trial.medianNs + 5;
    trial.memoryBytes = 4096 * (1 + hash % 1009);
    trial.timestamp = int64_t(std::time(nullptr));
    Expected<bool> inserted = db.recordTrial(trial);
    if (!inserted)
      return fail(inserted.status());
    if (!*inserted)
      continue; // another process recorded this config first
    for (const char *objective : {kLatencyObjective, kMemoryObjective}) {
      BestRecord best{trial.key,     trial.config,   trial.medianNs,
                      trial.ciLowNs, trial.ciHighNs, trial.memoryBytes,
                      int(n + 1),    objective,      trial.timestamp};
      if (Status status = updateBest(db, best); !status.ok())
        return fail(status);
    }
    std::printf("committed %" PRId64 "\n", ++committed);
    std::fflush(stdout);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3)
    return usageError("expected a database and a command");
  std::string path = argv[1], command = argv[2];
  std::vector<std::string> args(argv + 3, argv + argc);

  struct Command {
    const char *name;
    size_t arguments;
    const char *usage; ///< What the arguments must be, for usage errors.
    OpenMode mode;
    int (*run)(TuningDatabase &, const std::vector<std::string> &);
    /// Further checks of the arguments, made before opening the database.
    bool (*accepts)(const std::vector<std::string> &) = nullptr;
  };
  static const Command kCommands[] = {
      {"info", 0, "no arguments", OpenMode::ReadOnly, info},
      {"dump", 0, "no arguments", OpenMode::ReadOnly, dump},
      {"check", 0, "no arguments", OpenMode::ReadOnly, check},
      {"merge", 1, "one argument, SRC", OpenMode::CreateIfMissing, merge},
      {"export", 1, "one argument, DEST", OpenMode::ReadOnly, exportTo},
      {"load", 1, "one argument, FILE", OpenMode::CreateIfMissing, load},
      {"stress", 2, "--trials N, with N a positive integer",
       OpenMode::CreateIfMissing, stress, isStressUsage},
  };
  const Command *selected = nullptr;
  for (const Command &candidate : kCommands)
    if (command == candidate.name)
      selected = &candidate;
  if (!selected)
    return usageError("unknown command '" + command + "'");
  if (args.size() != selected->arguments ||
      (selected->accepts && !selected->accepts(args)))
    return usageError("'" + command + "' takes " + selected->usage);

  Expected<TuningDatabase> db = TuningDatabase::open(path, selected->mode);
  if (!db)
    return fail(db.status());
  return selected->run(*db, args);
}

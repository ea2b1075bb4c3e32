//===- TuningDatabase.h - Measured kernel variants, kept on disk -*- C++
//-*-===//
//
// The tuning database remembers every trial the autotuner measured and, per
// kernel and objective, the best TuningConfig found, so that a later
// `anvil-compile --tuning-db` reuses it and a later tuning session resumes
// instead of starting over. It is one SQLite file (docs/tuning-database.md has
// the schema), safe to share between processes and to kill at any moment:
// every recorded trial is its own transaction.
//
// A TuningDatabase object is one connection to the file. It may be used from
// one thread at a time; threads or processes that share a file each open their
// own object.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_TUNINGDATABASE_H
#define ANVIL_AUTOTUNE_TUNINGDATABASE_H

#include "autotune/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace anvil::autotune {

/// What a measurement is valid for: the same kernel IR on the same shapes,
/// compiled by the same compiler for the same target and measured on the same
/// machine. A measurement under any other key says nothing about this one.
struct TuningKey {
  std::string kernelHash;  ///< Hash of the dispatch's kernel IR.
  std::string shapes;      ///< Operand shapes, e.g. "64x128xf32,128x32xf32".
  std::string target;      ///< Codegen target, e.g. "cpu", "cuda:sm_90".
  std::string fingerprint; ///< CPU/device model and features.
  std::string compilerVersion; ///< Anvil version (a measurement of old code
                               ///< is not one of new code).

  bool operator==(const TuningKey &other) const;
  bool operator!=(const TuningKey &other) const { return !(*this == other); }
};

/// One measured (or failed) variant of a kernel.
struct TrialRecord {
  enum Status { Ok, WrongOutput, BuildFailed, RunFailed };

  TuningKey key;
  std::string config; ///< The TuningConfig attribute, as text.
  Status status = Ok;
  /// Median run time and its confidence interval; NaN when not measured (a
  /// failed trial). NaN is stored as SQL NULL.
  double medianNs = 0, ciLowNs = 0, ciHighNs = 0;
  uint64_t memoryBytes = 0; ///< Peak memory (arena + workspace) of the variant.
  int repeats = 0;          ///< Timed runs behind the median.
  std::string strategy;     ///< Search strategy that proposed the config.
  int64_t timestamp = 0;    ///< Seconds since the Unix epoch.
  std::string message;      ///< Why a trial failed; empty when it did not.
  /// How it was measured, beyond the key: what makes two measurements of
  /// one config on one machine differ, e.g. "threads=2 weights=cold"
  /// (anvil-tune: the session's threads, whether the weights were flushed
  /// from the caches before each run). Empty: not said (a trial recorded by
  /// an Anvil before this field, or by a tool that does not measure).
  std::string conditions;
};

/// The strategy a kernel's default config (its trial 0) is recorded under:
/// anvil-compile --tuning-db reads it to tell a best that no trial beat.
inline constexpr const char kDefaultStrategy[] = "default";

/// How the message of a trial measured while the host gave the process fewer
/// cores than the default's runs use starts (autotune::kContendedMessage,
/// Tuner.h): its time is not trusted, and recording the config again with a
/// time that is replaces it.
inline constexpr const char kContendedPrefix[] = "contended: ";

/// The objectives a best record can be kept for.
inline constexpr const char kLatencyObjective[] = "latency";
inline constexpr const char kMemoryObjective[] = "memory";
/// Least medianNs * memoryBytes: the product of the two ratios to any fixed
/// reference (e.g. the default config's), so neither unit dominates.
inline constexpr const char kBalancedObjective[] = "balanced";
/// Whether `name` is one of the objectives above.
inline bool isObjective(const std::string &name) {
  return name == kLatencyObjective || name == kMemoryObjective ||
         name == kBalancedObjective;
}

/// The config chosen for a key under one objective.
struct BestRecord {
  TuningKey key;
  std::string config;
  double medianNs = 0, ciLowNs = 0, ciHighNs = 0;
  uint64_t memoryBytes = 0;
  int trials = 0; ///< Trials measured when this config was chosen.
  std::string objective = kLatencyObjective;
  int64_t timestamp = 0;
};

/// The name a trial status is stored and printed under ("ok", "wrong-output",
/// "build-failed", "run-failed"; "invalid" for a value outside the enum).
const char *trialStatusName(TrialRecord::Status status);

/// Whether `candidate` beats `incumbent` (same key and objective): lower
/// medianNs for latency; lower memoryBytes, then lower medianNs, for memory;
/// lower medianNs * memoryBytes, then lower medianNs, for balanced.
/// Equal measurements are broken by the smaller config string, so that the
/// result of merging databases does not depend on the order of the merges.
/// NaN measurements lose to any number.
bool isBetterBest(const BestRecord &candidate, const BestRecord &incumbent);

enum class OpenMode {
  CreateIfMissing, ///< Read-write; a missing (or empty) file becomes a new
                   ///< database.
  ExistingOnly,    ///< Read-write; the file must already be a tuning database.
  ReadOnly,        ///< Reads only; writes fail with an error.
};

/// What mergeFrom() changed.
struct MergeStats {
  int64_t trialsAdded = 0; ///< Trials added, or that replaced contended ones.
  int64_t bestUpdated = 0; ///< Best records added or replaced.
};

class TuningDatabase {
public:
  /// Format version of the schema this code reads and writes.
  static constexpr int kSchemaVersion = 1;
  /// SQLite `PRAGMA application_id` of a tuning database: "ANVT".
  static constexpr uint32_t kApplicationId = 0x414E5654;
  /// Stored in the meta table, so that the file names its format to a human
  /// looking at it with the sqlite3 shell.
  static constexpr const char kMagic[] = "anvil-tuning-db";

  /// Opens (or, under CreateIfMissing, creates) the database at `path`. A file
  /// that is not SQLite, a SQLite database that is not a tuning database, a
  /// corrupt one or one of a newer schema version is an error naming the path
  /// and the problem, and its bytes are left as they were.
  static Expected<TuningDatabase>
  open(const std::string &path, OpenMode mode = OpenMode::CreateIfMissing);

  TuningDatabase(TuningDatabase &&) noexcept;
  TuningDatabase &operator=(TuningDatabase &&) noexcept;
  ~TuningDatabase();

  const std::string &path() const { return filePath; }

  /// Records one trial in its own transaction. Recording a trial whose key and
  /// config are already present changes nothing (the first measurement is
  /// kept) unless the new one is not contended (kContendedPrefix) and the
  /// present one is, or was measured under other conditions than the new
  /// one's (non-empty) conditions: then the new one replaces it. The result
  /// says whether the trial was new or replaced one.
  Expected<bool> recordTrial(const TrialRecord &trial);
  /// The trials of `key`, in the order they were recorded.
  Expected<std::vector<TrialRecord>> trials(const TuningKey &key) const;
  Expected<bool> hasTrial(const TuningKey &key,
                          const std::string &config) const;

  /// The best record of `key` under `objective`, if there is one.
  Expected<std::optional<BestRecord>> best(const TuningKey &key,
                                           const std::string &objective) const;
  /// Inserts or replaces the best record of its key and objective.
  Status setBest(const BestRecord &record);
  /// Every best record, ordered by key and objective.
  Expected<std::vector<BestRecord>> allBest() const;

  /// Number of distinct tuning keys (kernels on a target and machine) that
  /// have a trial or a best record.
  Expected<int64_t> countKernels() const;
  Expected<int64_t> countTrials() const;

  /// Imports the tuning database at `path`: adds its trials that are not
  /// already here (or are here only as contended trials; unlike recordTrial,
  /// a trial here measured under other conditions is kept), and
  /// keeps the better (isBetterBest) of the two best records
  /// of each key and objective. All or nothing: if `path` is not a valid tuning
  /// database, or reading it fails half-way, this database is unchanged.
  Expected<MergeStats> mergeFrom(const std::string &path);
  /// Writes a copy of the whole database to a new file at `path`; an existing
  /// file is never overwritten.
  Status exportTo(const std::string &path) const;

  /// Runs SQLite's integrity check and foreign key check over the file; the
  /// failure lists the problems found.
  Status checkIntegrity() const;

private:
  struct Closer {
    void operator()(sqlite3 *db) const;
  };
  TuningDatabase(std::string path, sqlite3 *db);

  /// A failure "tuning database '<path>': <what>: <SQLite's last error>".
  Status sqliteFailure(const std::string &what) const;

  /// The steps of open() after the file is known to be SQLite and ours.
  Status initializeIfEmpty();
  Status validateSchema() const;
  Status configureForWriting();
  /// Whether the trials table has the conditions column (added to a database
  /// created before it when the file is opened for writing).
  Status findConditionsColumn();
  Status addConditionsColumn();

  /// Runs `body` in a write transaction, committed when it succeeds and rolled
  /// back when it fails; `what` names the operation in errors.
  Status inWriteTransaction(const std::string &what,
                            const std::function<Status()> &body);

  /// Calls `fn` on each trial, in recording order, (each best record, in key
  /// order) of `onlyKey`, or of every key when it is null. Stops at and returns
  /// the first failure.
  Status forEachTrial(const TuningKey *onlyKey,
                      const std::function<Status(TrialRecord)> &fn) const;
  Status forEachBest(const TuningKey *onlyKey,
                     const std::function<Status(BestRecord)> &fn) const;

  /// The id of `key` in the kernels table, inserting it when missing (inside a
  /// write transaction).
  Expected<int64_t> findOrAddKernel(const TuningKey &key);
  /// The bodies of recordTrial / setBest, without their own transaction.
  /// `replaceOtherConditions`: whether the trial replaces a present one of
  /// the same config measured under other conditions (recordTrial) or not
  /// (mergeFrom).
  Expected<bool> insertTrial(const TrialRecord &trial,
                             bool replaceOtherConditions);
  Status upsertBest(const BestRecord &record);

  std::string filePath;
  std::unique_ptr<sqlite3, Closer> db;
  bool hasConditions = false;
};

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_TUNINGDATABASE_H

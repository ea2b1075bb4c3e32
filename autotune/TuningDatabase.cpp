//===- TuningDatabase.cpp - Measured kernel variants, kept on disk --------===//
//
// Opening a file is the delicate part: the file may be anything a user passed
// on a command line, and SQLite, handed a database it can write, repairs it
// (rolls back a hot journal, checkpoints a write-ahead log) before it answers a
// single query. So the file's header is read by hand first, and only a file
// that declares itself ours (SQLite magic and our application_id) is handed to
// SQLite. A new database is created in rollback-journal mode, so that the
// application_id reaches the main file at once, and only then switched to WAL.
//
//===----------------------------------------------------------------------===//
#include "autotune/TuningDatabase.h"

#include <sqlite3.h>

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sys/stat.h>
#include <tuple>

using namespace anvil::autotune;

namespace {

/// Waits this long for another connection's lock before failing with "database
/// is locked": a tuner writes a trial in well under a millisecond, so only a
/// stuck process holds a lock this long.
constexpr int kBusyTimeoutMs = 10000;

constexpr const char *kStatusNames[] = {"ok", "wrong-output", "build-failed",
                                        "run-failed"};

// Trials and best records refer to their key through the kernels table, so
// that a key (whose shapes and fingerprint strings can be long) is stored once.
// trials.id is the recording order.
constexpr const char *kSchema = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL);
CREATE TABLE kernels(
  id INTEGER PRIMARY KEY,
  kernel_hash TEXT NOT NULL,
  shapes TEXT NOT NULL,
  target TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  compiler_version TEXT NOT NULL,
  UNIQUE(kernel_hash, shapes, target, fingerprint, compiler_version));
CREATE TABLE trials(
  id INTEGER PRIMARY KEY,
  kernel_id INTEGER NOT NULL REFERENCES kernels(id),
  config TEXT NOT NULL,
  status TEXT NOT NULL,
  median_ns REAL,
  ci_low_ns REAL,
  ci_high_ns REAL,
  memory_bytes INTEGER NOT NULL,
  repeats INTEGER NOT NULL,
  strategy TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  message TEXT NOT NULL,
  conditions TEXT NOT NULL DEFAULT '',
  UNIQUE(kernel_id, config));
CREATE TABLE best(
  kernel_id INTEGER NOT NULL REFERENCES kernels(id),
  objective TEXT NOT NULL,
  config TEXT NOT NULL,
  median_ns REAL,
  ci_low_ns REAL,
  ci_high_ns REAL,
  memory_bytes INTEGER NOT NULL,
  trials INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY(kernel_id, objective));
)sql";

/// The five key columns, bound as ?1..?5 by bindKey().
constexpr const char *kKeyMatch =
    "k.kernel_hash = ?1 AND k.shapes = ?2 AND k.target = ?3 AND "
    "k.fingerprint = ?4 AND k.compiler_version = ?5";

/// The trials query; a database created before trials.conditions, opened
/// read-only, reads '' for it.
std::string trialQuery(bool hasConditions) {
  return std::string("SELECT k.kernel_hash, k.shapes, k.target, k.fingerprint, "
                     "k.compiler_version, t.config, t.status, t.median_ns, "
                     "t.ci_low_ns, t.ci_high_ns, t.memory_bytes, t.repeats, "
                     "t.strategy, t.timestamp, t.message, ") +
         (hasConditions ? "t.conditions" : "''") +
         " FROM trials t JOIN kernels k ON k.id = t.kernel_id";
}

constexpr const char *kBestQuery =
    "SELECT k.kernel_hash, k.shapes, k.target, k.fingerprint, "
    "k.compiler_version, b.objective, b.config, b.median_ns, b.ci_low_ns, "
    "b.ci_high_ns, b.memory_bytes, b.trials, b.timestamp "
    "FROM best b JOIN kernels k ON k.id = b.kernel_id";

Status failureAt(const std::string &path, const std::string &problem) {
  return Status::failure("tuning database '" + path + "': " + problem);
}

/// A prepared statement. Binding and stepping remember the first SQLite error,
/// so a caller checks once, at step(); sqlite3_errmsg() then describes it.
class Statement {
public:
  Statement(sqlite3 *db, const std::string &sql) {
    rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  }
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;
  ~Statement() { sqlite3_finalize(stmt); }

  Statement &bindText(int index, const std::string &value) {
    return remember([&] {
      return sqlite3_bind_text64(stmt, index, value.data(), value.size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8);
    });
  }
  Statement &bindInt(int index, int64_t value) {
    return remember([&] { return sqlite3_bind_int64(stmt, index, value); });
  }
  /// NaN, "not measured", is stored as NULL (SQLite would do so anyway; this
  /// says it).
  Statement &bindReal(int index, double value) {
    return remember([&] {
      return std::isnan(value) ? sqlite3_bind_null(stmt, index)
                               : sqlite3_bind_double(stmt, index, value);
    });
  }
  /// Binds the key columns to ?first..?first+4.
  Statement &bindKey(int first, const TuningKey &key) {
    return bindText(first, key.kernelHash)
        .bindText(first + 1, key.shapes)
        .bindText(first + 2, key.target)
        .bindText(first + 3, key.fingerprint)
        .bindText(first + 4, key.compilerVersion);
  }

  /// SQLITE_ROW while there are rows, then SQLITE_DONE; otherwise the error
  /// code of the first failure of prepare, bind or step.
  int step() {
    if (rc != SQLITE_OK)
      return rc;
    int result = sqlite3_step(stmt);
    if (result != SQLITE_ROW && result != SQLITE_DONE)
      rc = result;
    return result;
  }

  std::string text(int column) const {
    const unsigned char *value = sqlite3_column_text(stmt, column);
    return value ? std::string(reinterpret_cast<const char *>(value),
                               sqlite3_column_bytes(stmt, column))
                 : std::string();
  }
  int64_t integer(int column) const {
    return sqlite3_column_int64(stmt, column);
  }
  double real(int column) const {
    return sqlite3_column_type(stmt, column) == SQLITE_NULL
               ? std::numeric_limits<double>::quiet_NaN()
               : sqlite3_column_double(stmt, column);
  }
  TuningKey key(int first) const {
    return {text(first), text(first + 1), text(first + 2), text(first + 3),
            text(first + 4)};
  }

private:
  template <typename Fn> Statement &remember(Fn bind) {
    if (rc == SQLITE_OK)
      rc = bind();
    return *this;
  }

  sqlite3_stmt *stmt = nullptr;
  int rc;
};

/// Runs a statement that returns no rows.
int execute(sqlite3 *db, const std::string &sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
}

/// Runs a query whose first row's first column is an integer.
int queryInt(sqlite3 *db, const std::string &sql, int64_t &result) {
  Statement query(db, sql);
  int rc = query.step();
  if (rc == SQLITE_ROW)
    result = query.integer(0);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/// A transaction that rolls back unless committed. BEGIN IMMEDIATE takes the
/// write lock up front, so that two writers wait for each other (busy timeout)
/// instead of failing when the second one upgrades a read lock.
class Transaction {
public:
  enum Kind { Read, Write };
  explicit Transaction(sqlite3 *db) : db(db) {}
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  ~Transaction() {
    if (active)
      execute(db, "ROLLBACK");
  }

  int begin(Kind kind) {
    int rc = execute(db, kind == Write ? "BEGIN IMMEDIATE" : "BEGIN");
    active = rc == SQLITE_OK;
    return rc;
  }
  int commit() {
    int rc = execute(db, "COMMIT");
    if (rc == SQLITE_OK)
      active = false;
    return rc;
  }

private:
  sqlite3 *db;
  bool active = false;
};

std::optional<TrialRecord::Status> parseTrialStatus(const std::string &name) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i)
    if (name == kStatusNames[i])
      return static_cast<TrialRecord::Status>(i);
  return std::nullopt;
}

Status checkObjective(const std::string &path, const std::string &objective) {
  if (isObjective(objective))
    return Status::success();
  return failureAt(path, "unknown objective '" + objective + "' (expected '" +
                             kLatencyObjective + "', '" + kMemoryObjective +
                             "' or '" + kBalancedObjective + "')");
}

/// SQLite integers are signed 64-bit.
Status checkMemoryBytes(const std::string &path, uint64_t memoryBytes) {
  if (memoryBytes <= uint64_t(std::numeric_limits<int64_t>::max()))
    return Status::success();
  return failureAt(path, "memoryBytes " + std::to_string(memoryBytes) +
                             " is out of range");
}

/// Reads the header of an existing, non-empty file by hand and fails unless it
/// is a SQLite database whose application_id is ours (see the file comment).
Status checkHeader(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return failureAt(path, std::string("cannot read: ") + std::strerror(errno));
  unsigned char header[100];
  file.read(reinterpret_cast<char *>(header), sizeof(header));
  size_t size = file.gcount();
  static const char kSqliteMagic[] = "SQLite format 3"; // and its NUL
  if (size < sizeof(kSqliteMagic) ||
      std::memcmp(header, kSqliteMagic, sizeof(kSqliteMagic)) != 0)
    return failureAt(path, "not a SQLite database (unrecognized file header)");
  if (size < sizeof(header))
    return failureAt(path, "truncated SQLite header (" + std::to_string(size) +
                               " bytes)");
  // The application_id is a big-endian 32-bit integer at offset 68.
  uint32_t applicationId = uint32_t(header[68]) << 24 |
                           uint32_t(header[69]) << 16 |
                           uint32_t(header[70]) << 8 | uint32_t(header[71]);
  if (applicationId != TuningDatabase::kApplicationId) {
    char ids[64];
    std::snprintf(ids, sizeof(ids),
                  "application_id 0x%08" PRIx32 ", expected 0x%08" PRIx32,
                  applicationId, TuningDatabase::kApplicationId);
    return failureAt(path, std::string("a SQLite database, but not an Anvil "
                                       "tuning database (") +
                               ids + ")");
  }
  return Status::success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Records
//===----------------------------------------------------------------------===//

bool TuningKey::operator==(const TuningKey &other) const {
  return std::tie(kernelHash, shapes, target, fingerprint, compilerVersion) ==
         std::tie(other.kernelHash, other.shapes, other.target,
                  other.fingerprint, other.compilerVersion);
}

const char *anvil::autotune::trialStatusName(TrialRecord::Status status) {
  size_t index = status;
  return index < std::size(kStatusNames) ? kStatusNames[index] : "invalid";
}

bool anvil::autotune::isBetterBest(const BestRecord &candidate,
                                   const BestRecord &incumbent) {
  auto rank = [](const BestRecord &record) {
    uint64_t memory =
        record.objective == kMemoryObjective ? record.memoryBytes : 0;
    double time = std::isnan(record.medianNs)
                      ? std::numeric_limits<double>::infinity()
                      : record.medianNs;
    double product =
        record.objective == kBalancedObjective
            ? time * (double)std::max<uint64_t>(record.memoryBytes, 1)
            : 0;
    return std::make_tuple(memory, product, time);
  };
  if (rank(candidate) != rank(incumbent))
    return rank(candidate) < rank(incumbent);
  return candidate.config < incumbent.config;
}

//===----------------------------------------------------------------------===//
// Opening
//===----------------------------------------------------------------------===//

void TuningDatabase::Closer::operator()(sqlite3 *db) const {
  sqlite3_close_v2(db);
}

TuningDatabase::TuningDatabase(std::string path, sqlite3 *db)
    : filePath(std::move(path)), db(db) {}
TuningDatabase::TuningDatabase(TuningDatabase &&) noexcept = default;
TuningDatabase &TuningDatabase::operator=(TuningDatabase &&) noexcept = default;
TuningDatabase::~TuningDatabase() = default;

Status TuningDatabase::sqliteFailure(const std::string &what) const {
  return failureAt(filePath, what + ": " + sqlite3_errmsg(db.get()));
}

Expected<TuningDatabase> TuningDatabase::open(const std::string &path,
                                              OpenMode mode) {
  // An empty file is what SQLite itself creates before the first write, so
  // under CreateIfMissing it is a database another process is creating (or
  // one whose creation was interrupted), not a foreign file.
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT || mode != OpenMode::CreateIfMissing)
      return failureAt(path, std::strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    return failureAt(path, "not a regular file");
  } else if (info.st_size > 0) {
    if (Status header = checkHeader(path); !header.ok())
      return header;
  } else if (mode != OpenMode::CreateIfMissing) {
    return failureAt(path, "empty file, not a tuning database");
  }

  int flags =
      mode == OpenMode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (mode == OpenMode::CreateIfMissing)
    flags |= SQLITE_OPEN_CREATE;
  sqlite3 *handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  // Owned from here on, even when opening failed (SQLite then still returns a
  // handle that holds the error message).
  TuningDatabase database(path, handle);
  if (rc != SQLITE_OK)
    return database.sqliteFailure("cannot open");
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);

  if (mode == OpenMode::CreateIfMissing)
    if (Status created = database.initializeIfEmpty(); !created.ok())
      return created;
  if (Status valid = database.validateSchema(); !valid.ok())
    return valid;
  if (Status found = database.findConditionsColumn(); !found.ok())
    return found;
  if (mode != OpenMode::ReadOnly) {
    if (Status configured = database.configureForWriting(); !configured.ok())
      return configured;
    if (Status added = database.addConditionsColumn(); !added.ok())
      return added;
  }
  return database;
}

Status TuningDatabase::initializeIfEmpty() {
  // Checked without a write lock first: opening an existing database must not
  // wait for, or block, the processes writing to it.
  int64_t objects = 0;
  if (queryInt(db.get(), "SELECT count(*) FROM sqlite_master", objects) !=
      SQLITE_OK)
    return sqliteFailure("reading the schema");
  if (objects > 0)
    return Status::success();
  return inWriteTransaction("creating the schema", [&] {
    // Another process may have created it since.
    if (queryInt(db.get(), "SELECT count(*) FROM sqlite_master", objects) !=
        SQLITE_OK)
      return sqliteFailure("reading the schema");
    if (objects > 0)
      return Status::success();
    // PRAGMA arguments cannot be bound; these are our own constants.
    std::string pragmas =
        "PRAGMA application_id = " + std::to_string(kApplicationId) +
        "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    if (execute(db.get(), kSchema) != SQLITE_OK ||
        execute(db.get(), pragmas) != SQLITE_OK)
      return sqliteFailure("creating the schema");
    Statement meta(db.get(), "INSERT INTO meta(key, value) VALUES "
                             "('magic', ?1), ('schema_version', ?2)");
    meta.bindText(1, kMagic).bindText(2, std::to_string(kSchemaVersion));
    if (meta.step() != SQLITE_DONE)
      return sqliteFailure("creating the schema");
    return Status::success();
  });
}

Status TuningDatabase::validateSchema() const {
  // One read transaction, so that all checks see the same snapshot.
  Transaction snapshot(db.get());
  int64_t applicationId = 0, version = 0, tables = 0;
  if (snapshot.begin(Transaction::Read) != SQLITE_OK ||
      queryInt(db.get(), "PRAGMA application_id", applicationId) != SQLITE_OK ||
      queryInt(db.get(), "PRAGMA user_version", version) != SQLITE_OK ||
      queryInt(db.get(),
               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
               "name IN ('meta', 'kernels', 'trials', 'best')",
               tables) != SQLITE_OK)
    return sqliteFailure("reading the schema");
  if (applicationId != kApplicationId)
    return failureAt(filePath, "a SQLite database, but not an Anvil tuning "
                               "database (wrong application_id)");
  // Checked before the tables: a newer schema may have other tables.
  if (version > kSchemaVersion)
    return failureAt(filePath, "schema version " + std::to_string(version) +
                                   " is newer than this Anvil supports (" +
                                   std::to_string(kSchemaVersion) +
                                   "); use a newer Anvil or another database");
  if (tables != 4)
    return failureAt(filePath, "incomplete schema (missing tables)");

  Statement meta(db.get(), "SELECT key, value FROM meta WHERE key IN "
                           "('magic', 'schema_version')");
  std::string magic, metaVersion;
  int rc;
  while ((rc = meta.step()) == SQLITE_ROW)
    (meta.text(0) == "magic" ? magic : metaVersion) = meta.text(1);
  if (rc != SQLITE_DONE)
    return sqliteFailure("reading the meta table");
  if (magic != kMagic)
    return failureAt(filePath, "bad magic '" + magic + "' in the meta table");
  if (metaVersion != std::to_string(version) || version != kSchemaVersion)
    return failureAt(filePath, "inconsistent schema version (header " +
                                   std::to_string(version) + ", meta table '" +
                                   metaVersion + "', expected " +
                                   std::to_string(kSchemaVersion) + ")");
  return Status::success();
}

Status TuningDatabase::configureForWriting() {
  // WAL lets readers (anvil-compile --tuning-db) run while a tuner writes, and
  // a commit is one append to the log. synchronous=NORMAL syncs the log only at
  // checkpoints: a killed process loses nothing it committed; a power loss may
  // lose the last trials but never corrupts the file. A file system without
  // WAL support (some network file systems) keeps its rollback journal, which
  // is slower but as safe, so the mode the pragma reports is not checked.
  if (execute(db.get(), "PRAGMA journal_mode = WAL") != SQLITE_OK ||
      execute(db.get(), "PRAGMA synchronous = NORMAL; "
                        "PRAGMA foreign_keys = ON") != SQLITE_OK)
    return sqliteFailure("configuring the connection");
  return Status::success();
}

Status TuningDatabase::findConditionsColumn() {
  int64_t columns = 0;
  if (queryInt(db.get(),
               "SELECT count(*) FROM pragma_table_info('trials') WHERE name = "
               "'conditions'",
               columns) != SQLITE_OK)
    return sqliteFailure("reading the schema");
  hasConditions = columns > 0;
  return Status::success();
}

Status TuningDatabase::addConditionsColumn() {
  if (hasConditions)
    return Status::success();
  // Schema version 1 as first released had no trials.conditions. Adding it
  // keeps the file version 1: an Anvil that does not know the column reads
  // and writes the file as before (its trials get '').
  Status status = inWriteTransaction("adding trials.conditions", [&] {
    if (Status found = findConditionsColumn(); !found.ok() || hasConditions)
      return found; // another process added it since
    if (execute(db.get(), "ALTER TABLE trials ADD COLUMN conditions TEXT NOT "
                          "NULL DEFAULT ''") != SQLITE_OK)
      return sqliteFailure("adding trials.conditions");
    return Status::success();
  });
  if (!status.ok())
    return status;
  hasConditions = true;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Trials and best records
//===----------------------------------------------------------------------===//

Status TuningDatabase::inWriteTransaction(const std::string &what,
                                          const std::function<Status()> &body) {
  Transaction transaction(db.get());
  if (transaction.begin(Transaction::Write) != SQLITE_OK)
    return sqliteFailure(what);
  if (Status status = body(); !status.ok())
    return status; // rolled back by ~Transaction
  if (transaction.commit() != SQLITE_OK)
    return sqliteFailure(what);
  return Status::success();
}

Expected<int64_t> TuningDatabase::findOrAddKernel(const TuningKey &key) {
  Statement find(db.get(),
                 std::string("SELECT k.id FROM kernels k WHERE ") + kKeyMatch);
  find.bindKey(1, key);
  int rc = find.step();
  if (rc == SQLITE_ROW)
    return find.integer(0);
  if (rc != SQLITE_DONE)
    return sqliteFailure("looking up a kernel");
  Statement add(db.get(),
                "INSERT INTO kernels(kernel_hash, shapes, target, fingerprint, "
                "compiler_version) VALUES (?1, ?2, ?3, ?4, ?5)");
  add.bindKey(1, key);
  if (add.step() != SQLITE_DONE)
    return sqliteFailure("adding a kernel");
  return int64_t(sqlite3_last_insert_rowid(db.get()));
}

Expected<bool> TuningDatabase::insertTrial(const TrialRecord &trial,
                                           bool replaceOtherConditions) {
  if (size_t(trial.status) >= std::size(kStatusNames))
    return failureAt(filePath, "invalid trial status " +
                                   std::to_string(int(trial.status)));
  if (Status memory = checkMemoryBytes(filePath, trial.memoryBytes);
      !memory.ok())
    return memory;
  Expected<int64_t> kernel = findOrAddKernel(trial.key);
  if (!kernel)
    return kernel.status();
  // The UNIQUE(kernel_id, config) constraint makes re-recording a trial a
  // no-op that keeps the first measurement, unless the new one is not
  // contended (kContendedPrefix: its time is not trusted) and the present
  // one is, or (?13) was measured under other conditions.
  Statement insert(
      db.get(),
      "INSERT INTO trials(kernel_id, config, status, median_ns, "
      "ci_low_ns, ci_high_ns, memory_bytes, repeats, strategy, timestamp, "
      "message, conditions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?14) "
      "ON CONFLICT(kernel_id, config) DO UPDATE SET status = "
      "excluded.status, median_ns = excluded.median_ns, ci_low_ns = "
      "excluded.ci_low_ns, ci_high_ns = excluded.ci_high_ns, memory_bytes = "
      "excluded.memory_bytes, repeats = excluded.repeats, strategy = "
      "excluded.strategy, timestamp = excluded.timestamp, message = "
      "excluded.message, conditions = excluded.conditions "
      "WHERE substr(excluded.message, 1, length(?12)) <> ?12 AND "
      "(substr(trials.message, 1, length(?12)) = ?12 OR (?13 AND "
      "excluded.conditions <> '' AND trials.conditions <> "
      "excluded.conditions))");
  insert.bindInt(1, *kernel)
      .bindText(2, trial.config)
      .bindText(3, trialStatusName(trial.status))
      .bindReal(4, trial.medianNs)
      .bindReal(5, trial.ciLowNs)
      .bindReal(6, trial.ciHighNs)
      .bindInt(7, int64_t(trial.memoryBytes))
      .bindInt(8, trial.repeats)
      .bindText(9, trial.strategy)
      .bindInt(10, trial.timestamp)
      .bindText(11, trial.message)
      .bindText(12, kContendedPrefix)
      .bindInt(13, replaceOtherConditions)
      .bindText(14, trial.conditions);
  if (insert.step() != SQLITE_DONE)
    return sqliteFailure("recording a trial");
  return sqlite3_changes(db.get()) > 0;
}

Expected<bool> TuningDatabase::recordTrial(const TrialRecord &trial) {
  bool inserted = false;
  Status status = inWriteTransaction("recording a trial", [&] {
    Expected<bool> result = insertTrial(trial, true);
    if (!result)
      return result.status();
    inserted = *result;
    return Status::success();
  });
  if (!status.ok())
    return status;
  return inserted;
}

Status TuningDatabase::forEachTrial(
    const TuningKey *onlyKey,
    const std::function<Status(TrialRecord)> &fn) const {
  std::string sql = trialQuery(hasConditions);
  if (onlyKey)
    sql += std::string(" WHERE ") + kKeyMatch;
  Statement query(db.get(), sql + " ORDER BY t.id");
  if (onlyKey)
    query.bindKey(1, *onlyKey);
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    TrialRecord trial;
    trial.key = query.key(0);
    trial.config = query.text(5);
    std::string status = query.text(6);
    std::optional<TrialRecord::Status> parsed = parseTrialStatus(status);
    if (!parsed)
      return failureAt(filePath, "trial with unknown status '" + status + "'");
    trial.status = *parsed;
    trial.medianNs = query.real(7);
    trial.ciLowNs = query.real(8);
    trial.ciHighNs = query.real(9);
    trial.memoryBytes = uint64_t(query.integer(10));
    trial.repeats = int(query.integer(11));
    trial.strategy = query.text(12);
    trial.timestamp = query.integer(13);
    trial.message = query.text(14);
    trial.conditions = query.text(15);
    if (Status status = fn(std::move(trial)); !status.ok())
      return status;
  }
  if (rc != SQLITE_DONE)
    return sqliteFailure("reading trials");
  return Status::success();
}

Expected<std::vector<TrialRecord>>
TuningDatabase::trials(const TuningKey &key) const {
  std::vector<TrialRecord> result;
  Status status = forEachTrial(&key, [&](TrialRecord trial) {
    result.push_back(std::move(trial));
    return Status::success();
  });
  if (!status.ok())
    return status;
  return result;
}

Expected<bool> TuningDatabase::hasTrial(const TuningKey &key,
                                        const std::string &config) const {
  Statement query(db.get(),
                  std::string("SELECT 1 FROM trials t JOIN kernels k ON "
                              "k.id = t.kernel_id WHERE ") +
                      kKeyMatch + " AND t.config = ?6");
  query.bindKey(1, key).bindText(6, config);
  int rc = query.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sqliteFailure("looking up a trial");
  return rc == SQLITE_ROW;
}

Status
TuningDatabase::forEachBest(const TuningKey *onlyKey,
                            const std::function<Status(BestRecord)> &fn) const {
  std::string sql = kBestQuery;
  if (onlyKey)
    sql += std::string(" WHERE ") + kKeyMatch;
  Statement query(db.get(), sql + " ORDER BY k.kernel_hash, k.shapes, "
                                  "k.target, k.fingerprint, "
                                  "k.compiler_version, b.objective");
  if (onlyKey)
    query.bindKey(1, *onlyKey);
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    BestRecord record;
    record.key = query.key(0);
    record.objective = query.text(5);
    record.config = query.text(6);
    record.medianNs = query.real(7);
    record.ciLowNs = query.real(8);
    record.ciHighNs = query.real(9);
    record.memoryBytes = uint64_t(query.integer(10));
    record.trials = int(query.integer(11));
    record.timestamp = query.integer(12);
    if (Status status = fn(std::move(record)); !status.ok())
      return status;
  }
  if (rc != SQLITE_DONE)
    return sqliteFailure("reading best records");
  return Status::success();
}

Expected<std::optional<BestRecord>>
TuningDatabase::best(const TuningKey &key, const std::string &objective) const {
  if (Status valid = checkObjective(filePath, objective); !valid.ok())
    return valid;
  std::optional<BestRecord> result;
  // A key has one record per objective, so scanning them is cheap.
  Status status = forEachBest(&key, [&](BestRecord record) {
    if (record.objective == objective)
      result = std::move(record);
    return Status::success();
  });
  if (!status.ok())
    return status;
  return result;
}

Expected<std::vector<BestRecord>> TuningDatabase::allBest() const {
  std::vector<BestRecord> result;
  Status status = forEachBest(nullptr, [&](BestRecord record) {
    result.push_back(std::move(record));
    return Status::success();
  });
  if (!status.ok())
    return status;
  return result;
}

Status TuningDatabase::upsertBest(const BestRecord &record) {
  if (Status valid = checkObjective(filePath, record.objective); !valid.ok())
    return valid;
  if (Status memory = checkMemoryBytes(filePath, record.memoryBytes);
      !memory.ok())
    return memory;
  Expected<int64_t> kernel = findOrAddKernel(record.key);
  if (!kernel)
    return kernel.status();
  Statement upsert(
      db.get(),
      "INSERT OR REPLACE INTO best(kernel_id, objective, config, median_ns, "
      "ci_low_ns, ci_high_ns, memory_bytes, trials, timestamp) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  upsert.bindInt(1, *kernel)
      .bindText(2, record.objective)
      .bindText(3, record.config)
      .bindReal(4, record.medianNs)
      .bindReal(5, record.ciLowNs)
      .bindReal(6, record.ciHighNs)
      .bindInt(7, int64_t(record.memoryBytes))
      .bindInt(8, record.trials)
      .bindInt(9, record.timestamp);
  if (upsert.step() != SQLITE_DONE)
    return sqliteFailure("storing a best record");
  return Status::success();
}

Status TuningDatabase::setBest(const BestRecord &record) {
  return inWriteTransaction("storing a best record",
                            [&] { return upsertBest(record); });
}

Expected<int64_t> TuningDatabase::countKernels() const {
  int64_t count = 0;
  if (queryInt(db.get(), "SELECT count(*) FROM kernels", count) != SQLITE_OK)
    return sqliteFailure("counting kernels");
  return count;
}

Expected<int64_t> TuningDatabase::countTrials() const {
  int64_t count = 0;
  if (queryInt(db.get(), "SELECT count(*) FROM trials", count) != SQLITE_OK)
    return sqliteFailure("counting trials");
  return count;
}

//===----------------------------------------------------------------------===//
// Import, export and checks
//===----------------------------------------------------------------------===//

Expected<MergeStats> TuningDatabase::mergeFrom(const std::string &path) {
  // Read-only: validated like any other database, and never written.
  Expected<TuningDatabase> source = open(path, OpenMode::ReadOnly);
  if (!source)
    return Status::failure("cannot merge: " + source.message());
  MergeStats stats;
  Status status = inWriteTransaction("merging '" + path + "'", [&] {
    // One snapshot of the source, even if another process writes to it.
    Transaction snapshot(source->db.get());
    if (snapshot.begin(Transaction::Read) != SQLITE_OK)
      return source->sqliteFailure("reading");
    Status trials = source->forEachTrial(nullptr, [&](TrialRecord trial) {
      Expected<bool> inserted = insertTrial(trial, false);
      if (!inserted)
        return inserted.status();
      stats.trialsAdded += *inserted;
      return Status::success();
    });
    if (!trials.ok())
      return trials;
    return source->forEachBest(nullptr, [&](BestRecord record) {
      Expected<std::optional<BestRecord>> current =
          best(record.key, record.objective);
      if (!current)
        return current.status();
      if (*current && !isBetterBest(record, **current))
        return Status::success();
      ++stats.bestUpdated;
      return upsertBest(record);
    });
  });
  if (!status.ok())
    return status;
  return stats;
}

Status TuningDatabase::exportTo(const std::string &path) const {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0)
    return failureAt(filePath, "cannot export to '" + path +
                                   "': the file exists (export never "
                                   "overwrites)");
  // VACUUM INTO writes a compact copy of one consistent snapshot, keeping the
  // application_id and user_version, and itself refuses an existing non-empty
  // file, should one appear in the meantime.
  Statement vacuum(db.get(), "VACUUM INTO ?1");
  vacuum.bindText(1, path);
  if (vacuum.step() != SQLITE_DONE)
    return sqliteFailure("exporting to '" + path + "'");
  return Status::success();
}

Status TuningDatabase::checkIntegrity() const {
  std::string problems;
  auto collect = [&](const char *sql, auto describe) {
    Statement check(db.get(), sql);
    int rc;
    while ((rc = check.step()) == SQLITE_ROW) {
      std::string problem = describe(check);
      if (!problem.empty())
        problems += "\n  " + problem;
    }
    return rc == SQLITE_DONE;
  };
  bool ran = collect("PRAGMA integrity_check",
                     [](const Statement &row) {
                       std::string text = row.text(0);
                       return text == "ok" ? std::string() : text;
                     }) &&
             collect("PRAGMA foreign_key_check", [](const Statement &row) {
               return row.text(0) + " row " + std::to_string(row.integer(1)) +
                      " refers to a missing " + row.text(2) + " row";
             });
  if (!ran)
    return sqliteFailure("checking integrity");
  if (!problems.empty())
    return failureAt(filePath, "integrity check failed:" + problems);
  return Status::success();
}

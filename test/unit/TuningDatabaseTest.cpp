//===- TuningDatabaseTest.cpp - The autotuner's tuning database -----------===//
//
// Round trips, idempotence, merging and export, and above all that a file
// which is not a valid tuning database is reported and left byte-for-byte
// unchanged. The kill -9 test is test/Autotune/kill-stress.test.
//
//===----------------------------------------------------------------------===//
#include "autotune/TuningDatabase.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

using namespace anvil::autotune;
namespace fs = std::filesystem;

namespace {

TuningKey makeKey(const std::string &hash) {
  return {hash, "64x64xf32,64x64xf32", "cpu", "x86-64 avx2 fma", "anvil-0.6"};
}

TrialRecord makeTrial(const TuningKey &key, const std::string &config,
                      double medianNs) {
  TrialRecord trial;
  trial.key = key;
  trial.config = config;
  trial.medianNs = medianNs;
  trial.ciLowNs = medianNs * 0.99;
  trial.ciHighNs = medianNs * 1.01;
  trial.memoryBytes = 1 << 20;
  trial.repeats = 7;
  trial.strategy = "random";
  trial.timestamp = 1700000000;
  return trial;
}

BestRecord makeBest(const TuningKey &key, const std::string &config,
                    const std::string &objective, double medianNs,
                    uint64_t memoryBytes) {
  BestRecord record;
  record.key = key;
  record.config = config;
  record.objective = objective;
  record.medianNs = medianNs;
  record.ciLowNs = medianNs - 1;
  record.ciHighNs = medianNs + 1;
  record.memoryBytes = memoryBytes;
  record.trials = 3;
  record.timestamp = 1700000100;
  return record;
}

std::string readBytes(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

void writeBytes(const fs::path &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// Runs SQL on a file through SQLite directly, bypassing TuningDatabase: to
/// make foreign databases and to tamper with ours.
void rawSql(const fs::path &path, const std::string &sql) {
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char *error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

/// Each test gets an empty directory of its own.
class TuningDatabaseTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl =
        (fs::temp_directory_path() / "anvil-tunedb-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const {
    return (dir / name).string();
  }

  /// A closed database at `name` with `trials` trials of key "k0" (and a best
  /// record per objective), large enough to span several pages.
  std::string makeDatabase(const std::string &name, int trials) {
    std::string file = path(name);
    Expected<TuningDatabase> db = TuningDatabase::open(file);
    EXPECT_TRUE(db) << db.message();
    if (!db)
      return file;
    for (int i = 0; i < trials; ++i)
      EXPECT_TRUE(db->recordTrial(
          makeTrial(makeKey("k0"), "config-" + std::to_string(i), 100 + i)));
    EXPECT_TRUE(db->setBest(makeBest(makeKey("k0"), "config-0",
                                     kLatencyObjective, 100, 1 << 20))
                    .ok());
    EXPECT_TRUE(db->setBest(makeBest(makeKey("k0"), "config-1",
                                     kMemoryObjective, 101, 1 << 10))
                    .ok());
    return file;
  }

  /// Opens `file` in every mode, expecting each to fail with a message that
  /// names the file and contains `problem`, and the file to be exactly as
  /// before. A file that declares itself ours (`ours`) is opened by SQLite,
  /// which may leave empty -wal/-shm files next to it; any other file must not
  /// get any.
  void expectRejected(const std::string &file, const std::string &problem,
                      bool ours = false) {
    std::string before = readBytes(file);
    for (OpenMode mode : {OpenMode::CreateIfMissing, OpenMode::ExistingOnly,
                          OpenMode::ReadOnly}) {
      Expected<TuningDatabase> db = TuningDatabase::open(file, mode);
      ASSERT_FALSE(db) << "mode " << int(mode);
      EXPECT_NE(db.message().find(file), std::string::npos) << db.message();
      EXPECT_NE(db.message().find(problem), std::string::npos) << db.message();
    }
    EXPECT_EQ(readBytes(file), before);
    if (!ours) {
      EXPECT_FALSE(fs::exists(file + "-wal"));
      EXPECT_FALSE(fs::exists(file + "-shm"));
    }
  }

  fs::path dir;
};

/// Compares everything a trial stores; NaN equals NaN (it means "not
/// measured").
void expectSameTrial(const TrialRecord &a, const TrialRecord &b) {
  auto same = [](double x, double y) {
    return (std::isnan(x) && std::isnan(y)) || x == y;
  };
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.config, b.config);
  EXPECT_EQ(a.status, b.status);
  EXPECT_TRUE(same(a.medianNs, b.medianNs)) << a.medianNs << " " << b.medianNs;
  EXPECT_TRUE(same(a.ciLowNs, b.ciLowNs));
  EXPECT_TRUE(same(a.ciHighNs, b.ciHighNs));
  EXPECT_EQ(a.memoryBytes, b.memoryBytes);
  EXPECT_EQ(a.repeats, b.repeats);
  EXPECT_EQ(a.strategy, b.strategy);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.conditions, b.conditions);
}

} // namespace

// Everything written comes back after closing and reopening, in order.
TEST_F(TuningDatabaseTest, CreateAndReopenRoundTrip) {
  TuningKey key = makeKey("abc123");
  std::vector<TrialRecord> written = {makeTrial(key, "tile=[64,64]", 1500.5),
                                      makeTrial(key, "tile=[8,8]", 900.25)};
  TrialRecord failed = makeTrial(key, "tile=[1024,1024]", NAN);
  failed.status = TrialRecord::BuildFailed;
  failed.ciLowNs = failed.ciHighNs = NAN;
  failed.message = "workgroup too large\nfor the target";
  written.push_back(failed);
  BestRecord best = makeBest(key, "tile=[8,8]", kLatencyObjective, 900.25, 4);
  {
    Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
    ASSERT_TRUE(db) << db.message();
    for (const TrialRecord &trial : written) {
      Expected<bool> inserted = db->recordTrial(trial);
      ASSERT_TRUE(inserted) << inserted.message();
      EXPECT_TRUE(*inserted);
    }
    ASSERT_TRUE(db->setBest(best).ok());
  }
  Expected<TuningDatabase> db =
      TuningDatabase::open(path("t.db"), OpenMode::ExistingOnly);
  ASSERT_TRUE(db) << db.message();
  Expected<std::vector<TrialRecord>> trials = db->trials(key);
  ASSERT_TRUE(trials) << trials.message();
  ASSERT_EQ(trials->size(), written.size());
  for (size_t i = 0; i < written.size(); ++i)
    expectSameTrial((*trials)[i], written[i]);
  EXPECT_TRUE(*db->hasTrial(key, "tile=[8,8]"));
  EXPECT_FALSE(*db->hasTrial(key, "tile=[16,16]"));
  EXPECT_FALSE(*db->hasTrial(makeKey("other"), "tile=[8,8]"));

  Expected<std::optional<BestRecord>> stored = db->best(key, kLatencyObjective);
  ASSERT_TRUE(stored) << stored.message();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->config, best.config);
  EXPECT_EQ((*stored)->medianNs, best.medianNs);
  EXPECT_EQ((*stored)->memoryBytes, best.memoryBytes);
  EXPECT_EQ((*stored)->trials, best.trials);
  EXPECT_EQ(*db->countKernels(), 1);
  EXPECT_EQ(*db->countTrials(), 3);
  EXPECT_TRUE(db->checkIntegrity().ok());
}

// Recording the same key and config again keeps the first measurement.
TEST_F(TuningDatabaseTest, ReRecordingATrialIsIdempotent) {
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  TuningKey key = makeKey("abc");
  ASSERT_TRUE(*db->recordTrial(makeTrial(key, "a", 10)));
  Expected<bool> again = db->recordTrial(makeTrial(key, "a", 99));
  ASSERT_TRUE(again) << again.message();
  EXPECT_FALSE(*again);
  // The same config under another key is another trial.
  EXPECT_TRUE(*db->recordTrial(makeTrial(makeKey("def"), "a", 10)));
  EXPECT_EQ(*db->countTrials(), 2);
  EXPECT_EQ(*db->countKernels(), 2);
  EXPECT_EQ((*db->trials(key))[0].medianNs, 10);
}

// A contended trial (its time not trusted) is replaced by a later measurement
// of the same config that is not contended, and only by such a one; in a merge
// too.
TEST_F(TuningDatabaseTest, AContendedTrialGivesWayToATrustedOne) {
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  TuningKey key = makeKey("abc");
  auto contended = [&](const std::string &config, double ns) {
    TrialRecord t = makeTrial(key, config, ns);
    t.message = std::string(kContendedPrefix) + "the default's runs got 1 core";
    return t;
  };
  ASSERT_TRUE(*db->recordTrial(contended("a", 5)));
  // Contended again: the first stays.
  EXPECT_FALSE(*db->recordTrial(contended("a", 6)));
  EXPECT_EQ((*db->trials(key))[0].medianNs, 5);
  // Trusted: replaces it, message and all.
  Expected<bool> replaced = db->recordTrial(makeTrial(key, "a", 12));
  ASSERT_TRUE(replaced) << replaced.message();
  EXPECT_TRUE(*replaced);
  std::vector<TrialRecord> trials = *db->trials(key);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].medianNs, 12);
  EXPECT_EQ(trials[0].message, "");
  // A trusted trial is never replaced, by a contended one or another.
  EXPECT_FALSE(*db->recordTrial(contended("a", 1)));
  EXPECT_FALSE(*db->recordTrial(makeTrial(key, "a", 1)));
  EXPECT_EQ((*db->trials(key))[0].medianNs, 12);

  // Merging: the source's trusted trial replaces a contended one here.
  ASSERT_TRUE(*db->recordTrial(contended("b", 3)));
  {
    Expected<TuningDatabase> other = TuningDatabase::open(path("o.db"));
    ASSERT_TRUE(other) << other.message();
    ASSERT_TRUE(*other->recordTrial(makeTrial(key, "b", 30)));
  }
  Expected<MergeStats> merged = db->mergeFrom(path("o.db"));
  ASSERT_TRUE(merged) << merged.message();
  EXPECT_EQ(merged->trialsAdded, 1);
  trials = *db->trials(key);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].config, "b");
  EXPECT_EQ(trials[1].medianNs, 30);
  EXPECT_TRUE(db->checkIntegrity().ok());
}

// A trial measured under other conditions (another thread count, weights
// timed otherwise) is replaced by a new measurement of its config; a merge
// keeps what is here. A new trial that does not say its conditions replaces
// nothing.
TEST_F(TuningDatabaseTest, ATrialUnderOtherConditionsGivesWay) {
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  TuningKey key = makeKey("abc");
  auto under = [&](const std::string &config, double ns,
                   const std::string &conditions) {
    TrialRecord t = makeTrial(key, config, ns);
    t.conditions = conditions;
    return t;
  };
  ASSERT_TRUE(*db->recordTrial(under("a", 5, "threads=1 weights=warm")));
  EXPECT_FALSE(*db->recordTrial(under("a", 6, "threads=1 weights=warm")));
  EXPECT_FALSE(*db->recordTrial(under("a", 7, "")));
  EXPECT_EQ((*db->trials(key))[0].medianNs, 5);
  ASSERT_TRUE(*db->recordTrial(under("a", 3, "threads=2 weights=cold")));
  std::vector<TrialRecord> trials = *db->trials(key);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].medianNs, 3);
  EXPECT_EQ(trials[0].conditions, "threads=2 weights=cold");
  // A contended measurement under new conditions does not replace a trusted
  // one.
  TrialRecord busy = under("a", 1, "threads=4 weights=cold");
  busy.message = std::string(kContendedPrefix) + "1.0 of 2.0 cores";
  EXPECT_FALSE(*db->recordTrial(busy));
  EXPECT_EQ((*db->trials(key))[0].medianNs, 3);

  {
    Expected<TuningDatabase> other = TuningDatabase::open(path("o.db"));
    ASSERT_TRUE(other) << other.message();
    ASSERT_TRUE(*other->recordTrial(under("a", 9, "threads=1 weights=warm")));
    ASSERT_TRUE(*other->recordTrial(under("b", 8, "threads=1 weights=warm")));
  }
  Expected<MergeStats> merged = db->mergeFrom(path("o.db"));
  ASSERT_TRUE(merged) << merged.message();
  EXPECT_EQ(merged->trialsAdded, 1);
  trials = *db->trials(key);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].conditions, "threads=2 weights=cold");
  EXPECT_EQ(trials[1].conditions, "threads=1 weights=warm");
}

// A database made before trials.conditions existed: read-only, its trials
// read back with no conditions and the file is not touched; opened for
// writing, the column is added (the file stays schema version 1, so that an
// older Anvil still reads it) and the old trials keep ''.
TEST_F(TuningDatabaseTest, AddsTheConditionsColumnToAnOlderDatabase) {
  std::string file = makeDatabase("t.db", 2);
  rawSql(file, "ALTER TABLE trials DROP COLUMN conditions;");
  std::string before = readBytes(file);
  {
    Expected<TuningDatabase> ro =
        TuningDatabase::open(file, OpenMode::ReadOnly);
    ASSERT_TRUE(ro) << ro.message();
    std::vector<TrialRecord> trials = *ro->trials(makeKey("k0"));
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_EQ(trials[0].conditions, "");
  }
  EXPECT_EQ(readBytes(file), before);
  Expected<TuningDatabase> db = TuningDatabase::open(file);
  ASSERT_TRUE(db) << db.message();
  TrialRecord t = makeTrial(makeKey("k0"), "config-0", 1);
  t.conditions = "threads=2 weights=warm";
  ASSERT_TRUE(*db->recordTrial(t));
  std::vector<TrialRecord> trials = *db->trials(makeKey("k0"));
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].conditions, "threads=2 weights=warm");
  EXPECT_EQ(trials[1].conditions, "");
  EXPECT_TRUE(db->checkIntegrity().ok());
  // Still version 1: another connection (or an older Anvil) validates it.
  EXPECT_TRUE(TuningDatabase::open(file, OpenMode::ReadOnly));
}

// setBest replaces the record of its own objective only.
TEST_F(TuningDatabaseTest, BestIsUpsertedPerObjective) {
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  TuningKey key = makeKey("abc");
  ASSERT_TRUE(
      db->setBest(makeBest(key, "fast", kLatencyObjective, 10, 900)).ok());
  ASSERT_TRUE(
      db->setBest(makeBest(key, "small", kMemoryObjective, 30, 100)).ok());
  ASSERT_TRUE(
      db->setBest(makeBest(key, "faster", kLatencyObjective, 8, 950)).ok());
  EXPECT_EQ((*db->best(key, kLatencyObjective))->config, "faster");
  EXPECT_EQ((*db->best(key, kMemoryObjective))->config, "small");
  EXPECT_FALSE(db->best(makeKey("other"), kLatencyObjective)->has_value());
  EXPECT_EQ(db->allBest()->size(), 2u);

  Expected<std::optional<BestRecord>> unknown = db->best(key, "energy");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.message().find("unknown objective 'energy'"),
            std::string::npos)
      << unknown.message();
  EXPECT_FALSE(db->setBest(makeBest(key, "x", "energy", 1, 1)).ok());
}

TEST_F(TuningDatabaseTest, RejectsRandomBytes) {
  std::mt19937 random(42);
  std::string bytes(4096, '\0');
  for (char &byte : bytes)
    byte = char(random());
  writeBytes(path("random.db"), bytes);
  expectRejected(path("random.db"), "not a SQLite database");
}

TEST_F(TuningDatabaseTest, RejectsTextFile) {
  writeBytes(path("notes.db"), "kernel abc: tile 64x64 is fastest\n");
  expectRejected(path("notes.db"), "not a SQLite database");
}

// Cut anywhere, a real database is reported, whether the header survives or
// not.
TEST_F(TuningDatabaseTest, RejectsTruncatedDatabase) {
  std::string whole = readBytes(makeDatabase("t.db", 300));
  ASSERT_GT(whole.size(), 4u * 4096) << "too small to span several pages";
  writeBytes(path("half.db"), whole.substr(0, whole.size() / 2));
  expectRejected(path("half.db"), "malformed", /*ours=*/true);
  writeBytes(path("header.db"), whole.substr(0, 60));
  expectRejected(path("header.db"), "truncated SQLite header");
}

// Another program's SQLite database, in either journal mode, is refused before
// SQLite opens it (which would create -wal/-shm files next to a WAL one).
TEST_F(TuningDatabaseTest, RejectsForeignSQLiteDatabase) {
  rawSql(path("rollback.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  expectRejected(path("rollback.db"), "not an Anvil tuning database");
  rawSql(path("wal.db"), "PRAGMA journal_mode = WAL; CREATE TABLE t(x);");
  expectRejected(path("wal.db"), "not an Anvil tuning database");
}

TEST_F(TuningDatabaseTest, RejectsNewerSchemaVersion) {
  std::string file = makeDatabase("t.db", 3);
  rawSql(file, "PRAGMA user_version = 2; UPDATE meta SET value = '2' WHERE "
               "key = 'schema_version';");
  expectRejected(file, "schema version 2 is newer than this Anvil supports (1)",
                 /*ours=*/true);
}

// A file of ours whose meta table was tampered with is not trusted either.
TEST_F(TuningDatabaseTest, RejectsBadMagic) {
  std::string file = makeDatabase("t.db", 3);
  rawSql(file, "UPDATE meta SET value = 'something-else' WHERE key = 'magic'");
  Expected<TuningDatabase> db = TuningDatabase::open(file);
  ASSERT_FALSE(db);
  EXPECT_NE(db.message().find("bad magic 'something-else'"), std::string::npos)
      << db.message();
}

TEST_F(TuningDatabaseTest, MissingFileIsCreatedOnlyWhenAsked) {
  for (OpenMode mode : {OpenMode::ExistingOnly, OpenMode::ReadOnly}) {
    Expected<TuningDatabase> db = TuningDatabase::open(path("no.db"), mode);
    ASSERT_FALSE(db);
    EXPECT_NE(db.message().find("No such file"), std::string::npos)
        << db.message();
    EXPECT_FALSE(fs::exists(path("no.db")));
  }
  // An empty file is a database being created (SQLite's first step).
  writeBytes(path("empty.db"), "");
  EXPECT_FALSE(TuningDatabase::open(path("empty.db"), OpenMode::ExistingOnly));
  Expected<TuningDatabase> db = TuningDatabase::open(path("empty.db"));
  ASSERT_TRUE(db) << db.message();
  EXPECT_EQ(*db->countTrials(), 0);
}

TEST_F(TuningDatabaseTest, ReadOnlyRefusesWrites) {
  std::string file = makeDatabase("t.db", 3);
  Expected<TuningDatabase> db = TuningDatabase::open(file, OpenMode::ReadOnly);
  ASSERT_TRUE(db) << db.message();
  Expected<bool> recorded = db->recordTrial(makeTrial(makeKey("k0"), "new", 1));
  ASSERT_FALSE(recorded);
  EXPECT_NE(recorded.message().find("readonly"), std::string::npos)
      << recorded.message();
  EXPECT_EQ(*db->countTrials(), 3);
}

// Two connections (as two processes would have) see each other's commits.
TEST_F(TuningDatabaseTest, ConnectionsShareAFile) {
  Expected<TuningDatabase> writer = TuningDatabase::open(path("t.db"));
  Expected<TuningDatabase> reader =
      TuningDatabase::open(path("t.db"), OpenMode::ReadOnly);
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(*writer->recordTrial(makeTrial(makeKey("k"), "a", 1)));
  EXPECT_TRUE(*reader->hasTrial(makeKey("k"), "a"));
}

TEST_F(TuningDatabaseTest, BetterBestBreaksTiesByConfig) {
  TuningKey key = makeKey("k");
  BestRecord a = makeBest(key, "a", kLatencyObjective, 10, 500);
  BestRecord b = makeBest(key, "b", kLatencyObjective, 10, 100);
  EXPECT_TRUE(isBetterBest(a, b));
  EXPECT_FALSE(isBetterBest(b, a));
  EXPECT_FALSE(isBetterBest(a, a));
  b.medianNs = 9;
  EXPECT_TRUE(isBetterBest(b, a));
  // Memory compares bytes first, then time.
  a.objective = b.objective = kMemoryObjective;
  EXPECT_TRUE(isBetterBest(b, a));
  b.memoryBytes = 500;
  EXPECT_TRUE(isBetterBest(b, a));
  b.medianNs = NAN;
  EXPECT_TRUE(isBetterBest(a, b));
}

// Merging unions the trials and keeps the better best record of each key and
// objective, whichever side it comes from.
TEST_F(TuningDatabaseTest, MergeKeepsBetterBestAndUnionsTrials) {
  TuningKey shared = makeKey("shared"), theirs = makeKey("theirs");
  {
    Expected<TuningDatabase> other = TuningDatabase::open(path("other.db"));
    ASSERT_TRUE(other) << other.message();
    ASSERT_TRUE(*other->recordTrial(makeTrial(shared, "b", 20)));
    ASSERT_TRUE(*other->recordTrial(makeTrial(shared, "c", 5)));
    ASSERT_TRUE(*other->recordTrial(makeTrial(theirs, "x", 1)));
    // Better latency, worse memory than ours.
    ASSERT_TRUE(
        other->setBest(makeBest(shared, "c", kLatencyObjective, 5, 900)).ok());
    ASSERT_TRUE(
        other->setBest(makeBest(shared, "b", kMemoryObjective, 20, 800)).ok());
    ASSERT_TRUE(
        other->setBest(makeBest(theirs, "x", kLatencyObjective, 1, 1)).ok());
  }
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  ASSERT_TRUE(*db->recordTrial(makeTrial(shared, "a", 10)));
  ASSERT_TRUE(*db->recordTrial(makeTrial(shared, "b", 21)));
  ASSERT_TRUE(
      db->setBest(makeBest(shared, "a", kLatencyObjective, 10, 100)).ok());
  ASSERT_TRUE(
      db->setBest(makeBest(shared, "a", kMemoryObjective, 10, 100)).ok());

  Expected<MergeStats> stats = db->mergeFrom(path("other.db"));
  ASSERT_TRUE(stats) << stats.message();
  EXPECT_EQ(stats->trialsAdded, 2); // c and x; b was already here
  EXPECT_EQ(stats->bestUpdated, 2); // shared latency, theirs latency
  Expected<std::vector<TrialRecord>> trials = db->trials(shared);
  ASSERT_TRUE(trials) << trials.message();
  std::vector<std::string> configs;
  for (const TrialRecord &trial : *trials)
    configs.push_back(trial.config);
  EXPECT_EQ(configs, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ((*trials)[1].medianNs, 21); // ours kept
  EXPECT_EQ((*db->best(shared, kLatencyObjective))->config, "c");
  EXPECT_EQ((*db->best(shared, kMemoryObjective))->config, "a");
  EXPECT_EQ((*db->best(theirs, kLatencyObjective))->config, "x");
  EXPECT_EQ(*db->countKernels(), 2);
  EXPECT_EQ(*db->countTrials(), 4);

  // Merging again changes nothing.
  stats = db->mergeFrom(path("other.db"));
  ASSERT_TRUE(stats) << stats.message();
  EXPECT_EQ(stats->trialsAdded, 0);
  EXPECT_EQ(stats->bestUpdated, 0);
}

// A merge source that is not a tuning database, or that turns out corrupt
// half-way through, leaves the destination (and the source) unchanged.
TEST_F(TuningDatabaseTest, FailedMergeChangesNothing) {
  Expected<TuningDatabase> db = TuningDatabase::open(path("t.db"));
  ASSERT_TRUE(db) << db.message();
  ASSERT_TRUE(*db->recordTrial(makeTrial(makeKey("mine"), "a", 1)));

  writeBytes(path("text.db"), "not a database");
  Expected<MergeStats> stats = db->mergeFrom(path("text.db"));
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.message().find("not a SQLite database"), std::string::npos)
      << stats.message();
  EXPECT_EQ(readBytes(path("text.db")), "not a database");

  // Corrupt the last leaf page of the source's trials table: the header and
  // schema are intact, so the merge has inserted the trials of the earlier
  // pages when it fails.
  std::string source = makeDatabase("source.db", 300);
  sqlite3 *raw = nullptr;
  ASSERT_EQ(sqlite3_open(source.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt *query = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT rootpage, (SELECT page_size FROM "
                               "pragma_page_size) FROM sqlite_master WHERE "
                               "name = 'trials'",
                               -1, &query, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(query), SQLITE_ROW);
  int64_t root = sqlite3_column_int64(query, 0);
  int64_t pageSize = sqlite3_column_int64(query, 1);
  sqlite3_finalize(query);
  sqlite3_close(raw);
  std::string bytes = readBytes(source);
  auto page = [&](int64_t number) {
    return reinterpret_cast<unsigned char *>(&bytes[(number - 1) * pageSize]);
  };
  ASSERT_EQ(page(root)[0], 0x05) << "the trials table should span pages";
  const unsigned char *rightmost = page(root) + 8; // big-endian child page
  int64_t last = int64_t(rightmost[0]) << 24 | rightmost[1] << 16 |
                 rightmost[2] << 8 | rightmost[3];
  std::fill_n(page(last), pageSize, 0xff);
  writeBytes(source, bytes);

  stats = db->mergeFrom(source);
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.message().find("malformed"), std::string::npos)
      << stats.message();
  EXPECT_EQ(readBytes(source), bytes);
  EXPECT_EQ(*db->countTrials(), 1);
  EXPECT_EQ(*db->countKernels(), 1);
  EXPECT_FALSE(*db->hasTrial(makeKey("k0"), "config-0"));
  EXPECT_TRUE(db->allBest()->empty());
}

TEST_F(TuningDatabaseTest, ExportCopiesEverythingAndNeverOverwrites) {
  std::string file = makeDatabase("t.db", 20);
  Expected<TuningDatabase> db = TuningDatabase::open(file, OpenMode::ReadOnly);
  ASSERT_TRUE(db) << db.message();
  ASSERT_TRUE(db->exportTo(path("copy.db")).ok());
  Expected<TuningDatabase> copy =
      TuningDatabase::open(path("copy.db"), OpenMode::ExistingOnly);
  ASSERT_TRUE(copy) << copy.message();
  EXPECT_EQ(*copy->countTrials(), 20);
  EXPECT_EQ(*copy->countKernels(), 1);
  EXPECT_EQ(copy->allBest()->size(), 2u);
  EXPECT_TRUE(copy->checkIntegrity().ok());

  writeBytes(path("existing.db"), "keep me");
  for (const char *target : {"existing.db", "copy.db"}) {
    std::string before = readBytes(path(target));
    Status status = db->exportTo(path(target));
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("the file exists"), std::string::npos)
        << status.message();
    EXPECT_EQ(readBytes(path(target)), before);
  }
}

// One behavioural suite run against both database backends: SQLite on a file in a temp dir and the
// test PostgreSQL server (SEFLEET_TEST_PG_URL, a private schema per test; missing URL = failure).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "offcard/server/db/database.hpp"
#include "offcard/server/db/group_commit.hpp"
#include "pg_test_schema.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::offcard::db {
namespace {

using test::PgTestSchema;
using test::TempDir;
using test::with_url_option;

class DatabaseBackend : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (GetParam() == Dialect::sqlite) {
      url_ = "sqlite:" + (dir_.path() / "test.db").string();
    } else {
      schema_.emplace();  // throws (test fails) without SEFLEET_TEST_PG_URL
      url_ = schema_->url();
    }
    db_ = open_database(url_, 4);
  }

  void TearDown() override { db_.reset(); }

  bool postgresql() const { return GetParam() == Dialect::postgresql; }
  std::string blob_type() const { return postgresql() ? "BYTEA" : "BLOB"; }
  std::string id_column() const { return postgresql() ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY"; }

  void exec(const std::string& sql, const std::vector<Value>& params = {}) {
    db_->run([&](Transaction& tx) { tx.exec(sql, params); });
  }
  std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {}) {
    return db_->run([&](Transaction& tx) { return tx.query(sql, params); });
  }
  std::int64_t count(const std::string& table) { return query("SELECT COUNT(*) FROM " + table).at(0).integer(0); }

  // The concurrent-writer tests: a counter row, `threads` threads each calling `increment_once`
  // `increments` times; the failures counted (the first one reported), and the counter's final value.
  struct ConcurrentRun {
    int failures = 0;
    std::int64_t counter = 0;
  };
  ConcurrentRun increment_concurrently(int threads, int increments,
                                       const std::function<void(std::atomic<int>&)>& once) {
    exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
    exec("INSERT INTO counter (id, n) VALUES (1, 0)");
    std::atomic<int> failures{0};
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t) {
      running.emplace_back([&] {
        for (int i = 0; i < increments; ++i) {
          try {
            once(failures);
          } catch (const std::exception& error) {
            if (failures++ == 0) ADD_FAILURE() << error.what();
          }
        }
      });
    }
    for (auto& thread : running) thread.join();
    return {failures.load(), query("SELECT n FROM counter WHERE id = 1").at(0).integer(0)};
  }
  // Reads the counter, then writes what it read plus one: only correct if no other writer slips in
  // between. Returns the value written.
  static std::int64_t increment_counter(Transaction& tx) {
    const auto n = tx.query("SELECT n FROM counter WHERE id = 1").at(0).integer(0);
    tx.exec("UPDATE counter SET n = $1 WHERE id = 1", {n + 1});
    return n + 1;
  }

  template <typename Fn>
  static Errc error_code_of(Fn&& fn) {
    try {
      fn();
    } catch (const Error& error) {
      return error.code();
    }
    ADD_FAILURE() << "no Error thrown";
    return Errc::invalid_argument;
  }

  TempDir dir_;
  std::optional<PgTestSchema> schema_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(DatabaseBackend, ReportsItsDialect) {
  EXPECT_EQ(db_->dialect(), GetParam());
}

TEST_P(DatabaseBackend, ValuesRoundTripThroughATable) {
  exec("CREATE TABLE vals (k INTEGER NOT NULL, i BIGINT, r DOUBLE PRECISION, t TEXT, b " + blob_type() + ")");
  const Bytes zeros{0x00, 0x01, 0x00, 0xff, 0x00};
  const std::string utf8 =
      "gr\xc3\xbc\xc3\x9f"
      "e \xe2\x9c\x93 \xf0\x9d\x84\x9e";
  const std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}},
      {std::int64_t{2}, std::numeric_limits<std::int64_t>::min(), 0.1, utf8, zeros},
      {std::int64_t{3}, std::numeric_limits<std::int64_t>::max(), -1e300, std::string(), Bytes{}},
      {std::int64_t{4}, std::int64_t{0}, std::numeric_limits<double>::denorm_min(), std::string("it's ?"),
       Bytes(1000, 0)},
  };
  for (const auto& row : rows) exec("INSERT INTO vals (k, i, r, t, b) VALUES ($1, $2, $3, $4, $5)", row);

  const auto read = query("SELECT k, i, r, t, b FROM vals ORDER BY k");
  ASSERT_EQ(read.size(), rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(read[r].values, rows[r]) << "row " << r;
  }
  // The typed getters agree with the variant, and an empty blob/text is not NULL.
  EXPECT_TRUE(read[0].is_null(1));
  EXPECT_EQ(read[0].optional_integer(1), std::nullopt);
  EXPECT_EQ(read[0].optional_text(3), std::nullopt);
  EXPECT_EQ(read[1].integer(1), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(read[1].real(2), 0.1);
  EXPECT_EQ(read[1].text(3), utf8);
  EXPECT_EQ(read[1].blob(4), zeros);
  EXPECT_FALSE(read[2].is_null(4));
  EXPECT_TRUE(read[2].blob(4).empty());
  EXPECT_EQ(read[2].optional_text(3), std::string());
  EXPECT_EQ(read[3].real(2), std::numeric_limits<double>::denorm_min());
}

TEST_P(DatabaseBackend, ParametersComeBackWithTheirType) {
  const Bytes blob{0x00, 0x00, 0x7f};
  const auto row = query("SELECT $1, $2, $3, $4", {std::int64_t{-42}, 2.5, std::string("x"), blob}).at(0);
  EXPECT_EQ(row.integer(0), -42);
  EXPECT_EQ(row.real(1), 2.5);
  EXPECT_EQ(row.text(2), "x");
  EXPECT_EQ(row.blob(3), blob);
  EXPECT_EQ(query("SELECT COUNT(*), SUM(x) FROM (SELECT 2 AS x UNION ALL SELECT 3) AS t").at(0).integer(1), 5);
}

TEST_P(DatabaseBackend, TypedGettersRefuseTheWrongType) {
  const auto row = query("SELECT $1, NULL", {std::string("text")}).at(0);
  EXPECT_EQ(error_code_of([&] { (void)row.integer(0); }), Errc::io_error);
  EXPECT_EQ(error_code_of([&] { (void)row.blob(0); }), Errc::io_error);
  EXPECT_EQ(error_code_of([&] { (void)row.text(1); }), Errc::io_error);
  EXPECT_EQ(error_code_of([&] { (void)row.text(2); }), Errc::io_error);
}

// $n placeholders are read by the database's own parser: a "$1" inside a literal or an identifier is
// text, a placeholder may come twice and in any order, and $n binds the n-th value on both backends.
TEST_P(DatabaseBackend, NumberedPlaceholdersBindTheNthValue) {
  const auto row = query("SELECT '$1', $2, $1, 'it''s $2', \"q$1\" FROM (SELECT 1 AS \"q$1\") AS t -- $3\n",
                         {std::int64_t{7}, std::string("second")})
                       .at(0);
  EXPECT_EQ(row.text(0), "$1");
  EXPECT_EQ(row.text(1), "second");
  EXPECT_EQ(row.integer(2), 7);
  EXPECT_EQ(row.text(3), "it's $2");
  EXPECT_EQ(row.integer(4), 1);
  const auto again = query("SELECT $2, $1, $2", {std::int64_t{1}, std::int64_t{2}}).at(0);
  EXPECT_EQ(again.values, (std::vector<Value>{std::int64_t{2}, std::int64_t{1}, std::int64_t{2}}));
}

TEST_P(DatabaseBackend, PlaceholdersAndValuesMustAgree) {
  // A placeholder without its value.
  EXPECT_EQ(error_code_of([&] { query("SELECT $1, '$1'", {}); }), Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] { query("SELECT $1, $2", {std::int64_t{1}}); }), Errc::invalid_argument);
  // SQLite's other placeholder forms are refused, so the same SQL runs on PostgreSQL (where `?` does
  // not parse: an SQL error there).
  EXPECT_EQ(error_code_of([&] { query("SELECT ?", {std::int64_t{1}}); }),
            postgresql() ? Errc::io_error : Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] { query("SELECT :x", {std::int64_t{1}}); }),
            postgresql() ? Errc::io_error : Errc::invalid_argument);
  if (!postgresql()) {
    // A value no placeholder takes. PostgreSQL accepts a typed parameter the statement does not use,
    // so only SQLite can see this one (every statement of the server runs on SQLite in the tests).
    EXPECT_EQ(error_code_of([&] { query("SELECT $1", {std::int64_t{1}, std::int64_t{2}}); }), Errc::invalid_argument);
    EXPECT_EQ(error_code_of([&] { query("SELECT $01", {std::int64_t{1}}); }), Errc::invalid_argument);
  }
}

TEST_P(DatabaseBackend, ExecRunsAScriptOfSeveralStatements) {
  exec("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);");
  EXPECT_EQ(count("a"), 2);
  // With parameters a statement is prepared, and both databases refuse several statements in one.
  EXPECT_THROW(exec("INSERT INTO a VALUES ($1); INSERT INTO a VALUES (3)", {std::int64_t{1}}), Error);
  // A query is always one statement, with or without parameters.
  EXPECT_THROW(query("SELECT 1; SELECT 2"), Error);
  EXPECT_EQ(count("a"), 2);
}

TEST_P(DatabaseBackend, ReturningIdAndChanges) {
  exec("CREATE TABLE items (id " + id_column() + ", name TEXT NOT NULL)");
  const auto ids = db_->run([&](Transaction& tx) {
    std::vector<std::int64_t> out;
    for (const char* name : {"a", "b", "c"}) {
      out.push_back(tx.exec_returning_id("INSERT INTO items (name) VALUES ($1) RETURNING id", {std::string(name)}));
      EXPECT_EQ(tx.changes(), 1u);
    }
    tx.exec("UPDATE items SET name = 'z' WHERE id >= $1", {out[1]});
    EXPECT_EQ(tx.changes(), 2u);
    tx.exec("UPDATE items SET name = 'y' WHERE id < 0");
    EXPECT_EQ(tx.changes(), 0u);
    return out;
  });
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  EXPECT_EQ(query("SELECT name FROM items WHERE id = $1", {ids[2]}).at(0).text(0), "z");
}

TEST_P(DatabaseBackend, RollsBackWhenNotCommitted) {
  exec("CREATE TABLE t (x INTEGER)");
  {
    auto tx = db_->begin();
    tx->exec("INSERT INTO t VALUES (1)");
    EXPECT_EQ(tx->query("SELECT COUNT(*) FROM t").at(0).integer(0), 1);
  }
  EXPECT_EQ(count("t"), 0);
  // run() rolls back when the function throws, and the exception reaches the caller.
  EXPECT_THROW(db_->run([&](Transaction& tx) {
    tx.exec("INSERT INTO t VALUES (2)");
    throw std::runtime_error("caller gives up");
  }),
               std::runtime_error);
  EXPECT_EQ(count("t"), 0);
}

TEST_P(DatabaseBackend, CommitIsVisibleToOtherTransactions) {
  exec("CREATE TABLE t (x INTEGER)");
  auto tx = db_->begin();
  tx->exec("INSERT INTO t VALUES (1)");
  tx->commit();
  EXPECT_EQ(error_code_of([&] { tx->exec("INSERT INTO t VALUES (2)"); }), Errc::state_error);
  tx.reset();
  EXPECT_EQ(count("t"), 1);
}

TEST_P(DatabaseBackend, ConstraintViolationsAreStateErrors) {
  exec("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  exec("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id))");
  exec("INSERT INTO parent (id, name) VALUES (1, 'a')");
  EXPECT_EQ(error_code_of([&] { exec("INSERT INTO parent (id, name) VALUES (2, 'a')"); }), Errc::state_error);
  EXPECT_EQ(error_code_of([&] { exec("INSERT INTO parent (id, name) VALUES (1, 'b')"); }), Errc::state_error);
  EXPECT_EQ(error_code_of([&] { exec("INSERT INTO parent (id, name) VALUES (3, NULL)"); }), Errc::state_error);
  // Foreign keys are enforced (SQLite needs them switched on per connection).
  EXPECT_EQ(error_code_of([&] { exec("INSERT INTO child (id, parent_id) VALUES (1, 99)"); }), Errc::state_error);
  exec("INSERT INTO child (id, parent_id) VALUES (1, 1)");
  EXPECT_EQ(count("parent"), 1);
  EXPECT_EQ(count("child"), 1);
  // Bad SQL is neither a constraint nor an outage.
  EXPECT_EQ(error_code_of([&] { exec("INSERT INTO no_such_table VALUES (1)"); }), Errc::io_error);
}

TEST_P(DatabaseBackend, ConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  const ConcurrentRun run = increment_concurrently(
      kThreads, kIncrements, [&](std::atomic<int>&) { db_->run([](Transaction& tx) { increment_counter(tx); }); });
  EXPECT_EQ(run.failures, 0);
  EXPECT_EQ(run.counter, kThreads * kIncrements);
}

// Group commit: the functions queued while a batch runs share the next transaction; each gets its own
// result or its own failure, and a failed one leaves no row while the others of its batch commit.
TEST_P(DatabaseBackend, GroupCommitSharesOneTransactionAndKeepsFailuresApart) {
  exec("CREATE TABLE t (k INTEGER PRIMARY KEY, who TEXT NOT NULL)");
  exec("INSERT INTO t (k, who) VALUES (100, 'before')");
  CommitGroup group(*db_);
  std::promise<void> first_running;
  std::promise<void> release_first;
  // The first function holds its batch open until five more wait, so those five form the second batch.
  auto first = std::async(std::launch::async, [&] {
    return group.run([&](Transaction& tx) {
      tx.exec("INSERT INTO t (k, who) VALUES (0, 'first')");
      first_running.set_value();
      release_first.get_future().wait();
      return 0;
    });
  });
  first_running.get_future().wait();
  std::vector<std::future<std::int64_t>> others;
  for (std::int64_t k = 1; k <= 5; ++k) {
    others.push_back(std::async(std::launch::async, [&, k] {
      return group.run([&, k](Transaction& tx) -> std::int64_t {
        tx.exec("INSERT INTO t (k, who) VALUES ($1, 'batch')", {k});
        if (k == 2) throw std::runtime_error("refused after its write");
        if (k == 4) tx.exec("INSERT INTO t (k, who) VALUES (100, 'duplicate')");  // a constraint violation
        return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0);
      });
    }));
  }
  while (group.stats().waiting < 5) std::this_thread::yield();
  release_first.set_value();
  EXPECT_EQ(first.get(), 0);
  std::vector<std::int64_t> seen;
  for (std::size_t n = 0; n < others.size(); ++n) {
    if (n == 1) {
      EXPECT_THROW(others[n].get(), std::runtime_error);
    } else if (n == 3) {
      EXPECT_EQ(error_code_of([&] { others[n].get(); }), Errc::state_error);
    } else {
      seen.push_back(others[n].get());
    }
  }
  // Each function saw the rows of the functions before it in its batch, never a refused one's.
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(query("SELECT k FROM t ORDER BY k").size(), 5u);
  EXPECT_TRUE(query("SELECT k FROM t WHERE k = 2 OR k = 4").empty());
  EXPECT_EQ(query("SELECT who FROM t WHERE k = 100").at(0).text(0), "before");
  const auto stats = group.stats();
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.functions, 6u);
  EXPECT_EQ(stats.waiting, 0u);
}

// A function alone in its batch runs without a savepoint: its refusal (an exception after its write, a
// constraint violation) still undoes its rows and reaches its caller only, and the group goes on.
TEST_P(DatabaseBackend, GroupCommitUndoesTheRowsOfARefusedFunctionAloneInItsBatch) {
  exec("CREATE TABLE t (k INTEGER PRIMARY KEY, who TEXT NOT NULL)");
  CommitGroup group(*db_);
  group.run(Durability::full, [](Transaction& tx) { tx.exec("INSERT INTO t (k, who) VALUES (1, 'kept')"); });
  EXPECT_THROW(group.run(Durability::full,
                         [](Transaction& tx) {
                           tx.exec("INSERT INTO t (k, who) VALUES (2, 'refused')");
                           throw std::runtime_error("refused after its write");
                         }),
               std::runtime_error);
  EXPECT_EQ(error_code_of([&] {
              group.run([](Transaction& tx) {
                tx.exec("INSERT INTO t (k, who) VALUES (3, 'refused')");
                tx.exec("INSERT INTO t (k, who) VALUES (1, 'duplicate')");
              });
            }),
            Errc::state_error);
  EXPECT_EQ(group.run([](Transaction& tx) {
    tx.exec("INSERT INTO t (k, who) VALUES (4, 'kept')");
    return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0);
  }),
            2);
  EXPECT_EQ(query("SELECT k FROM t ORDER BY k").size(), 2u);
  EXPECT_TRUE(query("SELECT k FROM t WHERE k = 2 OR k = 3").empty());
  EXPECT_EQ(query("SELECT who FROM t WHERE k = 1").at(0).text(0), "kept");
  const auto stats = group.stats();
  EXPECT_EQ(stats.batches, 4u);
  EXPECT_EQ(stats.functions, 4u);
}

// Functions queued together (a report and the next SE's authorization) share one batch, committed full
// when one of them asks for it, and each still fails on its own.
TEST_P(DatabaseBackend, GroupCommitRunsFunctionsQueuedTogetherInOneBatchEachOnItsOwn) {
  exec("CREATE TABLE t (k INTEGER PRIMARY KEY)");
  CommitGroup group(*db_);
  const auto errors = group.run_together(
      {{Durability::full, [](Transaction& tx) { tx.exec("INSERT INTO t (k) VALUES (1)"); }},
       {Durability::relaxed,
        [](Transaction& tx) {
          tx.exec("INSERT INTO t (k) VALUES (2)");
          throw std::runtime_error("refused after its write");
        }},
       {Durability::relaxed, [](Transaction& tx) {
          EXPECT_EQ(tx.query("SELECT COUNT(*) FROM t").at(0).integer(0), 1);  // the first's row, not the second's
          tx.exec("INSERT INTO t (k) VALUES (3)");
        }}});
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_FALSE(errors[0]);
  ASSERT_TRUE(errors[1]);
  EXPECT_THROW(std::rethrow_exception(errors[1]), std::runtime_error);
  EXPECT_FALSE(errors[2]);
  EXPECT_EQ(query("SELECT k FROM t ORDER BY k").size(), 2u);
  EXPECT_TRUE(query("SELECT k FROM t WHERE k = 2").empty());
  const auto stats = group.stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.full_batches, 1u);
  EXPECT_EQ(stats.functions, 3u);
}

// A batch commits full when any of its functions asks for full (a report), relaxed when all of them
// are relaxed (authorizations): a relaxed function is never committed less durably than it asked for,
// a full one never relaxed because it shared a batch.
TEST_P(DatabaseBackend, GroupCommitIsFullWhenAnyFunctionOfTheBatchAsksForFull) {
  exec("CREATE TABLE t (k INTEGER PRIMARY KEY)");
  CommitGroup group(*db_);
  const auto insert = [](std::int64_t k) {
    return [k](Transaction& tx) { tx.exec("INSERT INTO t (k) VALUES ($1)", {k}); };
  };
  group.run(Durability::relaxed, insert(1));
  EXPECT_EQ(group.stats().full_batches, 0u);
  group.run(Durability::full, insert(2));
  EXPECT_EQ(group.stats().full_batches, 1u);

  // A relaxed function holds its batch open while two relaxed ones and a full one queue: those three
  // form the next batch, which commits full.
  std::promise<void> first_running;
  std::promise<void> release_first;
  auto first = std::async(std::launch::async, [&] {
    group.run(Durability::relaxed, [&](Transaction& tx) {
      tx.exec("INSERT INTO t (k) VALUES (3)");
      first_running.set_value();
      release_first.get_future().wait();
    });
  });
  first_running.get_future().wait();
  std::vector<std::future<void>> queued;
  queued.push_back(std::async(std::launch::async, [&] { group.run(Durability::relaxed, insert(4)); }));
  queued.push_back(std::async(std::launch::async, [&] { group.run(Durability::full, insert(5)); }));
  queued.push_back(std::async(std::launch::async, [&] { group.run(insert(6)); }));  // relaxed by default
  while (group.stats().waiting < 3) std::this_thread::yield();
  release_first.set_value();
  first.get();
  for (auto& one : queued) one.get();
  const auto stats = group.stats();
  EXPECT_EQ(stats.batches, 4u);
  EXPECT_EQ(stats.functions, 6u);
  EXPECT_EQ(stats.full_batches, 2u);  // {2} and {4, 5, 6}; {1} and {3} relaxed
  EXPECT_EQ(count("t"), 6);
  // Each caller's rows are visible to another connection once its run returned.
  auto other = open_database(url_, 1);
  EXPECT_EQ(other->read([](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0); }), 6);
}

// Many writers through one group: no update lost, every result returned after its commit (another
// connection reads it at once), and the batches held more than one function on average.
TEST_P(DatabaseBackend, GroupCommitLosesNoUpdateUnderConcurrentWriters) {
  CommitGroup group(*db_);
  constexpr int kThreads = 6;
  constexpr int kIncrements = 20;
  const ConcurrentRun run = increment_concurrently(kThreads, kIncrements, [&](std::atomic<int>& failures) {
    const auto written = group.run([](Transaction& tx) { return increment_counter(tx); });
    const auto committed =
        db_->read([](Transaction& tx) { return tx.query("SELECT n FROM counter WHERE id = 1").at(0).integer(0); });
    if (committed < written && failures++ == 0) ADD_FAILURE() << "returned before its commit";
  });
  EXPECT_EQ(run.failures, 0);
  EXPECT_EQ(run.counter, kThreads * kIncrements);
  EXPECT_EQ(group.stats().functions, static_cast<std::size_t>(kThreads * kIncrements));
  EXPECT_LE(group.stats().batches, group.stats().functions);
}

TEST_P(DatabaseBackend, ReadOnlyTransactionsRefuseWritesAndDoNotWaitForWriters) {
  exec("CREATE TABLE t (x INTEGER)");
  exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(error_code_of([&] { db_->read([&](Transaction& tx) { tx.exec("INSERT INTO t VALUES (2)"); }); }),
            Errc::io_error);
  auto writer = db_->begin();
  writer->exec("INSERT INTO t VALUES (3)");
  auto reader = std::async(std::launch::async, [&] {
    return db_->read([&](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0); });
  });
  ASSERT_EQ(reader.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(reader.get(), 1);  // the snapshot does not see the uncommitted row
  writer->commit();
  EXPECT_EQ(count("t"), 2);
}

std::vector<Migration> three_migrations() {
  return {
      {1, "create campaigns", "CREATE TABLE campaigns (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", ""},
      {2, "create blobs", "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB); CREATE INDEX blobs_id ON blobs (id)",
       "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BYTEA); CREATE INDEX blobs_id ON blobs (id)"},
      {3, "campaign state", "ALTER TABLE campaigns ADD COLUMN state TEXT NOT NULL DEFAULT 'active'", ""},
  };
}

TEST_P(DatabaseBackend, MigrationsApplyOnceInOrder) {
  auto migrations = three_migrations();
  EXPECT_EQ(schema_version(*db_), 0);
  migrate(*db_, {migrations[0], migrations[1]});
  EXPECT_EQ(schema_version(*db_), 2);
  exec("INSERT INTO blobs (id, data) VALUES (1, $1)", {Bytes{0, 1, 2}});
  // Again: a no-op (re-running CREATE TABLE would fail), then the new one is added.
  migrate(*db_, {migrations[0], migrations[1]});
  migrate(*db_, migrations);
  EXPECT_EQ(schema_version(*db_), 3);
  EXPECT_EQ(count("schema_migrations"), 3);
  exec("INSERT INTO campaigns (id, name) VALUES (1, 'c')");
  EXPECT_EQ(query("SELECT state FROM campaigns").at(0).text(0), "active");
  // A second process (another Database on the same storage) sees it done too.
  auto other = open_database(url_, 1);
  migrate(*other, migrations);
  EXPECT_EQ(schema_version(*other), 3);
}

TEST_P(DatabaseBackend, MigrationsRefuseANewerOrDifferentDatabase) {
  auto migrations = three_migrations();
  migrate(*db_, migrations);
  try {
    migrate(*db_, {migrations[0], migrations[1]});
    FAIL() << "a database newer than the code was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::state_error);
    EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
  }
  auto renamed = migrations;
  renamed[1].name = "something else";
  EXPECT_EQ(error_code_of([&] { migrate(*db_, renamed); }), Errc::state_error);
  auto unordered = migrations;
  std::swap(unordered[0], unordered[1]);
  EXPECT_EQ(error_code_of([&] { migrate(*db_, unordered); }), Errc::invalid_argument);
  EXPECT_EQ(schema_version(*db_), 3);
}

TEST_P(DatabaseBackend, AFailingMigrationLeavesNoTrace) {
  auto migrations = three_migrations();
  migrate(*db_, {migrations[0]});
  const std::vector<Migration> broken = {
      migrations[0], {2, "half done", "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1)", ""}};
  try {
    migrate(*db_, broken);
    FAIL() << "the broken migration was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::io_error);
    EXPECT_NE(std::string(error.what()).find("half done"), std::string::npos) << error.what();
  }
  EXPECT_EQ(schema_version(*db_), 1);
  EXPECT_EQ(error_code_of([&] { count("half"); }), Errc::io_error);  // the table was rolled back with it
}

TEST_P(DatabaseBackend, RefusesBadUrls) {
  EXPECT_EQ(error_code_of([] { open_database("mysql://localhost/db"); }), Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] { open_database(url_, 0); }), Errc::invalid_argument);
}

std::string backend_name(const ::testing::TestParamInfo<Dialect>& param) {
  return param.param == Dialect::sqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseBackend, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         backend_name);

// --- outages: backend specific, since "the server goes away" means something else for each ---

TEST(SqliteOutage, ALockHeldTooLongIsUnavailableThenWorksAgain) {
  TempDir dir;
  const std::string url = "sqlite:" + (dir.path() / "locked.db").string();
  auto holder = open_database(url, 1);
  holder->run([](Transaction& tx) { tx.exec("CREATE TABLE t (x INTEGER)"); });
  auto impatient = open_database(url + "?busy_timeout_ms=50", 2);
  auto lock = holder->begin();  // another process's writer, as far as `impatient` can tell
  lock->exec("INSERT INTO t VALUES (1)");
  try {
    impatient->run([](Transaction& tx) { tx.exec("INSERT INTO t VALUES (2)"); });
    FAIL() << "wrote through a held lock";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
  }
  // WAL: reading still works while the writer holds the lock.
  EXPECT_EQ(impatient->read([](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0); }), 0);
  lock->commit();
  lock.reset();
  impatient->run([](Transaction& tx) { tx.exec("INSERT INTO t VALUES (2)"); });
  EXPECT_EQ(impatient->read([](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0); }), 2);
}

// The writer's commits no longer checkpoint inline: the checkpointer thread copies the WAL into the
// database file once it passes 1,000 pages, with nobody writing or reading afterwards, and the data
// stays whole.
TEST(SqliteCheckpoints, TheWalReachesTheDatabaseFileWithoutAnotherCommit) {
  TempDir dir;
  const auto path = dir.path() / "test.db";
  auto db = open_database("sqlite:" + path.string(), 2);
  db->run([](Transaction& tx) { tx.exec("CREATE TABLE pages (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"); });
  // 600 relaxed commits of three overflow pages and a leaf each: about 2,400 WAL pages (two checkpoint
  // requests), under the writer's own checkpoint threshold (8,000).
  const Bytes page_sized(3 * 4096, 0x5A);
  for (std::int64_t k = 0; k < 600; ++k) {
    db->run_relaxed([&](Transaction& tx) { tx.exec("INSERT INTO pages (id, data) VALUES ($1, $2)", {k, page_sized}); });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::filesystem::file_size(path) < 1000 * 4096 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(std::filesystem::file_size(path), 1000u * 4096u);
  const auto rows = db->read([](Transaction& tx) { return tx.query("SELECT COUNT(*), SUM(LENGTH(data)) FROM pages"); });
  EXPECT_EQ(rows.at(0).integer(0), 600);
  EXPECT_EQ(rows.at(0).integer(1), 600 * 3 * 4096);
  db.reset();
  // Reopened: everything is there (the WAL's last pages were copied on close).
  auto again = open_database("sqlite:" + path.string(), 1);
  EXPECT_EQ(again->read([](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM pages"); }).at(0).integer(0), 600);
}

TEST(SqliteOutage, AnUnreachablePathIsUnavailable) {
  TempDir dir;
  try {
    open_database("sqlite:" + (dir.path() / "missing" / "dir" / "x.db").string());
    FAIL() << "opened a database in a missing directory";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
  }
}

TEST(SqliteOptions, RejectsUnknownOptionsAndKeepsMemoryDatabasesWhole) {
  EXPECT_THROW(open_database("sqlite::memory:?bogus=1"), Error);
  EXPECT_THROW(open_database("sqlite::memory:?busy_timeout_ms=abc"), Error);
  auto memory = open_database(":memory:", 8);
  memory->run([](Transaction& tx) { tx.exec("CREATE TABLE t (x INTEGER)"); });
  // Every transaction sees the same in-memory database, whatever the pool size asked for.
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] { memory->run([](Transaction& tx) { tx.exec("INSERT INTO t VALUES (1)"); }); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(memory->read([](Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t").at(0).integer(0); }), 3);
  EXPECT_EQ(memory->describe(), "sqlite::memory:");
}

// PostgreSQL outage, in-process: the test's connections log in as a role of their own; the admin
// connection terminates them (pg_terminate_backend) and forbids new logins, which is what a stopped
// server looks like to the pool; then lets them back in.
class PgOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    role_ = schema_.name() + "_role";
    schema_.admin().run([&](Transaction& tx) {
      tx.exec("CREATE ROLE " + role_ + " LOGIN");
      tx.exec("GRANT ALL ON SCHEMA " + schema_.name() + " TO " + role_);
    });
    // postgresql://postgres@host... -> postgresql://ROLE@host...
    std::string url = schema_.url();
    const auto at = url.find('@');
    url_ = "postgresql://" + role_ + url.substr(at);
    url_ = with_url_option(url_, "application_name=" + role_);
  }
  void TearDown() override {
    try {
      set_login(true);
      terminate();
      schema_.admin().run([&](Transaction& tx) {
        tx.exec("DROP OWNED BY " + role_ + " CASCADE");
        tx.exec("DROP ROLE " + role_);
      });
    } catch (const std::exception& error) {
      ADD_FAILURE() << "cleanup: " << error.what();
    }
  }
  int terminate() {
    return static_cast<int>(schema_.admin().run([&](Transaction& tx) {
      return tx.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", {role_}).size();
    }));
  }
  void set_login(bool on) {
    schema_.admin().run([&](Transaction& tx) { tx.exec("ALTER ROLE " + role_ + (on ? " LOGIN" : " NOLOGIN")); });
  }
  // pg_terminate_backend only signals: wait until the backends are really gone.
  void wait_until_gone() {
    for (int i = 0; i < 200; ++i) {
      const auto left = schema_.admin().read([&](Transaction& tx) {
        return tx.query("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = $1", {role_}).at(0).integer(0);
      });
      if (left == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "backends of " << role_ << " still alive";
  }

  PgTestSchema schema_;
  std::string role_;
  std::string url_;
};

TEST_F(PgOutage, ServerGoneIsUnavailableAndThePoolRecovers) {
  auto db = open_database(url_, 3);
  db->run([](Transaction& tx) { tx.exec("CREATE TABLE t (x INTEGER)"); });

  // Killed in the middle of a transaction: that transaction fails as unavailable, nothing committed.
  auto tx = db->begin();
  tx->exec("INSERT INTO t VALUES (1)");
  EXPECT_GE(terminate(), 1);
  wait_until_gone();
  try {
    tx->exec("INSERT INTO t VALUES (2)");
    tx->commit();
    FAIL() << "a transaction survived its connection";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
  }
  tx.reset();

  // While the server refuses us, every transaction is unavailable (not a crash, not a hang).
  set_login(false);
  terminate();
  wait_until_gone();
  for (int i = 0; i < 2; ++i) {
    try {
      db->run([](Transaction& t) { t.exec("INSERT INTO t VALUES (3)"); });
      FAIL() << "wrote while the server was away";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
    }
  }
  try {
    open_database(url_, 1);
    FAIL() << "connected while the server was away";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
  }

  // The server is back: the same Database works again without being reopened.
  set_login(true);
  db->run([](Transaction& t) { t.exec("INSERT INTO t VALUES (4)"); });
  EXPECT_EQ(db->read([](Transaction& t) { return t.query("SELECT x FROM t").size(); }), 1u);

  // Idle pooled connections that died are replaced transparently at begin().
  terminate();
  wait_until_gone();
  EXPECT_EQ(db->read([](Transaction& t) { return t.query("SELECT x FROM t").at(0).integer(0); }), 4);
}

TEST(PgOptions, DescribeHidesThePassword) {
  const std::string base = test::test_pg_url();  // trust authentication: the password is not checked
  const auto at = base.find('@');
  ASSERT_NE(at, std::string::npos);
  const std::string with_password = base.substr(0, at) + ":s3cr3t-pw" + base.substr(at);
  auto db = open_database(with_password, 1);
  EXPECT_EQ(db->describe().find("s3cr3t-pw"), std::string::npos) << db->describe();
  EXPECT_EQ(db->describe(), base);
}

TEST(PgOptions, AnUnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  try {
    open_database("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", 1);
    FAIL() << "connected to nothing";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::unavailable) << error.what();
  }
}

}  // namespace
}  // namespace sefleet::offcard::db

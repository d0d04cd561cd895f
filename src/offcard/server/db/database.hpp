// The server's storage: one small interface over SQLite (embedded default) and PostgreSQL.
//
// Repository code writes portable SQL with `$1`, `$2` ... placeholders ($n takes the n-th value; both
// databases read them with their own parser: SQLite as named parameters, PostgreSQL natively) and runs
// every state change in a Transaction. A statement whose placeholders and values do not agree is refused
// with Error(Errc::invalid_argument). Errors are typed so the HTTP layer can map them without knowing the backend:
//   Error(Errc::unavailable)  the database cannot be reached, is down, timed out, or a write conflict
//                             persisted past run()'s retries (the server answers 503 + Retry-After)
//   Error(Errc::state_error)  a constraint was violated (unique, foreign key, not null, check)
//   Error(Errc::io_error)     anything else (bad SQL, type mismatch, disk full ...)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"

namespace sefleet::offcard::db {

// A value bound to or read from SQL: NULL, 64-bit integer, double, text (UTF-8), blob.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Bytes>;

// One result row. The typed getters throw Error(Errc::io_error) naming the column index when the
// value has another type (or is NULL for the non-optional getters), so a schema mistake is loud.
struct Row {
  std::vector<Value> values;

  std::size_t size() const { return values.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t integer(std::size_t i) const;
  std::optional<std::int64_t> optional_integer(std::size_t i) const;
  double real(std::size_t i) const;  // also accepts an integer column (SQL arithmetic may yield one)
  const std::string& text(std::size_t i) const;
  std::optional<std::string> optional_text(std::size_t i) const;
  const Bytes& blob(std::size_t i) const;
  std::optional<Bytes> optional_blob(std::size_t i) const;
};

// Thrown by a backend when the transaction lost a race it may win if simply run again
// (PostgreSQL serialization failure / deadlock, SQLite SQLITE_BUSY). Database::run retries it;
// callers of begin() see it as Error(Errc::unavailable).
class TransientConflict : public Error {
 public:
  explicit TransientConflict(const std::string& message) : Error(Errc::unavailable, message) {}
};

// One unit of work on one pooled connection: commit() or it rolls back in the destructor.
// A Transaction is used by one thread at a time.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual void exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  virtual std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // For `INSERT ... RETURNING id` (both SQLite >= 3.35 and PostgreSQL): the id of the new row.
  virtual std::int64_t exec_returning_id(std::string_view sql, const std::vector<Value>& params) = 0;
  virtual std::size_t changes() const = 0;  // rows changed by the last exec
  virtual void commit() = 0;
};

enum class Dialect { sqlite, postgresql };

// How durable a write transaction is when commit() returns.
//  full:    on stable storage: it survives a power loss of the machine.
//  relaxed: it survives a crash of the process at once, and reaches stable storage with the next full
//           commit (or checkpoint) of the same database; a power loss of the machine may drop the
//           relaxed commits made since, never a full one, and never leaves a half-applied transaction
//           (SQLite WAL with synchronous=NORMAL for that commit; PostgreSQL synchronous_commit=off).
// The server makes its records of handed-out PAUTs relaxed (a lost one only costs a fresh PAUT) and
// every report, decision and operator action full: docs/database.md, "Durability".
enum class Durability { full, relaxed };

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Thread-safe: takes a connection from the pool (waiting when all are busy) and opens a
  // transaction on it. SQLite: WAL, one writer at a time (every transaction is BEGIN IMMEDIATE).
  virtual std::unique_ptr<Transaction> begin(Durability durability) = 0;
  std::unique_ptr<Transaction> begin() { return begin(Durability::full); }
  // A transaction that only reads: it does not queue behind writers (SQLite: no write lock, WAL
  // snapshot; PostgreSQL: READ ONLY). A write in it fails with Error(Errc::io_error).
  virtual std::unique_ptr<Transaction> begin_read_only() = 0;
  virtual std::string describe() const = 0;  // the URL without password

  // Runs fn(Transaction&) in a transaction and commits it; when the backend reports a transient
  // conflict, the whole function runs again (bounded, with a short growing pause). fn must
  // therefore only touch the database through the transaction, or be safe to repeat.
  // Returns what fn returns.
  template <typename Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<Fn&, Transaction&> {
    return run_with(fn, false, Durability::full);
  }
  // The same with a relaxed commit (see Durability).
  template <typename Fn>
  auto run_relaxed(Fn&& fn) -> std::invoke_result_t<Fn&, Transaction&> {
    return run_with(fn, false, Durability::relaxed);
  }
  // The same for a function that only reads (see begin_read_only).
  template <typename Fn>
  auto read(Fn&& fn) -> std::invoke_result_t<Fn&, Transaction&> {
    return run_with(fn, true, Durability::full);
  }

  // Enough for several threads hammering one row under SERIALIZABLE (each conflict means another
  // transaction committed, so the pauses below let every contender through in turn).
  static constexpr int kRunAttempts = 40;

 private:
  template <typename Fn>
  auto run_with(Fn& fn, bool read_only, Durability durability) -> std::invoke_result_t<Fn&, Transaction&> {
    using Result = std::invoke_result_t<Fn&, Transaction&>;
    for (int attempt = 1;; ++attempt) {
      try {
        auto tx = read_only ? begin_read_only() : begin(durability);
        if constexpr (std::is_void_v<Result>) {
          fn(*tx);
          tx->commit();
          return;
        } else {
          Result result = fn(*tx);
          tx->commit();
          return result;
        }
      } catch (const TransientConflict&) {
        if (attempt >= kRunAttempts) throw;
        pause_before_retry(attempt);
      }
    }
  }
  // A random pause growing with the attempt (so colliding transactions do not collide again).
  static void pause_before_retry(int attempt);
};

// "sqlite:PATH" or a plain path, "sqlite::memory:" / ":memory:" for tests (one shared in-memory
// database for the whole pool); "postgresql://user[:pw]@host:port/db[?options]" (also
// "postgres://"). Throws Error(Errc::invalid_argument) for a malformed URL, Errc::unavailable when the
// server cannot be reached.
std::unique_ptr<Database> open_database(std::string_view url, std::size_t pool_size = 8);

struct Migration {
  int version;  // strictly increasing, > 0
  std::string name;
  std::string sqlite_sql;      // may hold several statements separated by ';'
  std::string postgresql_sql;  // empty: same as sqlite_sql
};

// Applies the missing migrations in order, each in its own transaction together with its row in
// schema_migrations(version, name, applied_at). Idempotent. Refuses (Error(Errc::state_error)) a
// database that records a migration newer than the newest one given (a newer server wrote it), and a
// recorded version whose name differs from the code's (the two do not share history).
void migrate(Database& db, const std::vector<Migration>& migrations);

// The highest applied migration version (0 for a fresh database).
int schema_version(Database& db);

}  // namespace sefleet::offcard::db

// PostgreSQL backend over libpq: a pool of connections, each with its own cache of prepared statements.
//
// Isolation: every read-write transaction is SERIALIZABLE. Repository code is written once for both
// backends and SQLite runs writers one at a time, so read-then-write logic (check a state, then change
// it) must stay correct here without SELECT ... FOR UPDATE sprinkled per dialect. PostgreSQL reports
// the conflicts it detects as serialization failures (40001) or deadlocks (40P01): those become
// TransientConflict and Database::run() runs the transaction again. Read-only transactions use
// REPEATABLE READ READ ONLY (one consistent snapshot, never a serialization failure).
//
// Connection loss (server stopped or restarted, backend terminated) gives Error(Errc::unavailable) and
// the broken connection leaves the pool; the next begin() connects again. begin() itself retries on a
// fresh connection when an idle pooled one turns out to be dead, since nothing was done on it yet.
#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "offcard/server/db/backends.hpp"
#include "offcard/server/db/connection_pool.hpp"
#include "offcard/server/db/libpq_library.hpp"

namespace sefleet::offcard::db {
namespace {

// Type OIDs from PostgreSQL's pg_type.h (stable across versions).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700, kFloat8 = 701,
              kNumeric = 1700;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

class PgConnection {
 public:
  PgConnection(const std::string& conninfo, const std::string& described) {
    handle_ = libpq().connectdb(conninfo.c_str());
    if (handle_ == nullptr) throw Error(Errc::unavailable, "database (postgresql): out of memory connecting");
    if (libpq().status(handle_) != CONNECTION_OK) {
      std::string message =
          "database (postgresql): cannot connect to " + described + ": " + first_line(libpq().error_message(handle_));
      libpq().finish(handle_);
      throw Error(Errc::unavailable, message);
    }
    // NOTICEs ("relation already exists, skipping") are chatter, not errors: libpq would print them.
    libpq().set_notice_processor(
        handle_, [](void*, const char*) {}, nullptr);
    if (libpq().set_client_encoding(handle_, "UTF8") != 0) {
      libpq().finish(handle_);
      throw Error(Errc::io_error, "database (postgresql): cannot set client encoding UTF8");
    }
  }
  ~PgConnection() { libpq().finish(handle_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* handle() const { return handle_; }
  bool broken() const { return broken_ || libpq().status(handle_) != CONNECTION_OK; }

  static std::string first_line(const char* text) {
    std::string line = text ? text : "";
    if (auto end = line.find('\n'); end != std::string::npos) line.resize(end);
    return line;
  }

  // Turns a failed result into the typed error; `result` may be null (libpq out of memory or I/O).
  [[noreturn]] void fail(const PGresult* result, std::string_view purpose) {
    const char* state = result ? libpq().result_error_field(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    std::string message = first_line(result ? libpq().result_error_message(result) : libpq().error_message(handle_));
    if (message.empty()) message = first_line(libpq().error_message(handle_));
    message = "database (postgresql): " + std::string(purpose) + ": " + message;
    if (libpq().status(handle_) != CONNECTION_OK) broken_ = true;
    if (broken_ || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
        sqlstate.rfind("53", 0) == 0 || sqlstate == "57014") {
      // Connection exceptions, administrator shutdown/termination, server starting up, out of
      // resources, statement timeout: the server is not usable now.
      if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0) broken_ = true;
      throw Error(Errc::unavailable, message);
    }
    if (sqlstate == "40001" || sqlstate == "40P01") throw TransientConflict(message);
    if (sqlstate.rfind("23", 0) == 0) throw Error(Errc::state_error, message);
    throw Error(Errc::io_error, message);
  }

  // Runs a statement without parameters through the simple protocol (several statements allowed).
  ResultPtr simple(const std::string& sql, std::string_view purpose) {
    ResultPtr result(libpq().exec(handle_, sql.c_str()), libpq().clear);
    check(result.get(), purpose);
    return result;
  }

  // A statement prepared on this connection (on first use) for these parameter types. PostgreSQL itself
  // reads the $n placeholders and refuses several statements in one prepared statement; the number of
  // parameters it found is checked against the number given, so a $3 without a third value is refused
  // here rather than bound to whatever PostgreSQL guessed.
  const std::string& prepared(std::string_view sql, const std::vector<Value>& params, std::string_view purpose) {
    std::string key;
    std::vector<Oid> types;
    key.reserve(params.size() + 1 + sql.size());
    for (const Value& value : params) {
      key += static_cast<char>('0' + value.index());
      types.push_back(type_of(value));
    }
    key += '|';
    key += sql;
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::string name = "sefleet_" + std::to_string(cache_.size() + 1);
      const std::string text(sql);
      ResultPtr result(
          libpq().prepare(handle_, name.c_str(), text.c_str(), static_cast<int>(types.size()), types.data()),
          libpq().clear);
      check(result.get(), purpose);
      ResultPtr description(libpq().describe_prepared(handle_, name.c_str()), libpq().clear);
      check(description.get(), purpose);
      it = cache_.emplace(std::move(key), PreparedStatement{std::move(name), libpq().nparams(description.get())}).first;
    }
    if (it->second.parameters != static_cast<int>(params.size())) {
      throw Error(Errc::invalid_argument, "database (postgresql): " + std::string(purpose) + ": uses " +
                                              std::to_string(it->second.parameters) + " parameters, " +
                                              std::to_string(params.size()) + " given");
    }
    return it->second.name;
  }

  void check(const PGresult* result, std::string_view purpose) {
    const auto status = result ? libpq().result_status(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, purpose);
  }

 private:
  // Integers, reals and blobs are sent typed; text and NULL as "unknown" so the server takes them as
  // literals of whatever type the context wants (a TEXT, a VARCHAR, a TIMESTAMP column ...).
  static Oid type_of(const Value& value) {
    switch (value.index()) {
      case 1:
        return kInt8;
      case 2:
        return kFloat8;
      case 4:
        return kBytea;
      default:
        return 0;
    }
  }

  PGconn* handle_ = nullptr;
  bool broken_ = false;
  struct PreparedStatement {
    std::string name;
    int parameters = 0;  // as PostgreSQL counted the statement's $n
  };
  std::unordered_map<std::string, PreparedStatement> cache_;
};

std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
  return std::string(buffer, end);
}

Bytes decode_bytea(std::string_view text) {
  // Servers since 9.0 send bytea as "\x" followed by hex digits (bytea_output = hex, the default).
  if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) {
    throw Error(Errc::io_error, "database (postgresql): bytea not in hex output format (set bytea_output = hex)");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw Error(Errc::io_error, "database (postgresql): bad hex digit in bytea");
  };
  Bytes out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

Value read_value(const PGresult* result, int row, int column) {
  if (libpq().getisnull(result, row, column)) return std::monostate{};
  const std::string_view text(libpq().getvalue(result, row, column),
                              static_cast<std::size_t>(libpq().getlength(result, row, column)));
  const Oid type = libpq().ftype(result, column);
  auto as_integer = [&](std::int64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
  };
  auto as_double = [&]() -> double {
    double out = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc{} || end != text.data() + text.size()) {
      throw Error(Errc::io_error, "database (postgresql): unreadable number in column " + std::to_string(column));
    }
    return out;
  };
  switch (type) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      std::int64_t value = 0;
      if (!as_integer(value))
        throw Error(Errc::io_error, "database (postgresql): unreadable integer in column " + std::to_string(column));
      return value;
    }
    case kBool:
      return std::int64_t{text == "t" ? 1 : 0};
    case kFloat4:
    case kFloat8:
      return as_double();
    case kNumeric: {
      // SUM() of integers is numeric: keep it an integer when it is one.
      std::int64_t value = 0;
      if (as_integer(value)) return value;
      return as_double();
    }
    case kBytea:
      return decode_bytea(text);
    default:
      return std::string(text);
  }
}

class PgTransaction final : public Transaction {
 public:
  PgTransaction(ConnectionPool<PgConnection>& pool, std::unique_ptr<PgConnection> connection)
      : pool_(pool), connection_(std::move(connection)) {}

  ~PgTransaction() override {
    if (!finished_ && !connection_->broken()) {
      ResultPtr result(libpq().exec(connection_->handle(), "ROLLBACK"), libpq().clear);
      if (!result || libpq().result_status(result.get()) != PGRES_COMMAND_OK) connection_.reset();
    }
    if (connection_ && connection_->broken()) connection_.reset();
    pool_.give_back(std::move(connection_));
  }

  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

  void exec(std::string_view sql, const std::vector<Value>& params) override {
    ResultPtr result = execute(sql, params, true);
    changes_ = count_changes(result.get());
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    ResultPtr result = execute(sql, params, false);
    std::vector<Row> rows;
    const int count = libpq().ntuples(result.get());
    const int columns = libpq().nfields(result.get());
    rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
      Row row;
      row.values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) row.values.push_back(read_value(result.get(), r, c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::int64_t exec_returning_id(std::string_view sql, const std::vector<Value>& params) override {
    ResultPtr result = execute(sql, params, false);
    changes_ = count_changes(result.get());
    if (libpq().ntuples(result.get()) < 1 || libpq().nfields(result.get()) < 1) {
      throw Error(Errc::io_error,
                  "database (postgresql): " + statement_purpose(sql) + ": returned no id (missing RETURNING?)");
    }
    const Value id = read_value(result.get(), 0, 0);
    if (!std::holds_alternative<std::int64_t>(id)) {
      throw Error(Errc::io_error,
                  "database (postgresql): " + statement_purpose(sql) + ": RETURNING gave no integer id");
    }
    return std::get<std::int64_t>(id);
  }

  std::size_t changes() const override { return changes_; }

  void commit() override {
    require_open();
    // Whatever COMMIT answers, the transaction is over (a failed COMMIT rolled back).
    finished_ = true;
    connection_->simple("COMMIT", "COMMIT");
  }

 private:
  void require_open() const {
    if (finished_) throw Error(Errc::state_error, "database (postgresql): transaction already committed");
  }

  static std::size_t count_changes(const PGresult* result) {
    const char* tuples = libpq().cmd_tuples(const_cast<PGresult*>(result));
    std::size_t count = 0;
    if (tuples && *tuples) std::from_chars(tuples, tuples + std::strlen(tuples), count);
    return count;
  }

  // exec() without parameters goes through the simple protocol, which runs scripts of several statements
  // (migrations); everything else is one prepared statement.
  ResultPtr execute(std::string_view sql, const std::vector<Value>& params, bool allow_script) {
    require_open();
    const std::string purpose = statement_purpose(sql);
    if (allow_script && params.empty()) return connection_->simple(std::string(sql), purpose);
    const std::string& name = connection_->prepared(sql, params, purpose);

    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    static const char kEmpty[1] = {0};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      if (const auto* v = std::get_if<std::int64_t>(&value)) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* d = std::get_if<double>(&value)) {
        texts[i] = format_double(*d);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        if (s->find('\0') != std::string::npos) {
          throw Error(Errc::invalid_argument, "database (postgresql): " + purpose + ": parameter " +
                                                  std::to_string(i + 1) +
                                                  " is text with a NUL character (PostgreSQL text cannot hold it)");
        }
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Bytes>(&value)) {
        // bytea in binary format: the raw bytes, zero bytes included.
        values[i] = b->empty() ? kEmpty : reinterpret_cast<const char*>(b->data());
        lengths[i] = static_cast<int>(b->size());
        formats[i] = 1;
      }
    }
    ResultPtr result(libpq().exec_prepared(connection_->handle(), name.c_str(), static_cast<int>(params.size()),
                                           values.data(), lengths.data(), formats.data(), 0),
                     libpq().clear);
    connection_->check(result.get(), purpose);
    return result;
  }

  ConnectionPool<PgConnection>& pool_;
  std::unique_ptr<PgConnection> connection_;
  std::size_t changes_ = 0;
  bool finished_ = false;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string conninfo, std::string described, std::size_t pool_size)
      : conninfo_(std::move(conninfo)),
        described_(std::move(described)),
        pool_(pool_size, [this] { return std::make_unique<PgConnection>(conninfo_, described_); }) {
    pool_.give_back(pool_.acquire());  // fail now, not at the first request, when the server is unreachable
  }

  Dialect dialect() const override { return Dialect::postgresql; }

  std::unique_ptr<Transaction> begin(Durability durability) override {
    // SET LOCAL lasts until the end of this transaction only.
    return start(durability == Durability::full
                     ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                     : "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL synchronous_commit = off");
  }
  std::unique_ptr<Transaction> begin_read_only() override {
    return start("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }

  std::string describe() const override { return described_; }

 private:
  std::unique_ptr<Transaction> start(const std::string& begin_sql) {
    // Idle connections may have died with a server restart; each one found dead is dropped and the
    // next is tried, ending with a fresh connection (whose failure means the server is down).
    for (std::size_t tries = 0;; ++tries) {
      std::unique_ptr<PgConnection> connection = pool_.acquire();
      try {
        connection->simple(begin_sql, "BEGIN");
        return std::make_unique<PgTransaction>(pool_, std::move(connection));
      } catch (const Error& error) {
        const bool dead = connection->broken();
        pool_.give_back(dead ? nullptr : std::move(connection));
        if (!dead || error.code() != Errc::unavailable || tries > pool_.limit()) throw;
      }
    }
  }

  std::string conninfo_;
  std::string described_;
  ConnectionPool<PgConnection> pool_;
};

}  // namespace

std::unique_ptr<Database> open_postgresql(const std::string& conninfo, const std::string& described,
                                          std::size_t pool_size) {
  return std::make_unique<PgDatabase>(conninfo, described, pool_size);
}

}  // namespace sefleet::offcard::db

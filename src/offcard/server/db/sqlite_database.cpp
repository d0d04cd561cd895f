// SQLite backend: WAL journal, one writer connection, a pool of reader connections, each connection with
// its own cache of prepared statements.
//
// Concurrency: SQLite allows one writer per database file. Every write transaction here starts with
// BEGIN IMMEDIATE (it takes the write lock at once), and inside this process a mutex queues writers
// before they even take the connection, so they wait on a cheap mutex instead of polling the file lock
// (busy_timeout still covers other processes). Since every such transaction writes under the lock, a
// read-modify-write cannot lose an update. Reads happen inside transactions too; WAL lets readers of
// other processes proceed while we write.
//
// Why one writer connection: a connection keeps the database pages it read in its own page cache, and
// drops the whole cache when it finds that another connection wrote since its last transaction. With
// writes spread over the pool, every write transaction started cold and read its pages again (about ten
// reads of the file per authorization); the one writer only ever sees its own commits, so its cache
// stays valid from one write to the next.
//
// Checkpoints run on a thread of their own. SQLite's automatic checkpoint runs inside the commit that
// fills the WAL past 1,000 pages: that writer copies the pages into the database file and syncs it
// while it holds the write lock, so every other writer waits for the disk (the tail of the server's
// latencies, and idle cores). Here the writer's commit only signals the checkpointer, once per 1,000
// pages written, which runs a PASSIVE checkpoint on its own connection beside the writers (same
// copies, same syncs). The WAL starts again from its beginning only once a checkpoint copied all of
// it before the next write, which continuous writes rarely allow: when it reaches
// kWriterCheckpointPages, the writer checkpoints itself as SQLite would (copying what the last
// background checkpoint left), and the WAL restarts.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "offcard/server/db/backends.hpp"
#include "offcard/server/db/connection_pool.hpp"

namespace sefleet::offcard::db {
namespace {

[[noreturn]] void throw_sqlite(sqlite3* handle, int rc, std::string_view purpose) {
  const std::string message =
      "database (sqlite): " + std::string(purpose) + ": " + (handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      throw Error(Errc::state_error, message);
    // The lock wait already lasted busy_timeout: retrying at once would only wait again.
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(Errc::unavailable, message + " (timed out waiting for the database lock)");
    case SQLITE_CANTOPEN:
      throw Error(Errc::unavailable, message);
    default:
      throw Error(Errc::io_error, message);
  }
}

bool only_blank(const char* begin, const char* end) {
  for (const char* p = begin; p < end; ++p) {
    if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';') return false;
  }
  return true;
}

// The database holds tokens' hashes, PAUT records and every decision: a new file is made 0600 before
// SQLite opens it (SQLite would follow the umask, typically 0644), and SQLite gives its -wal and -shm
// files the database file's mode.
void create_private_file(const std::string& path) {
  if (path == ":memory:") return;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    // As SQLite's own SQLITE_CANTOPEN: the database cannot be reached.
    throw Error(Errc::unavailable, "database (sqlite): open " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
}

class SqliteConnection {
 public:
  explicit SqliteConnection(const SqliteOptions& options) {
    create_private_file(options.path);
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(options.path.c_str(), &handle_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = "open " + options.path;
      sqlite3* failed = handle_;
      handle_ = nullptr;
      try {
        throw_sqlite(failed, rc, message);
      } catch (...) {
        sqlite3_close_v2(failed);
        throw;
      }
    }
    sqlite3_extended_result_codes(handle_, 1);
    sqlite3_busy_timeout(handle_, static_cast<int>(options.busy_timeout.count()));
    try {
      // Persistent in the file; an in-memory database answers "memory", which is fine.
      plain_exec("PRAGMA journal_mode=WAL", "enable WAL");
      plain_exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "set synchronous");
      synchronous_full_ = options.synchronous_full;
      plain_exec("PRAGMA foreign_keys=ON", "enable foreign keys");
      // Statement journals (a savepoint's undo copies: a grouped write's, docs/database.md) and
      // temporary b-trees stay in memory: with the default, a journal past 64 KiB spilled into a file
      // under /var/tmp that was written, then deleted at the end of the transaction.
      plain_exec("PRAGMA temp_store=MEMORY", "keep temporary data in memory");
    } catch (...) {
      sqlite3_close_v2(handle_);
      handle_ = nullptr;
      throw;
    }
  }

  ~SqliteConnection() {
    for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
    sqlite3_close_v2(handle_);
  }

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* handle() const { return handle_; }

  // query_only makes SQLite itself refuse writes in a read-only transaction (which holds no write lock).
  // Per commit: synchronous=FULL syncs the WAL at each commit; NORMAL leaves it to the next FULL
  // commit or checkpoint (Durability::relaxed). Set before BEGIN, cached to skip redundant pragmas.
  void set_synchronous_full(bool full) {
    if (full == synchronous_full_) return;
    plain_exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "set synchronous");
    synchronous_full_ = full;
  }

  void set_query_only(bool on) {
    if (on == query_only_) return;
    plain_exec(on ? "PRAGMA query_only=1" : "PRAGMA query_only=0", "set query_only");
    query_only_ = on;
  }

  // A statement prepared once per connection and reused (nullptr when `sql` holds several statements).
  sqlite3_stmt* prepared(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, &tail);
    if (rc != SQLITE_OK) throw_sqlite(handle_, rc, "prepare " + statement_purpose(sql));
    if (!only_blank(tail, sql.data() + sql.size())) {
      sqlite3_finalize(statement);
      return nullptr;
    }
    if (statement == nullptr) {
      throw Error(Errc::invalid_argument, "database (sqlite): empty statement");
    }
    cache_.emplace(std::string(sql), statement);
    return statement;
  }

  // Runs a parameterless script of one or more statements (migrations), without caching.
  void run_script(std::string_view sql) {
    const char* cursor = sql.data();
    const char* end = sql.data() + sql.size();
    while (!only_blank(cursor, end)) {
      sqlite3_stmt* statement = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(handle_, cursor, static_cast<int>(end - cursor), &statement, &tail);
      if (rc != SQLITE_OK)
        throw_sqlite(handle_, rc, "prepare " + statement_purpose({cursor, std::size_t(end - cursor)}));
      const std::string purpose = statement_purpose({cursor, std::size_t(tail - cursor)});
      cursor = tail;
      if (statement == nullptr) continue;  // a comment only
      do {
        rc = sqlite3_step(statement);
      } while (rc == SQLITE_ROW);
      sqlite3_finalize(statement);
      if (rc != SQLITE_DONE) throw_sqlite(handle_, rc, purpose);
    }
  }

 private:
  void plain_exec(const char* sql, std::string_view purpose) {
    char* error = nullptr;
    const int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) throw_sqlite(handle_, rc, purpose);
  }

  sqlite3* handle_ = nullptr;
  bool query_only_ = false;
  bool synchronous_full_ = true;
  // Looked up by the statement's text without copying it into a std::string first.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

// Resets a cached statement whatever happens, so its bindings never outlive the call.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
  ~StatementUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
};

// Which argument a parameter of the statement takes: "$n" takes params[n - 1]. SQLite treats "$n" as a
// named parameter (numbered in order of first appearance), so the number is read from the name: "$2"
// before "$1" and a "$1" used twice both bind as written, exactly as PostgreSQL reads them.
std::size_t argument_of(sqlite3_stmt* statement, int index, std::size_t arguments, std::string_view sql) {
  const char* name = sqlite3_bind_parameter_name(statement, index);
  const std::string_view text = name != nullptr ? name : "";
  std::size_t number = 0;
  const char* digits_end = text.data() + text.size();
  const bool numbered = text.size() >= 2 && text[0] == '$' && text[1] != '0' &&
                        std::from_chars(text.data() + 1, digits_end, number).ptr == digits_end;
  if (!numbered) {
    throw Error(Errc::invalid_argument, "database (sqlite): " + statement_purpose(sql) + ": parameter \"" +
                                            std::string(text.empty() ? "?" : text) +
                                            "\" is not a $n placeholder ($1, $2, ...)");
  }
  if (number > arguments) {
    throw Error(Errc::invalid_argument, "database (sqlite): " + statement_purpose(sql) + ": uses $" +
                                            std::to_string(number) + " but " + std::to_string(arguments) +
                                            " parameters were given");
  }
  return number - 1;
}

void bind_all(sqlite3* handle, sqlite3_stmt* statement, const std::vector<Value>& params, std::string_view sql) {
  const int count = sqlite3_bind_parameter_count(statement);
  std::vector<bool> used(params.size(), false);
  for (int index = 1; index <= count; ++index) {
    const std::size_t argument = argument_of(statement, index, params.size(), sql);
    used[argument] = true;
    // SQLITE_STATIC: `params` outlives the statement's use (StatementUse clears the bindings).
    const int rc = std::visit(
        [&](const auto& value) -> int {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(statement, index);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(statement, index, value);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(statement, index, value);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(statement, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            // A null pointer would bind NULL: an empty blob must stay an empty blob.
            if (value.empty()) return sqlite3_bind_zeroblob(statement, index, 0);
            return sqlite3_bind_blob64(statement, index, value.data(), value.size(), SQLITE_STATIC);
          }
        },
        params[argument]);
    if (rc != SQLITE_OK) {
      throw_sqlite(handle, rc, "bind $" + std::to_string(argument + 1) + " of " + statement_purpose(sql));
    }
  }
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) {
      throw Error(Errc::invalid_argument, "database (sqlite): " + statement_purpose(sql) + ": $" +
                                              std::to_string(i + 1) + " given but not used (" +
                                              std::to_string(params.size()) + " parameters given)");
    }
  }
}

Row read_row(sqlite3_stmt* statement) {
  Row row;
  const int columns = sqlite3_column_count(statement);
  row.values.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    switch (sqlite3_column_type(statement, c)) {
      case SQLITE_INTEGER:
        row.values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(statement, c)));
        break;
      case SQLITE_FLOAT:
        row.values.emplace_back(sqlite3_column_double(statement, c));
        break;
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
        row.values.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, c))));
        break;
      }
      case SQLITE_BLOB: {
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, c));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement, c));
        row.values.emplace_back(size == 0 ? Bytes{} : Bytes(data, data + size));
        break;
      }
      default:
        row.values.emplace_back(std::monostate{});
        break;
    }
  }
  return row;
}

// When the writer's commits have filled the WAL with this many pages, the checkpointer copies them into
// the database file (SQLite's own automatic checkpoint threshold).
constexpr int kCheckpointPages = 1000;
// Past this many, the writer checkpoints itself (PASSIVE, as SQLite's automatic checkpoint).
constexpr int kWriterCheckpointPages = 8 * kCheckpointPages;

// Copies the WAL into the database file when the writer asks, on its own thread and connection.
class Checkpointer {
 public:
  explicit Checkpointer(const SqliteOptions& options)
      : connection_(std::make_unique<SqliteConnection>(options)), thread_([this] { loop(); }) {}

  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // After each of the writer's commits (from its WAL hook, under the write lock), with the WAL's size:
  // one checkpoint per kCheckpointPages pages written, as SQLite's own cadence. Not one per commit
  // while the WAL is past the threshold: the writers keep adding pages during a checkpoint, so it
  // rarely copies all of them, and the checkpoints would follow each other, each with its syncs.
  void after_commit(int wal_pages) {
    if (wal_pages < last_wal_pages_) next_at_ = kCheckpointPages;  // the WAL restarted from its start
    last_wal_pages_ = wal_pages;
    if (wal_pages < next_at_) return;
    next_at_ = wal_pages + kCheckpointPages;
    {
      std::lock_guard lock(mutex_);
      requested_ = true;
    }
    wake_.notify_one();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      lock.unlock();
      // PASSIVE: copies what no reader still needs, never waits for a writer or a reader. A failure
      // (SQLITE_BUSY while another checkpoint runs, an I/O error) leaves the frames in the WAL, where
      // they stay valid: the next request, or the writer's own checkpoint, copies them.
      sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  std::unique_ptr<SqliteConnection> connection_;
  int last_wal_pages_ = 0;          // writer side (under the write lock)
  int next_at_ = kCheckpointPages;  // writer side
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// The writer connection's WAL hook (it replaces SQLite's automatic checkpoint): called after each of
// its commits with the WAL's size in pages.
int on_writer_commit(void* checkpointer, sqlite3* handle, const char* database, int wal_pages) {
  if (wal_pages >= kWriterCheckpointPages) {
    sqlite3_wal_checkpoint_v2(handle, database, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else {
    static_cast<Checkpointer*>(checkpointer)->after_commit(wal_pages);
  }
  return SQLITE_OK;  // the commit itself succeeded whatever the checkpoint does
}

class SqliteDatabase;

// Where a transaction's connection comes from and goes back to: lent by the pool, or the database's
// writer connection, taken from its slot under the write lock and put back before the lock is released.
struct ConnectionSource {
  ConnectionPool<SqliteConnection>* pool = nullptr;
  std::unique_ptr<SqliteConnection>* writer_slot = nullptr;
};

class SqliteTransaction final : public Transaction {
 public:
  // With a write lock: BEGIN IMMEDIATE; without: a read-only BEGIN DEFERRED (a WAL snapshot).
  // `synchronous_full`: for a writer, whether this commit syncs the WAL (the database's setting, or
  // false for Durability::relaxed).
  SqliteTransaction(ConnectionSource source, std::unique_lock<std::mutex> write_lock, bool synchronous_full)
      : source_(source), write_lock_(std::move(write_lock)), connection_(take_connection()) {
    try {
      const bool writer = write_lock_.owns_lock();
      connection_->set_query_only(!writer);
      if (writer) connection_->set_synchronous_full(synchronous_full);
      const char* begin = writer ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
      step_all(connection_->prepared(begin), {}, begin, nullptr);
    } catch (...) {
      give_back_connection();
      throw;
    }
  }

  ~SqliteTransaction() override {
    if (!connection_) return;  // committed: already given back
    // Some errors (I/O, full disk) already rolled back: only roll back an open transaction.
    if (!sqlite3_get_autocommit(connection_->handle())) {
      sqlite3_exec(connection_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    give_back_connection();
  }

  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  void exec(std::string_view sql, const std::vector<Value>& params) override {
    require_open();
    sqlite3_stmt* statement = connection_->prepared(sql);
    if (statement == nullptr) {
      if (!params.empty()) {
        throw Error(Errc::invalid_argument,
                    "database (sqlite): parameters given to a script of several statements: " + statement_purpose(sql));
      }
      const auto before = sqlite3_total_changes64(connection_->handle());
      connection_->run_script(sql);
      changes_ = static_cast<std::size_t>(sqlite3_total_changes64(connection_->handle()) - before);
      return;
    }
    step_all(statement, params, sql, nullptr);
    changes_ = static_cast<std::size_t>(sqlite3_changes64(connection_->handle()));
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    require_open();
    sqlite3_stmt* statement = single(sql);
    std::vector<Row> rows;
    step_all(statement, params, sql, &rows);
    return rows;
  }

  std::int64_t exec_returning_id(std::string_view sql, const std::vector<Value>& params) override {
    require_open();
    sqlite3_stmt* statement = single(sql);
    std::vector<Row> rows;
    step_all(statement, params, sql, &rows);
    changes_ = static_cast<std::size_t>(sqlite3_changes64(connection_->handle()));
    if (rows.empty()) {
      throw Error(Errc::io_error,
                  "database (sqlite): " + statement_purpose(sql) + ": returned no id (missing RETURNING?)");
    }
    return rows.front().integer(0);
  }

  std::size_t changes() const override { return changes_; }

  void commit() override {
    require_open();
    step_all(connection_->prepared("COMMIT"), {}, "COMMIT", nullptr);
    finished_ = true;
    // The next writer may start at once: the connection goes back before the lock is released.
    give_back_connection();
    if (write_lock_.owns_lock()) write_lock_.unlock();
  }

 private:
  std::unique_ptr<SqliteConnection> take_connection() {
    if (source_.writer_slot == nullptr) return source_.pool->acquire();
    // The slot is only touched under the write lock, which this transaction holds.
    return std::move(*source_.writer_slot);
  }
  void give_back_connection() {
    if (source_.writer_slot != nullptr) {
      *source_.writer_slot = std::move(connection_);
    } else {
      source_.pool->give_back(std::move(connection_));
    }
  }

  void require_open() const {
    if (finished_) throw Error(Errc::state_error, "database (sqlite): transaction already committed");
  }

  sqlite3_stmt* single(std::string_view sql) {
    sqlite3_stmt* statement = connection_->prepared(sql);
    if (statement == nullptr) {
      throw Error(Errc::invalid_argument,
                  "database (sqlite): a query must be one statement: " + statement_purpose(sql));
    }
    return statement;
  }

  void step_all(sqlite3_stmt* statement, const std::vector<Value>& params, std::string_view sql,
                std::vector<Row>* rows) {
    StatementUse use(statement);
    bind_all(connection_->handle(), statement, params, sql);
    for (;;) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) return;
      if (rc != SQLITE_ROW) throw_sqlite(connection_->handle(), rc, statement_purpose(sql));
      if (rows) rows->push_back(read_row(statement));
    }
  }

  ConnectionSource source_;
  std::unique_lock<std::mutex> write_lock_;
  std::unique_ptr<SqliteConnection> connection_;
  std::size_t changes_ = 0;
  bool finished_ = false;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteOptions options, std::size_t pool_size)
      : options_(std::move(options)),
        in_memory_(options_.path == ":memory:"),
        // An in-memory database lives and dies with its one connection, which therefore also writes.
        pool_(in_memory_ ? 1 : pool_size, [this] { return std::make_unique<SqliteConnection>(options_); }) {
    // Open a connection now: a bad path fails here, and WAL is switched on before any concurrency.
    if (in_memory_) {
      pool_.give_back(pool_.acquire());
    } else {
      writer_ = std::make_unique<SqliteConnection>(options_);
      checkpointer_ = std::make_unique<Checkpointer>(options_);
      sqlite3_wal_hook(writer_->handle(), on_writer_commit, checkpointer_.get());
    }
  }

  ~SqliteDatabase() override {
    // The hook points at the checkpointer: the writer goes first.
    writer_.reset();
    checkpointer_.reset();
  }

  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::sqlite; }

  std::unique_ptr<Transaction> begin(Durability durability) override {
    std::unique_lock lock(write_mutex_);
    const ConnectionSource source =
        in_memory_ ? ConnectionSource{&pool_, nullptr} : ConnectionSource{nullptr, &writer_};
    return std::make_unique<SqliteTransaction>(source, std::move(lock),
                                               options_.synchronous_full && durability == Durability::full);
  }

  std::unique_ptr<Transaction> begin_read_only() override {
    return std::make_unique<SqliteTransaction>(ConnectionSource{&pool_, nullptr}, std::unique_lock<std::mutex>(),
                                               options_.synchronous_full);
  }

  std::string describe() const override { return "sqlite:" + options_.path; }

 private:
  SqliteOptions options_;
  bool in_memory_;
  ConnectionPool<SqliteConnection> pool_;  // readers (and, in memory, the writer too)
  std::mutex write_mutex_;
  std::unique_ptr<SqliteConnection> writer_;    // guarded by write_mutex_; empty while a transaction has it
  std::unique_ptr<Checkpointer> checkpointer_;  // file databases only
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options, std::size_t pool_size) {
  return std::make_unique<SqliteDatabase>(options, pool_size);
}

}  // namespace sefleet::offcard::db

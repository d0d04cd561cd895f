// Schema migrations: each one runs in its own transaction together with its row in schema_migrations,
// so a crash leaves either the whole migration or none of it (both SQLite and PostgreSQL have
// transactional DDL).
#include <chrono>
#include <map>
#include <string>

#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::db {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

// Several servers may start together on one PostgreSQL database: a transaction-scoped advisory lock
// makes their migrations take turns (SQLite's BEGIN IMMEDIATE already does). The transaction drops to
// READ COMMITTED first: PostgreSQL's serializable transactions read from the snapshot of their first
// statement, which is the lock's own SELECT, taken before the lock was granted, so the next migrator
// would not see the migrations the one before it committed (and would run them again). Read
// committed takes a new snapshot for each statement after the lock.
void serialize_migrators(Database& db, Transaction& tx) {
  if (db.dialect() != Dialect::postgresql) return;
  tx.exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
  tx.query("SELECT pg_advisory_xact_lock(7361626)");
}

std::map<int, std::string> recorded_migrations(Transaction& tx) {
  std::map<int, std::string> recorded;
  for (const Row& row : tx.query("SELECT version, name FROM schema_migrations ORDER BY version")) {
    recorded.emplace(static_cast<int>(row.integer(0)), row.text(1));
  }
  return recorded;
}

void check_known(const std::map<int, std::string>& recorded, const std::vector<Migration>& migrations,
                 const std::string& where) {
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& [version, name] : recorded) {
    if (version > newest_known) {
      throw Error(Errc::state_error, "database " + where + " has schema migration " + std::to_string(version) + " (" +
                                         name + "), newer than this program knows (up to " +
                                         std::to_string(newest_known) +
                                         "): it was written by a newer sefleet; upgrade instead of downgrading");
    }
    for (const Migration& migration : migrations) {
      if (migration.version == version && migration.name != name) {
        throw Error(Errc::state_error, "database " + where + " records migration " + std::to_string(version) + " as '" +
                                           name + "' but this program's migration " + std::to_string(version) +
                                           " is '" + migration.name + "': not the same schema history");
      }
    }
  }
}

}  // namespace

void migrate(Database& db, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0 || (i > 0 && migrations[i].version <= migrations[i - 1].version)) {
      throw Error(Errc::invalid_argument,
                  "migrations must have strictly increasing positive versions (at '" + migrations[i].name + "')");
    }
  }
  const std::string where = db.describe();
  const auto recorded = db.run([&](Transaction& tx) {
    serialize_migrators(db, tx);
    tx.exec(kCreateTable);
    return recorded_migrations(tx);
  });
  check_known(recorded, migrations, where);

  for (const Migration& migration : migrations) {
    if (recorded.count(migration.version)) continue;
    db.run([&](Transaction& tx) {
      serialize_migrators(db, tx);
      // Another server may have applied it meanwhile: look again under the lock.
      const auto now_recorded = recorded_migrations(tx);
      check_known(now_recorded, migrations, where);
      if (now_recorded.count(migration.version)) return;
      const std::string& sql = db.dialect() == Dialect::postgresql && !migration.postgresql_sql.empty()
                                   ? migration.postgresql_sql
                                   : migration.sqlite_sql;
      try {
        tx.exec(sql);
      } catch (const TransientConflict&) {
        throw;  // run() tries again
      } catch (const Error& error) {
        throw Error(error.code(), "migration " + std::to_string(migration.version) + " (" + migration.name +
                                      ") failed: " + error.what());
      }
      const auto applied_at =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {std::int64_t{migration.version}, migration.name, std::int64_t{applied_at}});
    });
  }
}

int schema_version(Database& db) {
  return db.run([&](Transaction& tx) {
    tx.exec(kCreateTable);
    return static_cast<int>(tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").front().integer(0));
  });
}

}  // namespace sefleet::offcard::db

// The two backends behind Database; open_database() picks one from the URL.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::db {

struct SqliteOptions {
  std::string path;  // a file path, or ":memory:" (then the pool has one connection: it IS the database)
  std::chrono::milliseconds busy_timeout{5000};
  // FULL by default: in WAL mode it syncs the log at every commit, so a report the server acknowledged
  // survives a power loss, not only a process crash (NORMAL would be enough for the latter).
  bool synchronous_full = true;
};
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options, std::size_t pool_size);

// `conninfo` is handed to libpq unchanged (a postgresql:// URL); `described` is it without password.
std::unique_ptr<Database> open_postgresql(const std::string& conninfo, const std::string& described,
                                          std::size_t pool_size);

// A short, secret-free name of a statement for error messages: its first words.
std::string statement_purpose(std::string_view sql);

}  // namespace sefleet::offcard::db

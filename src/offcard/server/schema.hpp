// The server's schema migrations, one list for both dialects (SQLite and PostgreSQL differ only in the
// column types written as {ID}, {BLOB}, {INT}, {REAL} below, expanded per dialect).
#pragma once

#include <vector>

#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::server {

const std::vector<db::Migration>& server_migrations();

}  // namespace sefleet::offcard::server

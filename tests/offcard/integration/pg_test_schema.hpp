// A private schema on the test PostgreSQL server for one test, so tests running at the same time never
// see each other's tables. The server comes from SEFLEET_TEST_PG_URL (scripts/test.sh starts one with
// scripts/pg-sandbox.sh); without it the constructor throws, so a test that needs PostgreSQL fails
// instead of silently skipping.
#pragma once

#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "offcard/server/db/database.hpp"

namespace sefleet::test {

// Appends `key=value` to a URL's query string.
inline std::string with_url_option(const std::string& url, const std::string& option) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + option;
}

inline std::string test_pg_url() {
  const char* url = std::getenv("SEFLEET_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "SEFLEET_TEST_PG_URL is not set: start a server with scripts/pg-sandbox.sh start DIR PORT and export its URL");
  }
  return url;
}

class PgTestSchema {
 public:
  PgTestSchema() : base_url_(test_pg_url()) {
    std::random_device random;
    name_ = "t_" + std::to_string(random()) + "_" + std::to_string(random());
    admin_ = offcard::db::open_database(base_url_, 1);
    admin_->run([&](offcard::db::Transaction& tx) { tx.exec("CREATE SCHEMA " + name_); });
    // libpq's `options` sets search_path on every connection of the pool (percent-encoded '=').
    url_ = with_url_option(base_url_, "options=-csearch_path%3D" + name_);
  }
  ~PgTestSchema() {
    try {
      admin_->run([&](offcard::db::Transaction& tx) { tx.exec("DROP SCHEMA " + name_ + " CASCADE"); });
    } catch (...) {
      // Leaving a stray schema in a throw-away test cluster is harmless; throwing here is not.
    }
  }
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }  // connections of this URL use the schema
  const std::string& base_url() const { return base_url_; }
  offcard::db::Database& admin() { return *admin_; }  // a superuser connection outside the schema

 private:
  std::string base_url_;
  std::string name_;
  std::string url_;
  std::unique_ptr<offcard::db::Database> admin_;
};

}  // namespace sefleet::test

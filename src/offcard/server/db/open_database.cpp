// open_database(): the URL picks the backend. Only PostgreSQL URLs can carry a password, and describe()
// never shows it.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "offcard/server/db/backends.hpp"

namespace sefleet::offcard::db {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "sqlite:PATH[?busy_timeout_ms=N&synchronous=full|normal]", a plain path, or ":memory:".
SqliteOptions parse_sqlite(std::string_view url) {
  if (starts_with(url, "sqlite://"))
    url.remove_prefix(9);
  else if (starts_with(url, "sqlite:"))
    url.remove_prefix(7);
  SqliteOptions options;
  const auto question = url.find('?');
  options.path = std::string(url.substr(0, question));
  if (options.path.empty()) throw Error(Errc::invalid_argument, "database URL: empty SQLite path");
  if (question == std::string_view::npos) return options;
  std::string_view query = url.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (key == "busy_timeout_ms") {
      long long ms = -1;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec != std::errc{} || end != value.data() + value.size() || ms < 0 || ms > 600000) {
        throw Error(Errc::invalid_argument, "database URL: busy_timeout_ms must be 0..600000 milliseconds");
      }
      options.busy_timeout = std::chrono::milliseconds(ms);
    } else if (key == "synchronous") {
      if (value == "full")
        options.synchronous_full = true;
      else if (value == "normal")
        options.synchronous_full = false;
      else
        throw Error(Errc::invalid_argument, "database URL: synchronous must be full or normal");
    } else {
      throw Error(Errc::invalid_argument, "database URL: unknown SQLite option '" + std::string(key) + "'");
    }
  }
  return options;
}

// postgresql://user:password@host... -> postgresql://user@host...
std::string without_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  const auto authority_begin = scheme_end + 3;
  const auto at = url.find('@', authority_begin);
  const auto slash = url.find('/', authority_begin);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return std::string(url);
  const auto colon = url.find(':', authority_begin);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon)) + std::string(url.substr(at));
}

}  // namespace

std::unique_ptr<Database> open_database(std::string_view url, std::size_t pool_size) {
  if (pool_size == 0) throw Error(Errc::invalid_argument, "database: the pool needs at least one connection");
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    return open_postgresql(std::string(url), without_password(url), pool_size);
  }
  if (url.find("://") != std::string_view::npos && !starts_with(url, "sqlite:")) {
    throw Error(Errc::invalid_argument, "database URL: unknown scheme (use sqlite:PATH or postgresql://...)");
  }
  return open_sqlite(parse_sqlite(url), pool_size);
}

std::string statement_purpose(std::string_view sql) {
  // Collapse whitespace and keep the first words: enough to find the statement, no bound values.
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= 60) {
      out += "...";
      break;
    }
  }
  return "\"" + out + "\"";
}

void Database::pause_before_retry(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int ceiling = 1 << std::min(attempt, 6);  // 2, 4, ... 64 ms
  std::uniform_int_distribution<int> pause(1, ceiling);
  std::this_thread::sleep_for(std::chrono::milliseconds(pause(random)));
}

}  // namespace sefleet::offcard::db

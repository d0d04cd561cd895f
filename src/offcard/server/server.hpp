// The management server of broadcast campaigns (docs/api.md), in process: an HTTP/JSON API
// (server/http/: Boost.Beast, deadlines and caps per connection) over a database (SQLite or PostgreSQL,
// server/db/database.hpp) and a keystore (the HSM). It stores campaigns, issues one PAUT per SE on a
// terminal's request, verifies every report through the keystore and applies the rollout policy.
// `sefleet server` and `sefleet demo` run it; tests start it on 127.0.0.1:0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "offcard/keystore/keystore.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/http/http_limits.hpp"

namespace sefleet::offcard::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port
  std::string database_url = "sqlite:sefleet.db";
  Keystore* keystore = nullptr;  // the HSM (not owned; must outlive the server)
  std::string admin_token;       // the admin bearer token (kept only as its SHA-256)
  std::optional<std::filesystem::path> tls_certificate, tls_private_key;  // both or neither: HTTPS
  std::size_t threads = 8;     // workers running the routes' database and keystore work
  std::size_t io_threads = 2;  // threads waiting for every connection's bytes
  http::HttpLimits limits;     // deadlines, connection cap, header limit (http_limits.hpp)
  // Online authorization over SCP11 (the session routes): the card CA key and the session KEK.
  std::optional<OnlineAuthorizationConfig> online;
  // Clock (Unix seconds) for expiry/activation times and the timeline; tests inject one.
  std::function<std::int64_t()> now = nullptr;
};

class Server {
 public:
  // Opens the database and runs the schema migrations. Throws Error(invalid_argument) for a bad
  // configuration (no keystore, empty admin token, one TLS file without the other), database errors
  // as open_database/migrate throw them.
  explicit Server(ServerConfig config);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // stop()s

  // Binds and starts serving on the server's own threads; returns once bound. Error(io_error) when
  // the address cannot be bound (a port another process listens on included: never shared) or the TLS
  // files cannot be loaded.
  void start();
  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" ("https://..." with TLS)
  // Graceful: stops accepting connections, finishes the requests in flight (a report is answered
  // only after its transaction committed, so none that was acknowledged is lost). Idempotent.
  void stop();
  // Connections open now (tests and diagnostics).
  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sefleet::offcard::server

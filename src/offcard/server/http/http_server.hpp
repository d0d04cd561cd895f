// The management server's HTTP/1.1 server on Boost.Asio/Beast: a few I/O threads wait for every
// connection (session.hpp), a bounded pool of workers runs the routes' database and keystore work, and
// every connection is under the deadlines and caps of http_limits.hpp. HTTPS with a PEM certificate
// and key (TLS 1.2 or newer). One listener per address: a port another process listens on is refused
// (SO_REUSEADDR only, never SO_REUSEPORT), so two servers never share one port.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "offcard/server/http/http_limits.hpp"
#include "offcard/server/http/router.hpp"

namespace sefleet::offcard::server::http {

struct HttpServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port
  HttpLimits limits;
  std::size_t io_threads = 2;
  std::size_t workers = 8;  // threads running route handlers and token checks
  std::optional<std::filesystem::path> tls_certificate, tls_private_key;  // both or neither: HTTPS
};

class HttpServer {
 public:
  // `router` must outlive the server. Throws Error(Errc::invalid_argument) for a bad configuration.
  HttpServer(HttpServerConfig config, const Router& router);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // stop()s

  // Loads the TLS files, binds, listens and starts the threads; returns once connections are accepted.
  // Error(Errc::io_error) naming the address when it cannot be bound (in use, not local, ...) or naming
  // the files when they cannot be loaded.
  void start();
  std::uint16_t port() const;
  bool tls() const;
  // Graceful: stops accepting, closes idle connections and those still sending a request, answers the
  // requests being handled, then returns. Idempotent.
  void stop();
  // Connections open now (those being answered 503 beyond the cap not included).
  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sefleet::offcard::server::http

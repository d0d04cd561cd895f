#include "offcard/server/server.hpp"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/db/database.hpp"
#include "offcard/server/http_api.hpp"
#include "offcard/server/schema.hpp"
#include "offcard/server/tokens.hpp"

namespace sefleet::offcard::server {

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<CampaignService> service;
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  int port = 0;
  bool tls = false;
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>()) {
  if (config.keystore == nullptr) throw Error(Errc::invalid_argument, "server: no keystore configured");
  if (config.admin_token.empty()) throw Error(Errc::invalid_argument, "server: empty admin token");
  if (config.tls_certificate.has_value() != config.tls_private_key.has_value()) {
    throw Error(Errc::invalid_argument, "server: TLS needs both a certificate and a private key");
  }
  if (config.threads == 0) throw Error(Errc::invalid_argument, "server: threads must be at least 1");
  if (!config.now) {
    config.now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  impl_->database = db::open_database(config.database_url, config.threads + 2);
  db::migrate(*impl_->database, server_migrations());
  impl_->service = std::make_unique<CampaignService>(*impl_->database, *config.keystore,
                                                     token_hash(config.admin_token), config.now);
  impl_->config = std::move(config);
}

Server::~Server() { stop(); }

void Server::start() {
  if (impl_->http) throw Error(Errc::state_error, "server: already started");
  const auto& config = impl_->config;
  if (config.tls_certificate) {
    auto tls = std::make_unique<httplib::SSLServer>(config.tls_certificate->c_str(), config.tls_private_key->c_str());
    if (!tls->is_valid()) {
      throw Error(Errc::io_error, "server: cannot load the TLS certificate " + config.tls_certificate->string() +
                                      " / key " + config.tls_private_key->string());
    }
    impl_->http = std::move(tls);
    impl_->tls = true;
  } else {
    impl_->http = std::make_unique<httplib::Server>();
  }
  auto& http = *impl_->http;
  const std::size_t threads = config.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus the peer's delayed ACK
  // adds ~40 ms to every keep-alive response.
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(10000);
  http.set_read_timeout(30);
  http.set_write_timeout(30);
  install_routes(http, *impl_->service);
  int port = 0;
  if (config.port == 0) {
    port = http.bind_to_any_port(config.host);
  } else {
    port = http.bind_to_port(config.host, config.port) ? config.port : -1;
  }
  if (port <= 0) {
    impl_->http.reset();
    throw Error(Errc::io_error, "server: cannot listen on " + config.host + ":" + std::to_string(config.port));
  }
  impl_->port = port;
  impl_->listener = std::thread([&http] { http.listen_after_bind(); });
  // listen_after_bind sets is_running before it accepts; wait for it so stop() right after start() works.
  while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::uint16_t Server::port() const { return static_cast<std::uint16_t>(impl_->port); }

std::string Server::base_url() const {
  return std::string(impl_->tls ? "https://" : "http://") + impl_->config.host + ":" + std::to_string(impl_->port);
}

void Server::stop() {
  if (!impl_ || !impl_->http) return;
  // httplib stops accepting, then its thread pool finishes every queued and running request before
  // listen_after_bind returns: a report being processed commits and is answered.
  impl_->http->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->http.reset();
}

}  // namespace sefleet::offcard::server

#include "offcard/server/server.hpp"

#include <chrono>

#include "core/error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/db/database.hpp"
#include "offcard/server/http/http_server.hpp"
#include "offcard/server/http/router.hpp"
#include "offcard/server/http_api.hpp"
#include "offcard/server/schema.hpp"
#include "offcard/server/tokens.hpp"

namespace sefleet::offcard::server {

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<CampaignService> service;
  http::Router router;
  std::unique_ptr<http::HttpServer> http;
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
  // One connection per worker, and two for requests that finish while the next ones start.
  impl_->database = db::open_database(config.database_url, config.threads + 2);
  db::migrate(*impl_->database, server_migrations());
  impl_->service = std::make_unique<CampaignService>(*impl_->database, *config.keystore, token_hash(config.admin_token),
                                                     config.now, config.online);
  install_routes(impl_->router, *impl_->service);
  http::HttpServerConfig http_config;
  http_config.host = config.host;
  http_config.port = config.port;
  http_config.limits = config.limits;
  http_config.io_threads = config.io_threads;
  http_config.workers = config.threads;
  http_config.tls_certificate = config.tls_certificate;
  http_config.tls_private_key = config.tls_private_key;
  impl_->http = std::make_unique<http::HttpServer>(std::move(http_config), impl_->router);
  impl_->config = std::move(config);
}

Server::~Server() {
  stop();
}

void Server::start() {
  impl_->http->start();
}

std::uint16_t Server::port() const {
  return impl_->http->port();
}

std::string Server::base_url() const {
  return std::string(impl_->http->tls() ? "https://" : "http://") + impl_->config.host + ":" + std::to_string(port());
}

void Server::stop() {
  if (impl_ && impl_->http) impl_->http->stop();
}

std::size_t Server::connections() const {
  return impl_->http->connections();
}

}  // namespace sefleet::offcard::server

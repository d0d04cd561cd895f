#include "offcard/server/http/http_server.hpp"

#include <openssl/ssl.h>

#include <future>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/error.hpp"
#include "core/log.hpp"
#include "offcard/server/http/session.hpp"

namespace sefleet::offcard::server::http {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

// Connections answered 503 at the same time beyond the cap; more are closed at once.
constexpr std::size_t kMaxRefusing = 64;
// When accept() fails for want of file descriptors or memory, wait before trying again.
constexpr std::chrono::milliseconds kAcceptPause{100};

std::string address_text(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerConfig config_in, const Router& router)
      : config(std::move(config_in)),
        workers(config.workers),
        inline_budget(config.io_threads),
        context{router, config.limits, workers, registry, inline_budget},
        acceptor(net::make_strand(io)),
        accept_pause(acceptor.get_executor()) {}

  void load_tls();
  void bind();
  void accept();
  void on_accept(const error_code& ec, tcp::socket socket);

  HttpServerConfig config;
  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  net::thread_pool workers;
  ConnectionRegistry registry;
  InlineBudget inline_budget;
  ServerContext context;
  std::optional<net::ssl::context> tls;
  tcp::acceptor acceptor;
  net::steady_timer accept_pause;
  std::vector<std::thread> io_threads;
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

void HttpServer::Impl::load_tls() {
  if (!config.tls_certificate) return;
  const std::string files = config.tls_certificate->string() + " / key " + config.tls_private_key->string();
  try {
    auto& context_tls = tls.emplace(net::ssl::context::tls_server);
    context_tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                            net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    context_tls.use_certificate_chain_file(config.tls_certificate->string());
    context_tls.use_private_key_file(config.tls_private_key->string(), net::ssl::context::pem);
    if (SSL_CTX_check_private_key(context_tls.native_handle()) != 1) {
      throw Error(Errc::io_error, "server: the TLS key " + config.tls_private_key->string() +
                                      " is not the key of the certificate " + config.tls_certificate->string());
    }
  } catch (const boost::system::system_error& error) {
    tls.reset();
    throw Error(Errc::io_error, "server: cannot load the TLS certificate " + files + ": " + error.code().message());
  }
}

void HttpServer::Impl::bind() {
  const std::string address = address_text(config.host, config.port);
  error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(config.host, std::to_string(config.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) throw Error(Errc::io_error, "server: cannot listen on " + address + ": " + ec.message());
  std::string failure = "no address";
  for (const auto& entry : endpoints) {
    error_code step;
    acceptor.open(entry.endpoint().protocol(), step);
    // SO_REUSEADDR lets a restarted server take its port back from connections in TIME_WAIT; Linux still
    // refuses it while another socket listens there. SO_REUSEPORT, which would not, is never set.
    if (!step) acceptor.set_option(tcp::acceptor::reuse_address(true), step);
    if (!step) acceptor.bind(entry.endpoint(), step);
    if (!step) acceptor.listen(net::socket_base::max_listen_connections, step);
    if (!step) {
      port = acceptor.local_endpoint().port();
      return;
    }
    failure = step.message();
    if (step == net::error::address_in_use) failure += " (another process listens there)";
    error_code ignored;
    acceptor.close(ignored);
  }
  throw Error(Errc::io_error, "server: cannot listen on " + address + ": " + failure);
}

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(io),
                        [this](const error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void HttpServer::Impl::on_accept(const error_code& ec, tcp::socket socket) {
  if (!acceptor.is_open()) return;  // stopping
  if (ec) {
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
      spdlog::warn("server: accept: {} (waiting {} ms)", ec.message(), kAcceptPause.count());
      accept_pause.expires_after(kAcceptPause);
      accept_pause.async_wait([this](const error_code& wait) {
        if (!wait && acceptor.is_open()) accept();
      });
      return;
    }
    accept();  // the client went away before it was accepted, or a transient error
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // answers must not wait behind Nagle's algorithm
  const bool over_capacity = registry.serving() >= config.limits.max_connections;
  if (over_capacity && registry.refusing() >= kMaxRefusing) {
    socket.close(ignored);
  } else if (tls) {
    start_tls_session(context, std::move(socket), *tls, over_capacity);
  } else {
    start_plain_session(context, std::move(socket), over_capacity);
  }
  accept();
}

HttpServer::HttpServer(HttpServerConfig config, const Router& router) {
  if (config.tls_certificate.has_value() != config.tls_private_key.has_value()) {
    throw Error(Errc::invalid_argument, "server: TLS needs both a certificate and a private key");
  }
  if (config.io_threads == 0 || config.workers == 0) {
    throw Error(Errc::invalid_argument, "server: io threads and workers must be at least 1");
  }
  if (config.limits.max_connections == 0)
    throw Error(Errc::invalid_argument, "server: max connections must be at least 1");
  if (config.limits.header_limit < 256) throw Error(Errc::invalid_argument, "server: header limit below 256 bytes");
  impl_ = std::make_unique<Impl>(std::move(config), router);
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  if (impl_->started) throw Error(Errc::state_error, "server: already started");
  impl_->load_tls();
  impl_->bind();
  impl_->started = true;
  impl_->work.emplace(impl_->io.get_executor());
  impl_->accept();
  for (std::size_t i = 0; i < impl_->config.io_threads; ++i) {
    impl_->io_threads.emplace_back([this] {
      for (;;) {
        try {
          impl_->io.run();
          return;
        } catch (const std::exception& error) {
          spdlog::error("server: I/O thread: {}", error.what());
        }
      }
    });
  }
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

bool HttpServer::tls() const {
  return impl_->tls.has_value();
}

std::size_t HttpServer::connections() const {
  return impl_->registry.serving();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  std::promise<void> closed;
  net::post(impl_->acceptor.get_executor(), [this, &closed] {
    error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->accept_pause.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->registry.request_stop_all();
  impl_->registry.wait_until_empty();
  impl_->workers.join();
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->io_threads) thread.join();
}

}  // namespace sefleet::offcard::server::http

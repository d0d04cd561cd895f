#include "transport/tcp_card_server.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "transport/card_session.hpp"

namespace sefleet::transport {

namespace {

std::string peer_name(const sockaddr_storage& peer, socklen_t length) {
  char host[NI_MAXHOST] = {};
  char service[NI_MAXSERV] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&peer), length, host, sizeof host, service, sizeof service,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "unknown peer";
  }
  return std::string(host) + ":" + service;
}

template <typename Call>
void card_call_guarded(std::string_view what, std::string_view link, Call&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    spdlog::error("{}: card failed on {}: {}", link, what, e.what());
  } catch (...) {
    spdlog::error("{}: card failed on {}: unknown exception", link, what);
  }
}

}  // namespace

TcpCardServer::TcpCardServer(CardEndpoint& endpoint, const HostPort& listen, int backlog)
    : endpoint_(endpoint),
      host_(listen.host),
      listener_(net::listen_tcp(listen, backlog)),
      port_(net::local_port(listener_.get())) {}

TcpCardServerStats TcpCardServer::stats() const noexcept {
  TcpCardServerStats out;
  out.connections = connections_.load();
  out.commands = commands_.load();
  out.protocol_errors = protocol_errors_.load();
  return out;
}

void TcpCardServer::run(const StopSignal& stop) {
  spdlog::info("card listening on {}", address().to_string());
  for (;;) {
    const auto waited = net::wait_for(listener_.get(), POLLIN, &stop, std::nullopt);
    if (waited.status == net::IoStatus::stopped) {
      return;
    }
    if (!waited.ok()) {
      throw Error(Errc::io_error, fmt::format("card server {}: {}", address().to_string(), waited.detail));
    }
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    net::Fd host(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_CLOEXEC));
    if (!host.valid()) {
      // The host may have gone before we accepted it; that is its business, not a server failure.
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EPROTO) {
        continue;
      }
      throw Error(Errc::io_error,
                  fmt::format("card server {}: accept: {}", address().to_string(), std::strerror(errno)));
    }
    net::set_no_delay(host.get());
    const std::string link = "tcp host " + peer_name(peer, peer_length);
    ++connections_;
    spdlog::info("{}: connected", link);
    card_call_guarded("power on", link, [&] { endpoint_.power_on(); });
    const SessionOutcome outcome = serve_card_connection(endpoint_, host.get(), stop, link);
    host.reset();
    commands_ += outcome.commands;
    card_call_guarded("power off", link, [&] { endpoint_.power_off(); });
    switch (outcome.end) {
      case SessionEnd::stopped:
        spdlog::info("{}: stopping", link);
        return;
      case SessionEnd::peer_closed:
        spdlog::info("{}: disconnected ({})", link, outcome.detail);
        break;
      case SessionEnd::protocol_error:
        ++protocol_errors_;
        spdlog::warn("{}: invalid message ({}); connection closed", link, outcome.detail);
        break;
      case SessionEnd::io_error:
        spdlog::warn("{}: connection failed ({})", link, outcome.detail);
        break;
    }
  }
}

}  // namespace sefleet::transport

// `sefleet card run --listen HOST:PORT`: the card as a TCP server for one host at a time, with the
// vpcd framing (framing.hpp) and the same message handling (card_session.hpp).
//
// Decisions:
//  - One host at a time: while a host is connected the server does not accept; the next host's
//    connection waits in the listen backlog and is served when the current one closes.
//  - A new host connection is a card insertion: the server calls power_on() before reading, so a host
//    can send APDUs at once. The host may still send 00/01/02/04 (TcpChannel::reset sends 02 then 04).
//    When the host goes away the card is powered off (volatile state lost, as when a card leaves a reader).
//  - An empty message or an undefined control byte is logged and that host's connection closed; the
//    server keeps serving the next host.
#pragma once

#include <atomic>
#include <cstdint>

#include "transport/card_endpoint.hpp"
#include "transport/host_port.hpp"
#include "transport/socket.hpp"
#include "transport/stop_signal.hpp"

namespace sefleet::transport {

struct TcpCardServerStats {
  std::uint64_t connections = 0;      // hosts served (accepted connections)
  std::uint64_t commands = 0;         // C-APDUs answered, counted when each connection ends
  std::uint64_t protocol_errors = 0;  // connections closed because the host broke the framing
};

class TcpCardServer {
 public:
  // Binds and listens at once (port 0 = an ephemeral port, see port()). Throws Error(Errc::io_error)
  // when the address cannot be bound.
  TcpCardServer(CardEndpoint& endpoint, const HostPort& listen, int backlog = 8);

  // The bound port (the real one when listening on port 0).
  std::uint16_t port() const noexcept { return port_; }
  // The host as given and the bound port, e.g. "127.0.0.1:40123".
  HostPort address() const { return HostPort{host_, port_}; }

  // Accepts and serves hosts one after the other until `stop` is requested; returns promptly then.
  // Throws Error(Errc::io_error) only when accept() itself fails for a reason other than a host that
  // went away before being accepted.
  void run(const StopSignal& stop);

  // A snapshot; safe to call from another thread while run() is running.
  TcpCardServerStats stats() const noexcept;

 private:
  CardEndpoint& endpoint_;
  std::string host_;
  net::Fd listener_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> protocol_errors_{0};
};

}  // namespace sefleet::transport

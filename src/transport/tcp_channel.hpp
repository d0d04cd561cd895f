// Host side of `sefleet card run --listen`: a CardChannel over TCP with the vpcd framing
// (`sefleet apdu --tcp HOST:PORT`). The server powers the card on for each new connection, so the
// channel is usable right after construction.
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"
#include "transport/card_channel.hpp"
#include "transport/host_port.hpp"
#include "transport/socket.hpp"

namespace sefleet::transport {

struct TcpChannelOptions {
  std::chrono::milliseconds connect_timeout{5000};
  // Bound on each exchange (send + reply). Long enough for slow card operations (key generation,
  // NVM writes), short enough that a hung card does not hang the host forever.
  std::chrono::milliseconds io_timeout{30000};
};

class TcpChannel final : public CardChannel {
 public:
  // Throws Error(Errc::io_error) naming the address when the connection cannot be made in time.
  explicit TcpChannel(const HostPort& address, TcpChannelOptions options = {});

  // Throws Error(Errc::invalid_argument) for a command the framing cannot carry (fewer than 2 bytes:
  // a 1-byte message is a control message; more than 65535 bytes), Error(Errc::io_error) on EOF,
  // timeout or socket failure, Error(Errc::protocol_error) for a reply shorter than SW1 SW2.
  // After an io_error or protocol_error the stream position is unknown: every later call throws io_error.
  Bytes transmit(ByteView command) override;
  // Sends 04 and returns the reply.
  Bytes atr() override;
  // Sends 02 (no reply), then 04 so that the reset is known to be done when this returns.
  void reset() override;
  std::string description() const override { return "tcp:" + address_.to_string(); }

 private:
  Bytes exchange(ByteView payload, const char* what);
  void send_only(ByteView payload, const char* what, net::Deadline deadline);
  [[noreturn]] void fail(Errc code, const std::string& message);

  HostPort address_;
  TcpChannelOptions options_;
  net::Fd fd_;
  std::string broken_;  // why the channel is unusable, empty while it is fine
};

}  // namespace sefleet::transport

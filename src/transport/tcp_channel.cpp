#include "transport/tcp_channel.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "transport/frame_io.hpp"
#include "transport/framing.hpp"

namespace sefleet::transport {

TcpChannel::TcpChannel(const HostPort& address, TcpChannelOptions options) : address_(address), options_(options) {
  net::IoResult result;
  fd_ = net::connect_tcp(address_, options_.connect_timeout, nullptr, result);
  if (!fd_.valid()) {
    throw Error(Errc::io_error, fmt::format("cannot connect to card at {}: {}", address_.to_string(), result.detail));
  }
}

void TcpChannel::fail(Errc code, const std::string& message) {
  broken_ = message;
  fd_.reset();
  throw Error(code, message);
}

void TcpChannel::send_only(ByteView payload, const char* what, net::Deadline deadline) {
  if (!broken_.empty()) {
    throw Error(Errc::io_error,
                fmt::format("{}: connection unusable after an earlier error ({})", description(), broken_));
  }
  const auto sent = write_frame(fd_.get(), payload, nullptr, deadline);
  if (!sent.ok()) {
    fail(Errc::io_error, fmt::format("{}: sending {}: {}", description(), what, sent.detail));
  }
}

Bytes TcpChannel::exchange(ByteView payload, const char* what) {
  const auto deadline = net::deadline_after(options_.io_timeout);
  send_only(payload, what, deadline);
  Bytes reply;
  const auto received = read_frame(fd_.get(), reply, nullptr, deadline);
  if (received.status == net::IoStatus::timed_out) {
    fail(Errc::io_error,
         fmt::format("{}: no reply to {} within {} ms", description(), what, options_.io_timeout.count()));
  }
  if (!received.ok()) {
    fail(Errc::io_error, fmt::format("{}: waiting for the reply to {}: {}", description(), what, received.detail));
  }
  return reply;
}

Bytes TcpChannel::transmit(ByteView command) {
  if (command.size() < 2) {
    throw Error(Errc::invalid_argument,
                fmt::format("{}: a {}-byte command cannot be sent (a C-APDU has at least 4 bytes; the framing "
                            "reserves 1-byte messages for control)",
                            description(), command.size()));
  }
  if (command.size() > framing::kMaxPayload) {
    throw Error(Errc::invalid_argument, fmt::format("{}: a {}-byte command exceeds the 65535-byte framing limit",
                                                    description(), command.size()));
  }
  Bytes response = exchange(command, "a command");
  if (response.size() < 2) {
    fail(Errc::protocol_error, fmt::format("{}: card answered with {} bytes, an R-APDU has at least SW1 SW2",
                                           description(), response.size()));
  }
  return response;
}

Bytes TcpChannel::atr() {
  const std::uint8_t atr_request = static_cast<std::uint8_t>(framing::Control::atr);
  Bytes atr = exchange(ByteView(&atr_request, 1), "the ATR request (04)");
  if (atr.empty()) {
    fail(Errc::io_error, fmt::format("{}: card answered the ATR request with nothing (card removed)", description()));
  }
  return atr;
}

void TcpChannel::reset() {
  const std::uint8_t reset_request = static_cast<std::uint8_t>(framing::Control::reset);
  send_only(ByteView(&reset_request, 1), "reset (02)", net::deadline_after(options_.io_timeout));
  // The server handles messages in order: once the ATR arrives, the reset has been done.
  atr();
}

}  // namespace sefleet::transport

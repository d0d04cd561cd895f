// "HOST:PORT" as the CLI takes it (--vpcd, --listen, --tcp): a host name or IPv4 address, or an
// IPv6 address in brackets ("[::1]:35963").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sefleet::transport {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  // "127.0.0.1:35963", "[::1]:35963".
  std::string to_string() const;

  // Throws Error(Errc::parse_error) naming the problem (missing port, port out of range, empty host,
  // unbalanced brackets). Port 0 is accepted: it means "any free port" when listening.
  static HostPort parse(std::string_view text);
};

}  // namespace sefleet::transport

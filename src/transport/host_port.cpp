#include "transport/host_port.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sefleet::transport {

std::string HostPort::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  // fmt instead of string operator+: GCC 12 at -O3 reports a false -Wrestrict on "[" + host.
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

HostPort HostPort::parse(std::string_view text) {
  const std::string quoted = fmt::format("'{}'", text);
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      throw Error(Errc::parse_error, "address " + quoted + ": '[' without matching ']'");
    }
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      throw Error(Errc::parse_error, "address " + quoted + ": expected ':PORT' after ']'");
    }
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      throw Error(Errc::parse_error, "address " + quoted + " has no ':PORT' (expected HOST:PORT)");
    }
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      throw Error(Errc::parse_error, "address " + quoted + ": put an IPv6 address in brackets, as in [::1]:35963");
    }
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) {
    throw Error(Errc::parse_error, "address " + quoted + " has an empty host");
  }
  unsigned value = 0;
  const auto* first = port_text.data();
  const auto* last = port_text.data() + port_text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (port_text.empty() || ec != std::errc() || end != last || value > 65535) {
    throw Error(Errc::parse_error,
                "address " + quoted + ": port '" + std::string(port_text) + "' is not a number from 0 to 65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace sefleet::transport

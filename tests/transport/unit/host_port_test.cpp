#include "transport/host_port.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sefleet::transport {
namespace {

TEST(HostPort, ParsesNamesIpv4AndBracketedIpv6) {
  const auto v4 = HostPort::parse("127.0.0.1:35963");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 35963);
  const auto name = HostPort::parse("localhost:0");
  EXPECT_EQ(name.host, "localhost");
  EXPECT_EQ(name.port, 0);
  const auto v6 = HostPort::parse("[::1]:65535");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 65535);
}

TEST(HostPort, ToStringRoundTrips) {
  for (const char* text : {"127.0.0.1:35963", "[::1]:9025", "card.example:1"}) {
    EXPECT_EQ(HostPort::parse(text).to_string(), text);
  }
}

void expect_parse_error(const char* text, const char* fragment) {
  try {
    (void)HostPort::parse(text);
    ADD_FAILURE() << "'" << text << "' must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error) << text;
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << text << ": " << e.what();
  }
}

TEST(HostPort, RefusesMalformedAddressesWithAPreciseReason) {
  expect_parse_error("localhost", "no ':PORT'");
  expect_parse_error("", "no ':PORT'");
  expect_parse_error(":35963", "empty host");
  expect_parse_error("[]:1", "empty host");
  expect_parse_error("host:", "not a number");
  expect_parse_error("host:65536", "not a number from 0 to 65535");
  expect_parse_error("host:-1", "not a number");
  expect_parse_error("host:12ab", "not a number");
  expect_parse_error("host: 80", "not a number");
  expect_parse_error("::1:35963", "brackets");
  expect_parse_error("[::1:35963", "without matching ']'");
  expect_parse_error("[::1]35963", "expected ':PORT'");
  expect_parse_error("[::1]", "expected ':PORT'");
}

}  // namespace
}  // namespace sefleet::transport

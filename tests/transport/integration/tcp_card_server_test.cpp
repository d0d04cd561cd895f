// TcpCardServer (card side of `card run --listen`) with TcpChannel (host side of `apdu --tcp`) over
// loopback, plus raw-socket peers that break the framing.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "core/error.hpp"
#include "transport/integration/raw_socket.hpp"
#include "transport/stop_signal.hpp"
#include "transport/tcp_card_server.hpp"
#include "transport/tcp_channel.hpp"
#include "transport/unit/recording_card.hpp"

namespace sefleet::transport {
namespace {

using namespace std::chrono_literals;
using Events = std::vector<std::string>;

class TcpCardServerTest : public ::testing::Test {
 protected:
  TcpCardServerTest()
      : server_(card_, HostPort{"127.0.0.1", 0}), loop_([this] { server_.run(stop_); }, [this] { stop_.request(); }) {}

  HostPort address() const { return server_.address(); }
  // Stops the server and returns its loop's error (empty when run() returned normally).
  std::string stop_server() { return loop_.join(); }

  test::RecordingCard card_;
  StopSignal stop_;
  TcpCardServer server_;
  test::LoopThread loop_;
};

TEST_F(TcpCardServerTest, ListensOnAnEphemeralPort) {
  EXPECT_NE(server_.port(), 0);
  EXPECT_EQ(address().host, "127.0.0.1");
}

TEST_F(TcpCardServerTest, ChannelExchangesApdusAtrAndReset) {
  {
    TcpChannel channel(address());
    EXPECT_EQ(channel.description(), "tcp:" + address().to_string());
    EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
    EXPECT_EQ(channel.transmit(Bytes{0x80, 0xCA, 0x00, 0x00, 0x02, 0xDE, 0xAD}), (Bytes{0x02, 0xDE, 0xAD, 0x90, 0x00}));
    EXPECT_EQ(channel.atr(), test::RecordingCard::default_atr());
    channel.reset();
  }
  ASSERT_TRUE(card_.wait_for("off", 1));
  // A new host connection powers the card on; after_response follows each reply; reset is 02 then 04.
  EXPECT_EQ(card_.events(), (Events{"on", "apdu", "after", "apdu", "after", "atr", "reset", "atr", "off"}));
  EXPECT_EQ(stop_server(), "");
  EXPECT_EQ(server_.stats().connections, 1U);
  EXPECT_EQ(server_.stats().commands, 2U);
}

TEST_F(TcpCardServerTest, CarriesA65535ByteApduAndRefusesLargerOnTheHost) {
  TcpChannel channel(address());
  Bytes command = {0x80, 0x10, 0x00, 0x00, 0x00, 0xFF, 0xF8};
  command.resize(0xFFFF);
  for (std::size_t i = 7; i < command.size(); ++i) {
    command[i] = static_cast<std::uint8_t>(i);
  }
  const Bytes response = channel.transmit(command);
  ASSERT_EQ(response.size(), 0xFFFFU - 4 + 2);
  EXPECT_TRUE(std::equal(command.begin() + 4, command.end(), response.begin()));
  EXPECT_EQ(response[response.size() - 2], 0x90);

  try {
    (void)channel.transmit(Bytes(0x10000, 0x00));
    FAIL() << "a 65536-byte command must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
  }
  EXPECT_THROW((void)channel.transmit(Bytes{0x04}), Error);  // would be read as the ATR control
  EXPECT_THROW((void)channel.transmit(Bytes{}), Error);
  // Refusals before sending leave the channel usable.
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
}

TEST_F(TcpCardServerTest, CardExceptionIsAnswered6F00AndTheLinkSurvives) {
  TcpChannel channel(address());
  EXPECT_EQ(channel.transmit(Bytes{0x80, 0xEE, 0x00, 0x00}), (Bytes{0x6F, 0x00}));
  EXPECT_EQ(channel.transmit(Bytes{0x80, 0xE0, 0x00, 0x00}), (Bytes{0x6F, 0x00}));  // 1-byte response from the card
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
}

TEST_F(TcpCardServerTest, HostControlMessagesReachTheCardInOrder) {
  const auto host = test::RawSocket::connect_loopback(server_.port());
  host.send_all(Bytes{0x00, 0x01, 0x00, 0x00, 0x01, 0x01, 0x00, 0x01, 0x02, 0x00, 0x01, 0x04});  // off, on, reset, ATR
  EXPECT_EQ(host.recv_frame(), test::RecordingCard::default_atr());
  EXPECT_EQ(card_.events(), (Events{"on", "off", "on", "reset", "atr"}));
}

TEST_F(TcpCardServerTest, MalformedFramesCloseThatHostOnlyAndTheNextHostIsServed) {
  {
    const auto host = test::RawSocket::connect_loopback(server_.port());
    host.send_all(Bytes{0x00, 0x00});  // empty message
    EXPECT_TRUE(host.closed_by_peer());
  }
  {
    const auto host = test::RawSocket::connect_loopback(server_.port());
    host.send_all(Bytes{0x00, 0x01, 0x03});  // undefined control byte
    EXPECT_TRUE(host.closed_by_peer());
  }
  {
    auto host = test::RawSocket::connect_loopback(server_.port());
    host.send_all(Bytes{0x00, 0x10, 0x80, 0xCA});  // announces 16 bytes, sends 2, goes away
    host.close();
  }
  TcpChannel channel(address());
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  EXPECT_EQ(stop_server(), "");
  EXPECT_EQ(server_.stats().protocol_errors, 2U);
  EXPECT_EQ(server_.stats().connections, 4U);
  EXPECT_EQ(card_.count("on"), 4U);
  EXPECT_EQ(card_.count("off"), 4U);
}

TEST_F(TcpCardServerTest, SecondHostWaitsUntilTheFirstDisconnects) {
  auto first = std::make_unique<TcpChannel>(address());
  EXPECT_EQ(first->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  TcpChannel second(address());  // connects (kernel backlog) but is not served yet
  auto reply = std::async(std::launch::async, [&] {
    return second.transmit(Bytes{0x80, 0xCA, 0x00, 0x00, 0x01, 0x42});
  });
  EXPECT_EQ(reply.wait_for(200ms), std::future_status::timeout);
  EXPECT_EQ(first->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));  // first still served
  first.reset();
  EXPECT_EQ(reply.get(), (Bytes{0x01, 0x42, 0x90, 0x00}));
}

TEST_F(TcpCardServerTest, StopEndsRunPromptlyWhileAHostIsConnected) {
  TcpChannel channel(address());
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(stop_server(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  // The server closed the host's connection: the channel reports it.
  try {
    (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
    FAIL() << "transmit after the server stopped must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
  }
}

TEST(TcpCardServer, RefusesAnAddressInUse) {
  const auto taken = test::RawSocket::listen_loopback();
  test::RecordingCard card;
  try {
    TcpCardServer server(card, HostPort{"127.0.0.1", taken.port()});
    FAIL() << "binding a busy port must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(taken.port())), std::string::npos) << e.what();
  }
}

TEST(TcpChannel, ConnectionRefusedIsAnIoErrorNamingTheAddress) {
  const HostPort nowhere{"127.0.0.1", test::RawSocket::unused_port()};
  try {
    TcpChannel channel(nowhere, {.connect_timeout = 1000ms, .io_timeout = 1000ms});
    FAIL() << "connecting to a closed port must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find(nowhere.to_string()), std::string::npos) << e.what();
  }
}

TEST(TcpChannel, SilentCardTimesOutAndTheChannelStaysBroken) {
  const auto listener = test::RawSocket::listen_loopback();
  TcpChannel channel(HostPort{"127.0.0.1", listener.port()}, {.connect_timeout = 1000ms, .io_timeout = 150ms});
  const auto card_side = listener.accept();
  ASSERT_TRUE(card_side.valid());
  try {
    (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
    FAIL() << "no reply must time out";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("no reply"), std::string::npos) << e.what();
  }
  // A late reply must not be taken for the answer to the next command.
  card_side.send_all(Bytes{0x00, 0x02, 0x90, 0x00});
  try {
    (void)channel.atr();
    FAIL() << "a broken channel must refuse further use";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("unusable"), std::string::npos) << e.what();
  }
}

TEST(TcpChannel, EofAndShortRepliesAreErrors) {
  const auto listener = test::RawSocket::listen_loopback();
  {
    TcpChannel channel(HostPort{"127.0.0.1", listener.port()});
    auto card_side = listener.accept();
    card_side.close();
    try {
      (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
      FAIL() << "EOF must fail";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::io_error);
    }
  }
  {
    TcpChannel channel(HostPort{"127.0.0.1", listener.port()});
    const auto card_side = listener.accept();
    card_side.send_all(Bytes{0x00, 0x01, 0x90});  // a 1-byte "R-APDU"
    try {
      (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
      FAIL() << "a reply without SW1 SW2 must fail";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::protocol_error);
    }
  }
  {
    TcpChannel channel(HostPort{"127.0.0.1", listener.port()});
    const auto card_side = listener.accept();
    card_side.send_all(Bytes{0x00, 0x00});  // empty ATR = card removed
    EXPECT_THROW((void)channel.atr(), Error);
  }
}

}  // namespace
}  // namespace sefleet::transport

// VpcdCardLink against a fake vpcd: a listening socket in the test that behaves like vsmartcard's
// vpcd 0.8 in pcscd (header and payload in two writes, 04 presence polls, 01 then 04 on connect,
// drops the card on errors).
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.hpp"
#include "transport/integration/raw_socket.hpp"
#include "transport/stop_signal.hpp"
#include "transport/unit/recording_card.hpp"
#include "transport/vpcd_card_link.hpp"

namespace sefleet::transport {
namespace {

using namespace std::chrono_literals;
using Events = std::vector<std::string>;

// Receives a reply and checks it left the card as ONE write: on loopback with TCP_NODELAY one send()
// of a small message arrives as one segment, so header and body must be readable together.
Bytes recv_one_write_reply(const test::RawSocket& vpcd, std::size_t expected_payload) {
  EXPECT_TRUE(vpcd.readable(2000));
  Bytes buffer(expected_payload + 64);
  const auto got = ::recv(vpcd.fd(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  EXPECT_EQ(got, static_cast<ssize_t>(expected_payload + 2)) << "reply did not arrive as one write";
  if (got < 2) {
    return {};
  }
  buffer.resize(static_cast<std::size_t>(got));
  EXPECT_EQ((std::size_t{buffer[0]} << 8) | buffer[1], expected_payload);
  return Bytes(buffer.begin() + 2, buffer.end());
}

// (Designated initializers that leave members out trip GCC's -Wmissing-field-initializers.)
VpcdCardLinkOptions retry_options(std::chrono::milliseconds delay, std::chrono::milliseconds max_delay,
                                  std::optional<unsigned> max_attempts = std::nullopt) {
  VpcdCardLinkOptions options;
  options.retry_delay = delay;
  options.max_retry_delay = max_delay;
  options.max_connect_attempts = max_attempts;
  return options;
}

class VpcdCardLinkTest : public ::testing::Test {
 protected:
  VpcdCardLinkTest()
      : vpcd_(test::RawSocket::listen_loopback()),
        link_(card_, HostPort{"127.0.0.1", vpcd_.port()}, retry_options(10ms, 50ms)) {}

  void start() {
    loop_ = std::make_unique<test::LoopThread>([this] { link_.run(stop_); }, [this] { stop_.request(); });
  }
  std::string stop_link() { return loop_ ? loop_->join() : std::string(); }
  ~VpcdCardLinkTest() override { stop_link(); }

  test::RecordingCard card_;
  StopSignal stop_;
  test::RawSocket vpcd_;
  VpcdCardLink link_;
  std::unique_ptr<test::LoopThread> loop_;
};

TEST_F(VpcdCardLinkTest, AnswersPresencePollsPowerUpAndApdusLikePcscdExpects) {
  start();
  const auto card = vpcd_.accept();
  ASSERT_TRUE(card.valid());
  const Bytes atr = test::RecordingCard::default_atr();
  // What pcscd sends when a card connects: presence, presence, power-up, ATR (04 while powered off too).
  for (const std::uint8_t control : {0x04, 0x04, 0x01, 0x04}) {
    card.send_frame_in_two_writes(Bytes{control});
    if (control == 0x04) {
      EXPECT_EQ(recv_one_write_reply(card, atr.size()), atr);
    }
  }
  card.send_frame_in_two_writes(Bytes{0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00});
  EXPECT_EQ(recv_one_write_reply(card, 2), (Bytes{0x90, 0x00}));
  card.send_frame_in_two_writes(Bytes{0x80, 0xCA, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03});
  EXPECT_EQ(recv_one_write_reply(card, 6), (Bytes{0x03, 0x01, 0x02, 0x03, 0x90, 0x00}));
  card.send_frame_in_two_writes(Bytes{0x02});  // SCardReconnect(RESET): 02 then 04
  card.send_frame_in_two_writes(Bytes{0x04});
  EXPECT_EQ(recv_one_write_reply(card, atr.size()), atr);
  card.send_frame_in_two_writes(Bytes{0x00});  // pcscd powers the idle card down
  card.send_frame_in_two_writes(Bytes{0x04});  // and keeps polling
  EXPECT_EQ(recv_one_write_reply(card, atr.size()), atr);
  EXPECT_EQ(card_.events(),
            (Events{"atr", "atr", "on", "atr", "apdu", "after", "apdu", "after", "reset", "atr", "off", "atr"}));
  EXPECT_EQ(stop_link(), "");
  EXPECT_EQ(link_.stats().connections, 1U);
  EXPECT_EQ(link_.stats().commands, 2U);
}

TEST_F(VpcdCardLinkTest, CarriesTheLargestApdu) {
  start();
  const auto card = vpcd_.accept();
  ASSERT_TRUE(card.valid());
  card.send_frame_in_two_writes(Bytes{0x01});
  Bytes command(0xFFFF, 0xA5);
  command[1] = 0x10;
  card.send_frame_in_two_writes(command);
  const Bytes response = card.recv_frame();
  ASSERT_EQ(response.size(), 0xFFFFU - 4 + 2);
  EXPECT_EQ(response[0], 0xA5);
  EXPECT_EQ(response[response.size() - 2], 0x90);
}

TEST_F(VpcdCardLinkTest, CardExceptionIsAnswered6F00) {
  start();
  const auto card = vpcd_.accept();
  ASSERT_TRUE(card.valid());
  card.send_frame_in_two_writes(Bytes{0x01});
  card.send_frame_in_two_writes(Bytes{0x80, 0xEE, 0x00, 0x00});
  EXPECT_EQ(recv_one_write_reply(card, 2), (Bytes{0x6F, 0x00}));
  card.send_frame_in_two_writes(Bytes{0x00, 0xA4, 0x04, 0x00});
  EXPECT_EQ(recv_one_write_reply(card, 2), (Bytes{0x90, 0x00}));
}

TEST_F(VpcdCardLinkTest, ReconnectsWhenVpcdDropsTheCard) {
  start();
  {
    const auto first = vpcd_.accept();
    ASSERT_TRUE(first.valid());
    first.send_frame_in_two_writes(Bytes{0x01});
    first.send_frame_in_two_writes(Bytes{0x00, 0xA4, 0x04, 0x00});
    EXPECT_EQ(first.recv_frame(), (Bytes{0x90, 0x00}));
  }  // vpcd closes the socket (as after an oversized APDU)
  const auto second = vpcd_.accept();
  ASSERT_TRUE(second.valid()) << "the card did not reconnect";
  second.send_frame_in_two_writes(Bytes{0x04});
  EXPECT_EQ(second.recv_frame(), test::RecordingCard::default_atr());
  EXPECT_EQ(stop_link(), "");
  EXPECT_EQ(link_.stats().connections, 2U);
  // The drop was a removal: the card was powered off between the two connections.
  const Events events = card_.events();
  const Events expected_start = {"on", "apdu", "after", "off", "atr"};
  ASSERT_GE(events.size(), expected_start.size());
  EXPECT_TRUE(std::equal(expected_start.begin(), expected_start.end(), events.begin()))
      << ::testing::PrintToString(events);
}

TEST_F(VpcdCardLinkTest, InvalidMessagesDropTheConnectionThenTheCardReconnects) {
  start();
  {
    const auto first = vpcd_.accept();
    ASSERT_TRUE(first.valid());
    first.send_frame_in_two_writes(Bytes{});  // length 0
    EXPECT_TRUE(first.closed_by_peer());
  }
  {
    const auto second = vpcd_.accept();
    ASSERT_TRUE(second.valid());
    second.send_frame_in_two_writes(Bytes{0x03});  // undefined control byte
    EXPECT_TRUE(second.closed_by_peer());
  }
  const auto third = vpcd_.accept();
  ASSERT_TRUE(third.valid());
  third.send_frame_in_two_writes(Bytes{0x04});
  EXPECT_EQ(third.recv_frame(), test::RecordingCard::default_atr());
  EXPECT_EQ(stop_link(), "");
  EXPECT_EQ(link_.stats().protocol_errors, 2U);
  EXPECT_EQ(link_.stats().connections, 3U);
}

TEST_F(VpcdCardLinkTest, StopEndsRunPromptlyWhileConnected) {
  start();
  const auto card = vpcd_.accept();
  ASSERT_TRUE(card.valid());
  card.send_frame_in_two_writes(Bytes{0x04});
  EXPECT_EQ(card.recv_frame(), test::RecordingCard::default_atr());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(stop_link(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
  EXPECT_TRUE(card.closed_by_peer());
}

TEST(VpcdCardLink, StopEndsRunPromptlyWhileWaitingToReconnect) {
  test::RecordingCard card;
  StopSignal stop;
  // Nobody listens, and the backoff is long: only the stop signal can end run() quickly.
  VpcdCardLink link(card, HostPort{"127.0.0.1", test::RawSocket::unused_port()}, retry_options(30s, 30s));
  test::LoopThread loop([&] { link.run(stop); }, [&] { stop.request(); });
  ASSERT_TRUE(test::eventually([&] { return link.stats().failed_attempts >= 1; }));
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(loop.join(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
}

TEST(VpcdCardLink, GivesUpAfterMaxConnectAttempts) {
  test::RecordingCard card;
  StopSignal stop;
  const HostPort nowhere{"127.0.0.1", test::RawSocket::unused_port()};
  VpcdCardLink link(card, nowhere, retry_options(1ms, 5ms, 3));
  try {
    link.run(stop);
    FAIL() << "run() must give up";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("3 failed connection attempts"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(nowhere.to_string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(link.stats().failed_attempts, 3U);
  EXPECT_TRUE(card.events().empty());
}

TEST(VpcdCardLink, WaitsForPcscdToStartListening) {
  test::RecordingCard card;
  StopSignal stop;
  const std::uint16_t port = test::RawSocket::unused_port();
  VpcdCardLink link(card, HostPort{"127.0.0.1", port}, retry_options(5ms, 20ms));
  test::LoopThread loop([&] { link.run(stop); }, [&] { stop.request(); });
  // pcscd comes up after the card: the card keeps retrying until it can connect.
  ASSERT_TRUE(test::eventually([&] { return link.stats().failed_attempts >= 2; }));
  test::RawSocket vpcd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  ::setsockopt(vpcd.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(vpcd.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(vpcd.fd(), 1), 0);
  const auto connection = vpcd.accept();
  ASSERT_TRUE(connection.valid());
  connection.send_frame_in_two_writes(Bytes{0x04});
  EXPECT_EQ(connection.recv_frame(), test::RecordingCard::default_atr());
  EXPECT_EQ(loop.join(), "");
  EXPECT_EQ(link.stats().connections, 1U);
}

}  // namespace
}  // namespace sefleet::transport

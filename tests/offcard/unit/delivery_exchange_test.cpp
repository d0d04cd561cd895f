// The terminal's delivery loop against a scripted SE: every command goes out byte for byte as the PAUT
// and the PSE carry it, a 61xx answer is completed with GET RESPONSE (class from the command) and a 6Cxx
// answer by one re-send with the Le the SE named, and a command the SE refuses ends the delivery with
// its index and status word, a malformed one included (it is sent as it is; the SE refuses it).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "transport/card_channel.hpp"

namespace sefleet {
namespace {

// Records what it is sent; answers with `answer(command, index)` (9000 when it returns nothing).
class ScriptedChannel final : public transport::CardChannel {
 public:
  using Script = std::function<Bytes(const Bytes& command, std::size_t index)>;
  explicit ScriptedChannel(Script answer) : answer_(std::move(answer)) {}

  Bytes transmit(ByteView command) override {
    sent.emplace_back(command.begin(), command.end());
    Bytes reply = answer_(sent.back(), sent.size() - 1);
    return reply.empty() ? Bytes{0x90, 0x00} : reply;
  }
  Bytes atr() override { return {0x3B, 0x00}; }
  void reset() override {}
  std::string description() const override { return "scripted"; }

  std::vector<Bytes> sent;

 private:
  Script answer_;
};

const Bytes kIsdAid = from_hex("A000000151000000");

offcard::EncodedPaut paut() {
  return {from_hex("8050300008"
                   "0102030405060708"
                   "00"),  // INITIALIZE UPDATE
          from_hex("8482330010"
                   "00112233445566778899AABBCCDDEEFF"),  // EXTERNAL AUTHENTICATE
          from_hex("84E6000008"
                   "1122334455667788"),  // CHANGE MODE
          from_hex("84E8000008"
                   "8877665544332211")};  // AUTHORIZE ACTION
}

std::vector<Bytes> pse() {
  return {from_hex("84E4000104"
                   "DEADBEEF"),
          from_hex("84E4000204"
                   "CAFEF00D")};
}

// The SELECT, then the merged sequence: the commands as sent, from index 1 of the channel's record.
std::vector<Bytes> merged_wire() {
  const auto p = paut();
  const auto blocks = pse();
  return {p[0], p[1], p[2], blocks[0], blocks[1], p[3]};
}

TEST(DeliveryExchange, EveryCommandGoesOutAsCarried) {
  ScriptedChannel se([](const Bytes&, std::size_t) { return Bytes{}; });
  const auto report = offcard::deliver(se, kIsdAid, paut(), pse());
  EXPECT_EQ(report.total_commands, 6U);
  EXPECT_EQ(report.commands_sent, 6U);
  EXPECT_TRUE(report.failure.empty()) << report.failure;
  ASSERT_EQ(se.sent.size(), 7U);
  EXPECT_EQ(std::vector<Bytes>(se.sent.begin() + 1, se.sent.end()), merged_wire());
  ASSERT_TRUE(report.authorize_response);
  EXPECT_EQ(report.authorize_response->sw, 0x9000);
}

TEST(DeliveryExchange, BytesRemainingAreFetchedWithGetResponse) {
  // INITIALIZE UPDATE (index 1 on the channel) answers 6103; GET RESPONSE brings the 3 bytes.
  ScriptedChannel se([](const Bytes& command, std::size_t index) -> Bytes {
    if (index == 1) return {0x61, 0x03};
    if (command.size() >= 2 && command[1] == 0xC0) return {0xAA, 0xBB, 0xCC, 0x90, 0x00};
    return {};
  });
  const auto report = offcard::deliver(se, kIsdAid, paut(), pse());
  EXPECT_TRUE(report.failure.empty()) << report.failure;
  ASSERT_TRUE(report.initialize_update_response);
  EXPECT_EQ(report.initialize_update_response->data, from_hex("AABBCC"));
  EXPECT_EQ(report.initialize_update_response->sw, 0x9000);
  ASSERT_EQ(se.sent.size(), 8U);
  EXPECT_EQ(se.sent[2], from_hex("00C0000003"));  // class 80 → GET RESPONSE class 00, Le = 03
  EXPECT_EQ(se.sent[3], paut()[1]);
}

TEST(DeliveryExchange, WrongLeIsResentOnceWithTheNamedLe) {
  ScriptedChannel se([](const Bytes&, std::size_t index) -> Bytes {
    if (index == 1) return {0x6C, 0x1D};
    if (index != 2) return {};
    Bytes reply(29, 0x55);
    reply.push_back(0x90);
    reply.push_back(0x00);
    return reply;
  });
  const auto report = offcard::deliver(se, kIsdAid, paut(), pse());
  EXPECT_TRUE(report.failure.empty()) << report.failure;
  ASSERT_EQ(se.sent.size(), 8U);
  EXPECT_EQ(se.sent[2], from_hex("8050300008"
                                 "0102030405060708"
                                 "1D"));  // the same command, Le = 29
  ASSERT_TRUE(report.initialize_update_response);
  EXPECT_EQ(report.initialize_update_response->data.size(), 29U);
}

TEST(DeliveryExchange, MalformedCommandIsSentAndItsRefusalEndsTheDelivery) {
  // The second PSE block announces 8 data bytes but carries 4: the SE answers 6700 (wrong length).
  std::vector<Bytes> blocks = pse();
  blocks[1] = from_hex(
      "84E4000208"
      "CAFEF00D");
  ScriptedChannel se([&](const Bytes& command, std::size_t) -> Bytes {
    if (command == blocks[1]) return {0x67, 0x00};
    return {};
  });
  const auto report = offcard::deliver(se, kIsdAid, paut(), blocks);
  EXPECT_EQ(report.failed_index, std::optional<std::size_t>(4));
  EXPECT_EQ(report.failed_sw, 0x6700);
  EXPECT_EQ(report.commands_sent, 5U);
  EXPECT_NE(report.failure.find("command 4 answered"), std::string::npos) << report.failure;
  EXPECT_EQ(se.sent.back(), blocks[1]);
}

TEST(DeliveryExchange, MalformedCommandAnsweredWithBytesRemainingIsAChannelFailure) {
  // Completing 61xx needs the command's class: one that cannot be decoded ends the delivery as a failure.
  std::vector<Bytes> blocks = pse();
  blocks[0] = from_hex(
      "84E4000108"
      "DEADBEEF");
  ScriptedChannel se([&](const Bytes& command, std::size_t) -> Bytes {
    if (command == blocks[0]) return {0x61, 0x02};
    return {};
  });
  const auto report = offcard::deliver(se, kIsdAid, paut(), blocks);
  EXPECT_EQ(report.failed_index, std::optional<std::size_t>(3));
  EXPECT_NE(report.failure.find("malformed command APDU"), std::string::npos) << report.failure;
}

}  // namespace
}  // namespace sefleet

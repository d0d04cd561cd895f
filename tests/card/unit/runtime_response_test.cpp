// Responses longer than the host's Ne: 61xx and GET RESPONSE in short APDUs, whole responses for
// extended APDUs, GET RESPONSE refusals, and chaining of SCP03-wrapped responses.
#include <gtest/gtest.h>

#include "iso7816/chaining.hpp"
#include "runtime_test_applets.hpp"

namespace sefleet::card::test {
namespace {

TEST(RuntimeResponse, ShortApduWith600ByteResponseUsesGetResponse) {
  Card card;
  const auto first = card.command(0, ins::kBigResponse, 0x02, 0x58);  // 600 bytes, Le 00 (256)
  EXPECT_EQ(first.sw, 0x6100);                                        // 344 more: 61 00 means 256 or more
  EXPECT_EQ(first.data, pattern_part(600, 0, 256));
  const auto second = card.send("00C0000000");
  EXPECT_EQ(second.sw, 0x6158);  // 88 more
  EXPECT_EQ(second.data.size(), 256u);
  const auto third = card.send("00C0000058");
  EXPECT_EQ(third.sw, 0x9000);
  Bytes all = first.data;
  append(all, second.data);
  append(all, third.data);
  EXPECT_EQ(all, pattern(600));
  EXPECT_EQ(card.send("00C0000000").sw, 0x6985);  // nothing left
}

TEST(RuntimeResponse, HostHelperReassemblesTheResponse) {
  Card card;
  const iso7816::CommandApdu command(0x80, ins::kBigResponse, 0x02, 0x58, {}, 256);
  const auto rsp = iso7816::transmit([&](const iso7816::CommandApdu& cmd) { return card.send(cmd); }, command);
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, pattern(600));
}

TEST(RuntimeResponse, SmallLeAndAbsentLe) {
  Card card;
  const auto rsp = card.command(0, ins::kBigResponse, 0, 20, {}, 8);
  EXPECT_EQ(rsp.sw, 0x610C);
  EXPECT_EQ(rsp.data.size(), 8u);
  const auto rest = card.send("00C0000010");  // asks 16, 12 remain
  EXPECT_EQ(rest.sw, 0x9000);
  EXPECT_EQ(rest.data, pattern_part(20, 8, 20));
  // No Le on a short command (case 1): up to 256 bytes go with the status word, as a T=1 card sends them.
  const auto none = card.command(0, ins::kBigResponse, 0, 5, {}, std::nullopt);
  EXPECT_EQ(none.sw, 0x9000);
  EXPECT_EQ(none.data, pattern(5));
  EXPECT_EQ(card.send("00C0000005").sw, 0x6985);                                       // nothing pending
  const auto more = card.command(0, ins::kBigResponse, 0x01, 0x2C, {}, std::nullopt);  // 300 bytes
  EXPECT_EQ(more.sw, 0x612C);
  EXPECT_EQ(more.data.size(), 256u);
  EXPECT_EQ(card.send("00C000002C").data, pattern_part(300, 256, 300));
}

TEST(RuntimeResponse, AnyOtherCommandDiscardsTheRemainder) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kBigResponse, 0x01, 0x01).sw, 0x6101);
  EXPECT_EQ(card.command(0, ins::kEcho, 0, 0, from_hex("01")).sw, 0x9000);
  EXPECT_EQ(card.send("00C0000000").sw, 0x6985);
}

TEST(RuntimeResponse, GetResponseRefusalsKeepTheRemainder) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kBigResponse, 0, 40, {}, 10).sw, 0x611E);
  EXPECT_EQ(card.send("00C0010000").sw, 0x6A86);
  EXPECT_EQ(card.send("00C000000101").sw, 0x6700);  // data field (case 3)
  EXPECT_EQ(card.send("04C0000000").sw, 0x6882);    // secure messaging
  EXPECT_EQ(card.send("10C0000000").sw, 0x6884);    // chaining
  const auto rest = card.send("00C0000000");
  EXPECT_EQ(rest.sw, 0x9000);
  EXPECT_EQ(rest.data, pattern_part(40, 10, 40));
}

TEST(RuntimeResponse, GetResponseWithoutLeSendsUpTo256Bytes) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kBigResponse, 0x01, 0x90, {}, 16).sw, 0x6100);  // 400 bytes, 384 left
  const auto next = card.send("00C00000");                                       // case 1
  EXPECT_EQ(next.sw, 0x6180);                                                    // 128 left
  EXPECT_EQ(next.data, pattern_part(400, 16, 272));
  const auto last = card.send("00C00000");
  EXPECT_EQ(last.sw, 0x9000);
  EXPECT_EQ(last.data, pattern_part(400, 272, 400));
}

TEST(RuntimeResponse, RemainderIsPerChannel) {
  Card card;
  card.open_channel();
  ASSERT_EQ(card.select(kApp1Aid, 1).sw, 0x9000);
  ASSERT_EQ(card.command(1, ins::kBigResponse, 0x01, 0x10).sw, 0x6110);  // 272 bytes on channel 1
  EXPECT_EQ(card.send("00C0000000").sw, 0x6985);                         // channel 0 has nothing
  EXPECT_EQ(card.command(0, ins::kEcho).sw, 0x9000);                     // channel 0 traffic
  const auto rest = card.send("01C0000000");
  EXPECT_EQ(rest.sw, 0x9000);
  EXPECT_EQ(rest.data, pattern_part(272, 256, 272));
}

TEST(RuntimeResponse, ProprietaryGetResponseIsAnAppletCommand) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kBigResponse, 0x01, 0x01).sw, 0x6101);
  EXPECT_EQ(card.send("80C0000000").sw, 0x6D00);  // the applet's answer; remainder discarded
  EXPECT_EQ(card.send("00C0000000").sw, 0x6985);
}

TEST(RuntimeResponse, SelectFciLongerThanLe) {
  Card card;
  const auto rsp = card.send("00A4040007A000000001010105");
  EXPECT_EQ(rsp.sw, 0x610A);  // 15 bytes of FCI, 5 sent
  EXPECT_EQ(rsp.data.size(), 5u);
  EXPECT_EQ(card.send("00C000000A").sw, 0x9000);
}

TEST(RuntimeResponse, ExtendedApdusCarry65535BytesInAnd4000Out) {
  Card card;
  iso7816::CommandApdu big_in(0x80, ins::kEcho, 0, 0, pattern(65535), 65536);
  big_in.extended = true;
  const auto echoed = card.send(big_in);
  EXPECT_EQ(echoed.sw, 0x9000);
  EXPECT_EQ(echoed.data, pattern(65535));
  EXPECT_EQ(card.isd.last_command.data.size(), 65535u);

  iso7816::CommandApdu big_out(0x80, ins::kBigResponse, 0x0F, 0xA0, {}, 4000);
  big_out.extended = true;
  const auto rsp = card.send(big_out);
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, pattern(4000));
}

TEST(RuntimeResponse, ExtendedCommandWithoutLeGetsTheWholeResponse) {
  // Case 3E (extended Lc, no Le), as yubikit sends GET DATA: the data comes with 9000, not 6100.
  Card card;
  iso7816::CommandApdu command(0x80, ins::kBigResponse, 0x0F, 0xA0, pattern(3), std::nullopt);
  command.extended = true;
  const auto rsp = card.send(command);
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, pattern(4000));
}

TEST(RuntimeResponse, ExtendedApduWithSmallerNeChains) {
  Card card;
  iso7816::CommandApdu command(0x80, ins::kBigResponse, 0x0F, 0xA0, {}, 3000);
  command.extended = true;
  const auto rsp = card.send(command);
  EXPECT_EQ(rsp.sw, 0x6100);
  EXPECT_EQ(rsp.data.size(), 3000u);
  iso7816::CommandApdu get(0x00, 0xC0, 0, 0, {}, 65536);
  get.extended = true;
  const auto rest = card.send(get);
  EXPECT_EQ(rest.sw, 0x9000);
  EXPECT_EQ(rest.data.size(), 1000u);
}

TEST(RuntimeResponse, WrappedResponseIsChainedAsIs) {
  Card card;
  ASSERT_EQ(card.select(kSecureAid).sw, 0x9000);
  auto host = card.open_session(0);
  const iso7816::CommandApdu plain(0x80, ins::kBigResponse, 0x01, 0x2C, {}, 256);  // 300 bytes
  const iso7816::CommandApdu wire = host->wrap(plain);
  const auto assembled = iso7816::transmit([&](const iso7816::CommandApdu& cmd) { return card.send(cmd); }, wire);
  const auto rsp = host->unwrap(assembled);
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, pattern(300));
  // GET RESPONSE did not disturb the session.
  EXPECT_EQ(card.secure_command(*host, ins::kEcho, from_hex("AA")).data, from_hex("AA"));
}

}  // namespace
}  // namespace sefleet::card::test

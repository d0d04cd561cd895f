// MANAGE CHANNEL open/close and its refusals, four channels at once, and logical-channel isolation of
// the SCP03 sessions (a session on channel 1 survives everything on channel 0).
#include <gtest/gtest.h>

#include "runtime_test_applets.hpp"

namespace sefleet::card::test {
namespace {

TEST(RuntimeChannels, OpenAssignsTheLowestFreeChannelWithTheDefaultApplet) {
  Card card;
  EXPECT_EQ(card.open_channel(), 1);
  EXPECT_EQ(card.selected(1), kIsdAid);
  EXPECT_EQ(card.isd.selects, 2);
  EXPECT_EQ(card.open_channel(), 2);
  EXPECT_EQ(card.open_channel(), 3);
  EXPECT_EQ(card.send("0070000001").sw, 0x6A81);  // all 4 in use
  EXPECT_EQ(card.close_channel(2).sw, 0x9000);
  EXPECT_EQ(card.open_channel(), 2);
}

TEST(RuntimeChannels, FourChannelsAtOnceEachWithItsOwnApplet) {
  Card card;
  for (int i = 0; i < 3; ++i) card.open_channel();
  ASSERT_EQ(card.select(kApp1Aid, 1).sw, 0x9000);
  ASSERT_EQ(card.select(kApp2Aid, 2).sw, 0x9000);
  ASSERT_EQ(card.select(kMultiAid, 3).sw, 0x9000);
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_EQ(card.selected(1), kApp1Aid);
  EXPECT_EQ(card.selected(2), kApp2Aid);
  EXPECT_EQ(card.selected(3), kMultiAid);
  for (std::uint8_t ch = 0; ch < 4; ++ch) {
    EXPECT_EQ(card.command(ch, ins::kChannel).data, Bytes{ch});
  }
  EXPECT_EQ(card.app1.last_channel, 1);
  EXPECT_EQ(card.app2.last_channel, 2);
  EXPECT_EQ(card.multi.last_channel, 3);
  EXPECT_EQ(card.isd.last_channel, 0);
}

TEST(RuntimeChannels, OpenExplicitChannel) {
  Card card;
  EXPECT_EQ(card.send("00700003").sw, 0x9000);
  EXPECT_TRUE(card.runtime->channel_open(3));
  EXPECT_EQ(card.send("00700003").sw, 0x6A86);  // already open
  EXPECT_EQ(card.send("00700004").sw, 0x6A86);  // beyond the configured 4
  EXPECT_EQ(card.send("00700014").sw, 0x6A86);  // beyond 19
  // From channel 3 (explicit), channel 1 gets channel 3's applet.
  ASSERT_EQ(card.select(kMultiAid, 3).sw, 0x9000);
  EXPECT_EQ(card.send("03700001").sw, 0x9000);
  EXPECT_EQ(card.selected(1), kMultiAid);
}

TEST(RuntimeChannels, OpenFromAnotherChannelNeedsAMultiSelectableApplet) {
  Card card;
  const std::uint8_t ch = card.open_channel();
  ASSERT_EQ(card.select(kApp1Aid, ch).sw, 0x9000);
  const auto rsp = card.send(iso7816::CommandApdu(iso7816::cla_for_channel(0, ch, false), 0x70, 0, 0, {}, 1));
  EXPECT_EQ(rsp.sw, 0x6985);
  EXPECT_FALSE(card.runtime->channel_open(2));
  EXPECT_EQ(card.app1.selects, 1);
}

TEST(RuntimeChannels, OpenFailsWhenTheDefaultAppletRefuses) {
  Card card;
  card.gate_verdict = [](const RegistryEntry&) -> std::uint16_t { return 0x6A82; };
  EXPECT_EQ(card.send("0070000001").sw, 0x6A82);
  EXPECT_FALSE(card.runtime->channel_open(1));
}

TEST(RuntimeChannels, OpenWithAThrowingGateLeavesTheChannelClosed) {
  Card card;
  card.gate_verdict = [](const RegistryEntry&) -> std::uint16_t { throw std::runtime_error("gate bug"); };
  EXPECT_EQ(card.send("0070000001").sw, 0x6F00);
  EXPECT_FALSE(card.runtime->channel_open(1));
}

TEST(RuntimeChannels, ManageChannelRefusals) {
  Card card;
  EXPECT_EQ(card.send("00704000").sw, 0x6A86);      // P1 neither 00 nor 80
  EXPECT_EQ(card.send("00700000").sw, 0x6C01);      // card-assigned without Le
  EXPECT_EQ(card.send("0070000002").sw, 0x6C01);    // Le must be 01
  EXPECT_EQ(card.send("007000000101").sw, 0x6700);  // a data field
  EXPECT_EQ(card.send("007080010101").sw, 0x6700);  // close with a data field
  EXPECT_EQ(card.send("00708000").sw, 0x6A81);      // close the basic channel
  EXPECT_EQ(card.send("00708014").sw, 0x6A81);      // close channel 20
  EXPECT_EQ(card.send("00708002").sw, 0x6200);      // close a channel that is not open
  EXPECT_EQ(card.send("0470000001").sw, 0x6882);    // secure messaging indicated
  EXPECT_EQ(card.send("1070000001").sw, 0x6884);    // chaining indicated
  EXPECT_EQ(card.send("0170000001").sw, 0x6881);    // from a closed channel
  EXPECT_FALSE(card.runtime->channel_open(1));
  // A proprietary class with INS 70 is an applet command.
  EXPECT_EQ(card.send("8070000001").sw, 0x6D00);
  EXPECT_EQ(card.isd.commands, 1);
}

TEST(RuntimeChannels, BasicChannelOnlyCard) {
  Card card(1);
  EXPECT_EQ(card.send("0070000001").sw, 0x6881);
  EXPECT_EQ(card.send("81CA006600").sw, 0x6881);
}

TEST(RuntimeChannels, TwentyChannels) {
  Card card(20);
  for (int i = 1; i < 20; ++i) EXPECT_EQ(card.open_channel(), i);
  EXPECT_EQ(card.send("0070000001").sw, 0x6A81);
  ASSERT_EQ(card.select(kApp1Aid, 19).sw, 0x9000);
  EXPECT_EQ(card.command(19, ins::kChannel).data, Bytes{19});
  EXPECT_EQ(card.send("4F708013").sw, 0x9000);  // channel 19 closes itself (further interindustry CLA)
  EXPECT_FALSE(card.runtime->channel_open(19));
}

TEST(RuntimeChannels, CloseDeselectsAndSelectingElsewhereIsPossibleAgain) {
  Card card;
  const std::uint8_t ch = card.open_channel();
  ASSERT_EQ(card.select(kApp1Aid, ch).sw, 0x9000);
  EXPECT_EQ(card.close_channel(ch).sw, 0x9000);
  EXPECT_EQ(card.app1.deselects, 1);
  EXPECT_FALSE(card.runtime->channel_open(ch));
  EXPECT_EQ(card.command(ch, ins::kChannel).sw, 0x6881);
  EXPECT_EQ(card.select(kApp1Aid, 0).sw, 0x9000);
  // A channel may close itself.
  const std::uint8_t other = card.open_channel();
  EXPECT_EQ(card.close_channel(other, other).sw, 0x9000);
  EXPECT_FALSE(card.runtime->channel_open(other));
}

TEST(RuntimeChannels, ResetClosesEveryChannelButTheBasicOne) {
  Card card;
  card.open_channel();
  card.open_channel();
  card.runtime->reset();
  EXPECT_TRUE(card.runtime->channel_open(0));
  EXPECT_FALSE(card.runtime->channel_open(1));
  EXPECT_FALSE(card.runtime->channel_open(2));
  EXPECT_EQ(card.selected(0), kIsdAid);
}

// ---- secure channel per logical channel ----------------------------------------------------------

TEST(RuntimeSecureChannel, SessionRunsThroughTheRuntime) {
  Card card;
  ASSERT_EQ(card.select(kSecureAid).sw, 0x9000);
  auto host = card.open_session(0);
  ASSERT_EQ(host->state(), gp::Scp03Host::State::open);
  const auto rsp = card.secure_command(*host, ins::kEcho, from_hex("112233"));
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("112233"));
  EXPECT_EQ(card.secure.last_command.data, from_hex("112233"));  // the applet saw plain data
  EXPECT_EQ(card.secure_command(*host, ins::kSecurityLevel).data, Bytes{0xB3});
  // Unprotected command in the open session: refused and the session aborts.
  EXPECT_EQ(card.command(0, ins::kEcho, 0, 0, from_hex("01")).sw, 0x6982);
  EXPECT_EQ(card.runtime->secure_channel(0)->state(), gp::Scp03Card::State::aborted);
}

TEST(RuntimeSecureChannel, AppletsWithoutSecureChannelGetNoSession) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.runtime->secure_channel(0), nullptr);
  EXPECT_EQ(card.command(0, ins::kSecurityLevel).data, Bytes{0x00});
  EXPECT_EQ(card.command(0, 0x50, 0, 0, Bytes(8, 1)).sw, 0x6D00);  // IU reaches the applet
}

TEST(RuntimeSecureChannel, SessionOnChannel1SurvivesEverythingOnChannel0) {
  Card card;
  const std::uint8_t ch = card.open_channel();
  ASSERT_EQ(ch, 1);
  ASSERT_EQ(card.select(kSecureAid, 1).sw, 0x9000);
  auto host1 = card.open_session(1);
  ASSERT_EQ(card.secure_command(*host1, ins::kEcho, from_hex("01")).sw, 0x9000);

  // Channel 0: the same applet (multi-selectable), a session that fails, a SELECT, plain commands.
  ASSERT_EQ(card.select(kSecureAid, 0).sw, 0x9000);
  gp::Scp03HostOptions options;
  options.channel = 0;
  options.invoking_aids = {from_hex(kSecureAid)};
  Bytes wrong(16, 0x11);
  gp::Scp03Host bad_host(gp::StaticKeySet(0x30, SecretBytes(wrong), SecretBytes(wrong), SecretBytes(wrong)), options,
                         card.random_);
  const auto iu = card.send(bad_host.initialize_update());
  ASSERT_EQ(iu.sw, 0x9000);
  EXPECT_THROW(bad_host.external_authenticate(iu), Error);               // card cryptogram does not verify
  EXPECT_NE(card.send("8482000010" + std::string(32, '0')).sw, 0x9000);  // wrong host cryptogram
  EXPECT_EQ(card.command(0, ins::kEcho).sw, 0x9000);
  EXPECT_EQ(card.select(kApp1Aid, 0).sw, 0x9000);
  EXPECT_EQ(card.command(0, ins::kThrowOther).sw, 0x6F00);
  EXPECT_EQ(card.send("80CA00").sw, 0x6700);

  EXPECT_EQ(card.runtime->secure_channel(1)->state(), gp::Scp03Card::State::open);
  const auto rsp = card.secure_command(*host1, ins::kEcho, from_hex("0203"));
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("0203"));
  EXPECT_EQ(card.secure_command(*host1, ins::kChannel).data, Bytes{1});

  // Closing channel 1 ends its session.
  const gp::Scp03Card* session = card.runtime->secure_channel(1);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(card.close_channel(1).sw, 0x9000);
  EXPECT_EQ(card.runtime->secure_channel(1), nullptr);
}

TEST(RuntimeSecureChannel, ResetAndReselectEndTheSession) {
  Card card;
  card.open_channel();
  ASSERT_EQ(card.select(kSecureAid, 1).sw, 0x9000);
  auto host = card.open_session(1);
  ASSERT_EQ(card.runtime->secure_channel(1)->state(), gp::Scp03Card::State::open);
  ASSERT_EQ(card.select(kSecureAid, 1).sw, 0x9000);  // re-selection: a fresh, idle session
  EXPECT_EQ(card.runtime->secure_channel(1)->state(), gp::Scp03Card::State::idle);
  host = card.open_session(1);
  ASSERT_EQ(card.runtime->secure_channel(1)->state(), gp::Scp03Card::State::open);
  card.runtime->reset();
  EXPECT_FALSE(card.runtime->channel_open(1));
  EXPECT_EQ(card.runtime->secure_channel(1), nullptr);
  // Channel 1 again after the reset: the old session's commands are refused by the new, idle one.
  card.open_channel();
  ASSERT_EQ(card.select(kSecureAid, 1).sw, 0x9000);
  const iso7816::CommandApdu plain(0x81, ins::kEcho, 0, 0, from_hex("01"), 256);
  card.send(host->wrap(plain));
  EXPECT_EQ(card.runtime->secure_channel(1)->state(), gp::Scp03Card::State::idle);
  EXPECT_NE(card.secure.last_command.data, from_hex("01"));  // nothing decrypts it any more
}

TEST(RuntimeSecureChannel, ExtendedSecureCommandWithLongResponse) {
  Card card;
  ASSERT_EQ(card.select(kSecureAid).sw, 0x9000);
  auto host = card.open_session(0);
  iso7816::CommandApdu plain(0x80, ins::kEcho, 0, 0, pattern(3000), 65536);
  plain.extended = true;
  const auto rsp = host->unwrap(card.send(host->wrap(plain)));
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, pattern(3000));
}

}  // namespace
}  // namespace sefleet::card::test

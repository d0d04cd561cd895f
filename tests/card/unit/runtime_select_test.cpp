// SELECT by DF name: full and partial AIDs, next occurrence, P2 variants, not found, default (ISD)
// selection, refusals (gate, non multi-selectable, select() false or throwing) and deselection.
#include <gtest/gtest.h>

#include "runtime_test_applets.hpp"

namespace sefleet::card::test {
namespace {

TEST(RuntimeSelect, FullAidSelectsAndTheAppletAnswersWithItsFci) {
  Card card;
  const auto rsp = card.select(kApp1Aid);
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, concat({from_hex("6F098407"), from_hex(kApp1Aid), bytes_of("app1")}));
  EXPECT_EQ(card.selected(0), kApp1Aid);
  EXPECT_EQ(card.isd.deselects, 1);
  EXPECT_EQ(card.app1.selects, 1);
  EXPECT_EQ(card.app1.last_command.ins, 0xA4);
  EXPECT_EQ(card.command(0, ins::kChannel).data, Bytes{0x00});
  EXPECT_EQ(card.app1.commands, 2);
}

TEST(RuntimeSelect, PartialAidAndNextOccurrence) {
  Card card;
  EXPECT_EQ(card.select("A000000001").sw, 0x9000);
  EXPECT_EQ(card.selected(0), kApp1Aid);
  EXPECT_EQ(card.select("A000000001", 0, 0x02).sw, 0x9000);
  EXPECT_EQ(card.selected(0), kApp2Aid);
  // No further occurrence: not found, the current selection stays.
  EXPECT_EQ(card.select("A000000001", 0, 0x02).sw, 0x6A82);
  EXPECT_EQ(card.selected(0), kApp2Aid);
  // First occurrence again.
  EXPECT_EQ(card.select("A000000001", 0, 0x00).sw, 0x9000);
  EXPECT_EQ(card.selected(0), kApp1Aid);
  // "A0" matches the ISD first (registration order), then app1.
  EXPECT_EQ(card.select("A0").sw, 0x9000);
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_EQ(card.select("A0", 0, 0x02).sw, 0x9000);
  EXPECT_EQ(card.selected(0), kApp1Aid);
}

TEST(RuntimeSelect, NotFoundKeepsTheCurrentApplet) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.select("A0000000FFFF").sw, 0x6A82);
  EXPECT_EQ(card.select("A000000001010101").sw, 0x6A82);  // longer than the AID
  EXPECT_EQ(card.selected(0), kApp1Aid);
  EXPECT_EQ(card.app1.deselects, 0);
  // Locked applications are not selectable.
  EXPECT_EQ(card.select(kLockedAid).sw, 0x6A82);
  EXPECT_EQ(card.locked.selects, 0);
}

TEST(RuntimeSelect, ResponseTypesAndNoResponseData) {
  Card card;
  for (std::uint8_t p2 : {0x00, 0x04, 0x08}) {
    const auto rsp = card.select(kApp1Aid, 0, p2);
    EXPECT_EQ(rsp.sw, 0x9000);
    EXPECT_FALSE(rsp.data.empty()) << int(p2);
    EXPECT_EQ(card.app1.last_command.p2, p2);
  }
  const auto none = card.select(kApp1Aid, 0, 0x0C);
  EXPECT_EQ(none.sw, 0x9000);
  EXPECT_TRUE(none.data.empty());
}

TEST(RuntimeSelect, WrongP2IsRefusedWith6A86) {
  Card card;
  for (std::uint8_t p2 : {0x01, 0x03, 0x10, 0x80, 0xFC}) {
    EXPECT_EQ(card.select(kApp1Aid, 0, p2).sw, 0x6A86) << int(p2);
  }
  EXPECT_EQ(card.selected(0), kIsdAid);
}

TEST(RuntimeSelect, TooLongAidIs6700) {
  Card card;
  EXPECT_EQ(card.select("A0000000010101010101010101010101FF").sw, 0x6700);
}

TEST(RuntimeSelect, EmptyAidSelectsTheIsd) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.send("00A4040000").sw, 0x9000);  // Le only
  EXPECT_EQ(card.selected(0), kIsdAid);
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  const auto rsp = card.send("00A40400");  // case 1: the FCI comes with 9000 (no Le: up to 256 bytes)
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_FALSE(rsp.data.empty());
  EXPECT_EQ(card.selected(0), kIsdAid);
}

TEST(RuntimeSelect, OtherSelectVariantsGoToTheSelectedApplet) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  const int before = card.app1.commands;
  EXPECT_EQ(card.send("00A40000023F00").sw, 0x6D00);  // select by file id: the applet's business
  EXPECT_EQ(card.app1.commands, before + 1);
  EXPECT_EQ(card.send("80A4040007A0000000010102").sw, 0x6D00);  // proprietary class: the applet's
  EXPECT_EQ(card.selected(0), kApp1Aid);
}

TEST(RuntimeSelect, SecureMessagingOrChainingClassOnSelectIsRefused) {
  Card card;
  EXPECT_EQ(card.send("04A4040007A0000000010101").sw, 0x6882);
  EXPECT_EQ(card.send("10A4040007A0000000010101").sw, 0x6884);
  EXPECT_EQ(card.selected(0), kIsdAid);
}

TEST(RuntimeSelect, GateRefusalKeepsTheCurrentApplet) {
  Card card;
  card.gate_verdict = [](const RegistryEntry& entry) -> std::uint16_t {
    return entry.kind == RegistryEntry::Kind::issuer_security_domain ? 0x9000 : 0x6A82;
  };
  EXPECT_EQ(card.select(kApp1Aid).sw, 0x6A82);
  EXPECT_EQ(card.app1.selects, 0);
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_EQ(card.isd.deselects, 0);
}

TEST(RuntimeSelect, RefusingAppletLeavesNoAppletSelected) {
  Card card;
  EXPECT_EQ(card.select(kRefusingAid).sw, 0x6999);
  EXPECT_EQ(card.refusing.selects, 1);
  EXPECT_EQ(card.refusing.commands, 0);
  EXPECT_EQ(card.isd.deselects, 1);
  EXPECT_EQ(card.selected(0), "none");
  EXPECT_EQ(card.send("80CA006600").sw, 0x6D00);
  EXPECT_EQ(card.select(kThrowingAid).sw, 0x6999);
  EXPECT_EQ(card.selected(0), "none");
}

TEST(RuntimeSelect, ReselectingTheSameAppletDeselectsItFirst) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.app1.selects, 2);
  EXPECT_EQ(card.app1.deselects, 1);
}

TEST(RuntimeSelect, NonMultiSelectableAppletIsActiveOnOneChannelOnly) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  const std::uint8_t ch = card.open_channel();
  EXPECT_EQ(card.select(kApp1Aid, ch).sw, 0x6985);
  EXPECT_EQ(card.selected(ch), kIsdAid);
  // A multi-selectable one may be active on both.
  ASSERT_EQ(card.select(kMultiAid).sw, 0x9000);
  EXPECT_EQ(card.select(kMultiAid, ch).sw, 0x9000);
  EXPECT_EQ(card.selected(0), kMultiAid);
  EXPECT_EQ(card.selected(ch), kMultiAid);
  // app1 is free again once channel 0 moved on.
  EXPECT_EQ(card.select(kApp1Aid, ch).sw, 0x9000);
}

TEST(RuntimeSelect, RegistryEntryWithoutInstanceIs6999) {
  Card card;
  RegistryEntry entry;
  entry.aid = from_hex("A0000000060601");
  card.runtime->registry().add(entry);
  EXPECT_EQ(card.select("A0000000060601").sw, 0x6999);
  EXPECT_EQ(card.selected(0), kIsdAid);
}

}  // namespace
}  // namespace sefleet::card::test

// Java Card transient memory through the runtime: CLEAR_ON_DESELECT vs CLEAR_ON_RESET, per applet,
// shared by the channels of a multi-selectable applet.
#include <gtest/gtest.h>

#include "runtime_test_applets.hpp"

namespace sefleet::card::test {
namespace {

constexpr std::uint8_t kOnReset = 0;
constexpr std::uint8_t kOnDeselect = 1;

TEST(RuntimeTransient, DeselectClearsOnlyClearOnDeselect) {
  Card card;
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  ASSERT_EQ(card.command(0, ins::kWriteTransient, kOnReset, 0, from_hex("0101")).sw, 0x9000);
  ASSERT_EQ(card.command(0, ins::kWriteTransient, kOnDeselect, 0, from_hex("0202")).sw, 0x9000);
  EXPECT_EQ(card.command(0, ins::kReadTransient, kOnDeselect).data, from_hex("0202"));
  ASSERT_EQ(card.select(kApp2Aid).sw, 0x9000);
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.command(0, ins::kReadTransient, kOnReset).data, from_hex("0101"));
  EXPECT_TRUE(card.command(0, ins::kReadTransient, kOnDeselect).data.empty());
}

TEST(RuntimeTransient, ResetClearsBoth) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kWriteTransient, kOnReset, 0, from_hex("0101")).sw, 0x9000);
  ASSERT_EQ(card.command(0, ins::kWriteTransient, kOnDeselect, 0, from_hex("0202")).sw, 0x9000);
  card.runtime->reset();
  EXPECT_TRUE(card.command(0, ins::kReadTransient, kOnReset).data.empty());
  EXPECT_TRUE(card.command(0, ins::kReadTransient, kOnDeselect).data.empty());
}

TEST(RuntimeTransient, BuffersArePerApplet) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kWriteTransient, kOnReset, 0, from_hex("0A")).sw, 0x9000);  // ISD
  ASSERT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_TRUE(card.command(0, ins::kReadTransient, kOnReset).data.empty());
  ASSERT_EQ(card.send("00A4040000").sw, 0x9000);  // back to the ISD
  EXPECT_EQ(card.command(0, ins::kReadTransient, kOnReset).data, from_hex("0A"));
}

TEST(RuntimeTransient, MultiSelectableAppletKeepsClearOnDeselectWhileActiveElsewhere) {
  Card card;
  card.open_channel();
  ASSERT_EQ(card.select(kMultiAid, 0).sw, 0x9000);
  ASSERT_EQ(card.select(kMultiAid, 1).sw, 0x9000);
  ASSERT_EQ(card.command(1, ins::kWriteTransient, kOnDeselect, 0, from_hex("0C")).sw, 0x9000);
  EXPECT_EQ(card.command(0, ins::kReadTransient, kOnDeselect).data, from_hex("0C"));  // shared
  ASSERT_EQ(card.close_channel(1).sw, 0x9000);                                        // still active on channel 0
  EXPECT_EQ(card.command(0, ins::kReadTransient, kOnDeselect).data, from_hex("0C"));
  ASSERT_EQ(card.select(kApp1Aid, 0).sw, 0x9000);  // now inactive everywhere
  ASSERT_EQ(card.select(kMultiAid, 0).sw, 0x9000);
  EXPECT_TRUE(card.command(0, ins::kReadTransient, kOnDeselect).data.empty());
}

TEST(RuntimeTransient, ClearingWipesAndEmpties) {
  TransientMemory memory;
  const Bytes aid = from_hex(kApp1Aid);
  memory.buffer(aid, TransientScope::clear_on_deselect, "k") = from_hex("DEADBEEF");
  memory.buffer(aid, TransientScope::clear_on_reset, "k") = from_hex("CAFE");
  memory.buffer(from_hex(kApp2Aid), TransientScope::clear_on_deselect, "k") = from_hex("01");
  memory.clear_on_deselect(aid);
  EXPECT_TRUE(memory.buffer(aid, TransientScope::clear_on_deselect, "k").empty());
  EXPECT_EQ(memory.buffer(aid, TransientScope::clear_on_reset, "k"), from_hex("CAFE"));
  EXPECT_EQ(memory.buffer(from_hex(kApp2Aid), TransientScope::clear_on_deselect, "k"), from_hex("01"));
  memory.clear_all();
  EXPECT_TRUE(memory.buffer(aid, TransientScope::clear_on_reset, "k").empty());
}

}  // namespace
}  // namespace sefleet::card::test

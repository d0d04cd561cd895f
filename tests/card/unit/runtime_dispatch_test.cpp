// Runtime dispatch: power states, class and instruction refusals, malformed APDUs, exceptions from
// applets, NVM transactions left open, the after-response extension point, and the registry.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "runtime_test_applets.hpp"

namespace sefleet::card::test {
namespace {

TEST(RuntimeDispatch, PowerOnSelectsTheDefaultApplet) {
  Card card;
  EXPECT_TRUE(card.runtime->powered());
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_EQ(card.isd.selects, 1);
  EXPECT_EQ(card.isd.last_channel, 0);
  EXPECT_EQ(card.runtime->atr(), from_hex("3B8080010101"));
  EXPECT_EQ(card.command(0, ins::kGetData).data, from_hex("66020102"));
}

TEST(RuntimeDispatch, CardResetPrivilegeWinsOverTheIsd) {
  Card card;
  card.runtime->registry().find(from_hex(kApp2Aid))->privileges[0] = privilege::kCardReset;
  card.runtime->reset();
  EXPECT_EQ(card.selected(0), kIsdAid);  // the ISD has the privilege too and comes first
  card.runtime->registry().find(from_hex(kIsdAid))->privileges[0] = privilege::kSecurityDomain;
  card.runtime->reset();
  EXPECT_EQ(card.selected(0), kApp2Aid);
}

TEST(RuntimeDispatch, PoweredOffAnswers6F00AndKeepsNothing) {
  Card card;
  ASSERT_EQ(card.command(0, ins::kWriteTransient, 0, 0, from_hex("AABB")).sw, 0x9000);
  card.runtime->power_off();
  EXPECT_FALSE(card.runtime->powered());
  EXPECT_EQ(card.runtime->transmit(from_hex("80CA006600")), from_hex("6F00"));
  EXPECT_EQ(card.runtime->atr(), from_hex("3B8080010101"));  // ATR is answered while off
  EXPECT_FALSE(card.runtime->selected_aid(0).has_value());
  EXPECT_EQ(card.isd.deselects, 0);  // power loss: applets are not told
  card.runtime->power_on();
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_TRUE(card.command(0, ins::kReadTransient, 0).data.empty());
}

TEST(RuntimeDispatch, MalformedApduIs6700) {
  Card card;
  EXPECT_EQ(card.send("80").sw, 0x6700);
  EXPECT_EQ(card.send("80CA00").sw, 0x6700);
  EXPECT_EQ(card.send("80CA0066050102").sw, 0x6700);  // Lc 5, 2 bytes
  EXPECT_EQ(card.send(Bytes{}).sw, 0x6700);
}

TEST(RuntimeDispatch, UnsupportedClassesAre6E00) {
  Card card;
  for (const char* cla : {"FF", "20", "3F", "A0", "BF"}) {
    EXPECT_EQ(card.send(std::string(cla) + "CA006600").sw, 0x6E00) << cla;
  }
  EXPECT_EQ(card.app1.commands + card.isd.commands, 0);
}

TEST(RuntimeDispatch, InvalidInstructionsAre6D00) {
  Card card;
  EXPECT_EQ(card.send("80600000").sw, 0x6D00);
  EXPECT_EQ(card.send("80900000").sw, 0x6D00);
  EXPECT_EQ(card.send("009F0000").sw, 0x6D00);
  EXPECT_EQ(card.isd.commands, 0);
  // An instruction the applet does not know: the applet's own answer.
  EXPECT_EQ(card.send("80EE0000").sw, 0x6D00);
  EXPECT_EQ(card.isd.commands, 1);
}

TEST(RuntimeDispatch, ClosedOrUnsupportedChannelIs6881) {
  Card card;
  EXPECT_EQ(card.send("81CA006600").sw, 0x6881);  // channel 1 closed
  EXPECT_EQ(card.send("C0CA006600").sw, 0x6881);  // channel 4 beyond the 4 configured
  EXPECT_EQ(card.send("4FCA006600").sw, 0x6881);  // channel 19
}

TEST(RuntimeDispatch, NoAppletSelectedAnswers6D00ButSelectWorks) {
  Card card;
  // A card whose only default candidate is an application that is merely INSTALLED (not selectable)
  // and that has no ISD: nothing is selected implicitly on reset.
  RegistryEntry* isd = card.runtime->registry().find(from_hex(kIsdAid));
  isd->kind = RegistryEntry::Kind::application;
  isd->life_cycle = app_life_cycle::kInstalled;
  card.runtime->reset();
  EXPECT_EQ(card.selected(0), "none");
  EXPECT_EQ(card.send("80CA006600").sw, 0x6D00);
  EXPECT_EQ(card.select(kApp1Aid).sw, 0x9000);
  EXPECT_EQ(card.send("80CA006600").sw, 0x9000);
}

TEST(RuntimeDispatch, StatusWordErrorBecomesItsStatusWord) {
  Card card;
  EXPECT_EQ(card.command(0, ins::kThrowSw, 0x6A, 0x80).sw, 0x6A80);
  EXPECT_EQ(card.command(0, ins::kThrowSw, 0x63, 0xC2).sw, 0x63C2);
  EXPECT_EQ(StatusWordError(0x6982, "why").sw(), 0x6982);
  EXPECT_NE(std::string(StatusWordError(0x6982, "why").what()).find("why"), std::string::npos);
}

TEST(RuntimeDispatch, OtherExceptionsBecome6F00AndTheCardGoesOn) {
  Card card;
  EXPECT_EQ(card.command(0, ins::kThrowOther).sw, 0x6F00);
  EXPECT_EQ(card.selected(0), kIsdAid);
  EXPECT_EQ(card.command(0, ins::kEcho, 0, 0, from_hex("0102")).data, from_hex("0102"));
}

TEST(RuntimeDispatch, SelectionGateThrowingIs6F00) {
  Card card;
  card.gate_verdict = [](const RegistryEntry&) -> std::uint16_t { throw std::runtime_error("gate bug"); };
  EXPECT_EQ(card.select(kApp1Aid).sw, 0x6F00);
  EXPECT_EQ(card.selected(0), kIsdAid);
}

TEST(RuntimeDispatch, TransactionLeftOpenIsAborted) {
  Card card(4, /*with_store=*/true);
  EXPECT_EQ(card.command(0, ins::kOpenTransaction, 0, 0, from_hex("01")).sw, 0x9000);
  EXPECT_FALSE(card.store->in_transaction());
  EXPECT_FALSE(card.store->get("left-open").has_value());
  EXPECT_EQ(card.command(0, ins::kEcho).sw, 0x9000);
}

TEST(RuntimeDispatch, AfterResponseHooksRunInOrderAndNeverThrow) {
  Card card;
  std::vector<int> calls;
  card.runtime->add_after_response_hook([&] { calls.push_back(1); });
  card.runtime->add_after_response_hook([&] { throw std::runtime_error("hook bug"); });
  card.runtime->add_after_response_hook([&] { calls.push_back(3); });
  EXPECT_NO_THROW(card.runtime->after_response());
  EXPECT_EQ(calls, (std::vector<int>{1, 3}));
  card.runtime->power_off();
  card.runtime->after_response();  // nothing runs on an unpowered card
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_THROW(card.runtime->add_after_response_hook({}), Error);
}

TEST(RuntimeDispatch, ConfigurationIsValidated) {
  RuntimeConfig zero;
  zero.logical_channels = 0;
  EXPECT_THROW(Runtime{std::move(zero)}, Error);
  RuntimeConfig many;
  many.logical_channels = 21;
  EXPECT_THROW(Runtime{std::move(many)}, Error);
  gp::InMemoryKeyRegistry keys;
  RuntimeConfig bad_kdd;
  bad_kdd.keys = &keys;
  bad_kdd.scp.key_diversification_data = Bytes(3, 0);
  EXPECT_THROW(Runtime{std::move(bad_kdd)}, Error);
}

TEST(RuntimeRegistry, AddRefusesBadAidsAndDuplicates) {
  AppletRegistry registry;
  RegistryEntry entry;
  entry.aid = from_hex("A000000001");
  registry.add(entry);
  EXPECT_THROW(registry.add(entry), Error);
  entry.aid = from_hex("A0000000");
  EXPECT_THROW(registry.add(entry), Error);
  entry.aid = Bytes(17, 0xA0);
  EXPECT_THROW(registry.add(entry), Error);
  entry.aid = from_hex("A000000002");
  entry.privileges = Bytes{0x00};
  EXPECT_THROW(registry.add(entry), Error);
  EXPECT_EQ(registry.entries().size(), 1u);
  EXPECT_NE(registry.find(from_hex("A000000001")), nullptr);
  EXPECT_EQ(registry.find(from_hex("A0000000")), nullptr);
  EXPECT_EQ(registry.issuer_security_domain(), nullptr);
}

TEST(RuntimeRegistry, MatchSkipsLoadFilesLockedAndUnselectable) {
  AppletRegistry registry;
  RegistryEntry load_file;
  load_file.kind = RegistryEntry::Kind::load_file;
  load_file.aid = from_hex("A0000000AA");
  load_file.life_cycle = app_life_cycle::kLoaded;
  registry.add(load_file);
  RegistryEntry installed;
  installed.aid = from_hex("A0000000AA01");
  installed.life_cycle = app_life_cycle::kInstalled;
  registry.add(installed);
  RegistryEntry locked;
  locked.aid = from_hex("A0000000AA02");
  locked.life_cycle = app_life_cycle::kSelectable | app_life_cycle::kLockedBit;
  registry.add(locked);
  RegistryEntry selectable;
  selectable.aid = from_hex("A0000000AA03");
  const auto& added = registry.add(selectable);
  EXPECT_EQ(registry.match(from_hex("A0000000AA")), &added);
  EXPECT_EQ(registry.match(from_hex("A0000000AA"), &added), nullptr);
  EXPECT_EQ(registry.match(from_hex("A0000000AA0304")), nullptr);  // longer than every AID
  RegistryEntry personalized;
  personalized.aid = from_hex("A0000000AA04");
  personalized.kind = RegistryEntry::Kind::security_domain;
  personalized.life_cycle = app_life_cycle::kPersonalized;
  const auto& sd = registry.add(personalized);
  EXPECT_EQ(registry.match(from_hex("A0000000AA"), &added), &sd);
}

}  // namespace
}  // namespace sefleet::card::test

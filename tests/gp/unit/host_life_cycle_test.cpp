// Life cycle and privilege names, SET STATUS and GET STATUS (tag format) of the host toolkit.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/get_status.hpp"
#include "gp/host/life_cycle.hpp"

namespace sefleet::gp::host {
namespace {

TEST(HostLifeCycle, CardStatesBothWays) {
  const std::vector<std::pair<std::string, std::uint8_t>> states{
      {"OP_READY", 0x01}, {"INITIALIZED", 0x07}, {"SECURED", 0x0F}, {"CARD_LOCKED", 0x7F}, {"TERMINATED", 0xFF}};
  for (const auto& [name, value] : states) {
    EXPECT_EQ(card_life_cycle::name(value), name);
    EXPECT_EQ(card_life_cycle::from_name(name), value);
  }
  EXPECT_EQ(card_life_cycle::from_name("secured"), 0x0F);
  EXPECT_FALSE(card_life_cycle::from_name("LOCKED").has_value());
  EXPECT_FALSE(card_life_cycle::from_name("").has_value());
  EXPECT_EQ(card_life_cycle::name(0x03), "UNKNOWN(03)");
}

TEST(HostLifeCycle, ApplicationSecurityDomainAndLoadFileStates) {
  EXPECT_EQ(life_cycle_name(RegistryKind::application, 0x03), "INSTALLED");
  EXPECT_EQ(life_cycle_name(RegistryKind::application, 0x07), "SELECTABLE");
  EXPECT_EQ(life_cycle_name(RegistryKind::application, 0x0F), "SELECTABLE+0F");
  EXPECT_EQ(life_cycle_name(RegistryKind::application, 0x83), "LOCKED");
  EXPECT_EQ(life_cycle_name(RegistryKind::application, 0x8F), "LOCKED");
  EXPECT_EQ(life_cycle_name(RegistryKind::security_domain, 0x0F), "PERSONALIZED");
  EXPECT_EQ(life_cycle_name(RegistryKind::security_domain, 0x03), "INSTALLED");
  EXPECT_EQ(life_cycle_name(RegistryKind::load_file, 0x01), "LOADED");
  EXPECT_EQ(life_cycle_name(RegistryKind::load_file, 0x07), "UNKNOWN(07)");
  EXPECT_EQ(life_cycle_name(RegistryKind::issuer_security_domain, 0x7F), "CARD_LOCKED");
}

TEST(HostLifeCycle, Privileges) {
  const auto names = privilege_names(from_hex("9EFE80"));
  const std::vector<std::string> expected{
      "SecurityDomain",       "CardLock",          "CardTerminate", "CardReset",  "CVMManagement",  "TrustedPath",
      "AuthorizedManagement", "TokenVerification", "GlobalDelete",  "GlobalLock", "GlobalRegistry", "FinalApplication",
      "ReceiptGeneration"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(privilege_names(from_hex("C1")),
            (std::vector<std::string>{"SecurityDomain", "DAPVerification", "MandatedDAPVerification"}));
  EXPECT_EQ(privilege_names(from_hex("000001")), std::vector<std::string>{"RFU(3.b1)"});
  EXPECT_TRUE(privilege_names({}).empty());
  EXPECT_THROW(privilege_names(from_hex("00000000")), Error);
}

TEST(HostLifeCycle, SetStatusCommands) {
  EXPECT_EQ(to_hex(make_set_card_status(card_life_cycle::kSecured).encode()), "80F0800F");
  EXPECT_EQ(to_hex(make_set_card_status(card_life_cycle::kTerminated).encode()), "80F080FF");
  EXPECT_THROW(make_set_card_status(0x03), Error);
  EXPECT_EQ(to_hex(make_set_application_status(from_hex("A000000151535041"), 0x83).encode()),
            "80F0408308A000000151535041");
  EXPECT_THROW(make_set_application_status(from_hex("A000"), 0x83), Error);
}

TEST(HostGetStatus, Commands) {
  EXPECT_EQ(to_hex(make_get_status(StatusScope::issuer_security_domain).encode()), "80F28002024F0000");
  EXPECT_EQ(to_hex(make_get_status(StatusScope::applications, true).encode()), "80F24003024F0000");
  EXPECT_EQ(to_hex(make_get_status(StatusScope::load_files_and_modules, false, from_hex("A000000062")).encode()),
            "80F21002074F05A00000006200");
  EXPECT_THROW(make_get_status(StatusScope::applications, false, Bytes(17, 0xA0)), Error);
}

TEST(HostGetStatus, ParsesEveryKindOfEntry) {
  const auto isd =
      parse_get_status(StatusScope::issuer_security_domain, from_hex("E3134F08A0000001510000009F70010FC5039EFE80"));
  ASSERT_EQ(isd.size(), 1u);
  EXPECT_EQ(isd[0].kind, RegistryKind::issuer_security_domain);
  EXPECT_EQ(to_hex(isd[0].aid), "A000000151000000");
  EXPECT_EQ(isd[0].life_cycle_name(), "SECURED");
  EXPECT_EQ(to_hex(isd[0].privileges), "9EFE80");

  const auto apps = parse_get_status(
      StatusScope::applications,
      from_hex("E32A4F0AA0000000620301010C019F700107C503000000C409A0000000620301010CCC08A000000151000000"
               "E31D4F08A0000001515350419F70010FC503808000CC08A000000151000000"));
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].kind, RegistryKind::application);
  EXPECT_EQ(apps[0].life_cycle_name(), "SELECTABLE");
  EXPECT_EQ(to_hex(*apps[0].load_file_aid), "A0000000620301010C");
  EXPECT_EQ(to_hex(*apps[0].associated_sd_aid), "A000000151000000");
  EXPECT_EQ(apps[1].kind, RegistryKind::security_domain);
  EXPECT_EQ(apps[1].life_cycle_name(), "PERSONALIZED");

  const auto files = parse_get_status(
      StatusScope::load_files_and_modules,
      from_hex("E3354F09A0000000620301010C9F700101CE020100840AA0000000620301010C01840AA0000000620301010C02CC08"
               "A000000151000000"));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].kind, RegistryKind::load_file);
  EXPECT_EQ(files[0].life_cycle_name(), "LOADED");
  EXPECT_EQ(to_hex(*files[0].load_file_version), "0100");
  ASSERT_EQ(files[0].modules.size(), 2u);
  EXPECT_EQ(to_hex(files[0].modules[1]), "A0000000620301010C02");

  EXPECT_TRUE(parse_get_status(StatusScope::applications, {}).empty());
}

TEST(HostGetStatus, Refusals) {
  // Not E3.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("E2034F0100")), Error);
  // No AID.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("E3049F700107")), Error);
  // No life cycle.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("E30A4F08A000000151000000")), Error);
  // Privileges of 4 bytes.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("E3144F08A0000001510000009F70010FC5049EFE8000")),
               Error);
  // Truncated.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("E3134F08A000")), Error);
  // Legacy (P2=00) format is not TLV.
  EXPECT_THROW(parse_get_status(StatusScope::applications, from_hex("08A0000001510000000F9E")), Error);
}

}  // namespace
}  // namespace sefleet::gp::host

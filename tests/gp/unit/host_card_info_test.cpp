// read_card_info / read_registry with their fallbacks for older cards, and the refusals that explain
// themselves (SET STATUS with the life cycle and its transitions, PUT KEY with the key versions held),
// against the card role of host_test_card.hpp.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/host/card_info.hpp"
#include "gp/host/refusal_reasons.hpp"
#include "host_test_card.hpp"

namespace sefleet::gp::host::testing {
namespace {

struct CardInfoFixture {
  CardInfoFixture() : session([this](const CommandApdu& c) { return card.link(c); }) {}
  void open() {
    session.select();
    Scp03HostOptions o;
    o.security_level = 0x33;
    o.kvn = 0x30;
    session.open_secure_channel(test_keys(0x30, 0x10), o);
  }
  TestCard card;
  GpSession session;
};

std::string card_info_message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HostCardInfo, ReadsEveryObjectAndNamesWhatIsMissing) {
  CardInfoFixture f;
  f.session.select();
  const CardInfo info = read_card_info(f.session);
  ASSERT_TRUE(info.cin.value);
  EXPECT_EQ(to_hex(*info.cin.value), "0102030405060708");
  ASSERT_TRUE(info.card_recognition.value);
  ASSERT_TRUE(info.card_recognition.value->scp03());
  EXPECT_EQ(info.card_recognition.value->scp03()->i, 0x70);
  ASSERT_TRUE(info.key_information.value);
  ASSERT_EQ(info.key_information.value->size(), 3u);
  EXPECT_EQ((*info.key_information.value)[0].version, 0x30);
  ASSERT_TRUE(info.sequence_counter.value);
  EXPECT_FALSE(info.iin.value);
  EXPECT_NE(info.iin.unavailable.find("6A88"), std::string::npos) << info.iin.unavailable;
  EXPECT_FALSE(info.cplc.value);
}

TEST(HostCardInfo, RetriesGetDataInTheInterindustryClass) {
  CardInfoFixture f;
  f.card.interindustry_get_data_only = true;
  f.session.select();
  f.card.wire_log.clear();
  const CardInfo info = read_card_info(f.session);
  ASSERT_TRUE(info.cin.value) << info.cin.unavailable;
  EXPECT_EQ(to_hex(*info.cin.value), "0102030405060708");
  ASSERT_TRUE(info.key_information.value) << info.key_information.unavailable;
  bool retried = false;
  for (const auto& c : f.card.wire_log) retried = retried || (c.ins == 0xCA && c.cla == 0x00 && c.p2 == 0x45);
  EXPECT_TRUE(retried);
}

TEST(HostCardInfo, RegistryFallsBackWhenTheCardLacksP1Of10) {
  for (const bool modules : {true, false}) {
    CardInfoFixture f;
    f.card.load_files_and_modules = modules;
    f.open();
    const CardRegistry registry = read_registry(f.session);
    EXPECT_EQ(registry.load_files_have_modules, modules);
    ASSERT_EQ(registry.issuer_security_domain.size(), 1u);
    EXPECT_EQ(registry.card_life_cycle(), card_life_cycle::kSecured);
    EXPECT_EQ(registry.applications.size(), 5u);
    EXPECT_TRUE(registry.load_files.empty());
  }
}

TEST(HostRefusalReasons, AllowedTransitionsFollowTheLifeCycle) {
  namespace lc = card_life_cycle;
  EXPECT_EQ(allowed_card_transitions(lc::kOpReady), (std::vector<std::uint8_t>{lc::kInitialized, lc::kTerminated}));
  EXPECT_EQ(allowed_card_transitions(lc::kSecured), (std::vector<std::uint8_t>{lc::kCardLocked, lc::kTerminated}));
  EXPECT_EQ(allowed_card_transitions(lc::kCardLocked), (std::vector<std::uint8_t>{lc::kSecured, lc::kTerminated}));
  EXPECT_TRUE(allowed_card_transitions(lc::kTerminated).empty());
}

TEST(HostRefusalReasons, SetStatusRefusalSaysTheStateAndTheWayOn) {
  CardInfoFixture f;
  f.open();
  const std::string m = card_info_message_of([&] { set_card_status_explained(f.session, card_life_cycle::kOpReady); });
  EXPECT_EQ(m,
            "SET STATUS refused: 6985 conditions of use not satisfied: the card is SECURED; from SECURED SET STATUS "
            "allows CARD_LOCKED or TERMINATED, not OP_READY");
  EXPECT_EQ(f.card.card_life_cycle, card_life_cycle::kSecured);
  set_card_status_explained(f.session, card_life_cycle::kCardLocked);
  EXPECT_EQ(f.card.card_life_cycle, card_life_cycle::kCardLocked);
  EXPECT_EQ(set_status_refusal_reason(std::nullopt, card_life_cycle::kSecured),
            "the card did not report its life cycle (GET STATUS P1=80)");
}

TEST(HostRefusalReasons, PutKeyRefusalNamesTheVersionsHeld) {
  CardInfoFixture f;
  f.open();
  PutKeyRequest add;
  add.new_keys = test_keys(0x30, 0xA0);  // 30 exists: adding it is refused
  EXPECT_EQ(card_info_message_of([&] { put_key_explained(f.session, add); }),
            "PUT KEY refused: 6A80 incorrect parameters in the command data field: key version 30 exists already "
            "(the card holds key version 30); replace it rather than add it");

  PutKeyRequest replace;
  replace.new_keys = test_keys(0x32, 0xA0);
  replace.replace_kvn = 0x32;  // nothing to replace
  f.open();
  EXPECT_EQ(card_info_message_of([&] { put_key_explained(f.session, replace); }),
            "PUT KEY refused: 6A88 referenced data or reference data not found: there is no key version 32 to replace "
            "(the card "
            "holds key version 30)");

  f.open();
  PutKeyRequest fine;
  fine.new_keys = test_keys(0x31, 0xA0);
  EXPECT_EQ(put_key_explained(f.session, fine).at(0), 0x31);

  DataObject<std::vector<KeyInfo>> unknown;
  unknown.unavailable = "6A88 referenced data not found";
  EXPECT_EQ(put_key_refusal_reason(unknown, fine),
            "the card's key information (GET DATA 00E0) is not available: 6A88 referenced data not found");
}

}  // namespace
}  // namespace sefleet::gp::host::testing

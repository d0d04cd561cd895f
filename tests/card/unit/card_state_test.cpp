// CardState: personalization in one transaction, validation at load, durable counters, key set and
// life cycle changes, and that all of it survives reopening the store.
#include <gtest/gtest.h>

#include "card/nvm/nvm_store.hpp"
#include "card/state/card_state.hpp"
#include "card/state/nvm_key_registry.hpp"
#include "core/error.hpp"
#include "gp/card_life_cycle.hpp"
#include "isd_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using test::key_set;
using test::test_profile;

class CardStateTest : public ::testing::Test {
 protected:
  nvm::NvmStore open() { return nvm::NvmStore::open_file(path_, true); }
  void personalize() {
    auto store = open();
    CardState::personalize(store, test_profile());
  }
  // Rewrites one object of a personalized store, as damage or a bad writer would.
  void tamper(std::string_view key, std::optional<Bytes> value) {
    auto store = open();
    store.begin();
    if (value)
      store.write(key, *value);
    else
      store.erase(key);
    store.commit();
  }
  void expect_integrity_error(const std::string& needle) {
    auto store = open();
    try {
      CardState state(store);
      FAIL() << "loaded a damaged state";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::integrity_error);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }

  sefleet::test::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "card.nvm";
};

TEST_F(CardStateTest, PersonalizeWritesOneTransactionThatLoadsBack) {
  {
    auto store = open();
    CardState::personalize(store, test_profile());
    EXPECT_EQ(store.stats().commits, 1u);
  }
  auto store = open();
  CardState state(store);
  const CardProfile profile = test_profile();
  EXPECT_EQ(state.se_id(), profile.se_id);
  EXPECT_EQ(state.cin(), profile.se_id);
  EXPECT_EQ(state.iin(), profile.platform_id);
  EXPECT_EQ(state.kdd(), profile.kdd);
  EXPECT_EQ(state.isd_aid(), profile.isd_aid);
  EXPECT_EQ(state.scp03_i(), 0x70);
  EXPECT_EQ(state.atr(), profile.atr);
  EXPECT_FALSE(state.allow_downgrade());
  EXPECT_EQ(state.life_cycle(), gp::card_life_cycle::kOpReady);
  ASSERT_TRUE(state.platform_keys().has_value());
  EXPECT_EQ(state.platform_keys()->version, 1);
  EXPECT_TRUE(state.platform_keys()->kos == profile.platform_keys.kos);
  ASSERT_EQ(state.key_sets().size(), 1u);
  const StoredKeySet* set = state.find_key_set(0);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->keys.kvn, 0x30);
  EXPECT_TRUE(set->keys.enc == profile.scp03.enc);
  EXPECT_TRUE(set->keys.dek == profile.scp03.dek);
  EXPECT_EQ(set->sequence_counter, 0u);
  EXPECT_EQ(state.personalization_date().size(), 2u);
}

TEST_F(CardStateTest, RefusesSecondPersonalizationAndEmptyStore) {
  personalize();
  auto store = open();
  const auto before = store.committed();
  EXPECT_THROW(CardState::personalize(store, test_profile()), Error);
  EXPECT_EQ(store.committed(), before);

  std::filesystem::remove(path_);
  auto empty = open();
  try {
    CardState state(empty);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::state_error);
  }
}

TEST_F(CardStateTest, RefusesInvalidProfiles) {
  auto store = open();
  auto bad = [&](auto mutate) {
    CardProfile profile = test_profile();
    mutate(profile);
    EXPECT_THROW(CardState::personalize(store, profile), Error);
    EXPECT_TRUE(store.committed().empty());
  };
  bad([](CardProfile& p) { p.se_id.resize(7); });
  bad([](CardProfile& p) { p.kdd.resize(9); });
  bad([](CardProfile& p) { p.scp03_i = 0x80; });
  bad([](CardProfile& p) { p.scp03.kvn = 0x80; });
  bad([](CardProfile& p) { p.scp03.mac = test::key_of(1, 24); });
  bad([](CardProfile& p) { p.platform_keys.kmac = SecretBytes(); });
  bad([](CardProfile& p) { p.atr = Bytes{0x3B}; });
}

TEST_F(CardStateTest, LoadNamesTheDamagedObject) {
  personalize();
  tamper("isd/kdd", std::nullopt);
  expect_integrity_error("'isd/kdd' is missing");
  tamper("isd/kdd", from_hex("001122"));
  expect_integrity_error("'isd/kdd' has 3 bytes");
  tamper("isd/kdd", from_hex("00112233445566778899"));
  tamper("isd/life_cycle", Bytes{0x03});
  expect_integrity_error("isd/life_cycle");
  tamper("isd/life_cycle", Bytes{0x01});
  tamper("isd/scp03_i", Bytes{0x80});
  expect_integrity_error("isd/scp03_i");
  tamper("isd/scp03_i", Bytes{0x70});
  tamper("isd/counter/30", std::nullopt);
  expect_integrity_error("isd/counter/30");
  tamper("isd/counter/30", Bytes{0, 0});
  expect_integrity_error("3-byte");
  tamper("isd/counter/30", Bytes{0, 0, 5});
  tamper("isd/counter/31", Bytes{0, 0, 0});
  expect_integrity_error("has no key set");
  tamper("isd/counter/31", std::nullopt);
  tamper("isd/keyset/30", Bytes{0x10, 1, 2, 3});
  expect_integrity_error("isd/keyset/30");
  tamper("isd/keyset/30", std::nullopt);
  tamper("isd/counter/30", std::nullopt);
  expect_integrity_error("holds no key set");
  tamper("isd/keyset/3a", Bytes(49, 0x10));
  expect_integrity_error("isd/keyset/3a");
  tamper("isd/keyset/3a", std::nullopt);
  tamper("isd/bogus", Bytes{1});
  expect_integrity_error("'isd/bogus' is not a card state object");
}

TEST_F(CardStateTest, ObjectsOutsideTheIsdNamespaceAreLeftAlone) {
  personalize();
  tamper("applet/data", Bytes{1, 2, 3});
  auto store = open();
  CardState state(store);
  EXPECT_EQ(state.key_sets().size(), 1u);
}

TEST_F(CardStateTest, SequenceCounterIsDurableAndNeverWraps) {
  personalize();
  {
    auto store = open();
    CardState state(store);
    NvmKeyRegistry registry(state);
    ASSERT_NE(registry.find(0), nullptr);
    EXPECT_EQ(registry.find(0)->kvn, 0x30);
    EXPECT_EQ(registry.find(0x31), nullptr);
    const auto commits = store.stats().commits;
    EXPECT_EQ(registry.next_sequence_counter(0x30), 1u);
    EXPECT_EQ(store.stats().commits, commits + 1);  // committed before returning
    EXPECT_EQ(registry.next_sequence_counter(0), 2u);
    EXPECT_EQ(registry.next_sequence_counter(0x31), std::nullopt);
  }
  {
    auto store = open();
    CardState state(store);
    EXPECT_EQ(state.find_key_set(0x30)->sequence_counter, 2u);
  }
  tamper("isd/counter/30", Bytes{0xFF, 0xFF, 0xFE});
  auto store = open();
  CardState state(store);
  NvmKeyRegistry registry(state);
  EXPECT_EQ(registry.next_sequence_counter(0x30), 0xFFFFFFu);
  const auto commits = store.stats().commits;
  EXPECT_EQ(registry.next_sequence_counter(0x30), std::nullopt);
  EXPECT_EQ(store.stats().commits, commits);
  EXPECT_EQ(state.find_key_set(0x30)->sequence_counter, 0xFFFFFFu);
}

TEST_F(CardStateTest, KeySetChangesAndLifeCycleSurviveReopening) {
  personalize();
  {
    auto store = open();
    CardState state(store);
    state.next_sequence_counter(0x30);
    state.put_key_set(key_set(0x31, 0x01, 32), std::nullopt);
    EXPECT_THROW(state.put_key_set(key_set(0x31, 0x02), std::nullopt), Error);        // KVN in use
    EXPECT_THROW(state.put_key_set(key_set(0x35, 0x02), std::uint8_t{0x36}), Error);  // nothing to replace
    state.put_key_set(key_set(0x32, 0x03), std::uint8_t{0x30});                       // replace 30 by 32
    EXPECT_THROW(state.delete_key_set(0x30), Error);
    state.delete_key_set(0x31);
    EXPECT_THROW(state.delete_key_set(0x32), Error);  // the last one
    state.set_life_cycle(gp::card_life_cycle::kInitialized);
    EXPECT_THROW(state.set_life_cycle(gp::card_life_cycle::kCardLocked), Error);
    state.store_personalization({{"dgi/0101", Bytes{1}}, {"tlv/5F20", Bytes{2, 3}}});
  }
  auto store = open();
  CardState state(store);
  ASSERT_EQ(state.key_sets().size(), 1u);
  EXPECT_EQ(state.find_key_set(0)->keys.kvn, 0x32);
  EXPECT_EQ(state.find_key_set(0)->sequence_counter, 0u);
  EXPECT_TRUE(state.find_key_set(0x32)->keys.mac == key_set(0x32, 0x03).mac);
  EXPECT_EQ(state.life_cycle(), gp::card_life_cycle::kInitialized);
  EXPECT_EQ(state.personalization().at("tlv/5F20"), (Bytes{2, 3}));
  EXPECT_FALSE(store.contains("isd/counter/30"));
}

TEST(CardLifeCycle, OnlyGlobalPlatformTransitions) {
  using namespace gp::card_life_cycle;
  EXPECT_TRUE(is_allowed_transition(kOpReady, kInitialized));
  EXPECT_TRUE(is_allowed_transition(kInitialized, kSecured));
  EXPECT_TRUE(is_allowed_transition(kSecured, kCardLocked));
  EXPECT_TRUE(is_allowed_transition(kCardLocked, kSecured));
  for (auto from : {kOpReady, kInitialized, kSecured, kCardLocked})
    EXPECT_TRUE(is_allowed_transition(from, kTerminated));
  EXPECT_FALSE(is_allowed_transition(kOpReady, kSecured));      // no skipping
  EXPECT_FALSE(is_allowed_transition(kInitialized, kOpReady));  // irreversible
  EXPECT_FALSE(is_allowed_transition(kSecured, kInitialized));
  EXPECT_FALSE(is_allowed_transition(kOpReady, kCardLocked));
  EXPECT_FALSE(is_allowed_transition(kTerminated, kSecured));
  EXPECT_FALSE(is_allowed_transition(kSecured, kSecured));
  EXPECT_FALSE(is_allowed_transition(kSecured, 0x03));
}

}  // namespace
}  // namespace sefleet::card

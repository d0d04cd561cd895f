// The card's stored SCP11 keys loaded again with the previous load at hand: a parsed SD key is reused
// while its stored scalar is the same, and parsed afresh (and checked) once it changed. Personalization
// under a narrowed set of SD key identifiers, and its refusals.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/scp11_store.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"

namespace sefleet::card {
namespace {

constexpr Scp11KeyRef kScp11b{0x13, 0x01};
constexpr Scp11KeyRef kScp11a{0x11, 0x01};

nvm::NvmStore empty_store() {
  auto device = std::make_unique<nvm::MemoryDevice>();
  nvm::NvmStore::format(*device);
  return nvm::NvmStore(std::move(device));
}

nvm::NvmStore personalized_store(const crypto::P256PrivateKey& sd_key) {
  nvm::NvmStore store = empty_store();
  Scp11Profile profile;
  profile.sk_sd_ecka = sd_key.scalar();
  Scp11Store::personalize(store, profile, from_hex("0102030405060708"));
  return store;
}

void replace_scalar(nvm::NvmStore& store, ByteView scalar) {
  store.begin();
  store.write("scp11/sk/1301", scalar);
  store.commit();
}

const crypto::P256PrivateKey* parsed(const std::optional<Scp11Store>& store, Scp11KeyRef ref) {
  const Scp11Key* key = store ? store->find(ref) : nullptr;
  return key != nullptr ? key->private_key.get() : nullptr;
}

TEST(Scp11Store, ALoadWithThePreviousReusesTheParsedKeyUntilTheStoredKeyChanges) {
  const auto first_key = crypto::P256PrivateKey::generate();
  nvm::NvmStore store = personalized_store(first_key);
  const std::optional<Scp11Store> first = Scp11Store::load(store);
  ASSERT_NE(parsed(first, kScp11b), nullptr);
  EXPECT_EQ(parsed(first, kScp11b)->public_uncompressed(), first_key.public_uncompressed());

  const std::optional<Scp11Store> again = Scp11Store::load(store, &*first);
  ASSERT_NE(parsed(again, kScp11b), nullptr);
  EXPECT_EQ(parsed(again, kScp11b), parsed(first, kScp11b));  // the same parsed key, not a new parse

  const auto second_key = crypto::P256PrivateKey::generate();
  replace_scalar(store, second_key.scalar().view());
  const std::optional<Scp11Store> changed = Scp11Store::load(store, &*again);
  ASSERT_NE(parsed(changed, kScp11b), nullptr);
  EXPECT_NE(parsed(changed, kScp11b), parsed(first, kScp11b));
  EXPECT_EQ(parsed(changed, kScp11b)->public_uncompressed(), second_key.public_uncompressed());
  EXPECT_EQ(changed->find(kScp11b)->public_key, second_key.public_uncompressed());
  EXPECT_EQ(parsed(changed, kScp11a), parsed(first, kScp11a));  // the unchanged key of KID 11 is kept
}

TEST(Scp11Store, PersonalizedUnderKid15AloneOffersNoOtherSdKey) {
  const auto sd_key = crypto::P256PrivateKey::generate();
  nvm::NvmStore store = empty_store();
  Scp11Profile profile;
  profile.sk_sd_ecka = sd_key.scalar();
  profile.sd_key_ids = {0x15};
  Scp11Store::personalize(store, profile, from_hex("0102030405060708"));
  const std::optional<Scp11Store> loaded = Scp11Store::load(store);
  ASSERT_TRUE(loaded.has_value());
  ASSERT_NE(parsed(loaded, Scp11KeyRef{0x15, 0x01}), nullptr);
  EXPECT_EQ(loaded->find(Scp11KeyRef{0x15, 0x01})->public_key, sd_key.public_uncompressed());
  EXPECT_EQ(loaded->find(kScp11a), nullptr);
  EXPECT_EQ(loaded->find(kScp11b), nullptr);
}

TEST(Scp11Store, PersonalizationRefusesNoOrAnotherSdKeyIdentifier) {
  Scp11Profile profile;
  profile.sk_sd_ecka = crypto::P256PrivateKey::generate().scalar();
  for (const auto& ids :
       {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{0x10}, std::vector<std::uint8_t>{0x15, 0x12}}) {
    nvm::NvmStore store = empty_store();
    profile.sd_key_ids = ids;
    try {
      Scp11Store::personalize(store, profile, from_hex("0102030405060708"));
      ADD_FAILURE() << "accepted " << ids.size() << " identifiers";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument) << e.what();
    }
    EXPECT_FALSE(Scp11Store::load(store).has_value());
  }
}

TEST(Scp11Store, ACorruptKeyIsRefusedEvenWithAPreviousLoad) {
  nvm::NvmStore store = personalized_store(crypto::P256PrivateKey::generate());
  const std::optional<Scp11Store> first = Scp11Store::load(store);
  ASSERT_TRUE(first.has_value());
  replace_scalar(store, Bytes(32, 0xFF));  // above the order of P-256
  EXPECT_THROW(Scp11Store::load(store, &*first), Error);
  replace_scalar(store, Bytes(31, 0x01));
  EXPECT_THROW(Scp11Store::load(store, &*first), Error);
}

}  // namespace
}  // namespace sefleet::card

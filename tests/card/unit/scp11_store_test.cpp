// The card's stored SCP11 keys loaded again with the previous load at hand: the parsed SD key is
// reused while the stored scalar is the same, and parsed afresh (and checked) once it changed.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/scp11_store.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"

namespace sefleet::card {
namespace {

nvm::NvmStore personalized_store(const crypto::P256PrivateKey& sd_key) {
  auto device = std::make_unique<nvm::MemoryDevice>();
  nvm::NvmStore::format(*device);
  nvm::NvmStore store(std::move(device));
  Scp11Profile profile;
  profile.sk_sd_ecka = sd_key.scalar();
  Scp11Store::personalize(store, profile, from_hex("0102030405060708"));
  return store;
}

void replace_scalar(nvm::NvmStore& store, ByteView scalar) {
  store.begin();
  store.write("scp11/sk_sd", scalar);
  store.commit();
}

TEST(Scp11Store, ALoadWithThePreviousReusesTheParsedKeyUntilTheStoredKeyChanges) {
  const auto first_key = crypto::P256PrivateKey::generate();
  nvm::NvmStore store = personalized_store(first_key);
  const std::optional<Scp11Store> first = Scp11Store::load(store);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->sd_key().public_uncompressed(), first_key.public_uncompressed());

  const std::optional<Scp11Store> again = Scp11Store::load(store, first);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(&again->sd_key(), &first->sd_key());  // the same parsed key, not a new parse

  const auto second_key = crypto::P256PrivateKey::generate();
  replace_scalar(store, second_key.scalar().view());
  const std::optional<Scp11Store> changed = Scp11Store::load(store, again);
  ASSERT_TRUE(changed.has_value());
  EXPECT_NE(&changed->sd_key(), &first->sd_key());
  EXPECT_EQ(changed->sd_key().public_uncompressed(), second_key.public_uncompressed());
  EXPECT_EQ(changed->card_keys().sd_key, &changed->sd_key());
}

TEST(Scp11Store, ACorruptKeyIsRefusedEvenWithAPreviousLoad) {
  nvm::NvmStore store = personalized_store(crypto::P256PrivateKey::generate());
  const std::optional<Scp11Store> first = Scp11Store::load(store);
  ASSERT_TRUE(first.has_value());
  replace_scalar(store, Bytes(32, 0xFF));  // above the order of P-256
  EXPECT_THROW(Scp11Store::load(store, first), Error);
  replace_scalar(store, Bytes(31, 0x01));
  EXPECT_THROW(Scp11Store::load(store, first), Error);
}

}  // namespace
}  // namespace sefleet::card

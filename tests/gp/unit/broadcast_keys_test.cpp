// Profile-3 key material and the integrity code (gp/broadcast/broadcast_keys.hpp): AES-KW and AES-CMAC
// known answers computed with Python, round trips, and refusals.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "broadcast_known_answers.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/keywrap.hpp"
#include "gp/broadcast/broadcast_keys.hpp"

namespace sefleet::gp::broadcast::testing {
namespace {

BroadcastKeys keys(const Bytes& enc, const Bytes& mac) {
  return BroadcastKeys{SecretBytes(enc), SecretBytes(mac)};
}

Bytes flip(Bytes bytes, std::size_t index) {
  bytes.at(index) ^= 0x01;
  return bytes;
}

TEST(BroadcastKeys, WrapMatchesThePythonKnownAnswers) {
  EXPECT_EQ(to_hex(wrap_broadcast_keys(kKos128, keys(kBkEnc, kBkMac))), to_hex(kWrappedBk128));
  EXPECT_EQ(to_hex(wrap_broadcast_keys(kKos256, keys(kBk256Enc, kBk256Mac))), to_hex(kWrappedBk256));
}

TEST(BroadcastKeys, UnwrapRecoversTheKnownKeys) {
  const BroadcastKeys bk = unwrap_broadcast_keys(kKos128, kWrappedBk128);
  EXPECT_EQ(bk.enc.reveal(), kBkEnc);
  EXPECT_EQ(bk.mac.reveal(), kBkMac);
  const BroadcastKeys bk256 = unwrap_broadcast_keys(kKos256, kWrappedBk256);
  EXPECT_EQ(bk256.enc.reveal(), kBk256Enc);
  EXPECT_EQ(bk256.mac.reveal(), kBk256Mac);
}

TEST(BroadcastKeys, RoundTripsEveryKeyAndKosSize) {
  crypto::DeterministicRandom random(bytes_of("broadcast keys round trip"));
  for (const std::size_t kos_size : {16u, 24u, 32u}) {
    for (const std::size_t key_size : {16u, 24u, 32u}) {
      const Bytes kos = random.bytes(kos_size);
      const BroadcastKeys bk = keys(random.bytes(key_size), random.bytes(key_size));
      const Bytes wrapped = wrap_broadcast_keys(kos, bk);
      EXPECT_EQ(wrapped.size(), 2 * key_size + 8);
      const BroadcastKeys back = unwrap_broadcast_keys(kos, wrapped);
      EXPECT_TRUE(back.enc == bk.enc);
      EXPECT_TRUE(back.mac == bk.mac);
    }
  }
}

TEST(BroadcastKeys, JoinAndSplitAreInverse) {
  const SecretBytes joined = join_broadcast_keys(keys(kBkEnc, kBkMac));
  EXPECT_EQ(joined.reveal(), concat({kBkEnc, kBkMac}));
  const BroadcastKeys back = split_broadcast_keys(joined.view());
  EXPECT_EQ(back.enc.reveal(), kBkEnc);
  EXPECT_EQ(back.mac.reveal(), kBkMac);
  expect_error(Errc::invalid_argument, "got 40", [] { (void)split_broadcast_keys(Bytes(40, 0)); });
  expect_error(Errc::invalid_argument, "got 0", [] { (void)split_broadcast_keys(Bytes{}); });
}

TEST(BroadcastKeysRefusals, WrapRefusesMismatchedOrBadKeys) {
  expect_error(Errc::invalid_argument, "same length",
               [] { (void)wrap_broadcast_keys(kKos128, keys(kBkEnc, kBk256Mac)); });
  expect_error(Errc::invalid_argument, "same length",
               [] { (void)wrap_broadcast_keys(kKos128, keys(Bytes(15, 1), Bytes(15, 2))); });
  expect_error(Errc::invalid_argument, "same length", [] { (void)wrap_broadcast_keys(kKos128, keys({}, {})); });
  expect_error(Errc::invalid_argument, "Kos must be 16, 24 or 32 bytes, got 20",
               [] { (void)wrap_broadcast_keys(Bytes(20, 0), keys(kBkEnc, kBkMac)); });
}

TEST(BroadcastKeysRefusals, UnwrapRefusesWrongKosAlteredOrOddSizedData) {
  expect_error(Errc::integrity_error, "unwrap failed",
               [] { (void)unwrap_broadcast_keys(flip(kKos128, 0), kWrappedBk128); });
  for (std::size_t i = 0; i < kWrappedBk128.size(); i += 7) {
    expect_error(Errc::integrity_error, "unwrap failed",
                 [&] { (void)unwrap_broadcast_keys(kKos128, flip(kWrappedBk128, i)); });
  }
  Bytes truncated = kWrappedBk128;
  truncated.resize(32);
  expect_error(Errc::integrity_error, "unwrap failed", [&] { (void)unwrap_broadcast_keys(kKos128, truncated); });
  expect_error(Errc::integrity_error, "multiple of 8",
               [] { (void)unwrap_broadcast_keys(kKos128, Bytes(kWrappedBk128.begin(), kWrappedBk128.end() - 1)); });
  // A valid AES-KW of something that is not two equal AES keys (24 bytes): refused after unwrapping.
  const Bytes odd = crypto::aes_key_wrap(kKos128, Bytes(24, 0x33));
  expect_error(Errc::integrity_error, "unwrapped 24 bytes", [&] { (void)unwrap_broadcast_keys(kKos128, odd); });
  expect_error(Errc::invalid_argument, "Kos must be", [] { (void)unwrap_broadcast_keys(Bytes(8, 0), kWrappedBk128); });
}

TEST(BroadcastIntegrityCode, MatchesThePythonCmacAndWrap) {
  EXPECT_EQ(to_hex(integrity_code(kBkMac, kDatasend)), to_hex(kIntegrityCode));
  EXPECT_EQ(to_hex(wrap_integrity_code(kKos128, kIntegrityCode)), to_hex(kWrappedIntegrityCode));
  EXPECT_EQ(unwrap_integrity_code(kKos128, kWrappedIntegrityCode), kIntegrityCode);
}

TEST(BroadcastIntegrityCode, MatchesIsConstantTimeAndRefusesAnyChange) {
  EXPECT_TRUE(integrity_code_matches(kBkMac, kDatasend, kIntegrityCode));
  EXPECT_FALSE(integrity_code_matches(kBkMac, kDatasend, flip(kIntegrityCode, 15)));
  EXPECT_FALSE(integrity_code_matches(kBkMac, flip(kDatasend, 60), kIntegrityCode));
  EXPECT_FALSE(integrity_code_matches(flip(kBkMac, 0), kDatasend, kIntegrityCode));
  EXPECT_FALSE(integrity_code_matches(kBkMac, kDatasend, Bytes(kIntegrityCode.begin(), kIntegrityCode.end() - 1)));
  EXPECT_FALSE(integrity_code_matches(kBkMac, kDatasend, Bytes{}));
}

TEST(BroadcastIntegrityCodeRefusals, BadSizesAndAlteredWraps) {
  expect_error(Errc::invalid_argument, "key must be 16, 24 or 32 bytes, got 10",
               [] { (void)integrity_code(Bytes(10, 0), kDatasend); });
  expect_error(Errc::invalid_argument, "must be 16 bytes to wrap, got 24",
               [] { (void)wrap_integrity_code(kKos128, Bytes(24, 0)); });
  expect_error(Errc::invalid_argument, "must be 16 bytes to wrap, got 8",
               [] { (void)wrap_integrity_code(kKos128, Bytes(8, 0)); });
  expect_error(Errc::integrity_error, "must be 24 bytes, got 40",
               [] { (void)unwrap_integrity_code(kKos128, kWrappedBk128); });
  expect_error(Errc::integrity_error, "must be 24 bytes, got 16",
               [] { (void)unwrap_integrity_code(kKos128, kIntegrityCode); });
  expect_error(Errc::integrity_error, "unwrap failed",
               [] { (void)unwrap_integrity_code(kKos128, flip(kWrappedIntegrityCode, 23)); });
  expect_error(Errc::integrity_error, "unwrap failed",
               [] { (void)unwrap_integrity_code(kKos256, kWrappedIntegrityCode); });
}

}  // namespace
}  // namespace sefleet::gp::broadcast::testing

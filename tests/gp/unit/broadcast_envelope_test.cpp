// Profile-4 image envelope (gp/broadcast/image_envelope.hpp): known answers computed with Python's
// AES-CBC, round trips for every key size and padding boundary, and the refusals.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "broadcast_known_answers.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "gp/broadcast/image_envelope.hpp"

namespace sefleet::gp::broadcast::testing {
namespace {

TEST(BroadcastEnvelope, SealsToThePythonKnownAnswers) {
  ScriptedRandom iv128(kIv);
  EXPECT_EQ(to_hex(seal_envelope(kKos128, kDatasend, iv128)), to_hex(kEnvelope128));
  ScriptedRandom iv256(kIv);
  EXPECT_EQ(to_hex(seal_envelope(kKos256, kDatasend, iv256)), to_hex(kEnvelope256));
  ScriptedRandom iv_full(kIv);
  EXPECT_EQ(to_hex(seal_envelope(kKos128, Bytes(32, 0x00), iv_full)), to_hex(kEnvelopeFullBlock));
}

TEST(BroadcastEnvelope, OpensThePythonKnownAnswers) {
  EXPECT_EQ(open_envelope(kKos128, kEnvelope128).reveal(), kDatasend);
  EXPECT_EQ(open_envelope(kKos256, kEnvelope256).reveal(), kDatasend);
  EXPECT_EQ(open_envelope(kKos128, kEnvelopeFullBlock).reveal(), Bytes(32, 0x00));
}

TEST(BroadcastEnvelope, RoundTripsEveryKeySizeAndPaddingBoundary) {
  crypto::DeterministicRandom random(bytes_of("broadcast envelope round trip"));
  for (const std::size_t key_size : {16u, 24u, 32u}) {
    const Bytes kos = random.bytes(key_size);
    for (const std::size_t size : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 1000u}) {
      const Bytes plain = random.bytes(size);
      const Bytes envelope = seal_envelope(kos, plain, random);
      EXPECT_EQ(envelope.size(), envelope_size(size));
      EXPECT_EQ(envelope.size(), 16 + (size / 16 + 1) * 16) << "padding is always at least one byte";
      EXPECT_EQ(open_envelope(kos, envelope).reveal(), plain) << "key " << key_size << " size " << size;
    }
  }
}

TEST(BroadcastEnvelope, DrawsAFreshIvEachTime) {
  crypto::DeterministicRandom random(bytes_of("fresh iv"));
  const Bytes first = seal_envelope(kKos128, kDatasend, random);
  const Bytes second = seal_envelope(kKos128, kDatasend, random);
  EXPECT_NE(Bytes(first.begin(), first.begin() + 16), Bytes(second.begin(), second.begin() + 16));
  EXPECT_NE(first, second);
}

TEST(BroadcastEnvelopeRefusals, BadLengths) {
  for (const std::size_t size : {0u, 1u, 16u, 31u, 33u, 47u, 113u}) {
    const Bytes envelope(size, 0x00);
    expect_error(Errc::integrity_error, std::to_string(size) + " bytes is not IV (16) + a positive multiple of 16",
                 [&] { (void)open_envelope(kKos128, envelope); });
  }
  Bytes truncated = kEnvelope128;
  truncated.resize(truncated.size() - 1);
  expect_error(Errc::integrity_error, "not IV (16)", [&] { (void)open_envelope(kKos128, truncated); });
}

TEST(BroadcastEnvelopeRefusals, BadPaddingWrongKeyAndAlteredCiphertext) {
  // Ciphertext whose last block decrypts to no 80 marker: encrypt a block of zeros directly.
  crypto::Aes aes(kKos128);
  const Bytes no_marker = concat({kIv, aes.cbc_encrypt(kIv, Bytes(16, 0x00))});
  expect_error(Errc::integrity_error, "no 80 marker", [&] { (void)open_envelope(kKos128, no_marker); });
  // Non-minimal padding (a whole extra block of 80 00.. 00 00..) is refused in strict mode.
  Bytes two_blocks(32, 0x00);
  two_blocks[0] = 0x80;
  const Bytes long_padding = concat({kIv, aes.cbc_encrypt(kIv, two_blocks)});
  expect_error(Errc::integrity_error, "exceed one block", [&] { (void)open_envelope(kKos128, long_padding); });
  // A data byte after the marker.
  Bytes junk_after(16, 0x00);
  junk_after[10] = 0x80;
  junk_after[15] = 0x01;
  const Bytes junk = concat({kIv, aes.cbc_encrypt(kIv, junk_after)});
  expect_error(Errc::integrity_error, "padding", [&] { (void)open_envelope(kKos128, junk); });
  // Wrong Kos: with overwhelming probability the padding check fails (fixed keys, so deterministic).
  Bytes wrong_kos = kKos128;
  wrong_kos[0] ^= 0x01;
  expect_error(Errc::integrity_error, "padding", [&] { (void)open_envelope(wrong_kos, kEnvelope128); });
}

TEST(BroadcastEnvelopeRefusals, KosMustBeAnAesKey) {
  crypto::DeterministicRandom random(bytes_of("kos size"));
  for (const std::size_t size : {0u, 8u, 15u, 17u, 33u}) {
    const Bytes kos(size, 0x11);
    EXPECT_THROW((void)seal_envelope(kos, kDatasend, random), Error);
    try {
      (void)open_envelope(kos, kEnvelope128);
      ADD_FAILURE() << "accepted a " << size << "-byte Kos";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), Errc::invalid_argument);
    }
  }
}

}  // namespace
}  // namespace sefleet::gp::broadcast::testing

// GHASH: the GCM specification's test case 2 (McGrew and Viega, "The Galois/Counter Mode of Operation",
// Appendix B: K = 0^128, P = 0^128, IV = 0^96), and tags rebuilt from GHASH and AES-CTR against
// OpenSSL's AES-GCM on random inputs.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aead.hpp"
#include "crypto/aes.hpp"
#include "crypto/ghash.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

GhashBlock block_of(ByteView bytes) {
  GhashBlock block{};
  std::copy(bytes.begin(), bytes.end(), block.begin());
  return block;
}

// The GCM tag of (aad, ciphertext) under `key` with a 96-bit IV: E(K, IV || 1) xor GHASH(H, A, C, lengths).
Bytes gcm_tag(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext) {
  Aes aes(key);
  const GhashBlock h = block_of(aes.ecb_encrypt(Bytes(16, 0)));
  GhashBlock y{};
  const auto absorb_padded = [&](ByteView data) {
    Bytes padded(data.begin(), data.end());
    padded.resize((data.size() + 15) / 16 * 16, 0x00);
    ghash_update(h, y, padded);
  };
  absorb_padded(aad);
  absorb_padded(ciphertext);
  Bytes lengths;
  put_be64(lengths, aad.size() * 8);
  put_be64(lengths, ciphertext.size() * 8);
  ghash_update(h, y, lengths);
  Bytes j0(iv.begin(), iv.end());
  put_be32(j0, 1);
  Bytes tag = aes.ecb_encrypt(j0);
  for (std::size_t i = 0; i < 16; ++i) tag[i] ^= y[i];
  return tag;
}

TEST(Ghash, GcmSpecificationTestCase2) {
  const Bytes key(16, 0x00);
  EXPECT_EQ(to_hex(Aes(key).ecb_encrypt(Bytes(16, 0))), "66E94BD4EF8A2C3B884CFA59CA342B2E");  // H
  EXPECT_EQ(to_hex(gcm_tag(key, Bytes(12, 0), {}, from_hex("0388DACE60B6A392F328C2B971B2FE78"))),
            "AB6E47D42CEC13BDF53A67B21257BDDF");
}

TEST(Ghash, RebuiltTagsMatchOpenSslGcm) {
  for (const std::size_t key_size : {std::size_t{16}, std::size_t{24}, std::size_t{32}}) {
    for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{61}}) {
      const Bytes key = system_random().bytes(key_size);
      const Bytes iv = system_random().bytes(kGcmIvSize);
      const Bytes aad = system_random().bytes(length / 2 + 3);
      const Bytes sealed = aes_gcm_encrypt(key, iv, aad, system_random().bytes(length));
      const ByteView ciphertext = ByteView(sealed).first(length);
      EXPECT_EQ(gcm_tag(key, iv, aad, ciphertext), Bytes(sealed.end() - 16, sealed.end())) << key_size << " " << length;
    }
  }
}

TEST(Ghash, StreamsAndRefusesPartialBlocks) {
  const GhashBlock h = block_of(from_hex("66E94BD4EF8A2C3B884CFA59CA342B2E"));
  const Bytes data = system_random().bytes(64);
  GhashBlock whole{}, pieces{};
  ghash_update(h, whole, data);
  ghash_update(h, pieces, ByteView(data).first(16));
  ghash_update(h, pieces, ByteView(data).subspan(16));
  EXPECT_EQ(whole, pieces);
  EXPECT_THROW(ghash_update(h, whole, Bytes(15, 0)), Error);
}

TEST(Random, AdditionalInput) {
  EXPECT_TRUE(system_random().add_input(bytes_of("seed material")));
  DeterministicRandom a(bytes_of("x")), b(bytes_of("x"));
  EXPECT_FALSE(a.add_input(bytes_of("ignored")));  // stays reproducible
  EXPECT_EQ(a.bytes(32), b.bytes(32));
}

}  // namespace
}  // namespace sefleet::crypto

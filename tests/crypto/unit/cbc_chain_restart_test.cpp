// A long-lived cipher object starts each new CBC chain without re-initialising its OpenSSL context: the
// first block of the chain is corrected for the context's previous chaining value. These tests check
// every chain of a reused object against CBC computed block by block from ECB (which keeps no chaining
// state), across IVs, lengths, in-place and separate buffers, streaming pieces, and interleaved
// directions, for AES and 3DES.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/des.hpp"

namespace sefleet::crypto {
namespace {

Bytes random_bytes(std::mt19937& rng, std::size_t size) {
  Bytes out(size);
  for (auto& byte : out) byte = static_cast<std::uint8_t>(rng());
  return out;
}

// CBC from single-block ECB calls: the reference the streaming contexts must match.
template <typename Cipher>
Bytes reference_cbc(Cipher& ecb, std::size_t block, ByteView iv, ByteView in, bool encrypt) {
  Bytes out(in.size());
  Bytes chain(iv.begin(), iv.end());
  for (std::size_t at = 0; at < in.size(); at += block) {
    Bytes x(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + block));
    if (encrypt) {
      for (std::size_t i = 0; i < block; ++i) x[i] ^= chain[i];
      const Bytes y = ecb.ecb_encrypt(x);
      std::copy(y.begin(), y.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
      chain = y;
    } else {
      Bytes y = ecb.ecb_decrypt(x);
      for (std::size_t i = 0; i < block; ++i) y[i] ^= chain[i];
      std::copy(y.begin(), y.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
      chain = x;
    }
  }
  return out;
}

TEST(CbcChainRestart, AesStreamingChainsOfAReusedObjectMatchTheReference) {
  std::mt19937 rng(1234);
  for (const std::size_t key_size : {16u, 24u, 32u}) {
    const Bytes key = random_bytes(rng, key_size);
    Aes reused(key);
    Aes ecb(key);
    for (int round = 0; round < 200; ++round) {
      const bool encrypt = rng() % 2 == 0;
      const bool in_place = rng() % 2 == 0;
      const std::size_t blocks = rng() % 9;  // 0 blocks too: a chain that never gets data
      const Bytes iv = random_bytes(rng, kAesBlock);
      const Bytes input = random_bytes(rng, blocks * kAesBlock);
      const Bytes expected = reference_cbc(ecb, kAesBlock, iv, input, encrypt);
      Bytes buffer = input;
      Bytes separate(input.size());
      std::uint8_t* out = in_place ? buffer.data() : separate.data();
      if (encrypt) {
        reused.cbc_encrypt_begin(iv);
      } else {
        reused.cbc_decrypt_begin(iv);
      }
      // The chain in pieces of 0 to 3 blocks, as a streaming caller sends it.
      for (std::size_t at = 0; at < input.size();) {
        const std::size_t piece = std::min<std::size_t>((rng() % 4) * kAesBlock, input.size() - at);
        const ByteView in(buffer.data() + at, piece);
        if (encrypt) {
          reused.cbc_encrypt_continue(in, out + at);
        } else {
          reused.cbc_decrypt_continue(in, out + at);
        }
        at += piece;
      }
      EXPECT_EQ(in_place ? buffer : separate, expected) << "key " << key_size << ", round " << round;
    }
  }
}

TEST(CbcChainRestart, AesOneShotCallsMatchAFreshObject) {
  std::mt19937 rng(99);
  const Bytes key = random_bytes(rng, 16);
  Aes reused(key);
  for (int round = 0; round < 50; ++round) {
    const Bytes iv = random_bytes(rng, kAesBlock);
    const Bytes input = random_bytes(rng, (1 + rng() % 6) * kAesBlock);
    Aes fresh(key);
    EXPECT_EQ(reused.cbc_encrypt(iv, input), fresh.cbc_encrypt(iv, input));
    Aes fresh_decrypt(key);
    EXPECT_EQ(reused.cbc_decrypt(iv, input), fresh_decrypt.cbc_decrypt(iv, input));
  }
}

TEST(CbcChainRestart, AesKnownAnswerAfterEarlierChains) {
  // SP 800-38A F.2.1 / F.2.2 (CBC-AES128), first two blocks, computed after unrelated chains.
  const Bytes key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
  const Bytes plain = from_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  const Bytes cipher = from_hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
  Aes aes(key);
  (void)aes.cbc_encrypt(Bytes(16, 0x55), Bytes(48, 0xAA));
  (void)aes.cbc_decrypt(Bytes(16, 0x33), Bytes(32, 0x11));
  EXPECT_EQ(aes.cbc_encrypt(iv, plain), cipher);
  EXPECT_EQ(aes.cbc_decrypt(iv, cipher), plain);
  EXPECT_EQ(aes.cbc_encrypt(iv, plain), cipher);
}

TEST(CbcChainRestart, TripleDesChainsOfAReusedObjectMatchTheReference) {
  std::mt19937 rng(77);
  const Bytes key = random_bytes(rng, 16);
  Des reused(key);
  Des ecb(key);
  for (int round = 0; round < 100; ++round) {
    const Bytes iv = random_bytes(rng, 8);
    const Bytes input = random_bytes(rng, (rng() % 6) * 8);
    const bool encrypt = rng() % 2 == 0;
    const Bytes expected = reference_cbc(ecb, 8, iv, input, encrypt);
    EXPECT_EQ(encrypt ? reused.cbc_encrypt(iv, input) : reused.cbc_decrypt(iv, input), expected) << round;
  }
}

}  // namespace
}  // namespace sefleet::crypto

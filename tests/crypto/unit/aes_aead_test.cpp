// AES-GCM in pieces and AES-CCM over OpenSSL (crypto/aes_aead.hpp): SP 800-38C's examples for CCM, the
// one-shot GCM of crypto/aead.hpp for GCM, tags checked after the plaintext, and every refusal.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aead.hpp"
#include "crypto/aes_aead.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

Bytes piecewise(AesGcmStream& stream, ByteView in, std::size_t piece) {
  Bytes out;
  for (std::size_t at = 0; at < in.size(); at += piece) {
    append(out, stream.update(in.subspan(at, std::min(piece, in.size() - at))));
  }
  return out;
}

TEST(AesGcmStream, InPiecesIsTheOneShotGcm) {
  auto& random = system_random();
  for (const std::size_t key_size : {16u, 24u, 32u}) {
    const Bytes key = random.bytes(key_size), nonce = random.bytes(kGcmIvSize), aad = random.bytes(37),
                message = random.bytes(101);
    const Bytes sealed = aes_gcm_encrypt(key, nonce, aad, message);
    AesGcmStream encrypt(key, nonce, true);
    encrypt.add_aad(ByteView(aad).first(5));
    encrypt.add_aad(ByteView(aad).subspan(5));
    const Bytes ciphertext = piecewise(encrypt, message, 7);
    EXPECT_EQ(ciphertext, Bytes(sealed.begin(), sealed.end() - kGcmTagSize)) << key_size;
    EXPECT_EQ(encrypt.finish_encryption(), Bytes(sealed.end() - kGcmTagSize, sealed.end()));

    AesGcmStream decrypt(key, nonce, false);
    decrypt.add_aad(aad);
    EXPECT_EQ(piecewise(decrypt, ciphertext, 33), message);
    const Bytes tag(sealed.end() - kGcmTagSize, sealed.end());
    EXPECT_TRUE(decrypt.verify(tag));
    EXPECT_TRUE(decrypt.verify(ByteView(tag).first(8))) << "a truncated tag is its leading bytes";
    Bytes wrong = tag;
    wrong[15] ^= 1;
    EXPECT_FALSE(decrypt.verify(wrong));
    EXPECT_TRUE(decrypt.verify(tag)) << "asking again gives the same answer";
    EXPECT_FALSE(decrypt.verify({}));
  }
}

TEST(AesGcmStream, OtherNonceLengthsRoundTripAndRefusals) {
  const Bytes key(16, 0x11), aad = bytes_of("header"), message = bytes_of("a message of some length");
  for (const std::size_t nonce_size : {1u, 8u, 16u, 60u}) {
    const Bytes nonce(nonce_size, 0x22);
    AesGcmStream encrypt(key, nonce, true);
    encrypt.add_aad(aad);
    const Bytes ciphertext = encrypt.update(message);
    const Bytes tag = encrypt.finish_encryption();
    AesGcmStream decrypt(key, nonce, false);
    decrypt.add_aad(aad);
    EXPECT_EQ(decrypt.update(ciphertext), message);
    EXPECT_TRUE(decrypt.verify(tag)) << nonce_size;
  }
  EXPECT_THROW(AesGcmStream(key, {}, true), Error);
  EXPECT_THROW(AesGcmStream(Bytes(15, 0), Bytes(12, 0), true), Error);
  AesGcmStream started(key, Bytes(12, 0), true);
  (void)started.update(message);
  EXPECT_THROW(started.add_aad(aad), Error);
  EXPECT_THROW(started.verify(Bytes(16, 0)), Error);
  AesGcmStream decryption(key, Bytes(12, 0), false);
  EXPECT_THROW(decryption.finish_encryption(), Error);
}

struct CcmExample {
  const char *nonce, *aad, *plain, *cipher_and_tag;
  std::size_t tag_size;
};

// NIST SP 800-38C Appendix C, examples 1 to 3 (key 404142...4F).
const CcmExample kCcmExamples[] = {
    {"10111213141516", "0001020304050607", "20212223", "7162015B4DAC255D", 4},
    {"1011121314151617", "000102030405060708090A0B0C0D0E0F", "202122232425262728292A2B2C2D2E2F",
     "D2A1F0E051EA5F62081A7792073D593D1FC64FBFACCD", 6},
    {"101112131415161718191A1B", "000102030405060708090A0B0C0D0E0F10111213",
     "202122232425262728292A2B2C2D2E2F3031323334353637",
     "E3B201A9F5B71A7A9B1CEAECCD97E70B6176AAD9A4428AA5484392FBC1B09951", 8},
};

TEST(AesCcm, SP80038CExamples) {
  const Bytes key = from_hex("404142434445464748494A4B4C4D4E4F");
  for (const auto& example : kCcmExamples) {
    const Bytes nonce = from_hex(example.nonce), aad = from_hex(example.aad), plain = from_hex(example.plain);
    const Bytes expected = from_hex(example.cipher_and_tag);
    const AesCcmOutput sealed = aes_ccm_encrypt(key, nonce, aad, plain, example.tag_size);
    EXPECT_EQ(concat({sealed.data, sealed.tag}), expected) << example.nonce;
    const AesCcmOutput opened =
        aes_ccm_decrypt_unchecked(key, nonce, aad, ByteView(expected).first(plain.size()), example.tag_size);
    EXPECT_EQ(opened.data, plain);
    EXPECT_EQ(opened.tag, sealed.tag);
  }
}

TEST(AesCcm, EmptyPartsAndRefusals) {
  const Bytes key(32, 0x33), nonce(13, 0x44);
  const AesCcmOutput only_aad = aes_ccm_encrypt(key, nonce, bytes_of("header"), {}, 16);
  EXPECT_TRUE(only_aad.data.empty());
  EXPECT_EQ(only_aad.tag.size(), 16u);
  EXPECT_NE(only_aad.tag, aes_ccm_encrypt(key, nonce, bytes_of("headed"), {}, 16).tag);
  const AesCcmOutput nothing = aes_ccm_encrypt(key, nonce, {}, {}, 4);
  EXPECT_EQ(nothing.tag.size(), 4u);
  EXPECT_THROW(aes_ccm_encrypt(key, Bytes(6, 0), {}, {}, 8), Error);
  EXPECT_THROW(aes_ccm_encrypt(key, Bytes(14, 0), {}, {}, 8), Error);
  EXPECT_THROW(aes_ccm_encrypt(key, nonce, {}, {}, 5), Error);
  EXPECT_THROW(aes_ccm_encrypt(key, nonce, {}, {}, 18), Error);
  EXPECT_THROW(aes_ccm_encrypt(key, nonce, {}, Bytes(70000, 0), 8), Error) << "a 13-byte nonce leaves 2 length bytes";
  EXPECT_THROW(aes_ccm_encrypt(Bytes(20, 0), nonce, {}, {}, 8), Error);
}

}  // namespace
}  // namespace sefleet::crypto

// AES key wrap (RFC 3394 §4, and against OpenSSL's own AES-*-WRAP ciphers) and AES-GCM (McGrew & Viega, "The
// Galois/Counter Mode of Operation", Appendix B test cases 2-4).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aead.hpp"
#include "crypto/keywrap.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

const Bytes kKek = from_hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
const Bytes kKeyData = from_hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");

struct WrapVector {
  const char* section;
  std::size_t kek_size;
  std::size_t key_size;
  const char* wrapped;
};

const WrapVector kWrapVectors[] = {
    {"4.1", 16, 16, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
    {"4.2", 24, 16, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"},
    {"4.3", 32, 16, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"},
    {"4.4", 24, 24, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"},
    {"4.5", 32, 24, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"},
    {"4.6", 32, 32, "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"},
};

TEST(KeyWrap, Rfc3394Section4) {
  for (const auto& v : kWrapVectors) {
    SCOPED_TRACE(std::string("RFC 3394 ") + v.section);
    const ByteView kek(kKek.data(), v.kek_size);
    const ByteView key(kKeyData.data(), v.key_size);
    EXPECT_EQ(to_hex(aes_key_wrap(kek, key)), v.wrapped);
    EXPECT_EQ(aes_key_unwrap(kek, from_hex(v.wrapped)).reveal(), Bytes(key.begin(), key.end()));
  }
}

// OpenSSL's wrap cipher, independent of the implementation under test.
Bytes openssl_key_wrap(ByteView kek, ByteView plaintext) {
  const std::string name = "AES-" + std::to_string(kek.size() * 8) + "-WRAP";
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(plaintext.size() + 8);
  int written = 0;
  const bool ok =
      cipher != nullptr && ctx != nullptr && EVP_EncryptInit_ex2(ctx, cipher, kek.data(), nullptr, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &written, plaintext.data(), static_cast<int>(plaintext.size())) == 1 &&
      static_cast<std::size_t>(written) == out.size();
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  if (!ok) ADD_FAILURE() << "OpenSSL " << name << " failed";
  return out;
}

TEST(KeyWrap, SameBytesAsOpenSslWrapCipherForEveryKekSizeAndLength) {
  Random& random = system_random();
  for (const std::size_t kek_size : {16u, 24u, 32u}) {
    for (std::size_t length = 16; length <= 264; length += 8) {
      SCOPED_TRACE("KEK " + std::to_string(kek_size) + " bytes, data " + std::to_string(length) + " bytes");
      const Bytes kek = random.bytes(kek_size);
      const Bytes data = random.bytes(length);
      const Bytes wrapped = aes_key_wrap(kek, data);
      EXPECT_EQ(wrapped, openssl_key_wrap(kek, data));
      EXPECT_EQ(aes_key_unwrap(kek, wrapped).reveal(), data);
    }
  }
}

TEST(KeyWrap, RefusesAnyAlteredByte) {
  const Bytes kek = system_random().bytes(16);
  const Bytes wrapped = aes_key_wrap(kek, Bytes(40, 0x5A));
  for (std::size_t k = 0; k < wrapped.size(); ++k) {
    Bytes altered = wrapped;
    altered[k] ^= 0x80;
    EXPECT_THROW(aes_key_unwrap(kek, altered), Error) << "byte " << k;
  }
}

TEST(KeyWrap, RefusesTamperingWrongKekAndBadSizes) {
  const ByteView kek(kKek.data(), 16);
  Bytes wrapped = from_hex(kWrapVectors[0].wrapped);
  Bytes tampered = wrapped;
  tampered[10] ^= 0x01;
  try {
    aes_key_unwrap(kek, tampered);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error);
  }
  EXPECT_THROW(aes_key_unwrap(ByteView(kKek.data() + 1, 16), wrapped), Error);
  EXPECT_THROW(aes_key_unwrap(kek, Bytes(16, 0)), Error);  // shorter than 24
  EXPECT_THROW(aes_key_unwrap(kek, Bytes(25, 0)), Error);  // not a multiple of 8
  EXPECT_THROW(aes_key_wrap(kek, Bytes(8, 0)), Error);     // less than 16
  EXPECT_THROW(aes_key_wrap(kek, Bytes(20, 0)), Error);    // not a multiple of 8
  EXPECT_THROW(aes_key_wrap(Bytes(15, 0), Bytes(16, 0)), Error);
}

TEST(AesGcm, SpecTestCases) {
  // Test case 2: zero key, zero IV, one zero block.
  EXPECT_EQ(to_hex(aes_gcm_encrypt(Bytes(16, 0), Bytes(12, 0), {}, Bytes(16, 0))),
            "0388DACE60B6A392F328C2B971B2FE78AB6E47D42CEC13BDF53A67B21257BDDF");
  const Bytes key = from_hex("feffe9928665731c6d6a8f9467308308");
  const Bytes iv = from_hex("cafebabefacedbaddecaf888");
  const Bytes plaintext = from_hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
  const std::string ciphertext =
      "42831EC2217774244B7221B784D0D49CE3AA212F2C02A4E035C17E2329ACA12E"
      "21D514B25466931C7D8F6A5AAC84AA051BA30B396A0AAC973D58E091473F5985";
  // Test case 3: no AAD.
  EXPECT_EQ(to_hex(aes_gcm_encrypt(key, iv, {}, plaintext)), ciphertext + "4D5C2AF327CD64A62CF35ABD2BA6FAB4");
  // Test case 4: 60-byte plaintext with 20 bytes of AAD.
  const Bytes aad = from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const ByteView short_plain(plaintext.data(), 60);
  const Bytes sealed = aes_gcm_encrypt(key, iv, aad, short_plain);
  EXPECT_EQ(to_hex(sealed), ciphertext.substr(0, 120) + "5BC94FBC3221A5DB94FAE95AE7121A47");
  EXPECT_EQ(aes_gcm_decrypt(key, iv, aad, sealed).reveal(), Bytes(short_plain.begin(), short_plain.end()));
}

TEST(AesGcm, RefusesAlteredCiphertextTagOrAad) {
  const Bytes key(32, 0x42);
  const Bytes iv(12, 0x24);
  const Bytes sealed = aes_gcm_encrypt(key, iv, bytes_of("aad"), bytes_of("secret keystore"));
  EXPECT_EQ(aes_gcm_decrypt(key, iv, bytes_of("aad"), sealed).reveal(), bytes_of("secret keystore"));
  for (const std::size_t position : {std::size_t{0}, sealed.size() - 1}) {
    Bytes altered = sealed;
    altered[position] ^= 0x80;
    try {
      aes_gcm_decrypt(key, iv, bytes_of("aad"), altered);
      FAIL() << position;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::integrity_error);
    }
  }
  EXPECT_THROW(aes_gcm_decrypt(key, iv, bytes_of("AAD"), sealed), Error);
  EXPECT_THROW(aes_gcm_decrypt(key, iv, {}, Bytes(15, 0)), Error);
  EXPECT_THROW(aes_gcm_encrypt(key, Bytes(16, 0), {}, {}), Error);
  EXPECT_THROW(aes_gcm_encrypt(Bytes(10, 0), iv, {}, {}), Error);
}

}  // namespace
}  // namespace sefleet::crypto

// crypto::Cmac computes CMAC over OpenSSL's AES-CBC (CBC-MAC plus the subkey step of SP 800-38B);
// here every length class and every way of splitting a message is checked against OpenSSL's own
// CMAC (EVP_MAC "CMAC"), for the three key sizes, and the streaming CBC calls of crypto::Aes
// against the one-shot ones.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

// OpenSSL's CMAC, independent of the class under test.
Mac16 openssl_cmac(ByteView key, ByteView message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  std::string cipher = "AES-" + std::to_string(key.size() * 8) + "-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher.data(), 0),
                               OSSL_PARAM_construct_end()};
  Mac16 out{};
  std::size_t length = 0;
  const bool ok = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx, message.data(), message.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &length, out.size()) == 1 && length == out.size();
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  if (!ok) ADD_FAILURE() << "OpenSSL CMAC failed";
  return out;
}

// Lengths around every boundary the implementation has: empty, partial and whole blocks, the
// 512-byte buffer (and 256, the C-MAC input of a short command), the 4 KiB scratch area, and a 64 KiB
// extended APDU.
std::vector<std::size_t> lengths() {
  std::vector<std::size_t> out;
  for (std::size_t n = 0; n <= 80; ++n) out.push_back(n);
  for (const long base : {256L, 512L, 4096L, 8192L, 65536L}) {
    for (const long delta : {-17L, -16L, -15L, -1L, 0L, 1L, 15L, 16L, 17L})
      out.push_back(static_cast<std::size_t>(base + delta));
  }
  return out;
}

TEST(CmacReference, OneShotMatchesOpenSslForEveryLengthAndKeySize) {
  DeterministicRandom random(Bytes{0xC3});
  for (const std::size_t key_size : {16, 24, 32}) {
    const Bytes key = random.bytes(key_size);
    Cmac cmac(key);
    for (const std::size_t length : lengths()) {
      const Bytes message = random.bytes(length);
      EXPECT_EQ(cmac.compute(message), openssl_cmac(key, message)) << key_size << "-byte key, " << length << " bytes";
    }
  }
}

TEST(CmacReference, EverySplitOfAMessageGivesTheSameTag) {
  DeterministicRandom random(Bytes{0x5B});
  const Bytes key = random.bytes(16);
  Cmac cmac(key);
  for (const std::size_t length :
       {std::size_t{33}, std::size_t{300}, std::size_t{530}, std::size_t{4113}, std::size_t{9000}}) {
    const Bytes message = random.bytes(length);
    const Mac16 expected = openssl_cmac(key, message);
    // Two parts at every cut point of the short messages, and at block-relevant cuts of the long ones.
    for (std::size_t cut = 0; cut <= length; cut += length < 600 ? 1 : 97) {
      cmac.begin();
      cmac.update(ByteView(message).first(cut));
      cmac.update(ByteView(message).subspan(cut));
      ASSERT_EQ(cmac.finish(), expected) << length << " bytes cut at " << cut;
    }
    // Many irregular pieces, empty ones included.
    cmac.begin();
    std::size_t at = 0;
    for (std::size_t piece = 0; at < length; piece = (piece * 7 + 5) % 530) {
      const std::size_t n = std::min(piece, length - at);
      cmac.update(ByteView(message).subspan(at, n));
      at += n;
    }
    EXPECT_EQ(cmac.finish(), expected) << length << " bytes in irregular pieces";
  }
}

TEST(CmacReference, TheObjectIsReusableAfterFinishWithOrWithoutBegin) {
  const Bytes key(32, 0x2A);
  Cmac cmac(key);
  const Bytes first(100, 0x01), second(5000, 0x02);
  cmac.update(first);  // a fresh object is ready without begin()
  EXPECT_EQ(cmac.finish(), openssl_cmac(key, first));
  cmac.update(second);  // finish() leaves it ready for the next message
  EXPECT_EQ(cmac.finish(), openssl_cmac(key, second));
  cmac.update(first);
  cmac.begin();  // begin() drops a message in progress
  EXPECT_EQ(cmac.compute({ByteView(second).first(10), ByteView(second).subspan(10)}), openssl_cmac(key, second));
  Cmac moved(std::move(cmac));
  EXPECT_EQ(moved.compute(first), openssl_cmac(key, first));
}

TEST(AesStreaming, PiecesContinueTheChainInBothDirectionsAndInPlace) {
  DeterministicRandom random(Bytes{0xA5});
  const Bytes key = random.bytes(16), iv = random.bytes(16), plain = random.bytes(16 * 300);
  Aes aes(key);
  const Bytes cipher = aes.cbc_encrypt(iv, plain);
  Bytes streamed(plain.size());
  aes.cbc_encrypt_begin(iv);
  std::size_t piece = 16;
  for (std::size_t at = 0; at < plain.size(); piece += 32) {  // 16, 48, 80, ... bytes
    const std::size_t n = std::min(piece, plain.size() - at);
    aes.cbc_encrypt_continue(ByteView(plain).subspan(at, n), streamed.data() + at);
    at += n;
  }
  EXPECT_EQ(streamed, cipher);
  Bytes in_place = cipher;
  aes.cbc_decrypt_begin(iv);
  for (std::size_t at = 0; at < in_place.size(); at += 16 * 37) {
    const std::size_t n = std::min<std::size_t>(16 * 37, in_place.size() - at);
    aes.cbc_decrypt_continue(ByteView(in_place).subspan(at, n), in_place.data() + at);
  }
  EXPECT_EQ(in_place, plain);
  EXPECT_THROW(aes.cbc_decrypt_continue(ByteView(plain).first(15), in_place.data()), Error);
  EXPECT_THROW(aes.cbc_encrypt_begin(ByteView(iv).first(8)), Error);
}

}  // namespace
}  // namespace sefleet::crypto

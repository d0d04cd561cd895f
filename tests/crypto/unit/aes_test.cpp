// AES-ECB/CBC known answers (NIST SP 800-38A Appendix F) and ISO/IEC 9797-1 method 2 padding.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {
namespace {

// SP 800-38A F.1/F.2: the same four plaintext blocks for every key size and mode.
const char* const kPlaintext =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
const char* const kCbcIv = "000102030405060708090a0b0c0d0e0f";

struct AesVector {
  const char* name;
  const char* key;
  const char* ecb;  // F.1.1 / F.1.3 / F.1.5
  const char* cbc;  // F.2.1 / F.2.3 / F.2.5
};

const AesVector kVectors[] = {
    {"AES-128", "2b7e151628aed2a6abf7158809cf4f3c",
     "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4",
     "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"},
    {"AES-192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef"
     "ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e",
     "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd"},
    {"AES-256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870"
     "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

Bytes hx(const char* text) {
  std::string compact;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p != ' ') compact += *p;
  }
  return from_hex(compact);
}

TEST(Aes, Sp80038aEcbAndCbc) {
  const Bytes plaintext = hx(kPlaintext);
  const Bytes iv = hx(kCbcIv);
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    Aes aes(hx(v.key));
    EXPECT_EQ(aes.key_size(), hx(v.key).size());
    EXPECT_EQ(aes.ecb_encrypt(plaintext), hx(v.ecb));
    EXPECT_EQ(aes.ecb_decrypt(hx(v.ecb)), plaintext);
    EXPECT_EQ(aes.cbc_encrypt(iv, plaintext), hx(v.cbc));
    EXPECT_EQ(aes.cbc_decrypt(iv, hx(v.cbc)), plaintext);
    // The same object again: the cached contexts must restart from the IV, not continue the chain.
    EXPECT_EQ(aes.cbc_encrypt(iv, plaintext), hx(v.cbc));
    // Single blocks, in place.
    Bytes block(plaintext.begin(), plaintext.begin() + 16);
    aes.encrypt_block(block.data(), block.data());
    const Bytes ecb = hx(v.ecb);
    EXPECT_EQ(block, Bytes(ecb.begin(), ecb.begin() + 16));
    aes.decrypt_block(block.data(), block.data());
    EXPECT_EQ(block, Bytes(plaintext.begin(), plaintext.begin() + 16));
  }
}

TEST(Aes, RefusesBadKeysIvsAndPartialBlocks) {
  EXPECT_FALSE(is_aes_key_size(15));
  EXPECT_TRUE(is_aes_key_size(24));
  try {
    Aes bad(Bytes(20, 0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("got 20"), std::string::npos);
  }
  Aes aes(Bytes(16, 0));
  EXPECT_THROW(aes.ecb_encrypt(Bytes(15, 0)), Error);
  EXPECT_THROW(aes.cbc_encrypt(Bytes(15, 0), Bytes(16, 0)), Error);
  EXPECT_THROW(aes.cbc_decrypt(Bytes(16, 0), Bytes(17, 0)), Error);
}

TEST(Padding, Pad80AddsOneToSixteenBytes) {
  EXPECT_EQ(pad80({}), hx("80000000000000000000000000000000"));
  EXPECT_EQ(pad80(hx("0102")), hx("01028000000000000000000000000000"));
  const Bytes fifteen(15, 0xAA);
  EXPECT_EQ(pad80(fifteen).size(), 16u);
  EXPECT_EQ(pad80(fifteen).back(), 0x80);
  EXPECT_EQ(pad80(Bytes(16, 0xAA)).size(), 32u);
  EXPECT_EQ(pad80(hx("01"), 8), hx("0180000000000000"));
  Bytes in_place = hx("0102");
  pad80_in_place(in_place);
  EXPECT_EQ(in_place, pad80(hx("0102")));
}

TEST(Padding, Unpad80StrictAndLenient) {
  for (std::size_t size : {0u, 1u, 15u, 16u, 17u, 31u}) {
    const Bytes data(size, 0x5C);
    EXPECT_EQ(unpad80(pad80(data)), data) << size;
    EXPECT_EQ(unpad80(pad80(data), PaddingPolicy::lenient), data) << size;
  }
  // Data that itself ends in 80 00: only the last 80 is the marker.
  EXPECT_EQ(unpad80(pad80(hx("8000"))), hx("8000"));
  // Two blocks of padding: non-minimal, refused when strict, accepted when lenient.
  Bytes long_pad = hx("0180");
  long_pad.resize(32, 0x00);
  try {
    unpad80(long_pad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error);
    EXPECT_NE(std::string(e.what()).find("31 padding bytes exceed one block"), std::string::npos) << e.what();
  }
  EXPECT_EQ(unpad80(long_pad, PaddingPolicy::lenient), hx("01"));
}

TEST(Padding, Unpad80RefusesEveryMalformedInput) {
  struct Case {
    Bytes data;
    const char* fragment;
  };
  const Case cases[] = {
      {{}, "length 0 is not a positive multiple of 16"},
      {hx("0180"), "length 2 is not a positive multiple of 16"},
      {Bytes(17, 0x00), "length 17 is not a positive multiple of 16"},
      {Bytes(16, 0x00), "no 80 marker before the trailing zeros"},
      {hx("0102030405060708090A0B0C0D0E0F10"), "no 80 marker"},  // no padding at all
      {hx("01020304050607080900000000000000"), "no 80 marker"},  // zeros without a marker
      {hx("01020304050607088001000000000000"), "no 80 marker"},  // marker followed by a non-zero byte
  };
  for (const auto policy : {PaddingPolicy::strict, PaddingPolicy::lenient}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(to_hex(c.data));
      try {
        unpad80(c.data, policy);
        ADD_FAILURE() << "accepted malformed padding";
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), Errc::integrity_error);
        EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos) << e.what();
      }
    }
  }
  EXPECT_THROW(unpad80(hx("0180000000000000"), PaddingPolicy::strict, 16), Error);
  EXPECT_EQ(unpad80(hx("0180000000000000"), PaddingPolicy::strict, 8), hx("01"));
}

}  // namespace
}  // namespace sefleet::crypto

// AES-CTR (NIST SP 800-38A F.5), the ISO 9797-1 / PKCS#5 paddings, and CBC-MAC (the last block of the
// SP 800-38A F.2 CBC vectors).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/aes_ctr.hpp"
#include "crypto/cbc_mac.hpp"
#include "crypto/padding.hpp"

namespace sefleet::crypto {
namespace {

const char* const kCtrCbcMacPlaintext =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
const char* const kKey128 = "2b7e151628aed2a6abf7158809cf4f3c";

struct CtrVector {
  const char* name;
  const char* key;
  const char* ciphertext;
};

// SP 800-38A F.5.1, F.5.3, F.5.5: initial counter block f0f1...ff.
const CtrVector kCtrVectors[] = {
    {"CTR-AES128", kKey128,
     "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"},
    {"CTR-AES192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94"
     "1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050"},
    {"CTR-AES256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5"
     "2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6"},
};
const char* const kCounter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

TEST(AesCtr, Sp80038aF5) {
  const Bytes plaintext = from_hex(kCtrCbcMacPlaintext);
  for (const auto& v : kCtrVectors) {
    SCOPED_TRACE(v.name);
    AesCtr encrypt(from_hex(v.key), from_hex(kCounter));
    EXPECT_EQ(encrypt.apply(plaintext), from_hex(v.ciphertext));
    AesCtr decrypt(from_hex(v.key), from_hex(kCounter));
    EXPECT_EQ(decrypt.apply(from_hex(v.ciphertext)), plaintext);
  }
}

TEST(AesCtr, PiecesOfAnyLengthContinueTheKeyStream) {
  const Bytes plaintext = from_hex(kCtrCbcMacPlaintext);
  AesCtr ctr(from_hex(kKey128), from_hex(kCounter));
  Bytes out;
  for (const std::size_t piece : {std::size_t{1}, std::size_t{15}, std::size_t{17}, std::size_t{0}, std::size_t{31}}) {
    const Bytes part = ctr.apply(ByteView(plaintext).subspan(out.size(), piece));
    out.insert(out.end(), part.begin(), part.end());
  }
  EXPECT_EQ(out, from_hex(kCtrVectors[0].ciphertext));
  ctr.restart(from_hex(kCounter));
  EXPECT_EQ(ctr.apply(plaintext), from_hex(kCtrVectors[0].ciphertext));
}

TEST(AesCtr, TheCounterWrapsAsOne128BitInteger) {
  // After FF..FF comes 00..00: the key stream is E(FF..FF) || E(00..00).
  Aes aes(from_hex(kKey128));
  const Bytes expected = aes.ecb_encrypt(from_hex("ffffffffffffffffffffffffffffffff 00000000000000000000000000000000"));
  AesCtr ctr(from_hex(kKey128), Bytes(16, 0xFF));
  EXPECT_EQ(ctr.apply(Bytes(32, 0x00)), expected);
}

TEST(AesCtr, Refusals) {
  EXPECT_THROW(AesCtr(Bytes(15, 1), Bytes(16, 0)), Error);
  EXPECT_THROW(AesCtr(Bytes(16, 1), Bytes(12, 0)), Error);
  AesCtr ctr(Bytes(32, 1), Bytes(16, 0));
  EXPECT_THROW(ctr.restart(Bytes(17, 0)), Error);
}

TEST(Padding, SuffixesOfEachMethod) {
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::iso9797_m1, 5, 8)), "000000");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::iso9797_m1, 8, 8)), "");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::iso9797_m1, 0, 8)), "0000000000000000");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::iso9797_m2, 5, 8)), "800000");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::iso9797_m2, 8, 8)), "8000000000000000");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::pkcs5, 13, 16)), "030303");
  EXPECT_EQ(to_hex(padding_suffix(BlockPadding::pkcs5, 16, 16)), "10101010101010101010101010101010");
  EXPECT_TRUE(padding_suffix(BlockPadding::none, 16, 16).empty());
  EXPECT_THROW(padding_suffix(BlockPadding::none, 15, 16), Error);
  EXPECT_THROW(padding_suffix(BlockPadding::none, 0, 16), Error);
  EXPECT_EQ(pad(BlockPadding::iso9797_m2, bytes_of("abc"), 4), from_hex("61626380"));
}

TEST(Padding, RemovalChecksEachMethod) {
  std::string reason;
  EXPECT_EQ(unpadded_length(BlockPadding::pkcs5, from_hex("6162630505050505"), 8), 3u);
  EXPECT_EQ(unpadded_length(BlockPadding::pkcs5, from_hex("0808080808080808"), 8), 0u);
  EXPECT_FALSE(unpadded_length(BlockPadding::pkcs5, from_hex("6162630505050405"), 8, &reason));
  EXPECT_NE(reason.find("differ"), std::string::npos);
  EXPECT_FALSE(unpadded_length(BlockPadding::pkcs5, from_hex("6162630505050500"), 8, &reason));
  EXPECT_FALSE(unpadded_length(BlockPadding::pkcs5, from_hex("6162630505050509"), 8, &reason));
  EXPECT_EQ(unpadded_length(BlockPadding::iso9797_m2, from_hex("6162638000000000"), 8), 3u);
  EXPECT_FALSE(unpadded_length(BlockPadding::iso9797_m2, from_hex("6162630000000000"), 8, &reason));
  EXPECT_EQ(unpadded_length(BlockPadding::iso9797_m1, from_hex("6162630000000000"), 8), 8u);
  EXPECT_FALSE(unpadded_length(BlockPadding::none, from_hex("61626300"), 8, &reason));
  EXPECT_NE(reason.find("multiple"), std::string::npos);
  EXPECT_FALSE(unpadded_length(BlockPadding::pkcs5, {}, 8));
}

TEST(CbcMac, IsTheLastBlockOfTheCbcVectors) {
  // SP 800-38A F.2.1/F.2.3/F.2.5 (IV 000102..0f): the CBC-MAC is the last ciphertext block.
  const Bytes plaintext = from_hex(kCtrCbcMacPlaintext);
  const Bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
  const struct {
    const char* key;
    const char* last_block;
  } vectors[] = {
      {kKey128, "3ff1caa1681fac09120eca307586e1a7"},
      {"8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "08b0e27988598881d920a9e64f5615cd"},
      {"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "b2eb05e2c39be9fcda6c19078c6a9d1b"}};
  for (const auto& v : vectors) {
    CbcMac mac(BlockCipherAlgorithm::aes, from_hex(v.key), BlockPadding::none, iv);
    EXPECT_EQ(mac.compute(plaintext), from_hex(v.last_block)) << v.key;
    // In uneven pieces, and again after finish() (the IV stays).
    mac.update(ByteView(plaintext).first(7));
    mac.update(ByteView(plaintext).subspan(7, 30));
    mac.update(ByteView(plaintext).subspan(37));
    EXPECT_EQ(mac.finish(), from_hex(v.last_block)) << v.key;
  }
}

TEST(CbcMac, PaddingIsAppliedAtTheEnd) {
  const Bytes key = from_hex(kKey128);
  Aes aes(key);
  const Bytes message = bytes_of("fifteen bytes..");
  for (const auto padding : {BlockPadding::iso9797_m1, BlockPadding::iso9797_m2, BlockPadding::pkcs5}) {
    const Bytes padded = pad(padding, message, 16);
    const Bytes cbc = aes.cbc_encrypt(Bytes(16, 0), padded);
    CbcMac mac(BlockCipherAlgorithm::aes, key, padding);
    EXPECT_EQ(mac.compute(message), Bytes(cbc.end() - 16, cbc.end())) << padding_name(padding);
  }
}

TEST(CbcMac, Refusals) {
  CbcMac mac(BlockCipherAlgorithm::aes, Bytes(16, 1), BlockPadding::none);
  mac.update(Bytes(15, 0));
  EXPECT_THROW(mac.finish(), Error);
  EXPECT_THROW(mac.compute({}), Error);  // no data: no MAC without padding
  EXPECT_THROW(CbcMac(BlockCipherAlgorithm::aes, Bytes(8, 1), BlockPadding::none), Error);
  EXPECT_THROW(CbcMac(BlockCipherAlgorithm::des, Bytes(12, 1), BlockPadding::none), Error);
  EXPECT_THROW(CbcMac(BlockCipherAlgorithm::aes, Bytes(16, 1), BlockPadding::none, Bytes(8, 0)), Error);
}

}  // namespace
}  // namespace sefleet::crypto

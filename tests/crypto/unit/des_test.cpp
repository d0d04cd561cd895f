// DES (FIPS 81 appendix examples), three-key 3DES (NIST SP 800-67 Rev. 1 example), the two-key and
// single-key forms as special cases of three-key EDE, the DES CBC-MAC with ISO 9797-1 padding and the
// retail MAC (ISO 9797-1 MAC algorithm 3) from its definition.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/cbc_mac.hpp"
#include "crypto/des.hpp"
#include "crypto/padding.hpp"

namespace sefleet::crypto {
namespace {

const char* const kDesKey = "0123456789ABCDEF";
const char* const kNowIsTheTime = "4E6F772069732074 68652074696D6520 666F7220616C6C20";  // "Now is the time for all "

TEST(Des, Fips81EcbAndCbc) {
  Des des(from_hex(kDesKey));
  EXPECT_EQ(des.key_size(), 8u);
  EXPECT_EQ(to_hex(des.ecb_encrypt(from_hex(kNowIsTheTime))), "3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53");
  const Bytes iv = from_hex("1234567890ABCDEF");
  const Bytes cbc = des.cbc_encrypt(iv, from_hex(kNowIsTheTime));
  EXPECT_EQ(to_hex(cbc), "E5C7CDDE872BF27C43E934008C389C0F683788499A7C05F6");
  EXPECT_EQ(des.cbc_decrypt(iv, cbc), from_hex(kNowIsTheTime));
  EXPECT_EQ(des.ecb_decrypt(from_hex("3FA40E8A984D4815")), from_hex("4E6F772069732074"));
}

TEST(Des, Sp80067ThreeKeyExample) {
  // SP 800-67 Rev. 1 example (its plaintext is spelt "The qufck brown fox jump").
  Des tdes(from_hex("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123"));
  const Bytes plaintext = bytes_of("The qufck brown fox jump");
  const Bytes ciphertext = tdes.ecb_encrypt(plaintext);
  EXPECT_EQ(to_hex(ciphertext), "A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900");
  EXPECT_EQ(tdes.ecb_decrypt(ciphertext), plaintext);
}

TEST(Des, TwoKeyIsK1K2K1AndSingleIsK1K1K1) {
  const Bytes k1 = from_hex("0123456789ABCDEF");
  const Bytes k2 = from_hex("FEDCBA9876543210");
  const Bytes data = from_hex(kNowIsTheTime);
  const Bytes iv = from_hex("0001020304050607");
  Des two_key(concat({k1, k2}));
  Des three_key(concat({k1, k2, k1}));
  EXPECT_EQ(two_key.key_size(), 16u);
  EXPECT_EQ(two_key.cbc_encrypt(iv, data), three_key.cbc_encrypt(iv, data));
  EXPECT_EQ(two_key.ecb_encrypt(data), three_key.ecb_encrypt(data));
  Des single(k1);
  Des repeated(concat({k1, k1, k1}));
  EXPECT_EQ(single.cbc_encrypt(iv, data), repeated.cbc_encrypt(iv, data));
}

TEST(Des, ParityBitsAreIgnored) {
  Des with_parity(from_hex(kDesKey));
  Des without_parity(from_hex("0022446688AACCEE"));  // the same key with every low bit cleared
  EXPECT_EQ(with_parity.ecb_encrypt(from_hex(kNowIsTheTime)), without_parity.ecb_encrypt(from_hex(kNowIsTheTime)));
}

TEST(Des, Refusals) {
  EXPECT_THROW(Des(Bytes(7, 1)), Error);
  EXPECT_THROW(Des(Bytes(32, 1)), Error);
  Des des(Bytes(16, 1));
  EXPECT_THROW(des.ecb_encrypt(Bytes(12, 0)), Error);
  EXPECT_THROW(des.cbc_encrypt(Bytes(16, 0), Bytes(8, 0)), Error);
}

TEST(DesMac, CbcMacWithIso9797Padding) {
  // MAC algorithm 1: the last block of the CBC encryption of the padded data (zero IV).
  for (const char* key : {"0123456789ABCDEF", "0123456789ABCDEFFEDCBA9876543210"}) {
    Des des(from_hex(key));
    const Bytes message = bytes_of("Now is the time");  // 15 bytes
    for (const auto padding : {BlockPadding::iso9797_m1, BlockPadding::iso9797_m2}) {
      const Bytes cbc = des.cbc_encrypt(Bytes(8, 0), pad(padding, message, kDesBlock));
      CbcMac mac(BlockCipherAlgorithm::des, from_hex(key), padding);
      EXPECT_EQ(mac.compute(message), Bytes(cbc.end() - 8, cbc.end())) << key << " " << padding_name(padding);
    }
  }
}

TEST(DesMac, RetailMacFromItsDefinition) {
  const Bytes k1 = from_hex("0123456789ABCDEF");
  const Bytes k2 = from_hex("FEDCBA9876543210");
  const Bytes k3 = from_hex("89ABCDEF01234567");
  const Bytes message = bytes_of("Now is the time for it");
  const Bytes padded = pad(BlockPadding::iso9797_m2, message, kDesBlock);
  // Single DES CBC under K1, then the last block decrypted under K2 and encrypted under K1 (or K3).
  Des des1(k1), des2(k2), des3(k3);
  const Bytes chain = des1.cbc_encrypt(Bytes(8, 0), padded);
  const Bytes last(chain.end() - 8, chain.end());
  const Bytes two_key_mac = des1.ecb_encrypt(des2.ecb_decrypt(last));
  const Bytes three_key_mac = des3.ecb_encrypt(des2.ecb_decrypt(last));
  RetailMac two_key(concat({k1, k2}), BlockPadding::iso9797_m2);
  EXPECT_EQ(two_key.compute(message), two_key_mac);
  two_key.update(ByteView(message).first(3));
  two_key.update(ByteView(message).subspan(3));
  EXPECT_EQ(two_key.finish(), two_key_mac);
  RetailMac three_key(concat({k1, k2, k3}), BlockPadding::iso9797_m2);
  EXPECT_EQ(three_key.compute(message), three_key_mac);
  EXPECT_THROW(RetailMac(k1, BlockPadding::iso9797_m2), Error);
}

}  // namespace
}  // namespace sefleet::crypto

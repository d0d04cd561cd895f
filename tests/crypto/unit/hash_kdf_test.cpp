// SHA-2 (FIPS 180-4 examples), HKDF-SHA256 (RFC 5869), ANSI X9.63 KDF (NIST CAVS) and scrypt (RFC 7914).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "crypto/kdf.hpp"

namespace sefleet::crypto {
namespace {

template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& digest) {
  return to_hex(ByteView(digest.data(), digest.size()));
}

Bytes range_bytes(std::uint8_t first, std::size_t count) {
  Bytes out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// FIPS 180-2 Appendix B.1/B.2 (SHA-256) and D.1 (SHA-384): "abc" and the 448-bit message.
const char* const k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha2, Fips180Examples) {
  EXPECT_EQ(hex_of(sha256(bytes_of("abc"))), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  EXPECT_EQ(hex_of(sha256(bytes_of(k448))), "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1");
  EXPECT_EQ(hex_of(sha384(bytes_of("abc"))),
            "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7");
  EXPECT_EQ(hex_of(sha384(bytes_of(k448))),
            "3391FDDDFC8DC7393707A65B1B4709397CF8B1D162AF05ABFE8F450DE5F36BC6B0455A8520BC4E6F5FE95B1FE3C8452B");
}

TEST(Sha2, IncrementalMatchesOneShotAndIsReusable) {
  Sha256 hash;
  const Bytes message = bytes_of(k448);
  hash.update(ByteView(message.data(), 5));
  hash.update(ByteView(message.data() + 5, message.size() - 5));
  EXPECT_EQ(hash.finish(), sha256(message));
  hash.update(bytes_of("abc"));
  EXPECT_EQ(hex_of(hash.finish()), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
}

// RFC 5869 Appendix A, test cases 1-3 (SHA-256).
TEST(Hkdf, Rfc5869TestCases) {
  EXPECT_EQ(
      to_hex(hkdf_sha256(Bytes(22, 0x0B), from_hex("000102030405060708090a0b0c"), from_hex("f0f1f2f3f4f5f6f7f8f9"), 42)
                 .view()),
      "3CB25F25FAACD57A90434F64D0362F2A2D2D0A90CF1A5A4C5DB02D56ECC4C5BF34007208D5B887185865");
  EXPECT_EQ(to_hex(hkdf_sha256(range_bytes(0x00, 80), range_bytes(0x60, 80), range_bytes(0xB0, 80), 82).view()),
            "B11E398DC80327A1C8E7F78C596A49344F012EDA2D4EFAD8A050CC4C19AFA97C59045A99CAC7827271CB41C65E590E09"
            "DA3275600C2F09B8367793A9ACA3DB71CC30C58179EC3E87C14C01D5C1F3434F1D87");
  EXPECT_EQ(to_hex(hkdf_sha256(Bytes(22, 0x0B), {}, {}, 42).view()),
            "8DA4E775A563C18F715F802A063C5A31B8A11F5C5EE1879EC3454E5F3C738D2D9D201395FAA4B61A96C8");
  EXPECT_THROW(hkdf_sha256(Bytes(22, 0x0B), {}, {}, 0), Error);
}

// NIST CAVS ansx963_2001.rsp, [SHA-256]: [shared secret length = 192] COUNT=0 with SharedInfo length 0
// (key data 128 bits) and with SharedInfo length 128 (key data 1024 bits).
TEST(X963Kdf, NistCavsSha256) {
  EXPECT_EQ(to_hex(x963_kdf_sha256(from_hex("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08"), {}, 16).view()),
            "443024C3DAE66B95E6F5670601558F71");
  EXPECT_EQ(to_hex(x963_kdf_sha256(from_hex("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d"),
                                   from_hex("75eef81aa3041e33b80971203d2c0c52"), 128)
                       .view()),
            "C498AF77161CC59F2962B9A713E2B215152D139766CE34A776DF11866A69BF2E52A13D9C7C6FC878C50C5EA0BC7B00E0"
            "DA2447CFD874F6CF92F30D0097111485500C90C3AF8B487872D04685D14C8D1DC8D7FA08BEB0CE0ABABC11F0BD496269"
            "142D43525A78E5BC79A17F59676A5706DC54D54D4D1F0BD7E386128EC26AFC21");
  EXPECT_THROW(x963_kdf_sha256(Bytes(24, 1), {}, 0), Error);
}

// RFC 7914 §12, the first three vectors (the fourth, N = 2^20, needs 1 GiB and belongs in no unit test).
TEST(Scrypt, Rfc7914Vectors) {
  EXPECT_EQ(to_hex(scrypt({}, {}, ScryptParams{16, 1, 1}, 64).view()),
            "77D6576238657B203B19CA42C18A0497F16B4844E3074AE8DFDFFA3FEDE21442"
            "FCD0069DED0948F8326A753A0FC81F17E8D3E0FB2E0D3628CF35E20C38D18906");
  EXPECT_EQ(to_hex(scrypt(bytes_of("password"), bytes_of("NaCl"), ScryptParams{1024, 8, 16}, 64).view()),
            "FDBABE1C9D3472007856E7190D01E9FE7C6AD7CBC8237830E77376634B373162"
            "2EAF30D92E22A3886FF109279D9830DAC727AFB94A83EE6D8360CBDFA2CC0640");
  EXPECT_EQ(to_hex(scrypt(bytes_of("pleaseletmein"), bytes_of("SodiumChloride"), ScryptParams{16384, 8, 1}, 64).view()),
            "7023BDCB3AFD7348461C06CD81FD38EBFDA8FBBA904F8E3EA9B543F6545DA1F2"
            "D5432955613F0FCF62D49705242A9AF9E61E85DC0D651E40DFCF017B45575887");
  // N must be a power of two greater than 1.
  EXPECT_THROW(scrypt(bytes_of("p"), bytes_of("s"), ScryptParams{1000, 8, 1}, 32), Error);
}

}  // namespace
}  // namespace sefleet::crypto

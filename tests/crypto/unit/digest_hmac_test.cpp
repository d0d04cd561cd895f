// SHA-1/224/256/384/512 (FIPS 180-4 example messages) and HMAC (RFC 2202 for SHA-1, RFC 4231 for SHA-2).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/digest.hpp"
#include "crypto/hmac.hpp"

namespace sefleet::crypto {
namespace {

constexpr DigestAlgorithm kAll[] = {DigestAlgorithm::sha1, DigestAlgorithm::sha224, DigestAlgorithm::sha256,
                                    DigestAlgorithm::sha384, DigestAlgorithm::sha512};

struct DigestVector {
  DigestAlgorithm algorithm;
  const char* message;
  const char* digest;
};

const char* const kTwoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const char* const kTwoBlocks1024 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

const DigestVector kDigestVectors[] = {
    {DigestAlgorithm::sha1, "abc", "A9993E364706816ABA3E25717850C26C9CD0D89D"},
    {DigestAlgorithm::sha1, kTwoBlocks, "84983E441C3BD26EBAAE4AA1F95129E5E54670F1"},
    {DigestAlgorithm::sha224, "abc", "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7"},
    {DigestAlgorithm::sha224, kTwoBlocks, "75388B16512776CC5DBA5DA1FD890150B0C6455CB4F58B1952522525"},
    {DigestAlgorithm::sha256, "abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"},
    {DigestAlgorithm::sha256, kTwoBlocks, "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1"},
    {DigestAlgorithm::sha384, "abc",
     "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7"},
    {DigestAlgorithm::sha384, kTwoBlocks1024,
     "09330C33F71147E83D192FC782CD1B4753111B173B3B05D22FA08086E3B0F712FCC7C71A557E2DB966C3E9FA91746039"},
    {DigestAlgorithm::sha512, "abc",
     "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2"
     "A9AC94FA54CA49F"},
    {DigestAlgorithm::sha512, kTwoBlocks1024,
     "8E959B75DAE313DA8CF4F72814FC143F8F7779C6EB9F7FA17299AEADB6889018501D289E4900F7E4331B99DEC4B5433AC7D329EEB6DD26545"
     "E96E55B874BE909"},
};

TEST(Digest, Fips180Examples) {
  for (const auto& v : kDigestVectors) {
    SCOPED_TRACE(std::string(digest_name(v.algorithm)) + " " + v.message);
    EXPECT_EQ(to_hex(digest(v.algorithm, bytes_of(v.message))), v.digest);
    // The same through the incremental interface, one byte at a time.
    MessageDigest incremental(v.algorithm);
    for (const char c : std::string(v.message)) incremental.update(bytes_of(std::string(1, c)));
    EXPECT_EQ(to_hex(incremental.finish()), v.digest);
  }
}

TEST(Digest, OneMillionAs) {
  // FIPS 180 long message: one million repetitions of 'a', fed in pieces of 1000.
  MessageDigest sha1(DigestAlgorithm::sha1);
  const Bytes thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) sha1.update(thousand);
  EXPECT_EQ(to_hex(sha1.finish()), "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F");
}

TEST(Digest, SizesNamesAndLookupBySize) {
  const std::size_t sizes[] = {20, 28, 32, 48, 64};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(digest_size(kAll[i]), sizes[i]);
    EXPECT_EQ(digest_of_size(sizes[i]), kAll[i]);
    EXPECT_EQ(digest(kAll[i], {}).size(), sizes[i]);
  }
  EXPECT_EQ(digest_block_size(DigestAlgorithm::sha256), 64u);
  EXPECT_EQ(digest_block_size(DigestAlgorithm::sha384), 128u);
  EXPECT_EQ(digest_name(DigestAlgorithm::sha224), "SHA-224");
  EXPECT_FALSE(digest_of_size(16).has_value());
}

TEST(Digest, FinishRestartsResetAbandonsAndCopiesFork) {
  MessageDigest md(DigestAlgorithm::sha256);
  md.update(bytes_of("ab"));
  MessageDigest fork = md;  // continues the same prefix independently
  md.update(bytes_of("c"));
  EXPECT_EQ(to_hex(md.finish()), kDigestVectors[4].digest);
  md.update(bytes_of("abc"));  // finish() left it ready for a new message
  EXPECT_EQ(to_hex(md.finish()), kDigestVectors[4].digest);
  fork.update(bytes_of("c"));
  EXPECT_EQ(to_hex(fork.finish()), kDigestVectors[4].digest);
  md.update(bytes_of("garbage"));
  md.reset();
  md.update(bytes_of("abc"));
  EXPECT_EQ(to_hex(md.finish()), kDigestVectors[4].digest);
}

struct HmacVector {
  const char* key;
  const char* data;    // text
  const char* mac[5];  // SHA-1, SHA-224, SHA-256, SHA-384, SHA-512
};

const HmacVector kHmacVectors[] = {
    // RFC 2202 test case 1 / RFC 4231 test case 1
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "Hi There",
     {"B617318655057264E28BC0B6FB378C8EF146BE00", "896FB1128ABBDF196832107CD49DF33F47B4B1169912BA4F53684B22",
      "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7",
      "AFD03944D84895626B0825F4AB46907F15F9DADBE4101EC682AA034C7CEBC59CFAEA9EA9076EDE7F4AF152E8B2FA9CB6",
      "87AA7CDEA5EF619D4FF0B4241A1D6CB02379F4E2CE4EC2787AD0B30545E17CDEDAA833B7D6B8A702038B274EAEA3F4E4BE9D914EEB61F170"
      "2E696C203A126854"}},
    // RFC 2202 test case 2 / RFC 4231 test case 2
    {"4A656665",
     "what do ya want for nothing?",
     {"EFFCDF6AE5EB2FA2D27416D5F184DF9C259A7C79", "A30E01098BC6DBBF45690F3A7E9E6D0F8BBEA2A39E6148008FD05E44",
      "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843",
      "AF45D2E376484031617F78D2B58A6B1B9C7EF464F5A01B47E42EC3736322445E8E2240CA5E69E2C78B3239ECFAB21649",
      "164B7A7BFCF819E2E395FBE73B56E0A387BD64222E831FD610270CD7EA2505549758BF75C05A994A6D034F65F8F0E6FDCAEAB1A34D4A6B4B"
      "636E070A38BCE737"}},
};

TEST(Hmac, Rfc2202AndRfc4231) {
  for (const auto& v : kHmacVectors) {
    for (std::size_t i = 0; i < 5; ++i) {
      SCOPED_TRACE(std::string(digest_name(kAll[i])) + " " + v.data);
      EXPECT_EQ(to_hex(hmac(kAll[i], from_hex(v.key), bytes_of(v.data))), v.mac[i]);
    }
  }
}

TEST(Hmac, Rfc4231KeyLongerThanTheBlock) {
  // RFC 4231 test case 6: a 131-byte key is hashed first.
  const Bytes key(131, 0xAA);
  const Bytes data = bytes_of("Test Using Larger Than Block-Size Key - Hash Key First");
  EXPECT_EQ(to_hex(hmac(DigestAlgorithm::sha256, key, data)),
            "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54");
  EXPECT_EQ(to_hex(hmac(DigestAlgorithm::sha512, key, data)),
            "80B24263C7C1A3EBB71493C1DD7BE8B49B46D1F41B4AEEC1121B013783F8F3526B56D037E05F2598BD0FD2215D6A1E5295E64F73F6"
            "3F0AEC8B915A985D786598");
}

TEST(Hmac, StreamingReuseAndRefusals) {
  Hmac mac(DigestAlgorithm::sha256, from_hex(kHmacVectors[1].key));
  EXPECT_EQ(mac.size(), 32u);
  mac.update(bytes_of("what do ya "));
  mac.update(bytes_of("want for nothing?"));
  EXPECT_EQ(to_hex(mac.finish()), kHmacVectors[1].mac[2]);
  // finish() begins the next MAC under the same key.
  mac.update(bytes_of("what do ya want for nothing?"));
  EXPECT_EQ(to_hex(mac.finish()), kHmacVectors[1].mac[2]);
  // begin() abandons a MAC in progress.
  mac.update(bytes_of("abandoned"));
  mac.begin();
  EXPECT_EQ(to_hex(mac.compute({bytes_of("what do ya"), bytes_of(" want for nothing?")})), kHmacVectors[1].mac[2]);
  EXPECT_THROW(Hmac(DigestAlgorithm::sha1, {}), Error);
}

}  // namespace
}  // namespace sefleet::crypto

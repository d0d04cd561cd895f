// P-256 ECDH (NIST CAVS KAS ECC CDH primitive test, P-256 COUNT=0), ECDSA (RFC 6979 A.2.5), and the
// random sources.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

TEST(P256, EcdhNistCavsCount0) {
  // KAS ECC CDH primitive test vectors (ecccdhtestvectors.zip, KAS_ECC_CDH_PrimitiveTest.txt), [P-256] COUNT = 0.
  const auto peer =
      P256PublicKey::from_uncompressed(from_hex("04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
                                                "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac"));
  const auto own =
      P256PrivateKey::from_scalar(from_hex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534"));
  EXPECT_EQ(to_hex(own.public_uncompressed()),
            "04EAD218590119E8876B29146FF89CA61770C4EDBBF97D38CE385ED281D8A6B230"
            "28AF61281FD35E2FA7002523ACC85A429CB06EE6648325389F59EDFCE1405141");
  EXPECT_EQ(to_hex(ecdh_p256(own, peer).view()), "46FC62106420FF012E54A434FBDD2D25CCC5852060561E68040DD7778997BD7B");
  EXPECT_EQ(to_hex(own.public_key().x()), "EAD218590119E8876B29146FF89CA61770C4EDBBF97D38CE385ED281D8A6B230");
}

TEST(P256, EcdhIsSymmetricForGeneratedKeys) {
  const auto a = P256PrivateKey::generate();
  const auto b = P256PrivateKey::generate();
  EXPECT_EQ(ecdh_p256(a, b.public_key()), ecdh_p256(b, a.public_key()));
}

TEST(P256, ScalarEcdhMatchesTheNistCavsVector) {
  const Bytes scalar = from_hex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534");
  const Bytes peer = from_hex(
      "04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
      "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac");
  EXPECT_EQ(to_hex(ecdh_p256(scalar, peer).view()), "46FC62106420FF012E54A434FBDD2D25CCC5852060561E68040DD7778997BD7B");
}

TEST(P256, ScalarKeyPairDrawsWhatGenerateDraws) {
  DeterministicRandom a(Bytes{0x01, 0x02});
  DeterministicRandom b(Bytes{0x01, 0x02});
  const P256ScalarKeyPair pair = generate_p256_scalar_key_pair(a);
  const P256PrivateKey key = P256PrivateKey::generate(b);
  EXPECT_EQ(pair.scalar, key.scalar());
  EXPECT_EQ(pair.point, key.public_uncompressed());
  const auto peer = P256PrivateKey::generate();
  EXPECT_EQ(ecdh_p256(pair.scalar.view(), peer.public_uncompressed()), ecdh_p256(peer, key.public_key()));
}

TEST(P256, ScalarEcdhRefusesBadScalarsAndPoints) {
  const auto peer = P256PrivateKey::generate().public_uncompressed();
  const Bytes scalar = from_hex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534");
  const Bytes order = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  EXPECT_THROW(ecdh_p256(Bytes(32, 0x00), peer), Error);
  EXPECT_THROW(ecdh_p256(order, peer), Error);
  EXPECT_THROW(ecdh_p256(Bytes(31, 0x01), peer), Error);
  Bytes off_curve = peer;
  off_curve[64] ^= 0x01;
  EXPECT_THROW(ecdh_p256(scalar, off_curve), Error);
  EXPECT_THROW(ecdh_p256(scalar, ByteView(peer).first(64)), Error);
  Bytes compressed_tag = peer;
  compressed_tag[0] = 0x02;
  EXPECT_THROW(ecdh_p256(scalar, compressed_tag), Error);
}

// RFC 6979 A.2.5: P-256 key, SHA-256 signatures of "sample" and "test".
const char* const kRfc6979Public =
    "0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
const char* const kRfc6979Private = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";

TEST(P256, EcdsaRfc6979SignaturesVerify) {
  const auto key = P256PublicKey::from_uncompressed(from_hex(kRfc6979Public));
  EXPECT_EQ(to_hex(P256PrivateKey::from_scalar(from_hex(kRfc6979Private)).public_uncompressed()), kRfc6979Public);
  const Bytes sample_sig = from_hex(
      "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
      "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  const Bytes test_sig = from_hex(
      "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"
      "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083");
  EXPECT_TRUE(ecdsa_p256_verify(key, bytes_of("sample"), sample_sig));
  EXPECT_TRUE(ecdsa_p256_verify(key, bytes_of("test"), test_sig));
  // Swapped messages, a flipped bit in r and in s, a truncated signature: all refused, none throws.
  EXPECT_FALSE(ecdsa_p256_verify(key, bytes_of("test"), sample_sig));
  for (const std::size_t position : {std::size_t{0}, std::size_t{63}}) {
    Bytes tampered = sample_sig;
    tampered[position] ^= 0x01;
    EXPECT_FALSE(ecdsa_p256_verify(key, bytes_of("sample"), tampered)) << position;
  }
  EXPECT_FALSE(ecdsa_p256_verify(key, bytes_of("sample"), ByteView(sample_sig.data(), 63)));
  EXPECT_FALSE(ecdsa_p256_verify(key, bytes_of("sample"), Bytes(64, 0x00)));
}

TEST(P256, SignVerifyRoundTripAndTamperedSignature) {
  const auto key = P256PrivateKey::generate();
  const Bytes message = bytes_of("broadcast package v1");
  const Bytes signature = ecdsa_p256_sign(key, message);
  ASSERT_EQ(signature.size(), kP256SignatureSize);
  EXPECT_TRUE(ecdsa_p256_verify(key.public_key(), message, signature));
  Bytes tampered = signature;
  tampered[40] ^= 0x10;
  EXPECT_FALSE(ecdsa_p256_verify(key.public_key(), message, tampered));
  EXPECT_FALSE(ecdsa_p256_verify(key.public_key(), bytes_of("broadcast package v2"), signature));
  EXPECT_FALSE(ecdsa_p256_verify(P256PrivateKey::generate().public_key(), message, signature));
}

TEST(P256, KeyEncodingsAndRefusals) {
  const auto key = P256PrivateKey::from_scalar(from_hex(kRfc6979Private));
  EXPECT_EQ(to_hex(key.scalar().view()), kRfc6979Private);
  const auto reloaded = P256PrivateKey::from_pkcs8(key.to_pkcs8().view());
  EXPECT_EQ(reloaded.public_uncompressed(), key.public_uncompressed());
  EXPECT_THROW(P256PrivateKey::from_scalar(Bytes(32, 0x00)), Error);  // zero
  EXPECT_THROW(P256PrivateKey::from_scalar(Bytes(32, 0xFF)), Error);  // above n
  EXPECT_THROW(P256PrivateKey::from_scalar(Bytes(31, 0x01)), Error);
  EXPECT_THROW(P256PrivateKey::from_pkcs8(bytes_of("not DER")), Error);
  Bytes off_curve = from_hex(kRfc6979Public);
  off_curve[64] ^= 0x01;
  EXPECT_THROW(P256PublicKey::from_uncompressed(off_curve), Error);
  Bytes compressed_prefix = from_hex(kRfc6979Public);
  compressed_prefix[0] = 0x02;
  EXPECT_THROW(P256PublicKey::from_uncompressed(compressed_prefix), Error);
}

TEST(P256, PointCheckAgreesWithTheImport) {
  const Bytes good = from_hex(kRfc6979Public);
  EXPECT_TRUE(is_p256_point(good));
  Bytes off_curve = good;
  off_curve[64] ^= 0x01;
  Bytes compressed_prefix = good;
  compressed_prefix[0] = 0x02;
  Bytes zeros(kP256PointSize, 0x00);
  zeros[0] = 0x04;
  for (const Bytes& bad : {off_curve, compressed_prefix, zeros, Bytes(good.begin(), good.end() - 1), Bytes{}}) {
    EXPECT_FALSE(is_p256_point(bad)) << to_hex(bad);
    EXPECT_THROW(P256PublicKey::from_uncompressed(bad), Error) << to_hex(bad);
  }
  // Public keys are copies of one shared parameters-only key: each keeps its own point.
  const auto first = P256PublicKey::from_uncompressed(good);
  const auto second = P256PrivateKey::generate().public_key();
  EXPECT_EQ(to_hex(first.uncompressed()), kRfc6979Public);
  EXPECT_NE(second.uncompressed(), first.uncompressed());
  EXPECT_EQ(to_hex(P256PublicKey::from_uncompressed(good).uncompressed()), kRfc6979Public);
}

TEST(DeterministicRandom, KnownAnswerAndReproducibility) {
  // The documented construction, AES-256-CTR with key SHA-256(seed) and a zero counter block, as
  // computed independently (python3-cryptography) for seed "sefleet deterministic".
  DeterministicRandom first(bytes_of("sefleet deterministic"));
  EXPECT_EQ(to_hex(first.bytes(40)),
            "A6F5188E219CA43ABBEED7EA0D98966F517CA9164ACB757B68A48C11B75911EF09E51FE9DAFD8340");
  // Same seed, same stream, however it is split into calls.
  DeterministicRandom a(bytes_of("seed"));
  DeterministicRandom b(bytes_of("seed"));
  Bytes split = a.bytes(7);
  append(split, a.bytes(25));
  EXPECT_EQ(split, b.bytes(32));
  DeterministicRandom c(bytes_of("seed2"));
  EXPECT_NE(c.bytes(32), DeterministicRandom(bytes_of("seed")).bytes(32));
  // Keys generated from the same deterministic source are the same key.
  DeterministicRandom k1(bytes_of("key seed"));
  DeterministicRandom k2(bytes_of("key seed"));
  EXPECT_EQ(P256PrivateKey::generate(k1).public_uncompressed(), P256PrivateKey::generate(k2).public_uncompressed());
}

TEST(SystemRandom, ProducesDistinctOutput) {
  const Bytes a = system_random().bytes(32);
  const Bytes b = system_random().bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);  // a 2^-256 false failure
  EXPECT_TRUE(system_random().bytes(0).empty());
}

}  // namespace
}  // namespace sefleet::crypto

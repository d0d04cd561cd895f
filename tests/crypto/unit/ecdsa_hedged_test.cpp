// ECDSA with the nonce from the signer's random source: without additional data it is RFC 6979 (the
// A.2.5-A.2.7 signatures byte for byte), with it the signature follows the random source exactly
// (same source, same bytes; another source, another nonce) and a source that repeats itself still
// gives different nonces for different messages.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_curve.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/ecdsa_hedged.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {
namespace {

struct Rfc6979Vector {
  NamedCurve curve;
  DigestAlgorithm digest;
  const char* d;
  const char* message;
  const char* der;  // r and s of the RFC in DER
};

const Rfc6979Vector kVectors[] = {
    // A.2.5 (P-256, SHA-256), A.2.6 (P-384, SHA-384), A.2.7 (P-521, SHA-512).
    {NamedCurve::secp256r1, DigestAlgorithm::sha256, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
     "sample",
     "3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716022100F7CB1C942D657C41D436C7A1B6E29F65F3"
     "E900DBB9AFF4064DC4AB2F843ACDA8"},
    {NamedCurve::secp256r1, DigestAlgorithm::sha256, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
     "test",
     "3045022100F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D383670220019F4113742A2B14BD25926B49C649155F26"
     "7E60D3814B4C0CC84250E46F0083"},
    {NamedCurve::secp384r1, DigestAlgorithm::sha384,
     "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5", "sample",
     "306602310094EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE4602310099"
     "EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"},
    {NamedCurve::secp384r1, DigestAlgorithm::sha384,
     "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5", "test",
     "30660231008203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB023100DD"
     "D0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"},
    {NamedCurve::secp521r1, DigestAlgorithm::sha512,
     "00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89"
     "EC0C08B0E996B83538",
     "sample",
     "308187024200C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D4"
     "E8455CC91F9B15BF05EC36E377FA0241617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723"
     "D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A"},
};

// A source that returns the same bytes on every call (a replayed seed at its worst).
class StuckRandom final : public Random {
 public:
  void fill(MutableByteView out) override {
    for (auto& byte : out) byte = 0x5A;
  }
};

TEST(EcdsaHedged, WithoutAdditionalDataIsRfc6979) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(std::string(curve_name(v.curve)) + " " + v.message);
    const auto key = EcPrivateKey::from_scalar(EcCurve::named(v.curve), from_hex(v.d));
    const Bytes hash = digest(v.digest, bytes_of(v.message));
    EXPECT_EQ(to_hex(ecdsa_sign_hash_deterministic(key, hash, {})), v.der);
  }
}

TEST(EcdsaHedged, FollowsTheRandomSourceExactly) {
  const auto key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kVectors[0].d));
  const Bytes hash = digest(DigestAlgorithm::sha256, bytes_of("open the door"));
  DeterministicRandom first(bytes_of("card seed")), twin(bytes_of("card seed")), other(bytes_of("other seed"));
  const Bytes a = ecdsa_sign_hash_hedged(key, hash, first);
  EXPECT_EQ(a, ecdsa_sign_hash_hedged(key, hash, twin)) << "same key, hash and source: same signature";
  EXPECT_EQ(first.bytes(8), twin.bytes(8)) << "both drew the same number of bytes";
  const Bytes b = ecdsa_sign_hash_hedged(key, hash, other);
  EXPECT_NE(a, b);
  EXPECT_NE(a, ecdsa_sign_hash_deterministic(key, hash, {})) << "the drawn bytes enter the nonce";
  for (const auto& signature : {a, b}) EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), hash, signature));

  // Exactly kEcdsaHedgeSize bytes per signature: the source then continues where a reader of 32 bytes would.
  DeterministicRandom signer(bytes_of("count")), reader(bytes_of("count"));
  (void)ecdsa_sign_hash_hedged(key, hash, signer);
  (void)reader.bytes(kEcdsaHedgeSize);
  EXPECT_EQ(signer.bytes(16), reader.bytes(16));
}

TEST(EcdsaHedged, AStuckSourceStillGivesFreshNoncesPerMessage) {
  const auto key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kVectors[0].d));
  StuckRandom stuck;
  const Bytes one = digest(DigestAlgorithm::sha256, bytes_of("message one"));
  const Bytes two = digest(DigestAlgorithm::sha256, bytes_of("message two"));
  const Bytes raw_one = ecdsa_der_to_raw(ecdsa_sign_hash_hedged(key, one, stuck), 32);
  const Bytes raw_two = ecdsa_der_to_raw(ecdsa_sign_hash_hedged(key, two, stuck), 32);
  // Equal r would mean an equal nonce, and with it the private key from the two signatures.
  EXPECT_NE(Bytes(raw_one.begin(), raw_one.begin() + 32), Bytes(raw_two.begin(), raw_two.begin() + 32));
}

TEST(EcdsaHedged, EveryCurveAndHashLengthVerifies) {
  DeterministicRandom random(bytes_of("curves"));
  for (const auto curve_id : {NamedCurve::secp192r1, NamedCurve::secp256r1, NamedCurve::secp521r1,
                              NamedCurve::brainpoolP256r1, NamedCurve::brainpoolP512r1}) {
    const auto key = EcPrivateKey::generate(EcCurve::named(curve_id), random);
    // A hash longer than the order is cut to its leftmost bits, a shorter one is used whole; the DRBG
    // uses HMAC-SHA-1, -256, -512 for 20, 32, 64 bytes and HMAC-SHA-256 for 17 (no SHA length).
    for (const std::size_t length : {20u, 32u, 64u, 17u}) {
      const Bytes hash(length, 0xA5);
      const Bytes der = ecdsa_sign_hash_hedged(key, hash, random);
      EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), hash, der)) << curve_name(curve_id) << " hash " << length;
      EXPECT_LE(der.size(), ecdsa_max_der_size(key.curve()));
    }
  }
  const auto key = EcPrivateKey::generate(EcCurve::named(NamedCurve::secp256r1), random);
  EXPECT_THROW(ecdsa_sign_hash_hedged(key, {}, random), Error);
  EXPECT_THROW(ecdsa_sign_hash_deterministic(key, {}, {}), Error);
}

TEST(EcdsaHedged, P256MessageSignaturesAreRawAndVerify) {
  DeterministicRandom random(bytes_of("p256")), twin(bytes_of("p256"));
  const auto key = P256PrivateKey::from_scalar(from_hex(kVectors[0].d));
  const Bytes message = bytes_of("vehicle auth data");
  const Bytes signature = ecdsa_p256_sign_hedged(key, message, random);
  ASSERT_EQ(signature.size(), kP256SignatureSize);
  EXPECT_TRUE(ecdsa_p256_verify(key.public_key(), message, signature));
  EXPECT_FALSE(ecdsa_p256_verify(key.public_key(), bytes_of("other data"), signature));
  EXPECT_EQ(signature, ecdsa_p256_sign_hedged(key, message, twin));
  // The same as the general form over the SHA-256 hash.
  DeterministicRandom general(bytes_of("p256"));
  const auto same_key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kVectors[0].d));
  EXPECT_EQ(ecdsa_der_to_raw(ecdsa_sign_hash_hedged(same_key, digest(DigestAlgorithm::sha256, message), general), 32),
            signature);
}

}  // namespace
}  // namespace sefleet::crypto

// ECDSA signed by OpenSSL with the nonce fed from the signer's random source: the signature follows the
// random source exactly (same source, same bytes; another source, another nonce), a source that repeats
// itself still gives different nonces for different messages, every curve signs and verifies.
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

const char* const kP256Scalar = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";

// A source that returns the same bytes on every call (a replayed seed at its worst).
class StuckRandom final : public Random {
 public:
  void fill(MutableByteView out) override {
    for (auto& byte : out) byte = 0x5A;
  }
};

TEST(EcdsaHedged, FollowsTheRandomSourceExactly) {
  const auto key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kP256Scalar));
  const Bytes hash = digest(DigestAlgorithm::sha256, bytes_of("open the door"));
  DeterministicRandom first(bytes_of("card seed")), twin(bytes_of("card seed")), other(bytes_of("other seed"));
  const Bytes a = ecdsa_sign_hash_hedged(key, hash, first);
  EXPECT_EQ(a, ecdsa_sign_hash_hedged(key, hash, twin)) << "same key, hash and source: same signature";
  EXPECT_EQ(first.bytes(8), twin.bytes(8)) << "both drew the same number of bytes";
  const Bytes b = ecdsa_sign_hash_hedged(key, hash, other);
  EXPECT_NE(a, b) << "the drawn bytes enter the nonce";
  EXPECT_NE(a, ecdsa_sign_hash(key, hash)) << "OpenSSL's own generator gives another nonce";
  for (const auto& signature : {a, b}) EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), hash, signature));

  // Exactly kEcdsaHedgeSize bytes per signature: the source then continues where a reader of 32 bytes would.
  DeterministicRandom signer(bytes_of("count")), reader(bytes_of("count"));
  (void)ecdsa_sign_hash_hedged(key, hash, signer);
  (void)reader.bytes(kEcdsaHedgeSize);
  EXPECT_EQ(signer.bytes(16), reader.bytes(16));
}

TEST(EcdsaHedged, AStuckSourceStillGivesFreshNoncesPerMessage) {
  const auto key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kP256Scalar));
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
  for (const auto curve_id :
       {NamedCurve::secp192r1, NamedCurve::secp224r1, NamedCurve::secp256r1, NamedCurve::secp384r1,
        NamedCurve::secp521r1, NamedCurve::brainpoolP192r1, NamedCurve::brainpoolP256r1, NamedCurve::brainpoolP320r1,
        NamedCurve::brainpoolP384r1, NamedCurve::brainpoolP512r1}) {
    const auto key = EcPrivateKey::generate(EcCurve::named(curve_id), random);
    // A hash longer than the order is cut to its leftmost bits, a shorter one is used whole; one
    // shorter than the DRBG's nonce (SHA-256 of the hash is the nonce) is fine too.
    for (const std::size_t length : {20u, 32u, 64u, 17u, 1u}) {
      const Bytes hash(length, 0xA5);
      const Bytes der = ecdsa_sign_hash_hedged(key, hash, random);
      EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), hash, der)) << curve_name(curve_id) << " hash " << length;
      EXPECT_LE(der.size(), ecdsa_max_der_size(key.curve()));
    }
  }
  const auto key = EcPrivateKey::generate(EcCurve::named(NamedCurve::secp256r1), random);
  EXPECT_THROW(ecdsa_sign_hash_hedged(key, {}, random), Error);
}

TEST(EcdsaHedged, P256MessageSignaturesAreRawAndVerify) {
  DeterministicRandom random(bytes_of("p256")), twin(bytes_of("p256"));
  const auto key = P256PrivateKey::from_scalar(from_hex(kP256Scalar));
  const Bytes message = bytes_of("vehicle auth data");
  const Bytes signature = ecdsa_p256_sign_hedged(key, message, random);
  ASSERT_EQ(signature.size(), kP256SignatureSize);
  EXPECT_TRUE(ecdsa_p256_verify(key.public_key(), message, signature));
  EXPECT_FALSE(ecdsa_p256_verify(key.public_key(), bytes_of("other data"), signature));
  EXPECT_EQ(signature, ecdsa_p256_sign_hedged(key, message, twin));
  // The same as the general form over the SHA-256 hash.
  DeterministicRandom general(bytes_of("p256"));
  const auto same_key = EcPrivateKey::from_scalar(EcCurve::named(NamedCurve::secp256r1), from_hex(kP256Scalar));
  EXPECT_EQ(ecdsa_der_to_raw(ecdsa_sign_hash_hedged(same_key, digest(DigestAlgorithm::sha256, message), general), 32),
            signature);
}

}  // namespace
}  // namespace sefleet::crypto

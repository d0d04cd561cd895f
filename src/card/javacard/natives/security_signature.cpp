// Signature over a digest computed by the Java engine (DigestImpl, or the applet's own hash for
// signPreComputedHash): RSA PKCS#1 v1.5 (also without DigestInfo for MessageDigest.ALG_NULL) and PSS,
// ECDSA with DER (X9.62) or plain r || s (BSI TR-03111) signatures.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/ecdsa_hedged.hpp"
#include "crypto/rsa.hpp"

namespace sefleet::card::javacard::natives {
namespace {

constexpr std::int8_t kPadPkcs1 = 7;    // Cipher.PAD_PKCS1
constexpr std::int8_t kPadPss = 8;      // Cipher.PAD_PKCS1_PSS
constexpr std::int8_t kDigestNull = 0;  // MessageDigest.ALG_NULL

crypto::RsaSignaturePadding rsa_padding(vm::NativeCall& call, std::int8_t padding) {
  if (padding == kPadPkcs1) return crypto::RsaSignaturePadding::pkcs1_v1_5;
  if (padding == kPadPss) return crypto::RsaSignaturePadding::pss;
  throw_crypto(call, CryptoReason::illegal_value);
}

// rsaSignHash(byte keyForm, byte[] a, byte[] b, short k, byte padding, byte hashAlgorithm, byte[] hash,
//             short hashOffset, short hashLength, byte[] sig, short sigOffset) -> short
void rsa_sign_hash(vm::NativeCall& call) {
  const std::int8_t form = call.arg_byte(0);
  const std::int16_t k = call.arg_short(3);
  const auto padding = rsa_padding(call, call.arg_byte(4));
  const std::int8_t hash_code = call.arg_byte(5);
  const Bytes hash = copy_in(call, call.arg_ref(6), call.arg_short(7), call.arg_short(8));
  const vm::Ref sig = call.arg_ref(9);
  const std::int16_t sig_offset = call.arg_short(10);
  const std::optional<crypto::DigestAlgorithm> digest = digest_of_code(hash_code);
  if (!digest && !(hash_code == kDigestNull && padding == crypto::RsaSignaturePadding::pkcs1_v1_5)) {
    throw_crypto(call, CryptoReason::illegal_value);
  }
  if (digest && hash.size() != crypto::digest_size(*digest)) throw_crypto(call, CryptoReason::illegal_use);
  const crypto::RsaPrivateKey& key = rsa_private_key(call, form, call.arg_ref(1), call.arg_ref(2), k);
  check_output(call, sig, sig_offset, k);
  const Bytes signature = refused_as(call, CryptoReason::illegal_use, [&] {
    // ALG_NULL: the input is the whole encoded T (a DigestInfo built by the applet, or any data).
    return digest ? crypto::rsa_sign_hash(key, padding, *digest, hash) : crypto::rsa_pkcs1_type1_encrypt(key, hash);
  });
  call.charge(rsa_private_operation(form), static_cast<std::size_t>(k));
  write_out(call, sig, sig_offset, signature);
  call.return_short(static_cast<std::int16_t>(signature.size()));
}

// rsaVerifyHash(byte[] modulus, byte[] exponent, short k, byte padding, byte hashAlgorithm, byte[] hash,
//               short hashOffset, short hashLength, byte[] sig, short sigOffset, short sigLength) -> boolean
void rsa_verify_hash(vm::NativeCall& call) {
  const std::int16_t k = call.arg_short(2);
  const auto padding = rsa_padding(call, call.arg_byte(3));
  const std::int8_t hash_code = call.arg_byte(4);
  const Bytes hash = copy_in(call, call.arg_ref(5), call.arg_short(6), call.arg_short(7));
  const Bytes signature = copy_in(call, call.arg_ref(8), call.arg_short(9), call.arg_short(10));
  const std::optional<crypto::DigestAlgorithm> digest = digest_of_code(hash_code);
  if (!digest && !(hash_code == kDigestNull && padding == crypto::RsaSignaturePadding::pkcs1_v1_5)) {
    throw_crypto(call, CryptoReason::illegal_value);
  }
  const crypto::RsaPublicKey& key = rsa_public_key(call, call.arg_ref(0), call.arg_ref(1), k);
  call.charge(SeOperation::rsa_public, static_cast<std::size_t>(k));
  bool valid = false;
  if (digest) {
    valid =
        hash.size() == crypto::digest_size(*digest) && crypto::rsa_verify_hash(key, padding, *digest, hash, signature);
  } else {
    const auto recovered = crypto::rsa_pkcs1_type1_recover(key, signature);
    valid = recovered.has_value() && constant_time_equal(*recovered, hash);
  }
  call.return_boolean(valid);
}

// ecdsaSign(byte[] domain, short L, byte[] s, short sOffset, byte[] hash, short hashOffset, short hashLength,
//           boolean plain, byte[] sig, short sigOffset) -> short
void ecdsa_sign(vm::NativeCall& call) {
  const vm::Ref domain = call.arg_ref(0);
  const std::int16_t field_length = call.arg_short(1);
  const Bytes hash = copy_in(call, call.arg_ref(4), call.arg_short(5), call.arg_short(6));
  const bool plain = call.arg_boolean(7);
  const vm::Ref sig = call.arg_ref(8);
  const std::int16_t sig_offset = call.arg_short(9);
  if (hash.empty()) throw_crypto(call, CryptoReason::illegal_use);
  const crypto::EcPrivateKey& key = ec_private_key(call, domain, field_length, call.arg_ref(2), call.arg_short(3));
  // The nonce is drawn from the card's random source (hedged, crypto/ecdsa_hedged.hpp), as the C++
  // applets' AppletCrypto::ecdsa_sign draws it: a card with an injected source signs reproducibly.
  const Bytes der = refused_as(call, CryptoReason::illegal_value,
                               [&] { return crypto::ecdsa_sign_hash_hedged(key, hash, call.random()); });
  const Bytes signature = plain ? crypto::ecdsa_der_to_raw(der, key.curve().order_size()) : der;
  call.charge(SeOperation::ecdsa_sign);
  check_output(call, sig, sig_offset, static_cast<std::int32_t>(signature.size()));
  write_out(call, sig, sig_offset, signature);
  call.return_short(static_cast<std::int16_t>(signature.size()));
}

// ecdsaVerify(byte[] domain, short L, byte[] w, short wOffset, byte[] hash, short hashOffset, short hashLength,
//             boolean plain, byte[] sig, short sigOffset, short sigLength) -> boolean
void ecdsa_verify(vm::NativeCall& call) {
  const vm::Ref domain = call.arg_ref(0);
  const std::int16_t field_length = call.arg_short(1);
  const Bytes hash = copy_in(call, call.arg_ref(4), call.arg_short(5), call.arg_short(6));
  const bool plain = call.arg_boolean(7);
  const Bytes signature = copy_in(call, call.arg_ref(8), call.arg_short(9), call.arg_short(10));
  const crypto::EcPublicKey* key = ec_public_key(call, domain, field_length, call.arg_ref(2), call.arg_short(3));
  call.charge(SeOperation::ecdsa_verify);
  bool valid = false;
  if (key != nullptr && !hash.empty()) {
    if (!plain) {
      valid = crypto::ecdsa_verify_hash(*key, hash, signature);
    } else if (signature.size() == 2 * key->curve().order_size()) {
      valid = crypto::ecdsa_verify_hash(*key, hash, crypto::ecdsa_raw_to_der(signature));
    }
  }
  call.return_boolean(valid);
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.rsaSignHash(B[B[BSBB[BSS[BS)S", rsa_sign_hash},
    {"org/sefleet/jcre/security/Primitives.rsaVerifyHash([B[BSBB[BSS[BSS)Z", rsa_verify_hash},
    {"org/sefleet/jcre/security/Primitives.ecdsaSign([BS[BS[BSSZ[BS)S", ecdsa_sign},
    {"org/sefleet/jcre/security/Primitives.ecdsaVerify([BS[BS[BSSZ[BSS)Z", ecdsa_verify},
};

}  // namespace

vm::NativeTable security_signature_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

// RSA operations over OpenSSL EVP_PKEY (keys in rsa_key.hpp), in the forms the Java Card API uses them:
//   raw RSA (RSAEP/RSADP, Cipher ALG_RSA_NOPAD),
//   PKCS#1 v1.5 and PSS signatures with SHA-1/224/256/384/512, over a message or a precomputed hash,
//   PKCS#1 v1.5 type-1 blocks over arbitrary data (no DigestInfo added: Cipher ALG_RSA_PKCS1 encrypting
//   with a private key, Signature with MessageDigest.ALG_NULL), and their recovery with the public key,
//   PKCS#1 v1.5 encryption (type 2) and OAEP with SHA-1 or SHA-2 (MGF1 with the same hash), empty label.
// Refusals: Error(Errc::invalid_argument) for input of the wrong length or value, Error(Errc::integrity_error)
// for a ciphertext whose padding does not check; verification returns false and never throws for a
// wrong or malformed signature.
#pragma once

#include <optional>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/digest.hpp"
#include "crypto/rsa_key.hpp"

namespace sefleet::crypto {

// `input` is exactly key.size() bytes and, as a number, less than the modulus.
Bytes rsa_public_raw(const RsaPublicKey& key, ByteView input);
SecretBytes rsa_private_raw(const RsaPrivateKey& key, ByteView input);

enum class RsaSignaturePadding {
  pkcs1_v1_5,  // EMSA-PKCS1-v1_5: 00 01 FF.. 00 DigestInfo
  pss,         // EMSA-PSS, MGF1 with the same hash; signing uses a salt as long as the hash (what Java Card's
               // *_PSS use), verification accepts any salt length the encoding carries
};

Bytes rsa_sign(const RsaPrivateKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView message);
// `hash` must be digest_size(digest) bytes.
Bytes rsa_sign_hash(const RsaPrivateKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView hash);
bool rsa_verify(const RsaPublicKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView message,
                ByteView signature);
bool rsa_verify_hash(const RsaPublicKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView hash,
                     ByteView signature);

// 00 01 FF.. 00 || data under the private key; data is at most key.size() - 11 bytes.
Bytes rsa_pkcs1_type1_encrypt(const RsaPrivateKey& key, ByteView data);
// The data of a type-1 block under the public key; nullopt when the block does not check.
std::optional<Bytes> rsa_pkcs1_type1_recover(const RsaPublicKey& key, ByteView block);

// PKCS#1 v1.5 encryption (type 2, random non-zero padding); data is at most key.size() - 11 bytes.
Bytes rsa_pkcs1_encrypt(const RsaPublicKey& key, ByteView data);
SecretBytes rsa_pkcs1_decrypt(const RsaPrivateKey& key, ByteView ciphertext);

// RSAES-OAEP with `digest` for the label hash and MGF1; data is at most key.size() - 2 hLen - 2 bytes
// (SHA-1 and a 1024-bit key: 86 bytes).
Bytes rsa_oaep_encrypt(const RsaPublicKey& key, DigestAlgorithm digest, ByteView data);
SecretBytes rsa_oaep_decrypt(const RsaPrivateKey& key, DigestAlgorithm digest, ByteView ciphertext);

}  // namespace sefleet::crypto

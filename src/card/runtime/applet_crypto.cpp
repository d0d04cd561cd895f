#include "card/runtime/applet_crypto.hpp"

#include "crypto/aes.hpp"
#include "crypto/ecdsa_hedged.hpp"
#include "crypto/kdf.hpp"

namespace sefleet::card {

crypto::P256PrivateKey AppletCrypto::generate_p256() {
  clock_->charge(SeOperation::ec_keygen);
  return crypto::P256PrivateKey::generate(*random_);
}

SecretBytes AppletCrypto::ecdh(const crypto::P256PrivateKey& own, const crypto::P256PublicKey& peer) {
  clock_->charge(SeOperation::ecdh);
  return crypto::ecdh_p256(own, peer);
}

Bytes AppletCrypto::ecdsa_sign(const crypto::P256PrivateKey& key, ByteView message) {
  clock_->charge(SeOperation::ecdsa_sign);
  // The nonce comes from the card's random source, as on a card (crypto/ecdsa_hedged.hpp).
  return crypto::ecdsa_p256_sign_hedged(key, message, *random_);
}

bool AppletCrypto::ecdsa_verify(const crypto::P256PublicKey& key, ByteView message, ByteView signature) {
  clock_->charge(SeOperation::ecdsa_verify);
  return crypto::ecdsa_p256_verify(key, message, signature);
}

crypto::Digest256 AppletCrypto::sha256(ByteView data) {
  clock_->charge(SeOperation::sha256, data.size());
  return crypto::sha256(data);
}

SecretBytes AppletCrypto::hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  clock_->charge(SeOperation::hkdf_sha256, length);
  return crypto::hkdf_sha256(ikm, salt, info, length);
}

SecretBytes AppletCrypto::x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length) {
  clock_->charge(SeOperation::x963_kdf, length);
  return crypto::x963_kdf_sha256(z, shared_info, length);
}

crypto::Mac16 AppletCrypto::cmac(ByteView key, ByteView data) {
  clock_->charge(SeOperation::cmac, data.size());
  return crypto::aes_cmac(key, data);
}

Bytes AppletCrypto::aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  clock_->charge(SeOperation::aes_cbc, data.size());
  crypto::Aes aes(key);
  return aes.cbc_encrypt(iv, data);
}

Bytes AppletCrypto::aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  clock_->charge(SeOperation::aes_cbc, data.size());
  crypto::Aes aes(key);
  return aes.cbc_decrypt(iv, data);
}

Bytes AppletCrypto::random_bytes(std::size_t count) {
  clock_->charge(SeOperation::random, count);
  return random_->bytes(count);
}

}  // namespace sefleet::card

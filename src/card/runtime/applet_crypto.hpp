// The cryptography an applet reaches through AppletContext::crypto(): the foundation's wrappers
// (src/crypto), each call charging its SeOperation on the card's VirtualClock, so virtual time counts
// what the applet really computes. Errors pass through from src/crypto (Error(crypto_error /
// invalid_argument)); inside process() they become 6F00 unless the applet catches them.
#pragma once

#include <cstddef>

#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "crypto/hash.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"

namespace sefleet::card {

class AppletCrypto {
 public:
  AppletCrypto(VirtualClock& clock, crypto::Random& random) noexcept : clock_(&clock), random_(&random) {}

  crypto::P256PrivateKey generate_p256();  // from the card's random source (ec_keygen)
  SecretBytes ecdh(const crypto::P256PrivateKey& own, const crypto::P256PublicKey& peer);
  // The nonce is drawn from the card's random source (hedged, crypto/ecdsa_hedged.hpp).
  Bytes ecdsa_sign(const crypto::P256PrivateKey& key, ByteView message);
  bool ecdsa_verify(const crypto::P256PublicKey& key, ByteView message, ByteView signature);
  crypto::Digest256 sha256(ByteView data);
  SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);
  SecretBytes x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length);
  crypto::Mac16 cmac(ByteView key, ByteView data);
  Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data);  // no padding (caller pads)
  Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data);
  Bytes random_bytes(std::size_t count);

  // Runtime side: the clock and random source move with the card (power cycles keep them).
  void rebind(VirtualClock& clock, crypto::Random& random) noexcept {
    clock_ = &clock;
    random_ = &random;
  }

 private:
  VirtualClock* clock_;
  crypto::Random* random_;
};

}  // namespace sefleet::card

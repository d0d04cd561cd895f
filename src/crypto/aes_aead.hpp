// AES-GCM (SP 800-38D) and AES-CCM (SP 800-38C) in the shapes Java Card's AEADCipher needs, over
// OpenSSL EVP: GCM streams (associated data, then the message in pieces, the tag at the end; a
// decryption's tag may be checked after the plaintext was handed out, and checked again); CCM takes
// the whole associated data and message at once, since its first block carries their lengths.
// crypto/aead.hpp keeps the fixed 12-byte-nonce, 16-byte-tag GCM of data at rest.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kAeadMaxTagSize = 16;

class AesGcmStream {
 public:
  // Any AES key size, a nonce of 1 to 128 bytes (12 is GCM's usual). Throws Error(Errc::invalid_argument)
  // otherwise.
  AesGcmStream(ByteView key, ByteView nonce, bool encrypt);

  // Associated data, before the first message byte; throws Error(Errc::invalid_argument) after it.
  void add_aad(ByteView aad);
  // The message in pieces: as many bytes out as in.
  Bytes update(ByteView in);
  // Encryption only: ends the message and returns the 16-byte tag.
  Bytes finish_encryption();
  // Decryption only: whether `tag` (1 to 16 bytes) is the leading part of the message's tag. The
  // message stays open, so another tag may be checked.
  bool verify(ByteView tag) const;

 private:
  detail::CipherCtx ctx_;
  bool encrypt_;
  bool data_started_ = false;
};

struct AesCcmOutput {
  Bytes data;  // ciphertext (encryption) or plaintext (decryption)
  Bytes tag;   // the message's tag, tag_size bytes
};

// CCM of `in` with `aad`: a nonce of 7 to 13 bytes, a tag of 4 to 16 bytes (even). Throws
// Error(Errc::invalid_argument) for other sizes or a message too long for the nonce's length field.
AesCcmOutput aes_ccm_encrypt(ByteView key, ByteView nonce, ByteView aad, ByteView in, std::size_t tag_size);
// The plaintext of ciphertext `in` and the tag it must carry, for a caller that checks the tag later
// (compare in constant time). CCM's counter-mode keystream is the same in both directions, so the
// plaintext is the CCM encryption of the ciphertext, and the expected tag is the tag of encrypting
// that plaintext: two runs of OpenSSL's CCM.
AesCcmOutput aes_ccm_decrypt_unchecked(ByteView key, ByteView nonce, ByteView aad, ByteView in, std::size_t tag_size);

}  // namespace sefleet::crypto

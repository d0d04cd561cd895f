// AES-GCM authenticated encryption (used for data at rest, e.g. the software keystore file).
#pragma once

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

// Returns ciphertext || tag (16 bytes).
Bytes aes_gcm_encrypt(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);

// Throws Error(Errc::integrity_error) when the tag does not verify.
SecretBytes aes_gcm_decrypt(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag);

}  // namespace sefleet::crypto

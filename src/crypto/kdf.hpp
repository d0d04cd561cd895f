// Hash-based key derivation: HKDF (RFC 5869) and ANSI X9.63, both with SHA-256, and scrypt (RFC 7914).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::crypto {

// HKDF-SHA256 extract-and-expand. An empty salt means "no salt" (HashLen zero bytes, per RFC 5869).
SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

// ANSI X9.63 KDF with SHA-256: K_i = SHA-256(Z || [i]_32 || SharedInfo), i = 1, 2, ...
SecretBytes x963_kdf_sha256(ByteView shared_secret, ByteView shared_info, std::size_t length);

struct ScryptParams {
  std::uint64_t n = 1u << 15;  // CPU/memory cost
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

SecretBytes scrypt(ByteView passphrase, ByteView salt, const ScryptParams& params, std::size_t length);

}  // namespace sefleet::crypto

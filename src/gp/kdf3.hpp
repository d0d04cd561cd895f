// kdf3: the AES key-diversification template of GlobalPlatformPro (reference/scp03.md §15), deriving a
// per-SE static key set from a master key and the 10-byte key diversification data (KDD) that the SE
// returns in INITIALIZE UPDATE:
//
//   K_t = first n bytes of PRF(1 || 00 00 00 || t || 00 || KDD) || PRF(2 || ...)
//   PRF = AES-CMAC under the master key, n = master key length, t = 01 ENC, 02 MAC, 03 DEK.
//
// The layout lives here once; a key store supplies the PRF (OpenSSL, or C_Sign CKM_AES_CMAC on a
// PKCS#11 token) so the master key never has to leave it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "core/bytes.hpp"
#include "crypto/cmac.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::gp {

using Kdf3Block = std::array<std::uint8_t, 16>;
using Kdf3Prf = std::function<crypto::Mac16(const Kdf3Block&)>;

// The PRF input of block `counter` (1-based) for key identifier `key_type` (01/02/03).
// Throws Error(Errc::invalid_argument) unless the KDD is 10 bytes.
Kdf3Block kdf3_block_input(std::uint8_t counter, std::uint8_t key_type, ByteView kdd);

// ENC, MAC and DEK of `key_size` bytes (16, 24 or 32), KVN `kvn`, with `prf` keyed by the master key.
StaticKeySet kdf3_diversify(std::size_t key_size, ByteView kdd, std::uint8_t kvn, const Kdf3Prf& prf);
// Same with the master key in memory.
StaticKeySet kdf3_diversify(ByteView master_key, ByteView kdd, std::uint8_t kvn);

}  // namespace sefleet::gp

// SCP03 static key sets (Key-ENC, Key-MAC, Key-DEK of one key version) and key check values.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::gp {

// Conventional key identifiers inside a key version (GPPro, pySim, GET DATA E0 dumps).
inline constexpr std::uint8_t kKeyIdEnc = 0x01;
inline constexpr std::uint8_t kKeyIdMac = 0x02;
inline constexpr std::uint8_t kKeyIdDek = 0x03;

struct StaticKeySet {
  std::uint8_t kvn = 0;  // key version number (1..7F); 0 only before the set is stored
  SecretBytes enc;
  SecretBytes mac;
  SecretBytes dek;

  StaticKeySet() = default;
  StaticKeySet(std::uint8_t kvn_, SecretBytes enc_, SecretBytes mac_, SecretBytes dek_);
  // All three keys the same AES size (Amd D §6.1). Throws Error(Errc::invalid_argument) otherwise.
  void validate() const;
  std::size_t key_size() const noexcept { return enc.size(); }
};

// Key check value of an AES key: the first 3 bytes of AES-ECB(key, 16 x 01) (Amd D §7.2.2).
Bytes key_check_value(ByteView key);

}  // namespace sefleet::gp

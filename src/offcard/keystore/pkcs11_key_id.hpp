// How one key version is recorded on a PKCS#11 token (docs/keystores.md, "PKCS#11 keystore"):
// one CKO_SECRET_KEY / CKK_AES object per version, CKA_LABEL = the key's label (shared by all its
// versions), usage in the standard attributes (CKA_SIGN/VERIFY = mac, CKA_WRAP/UNWRAP = wrap,
// CKA_ENCRYPT/DECRYPT = encrypt), size in CKA_VALUE_LEN, and what PKCS#11 has no attribute for in
// CKA_ID, a 20-byte record:
//
//   "SFK1" | version (4, BE) | created, Unix seconds (8, BE) | origin (1: 1 generated, 2 imported)
//          | GlobalPlatform KCV (3)
//
// The KCV is kept because CKA_CHECK_VALUE (where a token offers it) is computed over a zero block,
// not GlobalPlatform's block of 01 bytes, and a non-extractable key cannot be re-checked on the host.
// Objects whose CKA_ID is not such a record belong to someone else and are ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

inline constexpr std::size_t kPkcs11KeyIdSize = 20;

struct Pkcs11KeyId {
  std::uint32_t version = 0;
  std::int64_t created = 0;
  KeyOrigin origin = KeyOrigin::generated;
  Kcv kcv{};

  friend bool operator==(const Pkcs11KeyId&, const Pkcs11KeyId&) = default;
};

Bytes encode_pkcs11_key_id(const Pkcs11KeyId& id);
// nullopt for anything that is not exactly a record above (another application's object).
std::optional<Pkcs11KeyId> parse_pkcs11_key_id(ByteView id);

}  // namespace sefleet::offcard

// The plaintext content of the software keystore (what the sealed file encrypts): keys with their
// versions and secret values, serialized as JSON. The serialized text is returned as SecretBytes, and
// the hex strings of key values inside the JSON tree are wiped before the tree is freed, so no
// plaintext copy of a key outlives its use (the JSON library's own transient buffers aside).
//
//   {"format": 1,
//    "keys": [{"label": "kos", "algorithm": "AES", "size": 16, "usage": "mac,wrap,encrypt",
//              "versions": [{"version": 1, "created": 1700000000, "origin": "generated",
//                            "value": "<hex>"}]}]}
//
// An EC key has "algorithm": "EC-P256", "size": 32, "usage": "agree,sign", and its private scalar as
// each version's value (the public point is derived from it when needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

struct StoredKeyVersion {
  std::uint32_t version = 0;
  std::int64_t created = 0;
  KeyOrigin origin = KeyOrigin::generated;
  SecretBytes value;
};

struct StoredKey {
  std::string label;
  std::string algorithm = std::string(kAesAlgorithm);  // or kEcP256Algorithm
  std::size_t size = 0;
  KeyUsage usage = KeyUsage::none;
  std::vector<StoredKeyVersion> versions;  // strictly ascending version numbers, never empty

  bool is_ec() const noexcept { return algorithm == kEcP256Algorithm; }
  KeyInfo info() const;                                       // public description with KCVs; no secret bytes
  const StoredKeyVersion* find(std::uint32_t version) const;  // 0 = current
};

struct KeyMaterial {
  std::vector<StoredKey> keys;

  StoredKey* find(const std::string& label);
  const StoredKey* find(const std::string& label) const;
};

SecretBytes serialize_key_material(const KeyMaterial& material);

// Error(parse_error) naming the problem when the JSON or any field is invalid (the content is
// authenticated, so this means a bug or a file written by an incompatible build).
KeyMaterial parse_key_material(const SecretBytes& json);

}  // namespace sefleet::offcard

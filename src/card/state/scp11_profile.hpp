// The "scp11" part of a card profile (all fields optional):
//   "scp11": {"kvn": "01", "sk_sd_ecka": "<P-256 private scalar, 64 hex>",
//             "certificates": ["<DER or 7F21 hex>", ...],   the chain of CERT.SD.ECKA, leaf last
//             "oce": {"kvn": "10", "ca_pk": "<uncompressed P-256 point of PK.CA-KLOC.ECDSA>"}}
// Without sk_sd_ecka, personalization generates the key pair and a self-signed X.509 certificate
// (the given certificates would then certify another key, so they are refused). Without "oce" the
// card runs SCP11b only.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::card {

struct Scp11Profile {
  std::uint8_t kvn = 0x01;
  SecretBytes sk_sd_ecka;  // empty: generate at personalization
  std::vector<Bytes> certificates;
  // The SD key identifiers the key pair is installed under (11 SCP11a, 13 SCP11b, 15 SCP11c): all
  // three unless the personalizer narrows them (not a profile JSON field), e.g. an SE that offers
  // SCP11c alone.
  std::vector<std::uint8_t> sd_key_ids{0x11, 0x13, 0x15};
  std::uint8_t oce_kvn = 0x10;
  Bytes oce_ca_pk;  // empty: no OCE CA key (SCP11b only)

  // Validates every field (the scalar is a P-256 private key, each certificate parses, the leaf
  // certifies that key, ca_pk is a P-256 point). Throws Error(Errc::parse_error) naming the field.
  static Scp11Profile from_json(const nlohmann::json& object);
};

}  // namespace sefleet::card

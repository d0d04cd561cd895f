// The personalization profile of a virtual SE (`sefleet card init --profile FILE.json`). The field
// names are a contract (docs/card-state.md): se_id, kdd, isd_aid, platform_id, scp03 {kvn, i, enc, mac, dek},
// platform_keys {version, kos, kmac}, allow_downgrade, atr,
// scp11 (scp11_profile.hpp). Hex strings throughout.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "card/state/scp11_profile.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::card {

struct PlatformKeys {
  std::uint8_t version = 0;  // key version of the platform key pair (broadcast channel, profile 4)
  SecretBytes kos;           // platform confidentiality key (AES)
  SecretBytes kmac;          // platform integrity key (AES)
};

struct CardProfile {
  Bytes se_id;        // 8-16 bytes: the SE's unique identity (also its CIN, tag 45)
  Bytes kdd;          // 10 bytes: key diversification data (INITIALIZE UPDATE response)
  Bytes isd_aid;      // 5-16 bytes, normally A000000151000000
  Bytes platform_id;  // 8 bytes
  std::uint8_t scp03_i = 0x70;
  gp::StaticKeySet scp03;  // the initial ISD key set
  PlatformKeys platform_keys;
  bool allow_downgrade = false;
  Bytes atr;                          // ISO 7816-3 ATR advertising T=1
  std::optional<Scp11Profile> scp11;  // SCP11 keys and certificates (scp11_profile.hpp), when given

  // Parses and validates a profile. Required: se_id, kdd, scp03 (kvn, enc, mac, dek). Defaults:
  // isd_aid A000000151000000, platform_id 00..00, scp03.i 70, no platform keys, allow_downgrade false,
  // atr = sefleet's default ATR. Unknown fields are refused (a typo must not silently personalize a
  // card with defaults). Throws Error(Errc::parse_error) naming the field and the problem.
  static CardProfile from_json(std::string_view json_text);
};

// 3B 8B 81 01 + historical bytes 80 59 "SEFLEET01" (category 80, compact-TLV card issuer data) + TCK:
// T=1 only, the form pcscd and vpcd are known to accept.
Bytes default_atr();

}  // namespace sefleet::card

// The design system (broadcast-channel.md §3, §6, §7): the only off-card role that sees the plain
// image and uses Kos/Kmac. From an image and the platform keystore it makes a CampaignPackage, the
// input of the management server and the HSM, which holds no secret in clear.
//
//   profile 3 (campaign key): fresh BK-ENC/BK-MAC from the keystore's generator; integrity code
//     AES-CMAC(BK-MAC, DATASEND); BK and the code wrapped under Kos inside the keystore (AES-KW); the
//     PSE built here. BK and the code live only in zeroizing buffers and are gone when design_campaign
//     returns.
//   profile 4 (platform key): envelope IV ‖ AES-CBC(Kos, IV, pad80(DATASEND)) and integrity code
//     AES-CMAC(Kmac, DATASEND), both computed inside the keystore; no BK and no PSE (the HSM makes
//     them).
//
// Kos and Kmac are named by KeyRef and never leave the keystore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/broadcast/pse.hpp"
#include "offcard/campaign/campaign_package.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

struct CampaignDesign {
  gp::broadcast::ImageManifest manifest;
  Bytes body;
  gp::broadcast::Profile profile = gp::broadcast::Profile::campaign_key;
  KeyRef kos;                                              // wrap usage (profile 3) or encrypt usage (profile 4)
  KeyRef kmac;                                             // profile 4 only: mac usage
  std::uint8_t platform_key_version = 0;                   // C5: the version of Kos/Kmac on the SEs
  std::size_t broadcast_key_size = 16;                     // profile 3: BK-ENC and BK-MAC size, 16, 24 or 32
  std::size_t chunk_size = gp::broadcast::kMaxShortChunk;  // plain bytes per WRITE BLOCK
  bool extended = false;
  std::optional<gp::broadcast::CampaignId> campaign_id;  // random when absent
};

// Throws Error(Errc::invalid_argument) for a manifest or body encode_datasend refuses, a BK size that
// is not an AES key size, a chunk size out of range (1..239, or 1..65280 extended), a stream that
// needs more than 65 536 blocks or more than FFFFFFFF bytes, an unknown profile; keystore errors
// (unknown key, usage not allowed) propagate unchanged.
CampaignPackage design_campaign(Keystore& platform_keystore, const CampaignDesign& design);

}  // namespace sefleet::offcard

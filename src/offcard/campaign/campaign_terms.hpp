// What every off-card role needs to know about one broadcast campaign in order to authorize SEs
// (broadcast-channel.md §5.1, §5.4, §7), and nothing that would let it read the image or BK:
//
//   profile 3: wrapped_broadcast_keys = AES-KW(Kos, BK-ENC ‖ BK-MAC), made by the design system and sent
//              as CHANGE MODE's C2 unchanged; integrity_code = AES-KW(Kos, AES-CMAC(BK-MAC, DATASEND)).
//   profile 4: wrapped_broadcast_keys = AES-KW(HSM campaign KEK, BK-ENC ‖ BK-MAC), made by the HSM when
//              it generated BK and built the PSE; only the HSM unwraps it, to put BK in clear inside
//              CHANGE MODE's C2 (protected by the session's C-DECRYPTION); integrity_code =
//              AES-CMAC(Kmac, DATASEND) in clear (16 bytes), made by the design system.
//
// The server stores these terms and hands them to the HSM role with each authorization request.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/pse.hpp"

namespace sefleet::offcard {

struct CampaignTerms {
  gp::broadcast::CampaignId campaign_id{};
  gp::broadcast::Profile profile = gp::broadcast::Profile::campaign_key;
  std::uint8_t platform_key_version = 0;       // C5: the SEs' Kos/Kmac version
  std::uint32_t total_length = 0;              // C6: bytes of the broadcast stream
  gp::broadcast::BroadcastContextStart start;  // C3, C4
  Bytes wrapped_broadcast_keys;                // see above
  Bytes integrity_code;                        // 24 bytes wrapped (profile 3) or 16 in clear (profile 4)
};

}  // namespace sefleet::offcard

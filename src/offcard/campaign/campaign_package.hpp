// What the design system hands the management server for one broadcast campaign
// (broadcast-channel.md §3, §7): the campaign terms, a public summary of the image, and the broadcast
// stream in the form the profile calls for:
//   profile 3: the finished PSE (WRITE BLOCKs under BK, then CHANGE MODE back), same bytes for every SE;
//   profile 4: the image envelope IV ‖ AES-CBC(Kos, IV, pad80(DATASEND)); the HSM generates BK and
//              builds the PSE from it.
// By construction nothing in a package is a secret in clear: BK and the profile-3 integrity code are
// wrapped under Kos, the image travels only encrypted (under BK or Kos), and the summary holds the
// manifest (public: the SE reports versions anyway) and a SHA-256 of DATASEND.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/hash.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "offcard/campaign/campaign_terms.hpp"

namespace sefleet::offcard {

// Public facts about the image, for operators and for the server's records.
struct ImageSummary {
  gp::broadcast::ImageManifest manifest;
  std::size_t datasend_size = 0;        // manifest ‖ body, in bytes
  crypto::Digest256 datasend_sha256{};  // what the SE reports (CC) once the image is active

  friend bool operator==(const ImageSummary&, const ImageSummary&) = default;
};

struct CampaignPackage {
  CampaignTerms terms;
  ImageSummary image;
  std::size_t chunk_size = 0;  // plain bytes per WRITE BLOCK (the HSM uses it in profile 4)
  bool extended = false;       // extended APDUs for the WRITE BLOCKs
  std::vector<Bytes> pse;      // profile 3: encoded command APDUs in order; empty in profile 4
  Bytes envelope;              // profile 4: the image envelope; empty in profile 3
};

// "campaign_key (3)" / "platform_key (4)".
std::string profile_text(gp::broadcast::Profile profile);
// "os", "application", "data", "keys".
std::string image_type_text(gp::broadcast::ImageType type);

// A readable, multi-line summary for operators: campaign id, profile, image type/version/name/platform,
// sizes, block count and SHA-256. Contains nothing secret (the package holds nothing secret).
std::string describe(const CampaignPackage& package);

}  // namespace sefleet::offcard

// The versioned binary files of a broadcast campaign (docs/formats.md), each framed by
// file_container.hpp (magic "SFCF", format version, kind, body length, SHA-256 trailer):
//
//   campaign package (kind 01)  design system -> management server: terms, image summary, PSE or envelope
//   PSE file         (kind 02)  what terminals download: the campaign id and the PSE's command APDUs in
//                               order, the same bytes for every SE
//   PAUT file        (kind 03)  one SE's authorization set: SE identity, the 4 command APDUs, PautCheck
//   campaign terms   (kind 04)  what the server hands the HSM with each authorization request
//
// Readers check the frame, then every field: lengths against the bytes left, values against their
// domain (profile, image type, chunk size, key and code lengths, challenge sizes), APDUs by parsing
// them and by their expected header (INS, P1‖P2 block numbers), and the consistency between fields
// (block count against total length and chunk size, envelope size against DATASEND size). Every
// refusal is Error(Errc::parse_error) naming the file kind and the field, or Error(Errc::integrity_error)
// for a SHA-256 mismatch. Writers refuse (Error(Errc::invalid_argument)) anything their reader would
// refuse, so a written file always reads back.
#pragma once

#include <filesystem>
#include <vector>

#include "core/bytes.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "offcard/campaign/campaign_package.hpp"
#include "offcard/campaign/campaign_terms.hpp"
#include "offcard/campaign/file_container.hpp"

namespace sefleet::offcard {

// SE identities are 1..64 bytes, as the HSM role accepts them (SeAuthorizationRequest::se_id).
inline constexpr std::size_t kMinSeIdSize = 1;
inline constexpr std::size_t kMaxSeIdSize = 64;

struct PseFile {
  gp::broadcast::CampaignId campaign_id{};
  std::vector<Bytes> commands;  // WRITE BLOCK 0..N-1, then CHANGE MODE back, encoded
};

struct PautFile {
  Bytes se_id;
  gp::broadcast::Paut paut;
};

Bytes serialize_campaign_package(const CampaignPackage& package);
CampaignPackage parse_campaign_package(ByteView file);

Bytes serialize_pse_file(const PseFile& pse);
PseFile parse_pse_file(ByteView file);

Bytes serialize_paut_file(const PautFile& paut);
PautFile parse_paut_file(ByteView file);

Bytes serialize_campaign_terms(const CampaignTerms& terms);
CampaignTerms parse_campaign_terms(ByteView file);

// Files: written atomically (temporary file + rename), read with the size bound and all checks above.
void save_campaign_package(const std::filesystem::path& path, const CampaignPackage& package);
CampaignPackage load_campaign_package(const std::filesystem::path& path);
void save_pse_file(const std::filesystem::path& path, const PseFile& pse);
PseFile load_pse_file(const std::filesystem::path& path);
void save_paut_file(const std::filesystem::path& path, const PautFile& paut);
PautFile load_paut_file(const std::filesystem::path& path);
void save_campaign_terms(const std::filesystem::path& path, const CampaignTerms& terms);
CampaignTerms load_campaign_terms(const std::filesystem::path& path);

}  // namespace sefleet::offcard

// AUTHORIZE ACTION (broadcast-channel.md §5.4), on the diversified session after the
// switch back. Decisions (docs/isd.md "Broadcast update channel"):
//  - Level 13/33 needed (6982), P1-P2 00 00 (6A86), TLV errors and a C8 whose length does not fit the
//    staged profile (24 wrapped / 16 clear) 6A80, no complete staging of this campaign 6985 (no status
//    object).
//  - Profile 4: an envelope that does not open under Kos is an integrity mismatch (result 80); so is,
//    in profile 3, a C8 that does not unwrap under Kos. The code is compared in constant time.
//  - Integrity verified but DATASEND unparseable, of another platform, or not above the active version
//    of its type (unless the personalization allows downgrades): result 81.
//  - 80 and 81 discard the staging; 01 (action 02) keeps it, marked verified, for a later 01; 00
//    activates it in one NVM transaction, the previous image stays active until that commit. In
//    profile 3 the staged stream is the DATASEND and becomes the image where it is
//    (ImageStore::activate_staged); in profile 4 the opened envelope is written (ImageStore::activate).
//  - CB/CC report the active image of the staged image's type after the decision; when that type
//    cannot be read (the envelope does not open, the manifest does not parse) CB = 0, CC = 32 zeros.
#include <algorithm>
#include <optional>
#include <utility>

#include "card/isd/isd_command.hpp"
#include "core/error.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_envelope.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
namespace bc = gp::broadcast;

constexpr std::uint8_t kFlowLevel = gp::level::kCMac | gp::level::kCDecryption | gp::level::kRMac;

struct Verification {
  // The DATASEND when it had to be made: the opened envelope (profile 4) or the joined segments of a
  // long profile-3 stream. Empty when the DATASEND is the staged stream in place.
  SecretBytes made;
  ByteView datasend;  // the plain image: `made` or the staged stream (empty when the envelope did not open)
  bool integrity_ok = false;
  std::optional<bc::ParsedDatasend> parsed;  // views into `datasend`
};

// In profile 3 the staged stream IS the DATASEND: a short stream (one segment) is verified and
// activated where it is, a long one is joined once.
Verification verify(const ImageStore& images, const PlatformKeys& platform, ByteView c8) {
  const StagingRecord& staging = *images.staging();
  Verification out;
  ByteView stream = images.staged_stream_in_place();
  SecretBytes joined;
  if (stream.empty()) {
    joined = images.staged_stream();
    stream = joined.view();
  }
  bool opened = true;
  Bytes code;
  ByteView key;
  if (staging.profile == bc::Profile::platform_key) {
    try {
      out.made = bc::open_envelope(platform.kos.view(), stream);
    } catch (const Error&) {
      opened = false;
    }
    out.datasend = out.made.view();
    code.assign(c8.begin(), c8.end());
    key = platform.kmac.view();
  } else {
    out.made = std::move(joined);  // the moved buffer stays where it is, so `stream` still views it
    out.datasend = stream;
    try {
      code = bc::unwrap_integrity_code(platform.kos.view(), c8);
    } catch (const Error&) {
      code.clear();  // a code that does not unwrap cannot match
    }
    key = staging.bk_mac.view();
  }
  out.integrity_ok = opened && !code.empty() && !key.empty() && bc::integrity_code_matches(key, out.datasend, code);
  if (opened) {
    try {
      out.parsed = bc::parse_datasend(out.datasend);
    } catch (const Error&) {
      out.parsed.reset();
    }
  }
  return out;
}

bool manifest_acceptable(const IsdCall& call, const bc::ImageManifest& manifest) {
  const Bytes& platform = call.state.platform_id();
  if (!std::ranges::equal(platform, manifest.platform_id)) return false;
  const ActiveImage* active = call.state.images().find_active(manifest.type);
  if (active == nullptr || call.state.allow_downgrade()) return true;
  return manifest.version > active->version;
}

}  // namespace

iso7816::ResponseApdu authorize_action(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, kFlowLevel);
  const auto& cmd = call.command;
  if (cmd.p1 != 0x00 || cmd.p2 != 0x00)
    throw StatusWordError(sw::kIncorrectP1P2, "AUTHORIZE ACTION: P1-P2 must be 0000");
  bc::AuthorizeAction message;
  try {
    message = bc::parse_authorize_action(cmd.data);
  } catch (const Error&) {
    throw StatusWordError(sw::kWrongData, "AUTHORIZE ACTION: malformed data");
  }
  discard_abandoned_staging(call);
  ImageStore& images = call.state.images();
  const auto& staging = images.staging();
  if (!staging || staging->state == StagingState::receiving || staging->campaign_id != message.campaign_id) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "AUTHORIZE ACTION: nothing staged for this campaign");
  }
  const std::size_t code_size =
      staging->profile == bc::Profile::campaign_key ? bc::kWrappedIntegrityCodeSize : bc::kIntegrityCodeSize;
  if (message.integrity_code.size() != code_size) {
    throw StatusWordError(sw::kWrongData, "AUTHORIZE ACTION: integrity code length does not fit the profile");
  }
  const auto& platform = call.state.platform_keys();
  if (!platform) throw StatusWordError(sw::kReferencedDataNotFound, "AUTHORIZE ACTION: no platform keys");

  // The DATASEND may be the staged stream in place: nothing reads it (or the parsed views into it)
  // after a decision changed the staging.
  const Verification verification = verify(images, *platform, message.integrity_code);

  bc::ImageStatus status;
  status.campaign_id = message.campaign_id;
  if (!verification.integrity_ok) {
    status.result = bc::result::kIntegrityMismatch;
    images.discard_staging();
  } else if (!verification.parsed || !manifest_acceptable(call, verification.parsed->manifest)) {
    status.result = bc::result::kManifestRefused;
    images.discard_staging();
  } else if (message.action == bc::Action::verify_only) {
    status.result = bc::result::kVerifiedKeptStaged;
    images.mark_verified();
  } else {
    status.result = bc::result::kActivated;
    if (staging->profile == bc::Profile::campaign_key) {
      images.activate_staged(verification.parsed->manifest);
    } else {
      images.activate(verification.parsed->manifest, verification.datasend);
    }
  }
  if (verification.parsed) {
    if (const ActiveImage* active = images.find_active(verification.parsed->manifest.type)) {
      status.active_version = active->version;
      status.active_sha256 = active->sha256;
    }
  }
  const bool accepted = status.result == bc::result::kActivated || status.result == bc::result::kVerifiedKeptStaged;
  return iso7816::ResponseApdu(bc::encode_image_status(status), accepted ? sw::kOk : sw::kVerificationFailed);
}

}  // namespace sefleet::card::isd

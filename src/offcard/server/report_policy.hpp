// What one report does to an SE (docs/api.md "Reports"), as pure functions tested without a database.
// The server believes only what it can verify, so reports are of two kinds:
//   authenticated (the SE's card cryptogram, and any status object's R-MAC, verified): success marks the
//     SE updated (or staged after a preload); a refused manifest quarantines at once; any other failure
//     counts an attempt and asks for a retry with a fresh PAUT, or quarantines at max_attempts. These
//     are the failures a wave's failure rate counts.
//   unverified (no INITIALIZE UPDATE response, an error status word instead, or answers that do not
//     verify: anything a terminal could make up): the SE is retried after a back-off that doubles with
//     each one, and becomes `unreachable` at max_unverified_attempts. They never quarantine an SE and
//     never count toward the failure rate: a terminal token alone cannot push SEs into quarantine or
//     pause a campaign.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/campaign/report_assessment.hpp"

namespace sefleet::offcard::server {

struct PolicyDecision {
  api::DeviceState state = api::DeviceState::retry;  // the device's new state
  std::int64_t attempts = 0;                         // authenticated failures so far
  std::int64_t unverified_attempts = 0;              // unverified failures since the last authenticated report
  std::optional<std::int64_t> retry_at;              // unverified back-off: no PAUT before this time
  bool failure = false;                              // counted in the wave's failure rate
  std::string reason;
};

// An authenticated report. `image` names the campaign's image for a refused manifest's reason
// ("platform 0102... (application \"wallet\", version 0x00020001)"). The unverified count restarts.
PolicyDecision decide_authenticated(DeliveryOutcome outcome, std::int64_t attempts_before,
                                    const api::ReportPolicy& policy, std::string_view image);

// An unverified report at time `now`: retry after unverified_backoff(policy, n) seconds, or
// `unreachable` once n reaches max_unverified_attempts. Authenticated attempts are unchanged.
PolicyDecision decide_unverified(DeliveryOutcome outcome, std::int64_t attempts, std::int64_t unverified_before,
                                 const api::ReportPolicy& policy, std::int64_t now);

// The back-off after the n-th unverified failure (n >= 1): unverified_backoff x 2^(n-1) seconds, at
// most api::kMaxBackoffSeconds.
std::int64_t unverified_backoff(const api::ReportPolicy& policy, std::int64_t unverified_attempts);

// True when an SE refused the manifest because it already runs exactly this campaign's image: its
// authenticated status object (R-MACed, so no terminal can forge it) names the active image's
// SHA-256, and it equals the campaign's DATASEND digest. The SE is then updated, not quarantined
// (it happens when a report was lost: the SE activated the image, and a later delivery offered the
// same version again).
bool already_runs_campaign_image(const Assessment& assessment, ByteView campaign_datasend_sha256);

}  // namespace sefleet::offcard::server

// The rollout rules of docs/api.md "Rollout" and the result policy of docs/api.md "Reports", as pure functions so
// they are tested without a database or a network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "offcard/campaign/report_assessment.hpp"
#include "offcard/server/repository.hpp"

namespace sefleet::offcard::server {

struct RolloutPlan {
  std::vector<int> waves{100};  // cumulative percentages, strictly increasing, the last 100
  double max_failure_rate = 1.0;
  std::int64_t min_reports = 5;
};

// The plan stored with a campaign.
RolloutPlan plan_of(const CampaignRow& row);

// Throws ApiError 400 naming the field ("rollout.waves", ...) for a plan the rules do not allow.
void check_rollout_plan(const RolloutPlan& plan);

// The wave order: SHA-256(campaign id ‖ se_id) ascending; returns each target's rank (same order as
// `se_ids`).
std::vector<std::int64_t> wave_ranks(ByteView campaign_id, const std::vector<Bytes>& se_ids);

// Targets admitted by wave `index`: ceil(waves[index] % × target_count).
std::int64_t admitted_count(const RolloutPlan& plan, std::int64_t wave_index, std::int64_t target_count);

// The pause reason when the wave's failure rate passes the threshold (once min_reports are in).
std::optional<std::string> failure_pause_reason(const RolloutPlan& plan, std::int64_t wave_index,
                                                std::int64_t reports, std::int64_t failures);

struct PolicyDecision {
  std::string state;  // the device's new state (updated, staged, retry, quarantined)
  std::int64_t attempts = 0;
  bool failure = false;  // counted as a failure in the wave's rate
  std::string reason;
};

// The result policy for one report: success marks the SE updated (or staged after a preload); a refused
// manifest quarantines at once; any other failure counts an attempt and schedules a retry with a fresh
// PAUT, or quarantines once `max_attempts` failures are reached.
PolicyDecision decide(DeliveryOutcome outcome, std::int64_t attempts_before, std::int64_t max_attempts);

// True when an SE refused the manifest because it already runs exactly this campaign's image: its
// authenticated status object (R-MACed, so no terminal can forge it) names the active image's
// SHA-256, and it equals the campaign's DATASEND digest. The SE is then updated, not quarantined
// (it happens when a report was lost: the SE activated the image, and a later delivery offered the
// same version again).
bool already_runs_campaign_image(const Assessment& assessment, ByteView campaign_datasend_sha256);

}  // namespace sefleet::offcard::server

// The rollout rules of docs/api.md "Rollout" as pure functions, tested without a database or a
// network: the wave order, how many targets a wave admits, and when a wave pauses the campaign.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/server/repository.hpp"

namespace sefleet::offcard::server {

// The plan stored with a campaign.
api::RolloutPlan plan_of(const CampaignRow& row);

// The wave order: SHA-256(campaign id ‖ se_id) ascending; returns each target's rank (same order as
// `se_ids`).
std::vector<std::int64_t> wave_ranks(ByteView campaign_id, const std::vector<Bytes>& se_ids);

// Targets admitted by wave `index`: ceil(waves[index] % × target_count).
std::int64_t admitted_count(const api::RolloutPlan& plan, std::int64_t wave_index, std::int64_t target_count);

// What the current wave has seen since it started (or since the last resume).
struct WaveReports {
  std::int64_t authenticated = 0;  // counted authenticated reports
  std::int64_t failures = 0;       // of those, failures
  std::int64_t unverified = 0;     // counted unverified reports
};

// Why the wave pauses the campaign, or std::nullopt:
//  - failure rate: failures / authenticated > max_failure_rate, once min_reports authenticated reports
//    are in ("failure rate 0.40 > 0.20 in wave 1 (5 authenticated reports)");
//  - unverified rate: unverified / (authenticated + unverified) > max_unverified_rate, once min_reports
//    reports are in ("unverified report rate 0.60 > 0.50 in wave 0 (5 reports)"). Its default, 1.0,
//    never pauses.
std::optional<std::string> pause_reason(const api::RolloutPlan& plan, std::int64_t wave_index, const WaveReports& wave);

}  // namespace sefleet::offcard::server

#include "offcard/server/rollout_policy.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "crypto/hash.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/repository.hpp"

namespace sefleet::offcard::server {

RolloutPlan plan_of(const CampaignRow& row) {
  RolloutPlan plan;
  plan.waves = nlohmann::json::parse(row.waves_json).get<std::vector<int>>();
  plan.max_failure_rate = row.max_failure_rate;
  plan.min_reports = row.min_reports;
  return plan;
}

void check_rollout_plan(const RolloutPlan& plan) {
  if (plan.waves.empty()) throw invalid_field("rollout.waves", "expected at least one wave");
  int previous = 0;
  for (int wave : plan.waves) {
    if (wave <= previous || wave > 100) {
      throw invalid_field("rollout.waves", "expected strictly increasing percentages in 1..100");
    }
    previous = wave;
  }
  if (plan.waves.back() != 100) throw invalid_field("rollout.waves", "the last wave must be 100");
  if (!(plan.max_failure_rate >= 0.0 && plan.max_failure_rate <= 1.0)) {
    throw invalid_field("rollout.max_failure_rate", "expected 0..1");
  }
  if (plan.min_reports < 1) throw invalid_field("rollout.min_reports", "expected at least 1");
}

std::vector<std::int64_t> wave_ranks(ByteView campaign_id, const std::vector<Bytes>& se_ids) {
  std::vector<crypto::Digest256> keys;
  keys.reserve(se_ids.size());
  for (const auto& se_id : se_ids) keys.push_back(crypto::sha256(concat({campaign_id, se_id})));
  std::vector<std::size_t> order(se_ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&keys](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<std::int64_t> ranks(se_ids.size());
  for (std::size_t position = 0; position < order.size(); ++position) {
    ranks[order[position]] = static_cast<std::int64_t>(position);
  }
  return ranks;
}

std::int64_t admitted_count(const RolloutPlan& plan, std::int64_t wave_index, std::int64_t target_count) {
  const auto index = static_cast<std::size_t>(std::clamp<std::int64_t>(
      wave_index, 0, static_cast<std::int64_t>(plan.waves.size()) - 1));
  // Integer ceiling: ceil(p × N / 100).
  return (static_cast<std::int64_t>(plan.waves[index]) * target_count + 99) / 100;
}

std::optional<std::string> failure_pause_reason(const RolloutPlan& plan, std::int64_t wave_index,
                                                std::int64_t reports, std::int64_t failures) {
  if (reports < plan.min_reports || reports == 0) return std::nullopt;
  const double rate = static_cast<double>(failures) / static_cast<double>(reports);
  if (rate <= plan.max_failure_rate) return std::nullopt;
  char text[160];
  std::snprintf(text, sizeof text, "wave %lld: failure rate %.2f above %.2f after %lld reports",
                static_cast<long long>(wave_index), rate, plan.max_failure_rate, static_cast<long long>(reports));
  return std::string(text);
}

bool already_runs_campaign_image(const Assessment& assessment, ByteView campaign_datasend_sha256) {
  if (assessment.outcome != DeliveryOutcome::manifest_refused || !assessment.status) return false;
  const auto& active = assessment.status->active_sha256;
  return campaign_datasend_sha256.size() == active.size() &&
         std::equal(active.begin(), active.end(), campaign_datasend_sha256.begin());
}

PolicyDecision decide(DeliveryOutcome outcome, std::int64_t attempts_before, std::int64_t max_attempts) {
  switch (outcome) {
    case DeliveryOutcome::activated: return {kUpdated, attempts_before, false, "image activated"};
    case DeliveryOutcome::verified_kept_staged:
      return {kStaged, attempts_before, false, "image verified and kept staged (preload)"};
    case DeliveryOutcome::manifest_refused:
      return {kQuarantined, attempts_before + 1, true, "manifest refused by the SE: not retried"};
    default: break;
  }
  const std::int64_t attempts = attempts_before + 1;
  if (attempts >= max_attempts) {
    return {kQuarantined, attempts, true,
            "attempts exhausted: " + std::to_string(attempts) + " of " + std::to_string(max_attempts) + " failed"};
  }
  return {kRetry, attempts, true,
          "attempt " + std::to_string(attempts) + " of " + std::to_string(max_attempts) + " failed: retry"};
}

}  // namespace sefleet::offcard::server

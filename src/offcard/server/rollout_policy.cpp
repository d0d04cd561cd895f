#include "offcard/server/rollout_policy.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "crypto/hash.hpp"

namespace sefleet::offcard::server {
namespace {

std::string rate_text(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", rate);
  return text;
}

}  // namespace

api::RolloutPlan plan_of(const CampaignRow& row) {
  api::RolloutPlan plan;
  plan.waves = nlohmann::json::parse(row.waves_json).get<std::vector<int>>();
  plan.max_failure_rate = row.max_failure_rate;
  plan.min_reports = row.min_reports;
  plan.max_unverified_rate = row.max_unverified_rate;
  return plan;
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

std::int64_t admitted_count(const api::RolloutPlan& plan, std::int64_t wave_index, std::int64_t target_count) {
  const auto index = static_cast<std::size_t>(
      std::clamp<std::int64_t>(wave_index, 0, static_cast<std::int64_t>(plan.waves.size()) - 1));
  // Integer ceiling: ceil(p × N / 100).
  return (static_cast<std::int64_t>(plan.waves[index]) * target_count + 99) / 100;
}

std::optional<std::string> pause_reason(const api::RolloutPlan& plan, std::int64_t wave_index,
                                        const WaveReports& wave) {
  const std::string in_wave = " in wave " + std::to_string(wave_index);
  if (wave.authenticated >= plan.min_reports && wave.authenticated > 0) {
    const double rate = static_cast<double>(wave.failures) / static_cast<double>(wave.authenticated);
    if (rate > plan.max_failure_rate) {
      return "failure rate " + rate_text(rate) + " > " + rate_text(plan.max_failure_rate) + in_wave + " (" +
             std::to_string(wave.authenticated) + " authenticated reports)";
    }
  }
  const std::int64_t all = wave.authenticated + wave.unverified;
  if (all >= plan.min_reports && all > 0) {
    const double rate = static_cast<double>(wave.unverified) / static_cast<double>(all);
    if (rate > plan.max_unverified_rate) {
      return "unverified report rate " + rate_text(rate) + " > " + rate_text(plan.max_unverified_rate) + in_wave +
             " (" + std::to_string(all) + " reports)";
    }
  }
  return std::nullopt;
}

}  // namespace sefleet::offcard::server

#include "offcard/server/report_policy.hpp"

#include <algorithm>

namespace sefleet::offcard::server {

using api::DeviceState;

PolicyDecision decide_authenticated(DeliveryOutcome outcome, std::int64_t attempts_before,
                                    const api::ReportPolicy& policy, std::string_view image) {
  switch (outcome) {
    case DeliveryOutcome::activated:
      return {DeviceState::updated, attempts_before, 0, std::nullopt, false, "image activated"};
    case DeliveryOutcome::verified_kept_staged:
      return {DeviceState::staged, attempts_before, 0, std::nullopt, false, "image verified and kept staged (preload)"};
    case DeliveryOutcome::manifest_refused:
      return {DeviceState::quarantined,
              attempts_before + 1,
              0,
              std::nullopt,
              true,
              "manifest refused for " + std::string(image) + ": not retried"};
    default:
      break;
  }
  const std::int64_t attempts = attempts_before + 1;
  const std::string what = std::string(api::name(outcome));
  if (attempts >= policy.max_attempts) {
    return {DeviceState::quarantined,
            attempts,
            0,
            std::nullopt,
            true,
            what + ": attempts exhausted (" + std::to_string(attempts) + " of " + std::to_string(policy.max_attempts) +
                " authenticated failures)"};
  }
  return {DeviceState::retry,
          attempts,
          0,
          std::nullopt,
          true,
          what + ": authenticated failure " + std::to_string(attempts) + " of " + std::to_string(policy.max_attempts) +
              ", retry with a fresh PAUT"};
}

std::int64_t unverified_backoff(const api::ReportPolicy& policy, std::int64_t unverified_attempts) {
  std::int64_t delay = std::max<std::int64_t>(0, policy.unverified_backoff);
  for (std::int64_t k = 1; k < unverified_attempts && delay < api::kMaxBackoffSeconds; ++k) delay *= 2;
  return std::min(delay, api::kMaxBackoffSeconds);
}

PolicyDecision decide_unverified(DeliveryOutcome outcome, std::int64_t attempts, std::int64_t unverified_before,
                                 const api::ReportPolicy& policy, std::int64_t now) {
  const std::int64_t unverified = unverified_before + 1;
  const std::string what = std::string(api::name(outcome)) + ", unverified";
  if (unverified >= policy.max_unverified_attempts) {
    return {DeviceState::unreachable,
            attempts,
            unverified,
            std::nullopt,
            false,
            what + ": " + std::to_string(unverified) + " unverified failures in a row (limit " +
                std::to_string(policy.max_unverified_attempts) + "): no authenticated answer from this SE"};
  }
  const std::int64_t delay = unverified_backoff(policy, unverified);
  return {DeviceState::retry,
          attempts,
          unverified,
          now + delay,
          false,
          what + ": unverified failure " + std::to_string(unverified) + " of " +
              std::to_string(policy.max_unverified_attempts) + ", next PAUT in " + std::to_string(delay) + " s"};
}

bool already_runs_campaign_image(const Assessment& assessment, ByteView campaign_datasend_sha256) {
  if (assessment.outcome != DeliveryOutcome::manifest_refused || !assessment.status) return false;
  const auto& active = assessment.status->active_sha256;
  return campaign_datasend_sha256.size() == active.size() &&
         std::equal(active.begin(), active.end(), campaign_datasend_sha256.begin());
}

}  // namespace sefleet::offcard::server

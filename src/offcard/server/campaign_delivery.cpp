// Authorizations and reports (docs/api.md "Authorization", "Reports"): a PAUT per SE
// through the keystore, then the SE's answers verified through the keystore and the policy applied.
#include <cstdint>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/report_assessment.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/json_input.hpp"
#include "offcard/server/rollout_policy.hpp"

namespace sefleet::offcard::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kAuthorizationLifetime = 15 * 60;
constexpr int kRetryAfterSeconds = 30;

SeAuthorizationRequest parse_request(const json& body) {
  SeAuthorizationRequest request;
  request.se_id = hex_field(body, "se_id", kMinSeIdSize, kMaxSeIdSize);
  request.kdd = hex_field(body, "kdd", kKddSize, kKddSize);
  request.kvn = static_cast<std::uint8_t>(integer_field(body, "kvn", 1, 255));
  request.i = static_cast<std::uint8_t>(integer_field(body, "i", 0, 255));
  request.sequence_counter = static_cast<std::uint32_t>(integer_field(body, "sequence_counter", 0, 0xFFFFFE));
  try {
    check_authorization_request(request);
  } catch (const Error& error) {
    throw ApiError(400, "invalid_field", error.what());
  }
  return request;
}

std::optional<iso7816::ResponseApdu> response_field(const json& body, const std::string& field) {
  auto bytes = optional_hex_field(body, field, 2, 65538);
  if (!bytes) return std::nullopt;
  return iso7816::ResponseApdu::parse(*bytes);
}

DeliveryReport parse_report(const json& body) {
  DeliveryReport report;
  report.total_commands = static_cast<std::size_t>(integer_field(body, "total_commands", 0, 1 << 24));
  report.commands_sent = static_cast<std::size_t>(integer_field(body, "commands_sent", 0, 1 << 24));
  if (report.commands_sent > report.total_commands) {
    throw invalid_field("commands_sent", "above total_commands");
  }
  report.initialize_update_response = response_field(body, "initialize_update_response");
  report.authorize_response = response_field(body, "authorize_response");
  if (auto index = optional_integer_field(body, "failed_index", 0, 1 << 24)) {
    report.failed_index = static_cast<std::size_t>(*index);
  }
  report.failed_sw = static_cast<std::uint16_t>(optional_integer_field(body, "failed_sw", 0, 0xFFFF).value_or(0));
  report.failure = optional_string_field(body, "failure").value_or("");
  if (report.failure.size() > 1000) throw invalid_field("failure", "at most 1000 characters");
  return report;
}

void move_state(CampaignRow& c, const std::string& from, const std::string& to) {
  const auto counter = [&c](const std::string& state) -> std::int64_t& {
    if (state == kPending) return c.n_pending;
    if (state == kAuthorized) return c.n_authorized;
    if (state == kUpdated) return c.n_updated;
    if (state == kStaged) return c.n_staged;
    if (state == kRetry) return c.n_retry;
    if (state == kQuarantined) return c.n_quarantined;
    throw Error(Errc::state_error, "unknown device state " + state);
  };
  if (from == to) return;
  --counter(from);
  ++counter(to);
}

}  // namespace

json CampaignService::authorize(const Caller& caller, const std::string& id, const json& body) {
  require_scope(caller, id);
  const SeAuthorizationRequest request = parse_request(body);
  const std::string se_id = lower_hex(request.se_id);
  const auto ctx = context(id);
  crypto::SystemRandom random;
  // Relaxed durability (docs/database.md): a full sync per authorization would cap the rate at the
  // disk's sync rate. A record lost to a power cut of the server's machine costs that SE a fresh PAUT:
  // its report is refused as unknown (404), the terminal asks again, and an SE that had activated the
  // image answers the new delivery with a refused manifest whose authenticated status names this
  // campaign's image, which the policy counts as updated (already_runs_campaign_image).
  return database_.run_relaxed([&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    apply_activation_time(repo, c, t);
    if (c.state == "cancelled") throw ApiError(409, "cancelled", "campaign " + id + " is cancelled");
    auto target = repo.find_target(id, se_id);
    if (!target) throw ApiError(409, "not_a_target", "SE " + se_id + " is not a target of campaign " + id);
    const bool preload = c.activation_mode == "deferred" && !c.activated;
    if (target->state == kUpdated) throw ApiError(409, "already_updated", "SE " + se_id + " is already updated");
    if (target->state == kStaged && preload) {
      throw ApiError(409, "already_updated", "SE " + se_id + " is preloaded; it waits for the activation");
    }
    if (target->state == kQuarantined) {
      if (target->attempts >= c.max_attempts) {
        throw ApiError(409, "attempts_exhausted", "SE " + se_id + " failed " + std::to_string(target->attempts) +
                                                      " times and is quarantined");
      }
      throw ApiError(409, "quarantined", "SE " + se_id + " is quarantined");
    }
    if (c.state == "paused") {
      throw ApiError(409, "paused", "campaign " + id + " is paused: " + c.pause_reason.value_or(""), kRetryAfterSeconds);
    }
    // A completed campaign has only final targets: the checks above already said which; this is a guard.
    if (c.state == "completed") throw ApiError(409, "cancelled", "campaign " + id + " is completed");
    if (target->rank >= admitted_count(plan_of(c), c.current_wave, c.target_count)) {
      throw ApiError(409, "not_in_wave", "SE " + se_id + " is not in wave " + std::to_string(c.current_wave) + " yet",
                     kRetryAfterSeconds);
    }
    const auto action = preload ? gp::broadcast::Action::verify_only : gp::broadcast::Action::verify_and_activate;
    const gp::broadcast::Paut paut = ctx->issuer->issue(request, action);

    AuthorizationRow a;
    a.id = lower_hex(random.bytes(16));
    a.campaign_id = id;
    a.se_id = se_id;
    if (!caller.admin) a.token_id = caller.token_id;
    a.action = preload ? "preload" : "activate";
    a.issued_at = t;
    a.expires_at = t + kAuthorizationLifetime;
    a.kdd = lower_hex(request.kdd);
    a.kvn = request.kvn;
    a.scp_i = request.i;
    a.sequence_counter = request.sequence_counter;
    a.paut = serialize_paut_file(PautFile{request.se_id, paut});
    repo.insert_authorization(a);

    const std::string previous = target->state;
    move_state(c, target->state, kAuthorized);
    target->state = kAuthorized;
    target->updated_at = t;
    repo.save_target(*target);
    repo.save_campaign_state(c);
    repo.add_event(id, t, se_id, "authorization", std::nullopt,
                   a.action + " PAUT " + a.id + " (was " + previous + ", " + std::to_string(target->attempts) +
                       " failed attempts)");
    if (previous != kAuthorized) sample_timeline(repo, c, t);

    json commands = json::array();
    for (const auto& command : paut.commands) commands.push_back(lower_hex(command.encode()));
    return json{{"authorization_id", a.id}, {"action", a.action}, {"paut", commands}, {"expires_at", a.expires_at}};
  });
}

json CampaignService::report(const Caller& caller, const std::string& id, const json& body) {
  require_scope(caller, id);
  const std::string authorization_id = lower_hex(hex_field(body, "authorization_id", 16, 16));
  const std::string se_id = lower_hex(hex_field(body, "se_id", kMinSeIdSize, kMaxSeIdSize));
  const DeliveryReport delivery = parse_report(body);
  // The same report is the same JSON object (key order and spacing do not matter: dump() sorts keys).
  const std::string request_hash = lower_hex(crypto::sha256(bytes_of(body.dump())));

  // Looks the authorization up; answers a resent report from what was stored.
  const auto check_authorization = [&](Repository& repo) -> std::optional<json> {
    auto a = repo.find_authorization(authorization_id);
    if (!a) throw ApiError(404, "not_found", "no authorization " + authorization_id);
    if (a->campaign_id != id || a->se_id != se_id || (!caller.admin && a->token_id != caller.token_id)) {
      throw ApiError(403, "forbidden", "authorization " + authorization_id + " was not issued to this token for SE " +
                                           se_id + " in campaign " + id);
    }
    if (auto stored = repo.find_report(authorization_id)) {
      if (stored->request_hash != request_hash) {
        throw ApiError(409, "report_conflict",
                       "authorization " + authorization_id + " already has a different report");
      }
      json answer = json::parse(stored->answer_json);
      answer["duplicate"] = true;
      return answer;
    }
    return std::nullopt;
  };

  auto authorization = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    auto duplicate = check_authorization(repo);
    return std::make_pair(duplicate, repo.find_authorization(authorization_id));
  });
  if (authorization.first) return *authorization.first;
  const AuthorizationRow& a = *authorization.second;

  // Verification through the HSM, outside the transaction (it derives keys, the database waits not).
  const auto ctx = context(id);
  SeAuthorizationRequest request;
  request.se_id = from_hex(a.se_id);
  request.kdd = from_hex(a.kdd);
  request.kvn = static_cast<std::uint8_t>(a.kvn);
  request.i = static_cast<std::uint8_t>(a.scp_i);
  request.sequence_counter = static_cast<std::uint32_t>(a.sequence_counter);
  const gp::broadcast::PautCheck check = parse_paut_file(a.paut).paut.check;
  const Assessment assessment = assess_delivery(keystore_, ctx->master, request, check, delivery);
  const std::string outcome(outcome_name(assessment.outcome));

  return database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    if (auto duplicate = check_authorization(repo)) return *duplicate;  // a concurrent resend won the race
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    auto target = repo.find_target(id, se_id);
    if (!target) throw Error(Errc::state_error, "authorization " + authorization_id + " for a non-target SE");

    PolicyDecision decision;
    bool counted = true;
    const bool final_state = target->state == kUpdated || target->state == kQuarantined;
    if (assessment.outcome == DeliveryOutcome::activated && target->state != kUpdated) {
      decision = decide(assessment.outcome, target->attempts, c.max_attempts);
    } else if (final_state) {
      // A late report for an SE already decided changes nothing (counted once: the policy acts on the first).
      decision = PolicyDecision{target->state, target->attempts, false,
                                "SE already " + target->state + "; report of a superseded PAUT recorded only"};
      counted = false;
    } else if (already_runs_campaign_image(assessment, ctx->datasend_sha256)) {
      decision = PolicyDecision{kUpdated, target->attempts, false,
                                "the SE already runs this campaign's image (authenticated status)"};
    } else {
      decision = decide(assessment.outcome, target->attempts, c.max_attempts);
    }
    const std::string reason = assessment.reason.empty() ? decision.reason : decision.reason + " (" + assessment.reason + ")";
    if (counted) {
      move_state(c, target->state, decision.state);
      target->state = decision.state;
      target->attempts = decision.attempts;
      target->updated_at = t;
      repo.save_target(*target);
      ++c.wave_reports;
      if (decision.failure) ++c.wave_failures;
    }
    if (assessment.status && assessment.status->active_version != 0) {
      repo.upsert_image(se_id, ImageRow{ctx->image_type, assessment.status->active_version,
                                        lower_hex(assessment.status->active_sha256), id, t});
    }
    json answer{{"outcome", outcome}, {"decision", decision.state}, {"attempts", decision.attempts}};
    repo.insert_report(ReportRow{authorization_id, id, se_id, request_hash, answer.dump(), outcome, decision.state,
                                 reason, t});
    repo.add_event(id, t, se_id, "report", decision.state, outcome + ": " + reason);
    if (counted) {
      advance_rollout(repo, c, t);
      if (c.state == "active") {
        if (auto pause = failure_pause_reason(plan_of(c), c.current_wave, c.wave_reports, c.wave_failures)) {
          c.state = "paused";
          c.pause_reason = *pause;
          repo.add_event(id, t, std::nullopt, "paused", std::nullopt, "automatic pause: " + *pause);
        }
      }
      repo.save_campaign_state(c);
      sample_timeline(repo, c, t);
    }
    answer["duplicate"] = false;
    return answer;
  });
}

}  // namespace sefleet::offcard::server

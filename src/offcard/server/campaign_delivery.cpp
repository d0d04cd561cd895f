// Authorizations and reports (docs/api.md "Authorization", "Reports"): a PAUT per SE
// through the keystore, then the SE's answers verified through the keystore and the report policy
// (report_policy.hpp) and rollout rules (rollout_policy.hpp) applied.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/online_session_state.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/report_assessment.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/authorization_issue.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/report_policy.hpp"
#include "offcard/server/rollout_policy.hpp"

namespace sefleet::offcard::server {
namespace {

using api::CampaignState;
using api::DeviceState;
using api::lower_hex;

constexpr std::int64_t kAuthorizationLifetime = 15 * 60;
// How soon a terminal asks again for an SE that waits for its wave or for a paused campaign. A terminal
// that finishes one of its own SEs asks again at once (its report may have started the next wave).
constexpr int kRetryAfterSeconds = 30;

// What a refused manifest was refused for, in the report's reason.
std::string image_text(const api::ImageInfo& image) {
  char version[16];
  std::snprintf(version, sizeof version, "0x%08llx", static_cast<unsigned long long>(image.version));
  return "platform " + image.platform + " (" + image.type + " image \"" + image.name + "\", version " + version + ")";
}

ApiError refusal(api::Refusal reason, const std::string& message, std::optional<std::string> detail = std::nullopt,
                 std::optional<int> retry_after = std::nullopt) {
  return ApiError(409, std::string(api::name(reason)), message, retry_after, std::move(detail));
}

std::optional<std::string> reason_of(const TargetRow& target) {
  if (target.reason.empty()) return std::nullopt;
  return target.reason;
}

}  // namespace

bool CampaignService::preloads(const CampaignRow& c) {
  return c.activation_mode == api::ActivationMode::deferred && !c.activated;
}

TargetRow CampaignService::admit(Repository& repo, CampaignRow& c, const std::string& se_id, std::int64_t t) {
  using api::Refusal;
  const std::string& id = c.id;
  apply_activation_time(repo, c, t);
  if (c.state == CampaignState::cancelled) throw refusal(Refusal::cancelled, "campaign " + id + " is cancelled");
  auto target = repo.find_target(id, se_id);
  if (!target) throw refusal(Refusal::not_a_target, "SE " + se_id + " is not a target of campaign " + id);
  const bool preload = preloads(c);
  if (target->state == DeviceState::updated) {
    throw refusal(Refusal::already_updated, "SE " + se_id + " is already updated", reason_of(*target));
  }
  if (target->state == DeviceState::staged && preload) {
    throw refusal(Refusal::already_updated, "SE " + se_id + " is preloaded; it waits for the activation",
                  reason_of(*target));
  }
  if (target->state == DeviceState::quarantined) {
    if (target->attempts >= c.policy.max_attempts) {
      throw refusal(Refusal::attempts_exhausted,
                    "SE " + se_id + " failed " + std::to_string(target->attempts) + " times and is quarantined",
                    reason_of(*target));
    }
    throw refusal(Refusal::quarantined, "SE " + se_id + " is quarantined", reason_of(*target));
  }
  if (target->state == DeviceState::unreachable) {
    throw refusal(
        Refusal::unreachable,
        "SE " + se_id + " is unreachable (an operator may release it: POST /v1/devices/" + se_id + "/release)",
        reason_of(*target));
  }
  if (c.state == CampaignState::paused) {
    throw refusal(Refusal::paused, "campaign " + id + " is paused: " + c.pause_reason.value_or(""), c.pause_reason,
                  kRetryAfterSeconds);
  }
  // A completed campaign has only final targets: the checks above already said which; this is a guard.
  if (c.state == CampaignState::completed) throw refusal(Refusal::cancelled, "campaign " + id + " is completed");
  const api::RolloutPlan plan = plan_of(c);
  const std::int64_t admitted = admitted_count(plan, c.current_wave, c.target_count);
  if (target->rank >= admitted) {
    throw refusal(Refusal::not_in_wave, "SE " + se_id + " is not in wave " + std::to_string(c.current_wave) + " yet",
                  "wave " + std::to_string(c.current_wave) + " admits " + std::to_string(admitted) + " of " +
                      std::to_string(c.target_count) + " targets",
                  kRetryAfterSeconds);
  }
  if (target->retry_at && t < *target->retry_at) {
    throw refusal(Refusal::backoff,
                  "SE " + se_id + ": no PAUT before " + std::to_string(*target->retry_at) +
                      " (back-off after an unverified failure)",
                  reason_of(*target), static_cast<int>(*target->retry_at - t));
  }
  return *target;
}

AuthorizationRow CampaignService::new_authorization(const Caller& caller, const std::string& id,
                                                    const std::string& se_id, bool preload, std::int64_t t) {
  AuthorizationRow a;
  a.id = lower_hex(crypto::SystemRandom().bytes(api::kAuthorizationIdSize));
  a.campaign_id = id;
  a.se_id = se_id;
  if (!caller.admin) a.token_id = caller.token_id;
  a.action = preload ? api::PautAction::preload : api::PautAction::activate;
  a.issued_at = t;
  a.expires_at = t + kAuthorizationLifetime;
  return a;
}

void CampaignService::record_authorization(Repository& repo, CampaignRow& c, TargetRow& target,
                                           const AuthorizationRow& a) {
  repo.insert_authorization(a);

  const DeviceState previous = target.state;
  move_state(c, target.state, DeviceState::authorized);
  target.state = DeviceState::authorized;
  target.last_authorization = a.id;
  target.updated_at = a.issued_at;
  repo.save_target(target);
  // A fresh PAUT for an SE already authorized changes no counter of the campaign: no write of its row.
  if (previous != DeviceState::authorized) repo.save_campaign_state(c);
  repo.add_event(a.campaign_id, a.issued_at, a.se_id, "authorization", std::nullopt,
                 std::string(api::name(a.action)) + " PAUT " + a.id + " (was " + std::string(api::name(previous)) +
                     ", " + std::to_string(target.attempts) + " authenticated and " +
                     std::to_string(target.unverified_attempts) + " unverified failures)");
  if (previous != DeviceState::authorized) sample_timeline(repo, c, a.issued_at);
}

template <typename Then>
auto CampaignService::authorize_then(const Caller& caller, const std::string& id, const SeAuthorizationRequest& request,
                                     Then&& then) {
  require_scope(caller, id);
  const std::string se_id = lower_hex(request.se_id);
  const auto ctx = context(id);
  // The PAUT and its stored file: the keystore's work, the larger part of an authorization.
  struct IssuedPaut {
    gp::broadcast::Paut paut;
    Bytes file;
  };
  const auto issue = [&](gp::broadcast::Action action) {
    IssuedPaut issued{ctx->issuer->issue(request, action), {}};
    issued.file = serialize_paut_file(PautFile{request.se_id, issued.paut});
    return issued;
  };
  // Before the write transaction for an immediate campaign, inside it for a deferred one.
  AuthorizationIssue<IssuedPaut> issued_paut(ctx->activation_mode, issue);
  // Relaxed durability (docs/database.md): a full sync per authorization would cap the rate at the
  // disk's sync rate. A record lost to a power cut of the server's machine costs that SE a fresh PAUT:
  // its report is refused as unknown (404), the terminal asks again, and an SE that had activated the
  // image answers the new delivery with a refused manifest whose authenticated status names this
  // campaign's image, which the policy counts as updated (already_runs_campaign_image). The write
  // shares its commit with the authorizations and reports queued with it (group commit; full when a
  // report is among them); a refusal of this one leaves theirs alone, and the grant is returned only
  // once the shared commit is done.
  const auto write = [&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    auto target = admit(repo, c, se_id, t);
    const bool preload = preloads(c);
    const IssuedPaut& issued = issued_paut.in_transaction(preload);
    const gp::broadcast::Paut& paut = issued.paut;

    AuthorizationRow a = new_authorization(caller, id, se_id, preload, t);
    a.kdd = lower_hex(request.kdd);
    a.kvn = request.kvn;
    a.scp_i = request.i;
    a.sequence_counter = request.sequence_counter;
    a.paut = issued.file;
    record_authorization(repo, c, target, a);

    api::AuthorizationGrant grant;
    grant.authorization_id = a.id;
    grant.action = a.action;
    for (std::size_t k = 0; k < grant.paut.size(); ++k) grant.paut[k] = paut.commands[k].encode();
    grant.expires_at = a.expires_at;
    return grant;
  };
  return then(write);
}

api::AuthorizationGrant CampaignService::authorize(const Caller& caller, const std::string& id,
                                                   const SeAuthorizationRequest& request) {
  return authorize_then(caller, id, request,
                        [&](const auto& write) { return grouped_writes_.run(db::Durability::relaxed, write); });
}

template <typename Then>
auto CampaignService::report_then(const Caller& caller, const std::string& id, const api::ReportRequest& request,
                                  Then&& then) {
  require_scope(caller, id);
  const std::string& authorization_id = request.authorization_id;
  const std::string se_id = lower_hex(request.se_id);
  // The same report is the same typed request: its canonical JSON (sorted keys, lower-case hex),
  // without the next SE's authorization request it may carry, which is not part of the report.
  nlohmann::json canonical = api::to_json(request);
  canonical.erase("next_authorization");
  const std::string request_hash = lower_hex(crypto::sha256(bytes_of(canonical.dump())));

  // The authorization, refused (404/403) when it is not this token's for this SE and campaign.
  const auto require_authorization = [&](Repository& repo) {
    auto a = repo.find_authorization(authorization_id);
    if (!a) throw ApiError(404, "not_found", "no authorization " + authorization_id);
    if (a->campaign_id != id || a->se_id != se_id || (!caller.admin && a->token_id != caller.token_id)) {
      throw ApiError(
          403, "forbidden",
          "authorization " + authorization_id + " was not issued to this token for SE " + se_id + " in campaign " + id);
    }
    return std::move(*a);
  };
  // A resent report is answered from what was stored. A different report is refused only after an
  // authenticated one: an unverified report (anyone with the token could have made it up) never stands
  // in the way of the SE's own answer.
  const auto answer_if_resent = [&](const std::vector<ReportRow>& stored) -> std::optional<api::ReportAnswer> {
    for (const auto& report : stored) {
      if (report.request_hash != request_hash) continue;
      api::ReportAnswer answer = api::read_report_answer(nlohmann::json::parse(report.answer_json));
      answer.duplicate = true;
      return answer;
    }
    for (const auto& report : stored) {
      if (report.evidence == api::Evidence::authenticated) {
        throw ApiError(409, "report_conflict",
                       "authorization " + authorization_id + " already has a different, authenticated report");
      }
    }
    return std::nullopt;
  };

  // One write transaction: the authorization looked up, a resent report answered from what was stored,
  // the report verified and the decision recorded. The verification (an unwrap or a key derivation
  // and a few MACs in the keystore) is short next to a transaction of its own, which would read the
  // same rows again. Its result depends on the stored authorization only, which never changes: a
  // retried transaction reuses it.
  std::optional<Assessment> assessed;
  const auto assess = [&](const AuthorizationRow& a, const CampaignContext& ctx) {
    // The protocol the authorization ran decides how its report is verified.
    if (scp11_protocol_variant(a.protocol)) {
      if (!a.online_check) throw Error(Errc::state_error, "authorization " + authorization_id + " has no online check");
      const OnlineCheck check = open_online_check(keystore_, require_online().session_kek, *a.online_check,
                                                  online_check_binding(id, authorization_id));
      return assess_online_delivery(check, request.delivery);
    }
    if (a.protocol != kProtocolScp03Paut && a.protocol != kProtocolScp03Online) {
      throw Error(Errc::state_error,
                  "authorization " + authorization_id + " was issued by protocol '" + a.protocol + "', unknown here");
    }
    SeAuthorizationRequest identity;
    identity.se_id = from_hex(a.se_id);
    identity.kdd = from_hex(a.kdd);
    identity.kvn = static_cast<std::uint8_t>(a.kvn);
    identity.i = static_cast<std::uint8_t>(a.scp_i);
    identity.sequence_counter = static_cast<std::uint32_t>(a.sequence_counter);
    const gp::broadcast::PautCheck check = parse_paut_file(a.paut).paut.check;
    return assess_delivery(keystore_, ctx.master, identity, check, request.delivery);
  };

  // Full durability: the server answers a report only once it is on stable storage. The write shares
  // its commit (and the commit's sync) with the reports and authorizations queued with it (group
  // commit); a refusal of this one leaves theirs alone.
  const auto write = [&](db::Transaction& tx) {
    Repository repo(tx);
    const AuthorizationRow a = require_authorization(repo);
    const std::vector<ReportRow> stored = repo.reports_of(authorization_id);
    if (auto duplicate = answer_if_resent(stored)) return *duplicate;
    CampaignRow c = require_campaign(repo, id);
    const auto ctx = context(c);  // from the row just read: no transaction of its own
    if (!assessed) assessed = assess(a, *ctx);
    const Assessment& assessment = *assessed;
    const api::Evidence evidence = assessment.authenticated ? api::Evidence::authenticated : api::Evidence::unverified;
    const std::int64_t t = now();
    auto target = repo.find_target(id, se_id);
    if (!target) throw Error(Errc::state_error, "authorization " + authorization_id + " for a non-target SE");

    // What stays when a report is recorded only.
    PolicyDecision decision{target->state, target->attempts, target->unverified_attempts, target->retry_at, false, ""};
    bool counted = false;
    if (assessment.authenticated) {
      if (assessment.outcome == DeliveryOutcome::activated && target->state != DeviceState::updated) {
        decision = decide_authenticated(assessment.outcome, target->attempts, c.policy, image_text(ctx->image));
        counted = true;
      } else if (api::is_final(target->state)) {
        // A late report for an SE already decided changes nothing (counted once: the first report decides).
        decision.reason =
            "SE already " + std::string(api::name(target->state)) + "; report of a superseded PAUT recorded only";
      } else if (already_runs_campaign_image(assessment, ctx->datasend_sha256)) {
        decision = PolicyDecision{DeviceState::updated,
                                  target->attempts,
                                  0,
                                  std::nullopt,
                                  false,
                                  "the SE already runs this campaign's image (authenticated status)"};
        counted = true;
      } else {
        decision = decide_authenticated(assessment.outcome, target->attempts, c.policy, image_text(ctx->image));
        counted = true;
      }
    } else {
      // One unverified failure per PAUT at most, and only for the SE's newest PAUT: a terminal token
      // cannot multiply them by resending variants or by reporting old PAUTs.
      bool counted_before = false;
      for (const auto& report : stored) counted_before = counted_before || report.counted;
      const bool newest = !target->last_authorization || *target->last_authorization == authorization_id;
      if (api::is_final(target->state)) {
        decision.reason = "unverified report recorded only: the SE is already " + std::string(api::name(target->state));
      } else if (!newest) {
        decision.reason = "unverified report recorded only: a newer PAUT superseded this one";
      } else if (counted_before) {
        decision.reason = "unverified report recorded only: this PAUT already has a counted report";
      } else {
        decision = decide_unverified(assessment.outcome, target->attempts, target->unverified_attempts, c.policy, t);
        counted = true;
      }
    }
    const std::string reason =
        assessment.reason.empty() ? decision.reason : decision.reason + " (" + assessment.reason + ")";
    if (counted) {
      move_state(c, target->state, decision.state);
      target->state = decision.state;
      target->attempts = decision.attempts;
      target->unverified_attempts = decision.unverified_attempts;
      target->retry_at = decision.retry_at;
      target->reason = reason;
      target->updated_at = t;
      repo.save_target(*target);
      if (assessment.authenticated) {
        ++c.wave_reports;
        if (decision.failure) ++c.wave_failures;
      } else {
        ++c.wave_unverified;
      }
    }
    if (assessment.status && assessment.status->active_version != 0) {
      repo.upsert_image(se_id, ImageRow{ctx->image.type, assessment.status->active_version,
                                        lower_hex(assessment.status->active_sha256), id, t});
    }
    api::ReportAnswer answer{assessment.outcome,
                             evidence,
                             decision.state,
                             decision.attempts,
                             decision.unverified_attempts,
                             decision.retry_at,
                             counted,
                             reason,
                             false,
                             std::nullopt,
                             std::nullopt};
    repo.insert_report(ReportRow{authorization_id, id, se_id, request_hash, api::to_json(answer).dump(),
                                 assessment.outcome, evidence, counted, decision.state, reason, t});
    repo.add_event(
        id, t, se_id, "report", decision.state,
        std::string(api::name(assessment.outcome)) + " (" + std::string(api::name(evidence)) + "): " + reason);
    if (counted) {
      advance_rollout(repo, c, t);
      check_wave_thresholds(repo, c, t);
      repo.save_campaign_state(c);
      sample_timeline(repo, c, t);
    }
    return answer;
  };
  return then(write);
}

api::ReportAnswer CampaignService::report(const Caller& caller, const std::string& id,
                                          const api::ReportRequest& request) {
  return report_then(caller, id, request,
                     [&](const auto& write) { return grouped_writes_.run(db::Durability::full, write); });
}

CampaignService::ReportAndNext CampaignService::report_and_authorize(const Caller& caller, const std::string& id,
                                                                     const api::ReportRequest& request,
                                                                     const SeAuthorizationRequest& next) {
  ReportAndNext out;
  report_then(caller, id, request, [&](const auto& report_write) {
    bool submitted = false;
    try {
      // The authorization's own checks before its write (scope, campaign, an immediate campaign's
      // PAUT) may refuse it: the report then runs alone.
      authorize_then(caller, id, next, [&](const auto& authorize_write) {
        std::optional<api::ReportAnswer> answer;
        std::optional<api::AuthorizationGrant> grant;
        bool reported = false;  // in this attempt of the batch (a retried batch runs both again)
        const auto report_member = [&](db::Transaction& tx) {
          reported = false;
          answer.emplace(report_write(tx));
          reported = true;
        };
        // After a refused report, no authorization is recorded: its error is never shown.
        const auto authorize_member = [&](db::Transaction& tx) {
          if (!reported) throw Error(Errc::state_error, "the report before this authorization was refused");
          grant.emplace(authorize_write(tx));
        };
        submitted = true;
        const auto errors = grouped_writes_.run_together(
            {{db::Durability::full, report_member}, {db::Durability::relaxed, authorize_member}});
        if (errors[0]) std::rethrow_exception(errors[0]);
        out.answer = std::move(*answer);
        if (errors[1]) {
          out.refused = errors[1];
        } else {
          out.grant = std::move(*grant);
        }
        return 0;
      });
    } catch (...) {
      if (submitted) throw;  // the report's refusal or the transaction's failure
      out.refused = std::current_exception();
      out.answer = grouped_writes_.run(db::Durability::full, report_write);
    }
    return 0;
  });
  return out;
}

}  // namespace sefleet::offcard::server

#include "offcard/terminal/agent.hpp"

#include <exception>
#include <utility>

#include "core/error.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/api/json_reader.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/terminal/scheduler.hpp"

namespace sefleet::offcard::terminal {

using api::DeviceState;
using api::Refusal;

std::string_view status_name(SeStatus status) noexcept {
  switch (status) {
    case SeStatus::updated:
      return "updated";
    case SeStatus::staged:
      return "staged";
    case SeStatus::already_updated:
      return "already_updated";
    case SeStatus::quarantined:
      return "quarantined";
    case SeStatus::unreachable:
      return "unreachable";
    case SeStatus::retry:
      return "retry";
    case SeStatus::not_in_wave:
      return "not_in_wave";
    case SeStatus::paused:
      return "paused";
    case SeStatus::backoff:
      return "backoff";
    case SeStatus::cancelled:
      return "cancelled";
    case SeStatus::not_a_target:
      return "not_a_target";
    case SeStatus::error:
      return "error";
  }
  return "unknown";
}

std::string_view mode_name(AuthorizationMode mode) noexcept {
  switch (mode) {
    case AuthorizationMode::automatic:
      return "auto";
    case AuthorizationMode::offline:
      return "offline";
    case AuthorizationMode::online:
      return "online";
  }
  return "unknown";
}

std::string AttemptRecord::label() const {
  if (refusal) return "refused:" + std::string(api::name(*refusal));
  if (decision) return std::string(api::name(*decision));
  return error ? "error" : "";
}

std::string SeResult::final_line() const {
  std::string line(status_name(status));
  if (!reason.empty()) line += ": " + reason;
  return line;
}

Agent::Agent(ApiClient& client, AgentOptions options, std::chrono::steady_clock::time_point started)
    : client_(client), options_(std::move(options)), started_(started) {
  if (options_.campaign_id.empty()) throw Error(Errc::invalid_argument, "agent: no campaign id");
  if (options_.max_attempts_per_se == 0) options_.max_attempts_per_se = 1;
}

double Agent::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Agent::prepare() {
  campaign_ = client_.campaign(options_.campaign_id);
  if (campaign_.state == api::CampaignState::cancelled) {
    throw Error(Errc::state_error, "campaign " + campaign_.id + " is cancelled");
  }
  const auto path = client_.download_pse(campaign_, options_.cache_dir);
  pse_ = load_pse_file(path);  // every command parsed and checked (package_format.hpp)
  if (pse_.commands.size() != static_cast<std::size_t>(campaign_.pse.commands)) {
    throw Error(Errc::integrity_error, "PSE of campaign " + campaign_.id + " has " +
                                           std::to_string(pse_.commands.size()) + " commands, the campaign says " +
                                           std::to_string(campaign_.pse.commands));
  }
  if (campaign_.pmob) pmob_ = client_.download_pmob(campaign_);
  prepared_ = true;
}

Step Agent::finish(SeResult& result, SeStatus status, std::string reason) const {
  result.status = status;
  result.reason = std::move(reason);
  result.finished = elapsed();
  return Step{Step::Next::done, std::chrono::seconds(0), false};
}

Step Agent::refused(SeResult& result, AttemptRecord record, const AuthorizationRefusal& refusal) {
  record.refusal = refusal.reason;
  record.failure = refusal.message;
  record.seconds = elapsed() - record.started;
  result.history.push_back(record);
  const std::string why = refusal.detail.value_or(refusal.message);
  switch (refusal.reason) {
    case Refusal::already_updated:
      return finish(result, SeStatus::already_updated, why);
    case Refusal::quarantined:
    case Refusal::attempts_exhausted:
      return finish(result, SeStatus::quarantined, why);
    case Refusal::unreachable:
      return finish(result, SeStatus::unreachable, why);
    case Refusal::cancelled:
      return finish(result, SeStatus::cancelled, why);
    case Refusal::not_a_target:
      return finish(result, SeStatus::not_a_target, why);
    case Refusal::not_in_wave:
    case Refusal::paused:
    case Refusal::backoff:
      break;
  }
  const SeStatus held = refusal.reason == Refusal::not_in_wave ? SeStatus::not_in_wave
                        : refusal.reason == Refusal::paused    ? SeStatus::paused
                                                               : SeStatus::backoff;
  // Waiting helps only when the server says so (Retry-After); without it the refusal is the answer.
  if (!refusal.retry_after) return finish(result, held, why);
  result.status = held;
  result.reason = why;
  return Step{Step::Next::wait, *refusal.retry_after, refusal.reason == Refusal::not_in_wave};
}

Step Agent::step(SeEndpoint& se, SeResult& result) {
  return step(se, result, options_.next_se);
}

Step Agent::step(SeEndpoint& se, SeResult& result, const std::function<SeEndpoint*()>& next_se) {
  if (result.endpoint.empty()) {
    result.endpoint = se.name();
    result.started = elapsed();
  }
  if (!prepared_) return finish(result, SeStatus::error, "agent not prepared (call prepare() first)");
  std::size_t used = 0;  // deliveries and errors of this run (refusals cost nothing)
  for (const auto& earlier : result.history) used += earlier.refusal ? 0 : 1;

  AttemptRecord record;
  record.started = elapsed();
  try {
    transport::CardChannel& channel = se.connect();
    const SeAuthorizationRequest request = read_se_identity(channel, gp::isd_aid());
    result.se_id = api::lower_hex(request.se_id);
    const std::string name = se.name();
    std::optional<AuthorizationRefusal> refusal;
    std::optional<api::ReportRequest> delivered;
    // A grant for exactly this identity came with the previous SE's report: the SE was found to go
    // offline when it was asked for, moments ago, so its offers are not read again.
    const bool prefetched = prefetched_ && prefetched_->identity == request;
    const std::vector<OnlineOffer> offers = prefetched ? std::vector<OnlineOffer>{} : online_offers(channel);
    // No PAUT can be computed for a random card challenge: such an SE goes online over SCP03.
    const bool random_challenge = offers.empty() && (request.i & gp::iparam::kPseudoRandomChallenge) == 0 &&
                                  options_.mode != AuthorizationMode::offline && !sessions_unavailable_;
    if (!offers.empty() || random_challenge) {
      record.online = true;
      try {
        delivered = !offers.empty() ? deliver_online(channel, request, offers, name, refusal, record)
                                    : deliver_online_scp03(channel, request, name, refusal);
      } catch (const ApiError& e) {
        // A server without sessions: automatic mode falls back to the offline PAUT for this and the next
        // SEs; without a variant this SE offers (SCP11a/c only, no OCE key there): for this SE.
        const bool no_sessions = e.reason() == "online_unavailable";
        if ((!no_sessions && e.reason() != "no_common_variant") || options_.mode == AuthorizationMode::online) throw;
        sessions_unavailable_ = sessions_unavailable_ || no_sessions;
        record.online = false;
        record.variant.reset();
      }
    } else if (options_.mode == AuthorizationMode::online) {
      return finish(result, SeStatus::error,
                    "SE " + result.se_id +
                        " offers no SCP11 key with a certificate chain and its SCP03 challenge is "
                        "pseudo-random (online mode)");
    }
    if (!record.online) delivered = deliver_offline(channel, request, name, refusal, record);
    if (refusal) return refused(result, std::move(record), *refusal);
    api::ReportRequest& report = *delivered;
    report.next_authorization = next_authorization_request(se, next_se);
    ++result.attempts;
    record.commands_sent = report.delivery.commands_sent;
    record.total_commands = report.delivery.total_commands;
    record.failure = report.delivery.failure;
    // The report goes out whatever happened: the server decides, and an interrupted delivery counts
    // as a failure there (so a retry gets a fresh PAUT).
    const api::ReportAnswer decision = client_.report(campaign_.id, report);
    // A refused next authorization is not kept: that SE's own step asks again and acts on the
    // refusal it then gets, as without the grant.
    prefetched_.reset();
    if (report.next_authorization && decision.next_authorization) {
      prefetched_ =
          PrefetchedGrant{*report.next_authorization, *decision.next_authorization, std::chrono::steady_clock::now()};
    }
    record.outcome = decision.outcome;
    record.evidence = decision.evidence;
    record.decision = decision.decision;
    record.seconds = elapsed() - record.started;
    result.history.push_back(record);
    result.outcome = decision.outcome;
    switch (decision.decision) {
      case DeviceState::updated:
        return finish(result, SeStatus::updated, decision.reason);
      case DeviceState::staged:
        return finish(result, SeStatus::staged, decision.reason);
      case DeviceState::quarantined:
        return finish(result, SeStatus::quarantined, decision.reason);
      case DeviceState::unreachable:
        return finish(result, SeStatus::unreachable, decision.reason);
      case DeviceState::pending:
      case DeviceState::authorized:
      case DeviceState::retry:
        break;
    }
    if (used + 1 >= options_.max_attempts_per_se) {
      return finish(result, SeStatus::retry,
                    decision.reason + "; " + std::to_string(options_.max_attempts_per_se) + " attempt(s) in this run");
    }
    // After an unverified failure the next authorization answers `backoff` with the time to wait.
    return Step{Step::Next::again, std::chrono::seconds(0), false};
  } catch (const std::exception& e) {
    // The SE or the server could not be reached (after the client's own retries): this attempt is
    // lost, the SE keeps its old image (nothing activates without AUTHORIZE ACTION).
    record.error = true;
    record.failure = e.what();
    record.seconds = elapsed() - record.started;
    result.history.push_back(record);
    if (used + 1 >= options_.max_attempts_per_se) return finish(result, SeStatus::error, e.what());
    return Step{Step::Next::again, std::chrono::seconds(0), false};
  }
}

std::vector<OnlineOffer> Agent::online_offers(transport::CardChannel& channel) const {
  if (options_.mode == AuthorizationMode::offline) return {};
  if (sessions_unavailable_ && options_.mode == AuthorizationMode::automatic) return {};
  return read_scp11_offers(channel);
}

std::optional<api::ReportRequest> Agent::deliver_online(transport::CardChannel& channel,
                                                        const SeAuthorizationRequest& se,
                                                        const std::vector<OnlineOffer>& offers, const std::string& name,
                                                        std::optional<AuthorizationRefusal>& refusal,
                                                        AttemptRecord& record) {
  const auto progress = [&](std::size_t sent, std::size_t total) {
    if (options_.progress) options_.progress(name, sent, total);
  };
  const api::SessionStart started = client_.start_session(campaign_.id, online_session_request(se.se_id, offers));
  record.variant = started.variant.value_or(gp::scp11::Variant::b);  // older servers ran SCP11b only
  api::ReportRequest report;
  report.se_id = se.se_id;
  report.delivery = begin_online_delivery(channel, gp::isd_aid(), started.commands, pse_.commands.size(), progress);
  if (!report.delivery.authenticate_response || !report.delivery.authenticate_response->ok()) {
    // No session (the SE refused the OCE chain or the authenticate command): the server has no
    // authorization to report against; the SE's refusal is the failure.
    throw Error(Errc::protocol_error, "SE " + api::lower_hex(se.se_id) + ": online session setup failed: " +
                                          (report.delivery.failure.empty() ? "no answer" : report.delivery.failure));
  }
  api::SessionAnswer answer;
  answer.se_id = se.se_id;
  answer.state = started.state;
  answer.response = *report.delivery.authenticate_response;
  const OnlineAuthorizationAnswer granted = client_.finish_session(campaign_.id, started.session_id, answer);
  if (granted.refused) {
    refusal = granted.refused;
    return std::nullopt;
  }
  report.authorization_id = granted.granted->authorization_id;
  finish_online_delivery(channel, report.delivery, granted.granted->paut, pse_.commands, progress);
  return report;
}

std::optional<api::ReportRequest> Agent::deliver_online_scp03(transport::CardChannel& channel,
                                                              const SeAuthorizationRequest& se, const std::string& name,
                                                              std::optional<AuthorizationRefusal>& refusal) {
  const auto progress = [&](std::size_t sent, std::size_t total) {
    if (options_.progress) options_.progress(name, sent, total);
  };
  const api::SessionStart started = client_.start_scp03_session(campaign_.id, se);
  api::ReportRequest report;
  report.se_id = se.se_id;
  // After INITIALIZE UPDATE: EXTERNAL AUTHENTICATE ‖ CHANGE MODE ‖ PSE ‖ AUTHORIZE ACTION.
  report.delivery = begin_online_delivery(channel, gp::isd_aid(), started.commands, pse_.commands.size() + 1, progress);
  // The INITIALIZE UPDATE answer stands where a PAUT's does: the server checks the report as a PAUT's.
  report.delivery.initialize_update_response = std::exchange(report.delivery.authenticate_response, std::nullopt);
  if (!report.delivery.initialize_update_response || !report.delivery.initialize_update_response->ok()) {
    throw Error(Errc::protocol_error, "SE " + api::lower_hex(se.se_id) + ": INITIALIZE UPDATE failed: " +
                                          (report.delivery.failure.empty() ? "no answer" : report.delivery.failure));
  }
  api::SessionAnswer answer;
  answer.se_id = se.se_id;
  answer.state = started.state;
  answer.response = *report.delivery.initialize_update_response;
  answer.protocol = api::OnlineProtocol::scp03;
  const OnlineAuthorizationAnswer granted = client_.finish_session(campaign_.id, started.session_id, answer);
  if (granted.refused) {
    refusal = granted.refused;
    return std::nullopt;
  }
  report.authorization_id = granted.granted->authorization_id;
  finish_online_delivery(channel, report.delivery, granted.granted->session_commands, granted.granted->paut,
                         pse_.commands, progress);
  return report;
}

std::optional<SeAuthorizationRequest> Agent::next_authorization_request(const SeEndpoint& current,
                                                                        const std::function<SeEndpoint*()>& next_se) {
  if (!next_se || options_.mode == AuthorizationMode::online) return std::nullopt;
  try {
    SeEndpoint* next = next_se();
    if (next == nullptr || next == &current) return std::nullopt;
    transport::CardChannel& channel = next->connect();
    SeAuthorizationRequest identity = read_se_identity(channel, gp::isd_aid());
    // Only what the server accepts as an authorization request: a refused one would refuse the report
    // that carries it (400). A random challenge goes online, an SE with SCP11 offers too.
    check_authorization_request(identity);
    if (!online_offers(channel).empty()) return std::nullopt;
    return identity;
  } catch (const std::exception&) {
    return std::nullopt;  // that SE's own step reads it again and meets the failure there
  }
}

std::optional<api::ReportRequest> Agent::deliver_offline(transport::CardChannel& channel,
                                                         const SeAuthorizationRequest& se, const std::string& name,
                                                         std::optional<AuthorizationRefusal>& refusal,
                                                         AttemptRecord& record) {
  // A third of the server's 15 minutes: a grant kept longer is dropped and asked for again.
  constexpr auto kPrefetchedLifetime = std::chrono::minutes(5);
  std::optional<AuthorizationAnswer> prefetched;
  if (prefetched_ && prefetched_->identity == se &&
      std::chrono::steady_clock::now() - prefetched_->received < kPrefetchedLifetime) {
    prefetched = AuthorizationAnswer{std::move(prefetched_->grant), std::nullopt};
  }
  prefetched_.reset();
  record.paut_with_report = prefetched.has_value();
  const AuthorizationAnswer answer = prefetched ? std::move(*prefetched) : client_.authorize(campaign_.id, se);
  if (answer.refused) {
    refusal = answer.refused;
    return std::nullopt;
  }
  const api::AuthorizationGrant& grant = *answer.granted;
  api::ReportRequest report;
  report.authorization_id = grant.authorization_id;
  report.se_id = se.se_id;
  report.delivery =
      deliver(channel, gp::isd_aid(), grant.paut, pse_.commands, [&](std::size_t sent, std::size_t total) {
        if (options_.progress) options_.progress(name, sent, total);
      });
  return report;
}

void Agent::give_up(SeResult& result, std::chrono::seconds waited) const {
  result.reason += (result.reason.empty() ? "" : "; ") + std::string("gave up after waiting ") +
                   std::to_string(waited.count()) + " s";
  result.finished = elapsed();
}

SeResult Agent::update(SeEndpoint& se, std::chrono::seconds max_wait) {
  ScheduleOptions schedule;
  schedule.max_wait = max_wait;
  return serve(*this, {&se}, schedule).front();
}

}  // namespace sefleet::offcard::terminal

#include "offcard/terminal/agent.hpp"

#include <exception>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/campaign/terminal_role.hpp"

namespace sefleet::offcard::terminal {

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
  if (campaign_.state == "cancelled") throw Error(Errc::state_error, "campaign " + campaign_.id + " is cancelled");
  const auto path = client_.download_pse(campaign_, options_.cache_dir);
  pse_ = load_pse_file(path);  // every command parsed and checked (package_format.hpp)
  if (campaign_.pse_commands != 0 && pse_.commands.size() != campaign_.pse_commands) {
    throw Error(Errc::integrity_error, "PSE of campaign " + campaign_.id + " has " + std::to_string(pse_.commands.size()) +
                                           " commands, the campaign says " + std::to_string(campaign_.pse_commands));
  }
  if (campaign_.pmob) pmob_ = client_.download_pmob(campaign_);
  prepared_ = true;
}

SeResult Agent::update(SeEndpoint& se) {
  SeResult result;
  result.endpoint = se.name();
  result.started = elapsed();
  const auto finish = [&](std::string final, std::string message) {
    result.final = std::move(final);
    result.message = std::move(message);
    result.finished = elapsed();
    return result;
  };
  if (!prepared_) return finish("error", "agent not prepared (call prepare() first)");

  for (unsigned attempt = 0; attempt < options_.max_attempts_per_se; ++attempt) {
    AttemptRecord record;
    record.started = elapsed();
    try {
      transport::CardChannel& channel = se.connect();
      const SeAuthorizationRequest request = read_se_identity(channel, gp::isd_aid());
      result.se_id = to_hex(request.se_id);
      const AuthorizationAnswer answer = client_.authorize(campaign_.id, request);
      if (answer.refused) {
        const std::string& reason = answer.refused->reason;
        record.decision = "refused:" + reason;
        record.seconds = elapsed() - record.started;
        result.history.push_back(record);
        if (reason == "already_updated") return finish("already_updated", "the server already counts it as updated");
        if (reason == "quarantined" || reason == "attempts_exhausted") return finish("quarantined", answer.refused->message);
        return finish("refused:" + reason, answer.refused->message);
      }
      const Authorization& authorization = *answer.granted;
      const std::string name = se.name();
      const DeliveryReport report = deliver(channel, gp::isd_aid(), authorization.paut, pse_.commands,
                                            [&](std::size_t sent, std::size_t total) {
                                              if (options_.progress) options_.progress(name, sent, total);
                                            });
      ++result.attempts;
      record.commands_sent = report.commands_sent;
      record.total_commands = report.total_commands;
      record.failure = report.failure;
      // The report goes out whatever happened: the server decides, and an interrupted delivery
      // counts as a failure there (so a retry gets a fresh PAUT).
      const ReportAnswer decision = client_.report(campaign_.id, authorization.authorization_id, request.se_id, report);
      record.outcome = decision.outcome;
      record.decision = decision.decision;
      record.seconds = elapsed() - record.started;
      result.history.push_back(record);
      result.outcome = decision.outcome;
      if (decision.decision == "retry") continue;
      std::string why = decision.outcome;
      if (!report.failure.empty()) why += ": " + report.failure;
      return finish(decision.decision, why);
    } catch (const std::exception& e) {
      // The SE or the server could not be reached (after the client's own retries): this attempt is
      // lost, the SE keeps its old image (nothing activates without AUTHORIZE ACTION).
      record.decision = "error";
      record.failure = e.what();
      record.seconds = elapsed() - record.started;
      result.history.push_back(record);
      if (attempt + 1 == options_.max_attempts_per_se) return finish("error", e.what());
    }
  }
  return finish("retry", "still to retry after " + std::to_string(options_.max_attempts_per_se) + " attempt(s) in this run");
}

}  // namespace sefleet::offcard::terminal

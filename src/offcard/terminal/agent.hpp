// The terminal agent (docs/broadcast-channel.md §7): for each SE, read its identity and sequence counter, ask the
// server for a PAUT, merge PAUT[0..2] ‖ PSE ‖ PAUT[3], send it, report what the SE answered, and act on
// the server's decision. The agent holds a bearer token and public bytes, never a key: it cannot forge
// an SE's answer, and the server believes only authenticated ones.
//
// Agent::step makes one attempt for one SE and says what to do next: done, again at once (a fresh
// PAUT after a failure), or wait as long as the server asked (the SE is not in the current wave, the
// campaign is paused, an unverified failure's back-off runs). scheduler.hpp runs the steps of many
// SEs so that a waiting SE never holds up the others.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/terminal/api_client.hpp"
#include "offcard/terminal/se_endpoint.hpp"

namespace sefleet::offcard::terminal {

// How an SE is authorized (scp11.md "Online authorization"). automatic: online when the SE offers an
// SCP11 key (KID 11, 13 or 15) with its certificate chain and the server accepts sessions (the server
// chooses the variant: SCP11a when it holds an OCE key, else SCP11b), else online over SCP03 when the
// SE's SCP03 card challenge is random (no PAUT can be computed for it), else an offline PAUT; offline
// and online force one (online fails for an SE that offers neither, or a server without sessions or
// without a variant the SE offers).
enum class AuthorizationMode { automatic, offline, online };
std::string_view mode_name(AuthorizationMode mode) noexcept;

struct AgentOptions {
  std::string campaign_id;
  std::filesystem::path cache_dir;   // PSE cache
  unsigned max_attempts_per_se = 3;  // deliveries per SE in this run (the server's own limits also bound it)
  AuthorizationMode mode = AuthorizationMode::automatic;
  // Called after each command sent to an SE: (endpoint name, sent, total).
  std::function<void(const std::string&, std::size_t, std::size_t)> progress;
  // Optional: the SE this agent serves after the current one (nullptr when none). When it gets an
  // offline PAUT, its authorization request rides on the current SE's report and the grant comes
  // back with the report's answer: one HTTP request per SE instead of two (docs/api.md "Reports").
  std::function<SeEndpoint*()> next_se;
};

// One attempt as the agent saw it: refused, reported (with the server's verdict), or failed.
struct AttemptRecord {
  std::optional<api::Refusal> refusal;        // the authorization was refused: nothing was sent
  std::optional<DeliveryOutcome> outcome;     // the server's reading of the report
  std::optional<api::Evidence> evidence;      // whether the server could verify it
  std::optional<api::DeviceState> decision;   // the SE's state after the report
  bool error = false;                         // the SE or the server could not be reached
  bool online = false;                        // authorized online (an SCP11 session), not by an offline PAUT
  bool paut_with_report = false;              // its PAUT came with the previous SE's report answer
  std::optional<gp::scp11::Variant> variant;  // online: the SCP11 variant the server chose
  std::size_t commands_sent = 0;
  std::size_t total_commands = 0;
  std::string failure;  // the channel's or SE's failure, the refusal's message, or the error
  double started = 0;   // seconds since the agent's start
  double seconds = 0;

  // For tables: the decision, "refused:<reason>" or "error".
  std::string label() const;
};

// Where an SE ended in this run.
enum class SeStatus {
  updated,          // the server counts it updated (this run)
  staged,           // preloaded: waits for the campaign's activation
  already_updated,  // the server already counted it updated
  quarantined,
  unreachable,
  retry,         // still to retry: this run's attempts are used up
  not_in_wave,   // held back: the campaign's current wave does not admit it yet
  paused,        // held back: the campaign is paused
  backoff,       // held back: an unverified failure's back-off still runs
  cancelled,     // the campaign is cancelled or completed
  not_a_target,  // not a target of this campaign
  error,         // the SE or the server could not be reached
};
std::string_view status_name(SeStatus status) noexcept;

struct SeResult {
  std::string endpoint;
  std::string se_id;  // lower-case hex ("" when it could not be read)
  SeStatus status = SeStatus::error;
  std::optional<DeliveryOutcome> outcome;  // the last outcome the server read from a report
  unsigned attempts = 0;                   // deliveries made in this run
  std::string reason;                      // why it ended there, in the server's words when it gave them
  double started = 0;
  double finished = 0;
  std::vector<AttemptRecord> history;

  bool success() const {
    return status == SeStatus::updated || status == SeStatus::staged || status == SeStatus::already_updated;
  }
  // "quarantined: manifest refused for platform ...", "paused: failure rate 0.25 > 0.20 in wave 1 ..."
  std::string final_line() const;
};

// What to do next for an SE after Agent::step.
struct Step {
  enum class Next { done, again, wait };
  Next next = Next::done;
  std::chrono::seconds wait{0};  // Next::wait: as long as the server asked
  bool for_wave = false;         // waits for its wave: worth asking again as soon as another SE is final
};

class Agent {
 public:
  // `started` is the time origin of the records (so several agents share one timeline).
  Agent(ApiClient& client, AgentOptions options,
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now());

  // Campaign info, PSE (cache / download / resume, verified) and PMOB (verified when the campaign has
  // one). Throws ApiError / Error when the campaign cannot be used (unknown, cancelled, integrity).
  void prepare();
  // One attempt for `se`; records it in `result` (which it fills in: endpoint, SE id, history,
  // attempts; status and reason once done). Never throws for what happens to the SE or the server.
  Step step(SeEndpoint& se, SeResult& result);
  // The same, with the SE served next named by `next_se` instead of AgentOptions::next_se (serve()
  // names the one it will serve next).
  Step step(SeEndpoint& se, SeResult& result, const std::function<SeEndpoint*()>& next_se);
  // All of one SE's steps, waiting in between as the server asks (at most `max_wait` in all).
  SeResult update(SeEndpoint& se, std::chrono::seconds max_wait = std::chrono::seconds(300));
  // Ends a held-back SE's result (not_in_wave, paused, backoff) when the run stops waiting for it.
  void give_up(SeResult& result, std::chrono::seconds waited) const;

  const api::Campaign& campaign() const { return campaign_; }
  const PseFile& pse() const { return pse_; }
  const std::optional<Bytes>& pmob() const { return pmob_; }
  const AgentOptions& options() const { return options_; }
  double elapsed() const;

 private:
  Step finish(SeResult& result, SeStatus status, std::string reason) const;
  Step refused(SeResult& result, AttemptRecord record, const AuthorizationRefusal& refusal);
  // Whether this SE goes online: reads its SCP11 offers unless the mode or the server rules it out.
  std::vector<OnlineOffer> online_offers(transport::CardChannel& channel) const;
  // Online: session start, setup commands, session finish, delivery. The grant's refusal, or the
  // report to send (nullopt with `refusal` set when the server refused).
  std::optional<api::ReportRequest> deliver_online(transport::CardChannel& channel, const SeAuthorizationRequest& se,
                                                   const std::vector<OnlineOffer>& offers, const std::string& name,
                                                   std::optional<AuthorizationRefusal>& refusal, AttemptRecord& record);
  // Online SCP03 (an SE with a random card challenge): INITIALIZE UPDATE from the server, then
  // EXTERNAL AUTHENTICATE ‖ CHANGE MODE ‖ PSE ‖ AUTHORIZE ACTION. As deliver_online otherwise.
  std::optional<api::ReportRequest> deliver_online_scp03(transport::CardChannel& channel,
                                                         const SeAuthorizationRequest& se, const std::string& name,
                                                         std::optional<AuthorizationRefusal>& refusal);
  // The authorization request of the SE served next, when it goes offline and its identity reads
  // (nullopt otherwise: its own step then asks as usual).
  std::optional<SeAuthorizationRequest> next_authorization_request(const SeEndpoint& current,
                                                                   const std::function<SeEndpoint*()>& next_se);
  // Offline: the PAUT (the one that came with the previous SE's report answer when it is for exactly
  // this identity, else asked for now), then deliver().
  std::optional<api::ReportRequest> deliver_offline(transport::CardChannel& channel, const SeAuthorizationRequest& se,
                                                    const std::string& name,
                                                    std::optional<AuthorizationRefusal>& refusal,
                                                    AttemptRecord& record);

  ApiClient& client_;
  AgentOptions options_;
  std::chrono::steady_clock::time_point started_;
  api::Campaign campaign_;
  PseFile pse_;
  std::optional<Bytes> pmob_;
  bool prepared_ = false;
  bool sessions_unavailable_ = false;  // the server answered online_unavailable (automatic mode falls back)
  // A grant that came with a report's answer for the SE served next, with the identity it was asked for.
  struct PrefetchedGrant {
    SeAuthorizationRequest identity;
    api::AuthorizationGrant grant;
    std::chrono::steady_clock::time_point received;
  };
  std::optional<PrefetchedGrant> prefetched_;
};

}  // namespace sefleet::offcard::terminal

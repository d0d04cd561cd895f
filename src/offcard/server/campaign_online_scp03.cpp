// Online SCP03 (docs/api.md "Online authorization", scp11.md "Online authorization over SCP03"): the
// session routes for an SE whose SCP03 card challenge is random. As for SCP11, the state between the
// two steps travels with the terminal, sealed under the session KEK. What the report needs is the
// PautCheck of the commands computed in the second step: public values, stored as an offline PAUT's
// file and checked by the same report path; the row's protocol says it was computed online.
#include <optional>
#include <string>

#include "core/error.hpp"
#include "crypto/random.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/online_scp03_session.hpp"
#include "offcard/campaign/online_scp03_state.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/authorization_issue.hpp"
#include "offcard/server/campaign_service.hpp"

namespace sefleet::offcard::server {

using api::lower_hex;

api::SessionStart CampaignService::start_scp03_session(const Caller& caller, const std::string& id,
                                                       const SeAuthorizationRequest& request) {
  require_scope(caller, id);
  const OnlineAuthorizationConfig& online = require_online();
  (void)context(id);  // 404 for an unknown campaign, before any cryptography
  OnlineScp03Start started;
  try {
    started = start_online_scp03_session(request);
  } catch (const OnlineSessionError& error) {
    throw online_refusal(error);
  }
  api::SessionStart out;
  out.session_id = lower_hex(crypto::SystemRandom().bytes(api::kAuthorizationIdSize));
  out.expires_at = now() + kOnlineSessionLifetime;
  for (const auto& command : started.commands) out.commands.push_back(command.encode());
  out.state = seal_online_scp03_session(keystore_, online.session_kek, started.state,
                                        online_binding(caller, id, out.session_id), out.expires_at);
  return out;
}

api::OnlineGrant CampaignService::finish_scp03_session(const Caller& caller, const std::string& id,
                                                       const std::string& session_id,
                                                       const api::SessionAnswer& answer) {
  require_scope(caller, id);
  const OnlineAuthorizationConfig& online = require_online();
  OnlineScp03State state;
  try {
    state = open_online_scp03_session(keystore_, online.session_kek, answer.state,
                                      online_binding(caller, id, session_id), now());
  } catch (const OnlineSessionError& error) {
    throw online_refusal(error);
  }
  if (state.se.se_id != answer.se_id) {
    throw ApiError(403, "se_id_mismatch",
                   "session " + session_id + " was opened for SE " + lower_hex(state.se.se_id) + ", not " +
                       lower_hex(answer.se_id));
  }
  const std::string se_id = lower_hex(state.se.se_id);
  const auto ctx = context(id);
  struct Finished {
    OnlineScp03Authorization authorization;
    Bytes file;  // the PAUT file the report is checked with
  };
  const auto finish = [&](gp::broadcast::Action action) {
    try {
      Finished finished{finish_online_scp03_session(state, answer.response, *ctx->issuer, action), {}};
      finished.file = serialize_paut_file(PautFile{state.se.se_id, finished.authorization.paut});
      return finished;
    } catch (const OnlineSessionError& error) {
      throw online_refusal(error);
    }
  };
  // As authorize(): before the write transaction for an immediate campaign, inside it for a deferred one.
  AuthorizationIssue<Finished> finished_session(ctx->activation_mode, finish);
  return grouped_writes_.run(db::Durability::relaxed, [&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    auto target = admit(repo, c, se_id, t);
    const bool preload = preloads(c);
    const Finished& finished = finished_session.in_transaction(preload);
    const gp::broadcast::PautCheck& check = finished.authorization.paut.check;

    // Stored as an offline PAUT: the report path reads the key set from these columns.
    AuthorizationRow a = new_authorization(caller, id, se_id, preload, t);
    a.kdd = lower_hex(state.se.kdd);
    a.kvn = state.se.kvn;
    a.scp_i = state.se.i;
    a.sequence_counter = check.sequence_counter;
    a.paut = finished.file;
    a.protocol = std::string(kProtocolScp03Online);
    record_authorization(repo, c, target, a);

    api::OnlineGrant grant;
    grant.authorization_id = a.id;
    grant.action = a.action;
    for (const auto& command : finished.authorization.session_commands) {
      grant.session_commands.push_back(command.encode());
    }
    grant.paut = {finished.authorization.change_mode.encode(), finished.authorization.authorize.encode()};
    grant.expires_at = a.expires_at;
    return grant;
  });
}

}  // namespace sefleet::offcard::server

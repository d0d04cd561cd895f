// Online authorization (docs/api.md "Online authorization", scp11.md): the session routes. The server
// keeps no session in memory or in the database: the state between the two steps travels with the
// terminal, sealed under the session KEK (online_session_state.hpp), so any server sharing the
// database and the keystore can take the second step. What the report needs is sealed the same way
// and stored with the authorization.
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/campaign/online_session_state.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/authorization_issue.hpp"
#include "offcard/server/campaign_service.hpp"

namespace sefleet::offcard::server {
namespace {

using api::lower_hex;

}  // namespace

ApiError online_refusal(const OnlineSessionError& error) {
  const auto reason = std::string(online_refusal_name(error.reason()));
  switch (error.reason()) {
    case OnlineRefusal::chain_not_verified:
    case OnlineRefusal::se_id_mismatch:
    case OnlineRefusal::wrong_receipt:
    case OnlineRefusal::forged_report:
    case OnlineRefusal::wrong_cryptogram:
      return ApiError(403, reason, error.what());
    case OnlineRefusal::card_refused:
    case OnlineRefusal::no_common_variant:
      return ApiError(409, reason, error.what());
    case OnlineRefusal::expired:
      return ApiError(410, reason, error.what());
    case OnlineRefusal::bad_request:
      break;
  }
  return ApiError(400, "invalid_session", error.what());
}

const OnlineAuthorizationConfig& CampaignService::require_online() const {
  if (!online_) {
    throw ApiError(409, "online_unavailable",
                   "this server has no card CA key and session KEK configured for online authorization");
  }
  return *online_;
}

Bytes CampaignService::online_binding(const Caller& caller, const std::string& id, const std::string& session_id) {
  const std::string who = caller.admin ? std::string("admin") : "token " + std::to_string(caller.token_id);
  return bytes_of("session " + session_id + " campaign " + id + " " + who);
}

Bytes online_check_binding(const std::string& campaign_id, const std::string& authorization_id) {
  return bytes_of("check " + authorization_id + " campaign " + campaign_id);
}

api::SessionStart CampaignService::start_session(const Caller& caller, const std::string& id,
                                                 const OnlineSessionRequest& request) {
  require_scope(caller, id);
  const OnlineAuthorizationConfig& online = require_online();
  (void)context(id);  // 404 for an unknown campaign, before any cryptography
  // The rollout's refusals come with the SE's answer (finish_session), where the authorization is
  // recorded: this step writes nothing.
  OnlineSessionStart started;
  try {
    started = start_online_session(request, *card_ca_, online.oce ? &*online.oce : nullptr, crypto::system_random(),
                                   &verified_chains_);
  } catch (const OnlineSessionError& error) {
    throw online_refusal(error);
  }
  api::SessionStart out;
  out.session_id = lower_hex(crypto::SystemRandom().bytes(api::kAuthorizationIdSize));
  out.expires_at = now() + kOnlineSessionLifetime;
  out.variant = started.state.variant;
  for (const auto& command : started.commands) out.commands.push_back(command.encode());
  out.state = seal_online_session(keystore_, online.session_kek, started.state,
                                  online_binding(caller, id, out.session_id), out.expires_at);
  return out;
}

api::OnlineGrant CampaignService::finish_session(const Caller& caller, const std::string& id,
                                                 const std::string& session_id, const api::SessionAnswer& answer) {
  require_scope(caller, id);
  const OnlineAuthorizationConfig& online = require_online();
  OnlineSessionState state;
  try {
    state =
        open_online_session(keystore_, online.session_kek, answer.state, online_binding(caller, id, session_id), now());
  } catch (const OnlineSessionError& error) {
    throw online_refusal(error);
  }
  if (state.se_id != answer.se_id) {
    throw ApiError(
        403, "se_id_mismatch",
        "session " + session_id + " was opened for SE " + lower_hex(state.se_id) + ", not " + lower_hex(answer.se_id));
  }
  const std::string se_id = lower_hex(state.se_id);
  const auto ctx = context(id);
  // SCP11a/c: ShSss = ECDH(SK.OCE, PK.SD) runs in the keystore holding SK.OCE (the reference the
  // session was started with, sealed in its state).
  gp::scp11::StaticOceAgreement static_agreement;
  if (!state.oce_key.empty()) {
    const KeyRef oce_key = parse_key_ref(state.oce_key);
    static_agreement = [this, oce_key](ByteView sd_point) { return keystore_.ecdh(oce_key, sd_point); };
  }
  const auto finish = [&](gp::broadcast::Action action) {
    try {
      return finish_online_session(state, answer.response, *ctx->issuer, action, static_agreement);
    } catch (const OnlineSessionError& error) {
      throw online_refusal(error);
    }
  };
  // As authorize(): before the write transaction for an immediate campaign, inside it for a deferred one.
  AuthorizationIssue<OnlineAuthorization> finished_session(ctx->activation_mode, finish);
  return grouped_writes_.run(db::Durability::relaxed, [&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    auto target = admit(repo, c, se_id, t);
    const bool preload = preloads(c);
    const OnlineAuthorization& finished = finished_session.in_transaction(preload);

    AuthorizationRow a = new_authorization(caller, id, se_id, preload, t);
    a.kvn = state.kvn;
    a.scp_i = kOnlineAuthorizationScpI;
    set_online_check(a, online_protocol_name(state.variant),
                     seal_online_check(keystore_, online.session_kek, finished.check, online_check_binding(id, a.id)));
    record_authorization(repo, c, target, a);

    api::OnlineGrant grant;
    grant.authorization_id = a.id;
    grant.action = a.action;
    grant.paut = {finished.change_mode.encode(), finished.authorize.encode()};
    grant.expires_at = a.expires_at;
    return grant;
  });
}

}  // namespace sefleet::offcard::server

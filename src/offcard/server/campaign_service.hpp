// What the HTTP routes do (docs/api.md), without HTTP and without JSON: it takes and returns the typed
// messages of offcard/api (json_views.hpp turns them into the routes' JSON). Campaigns (upload, HSM
// preparation, lifecycle), terminal data (PSE, PMOB), authorizations (PAUTs through the keystore),
// reports (verified through the keystore; report_policy.hpp, rollout_policy.hpp), devices and their
// release, tokens. Every state change runs in one database transaction (Database::run) and a result is
// returned only after it committed. Refusals are ApiError; database outages surface as
// Error(Errc::unavailable). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/bytes.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/keystore/keystore.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/db/database.hpp"
#include "offcard/server/db/group_commit.hpp"
#include "offcard/server/repository.hpp"

namespace sefleet::offcard::server {

// Who sent a request: the admin, or a terminal token scoped to some campaigns.
struct Caller {
  bool admin = false;
  std::int64_t token_id = 0;
  std::set<std::string> campaigns;
};

// A stored file served as it is (PSE, PMOB), with its SHA-256 (the ETag).
struct StoredFile {
  std::shared_ptr<const Bytes> bytes;
  std::string sha256;
};

// Online authorization (scp11.md "Online authorization"): the key that SEs' SCP11 certificate chains
// must verify under, the keystore KEK (usage wrap) that seals session states and report checks, and
// for SCP11a/c the OCE's static key in the keystore (usage agree) with its certificate chain.
struct OnlineAuthorizationConfig {
  Bytes card_ca_key;  // uncompressed P-256 point
  KeyRef session_kek;
  std::optional<OnlineOceKey> oce;  // none: SCP11b sessions only
};

class CampaignService {
 public:
  // Without `online`, the session routes answer 409 online_unavailable.
  CampaignService(db::Database& database, Keystore& keystore, std::string admin_token_hash,
                  std::function<std::int64_t()> now, std::optional<OnlineAuthorizationConfig> online = std::nullopt);

  // "Bearer" token → Caller; ApiError 401 (missing_token / invalid_token).
  Caller authenticate(const std::optional<std::string>& bearer_token);

  // Admin routes. Campaign ids are 32 lower-case hex (the routes lower-case them).
  api::Campaign create_campaign(const api::CampaignCreate& request);
  api::CampaignList list_campaigns();
  api::Campaign control_campaign(const std::string& id, api::CampaignOperation operation);
  api::Timeline timeline(const std::string& id);
  // One page of the campaign's events after `after_id`; only those with one of `decisions` when given.
  api::EventList events(const std::string& id, std::int64_t after_id, const std::vector<api::DeviceState>& decisions);
  api::TokenCreated create_token(const api::TokenCreate& request);
  api::TokenList list_tokens();
  api::TokenDeleted delete_token(std::int64_t id);
  // One page of the devices when query.limit is set (then with the total), else all of them.
  api::DeviceList list_devices(const TargetQuery& query);
  api::DeviceRecord device(const Bytes& se_id);
  // A quarantined or unreachable SE becomes `pending` again (attempts and back-off cleared) in the
  // request's campaign, or in every campaign where it is one of those; a completed campaign becomes
  // active again. 404 when the SE is in none of the campaigns named; 409 invalid_state when it is
  // neither quarantined nor unreachable there, or the campaign is cancelled.
  api::ReleaseAnswer release_device(const Bytes& se_id, const api::ReleaseRequest& request);

  // Terminal routes (admin allowed too); ApiError 403 for a campaign outside the caller's scope.
  api::Campaign campaign(const Caller& caller, const std::string& id);
  StoredFile pse(const Caller& caller, const std::string& id);
  StoredFile pmob(const Caller& caller, const std::string& id);  // 404 when the campaign has none
  api::AuthorizationGrant authorize(const Caller& caller, const std::string& id, const SeAuthorizationRequest& request);
  // A report names an offline or an online authorization: the stored check says which.
  api::ReportAnswer report(const Caller& caller, const std::string& id, const api::ReportRequest& request);
  // A report, then the next SE's authorization in the same grouped write (one transaction, one commit:
  // docs/api.md "The next SE's authorization with a report"). Throws what report() throws, and then
  // records no authorization; the authorization's grant, or what authorize() would have thrown, comes
  // back beside the report's answer.
  struct ReportAndNext {
    api::ReportAnswer answer;
    std::optional<api::AuthorizationGrant> grant;
    std::exception_ptr refused;  // set when there is no grant
  };
  ReportAndNext report_and_authorize(const Caller& caller, const std::string& id, const api::ReportRequest& request,
                                     const SeAuthorizationRequest& next);
  // Online authorization (campaign_online.cpp): the session's setup commands, then, with the SE's
  // answer, CHANGE MODE and AUTHORIZE ACTION in the session. The refusals of authorize() apply to
  // both; 400/403/410 for a session that does not verify (docs/api.md).
  api::SessionStart start_session(const Caller& caller, const std::string& id, const OnlineSessionRequest& request);
  api::OnlineGrant finish_session(const Caller& caller, const std::string& id, const std::string& session_id,
                                  const api::SessionAnswer& answer);
  // Online SCP03 (campaign_online_scp03.cpp), for an SE whose card challenge is random: INITIALIZE
  // UPDATE, then, with the SE's answer, EXTERNAL AUTHENTICATE, CHANGE MODE and AUTHORIZE ACTION. The
  // report is checked as an offline PAUT's.
  api::SessionStart start_scp03_session(const Caller& caller, const std::string& id,
                                        const SeAuthorizationRequest& request);
  api::OnlineGrant finish_scp03_session(const Caller& caller, const std::string& id, const std::string& session_id,
                                        const api::SessionAnswer& answer);

 private:
  // What never changes for a campaign, kept in memory: the PAUT issuer (one per campaign: it holds the
  // only clear copy of BK in profile 4) and the master key reference.
  struct CampaignContext {
    std::unique_ptr<PautIssuer> issuer;
    api::ActivationMode activation_mode;  // fixed when the campaign is created
    KeyRef master;
    api::ImageInfo image;
    Bytes datasend_sha256;  // the campaign image's digest, as SEs report their active image
  };
  std::shared_ptr<const CampaignContext> context(const CampaignRow& row);
  std::shared_ptr<const CampaignContext> context(const std::string& id);
  void require_scope(const Caller& caller, const std::string& id) const;
  CampaignRow require_campaign(Repository& repo, const std::string& id);
  // Deferred campaigns whose activation time has come become activated (logged).
  void apply_activation_time(Repository& repo, CampaignRow& row, std::int64_t now);
  // Moves to the next waves while every admitted device is final; completes the campaign.
  void advance_rollout(Repository& repo, CampaignRow& row, std::int64_t now);
  // Pauses an active campaign whose current wave passes a threshold (rollout_policy.hpp).
  void check_wave_thresholds(Repository& repo, CampaignRow& row, std::int64_t now);
  void sample_timeline(Repository& repo, const CampaignRow& row, std::int64_t now);
  // report() and authorize() up to their grouped write: `then(write)` runs the write (a function of a
  // db::Transaction& that returns the answer) and returns what it returns (campaign_delivery.cpp).
  template <typename Then>
  auto report_then(const Caller& caller, const std::string& id, const api::ReportRequest& request, Then&& then);
  template <typename Then>
  auto authorize_then(const Caller& caller, const std::string& id, const SeAuthorizationRequest& request, Then&& then);
  // Whether the campaign's authorizations preload (deferred activation not yet reached).
  static bool preloads(const CampaignRow& row);
  // The refusals of an authorization, offline or online (activation time applied first); returns the
  // admitted target.
  TargetRow admit(Repository& repo, CampaignRow& row, const std::string& se_id, std::int64_t now);
  static AuthorizationRow new_authorization(const Caller& caller, const std::string& id, const std::string& se_id,
                                            bool preload, std::int64_t now);
  // Stores the authorization and moves the target to `authorized` (counters, event, timeline).
  void record_authorization(Repository& repo, CampaignRow& row, TargetRow& target, const AuthorizationRow& a);
  const OnlineAuthorizationConfig& require_online() const;
  // The binding of sealed online blobs: campaign, terminal token, session.
  static Bytes online_binding(const Caller& caller, const std::string& id, const std::string& session_id);
  std::int64_t now() const { return now_(); }

  db::Database& database_;
  // The authorizations' writes (offline, online SCP11 and SCP03: relaxed) and the reports' (full),
  // committed in shared groups, each request answered only after the commit that holds its rows; a
  // batch with a report in it commits full (docs/database.md "Group commit").
  db::CommitGroup grouped_writes_{database_};
  Keystore& keystore_;
  std::string admin_token_hash_;
  std::function<std::int64_t()> now_;
  std::optional<OnlineAuthorizationConfig> online_;
  // The card CA key of `online_`, parsed once; and the SE chains that verified under it.
  std::optional<crypto::P256PublicKey> card_ca_;
  VerifiedChainCache verified_chains_;

  std::mutex cache_mutex_;
  std::map<std::string, std::shared_ptr<const CampaignContext>> contexts_;
  std::map<std::string, StoredFile> pse_files_;
  // Terminal tokens by hash, each kept for kTokenCacheLifetime only: a token deleted through another
  // server on the same database is refused here at most that long after (this server's own deletions
  // clear the cache at once). The token's campaigns never change, so nothing else can be stale.
  struct CachedCaller {
    Caller caller;
    std::chrono::steady_clock::time_point expires;
  };
  std::unordered_map<std::string, CachedCaller> token_cache_;
};

// How long a server trusts a terminal token it has looked up without reading it again.
inline constexpr std::chrono::milliseconds kTokenCacheLifetime{1000};

// How long a started online session lasts: time for the terminal to relay one command and its answer.
inline constexpr std::int64_t kOnlineSessionLifetime = 120;

// The API error of a refused online step (campaign_online.cpp): 400, 403, 409 or 410 with its reason.
ApiError online_refusal(const OnlineSessionError& error);

// The binding of an online authorization's sealed report check (campaign_online.cpp).
Bytes online_check_binding(const std::string& campaign_id, const std::string& authorization_id);

// The campaign object of the API for a stored campaign.
api::Campaign campaign_view(const CampaignRow& row);
// The device entry of the API for a stored target.
api::DeviceEntry device_view(const TargetRow& row);
// Moves one device between the campaign's per-state counters.
void move_state(CampaignRow& campaign, api::DeviceState from, api::DeviceState to);

}  // namespace sefleet::offcard::server

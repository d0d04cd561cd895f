// What the HTTP routes do (docs/api.md), without HTTP: campaigns (upload, HSM preparation, lifecycle),
// terminal data (PSE, PMOB), authorizations (PAUTs through the keystore), reports (verified through
// the keystore, the result policy, rollout), devices, tokens. Every state change runs in one database
// transaction (Database::run) and a result is returned only after it committed. Refusals are ApiError;
// database outages surface as Error(Errc::unavailable). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/keystore/keystore.hpp"
#include "offcard/server/db/database.hpp"
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

class CampaignService {
 public:
  CampaignService(db::Database& database, Keystore& keystore, std::string admin_token_hash,
                  std::function<std::int64_t()> now);

  // "Bearer" token → Caller; ApiError 401 (missing_token / invalid_token).
  Caller authenticate(const std::optional<std::string>& bearer_token);

  // Admin routes.
  nlohmann::json create_campaign(const nlohmann::json& body);
  nlohmann::json list_campaigns();
  nlohmann::json control_campaign(const std::string& id, const std::string& operation);  // pause|resume|cancel|activate
  nlohmann::json timeline(const std::string& id);
  nlohmann::json events(const std::string& id, std::int64_t after_id);
  nlohmann::json create_token(const nlohmann::json& body);
  nlohmann::json list_tokens();
  nlohmann::json delete_token(std::int64_t id);
  nlohmann::json list_devices(const std::optional<std::string>& state, const std::optional<std::string>& campaign);
  nlohmann::json device(const std::string& se_id);

  // Terminal routes (admin allowed too); ApiError 403 for a campaign outside the caller's scope.
  nlohmann::json campaign(const Caller& caller, const std::string& id);
  StoredFile pse(const Caller& caller, const std::string& id);
  StoredFile pmob(const Caller& caller, const std::string& id);  // 404 when the campaign has none
  nlohmann::json authorize(const Caller& caller, const std::string& id, const nlohmann::json& body);
  nlohmann::json report(const Caller& caller, const std::string& id, const nlohmann::json& body);

 private:
  // What never changes for a campaign, kept in memory: the PAUT issuer (one per campaign: it holds the
  // only clear copy of BK in profile 4) and the master key reference.
  struct CampaignContext {
    std::unique_ptr<PautIssuer> issuer;
    KeyRef master;
    std::string image_type;
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
  void sample_timeline(Repository& repo, const CampaignRow& row, std::int64_t now);
  nlohmann::json campaign_json(const CampaignRow& row) const;
  std::int64_t now() const { return now_(); }

  db::Database& database_;
  Keystore& keystore_;
  std::string admin_token_hash_;
  std::function<std::int64_t()> now_;

  std::mutex cache_mutex_;
  std::map<std::string, std::shared_ptr<const CampaignContext>> contexts_;
  std::map<std::string, StoredFile> pse_files_;
  std::unordered_map<std::string, Caller> token_cache_;  // by token hash; cleared when a token is deleted
};

}  // namespace sefleet::offcard::server

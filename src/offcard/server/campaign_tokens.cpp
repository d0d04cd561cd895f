// Bearer tokens: who a request comes from (docs/api.md "Tokens").
#include <nlohmann/json.hpp>

#include "core/secret.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/tokens.hpp"

namespace sefleet::offcard::server {

using nlohmann::json;

Caller CampaignService::authenticate(const std::optional<std::string>& bearer_token) {
  if (!bearer_token || bearer_token->empty()) {
    throw ApiError(401, "missing_token", "Authorization: expected \"Bearer <token>\"");
  }
  const std::string hash = token_hash(*bearer_token);
  if (constant_time_equal(bytes_of(hash), bytes_of(admin_token_hash_))) return Caller{true, 0, {}};
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = token_cache_.find(hash); it != token_cache_.end()) {
      if (now < it->second.expires) return it->second.caller;
      token_cache_.erase(it);
    }
  }
  auto row = database_.run([&](db::Transaction& tx) { return Repository(tx).find_token_by_hash(hash); });
  if (!row) throw ApiError(401, "invalid_token", "Authorization: unknown token");
  Caller caller{false, row->id, {}};
  for (const auto& id : json::parse(row->campaigns_json)) caller.campaigns.insert(id.get<std::string>());
  std::lock_guard lock(cache_mutex_);
  token_cache_[hash] = CachedCaller{caller, now + kTokenCacheLifetime};
  return caller;
}

api::TokenCreated CampaignService::create_token(const api::TokenCreate& request) {
  const std::string token = generate_token();
  const std::int64_t t = now();
  const std::int64_t id = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    for (const auto& campaign : request.campaigns) {
      if (!repo.find_campaign(campaign)) throw invalid_field("campaigns", "no campaign " + campaign);
    }
    return repo.insert_token(request.name, token_hash(token), json(request.campaigns).dump(), t);
  });
  return api::TokenCreated{id, request.name, request.campaigns, token};
}

api::TokenList CampaignService::list_tokens() {
  auto rows = database_.run([&](db::Transaction& tx) { return Repository(tx).list_tokens(); });
  api::TokenList list;
  for (const auto& row : rows) {
    list.tokens.push_back(api::TokenInfo{
        row.id, row.name, json::parse(row.campaigns_json).get<std::vector<std::string>>(), row.created_at});
  }
  return list;
}

api::TokenDeleted CampaignService::delete_token(std::int64_t id) {
  const bool deleted = database_.run([&](db::Transaction& tx) { return Repository(tx).delete_token(id); });
  if (!deleted) throw ApiError(404, "not_found", "no token " + std::to_string(id));
  std::lock_guard lock(cache_mutex_);
  token_cache_.clear();
  return api::TokenDeleted{id};
}

}  // namespace sefleet::offcard::server

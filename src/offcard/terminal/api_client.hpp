// The typed client of the management server's /v1 API (docs/api.md), for terminals and, with the admin
// token, for operators' tools (the demo, tests). What a terminal receives is public: the PSE (same
// bytes for every SE, checked against its SHA-256), PAUTs (useless to anyone but their SE, once), the
// server's decisions. The client holds a bearer token and no key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/terminal/http_session.hpp"

namespace sefleet::offcard::terminal {

struct BlobInfo {
  std::size_t size = 0;
  std::string sha256;  // lower-case hex
};

struct CampaignInfo {
  std::string id;
  std::string name;
  std::string state;  // active | paused | cancelled | completed
  std::string pause_reason;
  BlobInfo pse;
  std::size_t pse_commands = 0;
  std::optional<BlobInfo> pmob;
  nlohmann::json raw;  // the whole answer (progress, wave, ...)
};

struct Authorization {
  nlohmann::json authorization_id;  // echoed in the report exactly as the server gave it
  std::string action;               // "activate" | "preload"
  EncodedPaut paut;
  std::int64_t expires_at = 0;
};

// A 409 answer to an authorization request (after waiting when the server said waiting helps).
struct AuthorizationRefusal {
  std::string reason;  // already_updated | quarantined | not_in_wave | paused | cancelled | not_a_target | attempts_exhausted
  std::string message;
};

struct AuthorizationAnswer {
  std::optional<Authorization> granted;
  std::optional<AuthorizationRefusal> refused;
};

struct ReportAnswer {
  std::string outcome;   // offcard::outcome_name
  std::string decision;  // updated | staged | retry | quarantined
  unsigned attempts = 0;
  bool duplicate = false;
};

// The JSON body of a report (docs/api.md), from what deliver() recorded.
nlohmann::json report_body(const nlohmann::json& authorization_id, ByteView se_id, const DeliveryReport& report);
// The JSON body of an authorization request.
nlohmann::json authorization_body(const SeAuthorizationRequest& request);

class ApiClient {
 public:
  explicit ApiClient(SessionOptions options) : session_(std::move(options)) {}

  // GET /v1/health → true when {"status":"ok"}.
  bool healthy();
  CampaignInfo campaign(const std::string& campaign_id);

  // The campaign's PSE through the cache `cache_dir` (created if missing): a complete, verified file
  // is reused; a partial one is resumed with Range + If-Range (the server answers 200 and the whole
  // file when the PSE changed); connection failures resume within the retry policy. The bytes must
  // match the ETag and `info.pse.sha256`, else the partial file is dropped and Error(integrity_error)
  // is thrown. The finished file replaces the cached one atomically (rename). Returns its path.
  std::filesystem::path download_pse(const CampaignInfo& info, const std::filesystem::path& cache_dir);
  // The PMOB (terminal payload), checked against info.pmob (size, SHA-256) and the ETag;
  // Error(not_found) when the campaign has none, Error(integrity_error) on a mismatch.
  Bytes download_pmob(const CampaignInfo& info);

  // POST /authorizations. 409 not_in_wave / paused with Retry-After: waits and asks again (bounded by
  // RetryPolicy::max_wait_rounds); other 409s are returned as refusals; other errors throw ApiError.
  AuthorizationAnswer authorize(const std::string& campaign_id, const SeAuthorizationRequest& request);
  // POST /reports; idempotent on the server, so it is safely retried on 503 / connection errors.
  ReportAnswer report(const std::string& campaign_id, const nlohmann::json& authorization_id, ByteView se_id,
                      const DeliveryReport& report);

  // Admin routes (the admin token): for the demo, tests and scripts.
  nlohmann::json create_campaign(const nlohmann::json& body);     // → the campaign (201)
  nlohmann::json create_token(const std::string& name, const std::vector<std::string>& campaign_ids);  // {"id","token"}
  nlohmann::json get_json(const std::string& path);                // any GET → JSON (200)
  nlohmann::json post_json(const std::string& path, const nlohmann::json& body, int expected);

  HttpSession& session() noexcept { return session_; }

 private:
  HttpSession session_;
};

// "id" of a campaign/token answer as text (the server may use numbers or strings).
std::string id_text(const nlohmann::json& value);

}  // namespace sefleet::offcard::terminal

// The typed client of the management server's /v1 API (docs/api.md), for terminals and, with the admin
// token, for operators' tools (the demo, tests). It speaks the shared messages of offcard/api: what it
// sends is written and what it receives is validated by the same codec the server uses; an answer that
// does not read is ApiError(protocol_error) naming the field. What a terminal receives is public: the
// PSE (same bytes for every SE, checked against its SHA-256), PAUTs (useless to anyone but their SE,
// once), the server's decisions. The client holds a bearer token and no key.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/terminal/http_session.hpp"

namespace sefleet::offcard::terminal {

// A 409 answer to an authorization request: why, and when asking again may help.
struct AuthorizationRefusal {
  api::Refusal reason = api::Refusal::not_a_target;
  std::string message;                              // the server's message
  std::optional<std::string> detail;                // the short why (a pause reason, a quarantine reason ...)
  std::optional<std::chrono::seconds> retry_after;  // for not_in_wave, paused, backoff
};

struct AuthorizationAnswer {
  std::optional<api::AuthorizationGrant> granted;
  std::optional<AuthorizationRefusal> refused;
};

// The answer to the second step of an online session: the grant, or the rollout's refusal (409).
struct OnlineAuthorizationAnswer {
  std::optional<api::OnlineGrant> granted;
  std::optional<AuthorizationRefusal> refused;
};

class ApiClient {
 public:
  explicit ApiClient(SessionOptions options) : session_(std::move(options)) {}

  // GET /v1/health → true when {"status":"ok"}.
  bool healthy();
  api::Campaign campaign(const std::string& campaign_id);

  // The campaign's PSE through the cache `cache_dir` (created if missing): a complete, verified file
  // is reused; a partial one is resumed with Range + If-Range (the server answers 200 and the whole
  // file when the PSE changed); connection failures resume within the retry policy. The bytes must
  // match the ETag and `info.pse.sha256`, else the partial file is dropped and Error(integrity_error)
  // is thrown. The finished file replaces the cached one atomically (rename). Returns its path.
  std::filesystem::path download_pse(const api::Campaign& info, const std::filesystem::path& cache_dir);
  // The PMOB (terminal payload), checked against info.pmob (size, SHA-256) and the ETag;
  // Error(not_found) when the campaign has none, Error(integrity_error) on a mismatch.
  Bytes download_pmob(const api::Campaign& info);

  // POST /authorizations: the grant (201), or the refusal (409) as it came, with its Retry-After: the
  // caller decides whether and when to ask again (scheduler.hpp). Other answers throw ApiError.
  AuthorizationAnswer authorize(const std::string& campaign_id, const SeAuthorizationRequest& request);
  // Online authorization (docs/api.md "Online authorization"). POST /sessions: the setup commands and
  // the sealed state (201); every other answer throws ApiError (409 online_unavailable: the server
  // has no card CA key or session KEK).
  api::SessionStart start_session(const std::string& campaign_id, const OnlineSessionRequest& request);
  // The same route for an online SCP03 session ("protocol": "scp03"): INITIALIZE UPDATE and the state.
  api::SessionStart start_scp03_session(const std::string& campaign_id, const SeAuthorizationRequest& request);
  // POST /sessions/{id} with the SE's answer: the grant (201) or a rollout refusal (409, as for
  // authorize()); the session's own refusals (403, 400, 409 card_refused, 410) throw ApiError.
  OnlineAuthorizationAnswer finish_session(const std::string& campaign_id, const std::string& session_id,
                                           const api::SessionAnswer& answer);
  // POST /reports; idempotent on the server, so it is safely retried on 503 / connection errors.
  api::ReportAnswer report(const std::string& campaign_id, const api::ReportRequest& request);

  // Admin routes (the admin token): for the demo, tests and scripts.
  api::Campaign create_campaign(const api::CampaignCreate& request);
  api::TokenCreated create_token(const api::TokenCreate& request);
  api::EventList events(const std::string& campaign_id, std::int64_t after_id = 0);
  api::Timeline timeline(const std::string& campaign_id);
  api::DeviceList devices(const std::optional<api::DeviceState>& state = std::nullopt,
                          const std::optional<std::string>& campaign_id = std::nullopt);
  api::DeviceRecord device(const std::string& se_id);
  api::ReleaseAnswer release(const std::string& se_id, const api::ReleaseRequest& request);
  api::Campaign control(const std::string& campaign_id, api::CampaignOperation operation);
  nlohmann::json get_json(const std::string& path);  // any GET → JSON (200)

  HttpSession& session() noexcept { return session_; }

 private:
  // The JSON of an answer with status `expected`, read by `reader`; ApiError otherwise.
  template <typename Reader>
  auto read(const HttpAnswer& answer, int expected, const std::string& what, Reader&& reader);

  // A 409 naming a rollout refusal (api::Refusal), read with its detail and Retry-After; nullopt for
  // another reason.
  static std::optional<AuthorizationRefusal> rollout_refusal(const HttpAnswer& answer, const std::string& what);

  HttpSession session_;
};

}  // namespace sefleet::offcard::terminal

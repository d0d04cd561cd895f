// The server's SQL, one function per question or change, each inside the caller's Transaction (the
// campaign service decides what one unit of work is). Portable SQL with $n placeholders. States and
// other API words are stored as their API spelling (api/enums.hpp) and read back as enums; a stored
// word this program does not know is Error(integrity_error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "offcard/api/enums.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::server {

struct CampaignRow {
  std::string id;  // 32 lower-case hex
  std::string name;
  std::int64_t created_at = 0;
  int profile = 0;
  std::string image_json;  // api::ImageInfo as JSON
  Bytes terms;             // serialize_campaign_terms (profile 4: after the HSM's preparation)
  std::string master_key;
  std::optional<std::string> campaign_kek;
  int security_level = 0x33;
  std::string waves_json;
  double max_failure_rate = 1.0;
  std::int64_t min_reports = 5;
  double max_unverified_rate = 1.0;
  api::ReportPolicy policy;
  api::ActivationMode activation_mode = api::ActivationMode::immediate;
  std::optional<std::int64_t> activation_at;
  bool activated = false;
  api::CampaignState state = api::CampaignState::active;
  std::optional<std::string> pause_reason;
  std::int64_t current_wave = 0;
  std::int64_t wave_reports = 0;     // counted authenticated reports in the current wave
  std::int64_t wave_failures = 0;    // of those, failures
  std::int64_t wave_unverified = 0;  // counted unverified reports in the current wave
  std::int64_t target_count = 0;
  api::DeviceCounts counts;  // kept in the row so progress and the timeline never scan the targets
  std::string pse_sha256;
  std::int64_t pse_size = 0;
  std::int64_t pse_commands = 0;
  std::optional<std::string> pmob_sha256;
  std::int64_t pmob_size = 0;
};

struct TargetRow {
  std::string campaign_id;
  std::string se_id;
  std::int64_t rank = 0;
  api::DeviceState state = api::DeviceState::pending;
  std::int64_t attempts = 0;                      // authenticated failures
  std::int64_t unverified_attempts = 0;           // unverified failures since the last authenticated report
  std::optional<std::int64_t> retry_at;           // unverified back-off
  std::optional<std::string> last_authorization;  // the SE's newest PAUT in this campaign
  std::string reason;                             // of the last decision
  std::int64_t updated_at = 0;
};

// AuthorizationRow::protocol: an offline PAUT (SCP03 with a pseudo-random challenge), a PAUT computed
// online for an SCP03 SE with a random card challenge (its report is checked as an offline PAUT's), or
// an online session of SCP11a/b/c ("scp11a", ...).
inline constexpr std::string_view kProtocolScp03Paut = "scp03-paut";
inline constexpr std::string_view kProtocolScp03Online = "scp03-online";
std::string online_protocol_name(gp::scp11::Variant variant);
// The SCP11 variant of an online protocol name; nullopt for any other protocol.
std::optional<gp::scp11::Variant> scp11_protocol_variant(std::string_view protocol);

struct AuthorizationRow {
  std::string id;
  std::string campaign_id;
  std::string se_id;
  std::optional<std::int64_t> token_id;  // null: the admin token
  api::PautAction action = api::PautAction::activate;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  std::string kdd;
  std::int64_t kvn = 0;
  std::int64_t scp_i = 0;  // kOnlineAuthorizationScpI for an SCP11 online authorization
  std::int64_t sequence_counter = 0;
  // serialize_paut_file (the commands and the PautCheck) of an offline PAUT; empty for an online one.
  Bytes paut;
  // Which protocol issued it (kProtocolScp03Paut, or an online one: online_protocol_name) and, for an
  // online authorization, its check sealed under the session KEK (online_session_state.hpp).
  std::string protocol = std::string(kProtocolScp03Paut);
  std::optional<Bytes> online_check;
};

// The SCP03 "i" of an SCP11 online authorization's row: 00, which no SCP03 key set has (an SCP11
// session has no "i"; its kdd is empty and its kvn is the SCP11 key's).
inline constexpr std::int64_t kOnlineAuthorizationScpI = 0;

// Records an online authorization's protocol and sealed check in its row (whatever the protocol: the
// report path opens the check of the protocol the row names).
void set_online_check(AuthorizationRow& a, std::string protocol, Bytes sealed_check);

// One report as received (several per authorization: an unverified one never blocks a later one).
struct ReportRow {
  std::string authorization_id;
  std::string campaign_id;
  std::string se_id;
  std::string request_hash;  // SHA-256 of the request's canonical JSON: a resend is the same report
  std::string answer_json;   // the answer given, returned again for a resend
  DeliveryOutcome outcome = DeliveryOutcome::interrupted;
  api::Evidence evidence = api::Evidence::unverified;
  bool counted = false;  // it changed the SE's state
  api::DeviceState decision = api::DeviceState::retry;
  std::string reason;
  std::int64_t t = 0;
};

struct TokenRow {
  std::int64_t id = 0;
  std::string name;
  std::string campaigns_json;
  std::int64_t created_at = 0;
};

struct EventRow {
  std::int64_t id = 0;
  std::int64_t t = 0;
  std::optional<std::string> se_id;
  std::string kind;
  std::optional<api::DeviceState> decision;
  std::string detail;
};

struct TimelineRow {
  std::int64_t t = 0, updated = 0, failed = 0, quarantined = 0, in_progress = 0, unreachable = 0;
};

struct ImageRow {
  std::string image_type;
  std::int64_t version = 0;
  std::string sha256;
  std::string campaign_id;
  std::int64_t t = 0;
};

// How the device list's SE id search matches: anywhere in the id (a scan of the candidates), or at its
// start (a range of the SE id index).
enum class SeIdMatch { contains, prefix };

// Which targets the device list shows (GET /v1/devices): every filter optional; one page when `limit`
// is set, in the list's order (campaign, then wave rank).
struct TargetQuery {
  std::optional<std::string> campaign_id;
  std::optional<api::DeviceState> state;
  std::optional<std::string> se_id_part;  // lower-case hex digits the SE id contains or starts with
  SeIdMatch se_id_match = SeIdMatch::contains;
  std::optional<std::int64_t> limit;
  std::int64_t offset = 0;
};

class Repository {
 public:
  explicit Repository(db::Transaction& tx) : tx_(tx) {}

  // Campaigns.
  void insert_campaign(const CampaignRow& row, const Bytes& pse_file, const std::optional<Bytes>& pmob);
  std::optional<CampaignRow> find_campaign(const std::string& id);
  std::vector<CampaignRow> list_campaigns();
  // Writes the mutable part: state, pause_reason, activated, current_wave, wave counters, counts.
  void save_campaign_state(const CampaignRow& row);
  Bytes load_pse(const std::string& id);
  std::optional<Bytes> load_pmob(const std::string& id);

  // Targets.
  void insert_target(const TargetRow& row);
  std::optional<TargetRow> find_target(const std::string& campaign_id, const std::string& se_id);
  void save_target(const TargetRow& row);
  // Targets with rank < `admitted` whose state is not final (api::is_final), staged counting as final
  // when `staged_is_final` (a deferred campaign before its activation).
  std::int64_t count_unfinished(const std::string& campaign_id, std::int64_t admitted, bool staged_is_final);
  std::vector<TargetRow> list_targets(const TargetQuery& query);
  std::int64_t count_targets(const TargetQuery& query);  // every match, ignoring limit and offset
  std::vector<TargetRow> targets_of_se(const std::string& se_id);

  // Authorizations and reports.
  void insert_authorization(const AuthorizationRow& row);
  std::optional<AuthorizationRow> find_authorization(const std::string& id);
  std::vector<AuthorizationRow> authorizations_of_se(const std::string& se_id);
  void insert_report(const ReportRow& row);
  std::vector<ReportRow> reports_of(const std::string& authorization_id);  // oldest first

  // Images (current per SE and type).
  void upsert_image(const std::string& se_id, const ImageRow& image);
  std::vector<ImageRow> images_of_se(const std::string& se_id);

  // Decision log and timeline.
  void add_event(const std::string& campaign_id, std::int64_t t, const std::optional<std::string>& se_id,
                 const std::string& kind, const std::optional<api::DeviceState>& decision, const std::string& detail);
  // The campaign's events after `after_id`, oldest first; only those whose decision is one of `decisions`
  // when it is not empty.
  std::vector<EventRow> events(const std::string& campaign_id, std::int64_t after_id, std::int64_t limit,
                               const std::vector<api::DeviceState>& decisions = {});
  void add_timeline_sample(const std::string& campaign_id, const TimelineRow& sample);
  std::vector<TimelineRow> timeline(const std::string& campaign_id);

  // Tokens.
  std::int64_t insert_token(const std::string& name, const std::string& hash, const std::string& campaigns_json,
                            std::int64_t created_at);
  std::optional<TokenRow> find_token_by_hash(const std::string& hash);
  std::vector<TokenRow> list_tokens();
  bool delete_token(std::int64_t id);

 private:
  db::Transaction& tx_;
};

}  // namespace sefleet::offcard::server

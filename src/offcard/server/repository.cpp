#include "offcard/server/repository.hpp"

#include <array>
#include <string>

#include "core/error.hpp"

namespace sefleet::offcard::server {
namespace {

using db::Value;

Value opt(const std::optional<std::string>& text) { return text ? Value(*text) : Value(std::monostate{}); }
Value opt(const std::optional<std::int64_t>& number) { return number ? Value(*number) : Value(std::monostate{}); }

constexpr std::string_view kCampaignColumns =
    "id, name, created_at, profile, image_json, terms, master_key, campaign_kek, security_level, waves_json, "
    "max_failure_rate, min_reports, max_attempts, activation_mode, activation_at, activated, state, pause_reason, "
    "current_wave, wave_reports, wave_failures, target_count, n_pending, n_authorized, n_updated, n_staged, "
    "n_retry, n_quarantined, pse_sha256, length(pse), pse_commands, pmob_sha256, length(pmob)";

CampaignRow campaign_from(const db::Row& r) {
  CampaignRow c;
  c.id = r.text(0);
  c.name = r.text(1);
  c.created_at = r.integer(2);
  c.profile = static_cast<int>(r.integer(3));
  c.image_json = r.text(4);
  c.terms = r.blob(5);
  c.master_key = r.text(6);
  c.campaign_kek = r.optional_text(7);
  c.security_level = static_cast<int>(r.integer(8));
  c.waves_json = r.text(9);
  c.max_failure_rate = r.real(10);
  c.min_reports = r.integer(11);
  c.max_attempts = r.integer(12);
  c.activation_mode = r.text(13);
  c.activation_at = r.optional_integer(14);
  c.activated = r.integer(15) != 0;
  c.state = r.text(16);
  c.pause_reason = r.optional_text(17);
  c.current_wave = r.integer(18);
  c.wave_reports = r.integer(19);
  c.wave_failures = r.integer(20);
  c.target_count = r.integer(21);
  c.n_pending = r.integer(22);
  c.n_authorized = r.integer(23);
  c.n_updated = r.integer(24);
  c.n_staged = r.integer(25);
  c.n_retry = r.integer(26);
  c.n_quarantined = r.integer(27);
  c.pse_sha256 = r.text(28);
  c.pse_size = r.integer(29);
  c.pse_commands = r.integer(30);
  c.pmob_sha256 = r.optional_text(31);
  c.pmob_size = r.optional_integer(32).value_or(0);
  return c;
}

constexpr std::string_view kTargetColumns = "campaign_id, se_id, rank, state, attempts, updated_at";

TargetRow target_from(const db::Row& r) {
  return TargetRow{r.text(0), r.text(1), r.integer(2), r.text(3), r.integer(4), r.integer(5)};
}

constexpr std::string_view kAuthorizationColumns =
    "id, campaign_id, se_id, token_id, action, issued_at, expires_at, kdd, kvn, scp_i, sequence_counter, paut";

AuthorizationRow authorization_from(const db::Row& r) {
  AuthorizationRow a;
  a.id = r.text(0);
  a.campaign_id = r.text(1);
  a.se_id = r.text(2);
  a.token_id = r.optional_integer(3);
  a.action = r.text(4);
  a.issued_at = r.integer(5);
  a.expires_at = r.integer(6);
  a.kdd = r.text(7);
  a.kvn = r.integer(8);
  a.scp_i = r.integer(9);
  a.sequence_counter = r.integer(10);
  a.paut = r.blob(11);
  return a;
}

std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out += part;
  return out;
}

}  // namespace

bool is_device_state(const std::string& state) {
  static const std::array<std::string_view, 6> states{kPending, kAuthorized, kUpdated, kStaged, kRetry, kQuarantined};
  for (auto s : states) {
    if (s == state) return true;
  }
  return false;
}

void Repository::insert_campaign(const CampaignRow& c, const Bytes& pse_file, const std::optional<Bytes>& pmob) {
  tx_.exec(
      "INSERT INTO campaigns (id, name, created_at, profile, image_json, terms, master_key, campaign_kek, "
      "security_level, waves_json, max_failure_rate, min_reports, max_attempts, activation_mode, activation_at, "
      "activated, state, pause_reason, current_wave, wave_reports, wave_failures, target_count, n_pending, "
      "n_authorized, n_updated, n_staged, n_retry, n_quarantined, pse, pse_sha256, pse_commands, pmob, pmob_sha256) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, "
      "$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)",
      {c.id, c.name, c.created_at, std::int64_t{c.profile}, c.image_json, c.terms, c.master_key, opt(c.campaign_kek),
       std::int64_t{c.security_level}, c.waves_json, c.max_failure_rate, c.min_reports, c.max_attempts,
       c.activation_mode, opt(c.activation_at), std::int64_t{c.activated ? 1 : 0}, c.state, opt(c.pause_reason),
       c.current_wave, c.wave_reports, c.wave_failures, c.target_count, c.n_pending, c.n_authorized, c.n_updated,
       c.n_staged, c.n_retry, c.n_quarantined, pse_file, c.pse_sha256, c.pse_commands,
       pmob ? Value(*pmob) : Value(std::monostate{}), opt(c.pmob_sha256)});
}

std::optional<CampaignRow> Repository::find_campaign(const std::string& id) {
  auto rows = tx_.query(sql({"SELECT ", kCampaignColumns, " FROM campaigns WHERE id = $1"}), {id});
  if (rows.empty()) return std::nullopt;
  return campaign_from(rows.front());
}

std::vector<CampaignRow> Repository::list_campaigns() {
  std::vector<CampaignRow> out;
  for (const auto& row : tx_.query(sql({"SELECT ", kCampaignColumns, " FROM campaigns ORDER BY created_at, id"}))) {
    out.push_back(campaign_from(row));
  }
  return out;
}

void Repository::save_campaign_state(const CampaignRow& c) {
  tx_.exec(
      "UPDATE campaigns SET state = $1, pause_reason = $2, activated = $3, current_wave = $4, wave_reports = $5, "
      "wave_failures = $6, n_pending = $7, n_authorized = $8, n_updated = $9, n_staged = $10, n_retry = $11, "
      "n_quarantined = $12 WHERE id = $13",
      {c.state, opt(c.pause_reason), std::int64_t{c.activated ? 1 : 0}, c.current_wave, c.wave_reports,
       c.wave_failures, c.n_pending, c.n_authorized, c.n_updated, c.n_staged, c.n_retry, c.n_quarantined, c.id});
  if (tx_.changes() != 1) throw Error(Errc::not_found, "campaign " + c.id + " vanished while saving its state");
}

Bytes Repository::load_pse(const std::string& id) {
  auto rows = tx_.query("SELECT pse FROM campaigns WHERE id = $1", {id});
  if (rows.empty()) throw Error(Errc::not_found, "campaign " + id + ": no PSE");
  return rows.front().blob(0);
}

std::optional<Bytes> Repository::load_pmob(const std::string& id) {
  auto rows = tx_.query("SELECT pmob FROM campaigns WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return rows.front().optional_blob(0);
}

void Repository::insert_target(const TargetRow& t) {
  tx_.exec("INSERT INTO targets (campaign_id, se_id, rank, state, attempts, updated_at) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           {t.campaign_id, t.se_id, t.rank, t.state, t.attempts, t.updated_at});
}

std::optional<TargetRow> Repository::find_target(const std::string& campaign_id, const std::string& se_id) {
  auto rows = tx_.query(sql({"SELECT ", kTargetColumns, " FROM targets WHERE campaign_id = $1 AND se_id = $2"}),
                        {campaign_id, se_id});
  if (rows.empty()) return std::nullopt;
  return target_from(rows.front());
}

void Repository::save_target(const TargetRow& t) {
  tx_.exec("UPDATE targets SET state = $1, attempts = $2, updated_at = $3 WHERE campaign_id = $4 AND se_id = $5",
           {t.state, t.attempts, t.updated_at, t.campaign_id, t.se_id});
}

std::int64_t Repository::count_unfinished(const std::string& campaign_id, std::int64_t admitted,
                                          const std::vector<std::string>& final_states) {
  std::string query = "SELECT COUNT(*) FROM targets WHERE campaign_id = $1 AND rank < $2";
  std::vector<Value> params{campaign_id, admitted};
  for (const auto& state : final_states) {
    params.emplace_back(state);
    query += " AND state <> $" + std::to_string(params.size());
  }
  return tx_.query(query, params).front().integer(0);
}

std::vector<TargetRow> Repository::list_targets(const std::optional<std::string>& campaign_id,
                                                const std::optional<std::string>& state) {
  std::string query = sql({"SELECT ", kTargetColumns, " FROM targets WHERE 1 = 1"});
  std::vector<Value> params;
  if (campaign_id) {
    params.emplace_back(*campaign_id);
    query += " AND campaign_id = $" + std::to_string(params.size());
  }
  if (state) {
    params.emplace_back(*state);
    query += " AND state = $" + std::to_string(params.size());
  }
  query += " ORDER BY campaign_id, rank";
  std::vector<TargetRow> out;
  for (const auto& row : tx_.query(query, params)) out.push_back(target_from(row));
  return out;
}

std::vector<TargetRow> Repository::targets_of_se(const std::string& se_id) {
  std::vector<TargetRow> out;
  for (const auto& row :
       tx_.query(sql({"SELECT ", kTargetColumns, " FROM targets WHERE se_id = $1 ORDER BY campaign_id"}), {se_id})) {
    out.push_back(target_from(row));
  }
  return out;
}

void Repository::insert_authorization(const AuthorizationRow& a) {
  tx_.exec(sql({"INSERT INTO authorizations (", kAuthorizationColumns,
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"}),
           {a.id, a.campaign_id, a.se_id, opt(a.token_id), a.action, a.issued_at, a.expires_at, a.kdd, a.kvn, a.scp_i,
            a.sequence_counter, a.paut});
}

std::optional<AuthorizationRow> Repository::find_authorization(const std::string& id) {
  auto rows = tx_.query(sql({"SELECT ", kAuthorizationColumns, " FROM authorizations WHERE id = $1"}), {id});
  if (rows.empty()) return std::nullopt;
  return authorization_from(rows.front());
}

std::vector<AuthorizationRow> Repository::authorizations_of_se(const std::string& se_id) {
  std::vector<AuthorizationRow> out;
  for (const auto& row : tx_.query(
           sql({"SELECT ", kAuthorizationColumns, " FROM authorizations WHERE se_id = $1 ORDER BY issued_at, id"}),
           {se_id})) {
    out.push_back(authorization_from(row));
  }
  return out;
}

void Repository::insert_report(const ReportRow& r) {
  tx_.exec(
      "INSERT INTO reports (authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, decision, "
      "reason, t) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {r.authorization_id, r.campaign_id, r.se_id, r.request_hash, r.answer_json, r.outcome, r.decision, r.reason,
       r.t});
}

std::optional<ReportRow> Repository::find_report(const std::string& authorization_id) {
  auto rows = tx_.query(
      "SELECT authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, decision, reason, t "
      "FROM reports WHERE authorization_id = $1",
      {authorization_id});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows.front();
  return ReportRow{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7), r.integer(8)};
}

void Repository::upsert_image(const std::string& se_id, const ImageRow& image) {
  tx_.exec(
      "INSERT INTO images (se_id, image_type, version, sha256, campaign_id, t) VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (se_id, image_type) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256, "
      "campaign_id = excluded.campaign_id, t = excluded.t",
      {se_id, image.image_type, image.version, image.sha256, image.campaign_id, image.t});
}

std::vector<ImageRow> Repository::images_of_se(const std::string& se_id) {
  std::vector<ImageRow> out;
  for (const auto& r : tx_.query(
           "SELECT image_type, version, sha256, campaign_id, t FROM images WHERE se_id = $1 ORDER BY image_type",
           {se_id})) {
    out.push_back(ImageRow{r.text(0), r.integer(1), r.text(2), r.text(3), r.integer(4)});
  }
  return out;
}

void Repository::add_event(const std::string& campaign_id, std::int64_t t, const std::optional<std::string>& se_id,
                           const std::string& kind, const std::optional<std::string>& decision,
                           const std::string& detail) {
  tx_.exec("INSERT INTO events (campaign_id, t, se_id, kind, decision, detail) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           {campaign_id, t, opt(se_id), kind, opt(decision), detail});
}

std::vector<EventRow> Repository::events(const std::string& campaign_id, std::int64_t after_id, std::int64_t limit) {
  std::vector<EventRow> out;
  for (const auto& r : tx_.query(
           "SELECT id, t, se_id, kind, decision, detail FROM events WHERE campaign_id = $1 AND id > $2 ORDER BY id "
           "LIMIT $3",
           {campaign_id, after_id, limit})) {
    out.push_back(EventRow{r.integer(0), r.integer(1), r.optional_text(2), r.text(3), r.optional_text(4), r.text(5)});
  }
  return out;
}

void Repository::add_timeline_sample(const std::string& campaign_id, std::int64_t t, const TimelineRow& s) {
  tx_.exec("INSERT INTO timeline (campaign_id, t, updated, failed, quarantined, in_progress) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           {campaign_id, t, s.updated, s.failed, s.quarantined, s.in_progress});
}

std::vector<TimelineRow> Repository::timeline(const std::string& campaign_id) {
  std::vector<TimelineRow> out;
  for (const auto& r : tx_.query(
           "SELECT t, updated, failed, quarantined, in_progress FROM timeline WHERE campaign_id = $1 ORDER BY id",
           {campaign_id})) {
    out.push_back(TimelineRow{r.integer(0), r.integer(1), r.integer(2), r.integer(3), r.integer(4)});
  }
  return out;
}

std::int64_t Repository::insert_token(const std::string& name, const std::string& hash,
                                      const std::string& campaigns_json, std::int64_t created_at) {
  return tx_.exec_returning_id(
      "INSERT INTO tokens (name, token_hash, campaigns_json, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
      {name, hash, campaigns_json, created_at});
}

std::optional<TokenRow> Repository::find_token_by_hash(const std::string& hash) {
  auto rows = tx_.query("SELECT id, name, campaigns_json, created_at FROM tokens WHERE token_hash = $1", {hash});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows.front();
  return TokenRow{r.integer(0), r.text(1), r.text(2), r.integer(3)};
}

std::vector<TokenRow> Repository::list_tokens() {
  std::vector<TokenRow> out;
  for (const auto& r : tx_.query("SELECT id, name, campaigns_json, created_at FROM tokens ORDER BY id")) {
    out.push_back(TokenRow{r.integer(0), r.text(1), r.text(2), r.integer(3)});
  }
  return out;
}

bool Repository::delete_token(std::int64_t id) {
  tx_.exec("DELETE FROM tokens WHERE id = $1", {id});
  return tx_.changes() == 1;
}

}  // namespace sefleet::offcard::server

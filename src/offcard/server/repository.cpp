#include "offcard/server/repository.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/error.hpp"

namespace sefleet::offcard::server {
namespace {

using api::DeviceState;
using db::Value;

Value opt(const std::optional<std::string>& text) {
  return text ? Value(*text) : Value(std::monostate{});
}
Value opt(const std::optional<std::int64_t>& number) {
  return number ? Value(*number) : Value(std::monostate{});
}
Value opt(const std::optional<Bytes>& blob) {
  return blob ? Value(*blob) : Value(std::monostate{});
}
template <typename E>
Value word(E value) {
  return Value(std::string(api::name(value)));
}

// A stored API word read back; an unknown one means the row was not written by this program.
template <typename E>
E stored(const std::string& text, const char* column) {
  if (auto value = api::from_name<E>(text)) return *value;
  throw Error(Errc::integrity_error,
              std::string("database: column ") + column + " holds \"" + text + "\", which this program does not know");
}

// "$1, $2, ..., $n"
std::string placeholders(int n) {
  std::string out;
  for (int k = 1; k <= n; ++k) out += (k > 1 ? ", $" : "$") + std::to_string(k);
  return out;
}

// One placeholder per column of the comma-separated `columns` of an INSERT, so a column added to the
// list cannot leave the statement a placeholder short.
std::string placeholders_for(std::string_view columns) {
  return placeholders(static_cast<int>(1 + std::count(columns.begin(), columns.end(), ',')));
}

// A statement's text from parts. Statements with a fixed text are built once (function-local statics):
// the backends find their prepared statement by the text, so only the lookup is left per call.
std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out += part;
  return out;
}

// The device counters, in api::DeviceState order.
constexpr std::string_view kCountColumns =
    "n_pending, n_authorized, n_updated, n_staged, n_retry, n_quarantined, n_unreachable";

constexpr std::string_view kCampaignColumns =
    "id, name, created_at, profile, image_json, terms, master_key, campaign_kek, security_level, waves_json, "
    "max_failure_rate, min_reports, max_unverified_rate, max_attempts, max_unverified_attempts, unverified_backoff, "
    "activation_mode, activation_at, activated, state, pause_reason, current_wave, wave_reports, wave_failures, "
    "wave_unverified, target_count, pse_sha256, pse_size, pse_commands, pmob_sha256, pmob_size, "
    "n_pending, n_authorized, n_updated, n_staged, n_retry, n_quarantined, n_unreachable";
constexpr std::size_t kFirstCountColumn = 31;

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
  c.max_unverified_rate = r.real(12);
  c.policy.max_attempts = r.integer(13);
  c.policy.max_unverified_attempts = r.integer(14);
  c.policy.unverified_backoff = r.integer(15);
  c.activation_mode = stored<api::ActivationMode>(r.text(16), "campaigns.activation_mode");
  c.activation_at = r.optional_integer(17);
  c.activated = r.integer(18) != 0;
  c.state = stored<api::CampaignState>(r.text(19), "campaigns.state");
  c.pause_reason = r.optional_text(20);
  c.current_wave = r.integer(21);
  c.wave_reports = r.integer(22);
  c.wave_failures = r.integer(23);
  c.wave_unverified = r.integer(24);
  c.target_count = r.integer(25);
  c.pse_sha256 = r.text(26);
  c.pse_size = r.integer(27);
  c.pse_commands = r.integer(28);
  c.pmob_sha256 = r.optional_text(29);
  c.pmob_size = r.optional_integer(30).value_or(0);
  for (std::size_t k = 0; k < api::kDeviceStateCount; ++k) c.counts.n[k] = r.integer(kFirstCountColumn + k);
  return c;
}

constexpr std::string_view kTargetColumns =
    "campaign_id, se_id, rank, state, attempts, unverified_attempts, retry_at, last_authorization, reason, updated_at";

TargetRow target_from(const db::Row& r) {
  TargetRow t;
  t.campaign_id = r.text(0);
  t.se_id = r.text(1);
  t.rank = r.integer(2);
  t.state = stored<DeviceState>(r.text(3), "targets.state");
  t.attempts = r.integer(4);
  t.unverified_attempts = r.integer(5);
  t.retry_at = r.optional_integer(6);
  t.last_authorization = r.optional_text(7);
  t.reason = r.text(8);
  t.updated_at = r.integer(9);
  return t;
}

constexpr std::string_view kAuthorizationColumns =
    "id, campaign_id, se_id, token_id, action, issued_at, expires_at, kdd, kvn, scp_i, sequence_counter, paut, "
    "protocol, online_check";

AuthorizationRow authorization_from(const db::Row& r) {
  AuthorizationRow a;
  a.id = r.text(0);
  a.campaign_id = r.text(1);
  a.se_id = r.text(2);
  a.token_id = r.optional_integer(3);
  a.action = stored<api::PautAction>(r.text(4), "authorizations.action");
  a.issued_at = r.integer(5);
  a.expires_at = r.integer(6);
  a.kdd = r.text(7);
  a.kvn = r.integer(8);
  a.scp_i = r.integer(9);
  a.sequence_counter = r.integer(10);
  a.paut = r.blob(11);
  a.protocol = r.text(12);
  a.online_check = r.optional_blob(13);
  return a;
}

constexpr std::string_view kReportColumns =
    "authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, evidence, counted, decision, reason, t";

ReportRow report_from(const db::Row& r) {
  ReportRow report;
  report.authorization_id = r.text(0);
  report.campaign_id = r.text(1);
  report.se_id = r.text(2);
  report.request_hash = r.text(3);
  report.answer_json = r.text(4);
  report.outcome = stored<DeliveryOutcome>(r.text(5), "reports.outcome");
  report.evidence = stored<api::Evidence>(r.text(6), "reports.evidence");
  report.counted = r.integer(7) != 0;
  report.decision = stored<DeviceState>(r.text(8), "reports.decision");
  report.reason = r.text(9);
  report.t = r.integer(10);
  return report;
}

}  // namespace

// The variant's name in lower case: "scp11a", "scp11b", "scp11c".
std::string online_protocol_name(gp::scp11::Variant variant) {
  std::string name = gp::scp11::variant_name(variant);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::optional<gp::scp11::Variant> scp11_protocol_variant(std::string_view protocol) {
  for (const auto variant : {gp::scp11::Variant::a, gp::scp11::Variant::b, gp::scp11::Variant::c}) {
    if (protocol == online_protocol_name(variant)) return variant;
  }
  return std::nullopt;
}

void set_online_check(AuthorizationRow& a, std::string protocol, Bytes sealed_check) {
  a.protocol = std::move(protocol);
  a.online_check = std::move(sealed_check);
  a.paut.clear();
}

void Repository::insert_campaign(const CampaignRow& c, const Bytes& pse_file, const std::optional<Bytes>& pmob) {
  std::vector<Value> values{c.id,
                            c.name,
                            c.created_at,
                            std::int64_t{c.profile},
                            c.image_json,
                            c.terms,
                            c.master_key,
                            opt(c.campaign_kek),
                            std::int64_t{c.security_level},
                            c.waves_json,
                            c.max_failure_rate,
                            c.min_reports,
                            c.max_unverified_rate,
                            c.policy.max_attempts,
                            c.policy.max_unverified_attempts,
                            c.policy.unverified_backoff,
                            word(c.activation_mode),
                            opt(c.activation_at),
                            std::int64_t{c.activated ? 1 : 0},
                            word(c.state),
                            opt(c.pause_reason),
                            c.current_wave,
                            c.wave_reports,
                            c.wave_failures,
                            c.wave_unverified,
                            c.target_count,
                            static_cast<std::int64_t>(pse_file.size()),
                            c.pse_sha256,
                            c.pse_commands,
                            pmob ? Value(static_cast<std::int64_t>(pmob->size())) : Value(std::monostate{}),
                            opt(c.pmob_sha256)};
  for (std::int64_t count : c.counts.n) values.emplace_back(count);
  tx_.exec(sql({"INSERT INTO campaigns (id, name, created_at, profile, image_json, terms, master_key, campaign_kek, "
                "security_level, waves_json, max_failure_rate, min_reports, max_unverified_rate, max_attempts, "
                "max_unverified_attempts, unverified_backoff, activation_mode, activation_at, activated, state, "
                "pause_reason, current_wave, wave_reports, wave_failures, wave_unverified, target_count, pse_size, "
                "pse_sha256, pse_commands, pmob_size, pmob_sha256, ",
                kCountColumns, ") VALUES (", placeholders(static_cast<int>(values.size())), ")"}),
           values);
  constexpr std::string_view kInsertFile = "INSERT INTO campaign_files (campaign_id, kind, bytes) VALUES ($1, $2, $3)";
  tx_.exec(kInsertFile, {c.id, std::string("pse"), pse_file});
  if (pmob) tx_.exec(kInsertFile, {c.id, std::string("pmob"), *pmob});
}

std::optional<CampaignRow> Repository::find_campaign(const std::string& id) {
  static const std::string kQuery = sql({"SELECT ", kCampaignColumns, " FROM campaigns WHERE id = $1"});
  auto rows = tx_.query(kQuery, {id});
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
      "wave_failures = $6, wave_unverified = $7, n_pending = $8, n_authorized = $9, n_updated = $10, n_staged = $11, "
      "n_retry = $12, n_quarantined = $13, n_unreachable = $14 WHERE id = $15",
      {word(c.state), opt(c.pause_reason), std::int64_t{c.activated ? 1 : 0}, c.current_wave, c.wave_reports,
       c.wave_failures, c.wave_unverified, c.counts[DeviceState::pending], c.counts[DeviceState::authorized],
       c.counts[DeviceState::updated], c.counts[DeviceState::staged], c.counts[DeviceState::retry],
       c.counts[DeviceState::quarantined], c.counts[DeviceState::unreachable], c.id});
  if (tx_.changes() != 1) throw Error(Errc::not_found, "campaign " + c.id + " vanished while saving its state");
}

Bytes Repository::load_pse(const std::string& id) {
  auto rows = tx_.query("SELECT bytes FROM campaign_files WHERE campaign_id = $1 AND kind = 'pse'", {id});
  if (rows.empty()) throw Error(Errc::not_found, "campaign " + id + ": no PSE");
  return rows.front().blob(0);
}

std::optional<Bytes> Repository::load_pmob(const std::string& id) {
  auto rows = tx_.query("SELECT bytes FROM campaign_files WHERE campaign_id = $1 AND kind = 'pmob'", {id});
  if (rows.empty()) return std::nullopt;
  return rows.front().blob(0);
}

void Repository::insert_target(const TargetRow& t) {
  static const std::string kInsert =
      sql({"INSERT INTO targets (", kTargetColumns, ") VALUES (", placeholders_for(kTargetColumns), ")"});
  tx_.exec(kInsert, {t.campaign_id, t.se_id, t.rank, word(t.state), t.attempts, t.unverified_attempts, opt(t.retry_at),
                     opt(t.last_authorization), t.reason, t.updated_at});
}

std::optional<TargetRow> Repository::find_target(const std::string& campaign_id, const std::string& se_id) {
  static const std::string kQuery =
      sql({"SELECT ", kTargetColumns, " FROM targets WHERE campaign_id = $1 AND se_id = $2"});
  auto rows = tx_.query(kQuery, {campaign_id, se_id});
  if (rows.empty()) return std::nullopt;
  return target_from(rows.front());
}

void Repository::save_target(const TargetRow& t) {
  tx_.exec(
      "UPDATE targets SET state = $1, attempts = $2, unverified_attempts = $3, retry_at = $4, last_authorization = $5, "
      "reason = $6, updated_at = $7 WHERE campaign_id = $8 AND se_id = $9",
      {word(t.state), t.attempts, t.unverified_attempts, opt(t.retry_at), opt(t.last_authorization), t.reason,
       t.updated_at, t.campaign_id, t.se_id});
}

std::int64_t Repository::count_unfinished(const std::string& campaign_id, std::int64_t admitted, bool staged_is_final) {
  std::string query = "SELECT COUNT(*) FROM targets WHERE campaign_id = $1 AND rank < $2 AND state NOT IN ($3, $4, $5";
  std::vector<Value> params{campaign_id, admitted, word(DeviceState::updated), word(DeviceState::quarantined),
                            word(DeviceState::unreachable)};
  if (staged_is_final) {
    params.push_back(word(DeviceState::staged));
    query += ", $6";
  }
  return tx_.query(query + ")", params).front().integer(0);
}

namespace {

// " WHERE ..." of a target query, its parameters appended to `params`. The SE id part is lower-case hex
// (checked by the caller), so it holds none of LIKE's wildcards. A prefix p is the range [p, p + "g") of
// the SE id index: SE ids are stored as lower-case hex and 'g' sorts after every hex digit, in SQLite's
// binary order as in the "C" collation PostgreSQL keeps targets.se_id in (migration 4).
std::string target_filter(const TargetQuery& query, std::vector<Value>& params) {
  std::string where = " WHERE 1 = 1";
  if (query.campaign_id) {
    params.emplace_back(*query.campaign_id);
    where += " AND campaign_id = $" + std::to_string(params.size());
  }
  if (query.state) {
    params.emplace_back(word(*query.state));
    where += " AND state = $" + std::to_string(params.size());
  }
  if (query.se_id_part && query.se_id_match == SeIdMatch::prefix) {
    params.emplace_back(*query.se_id_part);
    where += " AND se_id >= $" + std::to_string(params.size());
    params.emplace_back(*query.se_id_part + "g");
    where += " AND se_id < $" + std::to_string(params.size());
  } else if (query.se_id_part) {
    params.emplace_back("%" + *query.se_id_part + "%");
    where += " AND se_id LIKE $" + std::to_string(params.size());
  }
  return where;
}

}  // namespace

std::vector<TargetRow> Repository::list_targets(const TargetQuery& query) {
  std::vector<Value> params;
  std::string text = sql({"SELECT ", kTargetColumns, " FROM targets"});
  if (query.se_id_part && query.se_id_match == SeIdMatch::contains) {
    // A substring has to look at every SE id: it finds them in the narrow primary-key index first and
    // reads only the matching rows, instead of reading every row in the list's order (what SQLite
    // does with the plain LIKE: ten times slower at 100,000 targets, docs/benchmarks.md).
    TargetQuery others = query;
    others.se_id_part.reset();
    text += target_filter(others, params);
    params.emplace_back("%" + *query.se_id_part + "%");
    text += " AND (campaign_id, se_id) IN (SELECT campaign_id, se_id FROM targets WHERE se_id LIKE $" +
            std::to_string(params.size()) + ")";
  } else {
    text += target_filter(query, params);
  }
  text += " ORDER BY campaign_id, rank";
  if (query.limit) {
    params.emplace_back(*query.limit);
    text += " LIMIT $" + std::to_string(params.size());
    params.emplace_back(query.offset);
    text += " OFFSET $" + std::to_string(params.size());
  }
  std::vector<TargetRow> out;
  for (const auto& row : tx_.query(text, params)) out.push_back(target_from(row));
  return out;
}

std::int64_t Repository::count_targets(const TargetQuery& query) {
  std::vector<Value> params;
  const std::string text = "SELECT COUNT(*) FROM targets" + target_filter(query, params);
  return tx_.query(text, params).at(0).integer(0);
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
  static const std::string kInsert = sql({"INSERT INTO authorizations (", kAuthorizationColumns, ") VALUES (",
                                          placeholders_for(kAuthorizationColumns), ")"});
  tx_.exec(kInsert, {a.id, a.campaign_id, a.se_id, opt(a.token_id), word(a.action), a.issued_at, a.expires_at, a.kdd,
                     a.kvn, a.scp_i, a.sequence_counter, a.paut, a.protocol, opt(a.online_check)});
}

std::optional<AuthorizationRow> Repository::find_authorization(const std::string& id) {
  static const std::string kQuery = sql({"SELECT ", kAuthorizationColumns, " FROM authorizations WHERE id = $1"});
  auto rows = tx_.query(kQuery, {id});
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
  static const std::string kInsert =
      sql({"INSERT INTO reports (", kReportColumns, ") VALUES (", placeholders_for(kReportColumns), ")"});
  tx_.exec(kInsert, {r.authorization_id, r.campaign_id, r.se_id, r.request_hash, r.answer_json, word(r.outcome),
                     word(r.evidence), std::int64_t{r.counted ? 1 : 0}, word(r.decision), r.reason, r.t});
}

std::vector<ReportRow> Repository::reports_of(const std::string& authorization_id) {
  std::vector<ReportRow> out;
  static const std::string kQuery =
      sql({"SELECT ", kReportColumns, " FROM reports WHERE authorization_id = $1 ORDER BY id"});
  for (const auto& row : tx_.query(kQuery, {authorization_id})) {
    out.push_back(report_from(row));
  }
  return out;
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
  for (const auto& r :
       tx_.query("SELECT image_type, version, sha256, campaign_id, t FROM images WHERE se_id = $1 ORDER BY image_type",
                 {se_id})) {
    out.push_back(ImageRow{r.text(0), r.integer(1), r.text(2), r.text(3), r.integer(4)});
  }
  return out;
}

void Repository::add_event(const std::string& campaign_id, std::int64_t t, const std::optional<std::string>& se_id,
                           const std::string& kind, const std::optional<api::DeviceState>& decision,
                           const std::string& detail) {
  tx_.exec("INSERT INTO events (campaign_id, t, se_id, kind, decision, detail) VALUES ($1, $2, $3, $4, $5, $6)",
           {campaign_id, t, opt(se_id), kind, decision ? word(*decision) : Value(std::monostate{}), detail});
}

std::vector<EventRow> Repository::events(const std::string& campaign_id, std::int64_t after_id, std::int64_t limit,
                                         const std::vector<DeviceState>& decisions) {
  std::vector<Value> params{campaign_id, after_id, limit};
  std::string query = "SELECT id, t, se_id, kind, decision, detail FROM events WHERE campaign_id = $1 AND id > $2";
  if (!decisions.empty()) {
    query += " AND decision IN (";
    for (std::size_t k = 0; k < decisions.size(); ++k) {
      params.push_back(word(decisions[k]));
      query += (k > 0 ? ", $" : "$") + std::to_string(params.size());
    }
    query += ")";
  }
  std::vector<EventRow> out;
  for (const auto& r : tx_.query(query + " ORDER BY id LIMIT $3", params)) {
    std::optional<DeviceState> decision;
    if (auto text = r.optional_text(4)) decision = stored<DeviceState>(*text, "events.decision");
    out.push_back(EventRow{r.integer(0), r.integer(1), r.optional_text(2), r.text(3), decision, r.text(5)});
  }
  return out;
}

void Repository::add_timeline_sample(const std::string& campaign_id, const TimelineRow& s) {
  // One row per campaign and second: a later change in the same second replaces the counts (the
  // campaign row's counts are written in the same transaction, so the last writer has the newest).
  tx_.exec(
      "INSERT INTO timeline (campaign_id, t, updated, failed, quarantined, in_progress, unreachable) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id, t) DO UPDATE SET updated = excluded.updated, "
      "failed = excluded.failed, quarantined = excluded.quarantined, in_progress = excluded.in_progress, "
      "unreachable = excluded.unreachable",
      {campaign_id, s.t, s.updated, s.failed, s.quarantined, s.in_progress, s.unreachable});
}

std::vector<TimelineRow> Repository::timeline(const std::string& campaign_id) {
  std::vector<TimelineRow> out;
  for (const auto& r : tx_.query("SELECT t, updated, failed, quarantined, in_progress, unreachable FROM timeline "
                                 "WHERE campaign_id = $1 ORDER BY t",
                                 {campaign_id})) {
    out.push_back(TimelineRow{r.integer(0), r.integer(1), r.integer(2), r.integer(3), r.integer(4), r.integer(5)});
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

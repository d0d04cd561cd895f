#include "offcard/server/schema.hpp"

#include <string>
#include <string_view>

namespace sefleet::offcard::server {
namespace {

// Tables (docs/api.md): campaigns with their counters per device state (kept in the row so progress
// and the timeline never scan the targets) and, since migration 3, their stored PSE/PMOB in
// campaign_files; targets = device state per campaign
// (rank = position in the wave order); authorizations with the PAUT file (its PautCheck verifies the
// report); reports keyed by authorization (idempotence: request hash + stored answer); images = the
// current image per SE and type from authenticated status objects; events = decision log; tokens
// (SHA-256 only); timeline samples.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at {INT} NOT NULL,
  profile {INT} NOT NULL,
  image_json TEXT NOT NULL,
  terms {BLOB} NOT NULL,
  master_key TEXT NOT NULL,
  campaign_kek TEXT,
  security_level {INT} NOT NULL,
  waves_json TEXT NOT NULL,
  max_failure_rate {REAL} NOT NULL,
  min_reports {INT} NOT NULL,
  max_attempts {INT} NOT NULL,
  activation_mode TEXT NOT NULL,
  activation_at {INT},
  activated {INT} NOT NULL,
  state TEXT NOT NULL,
  pause_reason TEXT,
  current_wave {INT} NOT NULL,
  wave_reports {INT} NOT NULL,
  wave_failures {INT} NOT NULL,
  target_count {INT} NOT NULL,
  n_pending {INT} NOT NULL,
  n_authorized {INT} NOT NULL,
  n_updated {INT} NOT NULL,
  n_staged {INT} NOT NULL,
  n_retry {INT} NOT NULL,
  n_quarantined {INT} NOT NULL,
  pse {BLOB} NOT NULL,
  pse_sha256 TEXT NOT NULL,
  pse_commands {INT} NOT NULL,
  pmob {BLOB},
  pmob_sha256 TEXT
);
CREATE TABLE targets (
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  se_id TEXT NOT NULL,
  rank {INT} NOT NULL,
  state TEXT NOT NULL,
  attempts {INT} NOT NULL,
  updated_at {INT} NOT NULL,
  PRIMARY KEY (campaign_id, se_id)
);
CREATE INDEX targets_rank ON targets (campaign_id, rank);
CREATE INDEX targets_se ON targets (se_id);
CREATE TABLE authorizations (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  se_id TEXT NOT NULL,
  token_id {INT},
  action TEXT NOT NULL,
  issued_at {INT} NOT NULL,
  expires_at {INT} NOT NULL,
  kdd TEXT NOT NULL,
  kvn {INT} NOT NULL,
  scp_i {INT} NOT NULL,
  sequence_counter {INT} NOT NULL,
  paut {BLOB} NOT NULL
);
CREATE INDEX authorizations_se ON authorizations (se_id);
CREATE TABLE reports (
  authorization_id TEXT PRIMARY KEY REFERENCES authorizations(id),
  campaign_id TEXT NOT NULL,
  se_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  answer_json TEXT NOT NULL,
  outcome TEXT NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  t {INT} NOT NULL
);
CREATE INDEX reports_se ON reports (se_id);
CREATE TABLE images (
  se_id TEXT NOT NULL,
  image_type TEXT NOT NULL,
  version {INT} NOT NULL,
  sha256 TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  t {INT} NOT NULL,
  PRIMARY KEY (se_id, image_type)
);
CREATE TABLE events (
  id {ID},
  campaign_id TEXT NOT NULL,
  t {INT} NOT NULL,
  se_id TEXT,
  kind TEXT NOT NULL,
  decision TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX events_campaign ON events (campaign_id, id);
CREATE TABLE tokens (
  id {ID},
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  campaigns_json TEXT NOT NULL,
  created_at {INT} NOT NULL
);
CREATE TABLE timeline (
  id {ID},
  campaign_id TEXT NOT NULL,
  t {INT} NOT NULL,
  updated {INT} NOT NULL,
  failed {INT} NOT NULL,
  quarantined {INT} NOT NULL,
  in_progress {INT} NOT NULL
);
CREATE INDEX timeline_campaign ON timeline (campaign_id, id)
)sql";

// Migration 2: reports are authenticated or unverified (docs/api.md "Reports"). Campaigns get the
// unverified policy (max_unverified_attempts, unverified_backoff), its pause threshold
// (max_unverified_rate), the wave's count of unverified reports and the count of `unreachable` SEs;
// targets get their unverified count, back-off time, newest PAUT and last decision's reason; the
// timeline counts unreachable SEs. Reports may now be several per authorization (an unverified report
// never blocks a later one), so the table is rebuilt with its own id and one row per (authorization,
// request); the reports stored before were all judged as blocking, so they are kept as authenticated
// and counted, which keeps their old effect.
constexpr std::string_view kReportEvidence = R"sql(
ALTER TABLE campaigns ADD COLUMN max_unverified_attempts {INT} NOT NULL DEFAULT 5;
ALTER TABLE campaigns ADD COLUMN unverified_backoff {INT} NOT NULL DEFAULT 10;
ALTER TABLE campaigns ADD COLUMN max_unverified_rate {REAL} NOT NULL DEFAULT 1.0;
ALTER TABLE campaigns ADD COLUMN wave_unverified {INT} NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN n_unreachable {INT} NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN unverified_attempts {INT} NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN retry_at {INT};
ALTER TABLE targets ADD COLUMN last_authorization TEXT;
ALTER TABLE targets ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE timeline ADD COLUMN unreachable {INT} NOT NULL DEFAULT 0;
CREATE TABLE reports_v2 (
  id {ID},
  authorization_id TEXT NOT NULL REFERENCES authorizations(id),
  campaign_id TEXT NOT NULL,
  se_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  answer_json TEXT NOT NULL,
  outcome TEXT NOT NULL,
  evidence TEXT NOT NULL,
  counted {INT} NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  t {INT} NOT NULL
);
INSERT INTO reports_v2 (authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, evidence, counted,
                        decision, reason, t)
  SELECT authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, 'authenticated', 1, decision,
         reason, t FROM reports ORDER BY t, authorization_id;
DROP TABLE reports;
ALTER TABLE reports_v2 RENAME TO reports;
CREATE UNIQUE INDEX reports_request ON reports (authorization_id, request_hash);
CREATE INDEX reports_se ON reports (se_id)
)sql";

// Migration 3: the campaign's PSE and PMOB files move out of its row into campaign_files, and the row
// keeps their sizes. The campaign row is read on every authorization and written whenever its counters
// change; with a PSE of a few kilobytes inside, every such read and write also went through the file's
// overflow pages (SQLite) for columns that never change.
constexpr std::string_view kCampaignFiles = R"sql(
CREATE TABLE campaign_files (
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  kind TEXT NOT NULL,
  bytes {BLOB} NOT NULL,
  PRIMARY KEY (campaign_id, kind)
);
INSERT INTO campaign_files (campaign_id, kind, bytes) SELECT id, 'pse', pse FROM campaigns;
INSERT INTO campaign_files (campaign_id, kind, bytes) SELECT id, 'pmob', pmob FROM campaigns WHERE pmob IS NOT NULL;
ALTER TABLE campaigns ADD COLUMN pse_size {INT} NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN pmob_size {INT};
UPDATE campaigns SET pse_size = length(pse), pmob_size = length(pmob);
ALTER TABLE campaigns DROP COLUMN pse;
ALTER TABLE campaigns DROP COLUMN pmob
)sql";

// Migration 4: what the device list and the dashboard's failure table ask stays an index range at
// 100,000 devices. targets_state serves a state filter in the list's order (campaign, rank) with or
// without a campaign, and counts it from the index alone; events_decision finds a campaign's failure
// events without reading the others. PostgreSQL compares targets.se_id in the "C" collation (bytes),
// as SQLite does, so an SE id prefix is one range of the SE id index whatever the database's locale
// (the column's indexes are rebuilt once).
constexpr std::string_view kDeviceListIndexesSqlite = R"sql(
CREATE INDEX targets_state ON targets (state, campaign_id, rank);
CREATE INDEX events_decision ON events (campaign_id, decision, id)
)sql";
constexpr std::string_view kDeviceListIndexesPostgresql = R"sql(
ALTER TABLE targets ALTER COLUMN se_id TYPE TEXT COLLATE "C";
CREATE INDEX targets_state ON targets (state, campaign_id, rank);
CREATE INDEX events_decision ON events (campaign_id, decision, id)
)sql";

// Migration 5: at most one timeline sample per campaign and second (the newest counts of that
// second). A sample was written after every change of device states, two rows per SE and about 180
// bytes of every timeline answer per SE; the samples of one second are now one row, updated in place.
// Rows already stored keep the last sample of each second; the answer is ordered by time.
constexpr std::string_view kTimelinePerSecond = R"sql(
DELETE FROM timeline WHERE id NOT IN (SELECT MAX(id) FROM timeline GROUP BY campaign_id, t);
DROP INDEX timeline_campaign;
CREATE UNIQUE INDEX timeline_second ON timeline (campaign_id, t)
)sql";

// Migration 6: an authorization names the protocol that issued it (AuthorizationRow::protocol) and an
// online one keeps its sealed check in a column of its own instead of the PAUT file's. Every online
// authorization stored so far ran SCP11b (scp_i 00, the only online variant before); their check
// moves out of paut, which stays empty for them.
constexpr std::string_view kAuthorizationProtocol = R"sql(
ALTER TABLE authorizations ADD COLUMN protocol TEXT NOT NULL DEFAULT 'scp03-paut';
ALTER TABLE authorizations ADD COLUMN online_check {BLOB};
UPDATE authorizations SET protocol = 'scp11b', online_check = paut, paut = {EMPTY_BLOB} WHERE scp_i = 0
)sql";

std::string expand(std::string_view templ, bool postgresql) {
  std::string out(templ);
  const auto replace_all = [&out](std::string_view from, std::string_view to) {
    for (std::size_t pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size())) {
      out.replace(pos, from.size(), to);
    }
  };
  replace_all("{ID}", postgresql ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY");
  replace_all("{BLOB}", postgresql ? "BYTEA" : "BLOB");
  replace_all("{INT}", postgresql ? "BIGINT" : "INTEGER");
  replace_all("{REAL}", postgresql ? "DOUBLE PRECISION" : "REAL");
  replace_all("{EMPTY_BLOB}", postgresql ? "'\\x'::bytea" : "X''");
  return out;
}

}  // namespace

const std::vector<db::Migration>& server_migrations() {
  static const std::vector<db::Migration> migrations{
      {1, "server initial schema", expand(kInitialSchema, false), expand(kInitialSchema, true)},
      {2, "report evidence and unreachable devices", expand(kReportEvidence, false), expand(kReportEvidence, true)},
      {3, "campaign files in their own table", expand(kCampaignFiles, false), expand(kCampaignFiles, true)},
      {4, "device list and failure indexes", std::string(kDeviceListIndexesSqlite),
       std::string(kDeviceListIndexesPostgresql)},
      {5, "one timeline sample per second", expand(kTimelinePerSecond, false), expand(kTimelinePerSecond, true)},
      {6, "authorization protocol and online check", expand(kAuthorizationProtocol, false),
       expand(kAuthorizationProtocol, true)},
  };
  return migrations;
}

}  // namespace sefleet::offcard::server

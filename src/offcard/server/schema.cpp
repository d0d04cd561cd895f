#include "offcard/server/schema.hpp"

#include <string>
#include <string_view>

namespace sefleet::offcard::server {
namespace {

// Tables (docs/api.md): campaigns with their stored PSE/PMOB and counters per device state (kept in
// the row so progress and the timeline never scan the targets); targets = device state per campaign
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
  return out;
}

}  // namespace

const std::vector<db::Migration>& server_migrations() {
  static const std::vector<db::Migration> migrations{
      {1, "server initial schema", expand(kInitialSchema, false), expand(kInitialSchema, true)},
  };
  return migrations;
}

}  // namespace sefleet::offcard::server

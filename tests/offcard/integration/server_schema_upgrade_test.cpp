// A server database written before the report-evidence migration (2) keeps its data through it and
// the later ones, on both backends: its reports stay, as authenticated and counted ones (they keep
// blocking a different report, as they did), every new column reads back with its documented default
// through the repository, and the campaign's PSE is still there once it moved to campaign_files (3).
// Migrations 5 (timeline) and 6 (authorization protocol) have their own cases.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "offcard/server/db/database.hpp"
#include "offcard/server/repository.hpp"
#include "offcard/server/schema.hpp"
#include "pg_test_schema.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::offcard::server {
namespace {

using db::Dialect;

class ServerSchemaUpgrade : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (GetParam() == Dialect::sqlite) {
      url_ = "sqlite:" + (dir_.path() / "server.db").string();
    } else {
      schema_.emplace();  // throws (test fails) without SEFLEET_TEST_PG_URL
      url_ = schema_->url();
    }
    database_ = db::open_database(url_, 2);
  }

  test::TempDir dir_;
  std::optional<test::PgTestSchema> schema_;
  std::string url_;
  std::unique_ptr<db::Database> database_;
};

TEST_P(ServerSchemaUpgrade, MigrationTwoKeepsEarlierReportsAsAuthenticatedAndCounted) {
  const auto& migrations = server_migrations();
  ASSERT_GE(migrations.size(), 2u);
  db::migrate(*database_, {migrations[0]});
  // What a server of migration 1 stored: one campaign, one target, one authorization with its report.
  database_->run([](db::Transaction& tx) {
    tx.exec(
        "INSERT INTO campaigns (id, name, created_at, profile, image_json, terms, master_key, security_level, "
        "waves_json, max_failure_rate, min_reports, max_attempts, activation_mode, activated, state, current_wave, "
        "wave_reports, wave_failures, target_count, n_pending, n_authorized, n_updated, n_staged, n_retry, "
        "n_quarantined, pse, pse_sha256, pse_commands) VALUES ($1, 'old', 100, 3, $2, $3, 'master', 51, '[100]', 1.0, "
        "5, 3, 'immediate', 0, 'completed', 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, $4, 'ab', 1)",
        {std::string(32, 'c'),
         std::string(R"({"type":"application","platform":"01","version":1,"name":"x","datasend_size":1,)") +
             R"("datasend_sha256":"00"})",
         Bytes{1}, Bytes{2}});
    tx.exec(
        "INSERT INTO targets (campaign_id, se_id, rank, state, attempts, updated_at) VALUES ($1, '0102', 0, "
        "'updated', 0, 100)",
        {std::string(32, 'c')});
    tx.exec(
        "INSERT INTO authorizations (id, campaign_id, se_id, action, issued_at, expires_at, kdd, kvn, scp_i, "
        "sequence_counter, paut) VALUES ($1, $2, '0102', 'activate', 100, 1000, '00', 48, 112, 1, $3)",
        {std::string(32, 'a'), std::string(32, 'c'), Bytes{3}});
    tx.exec(
        "INSERT INTO reports (authorization_id, campaign_id, se_id, request_hash, answer_json, outcome, decision, "
        "reason, t) VALUES ($1, $2, '0102', 'h1', '{}', 'activated', 'updated', 'image activated', 101)",
        {std::string(32, 'a'), std::string(32, 'c')});
  });

  db::migrate(*database_, migrations);
  EXPECT_EQ(db::schema_version(*database_), migrations.back().version);
  database_->run([](db::Transaction& tx) {
    Repository repo(tx);
    const auto campaign = repo.find_campaign(std::string(32, 'c'));
    ASSERT_TRUE(campaign.has_value());
    EXPECT_EQ(campaign->policy, api::ReportPolicy{});  // max_attempts 3, 5 unverified, 10 s back-off
    EXPECT_EQ(campaign->max_unverified_rate, 1.0);
    EXPECT_EQ(campaign->wave_unverified, 0);
    EXPECT_EQ(campaign->counts[api::DeviceState::updated], 1);
    EXPECT_EQ(campaign->counts[api::DeviceState::unreachable], 0);
    // Migration 3: the PSE moved to campaign_files, its size stays in the row; no PMOB was stored.
    EXPECT_EQ(campaign->pse_size, 1);
    EXPECT_EQ(campaign->pmob_size, 0);
    EXPECT_FALSE(campaign->pmob_sha256.has_value());
    EXPECT_EQ(repo.load_pse(std::string(32, 'c')), Bytes{2});
    EXPECT_FALSE(repo.load_pmob(std::string(32, 'c')).has_value());
    const auto target = repo.find_target(std::string(32, 'c'), "0102");
    ASSERT_TRUE(target.has_value());
    EXPECT_EQ(target->state, api::DeviceState::updated);
    EXPECT_EQ(target->unverified_attempts, 0);
    EXPECT_FALSE(target->retry_at.has_value());
    EXPECT_FALSE(target->last_authorization.has_value());
    const auto reports = repo.reports_of(std::string(32, 'a'));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].evidence, api::Evidence::authenticated);
    EXPECT_TRUE(reports[0].counted);
    EXPECT_EQ(reports[0].outcome, DeliveryOutcome::activated);
    EXPECT_EQ(reports[0].decision, api::DeviceState::updated);
    EXPECT_EQ(reports[0].reason, "image activated");
    // A second report for the same authorization is a new row now; the same request hash is refused.
    repo.insert_report(ReportRow{std::string(32, 'a'), std::string(32, 'c'), "0102", "h2", "{}",
                                 DeliveryOutcome::not_authenticated, api::Evidence::unverified, false,
                                 api::DeviceState::updated, "recorded only", 102});
    EXPECT_EQ(repo.reports_of(std::string(32, 'a')).size(), 2u);
  });
  EXPECT_THROW(database_->run([](db::Transaction& tx) {
    Repository(tx).insert_report(ReportRow{std::string(32, 'a'), std::string(32, 'c'), "0102", "h1", "{}",
                                           DeliveryOutcome::activated, api::Evidence::authenticated, true,
                                           api::DeviceState::updated, "again", 103});
  }),
               Error);
}

// The timeline migration keeps the last sample of each campaign and second, and from then on a
// sample of a second already stored replaces it; the answer is ordered by time.
TEST_P(ServerSchemaUpgrade, TimelineKeepsOneSamplePerCampaignAndSecond) {
  const auto& migrations = server_migrations();
  std::size_t before = 0;
  while (before < migrations.size() && migrations[before].name != "one timeline sample per second") ++before;
  ASSERT_LT(before, migrations.size());
  db::migrate(*database_, std::vector<db::Migration>(migrations.begin(), migrations.begin() + before));
  const std::string a(32, 'a'), b(32, 'b');
  database_->run([&](db::Transaction& tx) {
    constexpr std::string_view kInsert =
        "INSERT INTO timeline (campaign_id, t, updated, failed, quarantined, in_progress, unreachable) "
        "VALUES ($1, $2, $3, 0, 0, 0, 0)";
    for (const auto& [campaign, t, updated] : std::vector<std::tuple<std::string, std::int64_t, std::int64_t>>{
             {a, 10, 1}, {a, 10, 2}, {b, 10, 7}, {a, 11, 3}, {a, 10, 4}, {a, 12, 5}, {a, 12, 6}}) {
      tx.exec(kInsert, {campaign, t, updated});
    }
  });
  db::migrate(*database_, migrations);
  database_->run([&](db::Transaction& tx) {
    Repository repo(tx);
    const auto timeline = repo.timeline(a);
    ASSERT_EQ(timeline.size(), 3u);  // the last stored sample of seconds 10, 11 and 12
    EXPECT_EQ(timeline[0].t, 10);
    EXPECT_EQ(timeline[0].updated, 4);
    EXPECT_EQ(timeline[1].updated, 3);
    EXPECT_EQ(timeline[2].updated, 6);
    repo.add_timeline_sample(a, TimelineRow{11, 8, 1, 2, 3, 4});
    repo.add_timeline_sample(a, TimelineRow{13, 9, 0, 0, 0, 0});
    const auto after = repo.timeline(a);
    ASSERT_EQ(after.size(), 4u);
    EXPECT_EQ(after[1].t, 11);
    EXPECT_EQ(after[1].updated, 8);
    EXPECT_EQ(after[1].failed, 1);
    EXPECT_EQ(after[1].unreachable, 4);
    EXPECT_EQ(after[3].t, 13);
    ASSERT_EQ(repo.timeline(b).size(), 1u);
    EXPECT_EQ(repo.timeline(b)[0].updated, 7);
  });
}

// Migration 6: an online authorization stored before it (scp_i 00, its sealed check in paut: all were
// SCP11b) gets protocol scp11b with the check moved to online_check; a PAUT keeps its file and reads
// scp03-paut; rows written afterwards keep what they were given.
TEST_P(ServerSchemaUpgrade, MigrationSixNamesTheProtocolAndMovesTheOnlineCheck) {
  const auto& migrations = server_migrations();
  std::size_t before = 0;
  while (before < migrations.size() && migrations[before].version != 6) ++before;
  ASSERT_LT(before, migrations.size());
  db::migrate(*database_, std::vector<db::Migration>(migrations.begin(), migrations.begin() + before));
  const std::string campaign(32, 'c'), online(32, 'o'), paut(32, 'p');
  database_->run([&](db::Transaction& tx) {
    tx.exec(
        "INSERT INTO campaigns (id, name, created_at, profile, image_json, terms, master_key, security_level, "
        "waves_json, max_failure_rate, min_reports, max_attempts, activation_mode, activated, state, current_wave, "
        "wave_reports, wave_failures, target_count, n_pending, n_authorized, n_updated, n_staged, n_retry, "
        "n_quarantined, pse_sha256, pse_commands) VALUES ($1, 'old', 100, 3, '{}', $2, 'master', 51, '[100]', 1.0, "
        "5, 3, 'immediate', 0, 'running', 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 'ab', 1)",
        {campaign, Bytes{1}});
    constexpr std::string_view kInsert =
        "INSERT INTO authorizations (id, campaign_id, se_id, action, issued_at, expires_at, kdd, kvn, scp_i, "
        "sequence_counter, paut) VALUES ($1, $2, $3, 'activate', 100, 1000, $4, 1, $5, 0, $6)";
    tx.exec(kInsert, {online, campaign, std::string("0102"), std::string(""), std::int64_t{0}, Bytes{0x5E, 0xA1}});
    tx.exec(kInsert, {paut, campaign, std::string("0103"), std::string("00"), std::int64_t{0x70}, Bytes{0x0F}});
  });
  db::migrate(*database_, migrations);
  database_->run([&](db::Transaction& tx) {
    Repository repo(tx);
    const auto a = repo.find_authorization(online);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->protocol, "scp11b");
    EXPECT_EQ(a->online_check, (Bytes{0x5E, 0xA1}));
    EXPECT_TRUE(a->paut.empty());
    const auto p = repo.find_authorization(paut);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->protocol, kProtocolScp03Paut);
    EXPECT_FALSE(p->online_check.has_value());
    EXPECT_EQ(p->paut, Bytes{0x0F});

    AuthorizationRow scp11a = *a;
    scp11a.id = std::string(32, 'a');
    set_online_check(scp11a, online_protocol_name(gp::scp11::Variant::a), Bytes{0x11, 0xA0});
    repo.insert_authorization(scp11a);
    const auto stored = repo.find_authorization(scp11a.id);
    EXPECT_EQ(stored->protocol, "scp11a");
    EXPECT_EQ(scp11_protocol_variant(stored->protocol), gp::scp11::Variant::a);
    EXPECT_EQ(stored->online_check, (Bytes{0x11, 0xA0}));
    EXPECT_FALSE(scp11_protocol_variant(kProtocolScp03Paut).has_value());
  });
}

std::string backend_name(const ::testing::TestParamInfo<Dialect>& param) {
  return param.param == Dialect::sqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerSchemaUpgrade, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         backend_name);

}  // namespace
}  // namespace sefleet::offcard::server

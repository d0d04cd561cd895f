// The management server end to end: real HTTP on loopback, SQLite and PostgreSQL, virtual SEs reached
// by a key-less terminal. Covers a full campaign, replayed and forged reports, the report policy
// (authenticated failures retry then quarantine; unverified ones back off, never quarantine or pause,
// and end `unreachable`), the release of quarantined and unreachable SEs, waves with automatic pause,
// deferred activation and a restart mid-campaign.
#include <gtest/gtest.h>

#include <atomic>

#include "server_fleet_fixture.hpp"

namespace sefleet::test::server_e2e {
namespace {

class ServerCampaign : public ::testing::TestWithParam<Backend> {
 protected:
  ServerCampaign() : database_(GetParam()), hsm_(hsm_keystore()) {}

  void start(std::function<std::int64_t()> clock = nullptr) {
    server_ = start_server(database_.url(), *hsm_, std::move(clock));
    admin_ = std::make_unique<ApiClient>(server_->port(), kAdminToken);
  }
  // Creates the campaign and a terminal token for it.
  std::string create(json request) {
    const Http created = admin_->post("/v1/campaigns", request);
    EXPECT_EQ(created.status, 201) << created.body.dump();
    const std::string id = created.body.value("id", "");
    const Http token = admin_->post("/v1/tokens", json{{"name", "terminal"}, {"campaigns", {id}}});
    EXPECT_EQ(token.status, 201) << token.body.dump();
    terminal_token_ = token.body.value("token", "");
    terminal_ = std::make_unique<ApiClient>(server_->port(), terminal_token_);
    return id;
  }
  json progress(const std::string& id) { return admin_->get("/v1/campaigns/" + id).body.at("progress"); }
  json campaign(const std::string& id) { return admin_->get("/v1/campaigns/" + id).body; }

  TestDatabase database_;
  std::unique_ptr<offcard::SoftwareKeystore> hsm_;
  std::unique_ptr<offcard::server::Server> server_;
  std::unique_ptr<ApiClient> admin_;
  std::unique_ptr<ApiClient> terminal_;
  std::string terminal_token_;
};

TEST_P(ServerCampaign, FullCampaignUpdatesEverySeOnceAndRecordsItsImage) {
  start();
  sim::VirtualFleet fleet(fleet_config(4));
  const std::string id =
      create(campaign_request(campaign_package(bc::Profile::platform_key, 0x00030000), fleet_ids(fleet)));
  std::vector<TerminalRun> runs;
  for (std::size_t n = 0; n < fleet.size(); ++n) {
    runs.push_back(run_terminal(*terminal_, id, fleet, n));
    ASSERT_EQ(runs.back().authorization.status, 201) << runs.back().authorization.body.dump();
    EXPECT_EQ(runs.back().authorization.body.at("action"), "activate");
    ASSERT_EQ(runs.back().report.status, 200) << runs.back().report.body.dump();
    EXPECT_EQ(runs.back().report.body.at("outcome"), "activated");
    EXPECT_EQ(runs.back().report.body.at("decision"), "updated");
    EXPECT_EQ(runs.back().report.body.at("duplicate"), false);
  }
  json c = campaign(id);
  EXPECT_EQ(c.at("state"), "completed");
  EXPECT_EQ(c.at("progress").at("updated"), 4);
  EXPECT_EQ(c.at("progress").at("pending"), 0);

  // A replayed report is recognized and counted once; the SE gets no second PAUT.
  const Http replay = terminal_->post("/v1/campaigns/" + id + "/reports", runs[0].report_body);
  ASSERT_EQ(replay.status, 200);
  EXPECT_EQ(replay.body.at("duplicate"), true);
  EXPECT_EQ(replay.body.at("decision"), "updated");
  EXPECT_EQ(progress(id).at("updated"), 4);
  json altered = runs[0].report_body;
  altered["failure"] = "something else";
  EXPECT_EQ(terminal_->post("/v1/campaigns/" + id + "/reports", altered).body.at("reason"), "report_conflict");

  // Inventory: the image the SE reported, authenticated.
  const Http device = admin_->get("/v1/devices/" + se_id_hex(fleet, 0));
  ASSERT_EQ(device.status, 200) << device.body.dump();
  EXPECT_EQ(device.body.at("images").at(0).at("version"), 0x00030000);
  EXPECT_EQ(device.body.at("campaigns").at(0).at("state"), "updated");
  EXPECT_EQ(device.body.at("history").at(0).at("reports").at(0).at("outcome"), "activated");
  EXPECT_EQ(device.body.at("history").at(0).at("reports").at(0).at("evidence"), "authenticated");
  EXPECT_EQ(admin_->get("/v1/devices?campaign=" + id + "&state=updated").body.at("devices").size(), 4u);
  // One sample per second at most: the campaign may have run within one; the last one has the counts.
  const json samples = admin_->get("/v1/campaigns/" + id + "/timeline").body.at("samples");
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.back().at("updated"), 4);
  EXPECT_EQ(admin_->get("/v1/campaigns/" + id + "/events").body.at("events").back().at("kind"), "completed");
}

// A report that never reached the server (lost with the terminal, or an authorization record lost to a
// power cut of the server's machine): the SE activated the image, the server still sees it as
// authorized. The next delivery is refused by the SE (same version), but its authenticated status names
// the campaign's image as active: the SE is updated, not quarantined.
TEST_P(ServerCampaign, LostReportThenRefusedManifestOfTheSameImageCountsAsUpdated) {
  start();
  sim::VirtualFleet fleet(fleet_config(2));
  const std::string id =
      create(campaign_request(campaign_package(bc::Profile::platform_key, 0x00030000), fleet_ids(fleet)));
  // First attempt: delivered and activated on the SE, but the report is "lost" (never posted).
  auto& channel = fleet.channel(0);
  const offcard::SeAuthorizationRequest se = offcard::read_se_identity(channel, gp::isd_aid());
  const Http first =
      terminal_->post("/v1/campaigns/" + id + "/authorizations", json{{"se_id", to_hex(se.se_id)},
                                                                      {"kdd", to_hex(se.kdd)},
                                                                      {"kvn", se.kvn},
                                                                      {"i", se.i},
                                                                      {"sequence_counter", se.sequence_counter}});
  ASSERT_EQ(first.status, 201) << first.body.dump();
  auto pse_response = terminal_->raw_get("/v1/campaigns/" + id + "/pse");
  ASSERT_TRUE(pse_response && pse_response->status == 200);
  const offcard::PseFile pse = offcard::parse_pse_file(bytes_of(pse_response->body));
  offcard::EncodedPaut paut;
  for (std::size_t k = 0; k < 4; ++k) paut[k] = from_hex(first.body.at("paut")[k].get<std::string>());
  const offcard::DeliveryReport delivered = offcard::deliver(channel, gp::isd_aid(), paut, pse.commands);
  ASSERT_TRUE(delivered.reached_authorization());
  EXPECT_EQ(progress(id).value("updated", 0), 0);

  // Second attempt: a fresh PAUT; the SE refuses the same version, and says which image it runs.
  const TerminalRun second = run_terminal(*terminal_, id, fleet, 0);
  ASSERT_EQ(second.report.status, 200) << second.report.body.dump();
  EXPECT_EQ(second.report.body.at("outcome"), "manifest_refused");
  EXPECT_EQ(second.report.body.at("decision"), "updated");
  EXPECT_EQ(progress(id).value("updated", 0), 1);
  EXPECT_EQ(progress(id).value("quarantined", 0), 0);

  // The rule needs the campaign's exact image to be active: a refused manifest otherwise still
  // quarantines (FailuresRetryThenQuarantineAndRefusedManifestQuarantinesAtOnce). SE 1 updates normally.
  const TerminalRun other = run_terminal(*terminal_, id, fleet, 1);
  ASSERT_EQ(other.report.status, 200);
  EXPECT_EQ(other.report.body.at("decision"), "updated");
  EXPECT_EQ(campaign(id).at("state"), "completed");
}

TEST_P(ServerCampaign, ForgedFirstReportIsUnverifiedAndTheGenuineOneIsStillAccepted) {
  start();
  sim::VirtualFleet fleet(fleet_config(1));
  json request = campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet));
  const std::string id = create(request);
  // The genuine delivery happens; a terminal posts a copy with one byte of the status R-MAC flipped first.
  const TerminalRun genuine = run_terminal(*terminal_, id, fleet, 0, std::nullopt, /*send_report=*/false);
  ASSERT_EQ(genuine.authorization.status, 201);
  json forged = genuine.report_body;
  std::string status = forged.at("authorize_response").get<std::string>();
  const std::size_t mac_byte = status.size() - 6;  // the last R-MAC byte, before the status word
  status[mac_byte] = status[mac_byte] == '0' ? '1' : '0';
  forged["authorize_response"] = status;
  const Http first = terminal_->post("/v1/campaigns/" + id + "/reports", forged);
  ASSERT_EQ(first.status, 200) << first.body.dump();
  EXPECT_EQ(first.body.at("outcome"), "not_authenticated");
  EXPECT_EQ(first.body.at("evidence"), "unverified");
  EXPECT_EQ(first.body.at("decision"), "retry");
  EXPECT_EQ(progress(id).at("updated"), 0);
  EXPECT_EQ(progress(id).at("quarantined"), 0);

  // The SE's own report for the same authorization is accepted, not 409.
  const Http second = terminal_->post("/v1/campaigns/" + id + "/reports", genuine.report_body);
  ASSERT_EQ(second.status, 200) << second.body.dump();
  EXPECT_EQ(second.body.at("outcome"), "activated");
  EXPECT_EQ(second.body.at("evidence"), "authenticated");
  EXPECT_EQ(second.body.at("decision"), "updated");
  EXPECT_EQ(second.body.at("duplicate"), false);
  EXPECT_EQ(progress(id).at("updated"), 1);
  EXPECT_EQ(campaign(id).at("state"), "completed");
  // After an authenticated report, another different one is a conflict; resends are duplicates.
  forged["failure"] = "made up later";
  EXPECT_EQ(terminal_->post("/v1/campaigns/" + id + "/reports", forged).body.at("reason"), "report_conflict");
  EXPECT_EQ(terminal_->post("/v1/campaigns/" + id + "/reports", genuine.report_body).body.at("duplicate"), true);
  // The device history keeps both, with their evidence.
  const json reports = admin_->get("/v1/devices/" + se_id_hex(fleet, 0)).body.at("history").at(0).at("reports");
  ASSERT_EQ(reports.size(), 2u) << reports.dump();
  EXPECT_EQ(reports.at(0).at("evidence"), "unverified");
  EXPECT_EQ(reports.at(1).at("evidence"), "authenticated");
}

TEST_P(ServerCampaign, UnverifiedReportsNeitherQuarantineNorPauseAndBackOff) {
  std::atomic<std::int64_t> clock{1'800'000'000};
  start([&clock] { return clock.load(); });
  sim::VirtualFleet fleet(fleet_config(5));
  json request = campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet));
  request["max_attempts"] = 3;
  request["rollout"] = json{{"max_failure_rate", 0.2}, {"min_reports", 5}};
  const std::string id = create(request);
  const auto se = offcard::read_se_identity(fleet.channel(0), gp::isd_aid());
  // With a terminal token and no contact with the SE: three {"commands_sent": 0} reports.
  for (int k = 1; k <= 3; ++k) {
    const Http authorization = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(se));
    ASSERT_EQ(authorization.status, 201) << k << ": " << authorization.body.dump();
    const Http report = terminal_->post("/v1/campaigns/" + id + "/reports",
                                        unverified_report(authorization.body.at("authorization_id"), se.se_id));
    ASSERT_EQ(report.status, 200) << report.body.dump();
    EXPECT_EQ(report.body.at("evidence"), "unverified");
    EXPECT_EQ(report.body.at("decision"), "retry") << "unverified failure " << k << " must not quarantine";
    EXPECT_EQ(report.body.at("attempts"), 0);
    EXPECT_EQ(report.body.at("unverified_attempts"), k);
    // The back-off (10 s, doubling): asking at once is refused with the time to wait.
    const std::int64_t wait = 10 << (k - 1);
    EXPECT_EQ(report.body.at("retry_at"), clock.load() + wait);
    const Http early = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(se));
    EXPECT_EQ(early.status, 409);
    EXPECT_EQ(early.body.at("reason"), "backoff");
    EXPECT_EQ(early.body.at("retry_after"), wait);
    ASSERT_TRUE(early.headers.count("Retry-After"));
    EXPECT_EQ(early.headers.find("Retry-After")->second, std::to_string(wait));
    clock += wait;
  }
  EXPECT_EQ(progress(id).at("quarantined"), 0);
  EXPECT_EQ(progress(id).at("retry"), 1);
  // Four more SEs, one unverified report each: five and more unverified reports do not pause the wave.
  for (std::size_t n = 1; n < fleet.size(); ++n) {
    const auto other = offcard::read_se_identity(fleet.channel(n), gp::isd_aid());
    const Http authorization = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(other));
    ASSERT_EQ(authorization.status, 201) << authorization.body.dump();
    EXPECT_EQ(terminal_
                  ->post("/v1/campaigns/" + id + "/reports",
                         unverified_report(authorization.body.at("authorization_id"), other.se_id))
                  .body.at("decision"),
              "retry");
  }
  EXPECT_EQ(campaign(id).at("state"), "active") << campaign(id).dump();
  // The SEs are still reachable for real: after their back-off every one is updated.
  clock += 100;
  for (std::size_t n = 0; n < fleet.size(); ++n) {
    EXPECT_EQ(run_terminal(*terminal_, id, fleet, n).report.body.at("decision"), "updated") << n;
  }
  const json done = campaign(id);
  EXPECT_EQ(done.at("state"), "completed");
  EXPECT_EQ(done.at("progress").at("updated"), 5);
}

TEST_P(ServerCampaign, UnverifiedRatePausesOnlyWhenTheOperatorSetsIt) {
  start();
  sim::VirtualFleet fleet(fleet_config(3));
  json request = campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet));
  request["rollout"] = json{{"max_unverified_rate", 0.5}, {"min_reports", 2}};
  const std::string id = create(request);
  for (std::size_t n = 0; n < 2; ++n) {
    const auto se = offcard::read_se_identity(fleet.channel(n), gp::isd_aid());
    const Http authorization = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(se));
    ASSERT_EQ(authorization.status, 201) << authorization.body.dump();
    terminal_->post("/v1/campaigns/" + id + "/reports",
                    unverified_report(authorization.body.at("authorization_id"), se.se_id));
  }
  const json paused = campaign(id);
  EXPECT_EQ(paused.at("state"), "paused");
  EXPECT_EQ(paused.at("pause_reason"), "unverified report rate 1.00 > 0.50 in wave 0 (2 reports)");
  const TerminalRun refused = run_terminal(*terminal_, id, fleet, 2);
  EXPECT_EQ(refused.authorization.body.at("reason"), "paused");
  EXPECT_EQ(refused.authorization.body.at("detail"), paused.at("pause_reason"));
}

TEST_P(ServerCampaign, UnreachableAfterItsLimitAndReleasedByTheOperator) {
  std::atomic<std::int64_t> clock{1'800'000'000};
  start([&clock] { return clock.load(); });
  sim::VirtualFleet fleet(fleet_config(1));
  json request = campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet));
  request["max_unverified_attempts"] = 2;
  request["unverified_backoff"] = 5;
  const std::string id = create(request);
  const auto se = offcard::read_se_identity(fleet.channel(0), gp::isd_aid());
  for (const char* expected : {"retry", "unreachable"}) {
    const Http authorization = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(se));
    ASSERT_EQ(authorization.status, 201) << authorization.body.dump();
    const Http report = terminal_->post("/v1/campaigns/" + id + "/reports",
                                        unverified_report(authorization.body.at("authorization_id"), se.se_id));
    EXPECT_EQ(report.body.at("decision"), expected) << report.body.dump();
    clock += 5;
  }
  const Http refused = terminal_->post("/v1/campaigns/" + id + "/authorizations", identity_json(se));
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body.at("reason"), "unreachable");
  EXPECT_NE(refused.body.at("detail").get<std::string>().find("2 unverified failures"), std::string::npos)
      << refused.body.dump();
  EXPECT_EQ(progress(id).at("unreachable"), 1);
  EXPECT_EQ(progress(id).at("quarantined"), 0);
  EXPECT_EQ(campaign(id).at("state"), "completed");  // every target is final

  // Only the admin releases; then the SE gets PAUTs again and the campaign is active again.
  const std::string release = "/v1/devices/" + se_id_hex(fleet, 0) + "/release";
  EXPECT_EQ(terminal_->post(release, json::object()).status, 403);
  const Http released = admin_->post(release, json{{"campaign", id}, {"note", "reader replaced"}});
  ASSERT_EQ(released.status, 200) << released.body.dump();
  EXPECT_EQ(released.body.at("released").at(0).at("from"), "unreachable");
  EXPECT_EQ(released.body.at("released").at(0).at("to"), "pending");
  EXPECT_EQ(campaign(id).at("state"), "active");
  EXPECT_EQ(admin_->post(release, json{{"campaign", id}}).body.at("reason"), "invalid_state");
  EXPECT_EQ(run_terminal(*terminal_, id, fleet, 0).report.body.at("decision"), "updated");
  EXPECT_EQ(campaign(id).at("state"), "completed");
  EXPECT_EQ(admin_->post("/v1/devices/0a0b0c0d/release", json::object()).status, 404);
}

TEST_P(ServerCampaign, AuthenticatedFailuresRetryThenQuarantineAndRefusedManifestQuarantinesAtOnce) {
  start();
  sim::VirtualFleet fleet(fleet_config(2));
  json request = campaign_request(campaign_package(bc::Profile::platform_key, 0x00030000), {se_id_hex(fleet, 0)});
  request["max_attempts"] = 2;
  const std::string id = create(request);
  // Two deliveries cut after INITIALIZE UPDATE answered (the SE was there): retry, then quarantined.
  for (const char* expected : {"retry", "quarantined"}) {
    const TerminalRun run = run_terminal(*terminal_, id, fleet, 0, /*cut_after=*/4);
    ASSERT_EQ(run.report.status, 200) << run.report.body.dump();
    EXPECT_EQ(run.report.body.at("outcome"), "interrupted");
    EXPECT_EQ(run.report.body.at("evidence"), "authenticated");
    EXPECT_EQ(run.report.body.at("decision"), expected);
  }
  const Http refused = run_terminal(*terminal_, id, fleet, 0).authorization;
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body.at("reason"), "attempts_exhausted");
  EXPECT_EQ(progress(id).at("quarantined"), 1);

  // A package for another platform: the SE verifies the data, then refuses the manifest (81).
  bc::PlatformId other{};
  other.fill(0x77);
  const std::string wrong =
      create(campaign_request(campaign_package(bc::Profile::platform_key, 0x00040000, other), {se_id_hex(fleet, 1)}));
  const TerminalRun run = run_terminal(*terminal_, wrong, fleet, 1);
  ASSERT_EQ(run.report.status, 200) << run.report.body.dump();
  EXPECT_EQ(run.report.body.at("outcome"), "manifest_refused");
  EXPECT_EQ(run.report.body.at("decision"), "quarantined");
  EXPECT_NE(run.report.body.at("reason").get<std::string>().find("manifest refused for platform 7777777777777777"),
            std::string::npos)
      << run.report.body.dump();
  const Http again = run_terminal(*terminal_, wrong, fleet, 1).authorization;
  EXPECT_EQ(again.body.at("reason"), "quarantined");
  EXPECT_NE(again.body.at("detail").get<std::string>().find("manifest refused for platform"), std::string::npos);
  bool logged = false;
  const Http events = admin_->get("/v1/campaigns/" + wrong + "/events");
  for (const auto& event : events.body.at("events")) {
    logged |= event.at("kind") == "report" && event.at("decision") == "quarantined";
  }
  EXPECT_TRUE(logged);
  // The operator releases the quarantined SE (every campaign where it is one): it is tried again.
  const Http released = admin_->post("/v1/devices/" + se_id_hex(fleet, 1) + "/release", json::object());
  ASSERT_EQ(released.status, 200) << released.body.dump();
  EXPECT_EQ(released.body.at("released").at(0).at("from"), "quarantined");
  EXPECT_EQ(run_terminal(*terminal_, wrong, fleet, 1).report.body.at("decision"), "quarantined");
}

TEST_P(ServerCampaign, WavesAdmitInOrderAndPauseOnFailureRate) {
  start();
  sim::VirtualFleet fleet(fleet_config(10));
  json request = campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet));
  request["rollout"] = json{{"waves", {20, 100}}, {"max_failure_rate", 0.4}, {"min_reports", 2}};
  request["unverified_backoff"] = 0;
  const std::string id = create(request);
  EXPECT_EQ(campaign(id).at("admitted"), 2);
  // Find the two admitted SEs: everyone else is told to wait.
  std::vector<std::size_t> admitted;
  std::vector<json> failures;
  for (std::size_t n = 0; n < fleet.size(); ++n) {
    const auto se = offcard::read_se_identity(fleet.channel(n), gp::isd_aid());
    const Http answer =
        terminal_->post("/v1/campaigns/" + id + "/authorizations", json{{"se_id", to_hex(se.se_id)},
                                                                        {"kdd", to_hex(se.kdd)},
                                                                        {"kvn", se.kvn},
                                                                        {"i", se.i},
                                                                        {"sequence_counter", se.sequence_counter}});
    if (answer.status == 201) {
      admitted.push_back(n);
      // A report without any answer of the SE: unverified, it does not count toward the failure rate.
      failures.push_back(unverified_report(answer.body.at("authorization_id"), se.se_id));
    } else {
      EXPECT_EQ(answer.status, 409);
      EXPECT_EQ(answer.body.at("reason"), "not_in_wave");
      EXPECT_TRUE(answer.headers.count("Retry-After"));
    }
  }
  for (const auto& failure : failures) {
    EXPECT_EQ(terminal_->post("/v1/campaigns/" + id + "/reports", failure).body.at("decision"), "retry");
  }
  ASSERT_EQ(admitted.size(), 2u);
  EXPECT_EQ(campaign(id).at("state"), "active");
  // Authenticated failures do: both admitted SEs are lost after INITIALIZE UPDATE (the campaign's
  // unverified_backoff is 0, so they get a fresh PAUT at once).
  for (std::size_t n : admitted) {
    const TerminalRun run = run_terminal(*terminal_, id, fleet, n, /*cut_after=*/4);
    ASSERT_EQ(run.authorization.status, 201) << run.authorization.body.dump();
    EXPECT_EQ(run.report.body.at("evidence"), "authenticated");
  }
  json c = campaign(id);
  EXPECT_EQ(c.at("state"), "paused");
  EXPECT_EQ(c.at("pause_reason"), "failure rate 1.00 > 0.40 in wave 0 (2 authenticated reports)");
  const TerminalRun paused = run_terminal(*terminal_, id, fleet, admitted[0]);
  EXPECT_EQ(paused.authorization.status, 409);
  EXPECT_EQ(paused.authorization.body.at("reason"), "paused");

  // The operator resumes; the wave completes and the next one admits everybody.
  EXPECT_EQ(admin_->post("/v1/campaigns/" + id + "/resume", json::object()).status, 200);
  for (std::size_t n : admitted)
    EXPECT_EQ(run_terminal(*terminal_, id, fleet, n).report.body.at("decision"), "updated");
  c = campaign(id);
  EXPECT_EQ(c.at("current_wave"), 1);
  EXPECT_EQ(c.at("admitted"), 10);
  for (std::size_t n = 0; n < fleet.size(); ++n) {
    if (n == admitted[0] || n == admitted[1]) continue;
    EXPECT_EQ(run_terminal(*terminal_, id, fleet, n).report.body.at("decision"), "updated") << n;
  }
  EXPECT_EQ(campaign(id).at("state"), "completed");
}

TEST_P(ServerCampaign, DeferredActivationPreloadsThenActivatesOnCommandOrAtTime) {
  std::atomic<std::int64_t> clock{1'800'000'000};
  start([&clock] { return clock.load(); });
  sim::VirtualFleet fleet(fleet_config(2));
  json request = campaign_request(campaign_package(bc::Profile::platform_key, 0x00030000), {se_id_hex(fleet, 0)});
  request["activation"] = json{{"mode", "deferred"}};
  const std::string by_command = create(request);

  TerminalRun preload = run_terminal(*terminal_, by_command, fleet, 0);
  EXPECT_EQ(preload.authorization.body.at("action"), "preload");
  EXPECT_EQ(preload.report.body.at("outcome"), "verified_kept_staged");
  EXPECT_EQ(preload.report.body.at("decision"), "staged");
  EXPECT_EQ(run_terminal(*terminal_, by_command, fleet, 0).authorization.body.at("reason"), "already_updated");
  EXPECT_EQ(campaign(by_command).at("state"), "active");  // staged is not the end of a deferred campaign

  EXPECT_EQ(admin_->post("/v1/campaigns/" + by_command + "/activate", json::object()).status, 200);
  EXPECT_EQ(admin_->post("/v1/campaigns/" + by_command + "/activate", json::object()).body.at("reason"),
            "invalid_state");
  TerminalRun activate = run_terminal(*terminal_, by_command, fleet, 0);
  EXPECT_EQ(activate.authorization.body.at("action"), "activate");
  EXPECT_EQ(activate.report.body.at("outcome"), "activated");
  EXPECT_EQ(activate.report.body.at("decision"), "updated");
  EXPECT_EQ(campaign(by_command).at("state"), "completed");

  // Activation at a set time, on the server's clock.
  request = campaign_request(campaign_package(bc::Profile::platform_key, 0x00030000), {se_id_hex(fleet, 1)});
  request["activation"] = json{{"mode", "deferred"}, {"at", clock.load() + 3600}};
  const std::string at_time = create(request);
  EXPECT_EQ(run_terminal(*terminal_, at_time, fleet, 1).report.body.at("decision"), "staged");
  clock += 3600;
  EXPECT_EQ(campaign(at_time).at("activation").at("activated"), true);
  activate = run_terminal(*terminal_, at_time, fleet, 1);
  EXPECT_EQ(activate.authorization.body.at("action"), "activate");
  EXPECT_EQ(activate.report.body.at("decision"), "updated");
}

TEST_P(ServerCampaign, RestartMidCampaignLosesNoReportAndCountsNoSeTwice) {
  start();
  sim::VirtualFleet fleet(fleet_config(6));
  const std::string id =
      create(campaign_request(campaign_package(bc::Profile::campaign_key, 0x00030000), fleet_ids(fleet)));
  std::vector<TerminalRun> before;
  for (std::size_t n = 0; n < 3; ++n) before.push_back(run_terminal(*terminal_, id, fleet, n));
  // An authorization out when the server stops: its report arrives after the restart.
  const auto se = offcard::read_se_identity(fleet.channel(3), gp::isd_aid());
  const Http pending =
      terminal_->post("/v1/campaigns/" + id + "/authorizations", json{{"se_id", to_hex(se.se_id)},
                                                                      {"kdd", to_hex(se.kdd)},
                                                                      {"kvn", se.kvn},
                                                                      {"i", se.i},
                                                                      {"sequence_counter", se.sequence_counter}});
  ASSERT_EQ(pending.status, 201);
  EXPECT_EQ(terminal_->post("/v1/tokens", json{{"name", "x"}, {"campaigns", json::array()}}).status, 403);
  server_->stop();
  server_.reset();
  EXPECT_EQ(terminal_->get("/v1/campaigns/" + id).status, -1);  // nobody listens

  start();  // same database, new port, new in-memory state
  EXPECT_EQ(progress(id).at("updated"), 3);
  EXPECT_EQ(progress(id).at("authorized"), 1);
  // The terminal token survives the restart (stored hashed); resent reports are recognized, not recounted.
  ApiClient terminal(server_->port(), terminal_token_);
  for (const auto& run : before) {
    const Http again = terminal.post("/v1/campaigns/" + id + "/reports", run.report_body);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body.at("duplicate"), true);
  }
  // The PAUT issued before the restart is still good: deliver it and report.
  const auto pse = offcard::parse_pse_file(bytes_of(terminal.raw_get("/v1/campaigns/" + id + "/pse")->body));
  offcard::EncodedPaut paut;
  for (std::size_t k = 0; k < 4; ++k) paut[k] = from_hex(pending.body.at("paut")[k].get<std::string>());
  const auto delivery = offcard::deliver(fleet.channel(3), gp::isd_aid(), paut, pse.commands);
  const Http late =
      terminal.post("/v1/campaigns/" + id + "/reports",
                    json{{"authorization_id", pending.body.at("authorization_id")},
                         {"se_id", to_hex(se.se_id)},
                         {"total_commands", delivery.total_commands},
                         {"commands_sent", delivery.commands_sent},
                         {"initialize_update_response", to_hex(delivery.initialize_update_response->encode())},
                         {"authorize_response", to_hex(delivery.authorize_response->encode())},
                         {"failed_index", nullptr},
                         {"failed_sw", 0},
                         {"failure", ""}});
  ASSERT_EQ(late.status, 200) << late.body.dump();
  EXPECT_EQ(late.body.at("decision"), "updated");
  // Another terminal cannot report (or replay) for an authorization it was not given.
  const Http other = admin_->post("/v1/tokens", json{{"name", "other"}, {"campaigns", {id}}});
  ApiClient other_terminal(server_->port(), other.body.at("token").get<std::string>());
  EXPECT_EQ(other_terminal.post("/v1/campaigns/" + id + "/reports", before[0].report_body).status, 403);
  terminal_ = std::make_unique<ApiClient>(server_->port(), terminal_token_);
  for (std::size_t n = 4; n < fleet.size(); ++n) {
    EXPECT_EQ(run_terminal(*terminal_, id, fleet, n).report.body.at("decision"), "updated") << n;
  }
  EXPECT_EQ(progress(id).at("updated"), 6);
  EXPECT_EQ(progress(id).at("authorized"), 0);
  EXPECT_EQ(campaign(id).at("state"), "completed");
  EXPECT_EQ(admin_->get("/v1/devices?campaign=" + id + "&state=updated").body.at("devices").size(), 6u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerCampaign, ::testing::Values(Backend::sqlite, Backend::postgresql),
                         backend_name);

}  // namespace
}  // namespace sefleet::test::server_e2e

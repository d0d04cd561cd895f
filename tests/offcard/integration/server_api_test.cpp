// The management server's HTTP API over real loopback HTTP (docs/api.md), SQLite and PostgreSQL:
// tokens and scopes (401/403), malformed and oversized bodies, content types, 404/405, the PSE and
// PMOB downloads (ETag, ranges), and a database outage answered 503 + Retry-After, then retried.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <algorithm>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/hash.hpp"
#include "offcard/api/json_reader.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/integration/pg_test_schema.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test {
namespace {

namespace bc = gp::broadcast;
using nlohmann::json;

const std::string kAdmin = "admin-token-of-the-api-test";

enum class Backend { sqlite, postgresql };

Bytes package_file(std::uint8_t seed) {
  auto keys = offcard::SoftwareKeystore::in_memory();
  keys->import_key("kos", SecretBytes(Bytes(16, 0x11)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  keys->import_key("kmac", SecretBytes(Bytes(16, 0x22)), offcard::KeyUsage::mac);
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::os;
  design.manifest.version = 7;
  design.manifest.name = "api-test";
  design.body = Bytes(500, seed);
  design.profile = bc::Profile::campaign_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = 100;
  return offcard::serialize_campaign_package(offcard::design_campaign(*keys, design));
}

json campaign_body(std::uint8_t seed) {
  return json{{"name", "api"},
              {"package", offcard::server::base64_encode(package_file(seed))},
              {"master_key", "master"},
              {"targets", {"0102030405060708", "0102030405060709"}},
              {"pmob", offcard::server::base64_encode(bytes_of("terminal payload"))}};
}

// A report of a delivery that lost the reader before the first command: unverified, counted as a retry.
json reader_lost_report(const json& authorization_id) {
  return json{{"authorization_id", authorization_id},
              {"se_id", "0102030405060708"},
              {"total_commands", 9},
              {"commands_sent", 0},
              {"initialize_update_response", nullptr},
              {"authorize_response", nullptr},
              {"failed_index", 0},
              {"failed_sw", 0},
              {"failure", "reader lost"}};
}

const json kIdentity{
    {"se_id", "0102030405060708"}, {"kdd", "00112233445566778899"}, {"kvn", 48}, {"i", 112}, {"sequence_counter", 5}};

class ServerApi : public ::testing::TestWithParam<Backend> {
 protected:
  ServerApi() : hsm_(offcard::SoftwareKeystore::in_memory()) {
    hsm_->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
    if (GetParam() == Backend::sqlite) {
      url_ = "sqlite:" + (dir_.path() / "api.db").string() + "?busy_timeout_ms=50";
    } else {
      pg_ = std::make_unique<PgTestSchema>();
      url_ = pg_->url();
    }
    offcard::server::ServerConfig config;
    config.database_url = url_;
    config.keystore = hsm_.get();
    config.admin_token = kAdmin;
    config.threads = 4;
    server_ = std::make_unique<offcard::server::Server>(config);
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  httplib::Result post(const std::string& path, const std::string& body, const std::string& token = kAdmin,
                       const std::string& type = "application/json") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Post(path.c_str(), headers, body, type.c_str());
  }
  httplib::Result get(const std::string& path, const std::string& token = kAdmin, httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Get(path.c_str(), headers);
  }
  static json body(const httplib::Result& result) { return json::parse(result->body); }
  // Expects status and reason, and a message that names `needle`.
  static void expect_refusal(const httplib::Result& result, int status, const std::string& reason,
                             const std::string& needle = "") {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, status) << result->body;
    const json answer = json::parse(result->body, nullptr, false);
    ASSERT_TRUE(answer.is_object()) << result->body;
    EXPECT_EQ(answer.value("reason", ""), reason) << result->body;
    EXPECT_NE(answer.value("error", "").find(needle), std::string::npos) << result->body;
  }
  std::string create_campaign(std::uint8_t seed = 1) {
    auto result = post("/v1/campaigns", campaign_body(seed).dump());
    EXPECT_EQ(result->status, 201) << result->body;
    return body(result).at("id");
  }
  std::string terminal_token(const std::string& campaign) {
    auto result = post("/v1/tokens", json{{"name", "t"}, {"campaigns", {campaign}}}.dump());
    EXPECT_EQ(result->status, 201) << result->body;
    return body(result).at("token");
  }

  TempDir dir_;
  std::unique_ptr<PgTestSchema> pg_;
  std::string url_;
  std::unique_ptr<offcard::SoftwareKeystore> hsm_;
  std::unique_ptr<offcard::server::Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_P(ServerApi, HealthNeedsNoTokenEverythingElseDoes) {
  auto health = get("/v1/health", "");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(body(health).at("status"), "ok");
  expect_refusal(get("/v1/campaigns", ""), 401, "missing_token", "Bearer");
  expect_refusal(get("/v1/campaigns", "not-a-token"), 401, "invalid_token");
  expect_refusal(get("/v1/nothing/here"), 404, "not_found");
  expect_refusal(client_->Delete("/v1/campaigns"), 405, "method_not_allowed");
}

TEST_P(ServerApi, TerminalTokensAreScopedToTheirCampaigns) {
  const std::string mine = create_campaign(1);
  const std::string other = create_campaign(2);
  const std::string token = terminal_token(mine);
  EXPECT_EQ(get("/v1/campaigns/" + mine, token)->status, 200);
  expect_refusal(get("/v1/campaigns/" + other, token), 403, "forbidden", other);
  expect_refusal(get("/v1/campaigns/" + other + "/pse", token), 403, "forbidden");
  expect_refusal(post("/v1/campaigns/" + other + "/authorizations", kIdentity.dump(), token), 403, "forbidden");
  expect_refusal(get("/v1/campaigns", token), 403, "forbidden", "admin");
  expect_refusal(post("/v1/campaigns/" + mine + "/pause", "", token), 403, "forbidden");
  expect_refusal(get("/v1/devices", token), 403, "forbidden");
  expect_refusal(post("/v1/tokens", json{{"name", "x"}, {"campaigns", {mine}}}.dump(), token), 403, "forbidden");
  // Authorizations work, and a report for another token's authorization is refused.
  auto authorization = post("/v1/campaigns/" + mine + "/authorizations", kIdentity.dump(), token);
  ASSERT_EQ(authorization->status, 201) << authorization->body;
  const json paut = body(authorization);
  EXPECT_EQ(paut.at("paut").size(), 4u);
  EXPECT_EQ(paut.at("action"), "activate");
  const std::string second = terminal_token(mine);
  const json report = reader_lost_report(paut.at("authorization_id"));
  expect_refusal(post("/v1/campaigns/" + mine + "/reports", report.dump(), second), 403, "forbidden");
  json wrong_se = report;
  wrong_se["se_id"] = "0102030405060709";
  expect_refusal(post("/v1/campaigns/" + mine + "/reports", wrong_se.dump(), token), 403, "forbidden");
  // Deleting a token revokes it at once.
  auto tokens = body(get("/v1/tokens"));
  ASSERT_GE(tokens.at("tokens").size(), 2u);
  EXPECT_EQ(tokens.dump().find("sft_"), std::string::npos);  // never shown again
  const auto id = tokens.at("tokens").at(0).at("id").get<std::int64_t>();
  EXPECT_EQ(
      client_->Delete(("/v1/tokens/" + std::to_string(id)).c_str(), {{"Authorization", "Bearer " + kAdmin}})->status,
      200);
  expect_refusal(get("/v1/campaigns/" + mine, token), 401, "invalid_token");
}

TEST_P(ServerApi, BadBodiesGetClearRefusalsNamingTheField) {
  const json original = campaign_body(1);  // each design has its own random campaign id
  auto created = post("/v1/campaigns", original.dump());
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = body(created).at("id");
  const std::string path = "/v1/campaigns/" + id + "/authorizations";
  expect_refusal(post(path, "{\"se_id\": "), 400, "malformed_json");
  expect_refusal(post(path, "[1, 2]"), 400, "malformed_json", "object");
  expect_refusal(post(path, kIdentity.dump(), kAdmin, "text/plain"), 415, "unsupported_media_type", "text/plain");
  json bad = kIdentity;
  bad["kdd"] = "0011";
  expect_refusal(post(path, bad.dump()), 400, "invalid_field", "kdd");
  bad = kIdentity;
  bad.erase("sequence_counter");
  expect_refusal(post(path, bad.dump()), 400, "invalid_field", "sequence_counter");
  bad = kIdentity;
  bad["kvn"] = "48";
  expect_refusal(post(path, bad.dump()), 400, "invalid_field", "kvn");
  bad = kIdentity;
  bad["se_id"] = "zz";
  expect_refusal(post(path, bad.dump()), 400, "invalid_field", "se_id");
  bad = kIdentity;
  bad["se_id"] = "0a0b0c";
  expect_refusal(post(path, bad.dump()), 409, "not_a_target");
  // Oversized: a terminal route takes 64 KiB at most.
  json big = kIdentity;
  big["padding"] = std::string(70 * 1024, 'a');
  expect_refusal(post(path, big.dump()), 413, "body_too_large");
  // Campaign upload: every field is checked before anything is stored.
  json campaign = campaign_body(9);
  campaign["package"] = "not base64!";
  expect_refusal(post("/v1/campaigns", campaign.dump()), 400, "invalid_field", "package");
  campaign = campaign_body(9);
  Bytes corrupted = offcard::server::base64_decode(campaign.at("package").get<std::string>());
  corrupted[corrupted.size() / 2] ^= 1;
  campaign["package"] = offcard::server::base64_encode(corrupted);
  expect_refusal(post("/v1/campaigns", campaign.dump()), 400, "invalid_package");
  campaign = campaign_body(9);
  campaign["master_key"] = "nosuchkey";
  expect_refusal(post("/v1/campaigns", campaign.dump()), 400, "unknown_key", "nosuchkey");
  campaign = campaign_body(9);
  campaign["rollout"] = json{{"waves", {50, 40}}};
  expect_refusal(post("/v1/campaigns", campaign.dump()), 400, "invalid_field", "rollout.waves");
  campaign = campaign_body(9);
  campaign["targets"] = {"0102", "0102"};
  expect_refusal(post("/v1/campaigns", campaign.dump()), 400, "invalid_field", "targets[1]");
  expect_refusal(post("/v1/campaigns", original.dump()), 409, "campaign_exists", id);
  EXPECT_EQ(body(get("/v1/campaigns")).at("campaigns").size(), 1u);
}

TEST_P(ServerApi, PseAndPmobDownloadsWithEtagAndRanges) {
  const std::string id = create_campaign();
  const std::string token = terminal_token(id);
  auto whole = get("/v1/campaigns/" + id + "/pse", token);
  ASSERT_EQ(whole->status, 200);
  const Bytes pse = bytes_of(whole->body);
  const offcard::PseFile parsed = offcard::parse_pse_file(pse);
  const json campaign = body(get("/v1/campaigns/" + id, token));
  EXPECT_EQ(campaign.at("pse").at("commands"), parsed.commands.size());
  EXPECT_EQ(campaign.at("pse").at("sha256"), offcard::api::lower_hex(crypto::sha256(pse)));
  const std::string etag = whole->get_header_value("ETag");
  EXPECT_EQ(etag, "\"" + campaign.at("pse").at("sha256").get<std::string>() + "\"");
  EXPECT_EQ(whole->get_header_value("Accept-Ranges"), "bytes");

  auto part = get("/v1/campaigns/" + id + "/pse", token, {{"Range", "bytes=10-"}, {"If-Range", etag}});
  ASSERT_EQ(part->status, 206);
  EXPECT_EQ(part->body, whole->body.substr(10));
  EXPECT_EQ(part->get_header_value("Content-Range"),
            "bytes 10-" + std::to_string(pse.size() - 1) + "/" + std::to_string(pse.size()));
  auto stale = get("/v1/campaigns/" + id + "/pse", token, {{"Range", "bytes=10-19"}, {"If-Range", "\"old\""}});
  ASSERT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, whole->body);
  expect_refusal(get("/v1/campaigns/" + id + "/pse", token, {{"Range", "bytes=999999-"}}), 416,
                 "range_not_satisfiable");
  EXPECT_EQ(get("/v1/campaigns/" + id + "/pse", token, {{"If-None-Match", etag}})->status, 304);

  auto pmob = get("/v1/campaigns/" + id + "/pmob", token);
  ASSERT_EQ(pmob->status, 200);
  EXPECT_EQ(pmob->body, "terminal payload");
  EXPECT_EQ(campaign.at("pmob").at("sha256"), offcard::api::lower_hex(crypto::sha256(bytes_of("terminal payload"))));
  json no_pmob = campaign_body(3);
  no_pmob.erase("pmob");
  const std::string second = body(post("/v1/campaigns", no_pmob.dump())).at("id");
  expect_refusal(get("/v1/campaigns/" + second + "/pmob"), 404, "not_found", "PMOB");
}

TEST_P(ServerApi, OperatorControlsAreCheckedAndLogged) {
  const std::string id = create_campaign();
  const std::string base = "/v1/campaigns/" + id;
  expect_refusal(post(base + "/resume", ""), 409, "invalid_state");
  EXPECT_EQ(body(post(base + "/pause", "")).at("state"), "paused");
  expect_refusal(post(base + "/authorizations", kIdentity.dump()), 409, "paused");
  EXPECT_EQ(post(base + "/authorizations", kIdentity.dump())->get_header_value("Retry-After"), "30");
  EXPECT_EQ(body(post(base + "/resume", "")).at("state"), "active");
  expect_refusal(post(base + "/activate", ""), 409, "invalid_state", "immediate");
  EXPECT_EQ(body(post(base + "/cancel", "")).at("state"), "cancelled");
  expect_refusal(post(base + "/authorizations", kIdentity.dump()), 409, "cancelled");
  std::vector<std::string> kinds;
  const json events = body(get(base + "/events"));  // kept: the loop must not iterate a temporary's member
  for (const auto& event : events.at("events")) kinds.push_back(event.at("kind"));
  EXPECT_EQ(kinds, (std::vector<std::string>{"campaign_created", "paused", "resumed", "cancelled"}));
}

TEST_P(ServerApi, DeviceSearchMatchesAnywhereOrAtTheStart) {
  json campaign = campaign_body(1);
  campaign["targets"] = {"0102030405060708", "0102030405060709", "aa01020304050607", "ff00000000000000"};
  auto created = post("/v1/campaigns", campaign.dump());
  ASSERT_EQ(created->status, 201) << created->body;
  const auto found = [&](const std::string& query) {
    const json answer = body(get("/v1/devices?limit=10&" + query));
    std::vector<std::string> ids;
    for (const auto& device : answer.at("devices")) ids.push_back(device.at("se_id"));
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(answer.at("total"), ids.size()) << query;
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(found("q=0102"), (Ids{"0102030405060708", "0102030405060709", "aa01020304050607"}));
  EXPECT_EQ(found("q=0102&match=contains"), found("q=0102"));
  EXPECT_EQ(found("q=0102&match=prefix"), (Ids{"0102030405060708", "0102030405060709"}));
  EXPECT_EQ(found("q=AA01&match=prefix"), (Ids{"aa01020304050607"}));
  EXPECT_EQ(found("q=f&match=prefix"), (Ids{"ff00000000000000"}));
  EXPECT_EQ(found("q=0607&match=prefix"), Ids{});
  EXPECT_EQ(found("q=0102030405060709&match=prefix"), (Ids{"0102030405060709"}));
  EXPECT_EQ(found("q=010203040506070900&match=prefix"), Ids{});
  EXPECT_EQ(found("q=0&match=prefix&state=pending"), (Ids{"0102030405060708", "0102030405060709"}));
  expect_refusal(get("/v1/devices?q=0102&match=start"), 400, "invalid_field", "match");
}

TEST_P(ServerApi, EventsFilterByDecision) {
  const std::string id = create_campaign();
  const std::string base = "/v1/campaigns/" + id;
  auto authorization = post(base + "/authorizations", kIdentity.dump());
  ASSERT_EQ(authorization->status, 201) << authorization->body;
  const json report = reader_lost_report(body(authorization).at("authorization_id"));
  ASSERT_EQ(post(base + "/reports", report.dump())->status, 200);
  const json failures = body(get(base + "/events?decision=retry,quarantined,unreachable"));
  ASSERT_EQ(failures.at("events").size(), 1u) << failures.dump();
  EXPECT_EQ(failures.at("events").at(0).at("kind"), "report");
  EXPECT_EQ(failures.at("events").at(0).at("decision"), "retry");
  EXPECT_EQ(failures.at("events").at(0).at("se_id"), "0102030405060708");
  const auto failure_id = failures.at("events").at(0).at("id").get<std::int64_t>();
  EXPECT_TRUE(body(get(base + "/events?decision=retry&after=" + std::to_string(failure_id))).at("events").empty());
  EXPECT_TRUE(body(get(base + "/events?decision=updated")).at("events").empty());
  EXPECT_EQ(body(get(base + "/events?decision=retry,retry,retry")), failures);
  EXPECT_GT(body(get(base + "/events")).at("events").size(), 1u);  // without the filter: every kind
  expect_refusal(get(base + "/events?decision=broken"), 400, "invalid_field", "decision");
  expect_refusal(get(base + "/events?decision=retry,"), 400, "invalid_field", "decision");
}

// A report may carry the next SE's authorization request (docs/api.md "The next SE's authorization with
// a report"): the grant or the refusal comes back with the report's answer, a malformed one refuses the
// whole request before anything is recorded, and it is never part of the report (a resend is a duplicate
// with or without it, and the stored answer has none).
TEST_P(ServerApi, AReportCarriesTheNextSesAuthorization) {
  const std::string id = create_campaign();
  const std::string base = "/v1/campaigns/" + id;
  const std::string token = terminal_token(id);
  auto authorization = post(base + "/authorizations", kIdentity.dump(), token);
  ASSERT_EQ(authorization->status, 201) << authorization->body;
  const json report = reader_lost_report(body(authorization).at("authorization_id"));
  json next_identity = kIdentity;
  next_identity["se_id"] = "0102030405060709";
  const auto with_next = [](json request, const json& next) {
    request["next_authorization"] = next;
    return request;
  };

  // A next request that does not read refuses the whole request: nothing is recorded.
  json bad_kdd = next_identity;
  bad_kdd["kdd"] = "00";
  expect_refusal(post(base + "/reports", with_next(report, bad_kdd).dump(), token), 400, "invalid_field",
                 "next_authorization.kdd");
  json no_random_bit = next_identity;
  no_random_bit["i"] = 0x60;
  expect_refusal(post(base + "/reports", with_next(report, no_random_bit).dump(), token), 400, "invalid_field",
                 "next_authorization");
  expect_refusal(post(base + "/reports", with_next(report, "0102").dump(), token), 400, "invalid_field",
                 "next_authorization");

  // A refused report is answered as without the field and records no authorization (counted below).
  json unknown = report;
  unknown["authorization_id"] = std::string(32, 'a');
  expect_refusal(post(base + "/reports", with_next(unknown, next_identity).dump(), token), 404, "not_found");

  // Granted: the report is judged as without the field, the next SE's PAUT comes with the answer.
  auto first = post(base + "/reports", with_next(report, next_identity).dump(), token);
  ASSERT_EQ(first->status, 200) << first->body;
  const json answer = body(first);
  EXPECT_EQ(answer.at("duplicate"), false);  // the refused requests above recorded nothing
  EXPECT_EQ(answer.at("decision"), "retry");
  EXPECT_EQ(answer.at("evidence"), "unverified");
  ASSERT_TRUE(answer.contains("next_authorization")) << answer.dump();
  EXPECT_FALSE(answer.contains("next_refusal"));
  const json grant = answer.at("next_authorization");
  EXPECT_EQ(grant.at("paut").size(), 4u);
  EXPECT_EQ(grant.at("action"), "activate");
  EXPECT_EQ(grant.at("authorization_id").get<std::string>().size(), 32u);

  // The same report again, without or with another next request: a duplicate, the stored answer clean.
  auto resent = post(base + "/reports", report.dump(), token);
  ASSERT_EQ(resent->status, 200) << resent->body;
  EXPECT_EQ(body(resent).at("duplicate"), true);
  EXPECT_FALSE(body(resent).contains("next_authorization"));
  EXPECT_FALSE(body(resent).contains("next_refusal"));
  json stranger = next_identity;
  stranger["se_id"] = "0a0b0c0d0e0f1011";
  auto refused = post(base + "/reports", with_next(report, stranger).dump(), token);
  ASSERT_EQ(refused->status, 200) << refused->body;
  EXPECT_EQ(body(refused).at("duplicate"), true);
  EXPECT_FALSE(body(refused).contains("next_authorization"));
  const json not_a_target = body(refused).at("next_refusal");
  EXPECT_EQ(not_a_target.at("status"), 409);
  EXPECT_EQ(not_a_target.at("reason"), "not_a_target");
  EXPECT_NE(not_a_target.at("error").get<std::string>().find("0a0b0c0d0e0f1011"), std::string::npos);

  // The granted PAUT is stored as the authorization route's: its report is taken. The SE reported
  // above is in its back-off now: asking for it next is refused with the route's reason and wait.
  json next_report = report;
  next_report["authorization_id"] = grant.at("authorization_id");
  next_report["se_id"] = "0102030405060709";
  auto second = post(base + "/reports", with_next(next_report, kIdentity).dump(), token);
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(body(second).at("duplicate"), false);
  const json backoff = body(second).at("next_refusal");
  EXPECT_EQ(backoff.at("status"), 409);
  EXPECT_EQ(backoff.at("reason"), "backoff");
  EXPECT_GT(backoff.at("retry_after").get<std::int64_t>(), 0);
  const json events = body(get(base + "/events"));
  std::size_t authorizations = 0;
  for (const auto& event : events.at("events")) authorizations += event.at("kind") == "authorization" ? 1 : 0;
  EXPECT_EQ(authorizations, 2u);  // the route's and the one that came with the first accepted report
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& param_info) {
  return param_info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerApi, ::testing::Values(Backend::sqlite, Backend::postgresql), backend_name);

// A database that cannot be written (another process holds SQLite's write lock past the busy
// timeout): 503 + Retry-After, nothing half-done; once the lock is gone the same request succeeds.
TEST(ServerApiOutage, DatabaseUnavailableAnswers503AndTheRetryWorks) {
  TempDir dir;
  const auto path = dir.path() / "outage.db";
  auto hsm = offcard::SoftwareKeystore::in_memory();
  hsm->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
  offcard::server::ServerConfig config;
  config.database_url = "sqlite:" + path.string() + "?busy_timeout_ms=20";
  config.keystore = hsm.get();
  config.admin_token = kAdmin;
  offcard::server::Server server(config);
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Headers auth{{"Authorization", "Bearer " + kAdmin}};
  auto created = client.Post("/v1/campaigns", auth, campaign_body(1).dump(), "application/json");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = json::parse(created->body).at("id");

  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto refused =
      client.Post(("/v1/campaigns/" + id + "/authorizations").c_str(), auth, kIdentity.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(json::parse(refused->body).at("reason"), "database_unavailable");
  EXPECT_EQ(refused->get_header_value("Retry-After"), "2");
  ASSERT_EQ(sqlite3_exec(blocker, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);

  auto retried =
      client.Post(("/v1/campaigns/" + id + "/authorizations").c_str(), auth, kIdentity.dump(), "application/json");
  ASSERT_EQ(retried->status, 201) << retried->body;
  auto campaign = client.Get(("/v1/campaigns/" + id).c_str(), auth);
  EXPECT_EQ(json::parse(campaign->body).at("progress").at("authorized"), 1);  // once, not twice
}

}  // namespace
}  // namespace sefleet::test

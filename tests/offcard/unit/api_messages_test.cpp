// The typed API messages (offcard/api): every message survives to_json -> text -> read unchanged, every
// enum word reads back as its value, and what a reader refuses it refuses naming the field by its path.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/hex.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::offcard::api {
namespace {

using nlohmann::json;

// Through text, as on the wire.
json wire(const json& value) {
  return json::parse(value.dump());
}

template <typename E>
void expect_names_round_trip() {
  std::set<std::string_view> seen;
  for (const auto& [value, text] : EnumNames<E>::entries) {
    EXPECT_EQ(name(value), text);
    EXPECT_EQ(from_name<E>(text), value) << text;
    EXPECT_TRUE(seen.insert(text).second) << "duplicate name " << text;
  }
  EXPECT_FALSE(from_name<E>("no such word").has_value());
}

// The message MessageError carries for `reader(body)`, checking it is a field refusal.
template <typename F>
std::string refusal(F&& reader, const json& body) {
  try {
    reader(body);
  } catch (const MessageError& e) {
    EXPECT_EQ(e.reason(), "invalid_field") << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << body.dump();
  return {};
}

Campaign sample_campaign() {
  Campaign c;
  c.id = "00112233445566778899aabbccddeeff";
  c.name = "wallet 2.1";
  c.profile = 4;
  c.image = ImageInfo{"application", "0102030405060708", 0x00020001, "wallet", 20016, std::string(64, 'a')};
  c.state = CampaignState::paused;
  c.pause_reason = "failure rate 0.40 > 0.20 in wave 1 (5 authenticated reports)";
  c.security_level = 0x13;
  c.policy = ReportPolicy{4, 6, 30};
  c.rollout = RolloutPlan{{10, 50, 100}, 0.2, 5, 0.5};
  c.current_wave = 1;
  c.admitted = 5;
  c.activation = Activation{ActivationMode::deferred, 1767225600, false};
  c.targets = 10;
  for (std::size_t k = 0; k < kDeviceStateCount; ++k) c.progress.n[k] = static_cast<std::int64_t>(k + 1);
  c.pse = FileInfo{270412, std::string(64, 'b'), 1055};
  c.pmob = FileInfo{1024, std::string(64, 'c'), 0};
  c.created_at = 1767225000;
  return c;
}

TEST(ApiEnums, EveryWordReadsBackAsItsValue) {
  expect_names_round_trip<DeviceState>();
  expect_names_round_trip<CampaignState>();
  expect_names_round_trip<ActivationMode>();
  expect_names_round_trip<PautAction>();
  expect_names_round_trip<CampaignOperation>();
  expect_names_round_trip<Evidence>();
  expect_names_round_trip<Refusal>();
  expect_names_round_trip<DeliveryOutcome>();
  for (const auto& [outcome, text] : EnumNames<DeliveryOutcome>::entries) EXPECT_EQ(outcome_name(outcome), text);
  EXPECT_EQ(EnumNames<DeviceState>::entries.size(), kDeviceStateCount);
  for (std::size_t k = 0; k < kDeviceStateCount; ++k) {
    EXPECT_EQ(index_of(EnumNames<DeviceState>::entries[k].first), k) << "device states must be listed in order";
  }
}

TEST(ApiMessages, CampaignMessagesSurviveTheWire) {
  CampaignCreate create;
  create.name = "wallet";
  create.package = Bytes{1, 2, 3, 4, 5};
  create.master_key = "master@v2";
  create.campaign_kek = "campaign-kek";
  create.targets = {Bytes{0xA1, 0xB2}, Bytes{0xC3}};
  create.security_level = 0x13;
  create.rollout = RolloutPlan{{25, 100}, 0.3, 2, 0.6};
  create.policy = ReportPolicy{2, 7, 0};
  create.activation = Activation{ActivationMode::deferred, 99, false};
  create.pmob = Bytes{9, 8, 7};
  EXPECT_EQ(read_campaign_create(wire(to_json(create))), create);

  const Campaign campaign = sample_campaign();
  EXPECT_EQ(read_campaign(wire(to_json(campaign))), campaign);
  Campaign without_pmob = campaign;
  without_pmob.pmob.reset();
  without_pmob.pause_reason.reset();
  EXPECT_EQ(read_campaign(wire(to_json(without_pmob))), without_pmob);
  const CampaignList list{{campaign, without_pmob}};
  EXPECT_EQ(read_campaign_list(wire(to_json(list))), list);

  const Timeline timeline{{{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}}};
  EXPECT_EQ(read_timeline(wire(to_json(timeline))), timeline);
  const EventList events{{{1, 100, "0102", "report", DeviceState::unreachable, "interrupted (unverified): ..."},
                          {2, 101, std::nullopt, "paused", std::nullopt, "automatic pause"}}};
  EXPECT_EQ(read_event_list(wire(to_json(events))), events);
}

TEST(ApiMessages, DeliveryMessagesSurviveTheWire) {
  SeAuthorizationRequest request;
  request.se_id = Bytes{0x53, 0x45, 0x01};
  request.kdd = Bytes(10, 0x11);
  request.kvn = 0x30;
  request.i = 0x70;
  request.sequence_counter = 41;
  EXPECT_EQ(read_authorization_request(wire(to_json(request))), request);

  AuthorizationGrant grant;
  grant.authorization_id = "0123456789abcdef0123456789abcdef";
  grant.action = PautAction::preload;
  grant.paut = {Bytes{0x80, 0x50, 0x30, 0x00}, Bytes{0x84, 0x82, 0x33, 0x00, 0x01, 0xAA}, Bytes{0x84, 0x7C, 0x01, 0x00},
                Bytes{0x84, 0x7E, 0x00, 0x00}};
  grant.expires_at = 1767225900;
  EXPECT_EQ(read_authorization_grant(wire(to_json(grant))), grant);

  ReportRequest report;
  report.authorization_id = grant.authorization_id;
  report.se_id = request.se_id;
  report.delivery.total_commands = 1059;
  report.delivery.commands_sent = 17;
  report.delivery.initialize_update_response = iso7816::ResponseApdu::parse(from_hex("0011223344559000"));
  report.delivery.failed_index = 16;
  report.delivery.failed_sw = 0x6A80;
  report.delivery.failure = "SE answered 6A80";
  EXPECT_EQ(read_report_request(wire(to_json(report))), report);

  const ReportAnswer answer{DeliveryOutcome::interrupted,
                            Evidence::unverified,
                            DeviceState::retry,
                            1,
                            2,
                            1767226000,
                            true,
                            "interrupted, unverified: unverified failure 2 of 5",
                            false,
                            std::nullopt,
                            std::nullopt};
  EXPECT_EQ(read_report_answer(wire(to_json(answer))), answer);
  EXPECT_FALSE(to_json(answer).contains("next_authorization"));
  EXPECT_FALSE(to_json(answer).contains("next_refusal"));

  // The next SE's authorization request rides on a report; its grant or refusal on the answer.
  ReportRequest with_next = report;
  with_next.next_authorization = request;
  with_next.next_authorization->se_id = from_hex("0102030405060709");
  EXPECT_EQ(read_report_request(wire(to_json(with_next))), with_next);
  EXPECT_FALSE(to_json(report).contains("next_authorization"));
  json bad_next = to_json(with_next);
  bad_next["next_authorization"]["kvn"] = 0;
  EXPECT_NE(refusal([](const json& b) { return read_report_request(b); }, bad_next).find("next_authorization.kvn"),
            std::string::npos);
  bad_next["next_authorization"] = "0102";
  EXPECT_NE(refusal([](const json& b) { return read_report_request(b); }, bad_next).find("next_authorization"),
            std::string::npos);
  ReportAnswer granted = answer;
  granted.next_authorization = grant;
  EXPECT_EQ(read_report_answer(wire(to_json(granted))), granted);
  ReportAnswer refused = answer;
  refused.next_refusal = NextRefusal{
      409, ErrorBody{"SE 0102030405060709 is not in wave 0 yet", "not_in_wave", "wave 0 admits 1 of 2 targets", 30}};
  EXPECT_EQ(read_report_answer(wire(to_json(refused))), refused);
  EXPECT_EQ(to_json(refused).at("next_refusal").at("status"), 409);

  const ErrorBody paused{"campaign x is paused: ...", "paused", "failure rate 0.25 > 0.20 in wave 1", 30};
  EXPECT_EQ(read_error_body(wire(to_json(paused))), paused);
  const ErrorBody plain{"no campaign x", "not_found", std::nullopt, std::nullopt};
  EXPECT_EQ(read_error_body(wire(to_json(plain))), plain);
  EXPECT_FALSE(to_json(plain).contains("detail"));
}

TEST(ApiMessages, AdminMessagesSurviveTheWire) {
  const std::string c1 = "00112233445566778899aabbccddeeff";
  const TokenCreate create{"line 3", {c1}};
  EXPECT_EQ(read_token_create(wire(to_json(create))), create);
  const TokenCreated created{7, "line 3", {c1}, "sft_abc"};
  EXPECT_EQ(read_token_created(wire(to_json(created))), created);
  const TokenList tokens{{{7, "line 3", {c1}, 1000}, {8, "line 4", {}, 1001}}};
  EXPECT_EQ(read_token_list(wire(to_json(tokens))), tokens);
  EXPECT_EQ(read_token_deleted(wire(to_json(TokenDeleted{7}))), TokenDeleted{7});

  const DeviceEntry entry{"0102", c1, DeviceState::unreachable, 1, 5, std::nullopt, "5 unverified failures", 1234};
  const DeviceList devices{{entry, DeviceEntry{"0a0b", c1, DeviceState::retry, 0, 1, 99, "", 5}}, std::nullopt};
  EXPECT_EQ(read_device_list(wire(to_json(devices))), devices);
  // A page carries the total across pages; a whole list has none.
  DeviceList page = devices;
  page.total = 1234;
  EXPECT_EQ(read_device_list(wire(to_json(page))), page);
  EXPECT_EQ(to_json(page).at("total"), 1234);
  EXPECT_FALSE(to_json(devices).contains("total"));

  DeviceRecord record;
  record.se_id = "0102";
  record.images = {DeviceImage{"os", 5, std::string(64, 'd'), c1, 77}};
  record.campaigns = {entry};
  record.history = {AuthorizationHistory{
      "0123456789abcdef0123456789abcdef",
      c1,
      PautAction::activate,
      70,
      {ReportSummary{71, DeliveryOutcome::not_authenticated, Evidence::unverified, DeviceState::retry, true, "forged"},
       ReportSummary{72, DeliveryOutcome::activated, Evidence::authenticated, DeviceState::updated, true, "ok"}}}};
  EXPECT_EQ(read_device_record(wire(to_json(record))), record);
  // Versions go out in both forms: the manifest's number and MAJOR.MINOR.
  EXPECT_EQ(to_json(record).at("images").at(0).at("version_text"), "0.5");

  const ReleaseRequest release{c1, "reader replaced"};
  EXPECT_EQ(read_release_request(wire(to_json(release))), release);
  EXPECT_EQ(read_release_request(json::object()), ReleaseRequest{});
  const ReleaseAnswer released{"0102", {Release{c1, DeviceState::unreachable, DeviceState::pending}}};
  EXPECT_EQ(read_release_answer(wire(to_json(released))), released);
}

TEST(ApiMessages, CampaignCreateDefaultsAreTheDocumentedOnes) {
  const json minimal{{"name", "x"}, {"package", "AQID"}, {"master_key", "m"}, {"targets", {"0102"}}};
  const CampaignCreate c = read_campaign_create(minimal);
  EXPECT_EQ(c.package, (Bytes{1, 2, 3}));
  EXPECT_EQ(c.security_level, 0x33);
  EXPECT_EQ(c.rollout, RolloutPlan{});
  EXPECT_EQ(c.rollout.waves, std::vector<int>{100});
  EXPECT_EQ(c.policy, (ReportPolicy{3, 5, 10}));
  EXPECT_EQ(c.activation.mode, ActivationMode::immediate);
  EXPECT_FALSE(c.pmob.has_value());
}

TEST(ApiMessages, RefusalsNameTheFieldByItsPath) {
  const json base{{"name", "x"}, {"package", "AQID"}, {"master_key", "m"}, {"targets", {"0102", "0304"}}};
  const auto create = [](const json& body) { return read_campaign_create(body); };
  const auto with = [&base](const std::string& field, const json& value) {
    json body = base;
    body[field] = value;
    return body;
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  json no_name = base;
  no_name.erase("name");
  EXPECT_TRUE(contains(refusal(create, no_name), "name: missing"));
  EXPECT_TRUE(contains(refusal(create, with("name", 5)), "name: expected a string"));
  EXPECT_TRUE(contains(refusal(create, with("name", "")), "name: must not be empty"));
  EXPECT_TRUE(contains(refusal(create, with("package", "not base64!")), "package:"));
  EXPECT_TRUE(contains(refusal(create, with("targets", json::array())), "targets:"));
  EXPECT_TRUE(contains(refusal(create, with("targets", {"0102", "0102"})), "targets[1]: duplicate SE id"));
  EXPECT_TRUE(contains(refusal(create, with("targets", {"0102", "xyz"})), "targets[1]: expected hex digits only"));
  EXPECT_TRUE(contains(refusal(create, with("security_level", 0x23)), "security_level"));
  EXPECT_TRUE(
      contains(refusal(create, with("rollout", {{"waves", {50, 20, 100}}})), "rollout.waves[1]: expected strictly"));
  EXPECT_TRUE(
      contains(refusal(create, with("rollout", {{"waves", {50}}})), "rollout.waves: the last wave must be 100"));
  EXPECT_TRUE(contains(refusal(create, with("rollout", {{"max_failure_rate", 1.5}})), "rollout.max_failure_rate"));
  EXPECT_TRUE(
      contains(refusal(create, with("rollout", {{"max_unverified_rate", -0.1}})), "rollout.max_unverified_rate"));
  EXPECT_TRUE(contains(refusal(create, with("max_attempts", 0)), "max_attempts: expected 1..100"));
  EXPECT_TRUE(
      contains(refusal(create, with("max_unverified_attempts", 101)), "max_unverified_attempts: expected 1..100"));
  EXPECT_TRUE(contains(refusal(create, with("unverified_backoff", -1)), "unverified_backoff"));
  EXPECT_TRUE(contains(refusal(create, with("activation", {{"mode", "later"}})),
                       "activation.mode: unknown value \"later\" (expected one of: immediate, deferred)"));
  EXPECT_TRUE(contains(refusal(create, with("activation", {{"mode", "immediate"}, {"at", 5}})),
                       "activation.at: only for mode \"deferred\""));

  const json report{
      {"authorization_id", std::string(32, '0')}, {"se_id", "0102"}, {"total_commands", 4}, {"commands_sent", 5}};
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_report_request(b); }, report),
                       "commands_sent: above total_commands"));
  json short_id = report;
  short_id["authorization_id"] = "0011";
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_report_request(b); }, short_id), "authorization_id"));

  json grant = to_json(AuthorizationGrant{std::string(32, 'a'), PautAction::activate, {}, 1});
  grant["paut"] = {"80500000", "84820000", "847C0100"};
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_authorization_grant(b); }, grant),
                       "paut: expected the 4 commands of a PAUT"));

  json campaign = to_json(sample_campaign());
  campaign["progress"]["unreachable"] = -1;
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_campaign(b); }, campaign), "progress.unreachable"));
  campaign = to_json(sample_campaign());
  campaign["state"] = "sleeping";
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_campaign(b); }, campaign), "state: unknown value"));

  const json event_list{
      {"events",
       {{{"id", 1}, {"t", 1}, {"se_id", nullptr}, {"kind", "report"}, {"decision", "gone"}, {"detail", ""}}}}};
  EXPECT_TRUE(contains(refusal([](const json& b) { return read_event_list(b); }, event_list), "events[0].decision"));
}

TEST(ApiMessages, BodiesThatAreNotJsonObjectsAreMalformed) {
  for (const char* text : {"", "{", "[1,2]", "\"text\"", "12"}) {
    try {
      parse_json_object(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const MessageError& e) {
      EXPECT_EQ(e.reason(), "malformed_json") << text;
    }
  }
  EXPECT_EQ(parse_json_object("{\"a\": 1}")["a"], 1);
}

}  // namespace
}  // namespace sefleet::offcard::api

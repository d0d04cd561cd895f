// The JSON form of every API message (docs/api.md). to_json writes the wire form; read_<message>
// validates a received one completely (types, ranges, sizes, enum words, cross-field rules) and throws
// MessageError naming the field (json_reader.hpp). For every message m: read_M(to_json(m)) == m.
#pragma once

#include <nlohmann/json.hpp>

#include "offcard/api/json_reader.hpp"
#include "offcard/api/messages.hpp"

namespace sefleet::offcard::api {

// Campaigns (campaign_json.cpp).
nlohmann::json to_json(const RolloutPlan& plan);
nlohmann::json to_json(const CampaignCreate& request);
nlohmann::json to_json(const Campaign& campaign);
nlohmann::json to_json(const CampaignList& list);
nlohmann::json to_json(const Timeline& timeline);
nlohmann::json to_json(const EventList& events);
RolloutPlan read_rollout_plan(const JsonReader& reader);  // also checks the waves (rollout rules)
CampaignCreate read_campaign_create(const nlohmann::json& body);
Campaign read_campaign(const nlohmann::json& body);
CampaignList read_campaign_list(const nlohmann::json& body);
Timeline read_timeline(const nlohmann::json& body);
EventList read_event_list(const nlohmann::json& body);

// Authorizations and reports (delivery_json.cpp).
nlohmann::json to_json(const SeAuthorizationRequest& request);
nlohmann::json to_json(const AuthorizationGrant& grant);
nlohmann::json to_json(const ReportRequest& request);
nlohmann::json to_json(const ReportAnswer& answer);
nlohmann::json to_json(const ErrorBody& error);
SeAuthorizationRequest read_authorization_request(const nlohmann::json& body);
AuthorizationGrant read_authorization_grant(const nlohmann::json& body);
ReportRequest read_report_request(const nlohmann::json& body);
ReportAnswer read_report_answer(const nlohmann::json& body);
ErrorBody read_error_body(const nlohmann::json& body);

// Online authorization (online_json.cpp).
nlohmann::json to_json(const OnlineSessionRequest& request);
nlohmann::json to_json(const SessionStart& start);
nlohmann::json to_json(const SessionAnswer& answer);
nlohmann::json to_json(const OnlineGrant& grant);
OnlineSessionRequest read_online_session_request(const nlohmann::json& body);
SessionStart read_session_start(const nlohmann::json& body);
SessionAnswer read_session_answer(const nlohmann::json& body);
OnlineGrant read_online_grant(const nlohmann::json& body);
// The start request of an online SCP03 session ("protocol": "scp03", se_id, kdd, kvn, i).
nlohmann::json scp03_session_request_json(const SeAuthorizationRequest& request);
SeAuthorizationRequest read_scp03_session_request(const nlohmann::json& body);
// "protocol" of a session route's body: absent for SCP11; MessageError for another value.
OnlineProtocol read_online_protocol(const nlohmann::json& body);

// Tokens and devices (admin_json.cpp).
nlohmann::json to_json(const TokenCreate& request);
nlohmann::json to_json(const TokenCreated& created);
nlohmann::json to_json(const TokenList& list);
nlohmann::json to_json(const TokenDeleted& deleted);
nlohmann::json to_json(const DeviceList& list);
nlohmann::json to_json(const DeviceRecord& record);
nlohmann::json to_json(const ReleaseRequest& request);
nlohmann::json to_json(const ReleaseAnswer& answer);
TokenCreate read_token_create(const nlohmann::json& body);
TokenCreated read_token_created(const nlohmann::json& body);
TokenList read_token_list(const nlohmann::json& body);
TokenDeleted read_token_deleted(const nlohmann::json& body);
DeviceList read_device_list(const nlohmann::json& body);
DeviceRecord read_device_record(const nlohmann::json& body);
ReleaseRequest read_release_request(const nlohmann::json& body);
ReleaseAnswer read_release_answer(const nlohmann::json& body);

// Shared pieces.
std::string read_campaign_id(const nlohmann::json& value, const std::string& path);  // 32 hex, lower-cased
std::optional<std::string> read_optional_text(const JsonReader& reader, std::string_view field);
nlohmann::json optional_json(const std::optional<std::string>& text);
nlohmann::json optional_json(const std::optional<std::int64_t>& number);

}  // namespace sefleet::offcard::api

// JSON of authorizations, reports and error answers (docs/api.md "Authorization", "Reports", "Errors").
#include "core/error.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/package_format.hpp"

namespace sefleet::offcard::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxDeliveryTime = std::int64_t{1} << 40;
constexpr std::int64_t kMaxCommands = 1 << 24;
constexpr std::size_t kMaxApduSize = 4 + 3 + 65535 + 3;  // an extended C-APDU
constexpr std::size_t kMaxResponseSize = 65536 + 2;      // data || SW

json optional_response(const std::optional<iso7816::ResponseApdu>& response) {
  return response ? json(lower_hex(response->encode())) : json(nullptr);
}

std::optional<iso7816::ResponseApdu> read_response(const JsonReader& r, std::string_view field) {
  auto bytes = r.optional_hex(field, 2, kMaxResponseSize);
  if (!bytes) return std::nullopt;
  return iso7816::ResponseApdu::parse(*bytes);
}

}  // namespace

json to_json(const SeAuthorizationRequest& request) {
  return json{{"se_id", lower_hex(request.se_id)},
              {"kdd", lower_hex(request.kdd)},
              {"kvn", request.kvn},
              {"i", request.i},
              {"sequence_counter", request.sequence_counter}};
}

// The fields of an authorization request, at the reader's path (the body, or a report's
// "next_authorization").
static SeAuthorizationRequest read_authorization_fields(const JsonReader& r, const std::string& path) {
  SeAuthorizationRequest request;
  request.se_id = r.hex("se_id", kMinSeIdSize, kMaxSeIdSize);
  request.kdd = r.hex("kdd", kKddSize, kKddSize);
  request.kvn = static_cast<std::uint8_t>(r.integer("kvn", 1, 255));
  request.i = static_cast<std::uint8_t>(r.integer("i", 0, 255));
  request.sequence_counter = static_cast<std::uint32_t>(r.integer("sequence_counter", 0, 0xFFFFFE));
  try {
    check_authorization_request(request);  // "i" the HSM role supports, ...
  } catch (const Error& error) {
    throw MessageError(MessageError::Kind::invalid_field, path,
                       path.empty() ? error.what() : path + ": " + error.what());
  }
  return request;
}

SeAuthorizationRequest read_authorization_request(const json& body) {
  return read_authorization_fields(JsonReader(body), "");
}

json to_json(const AuthorizationGrant& grant) {
  json paut = json::array();
  for (const auto& command : grant.paut) paut.push_back(lower_hex(command));
  return json{{"authorization_id", grant.authorization_id},
              {"action", name(grant.action)},
              {"paut", paut},
              {"expires_at", grant.expires_at}};
}

static AuthorizationGrant read_grant_fields(const JsonReader& r) {
  AuthorizationGrant grant;
  grant.authorization_id = lower_hex(r.hex("authorization_id", kAuthorizationIdSize, kAuthorizationIdSize));
  grant.action = r.enumeration<PautAction>("action");
  const auto paut = r.array("paut", 4);
  if (paut.size() != 4) r.fail("paut", "expected the 4 commands of a PAUT");
  for (std::size_t k = 0; k < 4; ++k) grant.paut[k] = hex_value(paut[k].value, paut[k].path, 4, kMaxApduSize);
  grant.expires_at = r.integer("expires_at", 0, kMaxDeliveryTime);
  return grant;
}

AuthorizationGrant read_authorization_grant(const json& body) {
  return read_grant_fields(JsonReader(body));
}

json to_json(const ReportRequest& request) {
  const DeliveryReport& d = request.delivery;
  json out{{"authorization_id", request.authorization_id},
           {"se_id", lower_hex(request.se_id)},
           {"total_commands", d.total_commands},
           {"commands_sent", d.commands_sent},
           {"initialize_update_response", optional_response(d.initialize_update_response)},
           {"authorize_response", optional_response(d.authorize_response)},
           {"failed_index", d.failed_index ? json(*d.failed_index) : json(nullptr)},
           {"failed_sw", d.failed_sw},
           {"failure", d.failure}};
  // Only an online authorization's report has it: the JSON (and the hash of a resent report) of an
  // offline one stays as it was.
  if (d.authenticate_response) out["authenticate_response"] = optional_response(d.authenticate_response);
  if (request.next_authorization) out["next_authorization"] = to_json(*request.next_authorization);
  return out;
}

ReportRequest read_report_request(const json& body) {
  const JsonReader r(body);
  ReportRequest request;
  request.authorization_id = lower_hex(r.hex("authorization_id", kAuthorizationIdSize, kAuthorizationIdSize));
  request.se_id = r.hex("se_id", kMinSeIdSize, kMaxSeIdSize);
  DeliveryReport& d = request.delivery;
  d.total_commands = static_cast<std::size_t>(r.integer("total_commands", 0, kMaxCommands));
  d.commands_sent = static_cast<std::size_t>(r.integer("commands_sent", 0, kMaxCommands));
  if (d.commands_sent > d.total_commands) r.fail("commands_sent", "above total_commands");
  d.initialize_update_response = read_response(r, "initialize_update_response");
  d.authorize_response = read_response(r, "authorize_response");
  d.authenticate_response = read_response(r, "authenticate_response");
  if (auto index = r.optional_integer("failed_index", 0, kMaxCommands))
    d.failed_index = static_cast<std::size_t>(*index);
  d.failed_sw = static_cast<std::uint16_t>(r.optional_integer("failed_sw", 0, 0xFFFF).value_or(0));
  d.failure = r.optional_string("failure", 0, kMaxFailureText).value_or("");
  if (auto next = r.optional_object("next_authorization")) {
    request.next_authorization = read_authorization_fields(*next, "next_authorization");
  }
  return request;
}

static ErrorBody read_error_fields(const JsonReader& r) {
  ErrorBody error;
  error.error = r.string("error");
  error.reason = r.string("reason", 1, 100);
  error.detail = r.optional_string("detail");
  error.retry_after = r.optional_integer("retry_after", 0, kMaxDeliveryTime);
  return error;
}

json to_json(const ReportAnswer& answer) {
  json out{{"outcome", name(answer.outcome)},
           {"evidence", name(answer.evidence)},
           {"decision", name(answer.decision)},
           {"attempts", answer.attempts},
           {"unverified_attempts", answer.unverified_attempts},
           {"retry_at", optional_json(answer.retry_at)},
           {"counted", answer.counted},
           {"reason", answer.reason},
           {"duplicate", answer.duplicate}};
  // Only when the request asked for the next SE's authorization: the stored answer of a report never
  // has them.
  if (answer.next_authorization) out["next_authorization"] = to_json(*answer.next_authorization);
  if (answer.next_refusal) {
    json refusal = to_json(answer.next_refusal->error);
    refusal["status"] = answer.next_refusal->status;
    out["next_refusal"] = std::move(refusal);
  }
  return out;
}

ReportAnswer read_report_answer(const json& body) {
  const JsonReader r(body);
  ReportAnswer answer;
  answer.outcome = r.enumeration<DeliveryOutcome>("outcome");
  answer.evidence = r.enumeration<Evidence>("evidence");
  answer.decision = r.enumeration<DeviceState>("decision");
  answer.attempts = r.integer("attempts", 0, kMaxAttemptsLimit);
  answer.unverified_attempts = r.integer("unverified_attempts", 0, kMaxAttemptsLimit);
  answer.retry_at = r.optional_integer("retry_at", 0, kMaxDeliveryTime);
  answer.counted = r.boolean("counted");
  answer.reason = r.string("reason");
  answer.duplicate = r.boolean("duplicate");
  if (auto next = r.optional_object("next_authorization")) answer.next_authorization = read_grant_fields(*next);
  if (auto refusal = r.optional_object("next_refusal")) {
    answer.next_refusal =
        NextRefusal{static_cast<int>(refusal->integer("status", 400, 599)), read_error_fields(*refusal)};
  }
  return answer;
}

json to_json(const ErrorBody& error) {
  json out{{"error", error.error}, {"reason", error.reason}};
  if (error.detail) out["detail"] = *error.detail;
  if (error.retry_after) out["retry_after"] = *error.retry_after;
  return out;
}

ErrorBody read_error_body(const json& body) {
  return read_error_fields(JsonReader(body));
}

}  // namespace sefleet::offcard::api

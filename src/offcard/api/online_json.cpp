// JSON of the online authorization routes (docs/api.md "Online authorization").
#include "core/error.hpp"
#include "gp/scp03_types.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/package_format.hpp"

namespace sefleet::offcard::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxOnlineTime = std::int64_t{1} << 40;
constexpr std::size_t kMaxCertificatesSize = 8192;  // a few certificates of a P-256 chain
constexpr std::size_t kMaxStateSize = 1024;         // a sealed session state is a few hundred bytes
constexpr std::size_t kMaxOnlineApduSize = 4 + 3 + 65535 + 3;
constexpr std::size_t kMaxOnlineResponseSize = 65536 + 2;
constexpr std::size_t kMaxSetupCommands = 16;  // SCP11a: the OCE chain's certificates and the authenticate
constexpr std::size_t kMaxOffers = 8;          // the key sets of KIDs 11, 13 and 15, a few versions each

std::string variant_text(gp::scp11::Variant variant) {
  switch (variant) {
    case gp::scp11::Variant::a:
      return "11a";
    case gp::scp11::Variant::b:
      return "11b";
    case gp::scp11::Variant::c:
      return "11c";
  }
  return "11b";
}

constexpr const char* kProtocolScp03 = "scp03";
gp::scp11::Variant read_variant(const JsonReader& r) {
  const auto variant = gp::scp11::parse_variant(r.string("variant", 1, 8));
  if (!variant) r.fail("variant", "expected 11a, 11b or 11c");
  return *variant;
}

}  // namespace

OnlineProtocol read_online_protocol(const json& body) {
  const JsonReader r(body);
  const auto protocol = r.optional_string("protocol", 1, 8);
  if (!protocol || *protocol == "scp11") return OnlineProtocol::scp11;
  if (*protocol == kProtocolScp03) return OnlineProtocol::scp03;
  r.fail("protocol", "expected scp11 or scp03");
}

json scp03_session_request_json(const SeAuthorizationRequest& request) {
  return json{{"protocol", kProtocolScp03},
              {"se_id", lower_hex(request.se_id)},
              {"kdd", lower_hex(request.kdd)},
              {"kvn", request.kvn},
              {"i", request.i}};
}

SeAuthorizationRequest read_scp03_session_request(const json& body) {
  const JsonReader r(body);
  SeAuthorizationRequest request;
  request.se_id = r.hex("se_id", kMinSeIdSize, kMaxSeIdSize);
  request.kdd = r.hex("kdd", gp::kKddSize, gp::kKddSize);
  request.kvn = static_cast<std::uint8_t>(r.integer("kvn", 1, 255));
  request.i = static_cast<std::uint8_t>(r.integer("i", 0, 255));
  return request;
}

json to_json(const OnlineSessionRequest& request) {
  json out{{"se_id", lower_hex(request.se_id)},
           {"certificates", lower_hex(request.certificates)},
           {"kvn", request.kvn},
           {"variant", variant_text(request.variant)}};
  if (!request.offers.empty()) {
    json offers = json::array();
    for (const auto& offer : request.offers) {
      offers.push_back(json{{"variant", variant_text(offer.variant)},
                            {"kvn", offer.kvn},
                            {"certificates", lower_hex(offer.certificates)}});
    }
    out["offers"] = std::move(offers);
  }
  return out;
}

OnlineSessionRequest read_online_session_request(const json& body) {
  const JsonReader r(body);
  OnlineSessionRequest request;
  request.se_id = r.hex("se_id", kMinSeIdSize, kMaxSeIdSize);
  request.certificates = r.hex("certificates", 1, kMaxCertificatesSize);
  request.kvn = static_cast<std::uint8_t>(r.integer("kvn", 1, 255));
  request.variant = read_variant(r);
  if (r.has("offers")) {
    for (const auto& element : r.array("offers", kMaxOffers)) {
      const JsonReader o(element.value, element.path);
      OnlineOffer offer;
      offer.variant = read_variant(o);
      offer.kvn = static_cast<std::uint8_t>(o.integer("kvn", 1, 255));
      offer.certificates = o.hex("certificates", 1, kMaxCertificatesSize);
      request.offers.push_back(std::move(offer));
    }
  }
  return request;
}

json to_json(const SessionStart& start) {
  json commands = json::array();
  for (const auto& command : start.commands) commands.push_back(lower_hex(command));
  json out{{"session_id", start.session_id},
           {"commands", commands},
           {"state", lower_hex(start.state)},
           {"expires_at", start.expires_at}};
  if (start.variant) out["variant"] = variant_text(*start.variant);
  return out;
}

SessionStart read_session_start(const json& body) {
  const JsonReader r(body);
  SessionStart start;
  start.session_id = lower_hex(r.hex("session_id", kAuthorizationIdSize, kAuthorizationIdSize));
  for (const auto& command : r.array("commands", kMaxSetupCommands)) {
    start.commands.push_back(hex_value(command.value, command.path, 4, kMaxOnlineApduSize));
  }
  if (start.commands.empty()) r.fail("commands", "expected at least one command");
  start.state = r.hex("state", 1, kMaxStateSize);
  start.expires_at = r.integer("expires_at", 0, kMaxOnlineTime);
  if (r.has("variant")) start.variant = read_variant(r);
  return start;
}

json to_json(const SessionAnswer& answer) {
  json out{{"se_id", lower_hex(answer.se_id)},
           {"state", lower_hex(answer.state)},
           {"response", lower_hex(answer.response.encode())}};
  if (answer.protocol == OnlineProtocol::scp03) out["protocol"] = kProtocolScp03;
  return out;
}

SessionAnswer read_session_answer(const json& body) {
  const JsonReader r(body);
  SessionAnswer answer;
  answer.se_id = r.hex("se_id", kMinSeIdSize, kMaxSeIdSize);
  answer.state = r.hex("state", 1, kMaxStateSize);
  answer.response = iso7816::ResponseApdu::parse(r.hex("response", 2, kMaxOnlineResponseSize));
  answer.protocol = read_online_protocol(body);
  return answer;
}

json to_json(const OnlineGrant& grant) {
  json out{{"authorization_id", grant.authorization_id},
           {"action", name(grant.action)},
           {"paut", json::array({lower_hex(grant.paut[0]), lower_hex(grant.paut[1])})},
           {"expires_at", grant.expires_at}};
  if (!grant.session_commands.empty()) {
    json commands = json::array();
    for (const auto& command : grant.session_commands) commands.push_back(lower_hex(command));
    out["session_commands"] = commands;
  }
  return out;
}

OnlineGrant read_online_grant(const json& body) {
  const JsonReader r(body);
  OnlineGrant grant;
  grant.authorization_id = lower_hex(r.hex("authorization_id", kAuthorizationIdSize, kAuthorizationIdSize));
  grant.action = r.enumeration<PautAction>("action");
  const auto paut = r.array("paut", 2);
  if (paut.size() != 2) r.fail("paut", "expected CHANGE MODE and AUTHORIZE ACTION");
  for (std::size_t k = 0; k < 2; ++k) grant.paut[k] = hex_value(paut[k].value, paut[k].path, 4, kMaxOnlineApduSize);
  if (r.has("session_commands")) {
    for (const auto& command : r.array("session_commands", kMaxSetupCommands)) {
      grant.session_commands.push_back(hex_value(command.value, command.path, 4, kMaxOnlineApduSize));
    }
  }
  grant.expires_at = r.integer("expires_at", 0, kMaxOnlineTime);
  return grant;
}

}  // namespace sefleet::offcard::api

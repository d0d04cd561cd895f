#include "offcard/terminal/api_client.hpp"

#include <cctype>
#include <fstream>
#include <system_error>

#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::offcard::terminal {
namespace {

std::string campaign_path(const std::string& campaign_id) {
  return "/v1/campaigns/" + campaign_id;
}

// The ETag's value without quotes (and without a weak marker, which our server never sends).
std::string etag_value(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag.erase(0, 2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string hex(ByteView bytes) {
  return api::lower_hex(bytes);
}

std::string file_sha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io_error, "cannot read " + path.string());
  crypto::Sha256 hash;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got > 0) hash.update(ByteView(reinterpret_cast<const std::uint8_t*>(buffer.data()), got));
  }
  const auto digest = hash.finish();
  return hex(ByteView(digest.data(), digest.size()));
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text << "\n";
  if (!out.flush()) throw Error(Errc::io_error, "cannot write " + path.string());
}

// A campaign id as a file name: ids are numbers or slugs, but a hostile server must not pick paths.
std::string safe_name(const std::string& id) {
  std::string name;
  for (char c : id) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return name.empty() ? "_" : name;
}

}  // namespace

template <typename Reader>
auto ApiClient::read(const HttpAnswer& answer, int expected, const std::string& what, Reader&& reader) {
  const nlohmann::json body = session_.expect_json(answer, expected, what);
  try {
    return reader(body);
  } catch (const api::MessageError& e) {
    throw ApiError(Errc::protocol_error, answer.status, "bad_json", what + ": unexpected answer: " + e.what());
  }
}

bool ApiClient::healthy() {
  try {
    const auto answer = session_.request("GET", "/v1/health");
    if (answer.status != 200) return false;
    const auto body = nlohmann::json::parse(answer.body);
    return body.value("status", "") == "ok";
  } catch (const std::exception&) {
    return false;
  }
}

api::Campaign ApiClient::campaign(const std::string& campaign_id) {
  return read(session_.request("GET", campaign_path(campaign_id)), 200, "campaign " + campaign_id,
              [](const nlohmann::json& body) { return api::read_campaign(body); });
}

std::filesystem::path ApiClient::download_pse(const api::Campaign& info, const std::filesystem::path& cache_dir) {
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) throw Error(Errc::io_error, "cannot create the PSE cache " + cache_dir.string() + ": " + ec.message());
  const std::filesystem::path final_path = cache_dir / ("campaign-" + safe_name(info.id) + ".pse");
  const std::filesystem::path part_path = final_path.string() + ".part";
  const std::filesystem::path etag_path = final_path.string() + ".part.etag";

  // A cached, complete file is used only if it is still the campaign's PSE.
  const auto pse_size = static_cast<std::uint64_t>(info.pse.size);
  if (std::filesystem::exists(final_path) && std::filesystem::file_size(final_path) == pse_size &&
      file_sha256(final_path) == info.pse.sha256) {
    return final_path;
  }

  const RetryPolicy& policy = session_.options().retry;
  const std::string path = campaign_path(info.id) + "/pse";
  std::string last_problem;
  for (unsigned attempt = 0; attempt < policy.max_attempts; ++attempt) {
    std::uint64_t offset = 0;
    std::string known_etag;
    if (std::filesystem::exists(part_path) && std::filesystem::exists(etag_path)) {
      offset = std::filesystem::file_size(part_path);
      known_etag = read_text(etag_path);
    }
    if (offset > pse_size || known_etag.empty()) offset = 0;

    std::map<std::string, std::string> headers;
    if (offset > 0) {
      headers["Range"] = "bytes=" + std::to_string(offset) + "-";
      headers["If-Range"] = "\"" + known_etag + "\"";  // the server restarts with 200 if the PSE changed
    }
    std::ofstream out;
    std::string error_body;
    std::string etag;
    bool writing = false;
    StreamHandlers handlers;
    handlers.on_headers = [&](const HttpAnswer& head) {
      etag = etag_value(head.header("ETag"));
      if (head.status == 206 && offset > 0 && etag == known_etag) {
        const std::string expected = "bytes " + std::to_string(offset) + "-";
        if (head.header("Content-Range").rfind(expected, 0) != 0) return false;  // not where we stopped
        out.open(part_path, std::ios::binary | std::ios::app);
        writing = true;
      } else if (head.status == 200) {
        out.open(part_path, std::ios::binary | std::ios::trunc);
        write_text(etag_path, etag);
        writing = true;
      }
      if (writing && !out) throw Error(Errc::io_error, "cannot write " + part_path.string());
      return true;
    };
    handlers.on_data = [&](const char* data, std::size_t size) {
      if (!writing) {
        if (error_body.size() < 65536) error_body.append(data, size);
        return true;
      }
      out.write(data, static_cast<std::streamsize>(size));
      return static_cast<bool>(out);
    };
    HttpAnswer answer;
    try {
      answer = session_.stream_get(path, headers, handlers);
    } catch (const ApiError& e) {
      if (e.code() != Errc::unavailable) throw;
      last_problem = e.what();
      out.close();  // keep what arrived: the next attempt resumes from there
      if (attempt + 1 < policy.max_attempts) {
        session_.wait("PSE download interrupted", backoff_delay(policy, attempt, session_.next_random()));
      }
      continue;
    }
    out.close();
    if (answer.status == 206 && !writing) {  // a range we did not ask for: start over
      std::filesystem::remove(part_path, ec);
      last_problem = "unexpected Content-Range";
      continue;
    }
    if (answer.status == 416) {  // our partial file is not a prefix the server knows: start over
      std::filesystem::remove(part_path, ec);
      last_problem = "416";
      continue;
    }
    if (answer.status == 503) {
      last_problem = "503";
      if (attempt + 1 < policy.max_attempts) {
        session_.wait("PSE download answered 503",
                      retry_after_delay(policy, parse_retry_after(answer.header("Retry-After")),
                                        backoff_delay(policy, attempt, session_.next_random())));
      }
      continue;
    }
    if (answer.status != 200 && answer.status != 206) {
      answer.body = error_body;
      throw api_error(answer, "PSE download of campaign " + info.id);
    }
    // Complete: the bytes must be what the campaign announced and what the server's ETag names.
    const std::string digest = file_sha256(part_path);
    const auto size = std::filesystem::file_size(part_path);
    if (size != pse_size || digest != info.pse.sha256 || lower(etag) != digest) {
      std::filesystem::remove(part_path, ec);
      std::filesystem::remove(etag_path, ec);
      throw Error(Errc::integrity_error, "PSE of campaign " + info.id + " does not match: got " + std::to_string(size) +
                                             " bytes with SHA-256 " + digest + ", ETag " + etag + ", campaign says " +
                                             std::to_string(info.pse.size) + " bytes, " + info.pse.sha256);
    }
    std::filesystem::rename(part_path, final_path, ec);
    if (ec) throw Error(Errc::io_error, "cannot move the PSE into the cache: " + ec.message());
    std::filesystem::remove(etag_path, ec);
    return final_path;
  }
  throw ApiError(Errc::unavailable, 0, "unreachable",
                 "PSE download of campaign " + info.id + " failed after " + std::to_string(policy.max_attempts) +
                     " attempt(s): " + last_problem);
}

Bytes ApiClient::download_pmob(const api::Campaign& info) {
  if (!info.pmob) throw Error(Errc::not_found, "campaign " + info.id + " has no PMOB");
  const auto answer = session_.request("GET", campaign_path(info.id) + "/pmob");
  if (answer.status != 200) throw api_error(answer, "PMOB download of campaign " + info.id);
  const Bytes bytes(answer.body.begin(), answer.body.end());
  const auto digest_bytes = crypto::sha256(bytes);
  const std::string digest = hex(ByteView(digest_bytes.data(), digest_bytes.size()));
  const std::string etag = lower(etag_value(answer.header("ETag")));
  if (bytes.size() != static_cast<std::size_t>(info.pmob->size) || digest != info.pmob->sha256 ||
      (!etag.empty() && etag != digest)) {
    throw Error(Errc::integrity_error, "PMOB of campaign " + info.id + " does not match: got " +
                                           std::to_string(bytes.size()) + " bytes with SHA-256 " + digest +
                                           ", campaign says " + std::to_string(info.pmob->size) + " bytes, " +
                                           info.pmob->sha256);
  }
  return bytes;
}

std::optional<AuthorizationRefusal> ApiClient::rollout_refusal(const HttpAnswer& answer, const std::string& what) {
  const ApiError error = api_error(answer, what);
  const auto reason = api::from_name<api::Refusal>(error.reason());
  if (!reason) return std::nullopt;
  AuthorizationRefusal refusal;
  refusal.reason = *reason;
  refusal.message = error.what();
  refusal.retry_after = error.retry_after();
  try {
    refusal.detail = api::read_error_body(nlohmann::json::parse(answer.body)).detail;
  } catch (const std::exception& e) {
    throw ApiError(Errc::protocol_error, 409, "bad_json", what + ": unexpected refusal body: " + e.what());
  }
  return refusal;
}

AuthorizationAnswer ApiClient::authorize(const std::string& campaign_id, const SeAuthorizationRequest& request) {
  const auto answer = session_.request("POST", campaign_path(campaign_id) + "/authorizations", api::to_json(request));
  const std::string what = "authorization for SE " + hex(request.se_id);
  if (answer.status == 201) {
    return AuthorizationAnswer{
        read(answer, 201, what, [](const nlohmann::json& body) { return api::read_authorization_grant(body); }),
        std::nullopt};
  }
  if (answer.status != 409) throw api_error(answer, what);
  auto refusal = rollout_refusal(answer, what);
  if (!refusal) {
    const ApiError error = api_error(answer, what);
    throw ApiError(Errc::protocol_error, 409, error.reason(), what + ": unknown refusal: " + error.what());
  }
  return AuthorizationAnswer{std::nullopt, std::move(refusal)};
}

api::SessionStart ApiClient::start_session(const std::string& campaign_id, const OnlineSessionRequest& request) {
  return read(session_.request("POST", campaign_path(campaign_id) + "/sessions", api::to_json(request)), 201,
              "online session for SE " + hex(request.se_id),
              [](const nlohmann::json& body) { return api::read_session_start(body); });
}

api::SessionStart ApiClient::start_scp03_session(const std::string& campaign_id,
                                                 const SeAuthorizationRequest& request) {
  return read(
      session_.request("POST", campaign_path(campaign_id) + "/sessions", api::scp03_session_request_json(request)), 201,
      "online SCP03 session for SE " + hex(request.se_id),
      [](const nlohmann::json& body) { return api::read_session_start(body); });
}

OnlineAuthorizationAnswer ApiClient::finish_session(const std::string& campaign_id, const std::string& session_id,
                                                    const api::SessionAnswer& answer) {
  const auto reply =
      session_.request("POST", campaign_path(campaign_id) + "/sessions/" + session_id, api::to_json(answer));
  const std::string what = "online authorization for SE " + hex(answer.se_id);
  if (reply.status == 201) {
    return OnlineAuthorizationAnswer{
        read(reply, 201, what, [](const nlohmann::json& body) { return api::read_online_grant(body); }), std::nullopt};
  }
  if (reply.status == 409) {
    if (auto refusal = rollout_refusal(reply, what)) return OnlineAuthorizationAnswer{std::nullopt, std::move(refusal)};
  }
  throw api_error(reply, what);
}

api::ReportAnswer ApiClient::report(const std::string& campaign_id, const api::ReportRequest& request) {
  return read(session_.request("POST", campaign_path(campaign_id) + "/reports", api::to_json(request)), 200,
              "report for SE " + hex(request.se_id),
              [](const nlohmann::json& body) { return api::read_report_answer(body); });
}

api::Campaign ApiClient::create_campaign(const api::CampaignCreate& request) {
  return read(session_.request("POST", "/v1/campaigns", api::to_json(request)), 201, "campaign creation",
              [](const nlohmann::json& body) { return api::read_campaign(body); });
}

api::TokenCreated ApiClient::create_token(const api::TokenCreate& request) {
  return read(session_.request("POST", "/v1/tokens", api::to_json(request)), 201, "token creation",
              [](const nlohmann::json& body) { return api::read_token_created(body); });
}

api::EventList ApiClient::events(const std::string& campaign_id, std::int64_t after_id) {
  const std::string path =
      campaign_path(campaign_id) + "/events" + (after_id > 0 ? "?after=" + std::to_string(after_id) : "");
  return read(session_.request("GET", path), 200, "events of campaign " + campaign_id,
              [](const nlohmann::json& body) { return api::read_event_list(body); });
}

api::Timeline ApiClient::timeline(const std::string& campaign_id) {
  return read(session_.request("GET", campaign_path(campaign_id) + "/timeline"), 200,
              "timeline of campaign " + campaign_id,
              [](const nlohmann::json& body) { return api::read_timeline(body); });
}

api::DeviceList ApiClient::devices(const std::optional<api::DeviceState>& state,
                                   const std::optional<std::string>& campaign_id) {
  std::string path = "/v1/devices";
  if (state) path += "?state=" + std::string(api::name(*state));
  if (campaign_id) path += std::string(state ? "&" : "?") + "campaign=" + *campaign_id;
  return read(session_.request("GET", path), 200, "devices",
              [](const nlohmann::json& body) { return api::read_device_list(body); });
}

api::DeviceRecord ApiClient::device(const std::string& se_id) {
  return read(session_.request("GET", "/v1/devices/" + se_id), 200, "device " + se_id,
              [](const nlohmann::json& body) { return api::read_device_record(body); });
}

api::ReleaseAnswer ApiClient::release(const std::string& se_id, const api::ReleaseRequest& request) {
  return read(session_.request("POST", "/v1/devices/" + se_id + "/release", api::to_json(request)), 200,
              "release of SE " + se_id, [](const nlohmann::json& body) { return api::read_release_answer(body); });
}

api::Campaign ApiClient::control(const std::string& campaign_id, api::CampaignOperation operation) {
  const std::string op(api::name(operation));
  return read(session_.request("POST", campaign_path(campaign_id) + "/" + op, nlohmann::json::object()), 200,
              op + " of campaign " + campaign_id, [](const nlohmann::json& body) { return api::read_campaign(body); });
}

nlohmann::json ApiClient::get_json(const std::string& path) {
  return session_.expect_json(session_.request("GET", path), 200, "GET " + path);
}

}  // namespace sefleet::offcard::terminal

#include "offcard/terminal/api_client.hpp"

#include <cctype>
#include <fstream>
#include <system_error>

#include "core/hex.hpp"
#include "crypto/hash.hpp"

namespace sefleet::offcard::terminal {
namespace {

std::string campaign_path(const std::string& campaign_id) { return "/v1/campaigns/" + campaign_id; }

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

// The API's byte strings are lower-case hex (docs/api.md); core's to_hex writes upper case.
std::string hex(ByteView bytes) { return lower(to_hex(bytes)); }

BlobInfo blob_info(const nlohmann::json& j, const char* what) {
  if (!j.is_object() || !j.contains("size") || !j.contains("sha256") || !j["size"].is_number_unsigned() ||
      !j["sha256"].is_string()) {
    throw ApiError(Errc::protocol_error, 200, "bad_json", std::string("campaign answer: '") + what + "' lacks size/sha256");
  }
  return BlobInfo{j["size"].get<std::size_t>(), lower(j["sha256"].get<std::string>())};
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

std::string id_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  throw ApiError(Errc::protocol_error, 0, "bad_json", "an id is neither a string nor an integer: " + value.dump());
}

nlohmann::json authorization_body(const SeAuthorizationRequest& request) {
  return {{"se_id", hex(request.se_id)},
          {"kdd", hex(request.kdd)},
          {"kvn", request.kvn},
          {"i", request.i},
          {"sequence_counter", request.sequence_counter}};
}

nlohmann::json report_body(const nlohmann::json& authorization_id, ByteView se_id, const DeliveryReport& report) {
  nlohmann::json body{{"authorization_id", authorization_id},
                      {"se_id", hex(se_id)},
                      {"total_commands", report.total_commands},
                      {"commands_sent", report.commands_sent},
                      {"failed_sw", report.failed_sw},
                      {"failure", report.failure}};
  body["initialize_update_response"] =
      report.initialize_update_response ? nlohmann::json(hex(report.initialize_update_response->encode())) : nullptr;
  body["authorize_response"] =
      report.authorize_response ? nlohmann::json(hex(report.authorize_response->encode())) : nullptr;
  body["failed_index"] = report.failed_index ? nlohmann::json(*report.failed_index) : nullptr;
  return body;
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

CampaignInfo ApiClient::campaign(const std::string& campaign_id) {
  const auto j = session_.expect_json(session_.request("GET", campaign_path(campaign_id)), 200, "campaign " + campaign_id);
  CampaignInfo info;
  try {
    info.id = id_text(j.at("id"));
    info.name = j.value("name", "");
    info.state = j.value("state", "");
    if (j.contains("pause_reason") && j["pause_reason"].is_string()) info.pause_reason = j["pause_reason"];
    info.pse = blob_info(j.at("pse"), "pse");
    info.pse_commands = j["pse"].value("commands", std::size_t{0});
    if (j.contains("pmob") && !j["pmob"].is_null()) info.pmob = blob_info(j["pmob"], "pmob");
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(Errc::protocol_error, 200, "bad_json", "campaign " + campaign_id + ": unexpected answer: " + e.what());
  }
  info.raw = j;
  return info;
}

std::filesystem::path ApiClient::download_pse(const CampaignInfo& info, const std::filesystem::path& cache_dir) {
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) throw Error(Errc::io_error, "cannot create the PSE cache " + cache_dir.string() + ": " + ec.message());
  const std::filesystem::path final_path = cache_dir / ("campaign-" + safe_name(info.id) + ".pse");
  const std::filesystem::path part_path = final_path.string() + ".part";
  const std::filesystem::path etag_path = final_path.string() + ".part.etag";

  // A cached, complete file is used only if it is still the campaign's PSE.
  if (std::filesystem::exists(final_path) && std::filesystem::file_size(final_path) == info.pse.size &&
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
    if (offset > info.pse.size || known_etag.empty()) offset = 0;

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
    if (size != info.pse.size || digest != info.pse.sha256 || lower(etag) != digest) {
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

Bytes ApiClient::download_pmob(const CampaignInfo& info) {
  if (!info.pmob) throw Error(Errc::not_found, "campaign " + info.id + " has no PMOB");
  const auto answer = session_.request("GET", campaign_path(info.id) + "/pmob");
  if (answer.status != 200) throw api_error(answer, "PMOB download of campaign " + info.id);
  const Bytes bytes(answer.body.begin(), answer.body.end());
  const auto digest_bytes = crypto::sha256(bytes);
  const std::string digest = hex(ByteView(digest_bytes.data(), digest_bytes.size()));
  const std::string etag = lower(etag_value(answer.header("ETag")));
  if (bytes.size() != info.pmob->size || digest != info.pmob->sha256 || (!etag.empty() && etag != digest)) {
    throw Error(Errc::integrity_error, "PMOB of campaign " + info.id + " does not match: got " +
                                           std::to_string(bytes.size()) + " bytes with SHA-256 " + digest +
                                           ", campaign says " + std::to_string(info.pmob->size) + " bytes, " +
                                           info.pmob->sha256);
  }
  return bytes;
}

AuthorizationAnswer ApiClient::authorize(const std::string& campaign_id, const SeAuthorizationRequest& request) {
  const RetryPolicy& policy = session_.options().retry;
  const nlohmann::json body = authorization_body(request);
  for (unsigned round = 0;; ++round) {
    const auto answer = session_.request("POST", campaign_path(campaign_id) + "/authorizations", body);
    if (answer.status == 201 || answer.status == 200) {
      const auto j = session_.expect_json(answer, answer.status, "authorization");
      try {
        Authorization granted;
        granted.authorization_id = j.at("authorization_id");
        granted.action = j.value("action", "activate");
        const auto& paut = j.at("paut");
        if (!paut.is_array() || paut.size() != 4) throw Error(Errc::parse_error, "'paut' must be 4 hex commands");
        for (std::size_t k = 0; k < 4; ++k) granted.paut[k] = from_hex(paut[k].get<std::string>());
        granted.expires_at = j.value("expires_at", std::int64_t{0});
        return AuthorizationAnswer{std::move(granted), std::nullopt};
      } catch (const std::exception& e) {
        throw ApiError(Errc::protocol_error, answer.status, "bad_json", std::string("authorization answer: ") + e.what());
      }
    }
    if (answer.status != 409) throw api_error(answer, "authorization for SE " + to_hex(request.se_id));
    const ApiError refusal = api_error(answer, "authorization");
    const bool waiting_helps = (refusal.reason() == "not_in_wave" || refusal.reason() == "paused") && refusal.retry_after();
    if (!waiting_helps || round + 1 >= policy.max_wait_rounds) {
      std::string message = refusal.what();
      return AuthorizationAnswer{std::nullopt, AuthorizationRefusal{refusal.reason(), message}};
    }
    session_.wait("authorization refused (" + refusal.reason() + "), waiting as the server asks",
                  retry_after_delay(policy, refusal.retry_after(), policy.base_delay));
  }
}

ReportAnswer ApiClient::report(const std::string& campaign_id, const nlohmann::json& authorization_id, ByteView se_id,
                               const DeliveryReport& delivery) {
  const auto answer =
      session_.request("POST", campaign_path(campaign_id) + "/reports", report_body(authorization_id, se_id, delivery));
  const auto j = session_.expect_json(answer, 200, "report for SE " + to_hex(se_id));
  try {
    ReportAnswer result;
    result.outcome = j.at("outcome").get<std::string>();
    result.decision = j.at("decision").get<std::string>();
    result.attempts = j.value("attempts", 0u);
    result.duplicate = j.value("duplicate", false);
    return result;
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(Errc::protocol_error, 200, "bad_json", std::string("report answer: ") + e.what());
  }
}

nlohmann::json ApiClient::create_campaign(const nlohmann::json& body) {
  return session_.expect_json(session_.request("POST", "/v1/campaigns", body), 201, "campaign creation");
}

nlohmann::json ApiClient::create_token(const std::string& name, const std::vector<std::string>& campaign_ids) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& id : campaign_ids) ids.push_back(id);
  return session_.expect_json(session_.request("POST", "/v1/tokens", nlohmann::json{{"name", name}, {"campaigns", ids}}),
                              201, "token creation");
}

nlohmann::json ApiClient::get_json(const std::string& path) {
  return session_.expect_json(session_.request("GET", path), 200, "GET " + path);
}

nlohmann::json ApiClient::post_json(const std::string& path, const nlohmann::json& body, int expected) {
  return session_.expect_json(session_.request("POST", path, body), expected, "POST " + path);
}

}  // namespace sefleet::offcard::terminal

// The terminal's HTTP client against a local httplib server that plays the management server's
// /v1 routes with faults on demand: PSE downloads cut mid-body and resumed with Range/If-Range, ETag
// and campaign SHA-256 mismatches refused, back-off bounds, which failures are (not) retried, and the
// typed refusals and answers the client hands to the agent.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/terminal/api_client.hpp"
#include "offcard/terminal/retry_policy.hpp"
#include "support/temp_dir.hpp"

namespace sefleet {
namespace {

namespace term = offcard::terminal;
using std::chrono::milliseconds;

std::string sha256_hex(const std::string& data) {
  const auto digest = crypto::sha256(ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  return offcard::api::lower_hex(ByteView(digest.data(), digest.size()));
}

const std::string kC1 = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";  // the fake server's campaign id
const std::string kAuthorization = "ab12ab12ab12ab12ab12ab12ab12ab12";

// A fake /v1 server: one campaign kC1 whose PSE is `pse` (any bytes: the client checks hashes, the
// agent parses). Records the requests it saw.
class FakeServer {
 public:
  FakeServer() {
    for (std::size_t i = 0; i < pse.size(); ++i) pse[i] = static_cast<char>('A' + (i * 7) % 26);
    server_.Get("/v1/campaigns/" + kC1, [this](const httplib::Request&, httplib::Response& res) {
      offcard::api::Campaign campaign;
      campaign.id = kC1;
      campaign.name = "test";
      campaign.image = {"application", "0102030405060708", 1, "test", 10, std::string(64, '0')};
      campaign.pse = {static_cast<std::int64_t>(pse.size()), announced_sha.empty() ? sha256_hex(pse) : announced_sha,
                      0};
      if (!pmob.empty())
        campaign.pmob = offcard::api::FileInfo{static_cast<std::int64_t>(pmob.size()), sha256_hex(pmob), 0};
      res.set_content(offcard::api::to_json(campaign).dump(), "application/json");
    });
    server_.Get("/v1/campaigns/" + kC1 + "/pmob", [this](const httplib::Request&, httplib::Response& res) {
      const std::string served = served_pmob.empty() ? pmob : served_pmob;
      res.set_header("ETag", "\"" + sha256_hex(served) + "\"");
      res.set_content(served, "application/octet-stream");
    });
    server_.Get("/v1/campaigns/" + kC1 + "/pse", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        pse_requests.push_back({req.get_header_value("Range"), req.get_header_value("If-Range")});
      }
      const std::string served = served_pse.empty() ? pse : served_pse;
      const std::string etag = "\"" + (etag_override.empty() ? sha256_hex(served) : etag_override) + "\"";
      res.set_header("ETag", etag);
      res.set_header("Accept-Ranges", "bytes");
      if (req.has_header("If-Range") && req.get_header_value("If-Range") != etag) {
        // httplib applies Range by itself; a server that honours If-Range must drop the range here.
        const_cast<httplib::Request&>(req).ranges.clear();
        res.status = 200;
      }
      const bool cut = cut_first_at > 0 && cuts_left.fetch_sub(1) > 0;
      const std::size_t cut_at = cut_first_at;
      res.set_content_provider(served.size(), "application/octet-stream",
                               [served, cut, cut_at](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 std::size_t end = offset + std::min<std::size_t>(length, 4096);
                                 if (cut && offset >= cut_at) return false;  // the connection drops here
                                 if (cut) end = std::min(end, cut_at);
                                 sink.write(served.data() + offset, end - offset);
                                 return true;
                               });
    });
    server_.Post("/v1/campaigns/" + kC1 + "/authorizations",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   ++authorizations;
                   last_body = req.body;
                   if (!auth_script.empty()) {
                     const auto [status, reason, retry_after] = auth_script.front();
                     auth_script.erase(auth_script.begin());
                     res.status = status;
                     if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
                     nlohmann::json body{{"error", "scripted"}, {"reason", reason}};
                     if (!refusal_detail.empty()) body["detail"] = refusal_detail;
                     res.set_content(body.dump(), "application/json");
                     return;
                   }
                   res.status = 201;
                   res.set_content(nlohmann::json{{"authorization_id", kAuthorization},
                                                  {"action", "activate"},
                                                  {"expires_at", 99},
                                                  {"paut", {"80500000", "84820000", "847C0100", "847E0000"}}}
                                       .dump(),
                                   "application/json");
                 });
    server_.Post("/v1/campaigns/" + kC1 + "/reports", [this](const httplib::Request& req, httplib::Response& res) {
      last_body = req.body;
      res.set_content(report_answer, "application/json");
    });
    port = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib 0.11 has no wait_until_ready(): connections are accepted once listen_after_bind runs.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  std::string pse = std::string(100000, 'x');
  std::string served_pse;     // bytes actually served when not empty (a server serving something else)
  std::string pmob;           // the campaign's terminal payload (none when empty)
  std::string served_pmob;    // PMOB bytes actually served when not empty
  std::string etag_override;  // ETag value when not empty
  std::string announced_sha;  // campaign's pse.sha256 when not empty
  std::size_t cut_first_at = 0;
  std::atomic<int> cuts_left{0};
  struct Seen {
    std::string range, if_range;
  };
  std::vector<Seen> pse_requests;
  std::vector<std::tuple<int, std::string, std::string>> auth_script;  // status, reason, Retry-After
  std::string refusal_detail;                                          // "detail" of scripted refusals when not empty
  std::string report_answer;                                           // the body answered to a report
  std::atomic<int> authorizations{0};
  std::string last_body;
  int port = 0;

 private:
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
};

term::SessionOptions session_for(const std::string& url, std::vector<milliseconds>* waits = nullptr) {
  term::SessionOptions options;
  options.base_url = url;
  options.token = "t";
  options.retry.max_attempts = 4;
  options.sleep = [waits](milliseconds d) {
    if (waits != nullptr) waits->push_back(d);
  };
  return options;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TerminalRetryPolicy, BackoffGrowsWithJitterAndStaysWithinBounds) {
  term::RetryPolicy policy;
  policy.base_delay = milliseconds(100);
  policy.max_delay = milliseconds(3000);
  for (unsigned retry = 0; retry < 40; ++retry) {
    const std::int64_t full = std::min<std::int64_t>(3000, 100LL << std::min(retry, 20u));
    std::int64_t lowest = full, highest = 0;
    for (std::uint64_t r : {0ULL, 1ULL, 77ULL, 1234567ULL, ~0ULL, 0x8000000000000000ULL}) {
      const auto d = term::backoff_delay(policy, retry, r).count();
      EXPECT_GE(d, full / 2) << "retry " << retry;
      EXPECT_LE(d, full) << "retry " << retry;
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    EXPECT_LT(lowest, highest) << "jitter spreads terminals that failed together (retry " << retry << ")";
  }
  EXPECT_EQ(term::retry_after_delay(policy, std::chrono::seconds(3600), milliseconds(5)), policy.max_retry_after);
  EXPECT_EQ(term::retry_after_delay(policy, std::chrono::seconds(2), milliseconds(5)), milliseconds(2000));
  EXPECT_EQ(term::retry_after_delay(policy, std::nullopt, milliseconds(5)), milliseconds(5));
  EXPECT_EQ(term::parse_retry_after("30"), std::chrono::seconds(30));
  EXPECT_FALSE(term::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(term::parse_retry_after("-1").has_value());
}

TEST(TerminalPseDownload, InterruptedDownloadResumesWithRangeAndIfRange) {
  FakeServer server;
  server.cut_first_at = 40000;
  server.cuts_left = 1;
  test::TempDir cache;
  std::vector<milliseconds> waits;
  term::ApiClient client(session_for(server.url(), &waits));
  const auto info = client.campaign(kC1);
  const auto path = client.download_pse(info, cache.path());
  EXPECT_EQ(read_file(path), server.pse);
  ASSERT_EQ(server.pse_requests.size(), 2u);
  EXPECT_EQ(server.pse_requests[0].range, "");
  EXPECT_EQ(server.pse_requests[1].range, "bytes=40000-") << "resumes where the cut left the file";
  EXPECT_EQ(server.pse_requests[1].if_range, "\"" + sha256_hex(server.pse) + "\"");
  EXPECT_EQ(waits.size(), 1u) << "one back-off after the cut";
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".part"));

  // A second download uses the verified cache: no request.
  EXPECT_EQ(client.download_pse(info, cache.path()), path);
  EXPECT_EQ(server.pse_requests.size(), 2u);
}

TEST(TerminalPseDownload, PartialFileOfAnotherPseVersionIsDownloadedAgainWhole) {
  FakeServer server;
  test::TempDir cache;
  const auto part = cache.path() / ("campaign-" + kC1 + ".pse.part");
  { std::ofstream(part, std::ios::binary) << std::string(5000, 'Z'); }
  { std::ofstream(part.string() + ".etag") << std::string(64, '0') << "\n"; }
  term::ApiClient client(session_for(server.url()));
  const auto path = client.download_pse(client.campaign(kC1), cache.path());
  EXPECT_EQ(read_file(path), server.pse);
  ASSERT_EQ(server.pse_requests.size(), 1u);
  EXPECT_EQ(server.pse_requests[0].range, "bytes=5000-");
  EXPECT_EQ(server.pse_requests[0].if_range, "\"" + std::string(64, '0') + "\"");
}

TEST(TerminalPseDownload, EtagThatDoesNotMatchTheBytesIsRefusedAndNothingIsCached) {
  FakeServer server;
  server.etag_override = std::string(64, 'e');
  test::TempDir cache;
  term::ApiClient client(session_for(server.url()));
  try {
    client.download_pse(client.campaign(kC1), cache.path());
    FAIL() << "a PSE whose ETag does not match its bytes was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(cache.path())) << "neither the file nor a partial one stays";
}

TEST(TerminalPseDownload, BytesOtherThanTheCampaignAnnouncesAreRefused) {
  FakeServer server;
  server.served_pse = std::string(100000, 'q');  // consistent ETag, but not the campaign's PSE
  test::TempDir cache;
  term::ApiClient client(session_for(server.url()));
  EXPECT_THROW(client.download_pse(client.campaign(kC1), cache.path()), Error);
  EXPECT_FALSE(std::filesystem::exists(cache.path() / ("campaign-" + kC1 + ".pse")));
}

TEST(TerminalPmob, PayloadMatchingTheCampaignIsAcceptedAndAnAlteredOneRefused) {
  FakeServer server;
  server.pmob = "terminal payload: reader firmware 4.2";
  term::ApiClient client(session_for(server.url()));
  const auto info = client.campaign(kC1);
  ASSERT_TRUE(info.pmob.has_value());
  const Bytes pmob = client.download_pmob(info);
  EXPECT_EQ(std::string(pmob.begin(), pmob.end()), server.pmob);

  // Same size, one byte changed, with an ETag that matches what is served: the campaign's SHA-256
  // (what the operator uploaded) is what counts.
  server.served_pmob = server.pmob;
  server.served_pmob[0] = 'T';
  try {
    client.download_pmob(info);
    FAIL() << "an altered PMOB was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error) << e.what();
  }
}

offcard::SeAuthorizationRequest sample_request() {
  offcard::SeAuthorizationRequest request;
  request.se_id = Bytes{1, 2, 3, 4};
  request.kdd = Bytes(10, 7);
  request.kvn = 0x30;
  request.sequence_counter = 5;
  return request;
}

TEST(TerminalAuthorization, GrantIsReadAndTheRequestCarriesTheSeIdentity) {
  FakeServer server;
  term::ApiClient client(session_for(server.url()));
  const auto answer = client.authorize(kC1, sample_request());
  ASSERT_TRUE(answer.granted.has_value());
  EXPECT_EQ(answer.granted->authorization_id, kAuthorization);
  EXPECT_EQ(answer.granted->action, offcard::api::PautAction::activate);
  EXPECT_EQ(answer.granted->paut[2], (Bytes{0x84, 0x7C, 0x01, 0x00}));
  const auto body = nlohmann::json::parse(server.last_body);
  EXPECT_EQ(body["se_id"], "01020304");
  EXPECT_EQ(body["kvn"], 0x30);
  EXPECT_EQ(body["sequence_counter"], 5);
}

TEST(TerminalAuthorization, HeldBackRefusalsComeBackAtOnceWithTheServersWaitAndReason) {
  // The client does not sleep on a 409: the scheduler decides (it serves the other SEs meanwhile).
  FakeServer server;
  server.auth_script = {{409, "not_in_wave", "30"}, {409, "paused", "7"}, {409, "backoff", "12"}};
  server.refusal_detail = "failure rate 0.25 > 0.20 in wave 1";
  std::vector<milliseconds> waits;
  term::ApiClient client(session_for(server.url(), &waits));
  const std::pair<offcard::api::Refusal, int> expected[] = {{offcard::api::Refusal::not_in_wave, 30},
                                                            {offcard::api::Refusal::paused, 7},
                                                            {offcard::api::Refusal::backoff, 12}};
  for (const auto& [reason, seconds] : expected) {
    const auto answer = client.authorize(kC1, sample_request());
    ASSERT_TRUE(answer.refused.has_value());
    EXPECT_EQ(answer.refused->reason, reason);
    EXPECT_EQ(answer.refused->retry_after, std::chrono::seconds(seconds));
    EXPECT_EQ(answer.refused->detail, server.refusal_detail);
  }
  EXPECT_EQ(server.authorizations.load(), 3);
  EXPECT_TRUE(waits.empty()) << "no wait inside the client";
}

TEST(TerminalAuthorization, FinalRefusalsAndClientErrorsAreNotRetried) {
  const auto request = sample_request();
  for (const char* reason : {"quarantined", "already_updated", "not_a_target", "attempts_exhausted", "unreachable",
                             "cancelled", "not_in_wave"}) {
    FakeServer server;
    server.auth_script = {{409, reason, ""}};
    term::ApiClient client(session_for(server.url()));
    const auto answer = client.authorize(kC1, request);
    ASSERT_TRUE(answer.refused.has_value()) << reason;
    EXPECT_EQ(offcard::api::name(answer.refused->reason), reason);
    EXPECT_FALSE(answer.refused->retry_after.has_value()) << reason;
    EXPECT_EQ(server.authorizations.load(), 1) << reason;
  }
  {
    // A 409 whose reason the API does not have is the server breaking the protocol.
    FakeServer server;
    server.auth_script = {{409, "made_up", ""}};
    term::ApiClient client(session_for(server.url()));
    try {
      client.authorize(kC1, request);
      FAIL() << "an unknown refusal was accepted";
    } catch (const term::ApiError& e) {
      EXPECT_EQ(e.code(), Errc::protocol_error) << e.what();
    }
  }
  for (int status : {400, 401, 403, 404, 413}) {
    FakeServer server;
    server.auth_script = {{status, "scripted", ""}};
    term::ApiClient client(session_for(server.url()));
    try {
      client.authorize(kC1, request);
      FAIL() << status << " was not an error";
    } catch (const term::ApiError& e) {
      EXPECT_EQ(e.status(), status);
    }
    EXPECT_EQ(server.authorizations.load(), 1) << status << " must not be retried";
  }
}

TEST(TerminalAuthorization, UnavailableServerIsRetriedWithBackoffThenWorks) {
  FakeServer server;
  server.auth_script = {{503, "database_unavailable", "1"}, {503, "database_unavailable", ""}};
  std::vector<milliseconds> waits;
  term::ApiClient client(session_for(server.url(), &waits));
  offcard::SeAuthorizationRequest request;
  request.se_id = Bytes{1};
  request.kdd = Bytes(10, 7);
  request.kvn = 1;
  EXPECT_TRUE(client.authorize(kC1, request).granted.has_value());
  EXPECT_EQ(server.authorizations.load(), 3);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[0], milliseconds(1000)) << "Retry-After is honoured";
  EXPECT_GE(waits[1], milliseconds(50));
}

TEST(TerminalAuthorization, UnreachableServerFailsAfterTheBoundedAttempts) {
  // A port that was free a moment ago and has no listener now: bound, never listened on, closed (an
  // httplib::Server would keep listening after its scope, and every attempt would wait for a reply).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  const int port = ntohs(address.sin_port);
  std::vector<milliseconds> waits;
  auto options = session_for("http://127.0.0.1:" + std::to_string(port), &waits);
  options.io_timeout = milliseconds(2000);  // a refused connection fails at once; this only bounds a surprise
  term::ApiClient client(options);
  try {
    client.campaign(kC1);
    FAIL() << "no server, no campaign";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_EQ(e.status(), 0);
  }
  EXPECT_EQ(waits.size(), 3u) << "4 attempts, 3 back-offs";
}

TEST(TerminalReport, BodyCarriesTheDeliveryReportAndTheAnswerIsRead) {
  FakeServer server;
  server.report_answer =
      offcard::api::to_json(
          offcard::api::ReportAnswer{offcard::DeliveryOutcome::se_refused, offcard::api::Evidence::authenticated,
                                     offcard::api::DeviceState::retry, 1, 0, std::nullopt, true,
                                     "se_refused: authenticated failure 1 of 3", false, std::nullopt, std::nullopt})
          .dump();
  term::ApiClient client(session_for(server.url()));
  offcard::api::ReportRequest report;
  report.authorization_id = kAuthorization;
  report.se_id = Bytes{0xAA, 0xBB};
  report.delivery.total_commands = 10;
  report.delivery.commands_sent = 4;
  report.delivery.initialize_update_response = iso7816::ResponseApdu::parse(Bytes{0x01, 0x02, 0x90, 0x00});
  report.delivery.failed_index = 3;
  report.delivery.failed_sw = 0x6982;
  report.delivery.failure = "command 3 answered 6982";
  const auto answer = client.report(kC1, report);
  EXPECT_EQ(answer.decision, offcard::api::DeviceState::retry);
  EXPECT_EQ(answer.evidence, offcard::api::Evidence::authenticated);
  EXPECT_EQ(answer.attempts, 1);
  const auto body = nlohmann::json::parse(server.last_body);
  EXPECT_EQ(body["authorization_id"], kAuthorization);
  EXPECT_EQ(body["se_id"], "aabb");
  EXPECT_EQ(body["initialize_update_response"], "01029000");
  EXPECT_TRUE(body["authorize_response"].is_null());
  EXPECT_EQ(body["failed_index"], 3);
  EXPECT_EQ(body["failed_sw"], 0x6982);

  // An answer that does not read (a decision the API does not have) is refused, naming the field.
  server.report_answer = R"({"outcome": "activated", "evidence": "authenticated", "decision": "celebrated",
                             "attempts": 0, "unverified_attempts": 0, "retry_at": null, "counted": true,
                             "reason": "", "duplicate": false})";
  try {
    client.report(kC1, report);
    FAIL() << "an unknown decision was accepted";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("decision"), std::string::npos) << e.what();
  }
}

TEST(TerminalSession, RefusesUrlsThatAreNotHttp) {
  EXPECT_THROW(term::ApiClient(session_for("ftp://x")), Error);
  EXPECT_THROW(term::ApiClient(session_for("127.0.0.1:80")), Error);
}

}  // namespace
}  // namespace sefleet

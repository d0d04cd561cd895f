// Online authorizations over SCP11b against the real management server (SQLite, software keystore,
// loopback HTTP), with an offline PAUT authorization as the baseline of the same run. Each client
// thread plays its SEs: for an online authorization it POSTs the session start, computes the SE's
// answer with gp's SCP11 card role (two ECDH, KDF, receipt, as a card does) and POSTs it; the time of
// one authorization covers both requests and the card's work. The client shares the machine with the
// server, as wrk does in server_authorizations.sh.
//
//   bench_offcard_server_online --benchmark_min_time=5
//
// After each benchmark the latency percentiles of one authorization are printed to stderr, with the
// CPU time per authorization (user + system): the process's (server and client threads), the client
// threads' alone (each client thread's own clock: the HTTP client, JSON and the SE's card role), and
// the server's (the difference: HTTP server, routes, database, keystore). On a machine that others
// load, the CPU costs stay comparable where the rate does not; the server's CPU per authorization
// bounds what the server alone could do on the machine's cores.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "server_bench_campaign.hpp"

namespace {

using namespace sefleet;
using nlohmann::json;
namespace scp11 = gp::scp11;

const std::string kAdmin = "benchmark-admin-token";
// More SEs than one run authorizes (a run restarts the server and starts again from SE 0): every
// authorization is an SE's first in the campaign, with the first sight of its chain by this server
// and the first write of its target's state, as in a campaign where each SE is authorized once.
constexpr std::size_t kTargets = 10000;
constexpr int kClientThreads = 4;

std::string se_id(std::size_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "53454e4c%08x", static_cast<unsigned>(n));
  return text;
}

// The SEs: one SCP11 key pair (the SEs share it: its cost is the same) and a certificate per SE.
struct Fleet {
  crypto::P256PrivateKey ca = crypto::P256PrivateKey::generate();
  crypto::P256PrivateKey sd = crypto::P256PrivateKey::generate();
  std::vector<std::string> session_requests;  // JSON bodies of POST /sessions
  Fleet() {
    for (std::size_t n = 0; n < kTargets; ++n) {
      scp11::GpCertificateFields fields;
      fields.serial = Bytes{0x01};
      fields.ca_kloc_identifier = Bytes(20, 0xCA);
      fields.subject_identifier = from_hex(se_id(n));
      fields.public_key = sd.public_uncompressed();
      session_requests.push_back(json{
          {"se_id", se_id(n)},
          {"certificates", to_hex(scp11::make_gp_certificate(fields, ca))},
          {"kvn", 1},
          {"variant", "11b"}}.dump());
    }
  }
};

// Built once per process (signing 10,000 certificates), shared by every run.
const Fleet& fleet_once() {
  static const Fleet fleet;
  return fleet;
}

struct Running {
  std::filesystem::path dir;
  const Fleet* fleet = nullptr;
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
  std::unique_ptr<offcard::server::Server> server;
  std::string campaign;
};

std::unique_ptr<Running> g_running;
std::mutex g_latency_mutex;
std::vector<double> g_latencies_ms;
std::atomic<std::size_t> g_next{0};
std::string g_label;        // the benchmark running (benchmark::State has no name in Google Benchmark 1.7)
double g_cpu_at_start = 0;  // process CPU seconds when the server was ready
double g_client_cpu = 0;    // CPU seconds of the client threads' loops, summed (under g_latency_mutex)

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

void start_server(const benchmark::State&) {
  auto r = std::make_unique<Running>();
  r->dir = std::filesystem::temp_directory_path() / ("sefleet-bench-online-" + std::to_string(::getpid()));
  std::filesystem::create_directories(r->dir);
  r->fleet = &fleet_once();
  r->hsm = offcard::SoftwareKeystore::in_memory();
  r->hsm->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
  r->hsm->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  r->hsm->generate("session-kek", 16, offcard::KeyUsage::wrap);
  offcard::server::ServerConfig config;
  config.database_url = "sqlite:" + (r->dir / "bench.db").string();
  config.keystore = r->hsm.get();
  config.admin_token = kAdmin;
  config.online = offcard::server::OnlineAuthorizationConfig{r->fleet->ca.public_uncompressed(),
                                                             offcard::KeyRef::current("session-kek"), std::nullopt};
  r->server = std::make_unique<offcard::server::Server>(config);
  r->server->start();

  const Bytes package = bench::server_bench_campaign_package();
  json ids = json::array();
  for (std::size_t n = 0; n < kTargets; ++n) ids.push_back(se_id(n));
  httplib::Client client("127.0.0.1", r->server->port());
  client.set_read_timeout(120);
  auto created = client.Post("/v1/campaigns", {{"Authorization", "Bearer " + kAdmin}},
                             json{{"name", "bench"},
                                  {"package", offcard::server::base64_encode(package)},
                                  {"master_key", "master"},
                                  {"campaign_kek", "campaign-kek"},
                                  {"targets", ids}}
                                 .dump(),
                             "application/json");
  if (!created || created->status != 201) {
    throw std::runtime_error("campaign upload failed: " + (created ? created->body : std::string("no answer")));
  }
  r->campaign = json::parse(created->body).at("id");
  g_running = std::move(r);
  g_latencies_ms.clear();
  g_client_cpu = 0;
  g_next = 0;
  g_cpu_at_start = process_cpu_seconds();
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

void stop_server(const benchmark::State& state) {
  const double cpu_seconds = process_cpu_seconds() - g_cpu_at_start;
  std::vector<double> latencies;
  double client_cpu_seconds = 0;
  {
    std::lock_guard lock(g_latency_mutex);
    latencies.swap(g_latencies_ms);
    client_cpu_seconds = g_client_cpu;
  }
  const std::size_t count = latencies.size();
  const double p50 = percentile(latencies, 0.50);
  const double p99 = percentile(latencies, 0.99);
  const auto per_authorization = [count](double seconds) {
    return count == 0 ? 0.0 : 1e3 * seconds / static_cast<double>(count);
  };
  std::cerr << g_label << " (" << state.threads() << " client threads): " << count << " authorizations, latency p50 "
            << p50 << " ms, p99 " << p99 << " ms; CPU per authorization: process " << per_authorization(cpu_seconds)
            << " ms, clients " << per_authorization(client_cpu_seconds) << " ms, server "
            << per_authorization(cpu_seconds - client_cpu_seconds) << " ms; load average " << load_average() << "\n";
  g_running->server->stop();
  std::filesystem::remove_all(g_running->dir);
  g_running.reset();
}

// One client thread's loop; `authorize` does one authorization and returns false when refused.
template <typename F>
void run_clients(benchmark::State& state, F&& authorize) {
  httplib::Client client("127.0.0.1", g_running->server->port());
  client.set_keep_alive(true);
  // Headers and body go out in two writes: without TCP_NODELAY each request waits for a delayed ACK.
  client.set_tcp_nodelay(true);
  client.set_read_timeout(60);
  std::vector<double> latencies;
  const double cpu_at_start = thread_cpu_seconds();
  for (auto _ : state) {
    const std::size_t n = g_next.fetch_add(1) % kTargets;
    const auto t0 = std::chrono::steady_clock::now();
    if (!authorize(client, n)) {
      state.SkipWithError("authorization refused");
      break;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double cpu = thread_cpu_seconds() - cpu_at_start;
  state.SetItemsProcessed(state.iterations());
  std::lock_guard lock(g_latency_mutex);
  g_client_cpu += cpu;
  g_latencies_ms.insert(g_latencies_ms.end(), latencies.begin(), latencies.end());
}

const httplib::Headers& auth() {
  static const httplib::Headers headers{{"Authorization", "Bearer " + kAdmin}};
  return headers;
}

void BM_OfflinePautAuthorization(benchmark::State& state) {
  if (state.thread_index() == 0) g_label = "offline PAUT";
  const std::string path = "/v1/campaigns/" + g_running->campaign + "/authorizations";
  run_clients(state, [&](httplib::Client& client, std::size_t n) {
    const json identity{
        {"se_id", se_id(n)}, {"kdd", "00112233445566778899"}, {"kvn", 48}, {"i", 112}, {"sequence_counter", 5}};
    auto result = client.Post(path.c_str(), auth(), identity.dump(), "application/json");
    return result && result->status == 201;
  });
}

void BM_OnlineScp11bAuthorization(benchmark::State& state) {
  if (state.thread_index() == 0) g_label = "online SCP11b";
  const std::string base = "/v1/campaigns/" + g_running->campaign + "/sessions";
  scp11::Scp11CardKeys keys;
  keys.kvn = 0x01;
  keys.sd_key = &g_running->fleet->sd;
  run_clients(state, [&](httplib::Client& client, std::size_t n) {
    auto started = client.Post(base.c_str(), auth(), g_running->fleet->session_requests[n], "application/json");
    if (!started || started->status != 201) return false;
    const json session = json::parse(started->body);
    // The SE's side: INTERNAL AUTHENTICATE answered by the SCP11 card role.
    scp11::Scp11CardChannel channel;
    std::optional<scp11::Scp11Established> established;
    const auto answer =
        channel.authenticate(iso7816::CommandApdu::parse(from_hex(session.at("commands").at(0).get<std::string>())),
                             keys, crypto::system_random(), established);
    const json body{{"se_id", se_id(n)}, {"state", session.at("state")}, {"response", to_hex(answer.encode())}};
    const std::string path = base + "/" + session.at("session_id").get<std::string>();
    auto granted = client.Post(path.c_str(), auth(), body.dump(), "application/json");
    return granted && granted->status == 201;
  });
}

BENCHMARK(BM_OfflinePautAuthorization)
    ->Setup(start_server)
    ->Teardown(stop_server)
    ->Threads(kClientThreads)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// Online: also with twice the authorizations in flight, since each one waits on two round trips and the
// SE's cryptography between them, during which the server idles unless other clients keep it busy.
BENCHMARK(BM_OnlineScp11bAuthorization)
    ->Setup(start_server)
    ->Teardown(stop_server)
    ->Threads(kClientThreads)
    ->Threads(2 * kClientThreads)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// Authorization requests against the real management server. Two modes:
//   bench_offcard_server_authorizations --serve DIR [--targets N]
//       starts the server (SQLite in DIR, software keystore in memory) with one campaign of N targets,
//       writes DIR/wrk_authorizations.lua (a wrk script that POSTs authorization requests cycling
//       through the N SE identities) and DIR/ready (port, campaign id, admin token), then serves until
//       SIGINT/SIGTERM. bench/scripts/server_authorizations.sh drives it with wrk.
//   bench_offcard_server_authorizations [benchmark flags]
//       Google Benchmark: one client, sequential requests over loopback HTTP (latency of one request).
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/secret.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "server_bench_campaign.hpp"

namespace {

using namespace sefleet;
using nlohmann::json;

const std::string kAdmin = "benchmark-admin-token";

std::string se_id(std::size_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "53454e4c%08x", static_cast<unsigned>(n));
  return text;
}

struct Running {
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
  std::unique_ptr<offcard::server::Server> server;
  std::string campaign;
};

Running start(const std::filesystem::path& dir, std::size_t targets) {
  Running r;
  r.hsm = offcard::SoftwareKeystore::in_memory();
  r.hsm->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
  r.hsm->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  offcard::server::ServerConfig config;
  // SEFLEET_BENCH_DB_QUERY appends SQLite URL options (e.g. "?synchronous=normal") to compare settings.
  const char* query = std::getenv("SEFLEET_BENCH_DB_QUERY");
  config.database_url = "sqlite:" + (dir / "bench.db").string() + (query != nullptr ? query : "");
  config.keystore = r.hsm.get();
  config.admin_token = kAdmin;
  // SEFLEET_BENCH_IO_THREADS / SEFLEET_BENCH_WORKERS override the server's thread counts to compare them.
  if (const char* io_threads = std::getenv("SEFLEET_BENCH_IO_THREADS")) config.io_threads = std::stoul(io_threads);
  if (const char* workers = std::getenv("SEFLEET_BENCH_WORKERS")) config.threads = std::stoul(workers);
  r.server = std::make_unique<offcard::server::Server>(config);
  r.server->start();

  const Bytes package = bench::server_bench_campaign_package();
  json ids = json::array();
  for (std::size_t n = 0; n < targets; ++n) ids.push_back(se_id(n));
  httplib::Client client("127.0.0.1", r.server->port());
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
  r.campaign = json::parse(created->body).at("id");
  return r;
}

json identity(std::size_t n) {
  return json{{"se_id", se_id(n)}, {"kdd", "00112233445566778899"}, {"kvn", 48}, {"i", 112}, {"sequence_counter", 5}};
}

void BM_AuthorizationOverHttp(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("sefleet-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    Running r = start(dir, 1000);
    httplib::Client client("127.0.0.1", r.server->port());
    client.set_keep_alive(true);
    const httplib::Headers auth{{"Authorization", "Bearer " + kAdmin}};
    const std::string path = "/v1/campaigns/" + r.campaign + "/authorizations";
    std::size_t n = 0;
    for (auto _ : state) {
      auto result = client.Post(path.c_str(), auth, identity(n++ % 1000).dump(), "application/json");
      if (!result || result->status != 201) state.SkipWithError("authorization refused");
    }
    state.SetItemsProcessed(state.iterations());
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AuthorizationOverHttp)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) {
  g_stop = 1;
}

int serve(const std::filesystem::path& dir, std::size_t targets) {
  Running r = start(dir, targets);
  std::ofstream lua(dir / "wrk_authorizations.lua");
  lua << "-- generated by bench_offcard_server_authorizations --serve\n"
      << "local targets = " << targets << "\n"
      << "local n = 0\n"
      << "wrk.method = \"POST\"\n"
      << "wrk.path = \"/v1/campaigns/" << r.campaign << "/authorizations\"\n"
      << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
      << "wrk.headers[\"Authorization\"] = \"Bearer " << kAdmin << "\"\n"
      << "request = function()\n"
      << "  n = (n + 1) % targets\n"
      << "  local body = string.format('{\"se_id\":\"53454e4c%08x\",\"kdd\":\"00112233445566778899\",\"kvn\":48,"
         "\"i\":112,\"sequence_counter\":5}', n)\n"
      << "  return wrk.format(nil, nil, nil, body)\n"
      << "end\n"
      << "done = function(summary, latency, requests)\n"
      << "  io.write(string.format(\"non-2xx: %d\\n\", summary.errors.status))\n"
      << "end\n";
  lua.close();
  std::ofstream(dir / "ready") << r.server->port() << " " << r.campaign << " " << kAdmin << "\n";
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  while (g_stop == 0) ::pause();
  r.server->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--serve") == 0) {
    std::size_t targets = 10000;
    if (argc >= 5 && std::strcmp(argv[3], "--targets") == 0) targets = std::stoul(argv[4]);
    try {
      return serve(argv[2], targets);
    } catch (const std::exception& error) {
      std::cerr << "bench server: " << error.what() << "\n";
      return 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// A terminal process serving a large fleet of in-process virtual SEs against a running `sefleet server`
// (bench/scripts/fleet_scale.sh drives it): T agent threads, each with its own HTTP connection and PSE
// cache, take SE numbers from one queue; each SE is personalized on its own RAM medium when its turn
// comes (kdf3 keys from the batch master key, the batch's platform keys), updated through the server
// (identity, POST authorizations, PAUT[0..2] ‖ PSE ‖ PAUT[3], POST reports) and dropped, so the
// process holds T SEs at a time, not the whole fleet: its memory is that of a real terminal line.
// The personalization is timed apart (thread CPU time), since a real terminal does not pay it.
//   bench_sim_fleet_terminal --server URL --token-file F --campaign ID --ses N --terminals T
//                            --keys DIR [--first-serial S] [--platform HEX16] [--out FILE.json]
// DIR holds master.hex, kos.hex, kmac.hex (the keys the SEs are personalized with; the server's
// keystore holds the same master key). Exit 0 when every SE ended updated, 1 otherwise, 2 for usage.
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "offcard/terminal/agent.hpp"
#include "offcard/terminal/api_client.hpp"
#include "sim/demo/fleet_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace {

using namespace sefleet;
namespace term = offcard::terminal;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string server;
  std::string token_file;
  std::string campaign;
  std::size_t ses = 0;
  std::size_t terminals = 4;
  std::string keys;
  std::uint32_t first_serial = 1;
  std::string platform = "0102030405060708";
  std::string out;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "bench_sim_fleet_terminal: " << why
            << "\nusage: bench_sim_fleet_terminal --server URL --token-file F --campaign ID --ses N --terminals T"
               " --keys DIR [--first-serial S] [--platform HEX16] [--out FILE.json]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    const std::string value = argv[++i];
    try {
      if (flag == "--server")
        o.server = value;
      else if (flag == "--token-file")
        o.token_file = value;
      else if (flag == "--campaign")
        o.campaign = value;
      else if (flag == "--ses")
        o.ses = std::stoul(value);
      else if (flag == "--terminals")
        o.terminals = std::stoul(value);
      else if (flag == "--keys")
        o.keys = value;
      else if (flag == "--first-serial")
        o.first_serial = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--platform")
        o.platform = value;
      else if (flag == "--out")
        o.out = value;
      else
        usage("unknown option " + flag);
    } catch (const std::logic_error&) {
      usage("not a number: " + flag + " " + value);
    }
  }
  if (o.server.empty() || o.token_file.empty() || o.campaign.empty() || o.keys.empty()) usage("missing option");
  if (o.ses == 0 || o.terminals == 0 || o.terminals > 64) usage("--ses must be > 0, --terminals 1..64");
  return o;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) throw Error(Errc::io_error, "cannot read " + path);
  return line;
}

SecretBytes key_file(const std::string& path) {
  return SecretBytes(from_hex(first_line(path)));
}

// Bytes this process's open TCP sockets sent (acknowledged by the peer) and received so far, from
// TCP_INFO, and which sockets they were. The SEs are in process, so these are the HTTP bytes with the
// server; a socket closed between two looks would be missing, hence the socket set to compare.
struct TcpBytes {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::set<std::string> sockets;
};

TcpBytes tcp_bytes() {
  TcpBytes total;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (ec || target.rfind("socket:", 0) != 0) continue;
    tcp_info info{};
    socklen_t length = sizeof info;
    const int fd = std::stoi(entry.path().filename().string());
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) continue;
    total.sent += info.tcpi_bytes_acked;
    total.received += info.tcpi_bytes_received;
    total.sockets.insert(target);
  }
  return total;
}

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  try {
    sim::FleetConfig batch;
    batch.size = 1;
    batch.master_key = key_file(options.keys + "/master.hex");
    batch.platform_id = from_hex(options.platform);
    batch.platform_keys.version = 1;
    batch.platform_keys.kos = key_file(options.keys + "/kos.hex");
    batch.platform_keys.kmac = key_file(options.keys + "/kmac.hex");
    const std::string token = first_line(options.token_file);

    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::map<std::string, std::size_t> finals;
    std::vector<std::string> failures;  // the first few, for the report
    std::size_t attempts = 0;
    std::size_t done = 0;
    double personalize_cpu = 0;
    std::exception_ptr failure;
    std::latch prepared(static_cast<std::ptrdiff_t>(options.terminals));
    std::latch counting(static_cast<std::ptrdiff_t>(options.terminals));
    TcpBytes tcp_start;
    // The clients (and their connections) outlive the threads, for the last look at their sockets.
    std::vector<std::unique_ptr<term::ApiClient>> clients;
    for (std::size_t t = 0; t < options.terminals; ++t) {
      term::SessionOptions session;
      session.base_url = options.server;
      session.token = token;
      clients.push_back(std::make_unique<term::ApiClient>(session));
    }
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < options.terminals; ++t) {
      threads.emplace_back([&, t] {
        try {
          term::ApiClient& client = *clients[t];
          term::AgentOptions agent_options;
          agent_options.campaign_id = options.campaign;
          agent_options.cache_dir = std::filesystem::temp_directory_path() /
                                    ("sefleet-fleet-terminal-" + std::to_string(::getpid()) + "-" + std::to_string(t));
          std::optional<term::Agent> prepared_agent;
          try {
            prepared_agent.emplace(client, agent_options, start);
            prepared_agent->prepare();
          } catch (...) {  // the other threads must not wait for this one at the latches
            prepared.count_down();
            counting.count_down();
            throw;
          }
          // Every agent has its PSE: from here on the process's I/O is the per-SE HTTP traffic.
          prepared.arrive_and_wait();
          if (t == 0) tcp_start = tcp_bytes();
          counting.arrive_and_wait();
          term::Agent& agent = *prepared_agent;
          double own_personalize = 0;
          for (std::size_t n = next++; n < options.ses; n = next++) {
            sim::FleetConfig config = batch;
            config.first_serial = options.first_serial + static_cast<std::uint32_t>(n);
            const double before = thread_cpu_seconds();
            sim::VirtualFleet se(std::move(config));
            own_personalize += thread_cpu_seconds() - before;
            sim::demo::FleetEndpoint endpoint(se, 0, "se-" + std::to_string(n + 1));
            const term::SeResult result = agent.update(endpoint);
            std::lock_guard lock(mutex);
            ++finals[std::string(term::status_name(result.status))];
            attempts += result.attempts;
            if (result.status != term::SeStatus::updated && failures.size() < 10)
              failures.push_back(endpoint.name() + ": " + result.final_line());
            if (++done % 5000 == 0) {  // a line now and then: a long run shows where it is
              std::cerr << done << " SEs done in " << std::chrono::duration<double>(Clock::now() - start).count()
                        << " s\n";
            }
          }
          std::filesystem::remove_all(agent_options.cache_dir);
          std::lock_guard lock(mutex);
          personalize_cpu += own_personalize;
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!failure) failure = std::current_exception();
          next = options.ses;  // the other threads stop taking SEs
        }
      });
    }
    for (auto& thread : threads) thread.join();
    if (failure) std::rethrow_exception(failure);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const TcpBytes tcp_end = tcp_bytes();
    const nlohmann::json summary{{"ses", options.ses},
                                 {"terminals", options.terminals},
                                 {"campaign_seconds", seconds},
                                 {"ses_per_hour", static_cast<double>(options.ses) / seconds * 3600.0},
                                 {"finals", finals},
                                 {"attempts", attempts},
                                 {"personalize_cpu_seconds", personalize_cpu},
                                 {"http_bytes_from_server", tcp_end.received - tcp_start.received},
                                 {"http_bytes_to_server", tcp_end.sent - tcp_start.sent},
                                 {"http_same_connections", tcp_end.sockets == tcp_start.sockets},
                                 {"failures", failures}};
    if (!options.out.empty()) std::ofstream(options.out) << summary.dump(2) << "\n";
    std::cout << summary.dump(2) << "\n";
    return finals["updated"] == options.ses ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "bench_sim_fleet_terminal: " << error.what() << "\n";
    return 1;
  }
}

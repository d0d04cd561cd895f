// sefleet terminal: the terminal agent. Downloads (and caches) the campaign's PSE, then for each SE
// reached through a PC/SC reader or a TCP address: reads its identity, asks the server for a PAUT,
// sends PAUT[0..2] ‖ PSE ‖ PAUT[3] with a progress bar, reports what the SE answered and follows the
// server's decision. It holds a bearer token and public bytes, never a key.
//   sefleet terminal --server URL (--token T | --token-file F) --campaign ID
//                    (--reader NAME... | --tcp HOST:PORT... | all PC/SC readers) [--cache DIR] [--retries N] [--json]
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "offcard/terminal/agent.hpp"
#include "offcard/terminal/se_endpoint.hpp"
#include "transport/host_port.hpp"

namespace sefleet::cli {
namespace {

namespace term = offcard::terminal;

struct TerminalOptions {
  std::string server;
  std::string token;
  std::string token_file;
  std::string campaign;
  std::vector<std::string> readers;
  std::vector<std::string> tcp;
  std::string cache = ".sefleet-cache";
  unsigned retries = 3;
  bool json = false;
};

std::string read_token(const TerminalOptions& options) {
  if (!options.token.empty()) return options.token;
  std::ifstream in(options.token_file);
  if (!in) throw Error(Errc::io_error, "cannot read the token file " + options.token_file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw Error(Errc::invalid_argument, "the token file " + options.token_file + " is empty");
  return token;
}

std::vector<std::unique_ptr<term::SeEndpoint>> endpoints_of(const TerminalOptions& options) {
  std::vector<std::unique_ptr<term::SeEndpoint>> endpoints;
  for (const auto& reader : options.readers) endpoints.push_back(std::make_unique<term::PcscEndpoint>(reader));
  for (const auto& address : options.tcp) {
    endpoints.push_back(std::make_unique<term::TcpEndpoint>(transport::HostPort::parse(address)));
  }
  if (endpoints.empty()) {  // discovery: every reader pcscd knows
    for (const auto& reader : term::discover_pcsc_readers()) endpoints.push_back(std::make_unique<term::PcscEndpoint>(reader));
    if (endpoints.empty()) throw Error(Errc::not_found, "no SE to update: pcscd lists no reader (use --reader or --tcp)");
  }
  return endpoints;
}

void run_terminal(const TerminalOptions& options) {
  term::SessionOptions session;
  session.base_url = options.server;
  session.token = read_token(options);
  session.on_wait = [&](std::string_view what, std::chrono::milliseconds delay) {
    if (!options.json) std::cerr << "waiting " << delay.count() << " ms: " << what << "\n";
  };
  term::ApiClient client(session);
  auto endpoints = endpoints_of(options);

  const bool tty = ::isatty(STDERR_FILENO) == 1 && !options.json;
  term::AgentOptions agent_options;
  agent_options.campaign_id = options.campaign;
  agent_options.cache_dir = options.cache;
  agent_options.max_attempts_per_se = options.retries;
  std::size_t last_percent = 101;
  agent_options.progress = [&](const std::string& name, std::size_t sent, std::size_t total) {
    if (options.json) return;
    const std::size_t percent = total == 0 ? 100 : sent * 100 / total;
    if (percent == last_percent && sent != total) return;
    last_percent = percent;
    if (tty) {
      const std::size_t width = 40;
      const std::size_t filled = percent * width / 100;
      std::cerr << "\r" << std::left << std::setw(24) << name.substr(0, 24) << " [" << std::string(filled, '#')
                << std::string(width - filled, '.') << "] " << std::right << std::setw(3) << percent << "% " << sent << "/"
                << total << std::flush;
      if (sent == total) std::cerr << "\n";
    } else if (percent % 25 == 0) {
      std::cerr << name << ": " << sent << "/" << total << " commands\n";
    }
  };
  term::Agent agent(client, agent_options);
  agent.prepare();
  if (!options.json) {
    std::cerr << "campaign " << agent.campaign().id << " (" << agent.campaign().name << "): PSE " << agent.pse().commands.size()
              << " commands, " << agent.campaign().pse.size << " bytes, SHA-256 verified"
              << (agent.pmob() ? ", PMOB " + std::to_string(agent.pmob()->size()) + " bytes verified" : std::string()) << "\n";
  }

  std::vector<term::SeResult> results;
  for (auto& endpoint : endpoints) {
    last_percent = 101;
    results.push_back(agent.update(*endpoint));
  }

  std::size_t failed = 0;
  for (const auto& r : results) failed += r.success() ? 0 : 1;
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) {
      nlohmann::json attempts = nlohmann::json::array();
      for (const auto& a : r.history) {
        attempts.push_back({{"outcome", a.outcome}, {"decision", a.decision}, {"commands_sent", a.commands_sent},
                            {"total_commands", a.total_commands}, {"failure", a.failure}, {"seconds", a.seconds}});
      }
      out.push_back({{"endpoint", r.endpoint}, {"se_id", r.se_id}, {"final", r.final}, {"outcome", r.outcome},
                     {"attempts", r.attempts}, {"message", r.message}, {"seconds", r.finished - r.started},
                     {"history", attempts}});
    }
    std::cout << nlohmann::json{{"campaign", agent.campaign().id}, {"ses", results.size()}, {"failed", failed}, {"results", out}}.dump(2)
              << "\n";
  } else {
    std::cout << std::left << std::setw(28) << "SE" << std::setw(34) << "id" << std::setw(16) << "result" << std::setw(9)
              << "attempts" << "detail\n";
    for (const auto& r : results) {
      std::cout << std::left << std::setw(28) << r.endpoint << std::setw(34) << (r.se_id.empty() ? "-" : r.se_id)
                << std::setw(16) << r.final << std::setw(9) << r.attempts << r.message << "\n";
    }
    std::cout << results.size() - failed << " of " << results.size() << " SE(s) updated or already up to date\n";
  }
  if (failed != 0) throw CommandFailed{1};
}

const RegisterCommand registration{"terminal", [](CLI::App& root) {
  auto options = std::make_shared<TerminalOptions>();
  auto* cmd = root.add_subcommand("terminal", "Terminal agent: deliver a campaign's PSE and PAUTs to SEs, report results");
  cmd->add_option("--server", options->server, "Management server URL (http://HOST:PORT)")->required();
  auto* token = cmd->add_option("--token", options->token, "Terminal API token");
  auto* token_file = cmd->add_option("--token-file", options->token_file, "File whose first line is the token")
                         ->check(CLI::ExistingFile);
  token->excludes(token_file);
  cmd->add_option("--campaign", options->campaign, "Campaign id")->required();
  auto* reader = cmd->add_option("--reader", options->readers, "PC/SC reader (name, index or unique substring); repeatable");
  auto* tcp = cmd->add_option("--tcp", options->tcp, "HOST:PORT of `sefleet card run --listen`; repeatable");
  reader->excludes(tcp);
  cmd->add_option("--cache", options->cache, "PSE cache directory")->capture_default_str();
  cmd->add_option("--retries", options->retries, "Delivery attempts per SE in this run")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--json", options->json, "Print the per-SE results as JSON");
  cmd->callback([options] {
    if (options->token.empty() && options->token_file.empty()) throw CLI::ValidationError("--token or --token-file is required");
    run_terminal(*options);
  });
}};

}  // namespace
}  // namespace sefleet::cli

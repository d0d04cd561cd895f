// sefleet terminal: the terminal agent. Downloads (and caches) the campaign's PSE, then for each SE
// reached through a PC/SC reader or a TCP address: reads its identity, asks the server for a PAUT (or,
// for an SE offering SCP11, runs an online SCP11a/b/c session through the server, and for an SE with
// a random SCP03 card challenge an online SCP03 one: scp11.md),
// sends PAUT[0..2] ‖ PSE ‖ PAUT[3] with a progress bar, reports what the SE answered and follows the
// server's decision. SEs the server holds back (not in the current wave, campaign paused, back-off)
// wait while the others are served (offcard/terminal/scheduler.hpp). It holds a bearer token and
// public bytes, never a key. Ends with one line per SE: where it ended and why.
//   sefleet terminal --server URL [--cacert FILE] [--token-file F | $SEFLEET_TOKEN] --campaign ID
//                    (--reader NAME... | --tcp HOST:PORT... | all PC/SC readers)
//                    [--cache DIR] [--retries N] [--max-wait SECONDS] [--authorization auto|offline|online]
//                    [--json]
#include <unistd.h>

#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "offcard/api/enums.hpp"
#include "offcard/terminal/agent.hpp"
#include "offcard/terminal/scheduler.hpp"
#include "offcard/terminal/se_endpoint.hpp"
#include "offcard/terminal/token_file.hpp"
#include "transport/host_port.hpp"

namespace sefleet::cli {
namespace {

namespace term = offcard::terminal;

struct TerminalOptions {
  std::string server;
  std::string cacert;
  std::string token_file;
  std::string token_on_command_line;  // refused: only here to say what to use instead
  std::string campaign;
  std::vector<std::string> readers;
  std::vector<std::string> tcp;
  std::string cache = ".sefleet-cache";
  unsigned retries = 3;
  unsigned max_wait = 300;
  term::AuthorizationMode mode = term::AuthorizationMode::automatic;
  bool json = false;
};

std::vector<std::unique_ptr<term::SeEndpoint>> endpoints_of(const TerminalOptions& options) {
  std::vector<std::unique_ptr<term::SeEndpoint>> endpoints;
  for (const auto& reader : options.readers) endpoints.push_back(std::make_unique<term::PcscEndpoint>(reader));
  for (const auto& address : options.tcp) {
    endpoints.push_back(std::make_unique<term::TcpEndpoint>(transport::HostPort::parse(address)));
  }
  if (endpoints.empty()) {  // discovery: every reader pcscd knows
    for (const auto& reader : term::discover_pcsc_readers())
      endpoints.push_back(std::make_unique<term::PcscEndpoint>(reader));
    if (endpoints.empty())
      throw Error(Errc::not_found, "no SE to update: pcscd lists no reader (use --reader or --tcp)");
  }
  return endpoints;
}

nlohmann::json result_json(const term::SeResult& r) {
  nlohmann::json attempts = nlohmann::json::array();
  for (const auto& a : r.history) {
    attempts.push_back(
        {{"label", a.label()},
         {"authorization", a.online ? "online" : "offline"},
         {"scp", a.variant  ? nlohmann::json(gp::scp11::variant_name(*a.variant))
                 : a.online ? nlohmann::json("SCP03")
                            : nlohmann::json(nullptr)},
         {"outcome", a.outcome ? nlohmann::json(offcard::api::name(*a.outcome)) : nlohmann::json(nullptr)},
         {"evidence", a.evidence ? nlohmann::json(offcard::api::name(*a.evidence)) : nlohmann::json(nullptr)},
         {"commands_sent", a.commands_sent},
         {"total_commands", a.total_commands},
         {"failure", a.failure},
         {"started", a.started},
         {"seconds", a.seconds}});
  }
  return {{"endpoint", r.endpoint},
          {"se_id", r.se_id},
          {"final", term::status_name(r.status)},
          {"reason", r.reason},
          {"final_line", r.final_line()},
          {"outcome", r.outcome ? nlohmann::json(offcard::api::name(*r.outcome)) : nlohmann::json(nullptr)},
          {"attempts", r.attempts},
          {"started", r.started},
          {"finished", r.finished},
          {"history", attempts}};
}

void run_terminal(const TerminalOptions& options) {
  // The agent's HTTPS writes are guarded per thread (sigpipe_guard.hpp); ignoring SIGPIPE here also
  // covers this process's own output (`sefleet terminal | head` ends with EPIPE, not a silent death).
  std::signal(SIGPIPE, SIG_IGN);
  term::SessionOptions session;
  session.base_url = options.server;
  if (!options.cacert.empty()) session.ca_file = options.cacert;
  session.token = term::terminal_token(
      options.token_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(options.token_file));
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
  agent_options.mode = options.mode;
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
                << std::string(width - filled, '.') << "] " << std::right << std::setw(3) << percent << "% " << sent
                << "/" << total << std::flush;
      if (sent == total) std::cerr << "\n";
    } else if (percent % 25 == 0) {
      std::cerr << name << ": " << sent << "/" << total << " commands\n";
    }
  };
  term::Agent agent(client, agent_options);
  agent.prepare();
  if (!options.json) {
    std::cerr << "campaign " << agent.campaign().id << " (" << agent.campaign().name << "): PSE "
              << agent.pse().commands.size() << " commands, " << agent.campaign().pse.size << " bytes, SHA-256 verified"
              << (agent.pmob() ? ", PMOB " + std::to_string(agent.pmob()->size()) + " bytes verified" : std::string())
              << "\n";
  }

  term::ScheduleOptions schedule;
  schedule.max_wait = std::chrono::seconds(options.max_wait);
  schedule.on_sleep = [&](std::size_t waiting, std::chrono::milliseconds delay) {
    if (!options.json)
      std::cerr << "waiting " << delay.count() << " ms: " << waiting << " SE(s) held back by the server\n";
  };
  schedule.on_held_back = [&](const term::SeResult& r, std::chrono::seconds retry_after) {
    if (!options.json) {
      std::cerr << r.endpoint << ": held back (" << r.final_line() << "); asking again in " << retry_after.count()
                << " s, or sooner if an SE of this run completes its wave\n";
    }
  };
  schedule.on_result = [&](const term::SeResult& r) {
    last_percent = 101;
    if (!options.json) std::cerr << r.endpoint << ": " << r.final_line() << "\n";
  };
  std::vector<term::SeEndpoint*> order;
  for (auto& endpoint : endpoints) order.push_back(endpoint.get());
  const std::vector<term::SeResult> results = term::serve(agent, order, schedule);

  std::size_t failed = 0;
  for (const auto& r : results) failed += r.success() ? 0 : 1;
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) out.push_back(result_json(r));
    std::cout << nlohmann::json{{"campaign", agent.campaign().id},
                                {"ses", results.size()},
                                {"failed", failed},
                                {"results", out}}
                     .dump(2)
              << "\n";
  } else {
    // One line per SE: endpoint, SE id, attempts, and where it ended with the reason.
    for (const auto& r : results) {
      std::cout << std::left << std::setw(24) << r.endpoint << " " << std::setw(18) << (r.se_id.empty() ? "-" : r.se_id)
                << " " << r.attempts << " attempt(s)  " << r.final_line() << "\n";
    }
    std::cout << results.size() - failed << " of " << results.size() << " SE(s) updated or already up to date\n";
  }
  if (failed != 0) throw CommandFailed{1};
}

const RegisterCommand terminal_registration{
    "terminal", [](CLI::App& root) {
      auto options = std::make_shared<TerminalOptions>();
      auto* cmd =
          add_command(root, "terminal", "Terminal agent: deliver a campaign's PSE and PAUTs to SEs, report results");
      cmd->footer(
          std::string("The token comes from --token-file FILE (mode 0600) or $") + term::kTokenEnvironmentVariable +
          ", never from the command line.\nSEs the server holds back (not in the current wave, campaign paused, "
          "back-off after an unverified failure)\nwait while the others are served, at most --max-wait seconds in "
          "all.");
      cmd->add_option("--server", options->server, "Management server URL (http://HOST:PORT or https://HOST:PORT)")
          ->required();
      cmd->add_option("--cacert", options->cacert,
                      "https: PEM file of the CA that signed the server's certificate "
                      "(default: the system's trust store)")
          ->check(CLI::ExistingFile);
      cmd->add_option("--token-file", options->token_file, "File whose first line is the terminal token (mode 0600)")
          ->check(CLI::ExistingFile);
      // Hidden: a token on the command line is readable by every user of the machine (ps). Refused with the way out.
      cmd->add_option("--token", options->token_on_command_line)->group("");
      cmd->add_option("--campaign", options->campaign, "Campaign id")->required();
      auto* reader =
          cmd->add_option("--reader", options->readers, "PC/SC reader (name, index or unique substring); repeatable");
      auto* tcp = cmd->add_option("--tcp", options->tcp, "HOST:PORT of `sefleet card run --listen`; repeatable");
      reader->excludes(tcp);
      cmd->add_option("--cache", options->cache, "PSE cache directory")->capture_default_str();
      cmd->add_option("--retries", options->retries, "Delivery attempts per SE in this run")
          ->capture_default_str()
          ->check(CLI::Range(1, 100));
      cmd->add_option("--max-wait", options->max_wait, "Seconds the run waits for SEs the server holds back (0: never)")
          ->capture_default_str()
          ->check(CLI::Range(0, 86400));
      const std::map<std::string, term::AuthorizationMode> modes{{"auto", term::AuthorizationMode::automatic},
                                                                 {"offline", term::AuthorizationMode::offline},
                                                                 {"online", term::AuthorizationMode::online}};
      cmd->add_option("--authorization", options->mode,
                      "auto: online over SCP11 (11a when the server holds an OCE key, else 11b) for SEs offering "
                      "an SCP11 key with certificates when the server accepts sessions, online over SCP03 for SEs "
                      "whose SCP03 card challenge is random, else offline PAUT; offline or online force one")
          ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
          ->default_str("auto");
      cmd->add_flag("--json", options->json, "Print the per-SE results as JSON");
      cmd->callback([options] {
        if (!options->token_on_command_line.empty()) {
          throw CLI::ValidationError(
              "--token", std::string("a token on the command line is visible to every user of this machine; "
                                     "put it in a file only you can read and give --token-file FILE "
                                     "(chmod 600 FILE), or set $") +
                             term::kTokenEnvironmentVariable);
        }
        run_terminal(*options);
      });
    }};

}  // namespace
}  // namespace sefleet::cli

// The terminal agent's loop (broadcast-channel.md §7): for each SE, read its identity and sequence counter,
// ask the server for a PAUT, merge PAUT[0..2] ‖ PSE ‖ PAUT[3], send it, report what the SE answered,
// and act on the server's decision (retry → a fresh PAUT, bounded). The agent holds a bearer token
// and public bytes, never a key: it cannot forge an SE's answer, and the server believes only
// authenticated ones.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/terminal/api_client.hpp"
#include "offcard/terminal/se_endpoint.hpp"

namespace sefleet::offcard::terminal {

struct AgentOptions {
  std::string campaign_id;
  std::filesystem::path cache_dir;  // PSE cache
  unsigned max_attempts_per_se = 3;  // deliveries per SE in this run (the server's max_attempts also bounds it)
  // Called after each command sent to an SE: (endpoint name, sent, total).
  std::function<void(const std::string&, std::size_t, std::size_t)> progress;
};

// One delivery attempt as the agent saw it.
struct AttemptRecord {
  std::string outcome;   // the server's outcome ("" when no report was made)
  std::string decision;  // the server's decision, or "refused:<reason>", or "error"
  std::size_t commands_sent = 0;
  std::size_t total_commands = 0;
  std::string failure;  // the channel's or SE's failure, or the error
  double started = 0;   // seconds since the agent's start
  double seconds = 0;
};

struct SeResult {
  std::string endpoint;
  std::string se_id;     // hex ("" when it could not be read)
  std::string final;     // updated | staged | quarantined | retry | already_updated | refused:<reason> | error
  std::string outcome;   // last outcome reported by the server
  unsigned attempts = 0;  // deliveries made in this run
  std::string message;   // why, for the table
  double started = 0;
  double finished = 0;
  std::vector<AttemptRecord> history;

  bool success() const { return final == "updated" || final == "staged" || final == "already_updated"; }
};

class Agent {
 public:
  // `started` is the time origin of the records (so several agents share one timeline).
  Agent(ApiClient& client, AgentOptions options,
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now());

  // Campaign info, PSE (cache / download / resume, verified) and PMOB (verified when the campaign has
  // one). Throws ApiError / Error when the campaign cannot be used (unknown, cancelled, integrity).
  void prepare();
  // Updates one SE. Never throws for what happens to the SE or the server: the result says it.
  SeResult update(SeEndpoint& se);

  const CampaignInfo& campaign() const { return campaign_; }
  const PseFile& pse() const { return pse_; }
  const std::optional<Bytes>& pmob() const { return pmob_; }

 private:
  double elapsed() const;

  ApiClient& client_;
  AgentOptions options_;
  std::chrono::steady_clock::time_point started_;
  CampaignInfo campaign_;
  PseFile pse_;
  std::optional<Bytes> pmob_;
  bool prepared_ = false;
};

}  // namespace sefleet::offcard::terminal

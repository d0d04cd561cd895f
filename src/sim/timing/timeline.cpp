#include "sim/timing/timeline.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"

namespace sefleet::sim {
namespace {

// A run longer than 2^63 ns (292 years) is a broken trace; refusing it keeps every sum exact.
constexpr std::uint64_t kLimit = std::numeric_limits<std::uint64_t>::max() / 2;

std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, const std::string& command) {
  if (a > kLimit || b > kLimit - a) {
    throw Error(Errc::invalid_argument, "timeline: command '" + command + "' pushes the run beyond 2^63 ns");
  }
  return a + b;
}

}  // namespace

double ns_to_ms(std::uint64_t ns) noexcept {
  return static_cast<double>(ns) / 1e6;
}

RunTiming compute_timeline(const std::vector<CommandTrace>& trace, const LinkProfile& link) {
  if (trace.empty()) {
    throw Error(Errc::invalid_argument, "timeline: the trace has no command");
  }
  RunTiming run;
  run.commands.reserve(trace.size());
  std::uint64_t host_send = 0;
  std::uint64_t previous_deferred_end = 0;
  for (std::size_t k = 0; k < trace.size(); ++k) {
    const CommandTrace& command = trace[k];
    if (command.name.empty()) {
      throw Error(Errc::invalid_argument, "timeline: command " + std::to_string(k) + " has no name");
    }
    const std::uint64_t command_link = link.command_ns(command.command_bytes);
    const std::uint64_t response_link = link.response_ns(command.response_bytes);

    CommandInstants at;
    at.host_send_ns = host_send;
    at.se_arrival_ns = checked_add(host_send, command_link, command.name);
    // docs/deferred-execution.md §2 step 1: the I/O layer holds a command while the previous command's deferred work
    // runs.
    at.se_start_ns = std::max(at.se_arrival_ns, previous_deferred_end);
    at.se_response_ns = checked_add(at.se_start_ns, command.se_ns, command.name);
    at.host_receive_ns = checked_add(at.se_response_ns, response_link, command.name);
    // docs/deferred-execution.md §2 step 5: deferred work starts once the R-APDU has left.
    at.deferred_end_ns = checked_add(at.se_response_ns, command.deferred_ns, command.name);
    at.host_next_send_ns = checked_add(at.host_receive_ns, command.host_after_ns, command.name);

    CommandTiming timing;
    timing.name = command.name;
    timing.hwt_ms = ns_to_ms(at.host_receive_ns - at.host_send_ns);
    timing.seht_ms = ns_to_ms(command.se_ns);
    timing.hpt_ms = ns_to_ms(command.host_after_ns);
    timing.deferred_ms = ns_to_ms(command.deferred_ns);
    timing.waited_ms = ns_to_ms(at.se_start_ns - at.se_arrival_ns);
    timing.command_link_ms = ns_to_ms(command_link);
    timing.response_link_ms = ns_to_ms(response_link);
    timing.at = at;
    run.commands.push_back(std::move(timing));

    host_send = at.host_next_send_ns;
    previous_deferred_end = at.deferred_end_ns;
  }
  // SEWT_k runs from the response of k to the arrival of k+1; the last command has no next one.
  for (std::size_t k = 0; k + 1 < run.commands.size(); ++k) {
    run.commands[k].sewt_ms = ns_to_ms(run.commands[k + 1].at.se_arrival_ns - run.commands[k].at.se_response_ns);
  }
  const CommandInstants& last = run.commands.back().at;
  run.total_ns = last.host_receive_ns;
  run.total_ms = ns_to_ms(run.total_ns);
  run.end_ns = std::max(last.host_receive_ns, last.deferred_end_ns);
  return run;
}

}  // namespace sefleet::sim

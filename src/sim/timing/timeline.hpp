// The arithmetic of the deferred-execution spec (§1 and §6.5): from what a driver measured per
// command (SE time across transmit(), deferred time across after_response(), host processing) and a
// link profile, place every command on one time line and derive HWT, SEHT, SEWT, HPT, deferred and
// waited times. All arithmetic is in integer nanoseconds (deterministic); the *_ms fields are those
// integers divided by 1e6.
//
// For command k (host_send_0 = 0):
//   arrival_k    = host_send_k + link.command_ns(command_bytes_k)
//   start_k      = max(arrival_k, deferred_end_{k-1})        waited_k = start_k - arrival_k
//   respond_k    = start_k + se_ns_k                         SEHT_k   = se_ns_k
//   receive_k    = respond_k + link.response_ns(response_bytes_k)
//   HWT_k        = receive_k - host_send_k
//   deferred_end_k = respond_k + deferred_ns_k               (deferred work runs right after the response)
//   host_send_k+1  = receive_k + host_after_ns_k              HPT_k = host_after_ns_k
//   SEWT_k       = arrival_k+1 - respond_k                   (0 for the last command: no next command)
//   total        = receive_last - host_send_0                (deferred work after the last response
//                                                              is not part of the transaction)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/timing/link_profile.hpp"

namespace sefleet::sim {

// Absolute instants of one command on the run's time line, ns from the first command's send.
struct CommandInstants {
  std::uint64_t host_send_ns = 0;
  std::uint64_t se_arrival_ns = 0;
  std::uint64_t se_start_ns = 0;     // arrival, or later when deferred work was still running
  std::uint64_t se_response_ns = 0;  // the R-APDU leaves the SE; deferred work starts here
  std::uint64_t host_receive_ns = 0;
  std::uint64_t deferred_end_ns = 0;    // = se_response_ns when nothing was deferred
  std::uint64_t host_next_send_ns = 0;  // host_receive_ns + HPT
};

struct CommandTiming {
  std::string name;
  double hwt_ms = 0, seht_ms = 0, sewt_ms = 0, hpt_ms = 0, deferred_ms = 0, waited_ms = 0;
  // Added for the renderers: link times of this command and its instants on the time line.
  double command_link_ms = 0, response_link_ms = 0;
  CommandInstants at;
};

struct RunTiming {
  std::vector<CommandTiming> commands;
  double total_ms = 0;
  std::uint64_t total_ns = 0;
  std::uint64_t end_ns = 0;  // max(last response at host, last deferred end): the drawing's extent
};

struct CommandTrace {  // what the driver measured for one command, virtual ns
  std::string name;
  std::size_t command_bytes = 0, response_bytes = 0;
  std::uint64_t se_ns = 0, deferred_ns = 0;  // clock deltas across transmit() and after_response()
  std::uint64_t host_after_ns = 0;           // host processing after this response, before the next command (HPT)
};

// Error(invalid_argument) when the trace is empty, a name is empty, or the run would overflow 2^63 ns.
RunTiming compute_timeline(const std::vector<CommandTrace>& trace, const LinkProfile& link);

// ns -> ms exactly as compute_timeline does it (for tests and drivers).
double ns_to_ms(std::uint64_t ns) noexcept;

}  // namespace sefleet::sim

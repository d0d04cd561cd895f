// The splitting helper (docs/deferred-execution.md §3: by execution time or by priority):
// an applet declares the operations a command asks for and gets two groups, the ones to do before the
// response and the ones to defer. Both keep the declared order inside each group. An operation
// needed_for_response is always done now.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sefleet::card {

struct DeclaredOperation {
  std::string name;
  std::uint64_t estimated_ns = 0;
  std::uint8_t priority = 0;  // higher = more urgent
  bool needed_for_response = false;
};

struct OperationSplit {
  std::vector<DeclaredOperation> now;
  std::vector<DeclaredOperation> deferred;
};

// By execution time against the idle budget (the SEWT expected before the next command): operations
// not needed for the response are deferred, in declared order, while their total estimate stays within
// `idle_budget_ns`; one that would overflow it is done now (deferring it would only make the next
// command wait), and later smaller ones may still be deferred.
OperationSplit split_by_time_budget(const std::vector<DeclaredOperation>& operations, std::uint64_t idle_budget_ns);

// By priority: operations not needed for the response with priority >= `now_threshold` are done now,
// the others are deferred.
OperationSplit split_by_priority(const std::vector<DeclaredOperation>& operations, std::uint8_t now_threshold);

}  // namespace sefleet::card

#include "card/runtime/deferred_split.hpp"

namespace sefleet::card {

OperationSplit split_by_time_budget(const std::vector<DeclaredOperation>& operations, std::uint64_t idle_budget_ns) {
  OperationSplit split;
  std::uint64_t deferred_total = 0;
  for (const auto& op : operations) {
    if (!op.needed_for_response && op.estimated_ns <= idle_budget_ns - deferred_total) {
      deferred_total += op.estimated_ns;
      split.deferred.push_back(op);
    } else {
      split.now.push_back(op);
    }
  }
  return split;
}

OperationSplit split_by_priority(const std::vector<DeclaredOperation>& operations, std::uint8_t now_threshold) {
  OperationSplit split;
  for (const auto& op : operations) {
    if (op.needed_for_response || op.priority >= now_threshold) {
      split.now.push_back(op);
    } else {
      split.deferred.push_back(op);
    }
  }
  return split;
}

}  // namespace sefleet::card

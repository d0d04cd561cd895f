#include "offcard/server/timeline_thinning.hpp"

#include <algorithm>
#include <cstdint>

namespace sefleet::offcard::server {

std::vector<TimelineRow> thin_timeline(std::vector<TimelineRow> samples, std::size_t limit) {
  limit = std::max<std::size_t>(limit, 2);
  if (samples.size() <= limit) return samples;
  const std::int64_t first = samples.front().t;
  const std::int64_t span = samples.back().t - first;
  const std::size_t intervals = limit - 1;
  // Interval of a time: 0 at the first sample's time, intervals - 1 at the last one's (long double:
  // the product of a span in seconds and the interval count cannot overflow).
  const auto interval_of = [&](std::int64_t t) -> std::size_t {
    if (span <= 0) return intervals - 1;
    const long double position =
        static_cast<long double>(t - first) * static_cast<long double>(intervals) / static_cast<long double>(span);
    return std::min(static_cast<std::size_t>(std::max(position, 0.0L)), intervals - 1);
  };
  std::vector<TimelineRow> out;
  out.reserve(limit);
  out.push_back(samples.front());
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const bool last_of_interval = i + 1 == samples.size() || interval_of(samples[i + 1].t) != interval_of(samples[i].t);
    if (last_of_interval) out.push_back(samples[i]);
  }
  return out;
}

}  // namespace sefleet::offcard::server

// A campaign's timeline as the API serves it: at most a fixed number of samples however long the
// campaign ran, so that the dashboard's chart and `GET .../timeline` stay one small answer at any
// fleet size (a 100,000-SE campaign stores tens of thousands of samples).
#pragma once

#include <cstddef>
#include <vector>

#include "offcard/server/repository.hpp"

namespace sefleet::offcard::server {

inline constexpr std::size_t kMaxTimelineSamples = 1000;

// `samples` ordered by time. Returns them unchanged when there are at most `limit`; otherwise splits
// the time from the first to the last sample into `limit` - 1 equal intervals and keeps, for each
// interval, its last sample (every sample holds the device counts at its time, so the last one of an
// interval is exact at its own time: nothing is averaged), plus the first sample. The first and the
// last samples are always kept; the result is ordered by time and has at most `limit` samples.
// `limit` below 2 is taken as 2.
std::vector<TimelineRow> thin_timeline(std::vector<TimelineRow> samples, std::size_t limit = kMaxTimelineSamples);

}  // namespace sefleet::offcard::server

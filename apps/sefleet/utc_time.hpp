// How the CLI writes a point in time for people and in its JSON: ISO 8601 in UTC, to the second.
#pragma once

#include <cstdint>
#include <string>

namespace sefleet::cli {

// "2026-12-07T06:30:00Z" for a Unix time in seconds.
std::string utc_time_text(std::int64_t unix_seconds);

}  // namespace sefleet::cli

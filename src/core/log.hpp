// Logging goes through spdlog; this header fixes the project-wide logger and its level names.
// Never pass secret material to a logger: SecretBytes has no formatter on purpose.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace sefleet::log {

// Sets the level of the default logger from a name (trace, debug, info, warn, error, off);
// throws Error(Errc::invalid_argument) on an unknown name.
void set_level(std::string_view level);

// Sends all log output to stderr (the CLI keeps stdout for results).
void use_stderr();

}  // namespace sefleet::log

#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

#include "core/error.hpp"

namespace sefleet::log {

void set_level(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    throw Error(Errc::invalid_argument,
                "unknown log level '" + std::string(level) + "' (use trace, debug, info, warn, error or off)");
  }
  spdlog::set_level(parsed);
}

void use_stderr() {
  auto logger = spdlog::stderr_color_mt("sefleet");
  spdlog::set_default_logger(logger);
}

}  // namespace sefleet::log

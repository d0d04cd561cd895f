// sefleet: one CLI for the whole platform. Thin by design: parse, call the library, print.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sefleet: secure-element platform (virtual SE, SCP03 toolkit, broadcast update campaigns)", "sefleet"};
  app.set_version_flag("--version", std::string("sefleet ") + SEFLEET_VERSION);
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off (logs go to stderr)")
      ->capture_default_str();

  auto& registry = sefleet::cli::command_registry();
  std::sort(registry.begin(), registry.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& command : registry) {
    command.setup(app);
  }
  app.parse_complete_callback([&] {
    sefleet::log::use_stderr();
    sefleet::log::set_level(log_level);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help/--version succeed; any usage error is exit status 2
  } catch (const sefleet::cli::CommandFailed& failed) {
    return failed.exit_code;
  } catch (const sefleet::Error& e) {
    std::fflush(stdout);
    std::cerr << "sefleet: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "sefleet: internal error: " << e.what() << "\n";
    return 70;
  }
  return 0;
}

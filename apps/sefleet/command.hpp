// Subcommand registration: a cmd_<name>.cpp file defines a setup function and registers it with a
// static RegisterCommand object, so adding a command never touches a shared file.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sefleet::cli {

// A setup function adds its subcommand (options and callback) to the root application.
using CommandSetup = std::function<void(CLI::App& root)>;

struct RegisteredCommand {
  std::string name;
  CommandSetup setup;
};

std::vector<RegisteredCommand>& command_registry();

struct RegisterCommand {
  RegisterCommand(std::string name, CommandSetup setup);
};

// Commands report failure by throwing sefleet::Error (exit 1, message on stderr) or CommandFailed
// (exit with the given code after the command printed its own report).
struct CommandFailed {
  int exit_code;
};

}  // namespace sefleet::cli

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

// Adds the subcommand `name` to `parent` (CLI::App::add_subcommand). Every command file calls this
// instead of add_subcommand, and it is defined in command.cpp on purpose: CLI11 is header-only, and
// constructing a CLI::App makes the compiler emit and optimize the whole parser, help formatter and
// config-file reader (virtual functions, so they come with the constructor) in every file that does it.
CLI::App* add_command(CLI::App& parent, std::string name, std::string description);

// Commands report failure by throwing sefleet::Error (exit 1, message on stderr) or CommandFailed
// (exit with the given code after the command printed its own report).
struct CommandFailed {
  int exit_code;
};

}  // namespace sefleet::cli

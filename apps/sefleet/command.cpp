#include "command.hpp"

namespace sefleet::cli {

std::vector<RegisteredCommand>& command_registry() {
  static std::vector<RegisteredCommand> registry;
  return registry;
}

RegisterCommand::RegisterCommand(std::string name, CommandSetup setup) {
  command_registry().push_back({std::move(name), std::move(setup)});
}

CLI::App* add_command(CLI::App& parent, std::string name, std::string description) {
  return parent.add_subcommand(std::move(name), std::move(description));
}

}  // namespace sefleet::cli

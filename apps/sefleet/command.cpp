#include "command.hpp"

namespace sefleet::cli {

std::vector<RegisteredCommand>& command_registry() {
  static std::vector<RegisteredCommand> registry;
  return registry;
}

RegisterCommand::RegisterCommand(std::string name, CommandSetup setup) {
  command_registry().push_back({std::move(name), std::move(setup)});
}

}  // namespace sefleet::cli

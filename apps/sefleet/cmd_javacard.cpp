// sefleet javacard: tools for Java Card applets running on the VM of the virtual SE.
//   javacard api -o FILE.jar    writes the API jar applets compile against
#include "command.hpp"
#include "javacard_commands.hpp"

namespace sefleet::cli {
namespace {

const RegisterCommand kRegister("javacard", [](CLI::App& root) {
  auto* javacard = root.add_subcommand("javacard", "Java Card applets for the virtual SE's VM (API jar, load files)");
  javacard->require_subcommand(1);
  setup_javacard_api(*javacard);
});

}  // namespace
}  // namespace sefleet::cli

// sefleet javacard: tools for Java Card applets running on the VM of the virtual SE.
//   javacard api -o FILE.jar    writes the API jar applets compile against
//   javacard pack ...           writes the load file (.sfjc) of one package from its class files
//   javacard check FILE         lists everything the card would refuse in a load file
#include "command.hpp"
#include "javacard_commands.hpp"

namespace sefleet::cli {
namespace {

const RegisterCommand javacard_registration("javacard", [](CLI::App& root) {
  auto* javacard = add_command(root, "javacard", "Java Card applets for the virtual SE's VM (API jar, load files)");
  javacard->require_subcommand(1);
  setup_javacard_api(*javacard);
  setup_javacard_pack(*javacard);
  setup_javacard_check(*javacard);
});

}  // namespace
}  // namespace sefleet::cli

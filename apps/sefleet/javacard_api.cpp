// sefleet javacard api -o FILE.jar: the Java Card API jar (java.lang, javacard.framework,
// javacard.security, javacardx.crypto, javacardx.apdu, org.globalplatform, org.sefleet.deferred as
// the VM implements them), compiled from javacard/api by the build and embedded in the binary.
#include <fstream>
#include <iostream>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "javacard_api_jar.hpp"
#include "javacard_commands.hpp"

namespace sefleet::cli {
namespace {

void write_api_jar(const std::string& path) {
  if (detail::kApiJarFileCount != 1) throw Error(Errc::state_error, "this build embeds no Java Card API jar");
  const auto& jar = detail::kApiJarFiles[0];
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(Errc::io_error, "cannot write " + path);
  out.write(reinterpret_cast<const char*>(jar.data), static_cast<std::streamsize>(jar.size));
  out.close();
  if (!out) throw Error(Errc::io_error, "cannot write " + path);
  std::cout << "wrote " << path << " (" << jar.size << " bytes): compile applets with\n"
            << "  javac --release 8 -cp " << path << " -d classes <sources>\n";
}

}  // namespace

void setup_javacard_api(CLI::App& javacard) {
  static std::string output;
  auto* api = add_command(javacard, "api", "Write the Java Card API jar that applets compile against");
  api->add_option("-o,--output", output, "The jar file to write (replaced if it exists)")->required();
  api->callback([] { write_api_jar(output); });
}

}  // namespace sefleet::cli

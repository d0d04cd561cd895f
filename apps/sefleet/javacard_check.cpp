// sefleet javacard check FILE: what the card would refuse in a load file, found offline. The
// container is decoded (a damaged file is refused with what is wrong), every class is read and
// verified (every finding of the Java Card subset and of the structural verifier, not just the
// first), the applet classes are checked for their install() entry, and when all of that passes the
// package is linked by the same VM the card runs (a RAM-only one holding the ROM and the --with
// packages) exactly as LOAD would. Exit 1 when anything is found.
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "file_input.hpp"
#include "java_class_names.hpp"
#include "javacard_commands.hpp"

namespace sefleet::cli {
namespace {

namespace jc = card::javacard;

struct CheckOptions {
  std::string file;
  std::vector<std::string> with;
  bool json = false;
};

jc::LoadFile read_load_file(const std::string& path) {
  try {
    return jc::decode_load_file(read_whole_file(path, "the load file"));
  } catch (const jc::LoadError& e) {
    throw Error(Errc::parse_error, path + ": " + e.what());
  }
}

jc::classfile::Finding finding(std::string class_name, std::string message) {
  jc::classfile::Finding out;
  out.class_name = std::move(class_name);
  out.message = std::move(message);
  return out;
}

// The class files: each read and verified; a class file whose name is not the one the load file
// gives it would be linked under the wrong name.
std::vector<jc::classfile::Finding> class_findings(const jc::LoadFile& load_file) {
  std::vector<jc::classfile::Finding> findings;
  for (const auto& entry : load_file.classes) {
    jc::classfile::ClassFile cls;
    try {
      cls = jc::classfile::parse_class_file(entry.bytes);
    } catch (const jc::LoadError& e) {
      findings.push_back(finding(entry.name, e.what()));
      continue;
    }
    if (cls.name != entry.name) {
      findings.push_back(
          finding(entry.name, "the class file holds class " + cls.name + ", not the class the load file names"));
      continue;
    }
    for (auto& found : jc::classfile::verify_class(cls)) findings.push_back(std::move(found));
    const bool applet = std::ranges::any_of(load_file.applets, [&](const auto& a) { return a.class_name == cls.name; });
    const auto* install = cls.find_method("install", "([BSB)V");
    if (applet && (install == nullptr || (install->access & jc::classfile::access::kStatic) == 0)) {
      findings.push_back(
          finding(cls.name, "applet class without the static install(byte[], short, byte) method INSTALL calls"));
    }
  }
  return findings;
}

// The VM's link check (LOAD's), after the --with packages were loaded into a RAM-only VM.
std::vector<jc::classfile::Finding> link_findings(const jc::LoadFile& load_file, const std::vector<std::string>& with) {
  card::VirtualClock clock;
  jc::VmServices services;
  services.clock = &clock;
  services.random = &crypto::system_random();
  jc::JavaCardVm vm(services);
  for (const std::string& path : with) {
    try {
      vm.load(read_load_file(path));
    } catch (const jc::LoadError& e) {
      throw Error(Errc::invalid_argument, "--with " + path + " does not load: " + e.what());
    }
  }
  std::vector<jc::classfile::Finding> findings;
  try {
    vm.check(load_file);
  } catch (const jc::LoadError& e) {
    std::istringstream lines(e.what());
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) findings.push_back(finding(load_file.package_name, "link: " + line));
    }
  }
  return findings;
}

void run_check(const CheckOptions& o) {
  const jc::LoadFile load_file = read_load_file(o.file);
  std::vector<jc::classfile::Finding> findings = class_findings(load_file);
  const bool linked = findings.empty();
  if (linked) findings = link_findings(load_file, o.with);
  const std::string package = dotted_class_name(load_file.package_name) + " " +
                              std::to_string(load_file.major_version) + "." + std::to_string(load_file.minor_version);
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) {
      list.push_back({{"class", f.class_name},
                      {"method", f.method},
                      {"pc", f.pc},
                      {"instruction", f.instruction},
                      {"message", f.message},
                      {"text", f.to_string()}});
    }
    nlohmann::json applets = nlohmann::json::array();
    for (const auto& a : load_file.applets)
      applets.push_back({{"class", dotted_class_name(a.class_name)}, {"aid", to_hex(a.aid)}});
    std::cout << nlohmann::json{{"file", o.file},
                                {"package", dotted_class_name(load_file.package_name)},
                                {"package_aid", to_hex(load_file.package_aid)},
                                {"version", std::to_string(load_file.major_version) + "." +
                                                std::to_string(load_file.minor_version)},
                                {"classes", load_file.classes.size()},
                                {"applets", applets},
                                {"linked", linked && findings.empty()},
                                {"findings", list},
                                {"ok", findings.empty()}}
                     .dump(2)
              << "\n";
  } else {
    for (const auto& f : findings) std::cout << f.to_string() << "\n";
    if (findings.empty()) {
      std::cout << o.file << ": OK: package " << package << " (" << load_file.classes.size() << " classes, "
                << load_file.applets.size() << " applets) verifies and links\n";
    } else {
      std::cout << o.file << ": " << findings.size() << " finding" << (findings.size() == 1 ? "" : "s")
                << " in package " << package
                << (linked ? " (link check)" : " (the link check runs once the classes verify)") << "\n";
    }
  }
  if (!findings.empty()) throw CommandFailed{1};
}

}  // namespace

void setup_javacard_check(CLI::App& javacard) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = add_command(javacard, "check", "Verify a load file offline and list everything the card would refuse");
  check->footer(
      "Exit status 0 when the package verifies and links, 1 when anything is found (each finding on a line:\n"
      "class.method pc N (instruction): why).\n"
      "Example:\n"
      "  sefleet javacard check hello.sfjc");
  check->add_option("file", options->file, "The load file (.sfjc)")->required();
  check->add_option("--with", options->with, "A load file already on the card that this one uses (repeat for several)");
  check->add_flag("--json", options->json, "Print the result as JSON");
  check->callback([options] { run_check(*options); });
}

}  // namespace sefleet::cli

// sefleet javacard pack: the `.sfjc` load file of one Java package from the class files javac wrote
// (docs/formats.md "Java Card load file"). Every class under --classes must belong to the one
// package; applets are named by their dotted class name and AID (load_file_builder.hpp). A file that
// is not a class file is refused at once; whether the classes verify and link is what
// `sefleet javacard check` (and the card at LOAD) decides.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/loadfile/load_file_builder.hpp"
#include "card/javacard/loadfile/load_file_rules.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "file_input.hpp"
#include "java_class_names.hpp"
#include "javacard_commands.hpp"

namespace sefleet::cli {
namespace {

namespace fs = std::filesystem;
namespace jc = card::javacard;

struct PackOptions {
  std::string classes;
  std::string package_aid;
  std::vector<std::string> applets;
  std::string version = "1.0";
  std::string output;
  bool force = false;
};

Bytes aid_option(const std::string& text, const std::string& option) {
  Bytes aid;
  try {
    aid = from_hex(text);
  } catch (const Error& e) {
    throw CLI::ValidationError(option, e.what());
  }
  if (aid.size() < jc::kMinAidSize || aid.size() > jc::kMaxAidSize) {
    throw CLI::ValidationError(option, "an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
  return aid;
}

std::uint8_t version_part(const std::string& text) {
  if (text.empty() || text.size() > 3 || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(text) > 255) {
    throw CLI::ValidationError("--version", "MAJOR.MINOR with each part 0..255, e.g. 1.0");
  }
  return static_cast<std::uint8_t>(std::stoi(text));
}

std::vector<jc::AppletDeclaration> applet_options(const std::vector<std::string>& options) {
  std::vector<jc::AppletDeclaration> out;
  for (const std::string& option : options) {
    const std::size_t equals = option.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw CLI::ValidationError("--applet",
                                 "'" + option + "' is not FQCN=AIDHEX (e.g. com.example.Hello=A000000151000001)");
    }
    if (option.find('/') < equals) {
      throw CLI::ValidationError(
          "--applet", "'" + option.substr(0, equals) + "': give the class name with dots (com.example.Hello)");
    }
    out.push_back(
        {jc::internal_class_name(option.substr(0, equals)), aid_option(option.substr(equals + 1), "--applet")});
  }
  return out;
}

// Every *.class under `dir` (recursively), in path order.
std::vector<jc::ClassFileSource> read_classes(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(Errc::io_error, "--classes " + dir.string() + " is not a directory");
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".class") files.push_back(it->path());
  }
  if (ec) throw Error(Errc::io_error, "cannot list " + dir.string() + ": " + ec.message());
  if (files.empty())
    throw Error(Errc::not_found, "no .class file under " + dir.string() + " (compile with javac -d DIR first)");
  std::ranges::sort(files);
  std::vector<jc::ClassFileSource> classes;
  for (const fs::path& file : files)
    classes.push_back({file.string(), read_whole_file(file.string(), "the class file")});
  return classes;
}

void write_atomically(const fs::path& path, const Bytes& bytes) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error(Errc::io_error, "cannot write " + temporary.string());
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw Error(Errc::io_error, "cannot write " + path.string());
  }
}

void run_pack(const PackOptions& o) {
  jc::PackageSpec spec;
  spec.package_aid = aid_option(o.package_aid, "--package-aid");
  const std::size_t dot = o.version.find('.');
  if (dot == std::string::npos) throw CLI::ValidationError("--version", "MAJOR.MINOR with each part 0..255, e.g. 1.0");
  spec.major_version = version_part(o.version.substr(0, dot));
  spec.minor_version = version_part(o.version.substr(dot + 1));
  spec.applets = applet_options(o.applets);
  if (fs::exists(o.output) && !o.force)
    throw Error(Errc::state_error, o.output + " exists (add --force to replace it)");
  Bytes bytes;
  jc::LoadFile load_file;
  try {
    load_file = jc::build_load_file(read_classes(o.classes), spec);
    bytes = jc::encode_load_file(load_file);
  } catch (const jc::LoadError& e) {
    throw Error(Errc::invalid_argument, e.what());
  }
  write_atomically(o.output, bytes);
  std::cout << "wrote " << o.output << " (" << bytes.size() << " bytes): package "
            << dotted_class_name(load_file.package_name) << " " << o.version << " AID " << to_hex(load_file.package_aid)
            << ", " << load_file.classes.size() << " classes\n";
  for (const auto& applet : load_file.applets) {
    std::cout << "  applet " << dotted_class_name(applet.class_name) << " " << to_hex(applet.aid) << "\n";
  }
}

}  // namespace

void setup_javacard_pack(CLI::App& javacard) {
  auto options = std::make_shared<PackOptions>();
  auto* pack = add_command(javacard, "pack", "Write the load file (.sfjc) of one Java package from its class files");
  pack->footer(
      "Example (classes compiled with: javac --release 8 -cp api.jar -d classes src/com/example/Hello.java):\n"
      "  sefleet javacard pack --classes classes --package-aid A0000001510001 \\\n"
      "      --applet com.example.Hello=A000000151000101 -o hello.sfjc\n"
      "Then: sefleet javacard check hello.sfjc; sefleet gp load ... hello.sfjc");
  pack->add_option("--classes", options->classes, "Directory of the package's .class files (searched recursively)")
      ->required();
  pack->add_option("--package-aid", options->package_aid, "The package AID (hex, 5..16 bytes): the load file AID")
      ->required();
  pack->add_option("--applet", options->applets, "An applet class and its AID: FQCN=AIDHEX (repeat for several)");
  pack->add_option("--version", options->version, "Package version MAJOR.MINOR")->capture_default_str();
  pack->add_option("-o,--output", options->output, "The load file to write")->required();
  pack->add_flag("--force", options->force, "Replace the output file if it exists");
  pack->callback([options] { run_pack(*options); });
}

}  // namespace sefleet::cli

#include "card/javacard/loadfile/load_file_rules.hpp"

#include <algorithm>
#include <set>

#include "core/hex.hpp"

namespace sefleet::card::javacard {
namespace {

[[noreturn]] void refuse(const std::string& why) {
  throw LoadError("load file: " + why);
}

void check_aid(ByteView aid, const std::string& what) {
  if (aid.size() < kMinAidSize || aid.size() > kMaxAidSize) {
    refuse(what + " has " + std::to_string(aid.size()) + " bytes (an AID has 5 to 16)");
  }
}

// JVMS 4.2.1: an unqualified name is not empty and holds none of . ; [ /; control characters would
// only hide what a name is in messages and listings.
bool valid_segment(std::string_view segment) {
  if (segment.empty()) return false;
  return std::ranges::none_of(segment, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return c == '.' || c == ';' || c == '[' || c == '/' || byte < 0x20 || byte == 0x7F;
  });
}

bool valid_internal_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    if (!valid_segment(name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start))) {
      return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

void check_classes(const LoadFile& load_file) {
  if (load_file.classes.empty()) refuse("no class (a package has at least one)");
  const ClassBytes* previous = nullptr;
  for (const ClassBytes& cls : load_file.classes) {
    if (!valid_internal_name(cls.name)) refuse("class name '" + cls.name + "' is not a class name in internal form");
    if (package_of(cls.name) != load_file.package_name) {
      refuse("class " + cls.name + " is outside package " + load_file.package_name);
    }
    if (previous != nullptr && previous->name == cls.name) refuse("duplicate class " + cls.name);
    if (previous != nullptr && previous->name > cls.name) {
      refuse("classes are not sorted by name (" + cls.name + " after " + previous->name + ")");
    }
    if (cls.bytes.empty()) refuse("class " + cls.name + " has no bytes");
    previous = &cls;
  }
}

void check_applets(const LoadFile& load_file) {
  std::set<Bytes> aids{load_file.package_aid};
  std::set<std::string> applet_classes;
  for (const AppletDeclaration& applet : load_file.applets) {
    check_aid(applet.aid, "the AID of applet " + applet.class_name);
    const bool known =
        std::ranges::any_of(load_file.classes, [&](const ClassBytes& cls) { return cls.name == applet.class_name; });
    if (!known) refuse("applet class " + applet.class_name + " is not among the classes of the load file");
    if (!applet_classes.insert(applet.class_name).second)
      refuse("applet class " + applet.class_name + " is declared twice");
    if (!aids.insert(applet.aid).second) {
      refuse("applet AID " + to_hex(applet.aid) + " of " + applet.class_name +
             " is already the package AID or another applet's");
    }
  }
}

}  // namespace

void check_load_file_rules(const LoadFile& load_file) {
  check_aid(load_file.package_aid, "the package AID");
  if (load_file.package_name.empty())
    refuse("no package name (classes of the unnamed package cannot form a Java Card package)");
  if (!valid_internal_name(load_file.package_name)) {
    refuse("package name '" + load_file.package_name +
           "' is not a package name in internal form (e.g. com/example/oath)");
  }
  check_classes(load_file);
  check_applets(load_file);
}

std::string internal_class_name(std::string_view dotted) {
  std::string out(dotted);
  std::ranges::replace(out, '.', '/');
  return out;
}

std::string_view package_of(std::string_view internal_class) {
  const std::size_t slash = internal_class.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : internal_class.substr(0, slash);
}

}  // namespace sefleet::card::javacard

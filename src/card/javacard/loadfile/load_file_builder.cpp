#include "card/javacard/loadfile/load_file_builder.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/loadfile/load_file_rules.hpp"

namespace sefleet::card::javacard {
namespace {

[[noreturn]] void refuse(const std::string& why) {
  throw LoadError(why);
}

std::string dotted(std::string_view internal) {
  std::string out(internal);
  std::ranges::replace(out, '/', '.');
  return out;
}

std::string the_package(const std::map<std::string, const classfile::ClassFile*>& classes) {
  std::set<std::string> packages;
  for (const auto& [name, cls] : classes) {
    if (package_of(name).empty())
      refuse("class " + name + " is in the unnamed package (a Java Card applet needs a package)");
    packages.emplace(package_of(name));
  }
  if (packages.size() > 1) {
    std::string list;
    for (const auto& package : packages) list += (list.empty() ? "" : ", ") + dotted(package);
    refuse("the classes belong to " + std::to_string(packages.size()) + " packages (" + list +
           "): a load file holds exactly one");
  }
  return *packages.begin();
}

}  // namespace

LoadFile build_load_file(const std::vector<ClassFileSource>& class_files, const PackageSpec& spec) {
  if (class_files.empty()) refuse("no class file");
  std::vector<classfile::ClassFile> parsed;
  parsed.reserve(class_files.size());
  for (std::size_t i = 0; i < class_files.size(); ++i) {
    try {
      parsed.push_back(classfile::parse_class_file(class_files[i].bytes));
    } catch (const LoadError& e) {
      refuse(class_files[i].origin + ": " + e.what());
    }
  }
  std::map<std::string, const classfile::ClassFile*> by_name;
  std::map<std::string, const Bytes*> bytes_of_class;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto [it, added] = by_name.emplace(parsed[i].name, &parsed[i]);
    if (!added) {
      const std::size_t first = static_cast<std::size_t>(it->second - parsed.data());
      refuse("class " + parsed[i].name + " is in both " + class_files[first].origin + " and " + class_files[i].origin);
    }
    bytes_of_class.emplace(parsed[i].name, &class_files[i].bytes);
  }
  LoadFile out;
  out.package_aid = spec.package_aid;
  out.package_name = the_package(by_name);
  out.major_version = spec.major_version;
  out.minor_version = spec.minor_version;
  out.applets = spec.applets;
  for (const auto& [name, bytes] : bytes_of_class) out.classes.push_back({name, *bytes});  // sorted by name
  check_load_file_rules(out);
  for (const AppletDeclaration& applet : out.applets) {
    const classfile::Method* install = by_name.at(applet.class_name)->find_method("install", "([BSB)V");
    if (install == nullptr || (install->access & classfile::access::kStatic) == 0) {
      refuse("applet class " + dotted(applet.class_name) + " has no static install(byte[], short, byte) method");
    }
  }
  return out;
}

}  // namespace sefleet::card::javacard

#include "card/applets/catalog.hpp"

#include <algorithm>

#include "card/applets/counter_applet.hpp"
#include "core/hex.hpp"

namespace sefleet::card::applets {
namespace {

// Proprietary AIDs (first nibble F: no registered RID) under "F0 53 46" ("SF", sefleet).
std::vector<CatalogLoadFile> make_catalog() {
  std::vector<CatalogLoadFile> catalog;
  catalog.push_back(CatalogLoadFile{
      from_hex("F053460001"),
      "sefleet test applets",
      from_hex("0100"),
      {CatalogModule{from_hex("F05346000101"), "counter (echo + persistent counter)", from_hex("F0534600010101"),
                     make_counter_applet}},
  });
  return catalog;
}

}  // namespace

const std::vector<CatalogLoadFile>& builtin_catalog() {
  static const std::vector<CatalogLoadFile> catalog = make_catalog();
  return catalog;
}

const CatalogLoadFile* find_load_file(ByteView aid) {
  for (const auto& load_file : builtin_catalog()) {
    if (std::ranges::equal(load_file.aid, aid)) return &load_file;
  }
  return nullptr;
}

const CatalogModule* find_module(const CatalogLoadFile& load_file, ByteView module_aid) {
  for (const auto& module : load_file.modules) {
    if (std::ranges::equal(module.aid, module_aid)) return &module;
  }
  return nullptr;
}

}  // namespace sefleet::card::applets

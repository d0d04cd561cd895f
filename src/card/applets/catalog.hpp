// The card's built-in executable load files ("ROM" load files, as real cards ship them): each has an
// AID and executable modules, and each module a factory that makes an applet instance from the
// install parameters of INSTALL [for install] (the value of tag C9). The ISD registers the load files
// in the GP registry (GET STATUS P1 20/10 lists them) and instantiates modules on INSTALL; ROM load
// files cannot be deleted. The entries are listed explicitly in catalog.cpp: static self-registration
// would be dropped by the linker from a static library.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "card/runtime/applet.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::applets {

// Makes a new instance; refuses install parameters it cannot use with StatusWordError (6A80).
using AppletFactory = std::function<std::unique_ptr<Applet>(ByteView install_parameters)>;

struct CatalogModule {
  Bytes aid;               // executable module AID (5-16 bytes)
  std::string name;        // for people: `sefleet card applets`
  Bytes default_instance;  // the AID a user would normally install it as (documentation, CLI hint)
  AppletFactory factory;
};

struct CatalogLoadFile {
  Bytes aid;  // executable load file AID (5-16 bytes)
  std::string name;
  Bytes version;  // load file version number (GET STATUS tag CE)
  std::vector<CatalogModule> modules;
};

// Every built-in load file, in registration order.
const std::vector<CatalogLoadFile>& builtin_catalog();
// The load file with exactly `aid`, or nullptr.
const CatalogLoadFile* find_load_file(ByteView aid);
// The module of `load_file` with exactly `module_aid`, or nullptr.
const CatalogModule* find_module(const CatalogLoadFile& load_file, ByteView module_aid);

}  // namespace sefleet::card::applets

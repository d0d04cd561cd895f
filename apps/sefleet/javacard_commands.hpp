// The subcommands of `sefleet javacard` (each in its own javacard_<name>.cpp), attached by
// cmd_javacard.cpp: add a setup_javacard_<name>() here and one call there.
#pragma once

#include <CLI/CLI.hpp>

namespace sefleet::cli {

void setup_javacard_api(CLI::App& javacard);    // javacard_api.cpp
void setup_javacard_pack(CLI::App& javacard);   // javacard_pack.cpp
void setup_javacard_check(CLI::App& javacard);  // javacard_check.cpp

}  // namespace sefleet::cli

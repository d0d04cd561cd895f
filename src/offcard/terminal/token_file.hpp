// Where a terminal's bearer token comes from. Never the command line: every user of the machine can
// read a process's arguments (ps, /proc). So a file only its owner can read, checked like the
// keystore's files, or the environment.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace sefleet::offcard::terminal {

inline constexpr const char* kTokenEnvironmentVariable = "SEFLEET_TOKEN";

// The file's first line without surrounding blanks. Error(io_error) when it cannot be read, is not a
// regular file, or group or other users may access it (the message gives the chmod that fixes it);
// Error(invalid_argument) when the line is empty.
std::string read_token_file(const std::filesystem::path& path);

// The token from `file` when given, else from $SEFLEET_TOKEN; Error(invalid_argument) saying what to
// use when neither has one.
std::string terminal_token(const std::optional<std::filesystem::path>& file);

}  // namespace sefleet::offcard::terminal

// A fresh SoftHSM2 token for one test: its own token directory and configuration file in a temp dir
// (SOFTHSM2_CONF points there while the object lives), initialized with softhsm2-util. The module
// reads SOFTHSM2_CONF at C_Initialize, so every keystore of the test must be closed before the next
// test creates its token (Pkcs11Module finalizes when its last user goes).
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "support/temp_dir.hpp"

namespace sefleet::offcard::testing {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr const char* kTokenPin = "4711-user";
inline constexpr const char* kSoPin = "so-0815-pin";

class SoftHsmToken {
 public:
  explicit SoftHsmToken(std::string label = "sefleet-test") : label_(std::move(label)) {
    const auto tokens = dir_.path() / "tokens";
    std::filesystem::create_directories(tokens);
    conf_ = dir_.path() / "softhsm2.conf";
    std::ofstream(conf_) << "directories.tokendir = " << tokens.string() << "\nobjectstore.backend = file\n"
                         << "log.level = ERROR\nslots.removable = false\n";
    ::setenv("SOFTHSM2_CONF", conf_.c_str(), 1);
    const std::string command = "softhsm2-util --init-token --free --label '" + label_ + "' --pin " + kTokenPin +
                                " --so-pin " + kSoPin + " >/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("softhsm2-util --init-token failed");
  }
  ~SoftHsmToken() { ::unsetenv("SOFTHSM2_CONF"); }
  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  const std::string& label() const noexcept { return label_; }
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }

 private:
  test::TempDir dir_;
  std::string label_;
  std::filesystem::path conf_;
};

}  // namespace sefleet::offcard::testing

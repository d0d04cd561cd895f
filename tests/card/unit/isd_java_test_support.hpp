// Helpers of the Java Card content tests (LOAD, INSTALL, DELETE, GET STATUS of Java packages): the
// packages of the gp test applets (tests/card/javacard/gp, compiled by javac) as load files, the
// commands `sefleet gp load/install/delete` send (gp/host builders), and a card on disk.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/loadfile/load_file_builder.hpp"
#include "gp/host/install.hpp"
#include "gp/host/load.hpp"
#include "isd_install_test_support.hpp"

namespace sefleet::card::test {

// Package org.sefleet.test.gp: applet GpApplet (commands in GpApplet.java).
inline const Bytes kGpPackage = from_hex("F053464A4301");
inline const Bytes kGpApplet = from_hex("F053464A430101");
inline const Bytes kGpInstance = from_hex("F053464A43010101");
// Package org.sefleet.test.gplib (a library) and org.sefleet.test.gpuser (an applet that uses it).
inline const Bytes kLibPackage = from_hex("F053464A4302");
inline const Bytes kUserPackage = from_hex("F053464A4303");
inline const Bytes kUserApplet = from_hex("F053464A430301");
inline constexpr std::uint8_t kInsParameters = 0x10;
inline constexpr std::uint8_t kInsCount = 0x20;

// The class files javac wrote for package org/sefleet/test/<name>.
inline std::vector<javacard::ClassFileSource> gp_classes(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(SEFLEET_JAVACARD_APPLETS_DIR) / "gp" / "classes" / "org" / "sefleet" / "test" / name;
  std::vector<javacard::ClassFileSource> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    out.push_back({entry.path().string(), Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
  }
  return out;
}

inline javacard::LoadFile gp_package(std::uint8_t minor = 0) {
  javacard::PackageSpec spec;
  spec.package_aid = kGpPackage;
  spec.minor_version = minor;
  spec.applets = {{"org/sefleet/test/gp/GpApplet", kGpApplet}};
  return javacard::build_load_file(gp_classes("gp"), spec);
}
inline javacard::LoadFile lib_package() {
  javacard::PackageSpec spec;
  spec.package_aid = kLibPackage;
  return javacard::build_load_file(gp_classes("gplib"), spec);
}
inline javacard::LoadFile user_package() {
  javacard::PackageSpec spec;
  spec.package_aid = kUserPackage;
  spec.applets = {{"org/sefleet/test/gpuser/UserApplet", kUserApplet}};
  return javacard::build_load_file(gp_classes("gpuser"), spec);
}

// INSTALL [for load] then the LOAD blocks of `file`, as `sefleet gp load` sends them.
inline std::vector<iso7816::CommandApdu> load_sequence(const Bytes& file, const Bytes& aid,
                                                       std::size_t block_size = gp::host::kMaxLoadBlockSize,
                                                       Bytes hash = {}) {
  gp::host::InstallForLoadRequest request;
  request.load_file_aid = aid;
  request.security_domain_aid = from_hex("A000000151000000");
  request.data_block_hash = std::move(hash);
  std::vector<iso7816::CommandApdu> out{gp::host::make_install_for_load(request)};
  for (auto& command : gp::host::make_load_commands(file, block_size)) out.push_back(std::move(command));
  return out;
}

inline iso7816::CommandApdu java_install(const Bytes& package, const Bytes& applet, const Bytes& instance,
                                         Bytes parameters = {}, bool selectable = true) {
  gp::host::InstallRequest request;
  request.load_file_aid = package;
  request.module_aid = applet;
  request.application_aid = instance;
  request.parameters = std::move(parameters);
  request.make_selectable = selectable;
  return gp::host::make_install(request);
}

class JavaContentTest : public InstallCardTest {
 protected:
  // Sends `commands` in one session; the status word of each.
  std::vector<std::uint16_t> run(const std::vector<iso7816::CommandApdu>& commands, std::uint8_t level = 0x03,
                                 std::uint8_t channel = 0) {
    HostSession s = session(level, channel);
    std::vector<std::uint16_t> sws;
    for (const auto& command : commands) sws.push_back(s.send_plain(command).sw);
    return sws;
  }
  // LOADs `file` (every command 9000 expected).
  void load(const Bytes& file, const Bytes& aid, std::size_t block_size = gp::host::kMaxLoadBlockSize) {
    for (const std::uint16_t sw : run(load_sequence(file, aid, block_size))) ASSERT_EQ(sw, 0x9000);
  }
  void load_gp() { load(javacard::encode_load_file(gp_package()), kGpPackage); }
  // The Java applet of `aid` selected on the basic channel, then one class-80 command.
  iso7816::ResponseApdu command(std::uint8_t ins, std::uint8_t channel = 0) {
    return send(endpoint(),
                iso7816::CommandApdu(iso7816::cla_for_channel(0x80, channel, false), ins, 0x00, 0x00, {}, 256));
  }
  // The JavaCard VM's objects (`jc/...`) and the instance records, to compare before/after.
  std::vector<std::string> java_objects() {
    std::vector<std::string> names;
    for (const auto& [name, value] : card().store().committed()) {
      if (name.starts_with("jc/")) names.push_back(name);
    }
    return names;
  }
};

}  // namespace sefleet::card::test

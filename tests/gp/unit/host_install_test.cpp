// The host-side content management builders (INSTALL, DELETE by AID): exact bytes and refusals.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/install.hpp"

namespace sefleet::gp::host {
namespace {

InstallRequest request() {
  InstallRequest r;
  r.load_file_aid = from_hex("F053460001");
  r.module_aid = from_hex("F05346000101");
  r.application_aid = from_hex("F0534600010101");
  r.parameters = from_hex("00000005");
  return r;
}

TEST(HostInstall, ForInstallAndMakeSelectable) {
  EXPECT_EQ(to_hex(make_install(request()).encode()),
            "80E60C00"
            "1F"
            "05F053460001"
            "06F05346000101"
            "07F0534600010101"
            "0100"
            "06C90400000005"
            "00"
            "00");
  auto installed_only = request();
  installed_only.make_selectable = false;
  installed_only.parameters.clear();
  installed_only.privileges = from_hex("000000");
  EXPECT_EQ(to_hex(make_install(installed_only).encode()),
            "80E60400"
            "1D"
            "05F053460001"
            "06F05346000101"
            "07F0534600010101"
            "03000000"
            "02C900"
            "00"
            "00");
}

TEST(HostInstall, ForMakeSelectableAndDelete) {
  EXPECT_EQ(to_hex(make_install_for_make_selectable(from_hex("F0534600010101")).encode()),
            "80E60800"
            "0E"
            "0000"
            "07F0534600010101"
            "0100"
            "0000"
            "00");
  EXPECT_EQ(to_hex(make_delete_aid(from_hex("F0534600010101")).encode()), "80E40000094F07F053460001010100");
  EXPECT_EQ(to_hex(make_delete_aid(from_hex("F0534600010101"), true).encode()), "80E40080094F07F053460001010100");
}

TEST(HostInstall, RefusesMalformedRequests) {
  auto r = request();
  r.load_file_aid = from_hex("F0534600");
  EXPECT_THROW(make_install(r), Error);
  r = request();
  r.application_aid = Bytes(17, 0xF0);
  EXPECT_THROW(make_install(r), Error);
  r = request();
  r.module_aid.clear();
  EXPECT_THROW(make_install(r), Error);
  r = request();
  r.privileges = from_hex("0000");
  EXPECT_THROW(make_install(r), Error);
  r = request();
  r.parameters = Bytes(128, 0x00);
  EXPECT_THROW(make_install(r), Error);
  EXPECT_THROW(make_install_for_make_selectable(from_hex("F0534600"), Bytes{0x00}), Error);
  EXPECT_THROW(make_install_for_make_selectable(from_hex("F0534600010101"), Bytes{}), Error);
  EXPECT_THROW(make_delete_aid(from_hex("F0")), Error);
}

}  // namespace
}  // namespace sefleet::gp::host

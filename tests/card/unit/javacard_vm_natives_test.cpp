// The ROM and its natives: every class of the ROM verifies and links, every `native` method of the
// ROM has a C++ binding and every binding names a native method of the ROM.
#include <gtest/gtest.h>

#include "card/javacard/vm/rom.hpp"

namespace sefleet::card::javacard::vm {
namespace {

TEST(JavaCardNatives, EveryRomNativeHasABinding) {
  const Rom& rom = Rom::instance();
  EXPECT_GT(rom.classes().size(), 30u);
  for (const auto& key : rom.unbound_natives()) ADD_FAILURE() << "no C++ implementation: " << key;
}

TEST(JavaCardNatives, EveryBindingNamesARomNative) {
  for (const auto& key : Rom::instance().unused_bindings()) ADD_FAILURE() << "binding without a native: " << key;
}

TEST(JavaCardNatives, RomFingerprintIsStable) {
  EXPECT_EQ(Rom::instance().fingerprint().size(), 32u);
  EXPECT_EQ(Rom::instance().fingerprint(), Rom::instance().fingerprint());
  EXPECT_NE(Rom::instance().find("javacard/framework/APDU"), nullptr);
  EXPECT_EQ(Rom::instance().find("com/example/Nothing"), nullptr);
}

}  // namespace
}  // namespace sefleet::card::javacard::vm

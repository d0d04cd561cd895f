// The applet firewall between two packages (tests/card/javacard/firewall): Shareable interface objects,
// context switches, the server's own objects, global arrays and temporary entry point objects, and
// the deletion rules between linked packages.
#include <gtest/gtest.h>

#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kServerPackage = aid("F000000003");
const Bytes kServerClass = aid("F00000000301");
const Bytes kServer = aid("F0000000030101");
const Bytes kClientPackage = aid("F000000004");
const Bytes kClientClass = aid("F00000000401");
const Bytes kClient = aid("F0000000040102");

class JavaCardFirewall : public ::testing::Test {
 protected:
  JavaCardFirewall() {
    card_.vm().load(load_file_of("firewall", "com/sefleet/test/server", kServerPackage,
                                 {AppletDeclaration{"com/sefleet/test/server/ServerApplet", kServerClass}}));
    card_.vm().load(load_file_of("firewall", "com/sefleet/test/client", kClientPackage,
                                 {AppletDeclaration{"com/sefleet/test/client/ClientApplet", kClientClass}}));
    card_.install(kServerPackage, kServerClass, kServer);
    card_.install(kClientPackage, kClientClass, kClient);
    EXPECT_EQ(card_.select(kClient), "9000");
  }

  Card card_;
};

TEST_F(JavaCardFirewall, ShareableMethodsRunInTheServersContext) {
  EXPECT_EQ(card_.send("8001000002"), "00019000");
  EXPECT_EQ(card_.send("8001000002"), "00029000");
  EXPECT_EQ(card_.select(kServer), "9000");
  EXPECT_EQ(card_.send("8001000002"), "00029000");
}

TEST_F(JavaCardFirewall, ServerArraysAreNotReadableByTheClient) {
  EXPECT_EQ(card_.send("8002000002"), "05EC9000");
}

TEST_F(JavaCardFirewall, ServerDecidesWhatItShares) {
  EXPECT_EQ(card_.send("8003000002"), "00019000");
}

TEST_F(JavaCardFirewall, GlobalArraysAndTemporaryEntryPointsCannotBeStored) {
  EXPECT_EQ(card_.send("8004000002"), "05EC9000");
  EXPECT_EQ(card_.send("8005000002"), "05EC9000");
  EXPECT_EQ(card_.send("8007000002"), "00079000");
}

TEST_F(JavaCardFirewall, ServerSeesThePreviousContext) {
  EXPECT_EQ(card_.send("8006000002"), "00029000");
}

TEST_F(JavaCardFirewall, JcreExceptionsAreCaughtAcrossContexts) {
  EXPECT_EQ(card_.send("8008000002"), "12349000");
}

TEST_F(JavaCardFirewall, PackagesLinkedToCannotBeDeleted) {
  EXPECT_THROW(card_.vm().delete_package(kServerPackage), Error);
  EXPECT_THROW(card_.vm().delete_package(kClientPackage), Error);  // its instance exists
  card_.runtime().power_off();
  card_.runtime().uninstall_applet(kClient);
  card_.vm().delete_instance(kClient);
  card_.vm().delete_package(kClientPackage);
  card_.runtime().uninstall_applet(kServer);
  card_.vm().delete_instance(kServer);
  card_.vm().delete_package(kServerPackage);
  EXPECT_TRUE(card_.vm().packages().empty());
  EXPECT_EQ(card_.machine().heap().persistent_bytes(), 0u);
  // Nothing of either package is left in the store.
  for (const auto& [key, value] : card_.store().committed()) EXPECT_FALSE(key.starts_with("jc/")) << key;
}

}  // namespace
}  // namespace sefleet::card::javacard::test

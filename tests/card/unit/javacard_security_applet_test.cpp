// The known-answer applet of javacard.security and javacardx.crypto (tests/card/javacard/security,
// vectors computed off-card with python3-cryptography) run through the VM: every group of checks answers
// 9000; a failing check answers 64xx with xx its number in the group (SecurityTestApplet).
#include <gtest/gtest.h>

#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kPackage = aid("F05345464C45540A01");
const Bytes kClass = aid("F05345464C45540A0101");
const Bytes kInstance = aid("F05345464C45540A010101");

class SecurityApplet : public ::testing::Test {
 protected:
  void SetUp() override {
    card_.vm().load(load_file_of("security", "sefleet/test/security", kPackage,
                                 {AppletDeclaration{"sefleet/test/security/SecurityTestApplet", kClass}}));
    card_.install(kPackage, kClass, kInstance);
    ASSERT_EQ(card_.select(kInstance), "9000");
  }

  Card card_;
};

TEST_F(SecurityApplet, MessageDigestRandomDataChecksum) {
  EXPECT_EQ(card_.send("80100000"), "9000");
}

TEST_F(SecurityApplet, SymmetricCiphersMacsAndHmac) {
  EXPECT_EQ(card_.send("80110000"), "9000");
}

TEST_F(SecurityApplet, AeadGcmAndCcm) {
  EXPECT_EQ(card_.send("80120000"), "9000");
}

TEST_F(SecurityApplet, EcKeysEcdsaEcdh) {
  EXPECT_EQ(card_.send("80130000"), "9000");
}

TEST_F(SecurityApplet, RsaKeysSignaturesCiphersGeneration) {
  EXPECT_EQ(card_.send("80140000"), "9000");
}

TEST_F(SecurityApplet, KeyBuilderRefusalsAndTransientKeys) {
  EXPECT_EQ(card_.send("80150000"), "9000");
  ASSERT_EQ(card_.select(kInstance), "9000");  // reselection clears the CLEAR_ON_DESELECT key
  EXPECT_EQ(card_.send("80160000"), "9000");
}

TEST_F(SecurityApplet, OneShotClasses) {
  EXPECT_EQ(card_.send("80170000"), "9000");
}

TEST_F(SecurityApplet, EveryGroupAgainAfterACardReset) {
  // Engines and keys survive a reset in the state init() left them; side-table caches are dropped.
  card_.runtime().reset();
  ASSERT_EQ(card_.select(kInstance), "9000");
  for (const char* apdu : {"80100000", "80110000", "80120000", "80130000", "80140000", "80170000"}) {
    EXPECT_EQ(card_.send(apdu), "9000") << apdu;
  }
}

}  // namespace
}  // namespace sefleet::card::javacard::test

// org.globalplatform on the Java Card VM (tests/card/javacard/globalplatform, GpTestApplet) in a
// VirtualCard, loaded and installed through its ISD: the applet hands INITIALIZE UPDATE / EXTERNAL AUTHENTICATE to
// SecureChannel. processSecurity, so the host toolkit's SCP03 session (gp::Scp03Host, with the applet as invoking
// application) opens on the ISD's session of the applet's channel; the applet unwraps C-MAC / C-DEC
// commands and wraps R-MAC / R-ENC responses itself (the runtime does neither for a Java applet);
// security levels, refusals, resetSecurity and deselection; GPSystem's card state and registry.
#include <gtest/gtest.h>

#include <array>

#include "card/runtime/applet_registry.hpp"
#include "crypto/aes.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_host.hpp"
#include "javacard_services_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

const Bytes kGlobalPlatformPackage = aid("F05345464C45540B01");
const Bytes kGlobalPlatformClass = aid("F05345464C45540B0101");
const Bytes kGlobalPlatformInstance = aid("F05345464C45540B010101");

constexpr std::uint8_t kInsEcho = 0x22;
constexpr std::uint8_t kInsSetState = 0x24;
constexpr std::uint8_t kInsDecrypt = 0x26;
constexpr std::uint8_t kInsEncrypt = 0x2E;

gp::Scp03HostOptions host_options(std::uint8_t level, std::uint8_t channel = 0) {
  gp::Scp03HostOptions options;
  options.security_level = level;
  options.channel = channel;
  options.invoking_aids = {kGlobalPlatformInstance};  // the card challenge is derived with the applet's AID
  return options;
}

class GlobalPlatformApplet : public ::testing::Test {
 protected:
  void SetUp() override { open_card(JavaVirtualCard::new_medium(), true); }

  void open_card(nvm::MemoryDevice::Medium medium, bool install) {
    card_.reset();
    card_ = std::make_unique<JavaVirtualCard>(std::move(medium));
    if (install) {
      card_->load(load_file_of("globalplatform", "sefleet/test/globalplatform", kGlobalPlatformPackage,
                               {AppletDeclaration{"sefleet/test/globalplatform/GpTestApplet", kGlobalPlatformClass}}));
      card_->install(kGlobalPlatformPackage, kGlobalPlatformClass, kGlobalPlatformInstance);
    }
    ASSERT_EQ(card_->select(kGlobalPlatformInstance), "9000");
  }

  ResponseApdu send(const CommandApdu& command) { return card_->send(command); }

  // INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, sent to the applet (which passes them to
  // processSecurity); the host session is then open.
  void authenticate(gp::Scp03Host& host) {
    const ResponseApdu iu = send(host.initialize_update());
    ASSERT_EQ(iu.sw, 0x9000);
    const ResponseApdu ea = send(host.external_authenticate(iu));
    ASSERT_EQ(ea.sw, 0x9000);
    host.complete(ea);
  }

  // A GP-class command protected by the host session, its response checked and decrypted.
  ResponseApdu protected_command(gp::Scp03Host& host, std::uint8_t ins, Bytes data = {}, std::uint8_t p1 = 0) {
    CommandApdu plain(iso7816::cla_for_channel(0x80, host.options().channel, false), ins, p1, 0x00, std::move(data),
                      256);
    return host.unwrap(send(host.wrap(plain)));
  }

  // 80 20 STATUS with the ISD's AID (see GpTestApplet).
  static std::string status_apdu() {
    return "80200000" + to_hex(Bytes{static_cast<std::uint8_t>(kIsdAid.size())}) + to_hex(kIsdAid) + "00";
  }

  // 80 2C: the level seen through the SecureChannel the applet kept since install().
  std::string kept_level() { return card_->send("802C000000"); }

  std::unique_ptr<JavaVirtualCard> card_;
};

TEST_F(GlobalPlatformApplet, ProcessSecurityOpensTheIsdSessionOfTheAppletsChannel) {
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x33));
  authenticate(host);
  // The session is the runtime's per-channel gp::Scp03Card, with the applet as invoking application.
  const gp::Scp03Card* session = card_->runtime().secure_channel(0);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->state(), gp::Scp03Card::State::open);
  EXPECT_EQ(session->config().invoking_aid, kGlobalPlatformInstance);
  EXPECT_EQ(kept_level(), "B3019000");  // AUTHENTICATED | C-MAC C-DEC R-MAC R-ENC; the kept object is the one

  // C-MAC + C-DECRYPTION unwrapped by the applet, R-ENC + R-MAC added by its wrap().
  const Bytes message = from_hex("00112233445566778899AABBCCDDEEFF0102030405");
  const ResponseApdu echo = protected_command(host, kInsEcho, message);
  EXPECT_EQ(echo.sw, 0x9000);
  EXPECT_EQ(echo.data, message);
  // A protected command without data (case 2) is reformatted with Lc = 0.
  const ResponseApdu empty = protected_command(host, kInsEcho);
  EXPECT_EQ(empty.sw, 0x9000);
  EXPECT_TRUE(empty.data.empty());
  // setCardContentState(INSTALLED) is refused (00), the state stays SELECTABLE (07).
  const ResponseApdu refused = protected_command(host, kInsSetState, {}, 0x03);
  EXPECT_EQ(refused.sw, 0x9000);
  EXPECT_EQ(refused.data, from_hex("0007"));
}

TEST_F(GlobalPlatformApplet, EverySecurityLevelOfTheCardsIParameter) {
  for (const std::uint8_t level : {0x01, 0x03, 0x11, 0x13, 0x33}) {
    SCOPED_TRACE("level " + to_hex(Bytes{level}));
    gp::Scp03Host host(card::test::test_profile().scp03, host_options(level));
    authenticate(host);  // a new INITIALIZE UPDATE ends the previous session
    EXPECT_EQ(kept_level(), to_hex(Bytes{static_cast<std::uint8_t>(0x80 | level), 0x01}) + "9000");
    for (int round = 0; round < 3; ++round) {
      const Bytes message(static_cast<std::size_t>(1 + 17 * round), static_cast<std::uint8_t>(0xA0 + round));
      const ResponseApdu echo = protected_command(host, kInsEcho, message);
      EXPECT_EQ(echo.sw, 0x9000);
      EXPECT_EQ(echo.data, message);
    }
  }
}

TEST_F(GlobalPlatformApplet, DecryptDataAndEncryptDataUseTheSessionKeySetsDek) {
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x03));
  authenticate(host);
  const Bytes clear = from_hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  crypto::Aes dek(card::test::test_profile().scp03.dek.view());
  const std::array<std::uint8_t, 16> zero{};
  const Bytes cipher = dek.cbc_encrypt(zero, clear);

  const ResponseApdu decrypted = protected_command(host, kInsDecrypt, cipher);
  EXPECT_EQ(decrypted.sw, 0x9000);
  EXPECT_EQ(decrypted.data, clear);
  const ResponseApdu encrypted = protected_command(host, kInsEncrypt, clear);
  EXPECT_EQ(encrypted.sw, 0x9000);
  EXPECT_EQ(encrypted.data, cipher);
  // Not a whole number of blocks: 6700, the session stays open.
  EXPECT_EQ(protected_command(host, kInsDecrypt, Bytes(15, 0x11)).sw, 0x6700);
  EXPECT_EQ(protected_command(host, kInsEcho, Bytes{1}).sw, 0x9000);
}

TEST_F(GlobalPlatformApplet, DecryptDataWithoutAnOpenSessionIsRefused) {
  EXPECT_EQ(card_->send("802600001000112233445566778899AABBCCDDEEFF"), "6982");
}

TEST_F(GlobalPlatformApplet, AWrongMacAbortsTheSessionUntilTheNextInitializeUpdate) {
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x01));
  authenticate(host);
  CommandApdu wire = host.wrap(CommandApdu(0x80, kInsEcho, 0, 0, from_hex("0102"), 256));
  wire.data.back() ^= 0x01;
  EXPECT_EQ(send(wire).sw, 0x6982);
  EXPECT_EQ(kept_level(), "00019000");
  // Every later command of that session is refused.
  EXPECT_EQ(send(host.wrap(CommandApdu(0x80, kInsEcho, 0, 0, from_hex("0304"), 256))).sw, 0x6982);
  // A plain command in an open C-MAC session is refused too (and aborts it).
  gp::Scp03Host again(card::test::test_profile().scp03, host_options(0x01));
  authenticate(again);
  EXPECT_EQ(card_->send("8022000002AABB"), "6982");
  EXPECT_EQ(kept_level(), "00019000");
  gp::Scp03Host third(card::test::test_profile().scp03, host_options(0x01));
  authenticate(third);
  EXPECT_EQ(protected_command(third, kInsEcho, from_hex("CAFE")).data, from_hex("CAFE"));
}

TEST_F(GlobalPlatformApplet, WithoutASessionCommandsPassUnchanged) {
  EXPECT_EQ(card_->send("8022000003A1B2C300"), "A1B2C39000");
  // A command claiming secure messaging without a session is not processed either (GP API unwrap).
  EXPECT_EQ(card_->send("8422000003A1B2C300"), "A1B2C39000");
  EXPECT_EQ(kept_level(), "00019000");
}

TEST_F(GlobalPlatformApplet, ProcessSecurityRefusals) {
  // INITIALIZE UPDATE with a host challenge of 7 bytes; with secure messaging; unknown key version.
  EXPECT_EQ(card_->send("805000000711223344556677"), "6700");
  EXPECT_EQ(card_->send("84500000081122334455667788"), "6E00");
  EXPECT_EQ(card_->send("80507F00081122334455667788"), "6A88");
  // EXTERNAL AUTHENTICATE without INITIALIZE UPDATE.
  EXPECT_EQ(card_->send("8482330010" + std::string(32, '0')), "6985");
  // A wrong host cryptogram.
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x01));
  const ResponseApdu iu = send(host.initialize_update());
  ASSERT_EQ(iu.sw, 0x9000);
  CommandApdu ea = host.external_authenticate(iu);
  ea.data[0] ^= 0x80;
  EXPECT_EQ(send(ea).sw, 0x6300);
  EXPECT_EQ(kept_level(), "00019000");
}

TEST_F(GlobalPlatformApplet, ResetSecurityAndDeselectionEndTheSession) {
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x13));
  authenticate(host);
  EXPECT_EQ(card_->send("8028000000"), "009000");  // resetSecurity, then getSecurityLevel
  EXPECT_EQ(kept_level(), "00019000");

  gp::Scp03Host second(card::test::test_profile().scp03, host_options(0x13));
  authenticate(second);
  EXPECT_EQ(kept_level(), "93019000");
  ASSERT_EQ(card_->select(kGlobalPlatformInstance),
            "9000");  // reselection: deselect() ends it (and so does the runtime)
  EXPECT_EQ(kept_level(), "00019000");
}

TEST_F(GlobalPlatformApplet, EachLogicalChannelHasItsOwnSession) {
  gp::Scp03Host applet(card::test::test_profile().scp03, host_options(0x03));
  authenticate(applet);
  // The ISD on channel 1, with its own SCP03 session (the runtime's automatic secure messaging).
  ASSERT_EQ(card_->send("0070000001"), "019000");
  card::test::HostSession isd(card_->card().endpoint(), card::test::test_profile().scp03, 0x03, 1);
  ASSERT_TRUE(isd.open());
  EXPECT_EQ(isd.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);
  // The applet's session on channel 0 is untouched.
  EXPECT_EQ(kept_level(), "83019000");
  EXPECT_EQ(protected_command(applet, kInsEcho, from_hex("55")).data, from_hex("55"));
}

TEST_F(GlobalPlatformApplet, CardStateAndRegistryEntries) {
  const std::uint8_t card_state = card_->card().state().life_cycle();
  // Card state, own state, security level, own privileges (3), associated with the ISD, lockCard,
  // no global CVM, no global service, the ISD's entry state (the card's).
  const std::string status = card_->send(status_apdu());
  EXPECT_EQ(status,
            to_hex(Bytes{card_state, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, card_state}) + "9000");
  EXPECT_EQ(card_->send("802A000000"), to_hex(kGlobalPlatformInstance) + "9000");
  // install() has no command, yet GPSystem answers there too (the registry the VM was attached to).
  EXPECT_EQ(card_->send("8030000000"), to_hex(Bytes{card_state}) + "9000");
}

TEST_F(GlobalPlatformApplet, LockCardNeedsTheCardLockPrivilegeAndASecuredCard) {
  AppletRegistry& registry = card_->runtime().registry();
  registry.find(kGlobalPlatformInstance)->privileges = from_hex("100000");  // Card Lock (the ISD's INSTALL grants none)
  // OP_READY cannot go to CARD_LOCKED: false, nothing changes.
  EXPECT_EQ(card_->send(status_apdu()).substr(14, 2), "00");
  EXPECT_EQ(card_->card().state().life_cycle(), gp::card_life_cycle::kOpReady);
  ASSERT_TRUE(registry.change_life_cycle(kIsdAid, gp::card_life_cycle::kInitialized));
  ASSERT_TRUE(registry.change_life_cycle(kIsdAid, gp::card_life_cycle::kSecured));
  // SECURED: locked, through the ISD's card state.
  EXPECT_EQ(card_->send(status_apdu()).substr(14, 2), "01");
  EXPECT_EQ(card_->card().state().life_cycle(), gp::card_life_cycle::kCardLocked);
  EXPECT_EQ(registry.issuer_security_domain()->life_cycle, gp::card_life_cycle::kCardLocked);
  // A locked card selects nothing but the ISD.
  EXPECT_EQ(card_->select(kGlobalPlatformInstance), "6A82");
}

TEST_F(GlobalPlatformApplet, SetCardContentStateChangesOnlyApplicationSpecificStatesDurably) {
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x01));
  authenticate(host);
  // SELECTABLE -> PERSONALIZED (0F): true; then the LOCKED bit, INSTALLED, a state without b3..b1 refused.
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x0F).data, from_hex("010F"));
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x8F).data, from_hex("000F"));
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x03).data, from_hex("000F"));
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x1E).data, from_hex("000F"));
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x7F).data, from_hex("017F"));
  EXPECT_EQ(card_->runtime().registry().find(kGlobalPlatformInstance)->life_cycle, 0x7F);

  // Restart: the state is the one the ISD recorded, the applet is still selectable.
  const auto medium = card_->medium();
  open_card(medium, false);
  EXPECT_EQ(card_->runtime().registry().find(kGlobalPlatformInstance)->life_cycle, 0x7F);
  EXPECT_EQ(card_->send("802A000000"), to_hex(kGlobalPlatformInstance) + "9000");
  const std::string status = card_->send(status_apdu());
  EXPECT_EQ(status.substr(2, 2), "7F");
}

TEST_F(GlobalPlatformApplet, ACardWithoutARecorderRefusesStateChanges) {
  card_->runtime().registry().set_life_cycle_recorder(nullptr);
  gp::Scp03Host host(card::test::test_profile().scp03, host_options(0x01));
  authenticate(host);
  EXPECT_EQ(protected_command(host, kInsSetState, {}, 0x0F).data, from_hex("0007"));
}

}  // namespace
}  // namespace sefleet::card::javacard::test

// SCP11 host role against the card role in process, both in gp: gp::Scp03Card (which runs the
// secure messaging of the session) in front of a small application that sets sessions up with
// scp11::Scp11CardChannel, as the ISD does. Every variant and key length, the secure messaging, and
// the refusals that end or prevent a session.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::scp11 {
namespace {

using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

struct World {
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();
  std::shared_ptr<const P256PrivateKey> oce = std::make_shared<const P256PrivateKey>(P256PrivateKey::generate());
};

const World& world() {
  static const World instance;
  return instance;
}

Bytes oce_certificate(const P256PrivateKey& signer) {
  GpCertificateFields fields;
  fields.serial = Bytes{0x01};
  fields.ca_kloc_identifier = Bytes(20, 0xCA);
  fields.subject_identifier = Bytes(20, 0x0E);
  fields.public_key = world().oce->public_uncompressed();
  return make_gp_certificate(fields, signer);
}

// The card: an SCP03 engine per channel (here one) and the SCP11 setup application.
class Card {
 public:
  Card() : scp03_(registry_, Scp03CardConfig{}) {
    keys_.kvn = 0x01;
    keys_.sd_key = &world().sd;
    keys_.oce_kvn = 0x10;
    keys_.oce_ca_key = world().oce_ca.public_uncompressed();
  }

  ResponseApdu send(const CommandApdu& command) {
    return scp03_.process(command, [this](CommandApdu& plain) { return application(plain); });
  }
  Scp03Card& scp03() { return scp03_; }

 private:
  ResponseApdu application(const CommandApdu& plain) {
    if (plain.ins == kInsPerformSecurityOperation) return channel_.perform_security_operation(plain, keys_);
    if (plain.ins == kInsMutualAuthenticate || plain.ins == kInsInternalAuthenticate) {
      std::optional<Scp11Established> established;
      ResponseApdu response = channel_.authenticate(plain, keys_, crypto::system_random(), established);
      if (established) scp03_.open_session(established->keys, std::move(established->dek), established->receipt, 0x33);
      return response;
    }
    // Anything else: echo the data back (the session protects both directions).
    return ResponseApdu(plain.data, iso7816::sw::kOk);
  }

  InMemoryKeyRegistry registry_;
  Scp03Card scp03_;
  Scp11CardKeys keys_;
  Scp11CardChannel channel_;
};

Scp11Host make_host(Variant variant, std::uint8_t key_length = 16) {
  Scp11HostOptions options;
  options.variant = variant;
  options.key_length = key_length;
  std::optional<OceCredentials> oce;
  if (authenticates_oce(variant)) oce = OceCredentials{world().oce, {oce_certificate(world().oce_ca)}, 0x10, {}};
  return Scp11Host(options, world().sd.public_uncompressed(), oce);
}

void establish(Card& card, Scp11Host& host) {
  for (const auto& upload : host.certificate_uploads()) ASSERT_EQ(card.send(upload).sw, 0x9000);
  host.complete(card.send(host.authenticate()));
  ASSERT_EQ(host.state(), Scp11Host::State::open);
  ASSERT_EQ(card.scp03().state(), Scp03Card::State::open);
}

TEST(Scp11Session, EveryVariantAndKeyLengthCarriesProtectedCommands) {
  for (Variant variant : {Variant::a, Variant::b, Variant::c}) {
    for (std::uint8_t length : {16, 24, 32}) {
      Card card;
      auto host = make_host(variant, length);
      establish(card, host);
      EXPECT_EQ(card.scp03().current_security_level(), 0xB3);
      for (int i = 0; i < 3; ++i) {
        const Bytes data(static_cast<std::size_t>(17 * i + 1), static_cast<std::uint8_t>(i));
        const CommandApdu wire = host.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, data, 256));
        EXPECT_EQ(wire.cla, 0x84);
        EXPECT_NE(wire.data, data);  // C-DEC
        const ResponseApdu plain = host.unwrap(card.send(wire));
        EXPECT_EQ(plain.sw, 0x9000);
        EXPECT_EQ(plain.data, data);
      }
    }
  }
}

TEST(Scp11Session, TheSessionDekProtectsSensitiveData) {
  Card card;
  auto host = make_host(Variant::b);
  establish(card, host);
  const Bytes block(16, 0x5A);
  const Bytes encrypted = card.scp03().encrypt_sensitive_data(block);
  EXPECT_NE(encrypted, block);
  EXPECT_EQ(card.scp03().decrypt_sensitive_data(encrypted), block);
  EXPECT_EQ(card.scp03().key_version(), Scp03Card::kNoScp03KeySet);
  EXPECT_EQ(host.session_dek().size(), 16u);
}

TEST(Scp11Session, ABadCMacEndsTheSession) {
  Card card;
  auto host = make_host(Variant::a);
  establish(card, host);
  CommandApdu wire = host.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, Bytes{1, 2, 3}, 256));
  wire.data[0] ^= 0x01;
  EXPECT_EQ(card.send(wire).sw, 0x6982);
  EXPECT_EQ(card.scp03().state(), Scp03Card::State::aborted);
  EXPECT_EQ(card.send(host.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256))).sw, 0x6982);
  // A new setup starts a new session.
  auto again = make_host(Variant::b);
  establish(card, again);
  EXPECT_EQ(again.unwrap(card.send(again.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, Bytes{9}, 256)))).data, Bytes{9});
}

TEST(Scp11Session, ANewSetupEndsTheCurrentSession) {
  Card card;
  auto first = make_host(Variant::b);
  establish(card, first);
  auto second = make_host(Variant::c);
  establish(card, second);
  // The first host's keys no longer match the card's session.
  EXPECT_EQ(card.send(first.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256))).sw, 0x6982);
}

TEST(Scp11Session, AWrongReceiptOrRMacIsRefusedByTheHost) {
  Card card;
  auto host = make_host(Variant::b);
  ResponseApdu answer = card.send(host.authenticate());
  answer.data[70] ^= 0x01;  // inside the receipt (5F49 41 <65> 86 10 <16>)
  EXPECT_THROW(host.complete(answer), Error);
  EXPECT_EQ(host.state(), Scp11Host::State::failed);
  auto fresh = make_host(Variant::b);
  establish(card, fresh);
  ResponseApdu response = card.send(fresh.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, Bytes{1}, 256)));
  response.data.back() ^= 0x01;
  EXPECT_THROW((void)fresh.unwrap(response), Error);
  EXPECT_EQ(fresh.state(), Scp11Host::State::failed);
}

TEST(Scp11Session, CardRefusals) {
  Card card;
  auto mutual = make_host(Variant::a);
  // Without the chain: 6982.
  EXPECT_EQ(card.send(mutual.authenticate()).sw, 0x6982);
  // A chain from another CA: 6982, and still no session.
  CommandApdu foreign = mutual.certificate_uploads().front();
  foreign.data = oce_certificate(P256PrivateKey::generate());
  EXPECT_EQ(card.send(foreign).sw, 0x6982);
  EXPECT_EQ(card.send(mutual.authenticate()).sw, 0x6982);
  // PSO for another KID: 6A86; under an unknown KVN: 6A88; a malformed certificate: 6A80.
  CommandApdu upload = mutual.certificate_uploads().front();
  CommandApdu other_kid = upload;
  other_kid.p2 = 0x11;
  EXPECT_EQ(card.send(other_kid).sw, 0x6A86);
  CommandApdu other_kvn = upload;
  other_kvn.p1 = 0x20;
  EXPECT_EQ(card.send(other_kvn).sw, 0x6A88);
  CommandApdu malformed = upload;
  malformed.data.resize(10);
  EXPECT_EQ(card.send(malformed).sw, 0x6A80);
  // INTERNAL AUTHENTICATE with an SCP11a KID, MUTUAL AUTHENTICATE with SCP11b's: 6A88.
  auto b = make_host(Variant::b);
  CommandApdu internal = b.authenticate();
  internal.p2 = kKidScp11a;
  EXPECT_EQ(card.send(internal).sw, 0x6A88);
  CommandApdu mutual_b = b.authenticate();
  mutual_b.ins = kInsMutualAuthenticate;
  EXPECT_EQ(card.send(mutual_b).sw, 0x6A88);
  EXPECT_EQ(card.scp03().state(), Scp03Card::State::idle);
}

TEST(Scp11Session, TheStaticOceEcdhMayRunWhereTheOceKeyLives) {
  // The OCE key stays with its holder (a keystore or token in the CLI): the host only calls it.
  for (Variant variant : {Variant::a, Variant::c}) {
    int calls = 0;
    OceCredentials oce{nullptr, {oce_certificate(world().oce_ca)}, 0x10, {}};
    oce.static_agreement = [&calls](ByteView sd_point) {
      ++calls;
      return crypto::ecdh_p256(*world().oce, crypto::P256PublicKey::from_uncompressed(sd_point));
    };
    Scp11HostOptions options;
    options.variant = variant;
    Scp11Host host(options, world().sd.public_uncompressed(), oce);
    Card card;
    establish(card, host);
    EXPECT_EQ(calls, 1);
    const ResponseApdu plain = host.unwrap(card.send(host.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66, Bytes{1, 2}))));
    EXPECT_EQ(plain.data, (Bytes{1, 2}));
  }
  // A holder answering with another key's result gives another Z: the receipt does not match.
  OceCredentials wrong{nullptr, {oce_certificate(world().oce_ca)}, 0x10, {}};
  wrong.static_agreement = [](ByteView sd_point) {
    return crypto::ecdh_p256(P256PrivateKey::generate(), crypto::P256PublicKey::from_uncompressed(sd_point));
  };
  Scp11HostOptions options;
  options.variant = Variant::a;
  Scp11Host host(options, world().sd.public_uncompressed(), wrong);
  Card card;
  for (const auto& upload : host.certificate_uploads()) ASSERT_EQ(card.send(upload).sw, 0x9000);
  const ResponseApdu answer = card.send(host.authenticate());
  ASSERT_EQ(answer.sw, 0x9000);
  try {
    host.complete(answer);
    ADD_FAILURE() << "a wrong static ECDH opened a session";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong receipt"), std::string::npos) << e.what();
  }
  EXPECT_EQ(host.state(), Scp11Host::State::failed);
}

TEST(Scp11Session, HostOptionsThatCannotWorkAreRefused) {
  Scp11HostOptions options;
  EXPECT_THROW(Scp11Host(options, Bytes(65, 0x04)), Error);  // not a point
  options.variant = Variant::a;
  EXPECT_THROW(Scp11Host(options, world().sd.public_uncompressed()), Error);  // no OCE credentials
  options.variant = Variant::b;
  options.key_length = 20;
  EXPECT_THROW(Scp11Host(options, world().sd.public_uncompressed()), Error);
  Scp11Host idle(Scp11HostOptions{}, world().sd.public_uncompressed());
  EXPECT_THROW((void)idle.wrap(CommandApdu(0x80, 0xCA, 0x00, 0x66)), Error);
  EXPECT_TRUE(idle.certificate_uploads().empty());
}

}  // namespace
}  // namespace sefleet::gp::scp11

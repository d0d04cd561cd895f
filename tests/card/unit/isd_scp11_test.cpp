// SCP11 on the virtual card: the ISD's PERFORM SECURITY OPERATION, MUTUAL / INTERNAL AUTHENTICATE and
// GET DATA BF21 with gp::host's SCP11 channel as the off-card entity (SCP11a, b, c, AES-128 and
// AES-256), and every refusal: unknown KID/KVN, malformed data, a chain that does not verify, a wrong
// receipt, a bad C-MAC after establishment (the session is then closed).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/state/scp11_store.hpp"
#include "card/virtual_card.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/host/gp_session.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "isd_test_support.hpp"
#include "iso7816/status_words.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;
namespace scp11 = gp::scp11;

constexpr std::uint8_t kScp11SdKvn = 0x03;
constexpr std::uint8_t kScp11OceKvn = 0x10;

// The keys of one test world: the card's CA and key, the OCE's CA, intermediate and key.
struct Keys {
  P256PrivateKey card_ca = P256PrivateKey::generate();
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();
  P256PrivateKey oce_intermediate = P256PrivateKey::generate();
  std::shared_ptr<const P256PrivateKey> oce = std::make_shared<const P256PrivateKey>(P256PrivateKey::generate());
};

const Keys& keys() {
  static const Keys instance;
  return instance;
}

scp11::GpCertificateFields gp_fields(const P256PrivateKey& subject, std::uint8_t id) {
  scp11::GpCertificateFields fields;
  fields.serial = Bytes(8, id);
  fields.ca_kloc_identifier = Bytes(20, static_cast<std::uint8_t>(id ^ 0xFF));
  fields.subject_identifier = Bytes(20, id);
  fields.public_key = subject.public_uncompressed();
  return fields;
}

// The OCE chain: an X.509 intermediate under the OCE CA, then the GP-format OCE certificate.
std::vector<Bytes> oce_chain() {
  const auto& k = keys();
  return {
      crypto::X509Certificate::issue(k.oce_intermediate.public_key(), "OCE intermediate", k.oce_ca, "OCE CA", 30).der(),
      scp11::make_gp_certificate(gp_fields(*k.oce, 0x0E), k.oce_intermediate)};
}

// Issued once: a new issue would have another serial number and signature.
const Bytes& card_certificate() {
  static const Bytes der = [] {
    const auto& k = keys();
    return crypto::X509Certificate::issue(k.sd.public_key(), "SD ECKA", k.card_ca, "card CA", 30).der();
  }();
  return der;
}

CardProfile scp11_profile() {
  CardProfile profile = test::test_profile();
  Scp11Profile scp11;
  scp11.kvn = kScp11SdKvn;
  scp11.sk_sd_ecka = keys().sd.scalar();
  scp11.certificates = {card_certificate()};
  scp11.oce_kvn = kScp11OceKvn;
  scp11.oce_ca_pk = keys().oce_ca.public_uncompressed();
  profile.scp11 = std::move(scp11);
  return profile;
}

class IsdScp11Test : public ::testing::Test {
 protected:
  IsdScp11Test() {
    VirtualCard::personalize(dir_.path(), scp11_profile());
    card_.emplace(VirtualCard::open(dir_.path()));
    card().power_on();
  }
  transport::CardEndpoint& card() { return card_->endpoint(); }
  iso7816::ApduExchange link() {
    return [this](const CommandApdu& command) { return test::send(card(), command); };
  }
  ResponseApdu plain(const CommandApdu& command) { return test::send(card(), command); }

  static gp::host::Scp11ChannelOptions options(scp11::Variant variant, std::uint8_t key_length = 16) {
    gp::host::Scp11ChannelOptions out;
    out.host.variant = variant;
    out.host.kvn = kScp11SdKvn;
    out.host.key_length = key_length;
    out.card_ca_key = keys().card_ca.public_uncompressed();
    if (scp11::authenticates_oce(variant)) out.oce = scp11::OceCredentials{keys().oce, oce_chain(), kScp11OceKvn, {}};
    return out;
  }

  // A session of `variant` through GpSession; checks that GET STATUS runs inside it.
  void expect_session(scp11::Variant variant, std::uint8_t key_length = 16) {
    gp::host::GpSession session(link());
    session.select();
    session.open_scp11_channel(options(variant, key_length));
    EXPECT_TRUE(session.secure());
    const auto isd = session.get_status(gp::host::StatusScope::issuer_security_domain);
    ASSERT_EQ(isd.size(), 1u);
    EXPECT_EQ(isd[0].aid, from_hex("A000000151000000"));
  }

  // A raw host whose authenticate command the test sends itself (after the chain for a/c).
  scp11::Scp11Host raw_host(scp11::Variant variant) {
    const auto o = options(variant);
    return scp11::Scp11Host(o.host, keys().sd.public_uncompressed(), o.oce);
  }

  sefleet::test::TempDir dir_;
  std::optional<VirtualCard> card_;
};

TEST_F(IsdScp11Test, Scp11bSessionWithTheCardCertificateVerified) {
  expect_session(scp11::Variant::b);
}

TEST_F(IsdScp11Test, Scp11aSessionWithAMixedFormatOceChain) {
  expect_session(scp11::Variant::a);
}

TEST_F(IsdScp11Test, Scp11cSession) {
  expect_session(scp11::Variant::c);
}

TEST_F(IsdScp11Test, Aes256SessionKeys) {
  expect_session(scp11::Variant::b, 32);
  expect_session(scp11::Variant::a, 32);
}

TEST_F(IsdScp11Test, GetDataBf21ReturnsTheStoredChain) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  for (std::uint8_t kid : {0x11, 0x13, 0x15}) {
    // The chain is longer than one short response: GET RESPONSE collects the rest.
    const auto response = iso7816::transmit(link(), gp::host::make_get_certificate_store(kid, kScp11SdKvn));
    ASSERT_EQ(response.sw, 0x9000);
    EXPECT_EQ(gp::host::certificate_store_content(response.data), card_certificate());
  }
  // The ISO class, as yubikit sends it: the value field only, the certificates one after the other.
  const auto iso = iso7816::transmit(
      link(), CommandApdu(0x00, 0xCA, 0xBF, 0x21, Bytes{0xA6, 0x04, 0x83, 0x02, 0x13, kScp11SdKvn}, 256));
  ASSERT_EQ(iso.sw, 0x9000);
  EXPECT_EQ(iso.data, card_certificate());
  EXPECT_EQ(plain(gp::host::make_get_certificate_store(0x13, 0x04)).sw, 0x6A88);         // another KVN
  EXPECT_EQ(plain(gp::host::make_get_certificate_store(0x10, kScp11SdKvn)).sw, 0x6A88);  // not an SD key
  EXPECT_EQ(plain(CommandApdu(0x80, 0xCA, 0xBF, 0x21, from_hex("A6038302"), 256)).sw, 0x6A80);
  EXPECT_EQ(plain(CommandApdu(0x80, 0xCA, 0xBF, 0x21,
                              from_hex("A604840213"
                                       "03"),
                              256))
                .sw,
            0x6A80);
}

TEST_F(IsdScp11Test, UnknownKeyVersionOrIdentifierIs6A88) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  auto host = raw_host(scp11::Variant::b);
  CommandApdu command = host.authenticate();
  command.p1 = 0x04;
  EXPECT_EQ(plain(command).sw, 0x6A88);
  command.p1 = kScp11SdKvn;
  command.p2 = 0x17;
  EXPECT_EQ(plain(command).sw, 0x6A88);
  // PERFORM SECURITY OPERATION under a KVN the OCE CA key does not have.
  auto mutual = raw_host(scp11::Variant::a);
  CommandApdu upload = mutual.certificate_uploads().front();
  upload.p1 = 0x11;
  EXPECT_EQ(plain(upload).sw, 0x6A88);
}

TEST_F(IsdScp11Test, MalformedDataIs6A80) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  auto host = raw_host(scp11::Variant::b);
  CommandApdu command = host.authenticate();
  CommandApdu truncated = command;
  truncated.data.pop_back();
  EXPECT_EQ(plain(truncated).sw, 0x6A80);
  CommandApdu wrong_variant = command;
  wrong_variant.data[5] = 0x01;  // tag 90 says SCP11a under KID 13
  EXPECT_EQ(plain(wrong_variant).sw, 0x6A80);
  auto mutual = raw_host(scp11::Variant::a);
  CommandApdu upload = mutual.certificate_uploads().front();
  upload.data.resize(upload.data.size() / 2);
  EXPECT_EQ(plain(upload).sw, 0x6A80);
}

TEST_F(IsdScp11Test, AChainThatDoesNotVerifyIs6982) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  auto host = raw_host(scp11::Variant::a);
  auto uploads = host.certificate_uploads();
  // The leaf alone: it is signed by the intermediate, not by the CA.
  CommandApdu leaf_first = uploads.back();
  EXPECT_EQ(plain(leaf_first).sw, 0x6982);
  // Without a verified chain MUTUAL AUTHENTICATE is refused too.
  EXPECT_EQ(plain(host.authenticate()).sw, 0x6982);
  // An OCE certificate signed by another CA.
  const auto stranger = P256PrivateKey::generate();
  CommandApdu foreign = uploads.front();
  foreign.data = scp11::make_gp_certificate(gp_fields(*keys().oce, 0x21), stranger);
  EXPECT_EQ(plain(foreign).sw, 0x6982);
  // The GpSession reports the refusal.
  gp::host::GpSession session(link());
  session.select();
  auto bad = options(scp11::Variant::a);
  std::swap(bad.oce->certificates.front(), bad.oce->certificates.back());
  EXPECT_THROW(session.open_scp11_channel(bad), Error);
  EXPECT_FALSE(session.secure());
}

TEST_F(IsdScp11Test, AWrongCardCaOrAWrongReceiptIsRefusedByTheHost) {
  gp::host::GpSession session(link());
  session.select();
  auto other_ca = options(scp11::Variant::b);
  other_ca.card_ca_key = P256PrivateKey::generate().public_uncompressed();
  EXPECT_THROW(session.open_scp11_channel(other_ca), Error);
  // The card's key is not the one the host was given: the receipt cannot match.
  auto wrong_key = options(scp11::Variant::b);
  wrong_key.card_ca_key.reset();
  wrong_key.card_key = P256PrivateKey::generate().public_uncompressed();
  try {
    session.open_scp11_channel(wrong_key);
    ADD_FAILURE() << "opened with a wrong card key";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("receipt"), std::string::npos) << error.what();
  }
  // A receipt changed on the way.
  auto host = raw_host(scp11::Variant::b);
  ResponseApdu answer = plain(host.authenticate());
  ASSERT_EQ(answer.sw, 0x9000);
  answer.data.back() ^= 0x01;
  EXPECT_THROW(host.complete(answer), Error);
  EXPECT_EQ(host.state(), scp11::Scp11Host::State::failed);
}

TEST_F(IsdScp11Test, ABadCMacAfterEstablishmentIs6982AndClosesTheSession) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  auto host = raw_host(scp11::Variant::b);
  host.complete(plain(host.authenticate()));
  const CommandApdu get_status(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
  EXPECT_EQ(host.unwrap(plain(host.wrap(get_status))).sw, 0x9000);
  CommandApdu tampered = host.wrap(get_status);
  tampered.data.back() ^= 0x01;
  EXPECT_EQ(plain(tampered).sw, 0x6982);
  // The card closed the session: the next correctly wrapped command is refused as well.
  EXPECT_EQ(plain(host.wrap(get_status)).sw, 0x6982);
  // A plain command needing a session is refused too, and a new SCP11 setup starts over.
  auto again = raw_host(scp11::Variant::b);
  again.complete(plain(again.authenticate()));
  EXPECT_EQ(again.unwrap(plain(again.wrap(get_status))).sw, 0x9000);
}

TEST_F(IsdScp11Test, OneSessionPerLogicalChannel) {
  ASSERT_EQ(plain(CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // MANAGE CHANNEL open -> 1
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  ASSERT_EQ(test::select_isd(card(), 1).sw, 0x9000);
  auto first = raw_host(scp11::Variant::b);
  first.complete(plain(first.authenticate()));
  auto o = options(scp11::Variant::b);
  o.host.channel = 1;
  scp11::Scp11Host second(o.host, keys().sd.public_uncompressed());
  second.complete(plain(second.authenticate()));
  const CommandApdu get_status(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
  CommandApdu on_channel_one = get_status;
  on_channel_one.cla = iso7816::cla_for_channel(0x80, 1, false);
  EXPECT_EQ(first.unwrap(plain(first.wrap(get_status))).sw, 0x9000);
  EXPECT_EQ(second.unwrap(plain(second.wrap(on_channel_one))).sw, 0x9000);
  EXPECT_EQ(first.unwrap(plain(first.wrap(get_status))).sw, 0x9000);
}

TEST(IsdScp11Card, InitGeneratesAKeyAndASelfSignedCertificateAndInfoShowsThem) {
  sefleet::test::TempDir dir;
  CardProfile profile = test::test_profile();
  profile.scp11 = Scp11Profile{};
  VirtualCard::personalize(dir.path(), profile);
  auto card = VirtualCard::open(dir.path());
  const auto summary = card.summary();
  ASSERT_TRUE(summary.contains("scp11"));
  const auto& scp11_info = summary.at("scp11");
  const Bytes pk = from_hex(scp11_info.at("pk_sd_ecka").get<std::string>());
  ASSERT_EQ(scp11_info.at("certificates").size(), 1u);
  const auto certificate =
      scp11::Scp11Certificate::parse(from_hex(scp11_info.at("certificates")[0].at("hex").get<std::string>()));
  EXPECT_EQ(certificate.public_key(), pk);
  EXPECT_TRUE(certificate.signed_by(crypto::P256PublicKey::from_uncompressed(pk)));
  EXPECT_FALSE(scp11_info.contains("oce"));
  const auto stored = Scp11Store::load(card.store());
  ASSERT_TRUE(stored.has_value());
  const auto sd_key = stored->find({scp11::kKidScp11b, 0x01});
  ASSERT_NE(sd_key, nullptr);
  EXPECT_EQ(summary.dump().find(to_hex(sd_key->private_key->scalar().view())), std::string::npos);
  // Without an OCE CA key the card runs SCP11b only: PERFORM SECURITY OPERATION is 6A88.
  card.endpoint().power_on();
  ASSERT_EQ(test::select_isd(card.endpoint()).sw, 0x9000);
  EXPECT_EQ(test::send(card.endpoint(), CommandApdu(0x80, 0x2A, 0x10, 0x10, card_certificate())).sw, 0x6A88);
  // A card without "scp11" has no SCP11 key: 6A88, and no "scp11" in its summary.
  sefleet::test::TempDir plain_dir;
  VirtualCard::personalize(plain_dir.path(), test::test_profile());
  auto plain_card = VirtualCard::open(plain_dir.path());
  EXPECT_FALSE(plain_card.summary().contains("scp11"));
  plain_card.endpoint().power_on();
  ASSERT_EQ(test::select_isd(plain_card.endpoint()).sw, 0x9000);
  scp11::Scp11Host host({}, pk);
  EXPECT_EQ(test::send(plain_card.endpoint(), host.authenticate()).sw, 0x6A88);
}

TEST(IsdScp11Profile, TheScp11PartParsesAndRefusesMistakes) {
  const auto& k = keys();
  const std::string base =
      R"({"se_id": "0102030405060708", "kdd": "00112233445566778899", "scp03": {"kvn": "30", "enc": ")" +
      std::string(32, 'A') + R"(", "mac": ")" + std::string(32, 'B') + R"(", "dek": ")" + std::string(32, 'C') +
      R"("}, "scp11": )";
  auto parse = [&](const std::string& scp11_json) { return CardProfile::from_json(base + scp11_json + "}"); };
  const std::string scalar = to_hex(k.sd.scalar().view());
  const auto profile =
      parse(R"({"kvn": "01", "sk_sd_ecka": ")" + scalar + R"(", "certificates": [")" + to_hex(card_certificate()) +
            R"("], "oce": {"kvn": "10", "ca_pk": ")" + to_hex(k.oce_ca.public_uncompressed()) + R"("}})");
  ASSERT_TRUE(profile.scp11.has_value());
  EXPECT_EQ(profile.scp11->kvn, 0x01);
  EXPECT_EQ(profile.scp11->certificates.size(), 1u);
  EXPECT_EQ(profile.scp11->oce_kvn, 0x10);
  EXPECT_FALSE(CardProfile::from_json(base.substr(0, base.size() - 11) + "}").scp11.has_value());
  EXPECT_TRUE(parse("{}").scp11.has_value());
  for (const std::string& bad : std::vector<std::string>{
           R"({"kvn": "00"})",
           R"({"kvn": "01", "extra": 1})",
           R"({"sk_sd_ecka": "00"})",
           R"({"sk_sd_ecka": ")" + std::string(64, 'F') + R"("})",            // above the order
           R"({"certificates": [")" + to_hex(card_certificate()) + R"("]})",  // no key to match
           R"({"sk_sd_ecka": ")" + to_hex(k.oce_ca.scalar().view()) + R"(", "certificates": [")" +
               to_hex(card_certificate()) + R"("]})",  // certifies another key
           R"({"sk_sd_ecka": ")" + scalar + R"(", "certificates": ["7F2103010203"]})",
           R"({"oce": {"kvn": "10"}})",
           R"({"oce": {"ca_pk": "04AA"}})",
       }) {
    EXPECT_THROW((void)parse(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace sefleet::card

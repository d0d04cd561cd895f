// SCP11 key management on the virtual card, with the bytes yubikit's SecurityDomainSession sends:
// PUT KEY of ECC keys (SD key pair, OCE CA keys), DELETE of them, GET DATA E0 / FF33, STORE DATA of
// the certificate store, the OCE allowlist and the CA issuer, persistence across a restart, and a
// session opened with a key set PUT KEY added. Every refusal with its status word.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/nvm/nvm_store.hpp"
#include "card/state/scp11_store.hpp"
#include "card/virtual_card.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "isd_test_support.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;
namespace scp11 = gp::scp11;

constexpr std::uint8_t kSdKvn = 0x03;
constexpr std::uint8_t kOceKvn = 0x10;

struct World {
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();
  std::shared_ptr<const P256PrivateKey> oce = std::make_shared<const P256PrivateKey>(P256PrivateKey::generate());
  P256PrivateKey new_sd = P256PrivateKey::generate();
  P256PrivateKey new_ca = P256PrivateKey::generate();
};

const World& world() {
  static const World instance;
  return instance;
}

Bytes oce_leaf(const P256PrivateKey& signer, std::uint8_t serial) {
  scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x00, 0x80, serial};  // a leading 00 as an INTEGER would keep it positive
  fields.ca_kloc_identifier = Bytes(20, 0xCA);
  fields.subject_identifier = Bytes(20, 0x0E);
  fields.public_key = world().oce->public_uncompressed();
  return scp11::make_gp_certificate(fields, signer);
}

CardProfile profile() {
  CardProfile out = test::test_profile();
  Scp11Profile scp11;
  scp11.kvn = kSdKvn;
  scp11.sk_sd_ecka = world().sd.scalar();
  scp11.oce_kvn = kOceKvn;
  scp11.oce_ca_pk = world().oce_ca.public_uncompressed();
  out.scp11 = std::move(scp11);
  return out;
}

// yubikit put_key of a private key: KVN, B1 {scalar encrypted under the session DEK}, F0 {00}, KCV length 00.
Bytes private_key_data(std::uint8_t kvn, const P256PrivateKey& key, const SecretBytes& dek) {
  crypto::Aes aes(dek.view());
  const Bytes cipher = aes.cbc_encrypt(Bytes(16, 0x00), key.scalar().view());
  Bytes data{kvn, 0xB1, static_cast<std::uint8_t>(cipher.size())};
  append(data, cipher);
  append(data, from_hex("F0010000"));
  return data;
}

// yubikit put_key of a public key: KVN, B0 {point}, F0 {00}, 00.
Bytes public_key_data(std::uint8_t kvn, ByteView point) {
  Bytes data{kvn, 0xB0, static_cast<std::uint8_t>(point.size())};
  append(data, point);
  append(data, from_hex("F0010000"));
  return data;
}

class IsdScp11KeysTest : public ::testing::Test {
 protected:
  IsdScp11KeysTest() {
    VirtualCard::personalize(dir_.path(), profile());
    reopen();
  }
  void reopen() {
    card_.reset();
    card_.emplace(VirtualCard::open(dir_.path()));
    card().power_on();
    EXPECT_EQ(test::select_isd(card()).sw, 0x9000);
  }
  transport::CardEndpoint& card() { return card_->endpoint(); }
  ResponseApdu plain(const CommandApdu& command) { return test::send(card(), command); }

  // A raw SCP11 host whose session is open with the card.
  std::unique_ptr<scp11::Scp11Host> open(scp11::Variant variant, std::uint8_t kvn = kSdKvn,
                                         const Bytes& card_key = world().sd.public_uncompressed(),
                                         std::uint8_t ca_kvn = kOceKvn, const P256PrivateKey* ca = nullptr) {
    scp11::Scp11HostOptions options;
    options.variant = variant;
    options.kvn = kvn;
    std::optional<scp11::OceCredentials> oce;
    if (scp11::authenticates_oce(variant)) {
      oce = scp11::OceCredentials{world().oce, {oce_leaf(ca == nullptr ? world().oce_ca : *ca, 0x01)}, ca_kvn, {}};
    }
    auto host = std::make_unique<scp11::Scp11Host>(options, card_key, oce);
    for (const auto& upload : host->certificate_uploads()) {
      const auto sw = plain(upload).sw;
      EXPECT_EQ(sw, 0x9000);
      if (sw != 0x9000) return nullptr;
    }
    host->complete(plain(host->authenticate()));
    return host;
  }
  // A command inside `host`'s session. The card answers an extended command without Le (a long
  // STORE DATA) with 61xx for its R-MAC; the rest comes with GET RESPONSE in the ISO class, as
  // yubikit sends it (00 C0 00 00).
  ResponseApdu secure(scp11::Scp11Host& host, const CommandApdu& command) {
    ResponseApdu response = plain(host.wrap(command));
    while ((response.sw & 0xFF00) == 0x6100) {
      const auto more = plain(CommandApdu(0x00, 0xC0, 0x00, 0x00, {}, response.sw & 0xFF ? response.sw & 0xFF : 256));
      append(response.data, more.data);
      response.sw = more.sw;
    }
    return host.unwrap(response);
  }
  // GET DATA E0 as yubikit sends it, inside `host`'s session when one is open (a plain command would
  // end it).
  Bytes key_information(scp11::Scp11Host* host = nullptr) {
    const CommandApdu get_data(0x00, 0xCA, 0x00, 0xE0, {}, 256);
    const auto response = host == nullptr ? plain(get_data) : secure(*host, get_data);
    EXPECT_EQ(response.sw, 0x9000);
    return response.data;
  }
  static bool lists(const Bytes& information, const Bytes& entry) {
    return to_hex(information).find(to_hex(entry)) != std::string::npos;
  }

  sefleet::test::TempDir dir_;
  std::optional<VirtualCard> card_;
};

TEST_F(IsdScp11KeysTest, PutKeyOfAnSdKeyPairOpensScp11bWithTheNewKeySet) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  const auto answer =
      secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x13, private_key_data(0x05, world().new_sd, host->session_dek())));
  ASSERT_EQ(answer.sw, 0x9000);
  EXPECT_EQ(answer.data, Bytes{0x05});  // the KVN, as yubikit expects (ECC keys have no KCV)
  const Bytes information = key_information(host.get());
  EXPECT_TRUE(lists(information, from_hex("C0061305B120F000")));
  EXPECT_TRUE(lists(information, from_hex("C0061303B120F000")));  // the profile's pair
  EXPECT_TRUE(lists(information, from_hex("C0061010B041F000")));  // PK.CA-KLOC.ECDSA
  EXPECT_TRUE(lists(information, from_hex("C004013088")));        // SCP03 keys still listed
  // The host names the key set in P1: the new one and the old one both open sessions.
  auto fresh = open(scp11::Variant::b, 0x05, world().new_sd.public_uncompressed());
  ASSERT_TRUE(fresh);
  const CommandApdu get_status(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
  EXPECT_EQ(secure(*fresh, get_status).sw, 0x9000);
  auto old = open(scp11::Variant::b);
  ASSERT_TRUE(old);
  EXPECT_EQ(secure(*old, get_status).sw, 0x9000);
}

TEST_F(IsdScp11KeysTest, PutKeyOfCaKeysThenScp11aUnderThem) {
  auto host = open(scp11::Variant::c);
  ASSERT_TRUE(host);
  const Bytes ca_point = world().new_ca.public_uncompressed();
  ASSERT_EQ(secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x10, public_key_data(0x12, ca_point))).data, Bytes{0x12});
  ASSERT_EQ(secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x21, public_key_data(0x13, ca_point))).sw, 0x9000);
  EXPECT_TRUE(lists(key_information(host.get()), from_hex("C0062113B041F000")));
  // SCP11a with an OCE chain under the new KID 10 key (KVN 12)...
  auto mutual = open(scp11::Variant::a, kSdKvn, world().sd.public_uncompressed(), 0x12, &world().new_ca);
  ASSERT_TRUE(mutual);
  EXPECT_EQ(secure(*mutual, CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);
  // ... and under KID 21 (PERFORM SECURITY OPERATION P2 = 21).
  scp11::Scp11HostOptions options;
  options.variant = scp11::Variant::a;
  options.kvn = kSdKvn;
  scp11::Scp11Host raw(options, world().sd.public_uncompressed(),
                       scp11::OceCredentials{world().oce, {oce_leaf(world().new_ca, 0x02)}, 0x13, {}});
  CommandApdu upload = raw.certificate_uploads().front();
  upload.p2 = 0x21;
  ASSERT_EQ(plain(upload).sw, 0x9000);
  raw.complete(plain(raw.authenticate()));
  EXPECT_EQ(raw.state(), scp11::Scp11Host::State::open);
  // The old CA key (KVN 10) does not verify a chain of the new CA.
  upload.p1 = kOceKvn;
  upload.p2 = 0x10;
  EXPECT_EQ(plain(upload).sw, 0x6982);
}

TEST_F(IsdScp11KeysTest, PutKeyReplacesAKeyUnderItsKvn) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  const Bytes data = private_key_data(0x06, world().new_sd, host->session_dek());
  ASSERT_EQ(secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x13, data)).sw, 0x9000);
  // Replace (13, 06) by another key under KVN 07; the public key given along must match.
  Bytes replacement = private_key_data(0x07, world().sd, host->session_dek());
  replacement.insert(replacement.end() - 4, {0xB0, 0x41});
  const Bytes point = world().sd.public_uncompressed();
  replacement.insert(replacement.end() - 4, point.begin(), point.end());
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xD8, 0x06, 0x13, replacement)).data, Bytes{0x07});
  const Bytes information = key_information(host.get());
  EXPECT_FALSE(lists(information, from_hex("C0061306")));
  EXPECT_TRUE(lists(information, from_hex("C0061307B120F000")));
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xD8, 0x06, 0x13, data)).sw, 0x6A88);  // 06 is gone
}

TEST_F(IsdScp11KeysTest, PutKeyRefusals) {
  const Bytes ca_point = world().new_ca.public_uncompressed();
  // Outside a session.
  EXPECT_EQ(plain(CommandApdu(0x80, 0xD8, 0x00, 0x10, public_key_data(0x12, ca_point))).sw, 0x6982);
  // SCP11b authenticates the card only.
  auto card_only = open(scp11::Variant::b);
  ASSERT_TRUE(card_only);
  EXPECT_EQ(secure(*card_only, CommandApdu(0x80, 0xD8, 0x00, 0x10, public_key_data(0x12, ca_point))).sw, 0x6982);
  // An SCP03 session with C-MAC only cannot receive a private key; a public key is fine.
  test::HostSession scp03(card(), test::key_set(0x30, 0x40), gp::level::kCMac);
  ASSERT_TRUE(scp03.open());
  const SecretBytes static_dek = test::key_set(0x30, 0x40).dek;
  EXPECT_EQ(
      scp03.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x13, private_key_data(0x05, world().new_sd, static_dek))).sw,
      0x6982);
  EXPECT_EQ(scp03.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x10, public_key_data(0x12, ca_point))).sw, 0x9000);

  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  auto put = [&](std::uint8_t p1, std::uint8_t p2, const Bytes& data) {
    return secure(*host, CommandApdu(0x80, 0xD8, p1, p2, data)).sw;
  };
  Bytes other_curve = public_key_data(0x14, ca_point);
  other_curve[other_curve.size() - 2] = 0x01;  // F0 {01}: P-384
  EXPECT_EQ(put(0x00, 0x10, other_curve), 0x6A80);
  Bytes with_kcv = public_key_data(0x14, ca_point);
  with_kcv.back() = 0x01;
  with_kcv.push_back(0xAA);
  EXPECT_EQ(put(0x00, 0x10, with_kcv), 0x6A80);
  Bytes no_parameters = public_key_data(0x14, ca_point);
  no_parameters.erase(no_parameters.end() - 4, no_parameters.end() - 1);
  EXPECT_EQ(put(0x00, 0x10, no_parameters), 0x6A80);
  Bytes off_curve = public_key_data(0x14, ca_point);
  off_curve[10] ^= 0x01;
  EXPECT_EQ(put(0x00, 0x10, off_curve), 0x6A80);
  EXPECT_EQ(put(0x00, 0x12, public_key_data(0x14, ca_point)), 0x6A80);  // KID 12: a Key-DEK, not ECC
  EXPECT_EQ(put(0x00, 0x10, private_key_data(0x14, world().new_ca, host->session_dek())), 0x6A80);  // CA: public only
  EXPECT_EQ(put(0x00, 0x13, public_key_data(0x14, ca_point)), 0x6A80);                              // SD key: needs B1
  Bytes mismatch = private_key_data(0x14, world().new_sd, host->session_dek());
  mismatch.insert(mismatch.end() - 4, {0xB0, 0x41});
  mismatch.insert(mismatch.end() - 4, ca_point.begin(), ca_point.end());
  EXPECT_EQ(put(0x00, 0x13, mismatch), 0x6A80);                            // B0 of another key
  EXPECT_EQ(put(0x00, 0x10, public_key_data(kOceKvn, ca_point)), 0x6A80);  // (10, 10) exists
  EXPECT_EQ(put(0x00, 0x10, public_key_data(0x30, ca_point)), 0x6A80);     // the SCP03 key set's KVN
  EXPECT_EQ(put(0x00, 0x10, public_key_data(0x80, ca_point)), 0x6A80);     // KVN above 7F
  EXPECT_EQ(put(0x15, 0x10, public_key_data(0x15, ca_point)), 0x6A88);     // nothing to replace
  // Room: 16 key references (the profile made 4, the SCP03 session above 1).
  std::uint8_t kvn = 0x40;
  while (put(0x00, 0x20, public_key_data(kvn, ca_point)) == 0x9000) ++kvn;
  EXPECT_EQ(kvn, 0x40 + 11);
  EXPECT_EQ(put(0x00, 0x20, public_key_data(kvn, ca_point)), 0x6A84);
}

TEST_F(IsdScp11KeysTest, DeleteKeysAsYubikitSendsIt) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  ASSERT_EQ(
      secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x13, private_key_data(0x05, world().new_sd, host->session_dek())))
          .sw,
      0x9000);
  // delete_key(kid=0x13, kvn=5): D0 {13} D2 {05}.
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00113D20105"))).sw, 0x9000);
  EXPECT_FALSE(lists(key_information(host.get()), from_hex("C0061305")));
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00113D20105"))).sw, 0x6A88);
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00120"))).sw, 0x6A88);
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00201"))).sw, 0x6A80);
  // The last SCP03 key set stays, whatever P2 says (yubikit: KVN only, P2 01 "delete last").
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x01, from_hex("D20130"))).sw, 0x6985);
  // The KID alone deletes that KID under every KVN.
  EXPECT_EQ(secure(*host, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00111"))).sw, 0x9000);
  Bytes information = key_information(host.get());
  EXPECT_FALSE(lists(information, from_hex("C0061103")));
  EXPECT_TRUE(lists(information, from_hex("C0061303")));
  EXPECT_TRUE(lists(information, from_hex("C004013088")));
  // SCP11b does not authenticate the OCE: no deletion under it, nor outside a session.
  auto card_only = open(scp11::Variant::b);
  ASSERT_TRUE(card_only);
  EXPECT_EQ(secure(*card_only, CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00110"))).sw, 0x6982);
  EXPECT_EQ(plain(CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D00110"))).sw, 0x6982);
  // The KVN alone deletes every key of that KVN: the rest of the profile's pair (13 and 15).
  auto again = open(scp11::Variant::c);
  ASSERT_TRUE(again);
  EXPECT_EQ(secure(*again, CommandApdu(0x80, 0xE4, 0x00, 0x01, from_hex("D20103"))).sw, 0x9000);
  information = key_information(again.get());
  EXPECT_FALSE(lists(information, from_hex("C0061303")));
  EXPECT_FALSE(lists(information, from_hex("C0061503")));
  EXPECT_TRUE(lists(information, from_hex("C0061010B041F000")));
}

TEST_F(IsdScp11KeysTest, StoreDataOfTheCertificateStoreAllowlistAndCaIssuer) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  const Bytes certificate =
      crypto::X509Certificate::issue(world().sd.public_key(), "SD ECKA", world().oce_ca, "card CA", 30).der();
  // store_certificate_bundle: 00 E2 90 00 A6 {83 {13 03}} BF21 {certificates}.
  Bytes data = from_hex("A60483021303BF21");
  iso7816::encode_length(data, certificate.size());
  append(data, certificate);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00, data)).sw, 0x9000);
  const auto read = secure(*host, CommandApdu(0x00, 0xCA, 0xBF, 0x21, from_hex("A60483021303"), 256));
  ASSERT_EQ(read.sw, 0x9000);
  EXPECT_EQ(read.data, certificate);
  // A leaf of another key, an unknown key, a malformed certificate.
  const Bytes foreign =
      crypto::X509Certificate::issue(world().new_sd.public_key(), "other", world().oce_ca, "card CA", 30).der();
  Bytes wrong_leaf = from_hex("A60483021303BF21");
  iso7816::encode_length(wrong_leaf, foreign.size());
  append(wrong_leaf, foreign);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00, wrong_leaf)).sw, 0x6A80);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A60483021309BF2100"))).sw, 0x6A88);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A60483021303BF2103300100"))).sw, 0x6A80);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x80, 0x00, from_hex("A60483021303BF2100"))).sw, 0x6A86);

  // store_allowlist((10, 10), [0x8002]): 70 {93 {00 80 02}} (yubikit adds 00 before a high bit).
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00,
                                      from_hex("A604830210107005930300"
                                               "8002")))
                .sw,
            0x9000);
  EXPECT_EQ(secure(*host, CommandApdu(0x00, 0xE2, 0x90, 0x00,
                                      from_hex("A60483021303700593030080"
                                               "02")))
                .sw,
            0x6A88);  // an SD key has no allowlist
  // The OCE leaf of serial 0x8001 is not listed: 6982; 0x8002 is.
  scp11::Scp11HostOptions options;
  options.variant = scp11::Variant::a;
  options.kvn = kSdKvn;
  scp11::Scp11Host unlisted(options, world().sd.public_uncompressed(),
                            scp11::OceCredentials{world().oce, {oce_leaf(world().oce_ca, 0x01)}, kOceKvn, {}});
  EXPECT_EQ(plain(unlisted.certificate_uploads().front()).sw, 0x6982);
  scp11::Scp11Host listed(options, world().sd.public_uncompressed(),
                          scp11::OceCredentials{world().oce, {oce_leaf(world().oce_ca, 0x02)}, kOceKvn, {}});
  EXPECT_EQ(plain(listed.certificate_uploads().front()).sw, 0x9000);
  listed.complete(plain(listed.authenticate()));
  ASSERT_EQ(listed.state(), scp11::Scp11Host::State::open);
  // An empty 70 lifts the allowlist.
  EXPECT_EQ(secure(listed, CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A604830210107000"))).sw, 0x9000);
  EXPECT_EQ(plain(unlisted.certificate_uploads().front()).sw, 0x9000);

  // store_ca_issuer((10, 10), ski): A6 {80 {00} 42 {ski} 83 {10 10}}; GET DATA FF33 lists it.
  auto again = open(scp11::Variant::a);
  ASSERT_TRUE(again);
  EXPECT_EQ(secure(*again, CommandApdu(0x00, 0xCA, 0xFF, 0x33, {}, 256)).sw, 0x6A88);
  EXPECT_EQ(secure(*again, CommandApdu(0x00, 0xE2, 0x90, 0x00,
                                       from_hex("A60D800100420411223344830210"
                                                "10")))
                .sw,
            0x9000);
  const auto kloc = secure(*again, CommandApdu(0x00, 0xCA, 0xFF, 0x33, {}, 256));
  ASSERT_EQ(kloc.sw, 0x9000);
  EXPECT_EQ(kloc.data, from_hex("42041122334483021010"));
  EXPECT_EQ(secure(*again, CommandApdu(0x00, 0xCA, 0xFF, 0x34, {}, 256)).sw, 0x6A88);
  EXPECT_EQ(secure(*again, CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A609800102420411223344"))).sw, 0x6A80);
  // Outside a session and under SCP11b.
  EXPECT_EQ(plain(CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A604830210107000"))).sw, 0x6982);
  auto card_only = open(scp11::Variant::b);
  ASSERT_TRUE(card_only);
  EXPECT_EQ(secure(*card_only, CommandApdu(0x00, 0xE2, 0x90, 0x00, from_hex("A604830210107000"))).sw, 0x6982);
}

// On a link limited to short APDUs, yubikit protects a long command first and then splits it over
// chained APDUs (CLA b5 on every part but the last; intermediate parts answered 9000): the card
// reassembles the chain before checking its C-MAC. A chain broken by another command is refused with
// 6883 and leaves the session open; one longer than an extended Lc codes is refused with 6700.
TEST_F(IsdScp11KeysTest, ProtectedCommandSplitOverAChainAsYubikitSendsItOnShortLinks) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  const Bytes certificate =
      crypto::X509Certificate::issue(world().sd.public_key(), "SD ECKA", world().oce_ca, "card CA", 30).der();
  Bytes data = from_hex("A60483021303BF21");
  iso7816::encode_length(data, certificate.size());
  append(data, certificate);
  const CommandApdu wrapped = host->wrap(CommandApdu(0x00, 0xE2, 0x90, 0x00, data));
  ASSERT_GT(wrapped.data.size(), 255u);
  const auto send_chained = [&](const CommandApdu& whole, std::size_t stop_after_parts) {
    ResponseApdu last(0x9000);
    std::size_t parts = 0;
    for (std::size_t offset = 0; offset < whole.data.size() && parts < stop_after_parts; offset += 255, ++parts) {
      const std::size_t size = std::min<std::size_t>(255, whole.data.size() - offset);
      const bool more = offset + size < whole.data.size();
      CommandApdu part(static_cast<std::uint8_t>(whole.cla | (more ? 0x10 : 0x00)), whole.ins, whole.p1, whole.p2,
                       Bytes(whole.data.begin() + static_cast<std::ptrdiff_t>(offset),
                             whole.data.begin() + static_cast<std::ptrdiff_t>(offset + size)));
      if (!more) part.ne = 256;
      last = plain(part);
      if (more) {
        EXPECT_EQ(last.sw, 0x9000) << "part " << parts;
      }
    }
    return last;
  };
  // The whole chain: stored, as the same command sent in one extended APDU would be.
  ResponseApdu stored = send_chained(wrapped, SIZE_MAX);
  while ((stored.sw & 0xFF00) == 0x6100) {
    const auto more = plain(CommandApdu(0x00, 0xC0, 0x00, 0x00, {}, stored.sw & 0xFF ? stored.sw & 0xFF : 256));
    append(stored.data, more.data);
    stored.sw = more.sw;
  }
  EXPECT_EQ(host->unwrap(stored).sw, 0x9000);
  const auto read = secure(*host, CommandApdu(0x00, 0xCA, 0xBF, 0x21, from_hex("A60483021303"), 256));
  ASSERT_EQ(read.sw, 0x9000);
  EXPECT_EQ(read.data, certificate);
  // A chain of another certificate broken by another command after its first part: 6883, and nothing
  // of it reaches the card's store (read in a new session: the host counted the abandoned command).
  const Bytes other =
      crypto::X509Certificate::issue(world().sd.public_key(), "SD ECKA 2", world().oce_ca, "card CA", 30).der();
  Bytes other_data = from_hex("A60483021303BF21");
  iso7816::encode_length(other_data, other.size());
  append(other_data, other);
  EXPECT_EQ(send_chained(host->wrap(CommandApdu(0x00, 0xE2, 0x90, 0x00, other_data)), 1).sw, 0x9000);
  EXPECT_EQ(plain(CommandApdu(0x84, 0xCA, 0x00, 0x66, {}, 256)).sw, 0x6883);
  auto next = open(scp11::Variant::a);
  ASSERT_TRUE(next);
  const auto unchanged = secure(*next, CommandApdu(0x00, 0xCA, 0xBF, 0x21, from_hex("A60483021303"), 256));
  ASSERT_EQ(unchanged.sw, 0x9000);
  EXPECT_EQ(unchanged.data, certificate);
  // More than 65,535 bytes of chained data: 6700 on the part that passes the limit.
  CommandApdu huge(0x94, 0xE2, 0x90, 0x00, Bytes(255, 0x00));
  std::uint16_t sw = 0x9000;
  for (int part = 0; part < 258 && sw == 0x9000; ++part) sw = plain(huge).sw;
  EXPECT_EQ(sw, 0x6700);
}

TEST_F(IsdScp11KeysTest, OneCertificateInChainedPerformSecurityOperations) {
  scp11::Scp11HostOptions options;
  options.variant = scp11::Variant::a;
  options.kvn = kSdKvn;
  scp11::Scp11Host host(options, world().sd.public_uncompressed(),
                        scp11::OceCredentials{world().oce, {oce_leaf(world().oce_ca, 0x01)}, kOceKvn, {}});
  const CommandApdu upload = host.certificate_uploads().front();
  ASSERT_GT(upload.data.size(), 150u);
  const ByteView certificate(upload.data);
  // CLA 90 (b5: more parts follow) for the first parts, 80 for the last.
  auto part = [&](std::uint8_t cla, std::size_t from, std::size_t to, std::uint8_t p2 = 0x10) {
    return plain(CommandApdu(cla, 0x2A, kOceKvn, p2,
                             Bytes(certificate.begin() + static_cast<std::ptrdiff_t>(from),
                                   certificate.begin() + static_cast<std::ptrdiff_t>(to))))
        .sw;
  };
  EXPECT_EQ(part(0x90, 0, 100), 0x9000);
  EXPECT_EQ(part(0x90, 100, 150), 0x9000);
  EXPECT_EQ(part(0x80, 150, certificate.size()), 0x9000);
  host.complete(plain(host.authenticate()));
  ASSERT_EQ(host.state(), scp11::Scp11Host::State::open);
  EXPECT_EQ(secure(host, CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);
  // A part under another key reference drops the chain: 6A80, and the rest alone is no certificate.
  EXPECT_EQ(part(0x90, 0, 100), 0x9000);
  EXPECT_EQ(part(0x80, 100, certificate.size(), 0x21), 0x6A80);
  EXPECT_EQ(part(0x80, 100, certificate.size()), 0x6A80);
  // More than a certificate can be.
  std::uint16_t sw = 0x9000;
  for (int i = 0; i < 40 && sw == 0x9000; ++i) sw = part(0x90, 0, certificate.size());
  EXPECT_EQ(sw, 0x6A80);
}

TEST_F(IsdScp11KeysTest, KeyUsageOfTheOceCertificates) {
  const auto& w = world();
  auto upload = [&](const Bytes& certificate, bool more) {
    return plain(CommandApdu(0x80, 0x2A, kOceKvn, more ? 0x90 : 0x10, certificate)).sw;
  };
  // X.509 leaves: key agreement allowed, or only signatures.
  EXPECT_EQ(
      upload(crypto::X509Certificate::issue(w.oce->public_key(), "OCE", w.oce_ca, "OCE CA", 30, "critical,keyAgreement")
                 .der(),
             false),
      0x9000);
  EXPECT_EQ(upload(crypto::X509Certificate::issue(w.oce->public_key(), "OCE", w.oce_ca, "OCE CA", 30,
                                                  "critical,digitalSignature")
                       .der(),
                   false),
            0x6982);
  // An X.509 intermediate must allow certificate signing.
  const auto intermediate = P256PrivateKey::generate();
  EXPECT_EQ(upload(crypto::X509Certificate::issue(intermediate.public_key(), "CA 2", w.oce_ca, "OCE CA", 30,
                                                  "critical,keyCertSign")
                       .der(),
                   true),
            0x9000);
  EXPECT_EQ(upload(crypto::X509Certificate::issue(intermediate.public_key(), "CA 2", w.oce_ca, "OCE CA", 30,
                                                  "critical,digitalSignature")
                       .der(),
                   true),
            0x6982);
  // A GlobalPlatform-format leaf: 95 must have the key agreement bit (0080).
  scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x01};
  fields.ca_kloc_identifier = Bytes(20, 0xCA);
  fields.subject_identifier = Bytes(20, 0x0E);
  fields.public_key = w.oce->public_uncompressed();
  fields.key_usage = Bytes{0x00, 0x02};
  EXPECT_EQ(upload(scp11::make_gp_certificate(fields, w.oce_ca), false), 0x6982);
  fields.key_usage = Bytes{0x00, 0x80};
  EXPECT_EQ(upload(scp11::make_gp_certificate(fields, w.oce_ca), false), 0x9000);
}

// GlobalPlatform-format chains of two levels: the intermediate's 95 must be '82' (signature
// verification: it certifies the OCE key), the leaf's '00 80' (key agreement); restrictions (BF20)
// only as an empty object in the leaf.
TEST_F(IsdScp11KeysTest, GpFormatChainsOfTwoLevelsCheckKeyUsageAndRestrictions) {
  const auto& w = world();
  const auto intermediate = P256PrivateKey::generate();
  auto fields_of = [](const P256PrivateKey& subject, Bytes key_usage, std::optional<Bytes> restrictions = {}) {
    scp11::GpCertificateFields fields;
    fields.serial = Bytes{0x01};
    fields.ca_kloc_identifier = Bytes(20, 0xCA);
    fields.subject_identifier = Bytes(20, 0x21);
    fields.key_usage = std::move(key_usage);
    fields.restrictions = std::move(restrictions);
    fields.public_key = subject.public_uncompressed();
    return fields;
  };
  auto upload = [&](const scp11::GpCertificateFields& fields, const P256PrivateKey& signer, bool more) {
    return plain(CommandApdu(0x80, 0x2A, kOceKvn, more ? 0x90 : 0x10, scp11::make_gp_certificate(fields, signer))).sw;
  };
  const auto ca_signer = fields_of(intermediate, Bytes{0x82});
  const auto oce_leaf_fields = fields_of(*w.oce, Bytes{0x00, 0x80});

  // An intermediate that certifies keys ('82') and the OCE leaf under it: a whole SCP11a session.
  scp11::Scp11HostOptions options;
  options.variant = scp11::Variant::a;
  options.kvn = kSdKvn;
  scp11::Scp11Host host(options, w.sd.public_uncompressed(),
                        scp11::OceCredentials{w.oce,
                                              {scp11::make_gp_certificate(ca_signer, w.oce_ca),
                                               scp11::make_gp_certificate(oce_leaf_fields, intermediate)},
                                              kOceKvn,
                                              {}});
  for (const auto& command : host.certificate_uploads()) ASSERT_EQ(plain(command).sw, 0x9000);
  host.complete(plain(host.authenticate()));
  ASSERT_EQ(host.state(), scp11::Scp11Host::State::open);
  EXPECT_EQ(secure(host, CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);

  // The other way: an intermediate for key agreement only, or for verification without digital
  // signature ('80'), may not certify the OCE key.
  EXPECT_EQ(upload(fields_of(intermediate, Bytes{0x00, 0x80}), w.oce_ca, true), 0x6982);
  EXPECT_EQ(upload(fields_of(intermediate, Bytes{0x80}), w.oce_ca, true), 0x6982);
  // After a refusal the chain starts again under the CA key: a good intermediate, then a leaf whose
  // one-byte '82' is signature verification, not key agreement.
  EXPECT_EQ(upload(ca_signer, w.oce_ca, true), 0x9000);
  EXPECT_EQ(upload(fields_of(*w.oce, Bytes{0x82}), intermediate, false), 0x6982);

  // Restrictions: none in a certificate that signs certificates, not even an empty BF20.
  EXPECT_EQ(upload(fields_of(intermediate, Bytes{0x82}, Bytes{}), w.oce_ca, true), 0x6982);
  // In the leaf an empty BF20 restricts nothing; one with content is refused (no public coding).
  EXPECT_EQ(upload(ca_signer, w.oce_ca, true), 0x9000);
  EXPECT_EQ(upload(fields_of(*w.oce, Bytes{0x00, 0x80}, Bytes{}), intermediate, false), 0x9000);
  EXPECT_EQ(upload(ca_signer, w.oce_ca, true), 0x9000);
  EXPECT_EQ(upload(fields_of(*w.oce, Bytes{0x00, 0x80}, from_hex("800101")), intermediate, false), 0x6982);
  // A refused leaf leaves no chain for MUTUAL AUTHENTICATE.
  scp11::Scp11Host late(options, w.sd.public_uncompressed(),
                        scp11::OceCredentials{w.oce, {oce_leaf(w.oce_ca, 0x01)}, kOceKvn, {}});
  EXPECT_EQ(plain(late.authenticate()).sw, 0x6982);
}

TEST_F(IsdScp11KeysTest, KeysSurviveARestartAndCardInfoListsThemWithoutPrivateKeys) {
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  ASSERT_EQ(
      secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x15, private_key_data(0x05, world().new_sd, host->session_dek())))
          .sw,
      0x9000);
  ASSERT_EQ(
      secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x20, public_key_data(0x22, world().new_ca.public_uncompressed())))
          .sw,
      0x9000);
  host.reset();
  reopen();
  const Bytes information = key_information();
  EXPECT_TRUE(lists(information, from_hex("C0061505B120F000")));
  EXPECT_TRUE(lists(information, from_hex("C0062022B041F000")));
  auto c = open(scp11::Variant::c, 0x05, world().new_sd.public_uncompressed());
  ASSERT_TRUE(c);
  EXPECT_EQ(secure(*c, CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);

  const auto summary = card_->summary().at("scp11");
  EXPECT_EQ(summary.at("kvn"), "03");  // the first key pair, as before key sets
  ASSERT_EQ(summary.at("key_sets").size(), 6u);
  bool found = false;
  for (const auto& entry : summary.at("key_sets")) {
    if (entry.at("kid") == "15" && entry.at("kvn") == "05") {
      found = true;
      EXPECT_EQ(entry.at("type"), "key_pair");
      EXPECT_EQ(entry.at("public_key"), to_hex(world().new_sd.public_uncompressed()));
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(summary.dump().find(to_hex(world().new_sd.scalar().view())), std::string::npos);
  EXPECT_EQ(summary.dump().find(to_hex(world().sd.scalar().view())), std::string::npos);
}

// A card state written with the first layout (one key pair under scp11/kvn + scp11/sk_sd, the chain
// in scp11/certs, the OCE CA key in scp11/oce) reads as the same keys, and the first change rewrites
// it in the per-key layout.
TEST_F(IsdScp11KeysTest, TheFirstLayoutIsReadAndReplacedByTheFirstChange) {
  const Bytes chain =
      crypto::X509Certificate::issue(world().sd.public_key(), "SD ECKA", world().oce_ca, "card CA", 30).der();
  {
    nvm::NvmStore& store = card_->store();
    store.begin();
    for (const std::string& name : store.keys()) {
      if (name.starts_with("scp11/")) store.erase(name);
    }
    store.write("scp11/kvn", Bytes{kSdKvn});
    const SecretBytes scalar = world().sd.scalar();
    store.write("scp11/sk_sd", scalar.view());
    store.write("scp11/certs", chain);
    store.write("scp11/oce", concat({Bytes{kOceKvn}, world().oce_ca.public_uncompressed()}));
    store.commit();
  }
  reopen();
  const auto loaded = Scp11Store::load(card_->store());
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->keys().size(), 4u);
  for (const std::uint8_t kid : {0x11, 0x13, 0x15}) {
    const Scp11Key* key = loaded->find({kid, kSdKvn});
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->public_key, world().sd.public_uncompressed());
    EXPECT_EQ(key->certificates, chain);
  }
  auto host = open(scp11::Variant::a);
  ASSERT_TRUE(host);
  ASSERT_EQ(
      secure(*host, CommandApdu(0x80, 0xD8, 0x00, 0x10, public_key_data(0x12, world().new_ca.public_uncompressed())))
          .sw,
      0x9000);
  EXPECT_FALSE(card_->store().contains("scp11/kvn"));
  EXPECT_FALSE(card_->store().contains("scp11/sk_sd"));
  EXPECT_TRUE(card_->store().contains("scp11/sk/1303"));
  EXPECT_EQ(card_->store().get("scp11/certs/1103"), chain);
  EXPECT_EQ(Scp11Store::load(card_->store())->keys().size(), 5u);
}

}  // namespace
}  // namespace sefleet::card

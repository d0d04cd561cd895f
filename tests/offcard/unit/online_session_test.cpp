// Online authorization over SCP11b, SCP11a and SCP11c, both ways: the HSM role's start / finish /
// report check against gp's SCP11 card role (Scp11CardChannel, which checks the OCE chain uploaded by
// PERFORM SECURITY OPERATION) and a card-side SCP03 engine started from the card's receipt, the
// static OCE key in a keystore (its ECDH runs there), the choice among the SE's offers, the sealed
// state between the steps, and every refusal (chain, SE id, OCE chain, receipt, report).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/status_words.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/campaign/online_session_state.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "support/counting_bytes.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;
namespace scp11 = gp::scp11;
using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

using sefleet::test::counting_bytes;

const Bytes kSeId = Bytes{0x53, 0x45, 0x00, 0x07};
const Bytes kKos = counting_bytes(16, 0x05);

struct Pki {
  P256PrivateKey ca = P256PrivateKey::generate();
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey other_ca = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();  // the SE's PK.CA-KLOC.ECDSA (KID 10)
  P256PrivateKey oce = P256PrivateKey::generate();     // SK.OCE.ECKA, imported into the HSM's keystore
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

// CERT.SD.ECKA in GlobalPlatform format, 5F20 = `subject`, signed by `signer`.
Bytes gp_leaf(ByteView subject, const P256PrivateKey& signer) {
  scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x01};
  fields.ca_kloc_identifier = Bytes(20, 0xCA);
  fields.subject_identifier = Bytes(subject.begin(), subject.end());
  fields.public_key = pki().sd.public_uncompressed();
  return scp11::make_gp_certificate(fields, signer);
}

Bytes x509_leaf(const std::string& common_name) {
  return crypto::X509Certificate::issue(pki().sd.public_key(), common_name, pki().ca, "sefleet card CA", 30).der();
}

// CERT.OCE.ECKA in GlobalPlatform format, signed by `signer`.
Bytes oce_certificate(const P256PrivateKey& signer) {
  scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x0C, 0xE1};
  fields.ca_kloc_identifier = Bytes(20, 0x0C);
  fields.subject_identifier = bytes_of("sefleet server");
  fields.public_key = pki().oce.public_uncompressed();
  return scp11::make_gp_certificate(fields, signer);
}

CampaignTerms terms() {
  CampaignTerms out;
  out.campaign_id = bc::CampaignId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  out.profile = bc::Profile::campaign_key;
  out.platform_key_version = 1;
  out.total_length = 1234;
  out.start.counter = bc::Block16{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
  out.start.chaining_value = bc::Block16{0xC4};
  out.wrapped_broadcast_keys = bc::wrap_broadcast_keys(
      kKos, bc::BroadcastKeys{SecretBytes(counting_bytes(16, 0x90)), SecretBytes(counting_bytes(16, 0xA0))});
  out.integrity_code = bc::wrap_integrity_code(kKos, Bytes(16, 0xCC));
  return out;
}

struct Hsm {
  std::unique_ptr<SoftwareKeystore> store = SoftwareKeystore::in_memory();
  std::optional<PautIssuer> issuer;
  Hsm() {
    store->import_key("master", SecretBytes(counting_bytes(16, 0x40)), KeyUsage::mac);
    store->import_key("session-kek", SecretBytes(counting_bytes(16, 0x70)), KeyUsage::wrap);
    store->import_ec("oce", pki().oce.scalar());
    issuer.emplace(*store, KeyRef::current("master"), terms());
  }
  OnlineOceKey oce(const P256PrivateKey& chain_signer = pki().oce_ca) const {
    return OnlineOceKey{KeyRef::current("oce"), {oce_certificate(chain_signer)}, 0x10};
  }
  // ShSss in the keystore, as the server does it: SK.OCE never leaves the store.
  scp11::StaticOceAgreement agreement() const {
    return [this](ByteView sd_point) { return store->ecdh(KeyRef::current("oce"), sd_point); };
  }
};

// The SE: the SCP11 card role and, once it answered, the session's SCP03 engine on the card side.
class Se {
 public:
  // The setup commands of a start: PERFORM SECURITY OPERATION (each must be accepted) and the
  // authenticate command, whose answer is returned.
  ResponseApdu setup(const std::vector<CommandApdu>& commands) {
    for (std::size_t k = 0; k + 1 < commands.size(); ++k) {
      const ResponseApdu uploaded = upload(commands[k]);
      EXPECT_TRUE(uploaded.ok()) << "certificate " << k << ": " << channel_.last_refusal();
      if (!uploaded.ok()) return uploaded;
    }
    return authenticate(commands.back());
  }
  ResponseApdu upload(const CommandApdu& command) {
    card_keys();
    return channel_.perform_security_operation(command, keys_);
  }
  ResponseApdu authenticate(const CommandApdu& command) {
    card_keys();
    std::optional<scp11::Scp11Established> established;
    ResponseApdu response = channel_.authenticate(command, keys_, crypto::system_random(), established);
    if (established) {
      variant_ = established->variant;
      engine_ = std::make_unique<gp::SecureMessaging>(established->keys, gp::Scp03Mode::s8, 0x33);
      engine_->begin(established->receipt);
    }
    return response;
  }
  // Unwraps CHANGE MODE and AUTHORIZE ACTION and answers the latter with a status object of `campaign`.
  ResponseApdu run(const CommandApdu& change_mode, const CommandApdu& authorize, const bc::CampaignId& campaign,
                   bc::ChangeModeToBroadcast* seen_change_mode = nullptr) {
    const auto cm = engine_->unwrap_command(change_mode);
    EXPECT_TRUE(cm.has_value());
    if (!cm) return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
    if (seen_change_mode != nullptr) *seen_change_mode = bc::parse_change_mode_to_broadcast(cm->data);
    (void)engine_->wrap_response(ResponseApdu(iso7816::sw::kOk));
    const auto aa = engine_->unwrap_command(authorize);
    EXPECT_TRUE(aa.has_value());
    if (!aa) return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
    EXPECT_EQ(bc::parse_authorize_action(aa->data).campaign_id, campaign);
    bc::ImageStatus status;
    status.campaign_id = campaign;
    status.active_version = 7;
    return engine_->wrap_response(ResponseApdu(bc::encode_image_status(status), iso7816::sw::kOk));
  }

  std::optional<scp11::Variant> variant() const { return variant_; }

 private:
  void card_keys() {
    keys_.kvn = 0x01;
    keys_.sd_key = &pki().sd;
    keys_.oce_kvn = 0x10;
    keys_.oce_ca_key = pki().oce_ca.public_uncompressed();
  }
  std::optional<scp11::Variant> variant_;
  scp11::Scp11CardKeys keys_;
  scp11::Scp11CardChannel channel_;
  std::unique_ptr<gp::SecureMessaging> engine_;
};

OnlineSessionRequest request_with(Bytes certificates, Bytes se_id = kSeId) {
  OnlineSessionRequest request;
  request.se_id = std::move(se_id);
  request.certificates = std::move(certificates);
  return request;
}

OnlineRefusal refusal_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const OnlineSessionError& error) {
    return error.reason();
  }
  ADD_FAILURE() << "no OnlineSessionError thrown";
  return OnlineRefusal::bad_request;
}

TEST(OnlineSession, Scp11bEndToEndWithAGpCertificate) {
  Hsm hsm;
  Se se;
  const auto start = start_online_session(request_with(gp_leaf(kSeId, pki().ca)), pki().ca.public_key());
  ASSERT_EQ(start.commands.size(), 1u);
  EXPECT_EQ(start.commands[0].ins, scp11::kInsInternalAuthenticate);
  EXPECT_EQ(start.commands[0].p2, scp11::kKidScp11b);
  EXPECT_EQ(start.state.card_key, pki().sd.public_uncompressed());

  const ResponseApdu answer = se.authenticate(start.commands[0]);
  ASSERT_TRUE(answer.ok());
  const OnlineAuthorization authorization =
      finish_online_session(start.state, answer, *hsm.issuer, bc::Action::verify_and_activate);
  EXPECT_EQ(authorization.change_mode.ins, bc::kInsChangeMode);
  EXPECT_EQ(authorization.authorize.ins, bc::kInsAuthorizeAction);

  bc::ChangeModeToBroadcast seen;
  const ResponseApdu status = se.run(authorization.change_mode, authorization.authorize, terms().campaign_id, &seen);
  // C2 is the design system's wrapped BK, byte for byte, as in an offline PAUT.
  EXPECT_EQ(Bytes(seen.broadcast_keys.view().begin(), seen.broadcast_keys.view().end()),
            terms().wrapped_broadcast_keys);

  const bc::PautVerdict verdict = verify_online_answers(authorization.check, answer, status);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(verdict.status->active_version, 7u);
  EXPECT_EQ(verdict.authorize_sw, iso7816::sw::kOk);
}

TEST(OnlineSession, AcceptsTheX509LeafCardInitWrites) {
  const auto start =
      start_online_session(request_with(x509_leaf("sefleet SD " + to_hex(kSeId))), pki().ca.public_key());
  EXPECT_EQ(start.state.card_key, pki().sd.public_uncompressed());
  EXPECT_EQ(start.state.se_id, kSeId);
}

TEST(OnlineSession, EachStartHasAFreshEphemeralKey) {
  const auto request = request_with(gp_leaf(kSeId, pki().ca));
  const auto a = start_online_session(request, pki().ca.public_key());
  const auto b = start_online_session(request, pki().ca.public_key());
  EXPECT_NE(a.state.authenticate_data, b.state.authenticate_data);
}

TEST(OnlineSession, RefusesAChainThatDoesNotVerifyUnderTheCardCa) {
  EXPECT_EQ(
      refusal_of([] { start_online_session(request_with(gp_leaf(kSeId, pki().other_ca)), pki().ca.public_key()); }),
      OnlineRefusal::chain_not_verified);
}

TEST(OnlineSession, RefusesALeafNamingAnotherSe) {
  EXPECT_EQ(refusal_of([] {
              start_online_session(request_with(gp_leaf(Bytes{0x01, 0x02}, pki().ca)), pki().ca.public_key());
            }),
            OnlineRefusal::se_id_mismatch);
  EXPECT_EQ(refusal_of([] { start_online_session(request_with(x509_leaf("sefleet SD 0102")), pki().ca.public_key()); }),
            OnlineRefusal::se_id_mismatch);
}

TEST(OnlineSession, ARememberedChainGivesTheSameSession) {
  VerifiedChainCache verified;
  const auto request = request_with(gp_leaf(kSeId, pki().ca));
  const auto first = start_online_session(request, pki().ca.public_key(), nullptr, crypto::system_random(), &verified);
  EXPECT_EQ(verified.size(), 1u);
  const auto again = start_online_session(request, pki().ca.public_key(), nullptr, crypto::system_random(), &verified);
  EXPECT_EQ(verified.size(), 1u);
  EXPECT_EQ(again.state.card_key, first.state.card_key);
  EXPECT_EQ(again.state.card_key, pki().sd.public_uncompressed());
  Hsm hsm;
  Se se;
  const ResponseApdu answer = se.authenticate(again.commands[0]);
  const OnlineAuthorization authorization =
      finish_online_session(again.state, answer, *hsm.issuer, bc::Action::verify_and_activate);
  const ResponseApdu status = se.run(authorization.change_mode, authorization.authorize, terms().campaign_id);
  EXPECT_TRUE(verify_online_answers(authorization.check, answer, status).card_authenticated);
}

TEST(OnlineSession, ARememberedChainMustStillNameTheSe) {
  VerifiedChainCache verified;
  const Bytes chain = gp_leaf(kSeId, pki().ca);
  (void)start_online_session(request_with(chain), pki().ca.public_key(), nullptr, crypto::system_random(), &verified);
  OnlineSessionRequest borrowed = request_with(chain);
  borrowed.se_id = Bytes{0x01, 0x02};
  EXPECT_EQ(refusal_of([&] {
              start_online_session(borrowed, pki().ca.public_key(), nullptr, crypto::system_random(), &verified);
            }),
            OnlineRefusal::se_id_mismatch);
}

TEST(OnlineSession, AChainIsRememberedOnlyUnderTheCaItVerifiedUnder) {
  VerifiedChainCache verified;
  const Bytes chain = gp_leaf(kSeId, pki().other_ca);
  for (int attempt = 0; attempt < 2; ++attempt) {
    EXPECT_EQ(refusal_of([&] {
                start_online_session(request_with(chain), pki().ca.public_key(), nullptr, crypto::system_random(),
                                     &verified);
              }),
              OnlineRefusal::chain_not_verified);
  }
  EXPECT_EQ(verified.size(), 0u);
  // Verified under the other CA, the same bytes are still refused under the server's CA.
  (void)start_online_session(request_with(chain), pki().other_ca.public_key(), nullptr, crypto::system_random(),
                             &verified);
  EXPECT_EQ(verified.size(), 1u);
  EXPECT_EQ(refusal_of([&] {
              start_online_session(request_with(chain), pki().ca.public_key(), nullptr, crypto::system_random(),
                                   &verified);
            }),
            OnlineRefusal::chain_not_verified);
}

TEST(VerifiedChainCache, FindsOnlyTheExactBytesAndDropsTheOldestPastItsCapacity) {
  VerifiedChainCache cache(2);
  const Bytes ca(65, 0x04);
  cache.remember(ca, Bytes{0x01}, Bytes{0xA1});
  cache.remember(ca, Bytes{0x02}, Bytes{0xA2});
  EXPECT_EQ(cache.find(ca, Bytes{0x01}), Bytes{0xA1});
  EXPECT_EQ(cache.find(ca, Bytes{0x01, 0x00}), std::nullopt);
  EXPECT_EQ(cache.find(Bytes(65, 0x05), Bytes{0x01}), std::nullopt);
  // The CA point and the chain do not run into each other: (ca || 01, 02) is not (ca, 01 02).
  Bytes longer_ca = ca;
  longer_ca.push_back(0x01);
  cache.remember(longer_ca, Bytes{0x02}, Bytes{0xB2});
  EXPECT_EQ(cache.find(ca, Bytes{0x01, 0x02}), std::nullopt);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(ca, Bytes{0x01}), std::nullopt);  // the oldest, dropped
  EXPECT_EQ(cache.find(ca, Bytes{0x02}), Bytes{0xA2});
  EXPECT_EQ(cache.find(longer_ca, Bytes{0x02}), Bytes{0xB2});
}

TEST(OnlineSession, RefusesBadRequests) {
  const Bytes chain = gp_leaf(kSeId, pki().ca);
  EXPECT_EQ(refusal_of([&] { start_online_session(request_with(chain, Bytes{}), pki().ca.public_key()); }),
            OnlineRefusal::bad_request);
  EXPECT_EQ(refusal_of([&] {
              start_online_session(request_with(Bytes{0x7F, 0x21, 0x05}), pki().ca.public_key());
            }),
            OnlineRefusal::bad_request);
  EXPECT_EQ(refusal_of([&] { start_online_session(request_with(Bytes{}), pki().ca.public_key()); }),
            OnlineRefusal::bad_request);
  OnlineSessionRequest kvn0 = request_with(chain);
  kvn0.kvn = 0;
  EXPECT_EQ(refusal_of([&] { start_online_session(kvn0, pki().ca.public_key()); }), OnlineRefusal::bad_request);
  OnlineSessionRequest scp11a = request_with(chain);
  scp11a.variant = scp11::Variant::a;
  // Only SCP11a offered to a server without an OCE key.
  EXPECT_EQ(refusal_of([&] { start_online_session(scp11a, pki().ca.public_key()); }), OnlineRefusal::no_common_variant);
}

OnlineSessionRequest offering(std::initializer_list<scp11::Variant> variants) {
  OnlineSessionRequest request = request_with(gp_leaf(kSeId, pki().ca));
  request.variant = *variants.begin();
  for (auto v = variants.begin() + 1; v != variants.end(); ++v) {
    request.offers.push_back(OnlineOffer{*v, 0x01, gp_leaf(kSeId, pki().ca)});
  }
  return request;
}

TEST(OnlineSession, ChoosesScp11aThenScp11cThenScp11b) {
  using scp11::Variant;
  EXPECT_EQ(choose_online_offer(offering({Variant::b, Variant::c, Variant::a}), true)->variant, Variant::a);
  EXPECT_EQ(choose_online_offer(offering({Variant::b, Variant::c}), true)->variant, Variant::c);
  EXPECT_EQ(choose_online_offer(offering({Variant::b, Variant::a}), false)->variant, Variant::b);
  EXPECT_EQ(choose_online_offer(offering({Variant::b}), true)->variant, Variant::b);
  EXPECT_FALSE(choose_online_offer(offering({Variant::a, Variant::c}), false).has_value());
  // An offer's own KVN and chain travel with it.
  OnlineSessionRequest request = offering({Variant::b});
  request.offers.push_back(OnlineOffer{Variant::a, 0x03, Bytes{0x7F}});
  const auto chosen = choose_online_offer(request, true);
  EXPECT_EQ(chosen->kvn, 0x03);
  EXPECT_EQ(chosen->certificates, Bytes{0x7F});
}

// SCP11a and SCP11c run end to end: the OCE chain goes up by PERFORM SECURITY OPERATION, the static
// agreement runs in the keystore, the card verifies CHANGE MODE and AUTHORIZE ACTION in the session
// and the report verifies.
class OnlineSessionWithOceKey : public testing::TestWithParam<scp11::Variant> {};

TEST_P(OnlineSessionWithOceKey, RunsEndToEndWithTheOceKeyInTheKeystore) {
  Hsm hsm;
  Se se;
  const OnlineOceKey oce = hsm.oce();
  const auto start = start_online_session(offering({scp11::Variant::b, GetParam()}), pki().ca.public_key(), &oce);
  EXPECT_EQ(start.state.variant, GetParam());
  EXPECT_EQ(start.state.oce_key, "oce");
  ASSERT_EQ(start.commands.size(), 2u);
  EXPECT_EQ(start.commands[0].ins, scp11::kInsPerformSecurityOperation);
  EXPECT_EQ(start.commands[0].p1, 0x10);
  EXPECT_EQ(start.commands[0].p2, scp11::kKidOceCa);  // the last (only) certificate: b8 clear
  EXPECT_EQ(start.commands[0].data, oce.certificates[0]);
  EXPECT_EQ(start.commands[1].ins, scp11::kInsMutualAuthenticate);
  EXPECT_EQ(start.commands[1].p2, scp11::key_id(GetParam()));

  const ResponseApdu answer = se.setup(start.commands);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(se.variant(), GetParam());
  if (GetParam() == scp11::Variant::c) {
    EXPECT_EQ(scp11::parse_authenticate_response(answer.data).ephemeral_sd_key, pki().sd.public_uncompressed());
  }
  // Without the OCE key's agreement no session key can be derived.
  EXPECT_EQ(refusal_of([&] { finish_online_session(start.state, answer, *hsm.issuer, bc::Action::verify_only); }),
            OnlineRefusal::bad_request);
  const OnlineAuthorization authorization =
      finish_online_session(start.state, answer, *hsm.issuer, bc::Action::verify_and_activate, hsm.agreement());
  const ResponseApdu status = se.run(authorization.change_mode, authorization.authorize, terms().campaign_id);
  const bc::PautVerdict verdict = verify_online_answers(authorization.check, answer, status);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(verdict.status->active_version, 7u);
}

TEST_P(OnlineSessionWithOceKey, AChainOfAnotherCaIsRefusedByTheSe) {
  Hsm hsm;
  Se se;
  const OnlineOceKey foreign = hsm.oce(pki().other_ca);
  const auto start = start_online_session(offering({GetParam()}), pki().ca.public_key(), &foreign);
  EXPECT_EQ(se.upload(start.commands[0]).sw, iso7816::sw::kSecurityStatusNotSatisfied);
  // MUTUAL AUTHENTICATE without a verified OCE chain: refused too, and the server refuses that answer.
  const ResponseApdu refused = se.authenticate(start.commands.back());
  EXPECT_EQ(refused.sw, iso7816::sw::kSecurityStatusNotSatisfied);
  EXPECT_EQ(refusal_of([&] {
              finish_online_session(start.state, refused, *hsm.issuer, bc::Action::verify_only, hsm.agreement());
            }),
            OnlineRefusal::card_refused);
}

TEST_P(OnlineSessionWithOceKey, AWrongReceiptOrAnotherOceKeyIsRefused) {
  Hsm hsm;
  Se se;
  const OnlineOceKey oce = hsm.oce();
  const auto start = start_online_session(offering({GetParam()}), pki().ca.public_key(), &oce);
  const ResponseApdu answer = se.setup(start.commands);
  ASSERT_TRUE(answer.ok());
  ResponseApdu tampered = answer;
  tampered.data.back() ^= 0x01;
  EXPECT_EQ(refusal_of([&] {
              finish_online_session(start.state, tampered, *hsm.issuer, bc::Action::verify_only, hsm.agreement());
            }),
            OnlineRefusal::wrong_receipt);
  // The agreement of a key other than the certified one derives other keys: the receipt fails.
  const auto impostor = P256PrivateKey::generate();
  const scp11::StaticOceAgreement other = [&](ByteView point) {
    return crypto::ecdh_p256(impostor, crypto::P256PublicKey::from_uncompressed(point));
  };
  EXPECT_EQ(
      refusal_of([&] { finish_online_session(start.state, answer, *hsm.issuer, bc::Action::verify_only, other); }),
      OnlineRefusal::wrong_receipt);
}

INSTANTIATE_TEST_SUITE_P(Variants, OnlineSessionWithOceKey, testing::Values(scp11::Variant::a, scp11::Variant::c),
                         [](const testing::TestParamInfo<scp11::Variant>& param) {
                           return scp11::variant_name(param.param);
                         });

TEST(OnlineSession, Scp11cRefusesAnAnswerWithAnotherKeyThanTheCertifiedOne) {
  Hsm hsm;
  Se se;
  const OnlineOceKey oce = hsm.oce();
  const auto start = start_online_session(offering({scp11::Variant::c}), pki().ca.public_key(), &oce);
  const ResponseApdu answer = se.setup(start.commands);
  scp11::AuthenticateResponse changed = scp11::parse_authenticate_response(answer.data);
  changed.ephemeral_sd_key = P256PrivateKey::generate().public_uncompressed();
  const ResponseApdu forged(scp11::encode_authenticate_response(changed), iso7816::sw::kOk);
  EXPECT_EQ(refusal_of([&] {
              finish_online_session(start.state, forged, *hsm.issuer, bc::Action::verify_only, hsm.agreement());
            }),
            OnlineRefusal::wrong_receipt);
}

TEST(OnlineSession, RefusesAWrongReceiptAndACardRefusal) {
  Hsm hsm;
  Se se;
  const auto start = start_online_session(request_with(gp_leaf(kSeId, pki().ca)), pki().ca.public_key());
  ResponseApdu answer = se.authenticate(start.commands[0]);
  ResponseApdu tampered = answer;
  tampered.data.back() ^= 0x01;  // the last byte of the receipt
  EXPECT_EQ(refusal_of([&] { finish_online_session(start.state, tampered, *hsm.issuer, bc::Action::verify_only); }),
            OnlineRefusal::wrong_receipt);
  // Another card key (an SE answering for a chain it does not hold the key of): receipt mismatch too.
  const auto other = P256PrivateKey::generate();
  scp11::AuthenticateResponse impostor = scp11::parse_authenticate_response(answer.data);
  impostor.ephemeral_sd_key = other.public_uncompressed();
  const ResponseApdu forged(scp11::encode_authenticate_response(impostor), iso7816::sw::kOk);
  EXPECT_EQ(refusal_of([&] { finish_online_session(start.state, forged, *hsm.issuer, bc::Action::verify_only); }),
            OnlineRefusal::wrong_receipt);
  EXPECT_EQ(refusal_of([&] {
              finish_online_session(start.state, ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied), *hsm.issuer,
                                    bc::Action::verify_only);
            }),
            OnlineRefusal::card_refused);
  EXPECT_EQ(refusal_of([&] {
              finish_online_session(start.state, ResponseApdu(Bytes{0x5F, 0x49}, iso7816::sw::kOk), *hsm.issuer,
                                    bc::Action::verify_only);
            }),
            OnlineRefusal::bad_request);
}

TEST(OnlineSession, RefusesAForgedReport) {
  Hsm hsm;
  Se se;
  const auto start = start_online_session(request_with(gp_leaf(kSeId, pki().ca)), pki().ca.public_key());
  const ResponseApdu answer = se.authenticate(start.commands[0]);
  const auto authorization = finish_online_session(start.state, answer, *hsm.issuer, bc::Action::verify_and_activate);
  const ResponseApdu status = se.run(authorization.change_mode, authorization.authorize, terms().campaign_id);

  ResponseApdu bad_rmac = status;
  bad_rmac.data.back() ^= 0x01;
  EXPECT_EQ(refusal_of([&] { verify_online_answers(authorization.check, answer, bad_rmac); }),
            OnlineRefusal::forged_report);
  ResponseApdu other_receipt = answer;
  other_receipt.data.back() ^= 0x01;
  EXPECT_EQ(refusal_of([&] { verify_online_answers(authorization.check, other_receipt, status); }),
            OnlineRefusal::forged_report);
  // A status the terminal made up without the session keys (plain status object, fake R-MAC).
  bc::ImageStatus made_up;
  made_up.campaign_id = terms().campaign_id;
  Bytes fake = bc::encode_image_status(made_up);
  fake.resize(fake.size() + 8, 0x00);
  EXPECT_EQ(refusal_of([&] { verify_online_answers(authorization.check, answer, ResponseApdu(fake, 0x9000)); }),
            OnlineRefusal::forged_report);
  // An error status word carries no R-MAC: authenticated session, no status.
  const auto verdict =
      verify_online_answers(authorization.check, answer, ResponseApdu(iso7816::sw::kConditionsNotSatisfied));
  EXPECT_TRUE(verdict.card_authenticated);
  EXPECT_FALSE(verdict.status.has_value());
}

TEST(OnlineSessionState, SealedStateAndCheckRoundTripAndRefuseTampering) {
  Hsm hsm;
  Se se;
  const KeyRef kek = KeyRef::current("session-kek");
  const Bytes binding = bytes_of("campaign c1 / token t1");
  const auto start = start_online_session(request_with(gp_leaf(kSeId, pki().ca)), pki().ca.public_key());
  const Bytes sealed = seal_online_session(*hsm.store, kek, start.state, binding, 1000);
  // The blob does not carry eSK.OCE in clear.
  const SecretBytes& scalar = start.state.ephemeral_key;
  EXPECT_EQ(std::search(sealed.begin(), sealed.end(), scalar.view().begin(), scalar.view().end()), sealed.end());

  const OnlineSessionState opened = open_online_session(*hsm.store, kek, sealed, binding, 999);
  EXPECT_EQ(opened.se_id, start.state.se_id);
  EXPECT_EQ(opened.card_key, start.state.card_key);
  EXPECT_EQ(opened.authenticate_data, start.state.authenticate_data);
  EXPECT_TRUE(constant_time_equal(opened.ephemeral_key.view(), scalar.view()));
  EXPECT_EQ(opened.oce_key, "");

  EXPECT_EQ(refusal_of([&] { open_online_session(*hsm.store, kek, sealed, binding, 1000); }), OnlineRefusal::expired);
  EXPECT_EQ(refusal_of([&] { open_online_session(*hsm.store, kek, sealed, bytes_of("campaign c2"), 999); }),
            OnlineRefusal::bad_request);
  Bytes altered = sealed;
  altered[5] ^= 0x01;
  EXPECT_EQ(refusal_of([&] { open_online_session(*hsm.store, kek, altered, binding, 999); }),
            OnlineRefusal::bad_request);
  EXPECT_EQ(refusal_of([&] {
              open_online_session(*hsm.store, kek, Bytes{1, 2, 3}, binding, 999);
            }),
            OnlineRefusal::bad_request);

  // The finish step from the reopened state, and its check through a sealed blob.
  const ResponseApdu answer = se.authenticate(start.commands[0]);
  const auto authorization = finish_online_session(opened, answer, *hsm.issuer, bc::Action::verify_and_activate);
  const Bytes sealed_check = seal_online_check(*hsm.store, kek, authorization.check, binding);
  const OnlineCheck check = open_online_check(*hsm.store, kek, sealed_check, binding);
  const ResponseApdu status = se.run(authorization.change_mode, authorization.authorize, terms().campaign_id);
  EXPECT_TRUE(verify_online_answers(check, answer, status).status.has_value());
  EXPECT_EQ(refusal_of([&] { open_online_check(*hsm.store, kek, sealed, binding); }), OnlineRefusal::bad_request);
}

TEST(OnlineSessionState, AnScp11aStateKeepsTheOceKeyReferenceNotTheKey) {
  Hsm hsm;
  const KeyRef kek = KeyRef::current("session-kek");
  const OnlineOceKey oce = hsm.oce();
  const auto start = start_online_session(offering({scp11::Variant::a}), pki().ca.public_key(), &oce);
  const Bytes sealed = seal_online_session(*hsm.store, kek, start.state, bytes_of("b"), 1000);
  const OnlineSessionState opened = open_online_session(*hsm.store, kek, sealed, bytes_of("b"), 1);
  EXPECT_EQ(opened.variant, scp11::Variant::a);
  EXPECT_EQ(opened.oce_key, "oce");
  // An SCP11a state without the reference does not seal into something that opens.
  OnlineSessionState no_key = start.state;
  no_key.oce_key.clear();
  const Bytes broken = seal_online_session(*hsm.store, kek, no_key, bytes_of("b"), 1000);
  EXPECT_EQ(refusal_of([&] { open_online_session(*hsm.store, kek, broken, bytes_of("b"), 1); }),
            OnlineRefusal::bad_request);
}

}  // namespace
}  // namespace sefleet::offcard

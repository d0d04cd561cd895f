// Online authorization over SCP11b, both ways: the HSM role's start / finish / report check against
// gp's SCP11 card role (Scp11CardChannel) and a card-side SCP03 engine started from the card's
// receipt, the sealed state between the steps, and every refusal (chain, SE id, receipt, report).
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

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;
namespace scp11 = gp::scp11;
using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

Bytes pattern(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

const Bytes kSeId = Bytes{0x53, 0x45, 0x00, 0x07};
const Bytes kKos = pattern(16, 0x05);

struct Pki {
  P256PrivateKey ca = P256PrivateKey::generate();
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey other_ca = P256PrivateKey::generate();
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

CampaignTerms terms() {
  CampaignTerms out;
  out.campaign_id = bc::CampaignId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  out.profile = bc::Profile::campaign_key;
  out.platform_key_version = 1;
  out.total_length = 1234;
  out.start.counter = bc::Block16{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
  out.start.chaining_value = bc::Block16{0xC4};
  out.wrapped_broadcast_keys =
      bc::wrap_broadcast_keys(kKos, bc::BroadcastKeys{SecretBytes(pattern(16, 0x90)), SecretBytes(pattern(16, 0xA0))});
  out.integrity_code = bc::wrap_integrity_code(kKos, Bytes(16, 0xCC));
  return out;
}

struct Hsm {
  std::unique_ptr<SoftwareKeystore> store = SoftwareKeystore::in_memory();
  std::optional<PautIssuer> issuer;
  Hsm() {
    store->import_key("master", SecretBytes(pattern(16, 0x40)), KeyUsage::mac);
    store->import_key("session-kek", SecretBytes(pattern(16, 0x70)), KeyUsage::wrap);
    issuer.emplace(*store, KeyRef::current("master"), terms());
  }
};

// The SE: the SCP11 card role and, once it answered, the session's SCP03 engine on the card side.
class Se {
 public:
  ResponseApdu authenticate(const CommandApdu& command) {
    keys_.kvn = 0x01;
    keys_.sd_key = &pki().sd;
    std::optional<scp11::Scp11Established> established;
    ResponseApdu response = channel_.authenticate(command, keys_, crypto::system_random(), established);
    if (established) {
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

 private:
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
  const auto first = start_online_session(request, pki().ca.public_key(), crypto::system_random(), &verified);
  EXPECT_EQ(verified.size(), 1u);
  const auto again = start_online_session(request, pki().ca.public_key(), crypto::system_random(), &verified);
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
  (void)start_online_session(request_with(chain), pki().ca.public_key(), crypto::system_random(), &verified);
  OnlineSessionRequest borrowed = request_with(chain);
  borrowed.se_id = Bytes{0x01, 0x02};
  EXPECT_EQ(
      refusal_of([&] { start_online_session(borrowed, pki().ca.public_key(), crypto::system_random(), &verified); }),
      OnlineRefusal::se_id_mismatch);
}

TEST(OnlineSession, AChainIsRememberedOnlyUnderTheCaItVerifiedUnder) {
  VerifiedChainCache verified;
  const Bytes chain = gp_leaf(kSeId, pki().other_ca);
  for (int attempt = 0; attempt < 2; ++attempt) {
    EXPECT_EQ(refusal_of([&] {
                start_online_session(request_with(chain), pki().ca.public_key(), crypto::system_random(), &verified);
              }),
              OnlineRefusal::chain_not_verified);
  }
  EXPECT_EQ(verified.size(), 0u);
  // Verified under the other CA, the same bytes are still refused under the server's CA.
  (void)start_online_session(request_with(chain), pki().other_ca.public_key(), crypto::system_random(), &verified);
  EXPECT_EQ(verified.size(), 1u);
  EXPECT_EQ(refusal_of([&] {
              start_online_session(request_with(chain), pki().ca.public_key(), crypto::system_random(), &verified);
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
  EXPECT_EQ(refusal_of([&] { start_online_session(scp11a, pki().ca.public_key()); }), OnlineRefusal::bad_request);
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

}  // namespace
}  // namespace sefleet::offcard

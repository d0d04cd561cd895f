// The HSM role: PAUTs against gp::broadcast::build_paut with keys derived directly, the profile 4
// preparation (the PSE decrypts under BK to the envelope), the server-side check against a real
// Scp03Card, the §8.2 property (no Kos, Kmac, plain image or profile 3 BK in the HSM), and refusals.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/kdf3.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/secure_messaging.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "support/counting_bytes.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

using sefleet::test::counting_bytes;

template <typename F>
Errc error_code_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no Error thrown";
  return Errc::unsupported;
}

const Bytes kMaster = counting_bytes(16, 0x40);
const Bytes kCampaignKek = counting_bytes(16, 0x60);
// Held by the design system and the SEs only: the HSM keystore below never contains them.
const Bytes kHsmRoleKos = counting_bytes(16, 0x05);
const Bytes kBkEnc = counting_bytes(16, 0x90);
const Bytes kBkMac = counting_bytes(16, 0xA0);

SeAuthorizationRequest request_for(std::uint8_t n, std::uint8_t i = 0x70) {
  SeAuthorizationRequest request;
  request.se_id = Bytes{0x53, 0x45, n};
  request.kdd = Bytes{0x5E, 0xF1, 0, 0, 0, 0, 0, 0, 0, n};
  request.kvn = 0x30;
  request.i = i;
  request.sequence_counter = 41;
  return request;
}

bc::BroadcastKeys design_bk() {
  return bc::BroadcastKeys{SecretBytes(kBkEnc), SecretBytes(kBkMac)};
}

// Profile 3 terms as the design system makes them (wrapped under Kos).
CampaignTerms profile3_terms() {
  CampaignTerms terms;
  terms.campaign_id = bc::CampaignId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  terms.profile = bc::Profile::campaign_key;
  terms.platform_key_version = 1;
  terms.total_length = 1234;
  terms.start.counter = bc::Block16{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
  terms.start.chaining_value = bc::Block16{0xC4};
  terms.wrapped_broadcast_keys = bc::wrap_broadcast_keys(kHsmRoleKos, design_bk());
  terms.integrity_code = bc::wrap_integrity_code(kHsmRoleKos, Bytes(16, 0xCC));
  return terms;
}

// Profile 4 terms as the design system hands them to the HSM, and an envelope.
CampaignTerms profile4_design_terms(std::size_t envelope_size) {
  CampaignTerms terms;
  terms.campaign_id = bc::CampaignId{0xF4};
  terms.profile = bc::Profile::platform_key;
  terms.platform_key_version = 2;
  terms.total_length = static_cast<std::uint32_t>(envelope_size);
  terms.integrity_code = Bytes(16, 0xD4);
  return terms;
}

Bytes envelope_of(std::size_t datasend_size) {
  crypto::Aes kos(kHsmRoleKos);
  const Bytes iv = counting_bytes(16, 0x11);
  return concat({iv, kos.cbc_encrypt(iv, crypto::pad80(counting_bytes(datasend_size, 0x01)))});
}

std::unique_ptr<SoftwareKeystore> hsm_store() {
  auto store = SoftwareKeystore::in_memory();
  store->import_key("master", SecretBytes(kMaster), KeyUsage::mac);
  store->import_key("campaign-kek", SecretBytes(kCampaignKek), KeyUsage::wrap);
  return store;
}

bc::PautInput reference_input(const SeAuthorizationRequest& request, const bc::Paut& issued, const CampaignTerms& terms,
                              const SecretBytes& c2, bc::Action action) {
  bc::PautInput input;
  input.sequence_counter = request.sequence_counter;
  input.host_challenge = issued.check.host_challenge;
  input.i = request.i;
  input.security_level = 0x33;
  input.change_mode.profile = terms.profile;
  input.change_mode.campaign_id = terms.campaign_id;
  input.change_mode.broadcast_keys = c2;
  input.change_mode.counter = terms.start.counter;
  input.change_mode.chaining_value = terms.start.chaining_value;
  input.change_mode.key_version = terms.platform_key_version;
  input.change_mode.total_length = terms.total_length;
  input.authorize.campaign_id = terms.campaign_id;
  input.authorize.integrity_code = terms.integrity_code;
  input.authorize.action = action;
  return input;
}

void expect_same_commands(const bc::Paut& a, const bc::Paut& b) {
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(to_hex(a.commands[k].encode()), to_hex(b.commands[k].encode())) << k;
  EXPECT_EQ(a.check.card_challenge, b.check.card_challenge);
  EXPECT_EQ(a.check.authorize_counter, b.check.authorize_counter);
  EXPECT_EQ(a.check.authorize_chaining_value, b.check.authorize_chaining_value);
}

// Decrypts PAUT[2] and PAUT[3] as the SE would (same engine state as the host's).
struct OpenedPaut {
  bc::ChangeModeToBroadcast change_mode;
  bc::AuthorizeAction authorize;
};
OpenedPaut open_paut(const bc::Paut& paut, const SeAuthorizationRequest& request) {
  const gp::StaticKeySet keys = gp::kdf3_diversify(kMaster, request.kdd, request.kvn);
  const gp::SessionKeys session = gp::derive_session_keys(keys, paut.check.host_challenge, paut.check.card_challenge);
  const gp::Scp03Mode mode = gp::mode_of(request.i);
  gp::SecureMessaging engine(session, mode, paut.check.security_level);
  const Bytes cryptogram =
      gp::host_cryptogram(session.s_mac.view(), mode, paut.check.host_challenge, paut.check.card_challenge);
  engine.begin(engine.external_authenticate_mac(0x84, paut.check.security_level, cryptogram));
  std::string reason;
  const auto change_mode = engine.unwrap_command(paut.commands[2], &reason);
  EXPECT_TRUE(change_mode.has_value()) << reason;
  const auto authorize = engine.unwrap_command(paut.commands[3], &reason);
  EXPECT_TRUE(authorize.has_value()) << reason;
  if (!change_mode || !authorize) return {};
  return OpenedPaut{bc::parse_change_mode_to_broadcast(change_mode->data), bc::parse_authorize_action(authorize->data)};
}

TEST(PautIssuer, Profile3MatchesBuildPautWithDirectlyDerivedKeys) {
  auto store = hsm_store();
  const CampaignTerms terms = profile3_terms();
  const PautIssuer issuer(*store, KeyRef::current("master"), terms);
  for (const std::uint8_t i : {std::uint8_t{0x70}, std::uint8_t{0x71}}) {  // S8 and S16
    const SeAuthorizationRequest request = request_for(7, i);
    const bc::Paut paut = issuer.issue(request);
    EXPECT_EQ(paut.check.host_challenge.size(), gp::half_block_size(gp::mode_of(i)));
    EXPECT_EQ(paut.check.sequence_counter, request.sequence_counter + 1);
    EXPECT_EQ(paut.check.kvn, request.kvn);
    EXPECT_EQ(paut.check.campaign_id, terms.campaign_id);
    const bc::Paut expected =
        bc::build_paut(gp::kdf3_diversify(kMaster, request.kdd, request.kvn),
                       reference_input(request, paut, terms, SecretBytes(terms.wrapped_broadcast_keys),
                                       bc::Action::verify_and_activate));
    expect_same_commands(paut, expected);
  }
}

TEST(PautIssuer, Profile3NeedsNoKosAndForwardsTheWrappedKeysByteForByte) {
  // §8.2: the HSM of a profile 3 campaign holds its master key and nothing else.
  auto store = SoftwareKeystore::in_memory();
  store->import_key("master", SecretBytes(kMaster), KeyUsage::mac);
  const CampaignTerms terms = profile3_terms();
  const PautIssuer issuer(*store, KeyRef::current("master"), terms);
  const SeAuthorizationRequest request = request_for(3);
  const bc::Paut paut = issuer.issue(request);
  const OpenedPaut opened = open_paut(paut, request);
  EXPECT_EQ(opened.change_mode.broadcast_keys.reveal(), terms.wrapped_broadcast_keys);
  EXPECT_EQ(opened.authorize.integrity_code, terms.integrity_code);
  // Only the SE (which has Kos) can open C2.
  const bc::BroadcastKeys inside = bc::unwrap_broadcast_keys(kHsmRoleKos, opened.change_mode.broadcast_keys.view());
  EXPECT_EQ(inside.enc.reveal(), kBkEnc);
  EXPECT_EQ(store->list().size(), 1u);
}

TEST(PautIssuer, EachIssueHasAFreshHostChallenge) {
  auto store = hsm_store();
  const PautIssuer issuer(*store, KeyRef::current("master"), profile3_terms());
  const auto a = issuer.issue(request_for(1));
  const auto b = issuer.issue(request_for(1));
  EXPECT_NE(a.check.host_challenge, b.check.host_challenge);
  EXPECT_NE(a.commands[1].encode(), b.commands[1].encode());
}

TEST(PautIssuer, DeferredActivationPreloadsThenActivates) {
  auto store = hsm_store();
  PautOptions preload;
  preload.action = bc::Action::verify_only;
  const PautIssuer issuer(*store, KeyRef::current("master"), profile3_terms(), std::nullopt, preload);
  const SeAuthorizationRequest request = request_for(5);
  EXPECT_EQ(open_paut(issuer.issue(request), request).authorize.action, bc::Action::verify_only);
  EXPECT_EQ(open_paut(issuer.issue(request, bc::Action::verify_and_activate), request).authorize.action,
            bc::Action::verify_and_activate);
  EXPECT_EQ(open_paut(issuer.issue(request, bc::Action::verify_only), request).authorize.action,
            bc::Action::verify_only);
}

TEST(PautIssuer, SecurityLevel13IsHonoured) {
  auto store = hsm_store();
  PautOptions options;
  options.security_level = 0x13;
  const PautIssuer issuer(*store, KeyRef::current("master"), profile3_terms(), std::nullopt, options);
  const SeAuthorizationRequest request = request_for(9, 0x30);  // R-MAC without R-ENC suffices for 13
  const bc::Paut paut = issuer.issue(request);
  EXPECT_EQ(paut.check.security_level, 0x13);
  EXPECT_EQ(paut.commands[1].p1, 0x13);
}

TEST(PlatformCampaign, PreparationBuildsAPseThatDecryptsUnderBkToTheEnvelope) {
  auto store = hsm_store();
  for (const std::size_t bk_size : {std::size_t{16}, std::size_t{32}}) {
    const Bytes envelope = envelope_of(700);
    const CampaignTerms design_terms = profile4_design_terms(envelope.size());
    const PlatformCampaignPreparation prepared =
        prepare_platform_campaign(*store, KeyRef::current("campaign-kek"), design_terms, envelope, 239, false, bk_size);
    const CampaignTerms& terms = prepared.terms;
    EXPECT_EQ(terms.total_length, envelope.size());
    EXPECT_EQ(terms.integrity_code, design_terms.integrity_code);
    EXPECT_EQ(terms.campaign_id, design_terms.campaign_id);
    EXPECT_EQ(terms.wrapped_broadcast_keys.size(), 2 * bk_size + 8);

    // BK leaves only wrapped; the test (holding the KEK value) unwraps it to check the PSE.
    const bc::BroadcastKeys bk = bc::unwrap_broadcast_keys(kCampaignKek, terms.wrapped_broadcast_keys);
    EXPECT_EQ(bk.enc.size(), bk_size);
    EXPECT_FALSE(bk.enc == bk.mac);
    ASSERT_EQ(prepared.pse.size(), bc::pse_block_count(envelope.size(), 239) + 1);
    gp::SecureMessaging engine(gp::SessionKeys{bk.enc, bk.mac, bk.mac}, gp::Scp03Mode::s8, bc::kBroadcastSecurityLevel);
    engine.resume(terms.start.counter, terms.start.chaining_value);
    Bytes stream;
    for (std::size_t n = 0; n < prepared.pse.size(); ++n) {
      const CommandApdu wire = CommandApdu::parse(prepared.pse[n]);
      std::string reason;
      const auto plain = engine.unwrap_command(wire, &reason);
      ASSERT_TRUE(plain.has_value()) << n << ": " << reason;
      if (n + 1 < prepared.pse.size()) {
        EXPECT_EQ(plain->ins, bc::kInsWriteBlock);
        EXPECT_EQ((plain->p1 << 8) | plain->p2, static_cast<int>(n));
        append(stream, plain->data);
      } else {
        EXPECT_EQ(plain->ins, bc::kInsChangeMode);
        EXPECT_EQ(plain->p1, bc::kChangeModeToDiversified);
        EXPECT_TRUE(plain->data.empty());
      }
    }
    EXPECT_EQ(stream, envelope);
  }
}

TEST(PlatformCampaign, FreshBroadcastKeysAndContextPerCampaign) {
  auto store = hsm_store();
  const Bytes envelope = envelope_of(100);
  const auto a = prepare_platform_campaign(*store, KeyRef::current("campaign-kek"),
                                           profile4_design_terms(envelope.size()), envelope, 239, false);
  const auto b = prepare_platform_campaign(*store, KeyRef::current("campaign-kek"),
                                           profile4_design_terms(envelope.size()), envelope, 239, false);
  EXPECT_NE(a.terms.wrapped_broadcast_keys, b.terms.wrapped_broadcast_keys);
  EXPECT_NE(a.terms.start.counter, b.terms.start.counter);
  EXPECT_NE(a.pse, b.pse);
}

TEST(PautIssuer, Profile4PutsBkInClearOnlyUnderSessionEncryption) {
  auto store = hsm_store();
  const Bytes envelope = envelope_of(300);
  const auto prepared = prepare_platform_campaign(*store, KeyRef::current("campaign-kek"),
                                                  profile4_design_terms(envelope.size()), envelope, 200, false);
  const PautIssuer issuer(*store, KeyRef::current("master"), prepared.terms, KeyRef::current("campaign-kek"));
  const SeAuthorizationRequest request = request_for(4);
  const bc::Paut paut = issuer.issue(request);

  const bc::BroadcastKeys bk = bc::unwrap_broadcast_keys(kCampaignKek, prepared.terms.wrapped_broadcast_keys);
  const SecretBytes clear = bc::join_broadcast_keys(bk);
  const bc::Paut expected =
      bc::build_paut(gp::kdf3_diversify(kMaster, request.kdd, request.kvn),
                     reference_input(request, paut, prepared.terms, clear, bc::Action::verify_and_activate));
  expect_same_commands(paut, expected);

  const OpenedPaut opened = open_paut(paut, request);
  EXPECT_TRUE(opened.change_mode.broadcast_keys == clear);
  EXPECT_EQ(opened.change_mode.profile, bc::Profile::platform_key);
  EXPECT_EQ(opened.authorize.integrity_code, prepared.terms.integrity_code);
  // On the wire, BK does not appear: C2 travels under the SE's S-ENC.
  for (const auto& command : paut.commands) {
    const Bytes wire = command.encode();
    EXPECT_EQ(std::search(wire.begin(), wire.end(), bk.enc.data(), bk.enc.data() + bk.enc.size()), wire.end());
  }
}

TEST(VerifySeAnswers, AuthenticatesARealCardAndItsStatus) {
  auto store = hsm_store();
  const CampaignTerms terms = profile3_terms();
  const PautIssuer issuer(*store, KeyRef::current("master"), terms);
  const SeAuthorizationRequest request = request_for(8);
  const bc::Paut paut = issuer.issue(request);

  gp::InMemoryKeyRegistry registry;
  registry.put(gp::kdf3_diversify(kMaster, request.kdd, request.kvn), request.sequence_counter);
  gp::Scp03CardConfig config;
  config.key_diversification_data = request.kdd;
  gp::Scp03Card card(registry, config);
  bc::ImageStatus status;
  status.campaign_id = terms.campaign_id;
  status.active_version = 7;
  const auto application = [&](const CommandApdu& plain) {
    if (plain.ins == bc::kInsAuthorizeAction) return ResponseApdu(bc::encode_image_status(status), 0x9000);
    return ResponseApdu(0x9000);
  };
  const ResponseApdu iu = card.process(paut.commands[0], application);
  ASSERT_EQ(iu.sw, 0x9000);
  ASSERT_EQ(card.process(paut.commands[1], application).sw, 0x9000);
  ASSERT_EQ(card.process(paut.commands[2], application).sw, 0x9000);
  const ResponseApdu aa = card.process(paut.commands[3], application);
  ASSERT_EQ(aa.sw, 0x9000);

  const bc::PautVerdict only_iu =
      verify_se_answers(*store, KeyRef::current("master"), request, paut.check, iu, std::nullopt);
  EXPECT_TRUE(only_iu.card_authenticated);
  EXPECT_FALSE(only_iu.status.has_value());
  const bc::PautVerdict verdict = verify_se_answers(*store, KeyRef::current("master"), request, paut.check, iu, aa);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(*verdict.status, status);

  // A terminal that forges the card cryptogram, or the R-MAC, is caught.
  ResponseApdu forged_iu = iu;
  forged_iu.data.back() ^= 0x01;
  EXPECT_EQ(error_code_of([&] {
              verify_se_answers(*store, KeyRef::current("master"), request, paut.check, forged_iu, std::nullopt);
            }),
            Errc::integrity_error);
  ResponseApdu forged_aa = aa;
  forged_aa.data.back() ^= 0x01;
  EXPECT_EQ(
      error_code_of([&] { verify_se_answers(*store, KeyRef::current("master"), request, paut.check, iu, forged_aa); }),
      Errc::integrity_error);
  // Claimed by another SE (other KDD): its keys do not produce that cryptogram.
  SeAuthorizationRequest other = request;
  other.kdd.back() ^= 0xFF;
  EXPECT_EQ(
      error_code_of([&] { verify_se_answers(*store, KeyRef::current("master"), other, paut.check, iu, std::nullopt); }),
      Errc::integrity_error);
  SeAuthorizationRequest other_kvn = request;
  other_kvn.kvn = 0x31;
  EXPECT_EQ(error_code_of(
                [&] { verify_se_answers(*store, KeyRef::current("master"), other_kvn, paut.check, iu, std::nullopt); }),
            Errc::invalid_argument);
}

TEST(PautIssuer, RefusesBadRequests) {
  auto store = hsm_store();
  const PautIssuer issuer(*store, KeyRef::current("master"), profile3_terms());
  const auto refused = [&](auto edit) {
    SeAuthorizationRequest request = request_for(1);
    edit(request);
    return error_code_of([&] { issuer.issue(request); });
  };
  EXPECT_EQ(refused([](auto& r) { r.kdd.pop_back(); }), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& r) { r.kdd.push_back(0); }), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& r) { r.sequence_counter = 0xFFFFFF; }), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& r) { r.i = 0x60; }), Errc::invalid_argument);  // no pseudo-random challenge
  EXPECT_EQ(refused([](auto& r) { r.i = 0x80; }), Errc::invalid_argument);  // unknown i
  EXPECT_EQ(refused([](auto& r) { r.i = 0x10; }), Errc::invalid_argument);  // level 33 needs R-MAC, R-ENC
  EXPECT_EQ(refused([](auto& r) { r.kvn = 0; }), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& r) { r.se_id.clear(); }), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& r) { r.se_id.assign(65, 1); }), Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] { issuer.issue(request_for(1), static_cast<bc::Action>(3)); }), Errc::invalid_argument);
  // The counter just below the limit is still usable.
  SeAuthorizationRequest last = request_for(1);
  last.sequence_counter = 0xFFFFFE;
  EXPECT_EQ(issuer.issue(last).check.sequence_counter, 0xFFFFFFu);
}

TEST(PautIssuer, RefusesBadKeysAndTerms) {
  auto store = hsm_store();
  store->import_key("wrap-only", SecretBytes(kMaster), KeyUsage::wrap);
  store->import_key("mac-only", SecretBytes(kCampaignKek), KeyUsage::mac);
  const CampaignTerms p3 = profile3_terms();
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::current("absent"), p3); }), Errc::not_found);
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::at("master", 2), p3); }), Errc::not_found);
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::current("wrap-only"), p3); }), Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::current("bad label!"), p3); }), Errc::invalid_argument);

  const auto refused_terms = [&](auto edit) {
    CampaignTerms terms = profile3_terms();
    edit(terms);
    return error_code_of([&] { PautIssuer(*store, KeyRef::current("master"), terms); });
  };
  EXPECT_EQ(refused_terms([](auto& t) { t.integrity_code.resize(16); }), Errc::invalid_argument);
  EXPECT_EQ(refused_terms([](auto& t) { t.wrapped_broadcast_keys.pop_back(); }), Errc::invalid_argument);
  EXPECT_EQ(refused_terms([](auto& t) { t.wrapped_broadcast_keys.resize(32); }), Errc::invalid_argument);
  EXPECT_EQ(refused_terms([](auto& t) { t.total_length = 0; }), Errc::invalid_argument);
  EXPECT_EQ(refused_terms([](auto& t) { t.profile = static_cast<bc::Profile>(5); }), Errc::invalid_argument);
  PautOptions level_03;
  level_03.security_level = 0x03;
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::current("master"), p3, std::nullopt, level_03); }),
            Errc::invalid_argument);

  const Bytes envelope = envelope_of(64);
  const auto p4 = prepare_platform_campaign(*store, KeyRef::current("campaign-kek"),
                                            profile4_design_terms(envelope.size()), envelope, 239, false);
  EXPECT_EQ(error_code_of([&] { PautIssuer(*store, KeyRef::current("master"), p4.terms); }), Errc::invalid_argument);
  EXPECT_EQ(
      error_code_of([&] { PautIssuer(*store, KeyRef::current("master"), p4.terms, KeyRef::current("mac-only")); }),
      Errc::invalid_argument);
  store->generate("other-kek", 16, KeyUsage::wrap);
  EXPECT_EQ(
      error_code_of([&] { PautIssuer(*store, KeyRef::current("master"), p4.terms, KeyRef::current("other-kek")); }),
      Errc::integrity_error);
  CampaignTerms p4_unprepared = profile4_design_terms(envelope.size());
  EXPECT_EQ(error_code_of(
                [&] { PautIssuer(*store, KeyRef::current("master"), p4_unprepared, KeyRef::current("campaign-kek")); }),
            Errc::invalid_argument);
}

TEST(PlatformCampaign, RefusesWhatItCannotPrepare) {
  auto store = hsm_store();
  const Bytes envelope = envelope_of(100);
  const KeyRef kek = KeyRef::current("campaign-kek");
  const auto refused = [&](auto edit, ByteView stream, std::size_t chunk = 239, std::size_t bk_size = 16) {
    CampaignTerms terms = profile4_design_terms(envelope.size());
    edit(terms);
    return error_code_of([&] { prepare_platform_campaign(*store, kek, terms, stream, chunk, false, bk_size); });
  };
  const auto unchanged = [](CampaignTerms&) {};
  EXPECT_EQ(refused([](auto& t) { t.profile = bc::Profile::campaign_key; }, envelope), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& t) { t.wrapped_broadcast_keys = Bytes(40, 1); }, envelope), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& t) { t.integrity_code.resize(24); }, envelope), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& t) { t.total_length += 16; }, envelope), Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& t) { t.total_length = 0; }, ByteView(envelope).first(envelope.size() - 1)),
            Errc::invalid_argument);
  EXPECT_EQ(refused([](auto& t) { t.total_length = 0; }, ByteView(envelope).first(16)), Errc::invalid_argument);
  EXPECT_EQ(refused(unchanged, envelope, 0), Errc::invalid_argument);
  EXPECT_EQ(refused(unchanged, envelope, 240), Errc::invalid_argument);
  EXPECT_EQ(refused(unchanged, envelope, 239, 20), Errc::invalid_argument);
  EXPECT_EQ(error_code_of([&] {
              prepare_platform_campaign(*store, KeyRef::current("master"), profile4_design_terms(envelope.size()),
                                        envelope, 239, false);
            }),
            Errc::invalid_argument);  // the master key has no wrap usage
  // A total length of 0 in the design terms is filled in from the envelope.
  CampaignTerms open_length = profile4_design_terms(envelope.size());
  open_length.total_length = 0;
  EXPECT_EQ(prepare_platform_campaign(*store, kek, open_length, envelope, 239, false).terms.total_length,
            envelope.size());
}

}  // namespace
}  // namespace sefleet::offcard

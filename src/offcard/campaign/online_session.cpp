#include "offcard/campaign/online_session.hpp"

#include <algorithm>
#include <cctype>

#include "core/hex.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "gp/scp11/scp11_keys.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;
namespace scp11 = gp::scp11;

constexpr std::size_t kMaxSeIdSize = 64;
constexpr std::size_t kSessionKeyLength = 16;  // AES-128 session keys, SCP11's default
// SCP11 runs SCP03's secure messaging with 8-byte MACs (the host and card roles of gp/scp11 do too).
constexpr gp::Scp03Mode kOnlineMode = gp::Scp03Mode::s8;

[[noreturn]] void refuse(Errc code, OnlineRefusal reason, const std::string& message) {
  throw OnlineSessionError(code, reason, "online session: " + message);
}

scp11::KeyAgreementParams agreement_params(scp11::Variant variant) {
  return scp11::KeyAgreementParams{variant, scp11::kKeyUsageSecureMessaging, scp11::kKeyTypeAes, kSessionKeyLength, {}};
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The leaf names the SE (see the header): 5F20 = SE id, or the X.509 subject CN `card init` writes.
void check_leaf_names_se(const scp11::Scp11Certificate& leaf, ByteView se_id) {
  if (leaf.format() == scp11::CertificateFormat::gp) {
    const Bytes& subject = leaf.gp_fields()->subject_identifier;
    if (subject.size() == se_id.size() && std::equal(subject.begin(), subject.end(), se_id.begin())) return;
    refuse(Errc::integrity_error, OnlineRefusal::se_id_mismatch,
           "the SE's certificate names subject " + to_hex(subject) + ", not SE " + to_hex(se_id));
  }
  const std::string subject = crypto::X509Certificate::from_der(leaf.encoded()).subject();
  if (equal_ignoring_case(subject, "/CN=sefleet SD " + to_hex(se_id))) return;
  refuse(Errc::integrity_error, OnlineRefusal::se_id_mismatch,
         "the SE's certificate names " + subject + ", not SE " + to_hex(se_id));
}

}  // namespace

std::string_view online_refusal_name(OnlineRefusal reason) {
  switch (reason) {
    case OnlineRefusal::bad_request:
      return "bad_request";
    case OnlineRefusal::no_common_variant:
      return "no_common_variant";
    case OnlineRefusal::chain_not_verified:
      return "chain_not_verified";
    case OnlineRefusal::se_id_mismatch:
      return "se_id_mismatch";
    case OnlineRefusal::card_refused:
      return "card_refused";
    case OnlineRefusal::wrong_receipt:
      return "wrong_receipt";
    case OnlineRefusal::expired:
      return "session_expired";
    case OnlineRefusal::forged_report:
      return "forged_report";
    case OnlineRefusal::wrong_cryptogram:
      return "wrong_cryptogram";
  }
  return "bad_request";
}

std::optional<OnlineOffer> choose_online_offer(const OnlineSessionRequest& request, bool oce_key_available) {
  std::vector<OnlineOffer> offers{OnlineOffer{request.variant, request.kvn, request.certificates}};
  offers.insert(offers.end(), request.offers.begin(), request.offers.end());
  // SCP11a and c authenticate the server to the SE too; a before c, whose card key is static.
  for (const scp11::Variant preferred : {scp11::Variant::a, scp11::Variant::c, scp11::Variant::b}) {
    if (scp11::authenticates_oce(preferred) && !oce_key_available) continue;
    const auto offer =
        std::find_if(offers.begin(), offers.end(), [&](const OnlineOffer& o) { return o.variant == preferred; });
    if (offer != offers.end()) return *offer;
  }
  return std::nullopt;
}

OnlineSessionStart start_online_session(const OnlineSessionRequest& request, const crypto::P256PublicKey& card_ca,
                                        const OnlineOceKey* oce, crypto::Random& random,
                                        VerifiedChainCache* verified_chains) {
  if (request.se_id.empty() || request.se_id.size() > kMaxSeIdSize) {
    refuse(Errc::invalid_argument, OnlineRefusal::bad_request,
           "SE identity must be 1 to 64 bytes, got " + std::to_string(request.se_id.size()));
  }
  const bool oce_ready = oce != nullptr && !oce->certificates.empty();
  const std::optional<OnlineOffer> offer = choose_online_offer(request, oce_ready);
  if (!offer) {
    refuse(Errc::unsupported, OnlineRefusal::no_common_variant,
           "the SE offers only SCP11a/c, which need an OCE key this server is not configured with");
  }
  if (offer->kvn == 0) refuse(Errc::invalid_argument, OnlineRefusal::bad_request, "key version 00 names no key");
  std::vector<scp11::Scp11Certificate> chain;
  try {
    chain = scp11::parse_certificate_chain(offer->certificates);
  } catch (const Error& error) {
    refuse(Errc::parse_error, OnlineRefusal::bad_request, std::string("SE certificates: ") + error.what());
  }
  if (chain.empty()) refuse(Errc::invalid_argument, OnlineRefusal::bad_request, "the SE sent no certificate");
  OnlineSessionStart start;
  OnlineSessionState& state = start.state;
  const Bytes ca_point = verified_chains != nullptr ? card_ca.uncompressed() : Bytes{};
  std::optional<Bytes> remembered;
  if (verified_chains != nullptr) remembered = verified_chains->find(ca_point, offer->certificates);
  if (remembered) {
    state.card_key = std::move(*remembered);
  } else {
    try {
      state.card_key = scp11::verify_certificate_chain(chain, card_ca);
    } catch (const Error& error) {
      refuse(Errc::integrity_error, OnlineRefusal::chain_not_verified,
             "SE " + to_hex(request.se_id) + ": " + error.what());
    }
    if (verified_chains != nullptr) verified_chains->remember(ca_point, offer->certificates, state.card_key);
  }
  check_leaf_names_se(chain.back(), request.se_id);

  // eSK.OCE stays bytes: it is sealed into the state and used for two ECDH in finish, never as a key
  // object (crypto/p256.hpp, generate_p256_scalar_key_pair).
  crypto::P256ScalarKeyPair ephemeral = crypto::generate_p256_scalar_key_pair(random);
  state.se_id = request.se_id;
  state.variant = offer->variant;
  state.kvn = offer->kvn;
  state.authenticate_data = scp11::encode_authenticate_data({agreement_params(offer->variant), ephemeral.point});
  state.ephemeral_key = std::move(ephemeral.scalar);
  if (scp11::authenticates_oce(offer->variant)) {
    state.oce_key = oce->key.text();
    start.commands = scp11::certificate_upload_commands(oce->certificates, oce->ca_kvn);
  }
  start.commands.push_back(scp11::authenticate_command(offer->variant, offer->kvn, state.authenticate_data));
  return start;
}

OnlineAuthorization finish_online_session(const OnlineSessionState& state,
                                          const iso7816::ResponseApdu& authenticate_response, const PautIssuer& issuer,
                                          bc::Action action, const scp11::StaticOceAgreement& static_agreement) {
  if (!authenticate_response.ok()) {
    refuse(Errc::protocol_error, OnlineRefusal::card_refused,
           "SE " + to_hex(state.se_id) +
               " refused the authenticate command: " + iso7816::sw::status_word_name(authenticate_response.sw));
  }
  scp11::AuthenticateResponse answer;
  try {
    answer = scp11::parse_authenticate_response(authenticate_response.data);
  } catch (const Error& error) {
    refuse(Errc::protocol_error, OnlineRefusal::bad_request, error.what());
  }
  const bool static_oce = scp11::authenticates_oce(state.variant);
  if (static_oce && !static_agreement) {
    refuse(Errc::invalid_argument, OnlineRefusal::bad_request,
           scp11::variant_name(state.variant) + " needs the OCE key's agreement");
  }
  // SCP11c: the SE answers with its static key, the one its verified certificate holds.
  if (state.variant == scp11::Variant::c && answer.ephemeral_sd_key != state.card_key) {
    refuse(Errc::integrity_error, OnlineRefusal::wrong_receipt,
           "SE " + to_hex(state.se_id) + " answered SCP11c with another key than its certified one");
  }
  const auto params = agreement_params(state.variant);
  std::optional<scp11::Scp11SessionKeys> keys;
  try {
    // SCP11a/c: ShSss runs in the keystore holding SK.OCE, so eSK.OCE becomes a key object here.
    const SecretBytes z =
        static_oce
            ? scp11::oce_shared_secret_by_agreement(crypto::P256PrivateKey::from_scalar(state.ephemeral_key.view()),
                                                    static_agreement, answer.ephemeral_sd_key, state.card_key)
            : scp11::host_shared_secret(state.variant, state.ephemeral_key, answer.ephemeral_sd_key, state.card_key);
    keys.emplace(scp11::derive_session_keys(z.view(), params));
  } catch (const Error& error) {
    refuse(Errc::protocol_error, OnlineRefusal::bad_request, std::string("SE key: ") + error.what());
  }
  const crypto::Mac16 receipt =
      scp11::compute_receipt(keys->receipt_key.view(), state.authenticate_data, answer.ephemeral_sd_key);
  if (!constant_time_equal(ByteView(receipt.data(), receipt.size()), answer.receipt)) {
    refuse(Errc::integrity_error, OnlineRefusal::wrong_receipt,
           "SE " + to_hex(state.se_id) + ": wrong receipt (not the SE whose certificate was verified)");
  }

  gp::SecureMessaging engine(keys->session, kOnlineMode, kOnlineSecurityLevel);
  engine.begin(receipt);
  bc::WrappedAuthorization wrapped = issuer.wrap_authorization(engine, action);

  OnlineAuthorization out;
  out.change_mode = std::move(wrapped.change_mode);
  out.authorize = std::move(wrapped.authorize);
  out.check.se_id = state.se_id;
  out.check.receipt = receipt;
  out.check.keys = std::move(keys->session);
  out.check.authorize_counter = wrapped.authorize_counter;
  out.check.authorize_chaining_value = wrapped.authorize_chaining_value;
  out.check.campaign_id = issuer.terms().campaign_id;
  return out;
}

bc::PautVerdict verify_online_answers(const OnlineCheck& check, const iso7816::ResponseApdu& authenticate_response,
                                      const std::optional<iso7816::ResponseApdu>& authorize_response) {
  bc::PautVerdict verdict;
  if (!authenticate_response.ok()) return verdict;  // nothing to authenticate
  try {
    const scp11::AuthenticateResponse answer = scp11::parse_authenticate_response(authenticate_response.data);
    if (!constant_time_equal(ByteView(check.receipt.data(), check.receipt.size()), answer.receipt)) {
      refuse(Errc::integrity_error, OnlineRefusal::forged_report,
             "reported authenticate response: receipt differs from the session's (not this SE's session)");
    }
    verdict.card_authenticated = true;
    if (!authorize_response) return verdict;
    bc::verify_authorize_response(check.keys, kOnlineMode, kOnlineSecurityLevel, check.authorize_counter,
                                  check.authorize_chaining_value, check.campaign_id, *authorize_response, verdict);
  } catch (const OnlineSessionError&) {
    throw;
  } catch (const Error& error) {
    refuse(error.code(), OnlineRefusal::forged_report, std::string("report: ") + error.what());
  }
  return verdict;
}

}  // namespace sefleet::offcard

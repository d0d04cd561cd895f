#include "offcard/campaign/hsm_role.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;

constexpr std::size_t kMaxHsmSeIdSize = 64;
constexpr std::size_t kAesKwOverhead = 8;

[[noreturn]] void refuse_hsm_request(const std::string& why) {
  throw Error(Errc::invalid_argument, why);
}

std::string se_name(const SeAuthorizationRequest& request) {
  return request.se_id.empty() ? std::string("SE <no id>") : "SE " + to_hex(request.se_id);
}

bool is_broadcast_keys_wrap_size(std::size_t size) noexcept {
  return size >= kAesKwOverhead && bc::is_valid_broadcast_keys_size(bc::Profile::platform_key, size - kAesKwOverhead);
}

void check_terms(const CampaignTerms& terms) {
  if (terms.profile != bc::Profile::campaign_key && terms.profile != bc::Profile::platform_key) {
    refuse_hsm_request("HSM: unknown campaign profile " + std::to_string(static_cast<unsigned>(terms.profile)));
  }
  if (terms.total_length == 0) refuse_hsm_request("HSM: campaign terms declare a total length of 0 bytes");
  // Profile 3: AES-KW(Kos, BK) as CHANGE MODE carries it. Profile 4: AES-KW(campaign KEK, BK), which
  // has the same sizes (the BK of both profiles is 32, 48 or 64 bytes before wrapping).
  if (!is_broadcast_keys_wrap_size(terms.wrapped_broadcast_keys.size())) {
    refuse_hsm_request("HSM: wrapped broadcast keys must be 40, 56 or 72 bytes, got " +
                       std::to_string(terms.wrapped_broadcast_keys.size()) +
                       (terms.wrapped_broadcast_keys.empty() && terms.profile == bc::Profile::platform_key
                            ? " (profile 4 terms must go through prepare_platform_campaign first)"
                            : ""));
  }
  const std::size_t code_size =
      terms.profile == bc::Profile::campaign_key ? bc::kWrappedIntegrityCodeSize : bc::kIntegrityCodeSize;
  if (terms.integrity_code.size() != code_size) {
    refuse_hsm_request("HSM: profile " + std::to_string(static_cast<unsigned>(terms.profile)) +
                       " integrity code must be " + std::to_string(code_size) + " bytes, got " +
                       std::to_string(terms.integrity_code.size()));
  }
}

void check_options(const PautOptions& options) {
  if (options.security_level != 0x13 && options.security_level != 0x33) {
    refuse_hsm_request("HSM: the broadcast flow needs security level 13 or 33, not " +
                       to_hex(Bytes{options.security_level}));
  }
  if (options.action != bc::Action::verify_and_activate && options.action != bc::Action::verify_only) {
    refuse_hsm_request("HSM: unknown AUTHORIZE ACTION action " + std::to_string(static_cast<unsigned>(options.action)));
  }
}

}  // namespace

void check_se_identity(const SeAuthorizationRequest& request) {
  if (request.se_id.empty() || request.se_id.size() > kMaxHsmSeIdSize) {
    refuse_hsm_request("HSM: SE identity must be 1 to 64 bytes, got " + std::to_string(request.se_id.size()));
  }
  // se_name(request) only on the refusal paths: this check runs for every PAUT.
  if (request.kdd.size() != gp::kKddSize) {
    refuse_hsm_request("HSM: " + se_name(request) + ": key diversification data must be 10 bytes, got " +
                       std::to_string(request.kdd.size()));
  }
  if (request.kvn == 0) refuse_hsm_request("HSM: " + se_name(request) + ": key version 00 names no key set");
  if (!gp::is_valid_i_parameter(request.i)) {
    refuse_hsm_request("HSM: " + se_name(request) + ": SCP03 parameter i = " + to_hex(Bytes{request.i}) +
                       " is not supported");
  }
}

void check_authorization_request(const SeAuthorizationRequest& request) {
  check_se_identity(request);
  if ((request.i & gp::iparam::kPseudoRandomChallenge) == 0) {
    refuse_hsm_request("HSM: " + se_name(request) + ": i = " + to_hex(Bytes{request.i}) +
                       " has no pseudo-random card challenge, so no PAUT can be computed before the SE answers");
  }
  if (request.sequence_counter >= gp::kMaxSequenceCounter) {
    refuse_hsm_request("HSM: " + se_name(request) + ": sequence counter " + std::to_string(request.sequence_counter) +
                       " is exhausted; the SE cannot open another SCP03 session");
  }
}

PautIssuer::PautIssuer(Keystore& keystore, KeyRef master, CampaignTerms terms, std::optional<KeyRef> campaign_kek,
                       PautOptions options)
    : keystore_(keystore), master_(std::move(master)), terms_(std::move(terms)), options_(options) {
  check_terms(terms_);
  check_options(options_);
  // Fail now, not at the first SE, when the master key is absent or not usable for kdf3.
  const KeyInfo master_info = keystore_.info(master_.label);
  if (!allows(master_info.usage, KeyUsage::mac)) {
    refuse_hsm_request("HSM: master key '" + master_.text() + "' has usage " + key_usage_text(master_info.usage) +
                       "; kdf3 needs mac");
  }
  if (master_.version != 0 && master_info.find_version(master_.version) == nullptr) {
    throw Error(Errc::not_found,
                "HSM: master key '" + master_.label + "' has no version " + std::to_string(master_.version));
  }

  change_mode_.profile = terms_.profile;
  change_mode_.campaign_id = terms_.campaign_id;
  change_mode_.counter = terms_.start.counter;
  change_mode_.chaining_value = terms_.start.chaining_value;
  change_mode_.key_version = terms_.platform_key_version;
  change_mode_.total_length = terms_.total_length;
  if (terms_.profile == bc::Profile::campaign_key) {
    // The design system's AES-KW(Kos, BK), as is: only the SE can open it.
    change_mode_.broadcast_keys = SecretBytes(terms_.wrapped_broadcast_keys);
  } else {
    if (!campaign_kek)
      refuse_hsm_request("HSM: a profile 4 campaign needs the campaign KEK that wrapped its broadcast keys");
    SecretBytes keys = keystore_.unwrap(*campaign_kek, terms_.wrapped_broadcast_keys);
    if (!bc::is_valid_broadcast_keys_size(bc::Profile::platform_key, keys.size())) {
      throw Error(Errc::integrity_error, "HSM: broadcast keys unwrapped under '" + campaign_kek->text() + "' are " +
                                             std::to_string(keys.size()) + " bytes, not 32, 48 or 64");
    }
    change_mode_.broadcast_keys = std::move(keys);
  }
  authorize_.campaign_id = terms_.campaign_id;
  authorize_.integrity_code = terms_.integrity_code;
  authorize_.action = options_.action;
  // Let the encoders refuse now what they would refuse for every SE. The probe holds C2 (BK in clear
  // in profile 4): wipe it.
  Bytes probe = bc::encode_change_mode_to_broadcast(change_mode_);
  secure_zero(probe.data(), probe.size());
  (void)bc::encode_authorize_action(authorize_);
}

bc::Paut PautIssuer::issue(const SeAuthorizationRequest& request) const {
  return issue(request, options_.action);
}

bc::Paut PautIssuer::issue(const SeAuthorizationRequest& request, bc::Action action) const {
  check_authorization_request(request);
  if (action != bc::Action::verify_and_activate && action != bc::Action::verify_only) {
    refuse_hsm_request("HSM: unknown AUTHORIZE ACTION action " + std::to_string(static_cast<unsigned>(action)));
  }
  if (!gp::i_supports_level(request.i, options_.security_level)) {
    refuse_hsm_request("HSM: " + se_name(request) + ": i = " + to_hex(Bytes{request.i}) +
                       " does not support security level " + to_hex(Bytes{options_.security_level}));
  }
  const gp::StaticKeySet keys = keystore_.derive_kdf3(master_, request.kdd, request.kvn);

  bc::PautInput input;
  input.sequence_counter = request.sequence_counter;
  input.host_challenge = keystore_.random(gp::half_block_size(gp::mode_of(request.i)));
  input.i = request.i;
  input.security_level = options_.security_level;
  input.change_mode = change_mode_;
  input.authorize = authorize_;
  input.authorize.action = action;
  return bc::build_paut(keys, input);
}

bc::Paut PautIssuer::issue_for_answer(const SeAuthorizationRequest& request, ByteView host_challenge,
                                      const iso7816::ResponseApdu& initialize_update_response,
                                      bc::Action action) const {
  check_se_identity(request);
  if (action != bc::Action::verify_and_activate && action != bc::Action::verify_only) {
    refuse_hsm_request("HSM: unknown AUTHORIZE ACTION action " + std::to_string(static_cast<unsigned>(action)));
  }
  if (!gp::i_supports_level(request.i, options_.security_level)) {
    refuse_hsm_request("HSM: " + se_name(request) + ": i = " + to_hex(Bytes{request.i}) +
                       " does not support security level " + to_hex(Bytes{options_.security_level}));
  }
  if (!initialize_update_response.ok()) {
    throw Error(Errc::protocol_error, "HSM: " + se_name(request) + " refused INITIALIZE UPDATE: " +
                                          iso7816::sw::status_word_name(initialize_update_response.sw));
  }
  const auto answer = gp::InitializeUpdateResponse::parse(initialize_update_response.data);
  if (answer.kvn != request.kvn || answer.i != request.i ||
      !std::equal(answer.key_diversification_data.begin(), answer.key_diversification_data.end(), request.kdd.begin(),
                  request.kdd.end())) {
    throw Error(Errc::integrity_error, "HSM: " + se_name(request) +
                                           ": the INITIALIZE UPDATE answer names another key set (key version, i "
                                           "or key diversification data)");
  }
  const gp::StaticKeySet keys = keystore_.derive_kdf3(master_, request.kdd, request.kvn);
  bc::PautInput input;
  input.sequence_counter = answer.sequence_counter.value_or(0);
  input.host_challenge.assign(host_challenge.begin(), host_challenge.end());
  input.card_challenge = answer.card_challenge;
  input.i = request.i;
  input.security_level = options_.security_level;
  input.change_mode = change_mode_;
  input.authorize = authorize_;
  input.authorize.action = action;
  bc::Paut paut = bc::build_paut(keys, input);
  // The card cryptogram before anything leaves: verify_paut_answers throws for a wrong one.
  (void)bc::verify_paut_answers(keys, paut.check, initialize_update_response, std::nullopt);
  return paut;
}

bc::WrappedAuthorization PautIssuer::wrap_authorization(gp::SecureMessaging& engine, bc::Action action) const {
  if (action != bc::Action::verify_and_activate && action != bc::Action::verify_only) {
    refuse_hsm_request("HSM: unknown AUTHORIZE ACTION action " + std::to_string(static_cast<unsigned>(action)));
  }
  bc::AuthorizeAction authorize = authorize_;
  authorize.action = action;
  return bc::wrap_authorization(engine, change_mode_, authorize);
}

bc::PautVerdict verify_se_answers(Keystore& keystore, const KeyRef& master, const SeAuthorizationRequest& request,
                                  const bc::PautCheck& check, const iso7816::ResponseApdu& initialize_update_response,
                                  const std::optional<iso7816::ResponseApdu>& authorize_response) {
  // Not check_authorization_request: the check, not the request, says which card challenge was used.
  check_se_identity(request);
  if (request.kvn != check.kvn) {
    refuse_hsm_request("HSM: " + se_name(request) + ": request key version " + to_hex(Bytes{request.kvn}) +
                       " differs from the PAUT's " + to_hex(Bytes{check.kvn}));
  }
  const gp::StaticKeySet keys = keystore.derive_kdf3(master, request.kdd, request.kvn);
  return bc::verify_paut_answers(keys, check, initialize_update_response, authorize_response);
}

PlatformCampaignPreparation prepare_platform_campaign(Keystore& keystore, const KeyRef& campaign_kek,
                                                      CampaignTerms terms, ByteView envelope, std::size_t chunk_size,
                                                      bool extended, std::size_t broadcast_key_size) {
  if (terms.profile != bc::Profile::platform_key) {
    refuse_hsm_request("HSM: only profile 4 campaigns are prepared by the HSM (profile " +
                       std::to_string(static_cast<unsigned>(terms.profile)) + " comes from the design system)");
  }
  if (!terms.wrapped_broadcast_keys.empty()) {
    refuse_hsm_request("HSM: this campaign already has broadcast keys; preparing it again would make a second PSE");
  }
  if (terms.integrity_code.size() != bc::kIntegrityCodeSize) {
    refuse_hsm_request("HSM: profile 4 integrity code must be 16 bytes, got " +
                       std::to_string(terms.integrity_code.size()));
  }
  // IV ‖ AES-CBC(Kos, DATASEND ‖ padding): at least one block after the IV, whole blocks.
  if (envelope.size() < 2 * crypto::kAesBlock || envelope.size() % crypto::kAesBlock != 0) {
    refuse_hsm_request("HSM: an image envelope is a 16-byte IV and whole AES blocks; got " +
                       std::to_string(envelope.size()) + " bytes");
  }
  if (envelope.size() > 0xFFFFFFFFu) refuse_hsm_request("HSM: the envelope exceeds the 4-byte length of C6");
  if (terms.total_length != 0 && terms.total_length != envelope.size()) {
    refuse_hsm_request("HSM: terms declare " + std::to_string(terms.total_length) + " bytes but the envelope has " +
                       std::to_string(envelope.size()));
  }
  if (!crypto::is_aes_key_size(broadcast_key_size)) {
    refuse_hsm_request("HSM: broadcast key size must be 16, 24 or 32 bytes, got " + std::to_string(broadcast_key_size));
  }

  Bytes drawn = keystore.random(2 * broadcast_key_size);
  const SecretBytes joined = SecretBytes::take(drawn);
  const bc::BroadcastKeys keys = bc::split_broadcast_keys(joined.view());
  const Bytes start = keystore.random(2 * crypto::kAesBlock);
  std::copy_n(start.begin(), crypto::kAesBlock, terms.start.counter.begin());
  std::copy_n(start.begin() + crypto::kAesBlock, crypto::kAesBlock, terms.start.chaining_value.begin());
  terms.total_length = static_cast<std::uint32_t>(envelope.size());

  PlatformCampaignPreparation prepared;
  prepared.pse = bc::build_pse(keys, terms.start, envelope, chunk_size, extended);
  terms.wrapped_broadcast_keys = keystore.wrap(campaign_kek, joined.view());
  prepared.terms = std::move(terms);
  return prepared;
}

}  // namespace sefleet::offcard

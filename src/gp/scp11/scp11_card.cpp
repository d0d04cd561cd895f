#include "gp/scp11/scp11_card.hpp"

#include "core/error.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_keys.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::scp11 {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
namespace sw = iso7816::sw;

constexpr std::uint8_t kMoreCertificates = 0x80;  // P2 b8 of PERFORM SECURITY OPERATION

}  // namespace

bool is_setup_command(const CommandApdu& command) noexcept {
  if (!command.is_proprietary_class() || iso7816::has_secure_messaging(command.cla)) return false;
  return command.ins == kInsPerformSecurityOperation || command.ins == kInsInternalAuthenticate ||
         (command.ins == kInsMutualAuthenticate && command.p2 != 0x00);
}

void Scp11CardChannel::reset() noexcept {
  oce_key_.reset();
  chain_complete_ = false;
  chain_key_ = 0;
}

ResponseApdu Scp11CardChannel::refuse(std::uint16_t status, const std::string& reason) {
  last_refusal_ = reason;
  reset();
  return ResponseApdu(status);
}

ResponseApdu Scp11CardChannel::perform_security_operation(const CommandApdu& command, const Scp11CardKeys& keys) {
  const std::uint8_t kid = command.p2 & ~kMoreCertificates;
  if (kid != kKidOceCa && (kid < kKidFirstAdditionalCa || kid > kKidLastAdditionalCa)) {
    return refuse(sw::kIncorrectP1P2, "PERFORM SECURITY OPERATION: P2 is not a CA key (10, 20..2F)");
  }
  if (!keys.oce_ca_key || command.p1 != keys.oce_kvn || kid != keys.oce_kid) {
    return refuse(sw::kReferencedDataNotFound, "PERFORM SECURITY OPERATION: no OCE CA key with this KVN");
  }
  // The first certificate of a chain, or one following a complete chain, starts a new chain.
  const auto chain_key = static_cast<std::uint16_t>((command.p1 << 8) | kid);
  if (!oce_key_ || chain_complete_ || chain_key_ != chain_key) {
    reset();
    chain_key_ = chain_key;
  }
  std::optional<Scp11Certificate> certificate;
  try {
    certificate.emplace(Scp11Certificate::parse(command.data));
  } catch (const Error& error) {
    return refuse(sw::kWrongData, std::string("PERFORM SECURITY OPERATION: ") + error.what());
  }
  const Bytes& issuer = oce_key_ ? *oce_key_ : *keys.oce_ca_key;
  if (!certificate->signed_by(crypto::P256PublicKey::from_uncompressed(issuer))) {
    return refuse(sw::kSecurityStatusNotSatisfied,
                  "PERFORM SECURITY OPERATION: " + certificate->description() + " does not verify");
  }
  const bool last = (command.p2 & kMoreCertificates) == 0;
  // Amendment F: the OCE's own certificate is for key agreement, the ones above it sign certificates.
  if (last ? !certificate->permits_key_agreement() : !certificate->permits_certificate_signing()) {
    return refuse(sw::kSecurityStatusNotSatisfied, "PERFORM SECURITY OPERATION: the key usage of " +
                                                       certificate->description() + " does not allow " +
                                                       (last ? "key agreement" : "certificate signing"));
  }
  // Restrictions (BF20): a certificate that signs certificates carries none (Amendment F); an OCE
  // leaf's would restrict the commands of the session, in a coding the card cannot read, so only an
  // empty BF20 (no restriction) is accepted rather than a session with unknown limits ignored.
  if (!last && certificate->has_restrictions()) {
    return refuse(sw::kSecurityStatusNotSatisfied, "PERFORM SECURITY OPERATION: " + certificate->description() +
                                                       " signs certificates but carries restrictions (BF20)");
  }
  if (last && certificate->has_restriction_content()) {
    return refuse(sw::kSecurityStatusNotSatisfied, "PERFORM SECURITY OPERATION: " + certificate->description() +
                                                       " carries restrictions (BF20) the card cannot apply");
  }
  if (last && keys.oce_allowlist) {
    bool listed = false;
    for (const Bytes& serial : *keys.oce_allowlist) listed = listed || serial == certificate->serial();
    if (!listed) {
      return refuse(sw::kSecurityStatusNotSatisfied, "PERFORM SECURITY OPERATION: the serial number of " +
                                                         certificate->description() + " is not in the allowlist");
    }
  }
  oce_key_ = certificate->public_key();
  chain_complete_ = last;
  return ResponseApdu(sw::kOk);
}

ResponseApdu Scp11CardChannel::authenticate(const CommandApdu& command, const Scp11CardKeys& keys,
                                            crypto::Random& random, std::optional<Scp11Established>& established) {
  established.reset();
  const auto kid_variant = variant_of_key_id(command.p2);
  const bool internal = command.ins == kInsInternalAuthenticate;
  if (keys.sd_key == nullptr || !kid_variant || internal != (*kid_variant == Variant::b) || command.p1 != keys.kvn) {
    return refuse(sw::kReferencedDataNotFound, "AUTHENTICATE: no SCP11 key with this KVN and KID");
  }
  AuthenticateRequest request;
  try {
    request = parse_authenticate_data(command.data);
  } catch (const Error& error) {
    return refuse(sw::kWrongData, std::string("AUTHENTICATE: ") + error.what());
  }
  if (request.params.variant != *kid_variant) {
    return refuse(sw::kWrongData, "AUTHENTICATE: tag 90 names " + variant_name(request.params.variant) +
                                      " but the KID is " + variant_name(*kid_variant) + "'s");
  }
  std::optional<Bytes> oce_key;
  if (authenticates_oce(request.params.variant)) {
    if (!has_verified_chain()) {
      return refuse(sw::kSecurityStatusNotSatisfied, "MUTUAL AUTHENTICATE: no verified OCE certificate chain");
    }
    oce_key = oce_key_;
  }
  // SCP11c: the card answers with its static key (the host can prepare its commands without it).
  // SCP11a/b: eSK.SD serves this one answer, so it stays bytes (no OpenSSL key object: crypto/p256.hpp).
  Bytes answer_point;
  SecretBytes z;
  if (request.params.variant == Variant::c) {
    answer_point = keys.sd_key->public_uncompressed();
    z = card_shared_secret(request.params.variant, *keys.sd_key, *keys.sd_key, request.ephemeral_oce_key, oce_key);
  } else {
    crypto::P256ScalarKeyPair ephemeral = crypto::generate_p256_scalar_key_pair(random);
    answer_point = std::move(ephemeral.point);
    z = card_shared_secret(request.params.variant, ephemeral.scalar, *keys.sd_key, request.ephemeral_oce_key, oce_key);
  }
  Scp11SessionKeys derived = derive_session_keys(z.view(), request.params);
  const crypto::Mac16 receipt = compute_receipt(derived.receipt_key.view(), command.data, answer_point);
  reset();
  established.emplace(
      Scp11Established{request.params.variant, std::move(derived.session), std::move(derived.s_dek), receipt});
  return ResponseApdu(encode_authenticate_response({answer_point, Bytes(receipt.begin(), receipt.end())}), sw::kOk);
}

}  // namespace sefleet::gp::scp11

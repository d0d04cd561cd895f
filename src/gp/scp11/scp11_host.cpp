#include "gp/scp11/scp11_host.hpp"

#include "core/hex.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::scp11 {
namespace {

constexpr std::uint8_t kSecurityLevel = 0x33;  // what key usage 3C sets up
constexpr std::uint8_t kGpClass = 0x80;
constexpr std::uint8_t kP2MoreCertificates = 0x80;

}  // namespace

std::vector<iso7816::CommandApdu> certificate_upload_commands(const std::vector<Bytes>& certificates,
                                                              std::uint8_t ca_kvn, std::uint8_t channel) {
  std::vector<iso7816::CommandApdu> commands;
  const std::uint8_t cla = iso7816::cla_for_channel(kGpClass, channel, false);
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    const bool more = i + 1 < certificates.size();
    iso7816::CommandApdu command(cla, kInsPerformSecurityOperation, ca_kvn,
                                 static_cast<std::uint8_t>(kKidOceCa | (more ? kP2MoreCertificates : 0)),
                                 certificates[i]);
    command.extended = command.data.size() > iso7816::kMaxShortData;
    commands.push_back(std::move(command));
  }
  return commands;
}

iso7816::CommandApdu authenticate_command(Variant variant, std::uint8_t kvn, ByteView data, std::uint8_t channel) {
  const bool mutual = authenticates_oce(variant);
  return iso7816::CommandApdu(iso7816::cla_for_channel(kGpClass, channel, false),
                              mutual ? kInsMutualAuthenticate : kInsInternalAuthenticate, kvn, key_id(variant),
                              Bytes(data.begin(), data.end()), 256);
}

SecretBytes oce_shared_secret_by_agreement(const crypto::P256PrivateKey& ephemeral_oce_key,
                                           const StaticOceAgreement& static_agreement, ByteView sd_response_key,
                                           ByteView static_sd_key) {
  SecretBytes z = crypto::ecdh_p256(ephemeral_oce_key, crypto::P256PublicKey::from_uncompressed(sd_response_key));
  const SecretBytes static_part = static_agreement(static_sd_key);
  if (static_part.size() != crypto::kP256ScalarSize) {
    throw Error(Errc::crypto_error,
                "the OCE key's ECDH gave " + std::to_string(static_part.size()) + " bytes instead of 32");
  }
  z.append(static_part.view());
  return z;
}

Scp11Host::Scp11Host(Scp11HostOptions options, Bytes card_key, std::optional<OceCredentials> oce,
                     crypto::Random& random)
    : options_(std::move(options)), card_key_(std::move(card_key)), oce_(std::move(oce)), random_(random) {
  try {
    card_public_.emplace(crypto::P256PublicKey::from_uncompressed(card_key_));
  } catch (const Error&) {
    throw Error(Errc::invalid_argument, "SCP11 host: the card key is not an uncompressed P-256 point");
  }
  try {
    check_supported(KeyAgreementParams{options_.variant, kKeyUsageSecureMessaging, kKeyTypeAes, options_.key_length,
                                       options_.host_id});
  } catch (const Error& error) {
    throw Error(Errc::invalid_argument, error.what());
  }
  if (authenticates_oce(options_.variant) &&
      (!oce_ || (!oce_->key && !oce_->static_agreement) || oce_->certificates.empty())) {
    throw Error(Errc::invalid_argument,
                variant_name(options_.variant) + " needs the OCE key and its certificate chain");
  }
  if (options_.channel > 19) throw Error(Errc::invalid_argument, "SCP11 host: logical channel must be 0..19");
}

void Scp11Host::fail(Errc code, const std::string& message) {
  state_ = State::failed;
  messaging_.reset();
  ephemeral_.reset();
  throw Error(code, variant_name(options_.variant) + ": " + message);
}

std::vector<iso7816::CommandApdu> Scp11Host::certificate_uploads() const {
  if (!authenticates_oce(options_.variant)) return {};
  return certificate_upload_commands(oce_->certificates, oce_->ca_kvn, options_.channel);
}

iso7816::CommandApdu Scp11Host::authenticate() {
  messaging_.reset();
  ephemeral_.emplace(crypto::P256PrivateKey::generate(random_));
  const KeyAgreementParams params{options_.variant, kKeyUsageSecureMessaging, kKeyTypeAes, options_.key_length,
                                  options_.host_id};
  sent_data_ = encode_authenticate_data({params, ephemeral_->public_uncompressed()});
  state_ = State::awaiting_response;
  return authenticate_command(options_.variant, options_.kvn, sent_data_, options_.channel);
}

void Scp11Host::complete(const iso7816::ResponseApdu& response) {
  if (state_ != State::awaiting_response) {
    throw Error(Errc::state_error, "SCP11 host: complete() without a pending authenticate command");
  }
  if (!response.ok()) fail(Errc::protocol_error, "card refused: " + iso7816::sw::status_word_name(response.sw));
  AuthenticateResponse answer;
  try {
    answer = parse_authenticate_response(response.data);
  } catch (const Error& error) {
    fail(Errc::protocol_error, error.what());
  }
  // SCP11c: the card answers with its static key, the one the host authenticated.
  if (options_.variant == Variant::c && answer.ephemeral_sd_key != card_key_) {
    fail(Errc::protocol_error, "the card answered with another key than its certified one");
  }
  const KeyAgreementParams params{options_.variant, kKeyUsageSecureMessaging, kKeyTypeAes, options_.key_length,
                                  options_.host_id};
  const bool agreement_elsewhere = authenticates_oce(options_.variant) && !oce_->key;
  const SecretBytes z =
      agreement_elsewhere
          ? oce_shared_secret_by_agreement(*ephemeral_, oce_->static_agreement, answer.ephemeral_sd_key, card_key_)
          : host_shared_secret(options_.variant, *ephemeral_, oce_ ? oce_->key.get() : nullptr,
                               crypto::P256PublicKey::from_uncompressed(answer.ephemeral_sd_key), *card_public_);
  Scp11SessionKeys keys = derive_session_keys(z.view(), params);
  const crypto::Mac16 expected = compute_receipt(keys.receipt_key.view(), sent_data_, answer.ephemeral_sd_key);
  if (!constant_time_equal(ByteView(expected.data(), expected.size()), answer.receipt)) {
    fail(Errc::protocol_error, "wrong receipt: the card does not hold the key it was authenticated by");
  }
  ephemeral_.reset();
  receipt_ = expected;
  dek_ = std::move(keys.s_dek);
  messaging_ = std::make_unique<SecureMessaging>(keys.session, Scp03Mode::s8, kSecurityLevel);
  messaging_->begin(receipt_);
  state_ = State::open;
}

SecureMessaging& Scp11Host::messaging() {
  if (!messaging_) throw Error(Errc::state_error, "SCP11 host: no open session");
  return *messaging_;
}

iso7816::CommandApdu Scp11Host::wrap(const iso7816::CommandApdu& plain) {
  if (state_ != State::open) throw Error(Errc::state_error, "SCP11 host: no open session");
  if (plain.channel() != options_.channel) {
    throw Error(Errc::invalid_argument, "SCP11 host: command for logical channel " + std::to_string(plain.channel()) +
                                            " in a session on channel " + std::to_string(options_.channel));
  }
  return messaging_->wrap_command(plain);
}

iso7816::ResponseApdu Scp11Host::unwrap(const iso7816::ResponseApdu& wire) {
  if (state_ != State::open) throw Error(Errc::state_error, "SCP11 host: no open session");
  try {
    return messaging_->unwrap_response(wire);
  } catch (const Error& error) {
    fail(error.code(), error.what());
  }
}

}  // namespace sefleet::gp::scp11

#include "sim/dk/phone_app.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::sim::dk {

namespace pdk = protocols::dk;

PhoneApp::PhoneApp(PhoneIdentity identity, crypto::Random& random) : identity_(std::move(identity)), random_(random) {
  if (identity_.device_id.size() != pdk::kIdentifierSize || identity_.vehicle_id.size() != pdk::kIdentifierSize) {
    throw Error(Errc::invalid_argument, "phone: device and vehicle ids must be 16 bytes");
  }
}

void PhoneApp::require_ok(const iso7816::ResponseApdu& response, std::string_view command) const {
  if (!response.ok()) {
    throw Error(Errc::protocol_error,
                "phone: " + std::string(command) + " refused: " + iso7816::sw::status_word_name(response.sw));
  }
}

iso7816::CommandApdu PhoneApp::select_command() const {
  return {0x00, pdk::kInsSelect, 0x04, 0x00, Bytes(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end()), 256};
}

HostSteps PhoneApp::on_select_response(const iso7816::ResponseApdu& response) {
  require_ok(response, "SELECT");
  const auto versions = pdk::decode_select_response(response.data);
  if (std::find(versions.begin(), versions.end(), pdk::kProtocolVersion1) == versions.end()) {
    throw Error(Errc::protocol_error, "phone: the vehicle does not offer protocol version 1.0");
  }
  channel_.reset();
  result_.reset();
  ephemeral_.emplace(crypto::P256PrivateKey::generate(random_));
  context_ = {};
  context_.version = pdk::kProtocolVersion1;
  context_.interface_byte = pdk::kInterfaceNfc;
  context_.vehicle_id = identity_.vehicle_id;
  context_.device_id = identity_.device_id;
  context_.transaction_id = random_.bytes(pdk::kTransactionIdSize);
  context_.device_epk_x = ephemeral_->public_key().x();
  return {"parse_response", "ec_keygen", "random", "build_command"};
}

iso7816::CommandApdu PhoneApp::auth0_command() const {
  if (!ephemeral_) throw Error(Errc::state_error, "phone: AUTH0 before SELECT");
  pdk::Auth0Command auth0;
  auth0.version = context_.version;
  auth0.device_epk = ephemeral_->public_uncompressed();
  auth0.transaction_id = context_.transaction_id;
  auth0.device_id = identity_.device_id;
  return {pdk::kClaProprietary, pdk::kInsAuth0, 0x00, pdk::kAuth0TransactionUnlock, pdk::encode_auth0(auth0), 256};
}

HostSteps PhoneApp::on_auth0_response(const iso7816::ResponseApdu& response) {
  require_ok(response, "AUTH0");
  const Bytes vehicle_epk = pdk::decode_auth0_response(response.data);
  const auto point = crypto::P256PublicKey::from_uncompressed(vehicle_epk);  // refuses a point off the curve
  context_.vehicle_epk_x = point.x();
  auth1_data_ = pdk::encode_auth1(crypto::ecdsa_p256_sign(identity_.device_key, pdk::device_auth_data(context_)));
  // The session keys are derived when the AUTH1 response needs them.
  vehicle_epk_.emplace(std::move(vehicle_epk));
  return {"parse_response", "sign", "build_command"};
}

iso7816::CommandApdu PhoneApp::auth1_command() const {
  if (auth1_data_.empty()) throw Error(Errc::state_error, "phone: AUTH1 before AUTH0");
  return {pdk::kClaProprietary, pdk::kInsAuth1, 0x00, 0x00, auth1_data_, 256};
}

HostSteps PhoneApp::on_auth1_response(const iso7816::ResponseApdu& response, pdk::DoorCommand door) {
  require_ok(response, "AUTH1");
  if (!vehicle_epk_) throw Error(Errc::state_error, "phone: AUTH1 response before AUTH0");
  const auto vehicle_point = crypto::P256PublicKey::from_uncompressed(*vehicle_epk_);
  const SecretBytes z = crypto::ecdh_p256(*ephemeral_, vehicle_point);
  const SecretBytes kdh = pdk::derive_kdh(crypto_, z.view(), context_.transaction_id);
  channel_.emplace(pdk::derive_session_keys(crypto_, kdh.view(), context_));
  const pdk::Auth1Plain plain = pdk::decode_auth1_plain(channel_->unwrap_response(crypto_, response.data, response.sw));
  if (!crypto::ecdsa_p256_verify(identity_.vehicle_public_key, pdk::vehicle_auth_data(context_),
                                 plain.vehicle_signature)) {
    channel_.reset();
    throw Error(Errc::protocol_error, "phone: the vehicle's signature does not verify (not our vehicle)");
  }
  ephemeral_.reset();
  auth1_plain_ = plain;
  exchange_data_ = channel_->wrap_command(crypto_, pdk::kClaSecureMessaging, pdk::kInsExchange, 0x00, 0x00,
                                          pdk::encode_exchange_request(door));
  return {"ecdh",    "kdf", "verify_mac",   "decrypt", "parse_response", "verify_signature",
          "encrypt", "mac", "build_command"};
}

iso7816::CommandApdu PhoneApp::exchange_command() const {
  if (exchange_data_.empty()) throw Error(Errc::state_error, "phone: EXCHANGE before AUTH1");
  return {pdk::kClaSecureMessaging, pdk::kInsExchange, 0x00, 0x00, exchange_data_, 256};
}

HostSteps PhoneApp::on_exchange_response(const iso7816::ResponseApdu& response) {
  require_ok(response, "EXCHANGE");
  result_ = pdk::decode_exchange_response(channel_->unwrap_response(crypto_, response.data, response.sw));
  return {"verify_mac", "decrypt", "parse_response", "build_command"};
}

iso7816::CommandApdu PhoneApp::control_flow_command() const {
  const std::uint8_t p1 = result_ ? pdk::kControlFlowSuccess : pdk::kControlFlowFailure;
  return {pdk::kClaProprietary, pdk::kInsControlFlow, p1, 0x00};
}

HostSteps PhoneApp::on_control_flow_response(const iso7816::ResponseApdu& response) {
  require_ok(response, "CONTROL FLOW");
  channel_.reset();
  auth1_data_.clear();
  exchange_data_.clear();
  vehicle_epk_.reset();
  return {"parse_response"};
}

}  // namespace sefleet::sim::dk

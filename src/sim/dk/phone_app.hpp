// The phone of the digital-key scenario (app1, the host application): it holds
// the device key pair enrolled in the vehicle and the vehicle's public key, builds every C-APDU of a
// transaction and checks every R-APDU (vehicle signature, secure-messaging MACs, decryption). No I/O:
// the scenario driver carries the bytes through the reader, the bus and the ECU to the SE.
//
// Each on_*_response() also says which host steps (HostProfile vocabulary) the phone performed to
// process that response and build the next command: the driver turns them into the HPT.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "iso7816/apdu.hpp"
#include "protocols/digital_key/dk_protocol.hpp"

namespace sefleet::sim::dk {

struct PhoneIdentity {
  Bytes device_id;                    // 16 bytes, enrolled in the vehicle
  crypto::P256PrivateKey device_key;  // long-term signing key (its public half is enrolled)
  Bytes vehicle_id;                   // 16 bytes
  crypto::P256PublicKey vehicle_public_key;
};

// Host steps (names from sim/timing/host_profile.hpp kHostSteps) done after a response.
using HostSteps = std::vector<std::string_view>;

class PhoneApp {
 public:
  // `random` draws the ephemeral keys and transaction ids (DeterministicRandom for reproducible runs).
  PhoneApp(PhoneIdentity identity, crypto::Random& random);

  iso7816::CommandApdu select_command() const;
  // Checks 9000 and that version 1 is offered; then prepares AUTH0 (ephemeral key, transaction id).
  HostSteps on_select_response(const iso7816::ResponseApdu& response);
  iso7816::CommandApdu auth0_command() const;
  // Keeps the vehicle ePK and signs the device authentication data for AUTH1.
  HostSteps on_auth0_response(const iso7816::ResponseApdu& response);
  iso7816::CommandApdu auth1_command() const;
  // ECDH + key schedule, checks the R-MAC, decrypts, verifies the vehicle's signature; prepares the
  // EXCHANGE carrying `door`. Throws Error(protocol_error / integrity_error) naming what failed.
  HostSteps on_auth1_response(const iso7816::ResponseApdu& response, protocols::dk::DoorCommand door);
  iso7816::CommandApdu exchange_command() const;
  HostSteps on_exchange_response(const iso7816::ResponseApdu& response);
  iso7816::CommandApdu control_flow_command() const;
  HostSteps on_control_flow_response(const iso7816::ResponseApdu& response);

  // After a successful EXCHANGE: what the vehicle reported.
  const std::optional<protocols::dk::ExchangeResult>& exchange_result() const noexcept { return result_; }
  // After a successful AUTH1: what the vehicle sent under secure messaging (its signature, verified,
  // and the key slot), to compare two vehicles whose signatures need not be byte-identical.
  const std::optional<protocols::dk::Auth1Plain>& auth1_plain() const noexcept { return auth1_plain_; }

 private:
  void require_ok(const iso7816::ResponseApdu& response, std::string_view command) const;

  PhoneIdentity identity_;
  crypto::Random& random_;
  protocols::dk::HostDkCrypto crypto_;
  std::optional<crypto::P256PrivateKey> ephemeral_;
  protocols::dk::TransactionContext context_;
  std::optional<Bytes> vehicle_epk_;
  Bytes auth1_data_;
  std::optional<protocols::dk::SecureChannel> channel_;
  Bytes exchange_data_;
  std::optional<protocols::dk::ExchangeResult> result_;
  std::optional<protocols::dk::Auth1Plain> auth1_plain_;
};

}  // namespace sefleet::sim::dk

// The sefleet digital-key protocol ("SFDK v1"), shared by the vehicle applet (app2, in SE2 of the car
// ECU) and the phone (app1, the host that sends the APDUs, docs/digital-key.md).
//
// It is our own protocol, modelled on the public descriptions of the car-key standard transaction,
// not a copy of any member-only specification. The phone is the host and the vehicle's SE answers.
//
//   SELECT   00 A4 04 00 <AID>            -> 5C <versions, 2 B each, highest first>
//   AUTH0    80 80 00 01 5C ver 87 device ePK(65) 4C transaction id(16) 4D device id(16)
//                                         -> 86 vehicle ePK(65)
//   AUTH1    80 81 00 00 9E device signature(64, r||s over device_auth_data)
//                                         -> SM(9E vehicle signature over vehicle_auth_data, 4E key slot)
//   EXCHANGE 84 C9 00 00 SM(C1 door command)  -> SM(C2 door state, C3 transaction counter)
//   CONTROL FLOW 80 3C P1 P2 (P1 01 success / 00 failure, P2 step) -> 9000, ends the session
//
// Key schedule (both sides): Z = ECDH(own eSK, peer ePK).x; Kdh = X9.63-KDF-SHA256(Z, transaction id,
// 32); Kenc||Kmac||Krmac = HKDF-SHA256(Kdh, no salt, info("Volatile"), 48); Kpersistent =
// HKDF-SHA256(Kdh, no salt, info("Persistent"), 32), with info = vehicle ePK.x || device ePK.x ||
// transaction id || interface || label || 5C 02 version.
//
// Secure messaging (SCP03-like): AES-128-CBC over ISO 9797-1 method-2 padded data with ICV =
// AES(Kenc, 00..00||counter) for commands and AES(Kenc, 80 00..||counter) for responses; an 8-byte
// AES-CMAC with a 16-byte chaining value: C-MAC = CMAC(Kmac, chain || CLA INS P1 P2 Lc || cipher),
// chain = full C-MAC; R-MAC = CMAC(Krmac, chain || cipher || SW). The AUTH1 response is the first
// wrapped response (chain = 16 zero bytes, response counter 1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"

namespace sefleet::protocols::dk {

// F0 = proprietary, non-registered RID category (ISO/IEC 7816-5): "SFDK" + version 01.
inline constexpr std::array<std::uint8_t, 7> kVehicleKeyAid = {0xF0, 0x53, 0x46, 0x44, 0x4B, 0x76, 0x01};
inline constexpr std::uint16_t kProtocolVersion1 = 0x0100;

inline constexpr std::uint8_t kClaProprietary = 0x80;
inline constexpr std::uint8_t kClaSecureMessaging = 0x84;
inline constexpr std::uint8_t kInsSelect = 0xA4;
inline constexpr std::uint8_t kInsAuth0 = 0x80;
inline constexpr std::uint8_t kInsAuth1 = 0x81;
inline constexpr std::uint8_t kInsExchange = 0xC9;
inline constexpr std::uint8_t kInsControlFlow = 0x3C;

inline constexpr std::uint8_t kAuth0TransactionUnlock = 0x01;  // P2 of AUTH0: transaction type
inline constexpr std::uint8_t kControlFlowFailure = 0x00;      // P1 of CONTROL FLOW
inline constexpr std::uint8_t kControlFlowSuccess = 0x01;

inline constexpr std::uint8_t kTagVersion = 0x5C;
inline constexpr std::uint8_t kTagVehicleEpk = 0x86;
inline constexpr std::uint8_t kTagDeviceEpk = 0x87;
inline constexpr std::uint8_t kTagTransactionId = 0x4C;
inline constexpr std::uint8_t kTagDeviceId = 0x4D;
inline constexpr std::uint8_t kTagVehicleId = 0x4F;
inline constexpr std::uint8_t kTagSignature = 0x9E;
inline constexpr std::uint8_t kTagKeySlot = 0x4E;
inline constexpr std::uint8_t kTagUsage = 0x93;
inline constexpr std::uint8_t kTagDoorCommand = 0xC1;
inline constexpr std::uint8_t kTagDoorState = 0xC2;
inline constexpr std::uint8_t kTagTransactionCounter = 0xC3;

inline constexpr std::size_t kTransactionIdSize = 16;
inline constexpr std::size_t kIdentifierSize = 16;
inline constexpr std::size_t kSmMacSize = 8;
inline constexpr std::uint8_t kInterfaceNfc = 0x5E;  // bound into the key schedule
inline constexpr std::uint8_t kInterfaceBle = 0xC3;

// Our own domain-separation constants for the two signatures ("SFD" + 'D'evice / 'V'ehicle).
inline constexpr std::uint32_t kDeviceUsage = 0x53464444;
inline constexpr std::uint32_t kVehicleUsage = 0x53464456;

enum class DoorCommand : std::uint8_t { unlock = 0x01, lock = 0x02 };
enum class DoorState : std::uint8_t { locked = 0x00, unlocked = 0x01 };
std::string_view door_state_name(DoorState state) noexcept;

// --- messages (decode_* throw Error(Errc::parse_error) naming the field) ---------------------------

Bytes encode_select_response(const std::vector<std::uint16_t>& versions);
std::vector<std::uint16_t> decode_select_response(ByteView data);

struct Auth0Command {
  std::uint16_t version = kProtocolVersion1;
  Bytes device_epk;      // 65-byte uncompressed point
  Bytes transaction_id;  // 16 bytes
  Bytes device_id;       // 16 bytes
};
Bytes encode_auth0(const Auth0Command& command);
Auth0Command decode_auth0(ByteView data);

Bytes encode_auth0_response(ByteView vehicle_epk);
Bytes decode_auth0_response(ByteView data);  // the vehicle ePK

Bytes encode_auth1(ByteView device_signature);
Bytes decode_auth1(ByteView data);  // the device signature (64 bytes)

struct Auth1Plain {
  Bytes vehicle_signature;  // 64 bytes
  std::uint8_t key_slot = 0;
};
Bytes encode_auth1_plain(const Auth1Plain& plain);
Auth1Plain decode_auth1_plain(ByteView data);

Bytes encode_exchange_request(DoorCommand command);
DoorCommand decode_exchange_request(ByteView data);

struct ExchangeResult {
  DoorState state = DoorState::locked;
  std::uint32_t transaction_counter = 0;
};
Bytes encode_exchange_response(const ExchangeResult& result);
ExchangeResult decode_exchange_response(ByteView data);

// --- what the signatures cover ----------------------------------------------------------------------

struct TransactionContext {
  std::uint16_t version = kProtocolVersion1;
  std::uint8_t interface_byte = kInterfaceNfc;
  Bytes vehicle_id;      // 16 bytes, known to the phone from enrollment
  Bytes device_id;       // 16 bytes
  Bytes vehicle_epk_x;   // 32 bytes
  Bytes device_epk_x;    // 32 bytes
  Bytes transaction_id;  // 16 bytes
};
// 4F vehicle id || 4D device id || 86 vehicle ePK.x || 87 device ePK.x || 4C transaction id || 93 usage
Bytes device_auth_data(const TransactionContext& context);
Bytes vehicle_auth_data(const TransactionContext& context);

// --- key schedule and secure messaging over a crypto backend ---------------------------------------

// The operations the shared code needs. The applet implements it over the runtime's charged crypto,
// the phone over the plain crypto wrappers (HostDkCrypto), so both sides run the same code.
class DkCrypto {
 public:
  virtual ~DkCrypto() = default;
  virtual SecretBytes x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length) = 0;
  virtual SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) = 0;
  virtual Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) = 0;
  virtual Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) = 0;
  virtual crypto::Mac16 cmac(ByteView key, ByteView data) = 0;

 protected:
  DkCrypto() = default;
  DkCrypto(const DkCrypto&) = default;
  DkCrypto& operator=(const DkCrypto&) = default;
};

class HostDkCrypto final : public DkCrypto {
 public:
  SecretBytes x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length) override;
  SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) override;
  Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) override;
  Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) override;
  crypto::Mac16 cmac(ByteView key, ByteView data) override;
};

struct SessionKeys {
  SecretBytes kenc, kmac, krmac;  // 16 bytes each
};

SecretBytes derive_kdh(DkCrypto& crypto, ByteView z, ByteView transaction_id);
SessionKeys derive_session_keys(DkCrypto& crypto, ByteView kdh, const TransactionContext& context);
SecretBytes derive_persistent_key(DkCrypto& crypto, ByteView kdh, const TransactionContext& context);

// One side of the secure channel opened by AUTH1. Both sides keep a command counter, a response
// counter and the MAC chaining value; a replayed or altered message fails its MAC because the chain
// and the counters have moved on.
class SecureChannel {
 public:
  explicit SecureChannel(SessionKeys keys);

  // Phone side. The returned bytes are the command data field (cipher || C-MAC).
  Bytes wrap_command(DkCrypto& crypto, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
                     ByteView plain);
  // Throws Error(Errc::integrity_error) for a wrong R-MAC or padding.
  Bytes unwrap_response(DkCrypto& crypto, ByteView data, std::uint16_t sw);

  // Vehicle side. nullopt (and the reason) for a wrong C-MAC, length or padding.
  std::optional<Bytes> unwrap_command(DkCrypto& crypto, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                                      std::uint8_t p2, ByteView data, std::string* reason = nullptr);
  Bytes wrap_response(DkCrypto& crypto, ByteView plain, std::uint16_t sw);

  std::uint32_t command_counter() const noexcept { return command_counter_; }
  std::uint32_t response_counter() const noexcept { return response_counter_; }

 private:
  Bytes icv(DkCrypto& crypto, std::uint8_t first_byte, std::uint32_t counter);
  static Bytes mac_input_command(ByteView chain, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
                                 ByteView cipher);

  SessionKeys keys_;
  Bytes chain_;
  std::uint32_t command_counter_ = 0;
  std::uint32_t response_counter_ = 0;
};

}  // namespace sefleet::protocols::dk

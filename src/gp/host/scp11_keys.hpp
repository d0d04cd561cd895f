// SCP11 key management from the host (GPCS Amd F §7.1, with the bytes yubikit's SecurityDomainSession
// sends): PUT KEY of an SD key pair (KID 11/13/15, the private scalar encrypted under the session's
// DEK) or of a CA / OCE public key (KID 10, 20..2F), DELETE of such keys, and STORE DATA of the
// certificate store of an SD key, the allowlist of a CA key or the CA issuer identifier of a key.
// Transport-free encoders; GpSession sends them (gp_session.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

// KID 11 (SCP11a), 13 (SCP11b), 15 (SCP11c): an SD key pair PK/SK.SD.ECKA.
bool is_scp11_sd_kid(std::uint8_t kid) noexcept;
// KID 10 (PK.CA-KLOC.ECDSA) or 20..2F (OCE keys): a public key the card verifies with.
bool is_scp11_ca_kid(std::uint8_t kid) noexcept;

// Where an ECC key goes: its KID and the version it gets; `replace_kvn` 00 adds, otherwise the
// version of the key (same KID) it replaces.
struct EcKeyReference {
  std::uint8_t kid = 0;
  std::uint8_t kvn = 0;
  std::uint8_t replace_kvn = 0x00;
};

// 80 D8 replace KID  KVN B1 20 <AES-CBC(dek, IV 0, scalar)> F0 01 00 00 (P-256). Throws
// Error(Errc::invalid_argument) for a KID that is not an SD key, a KVN outside 01..7F, a scalar that
// is not 32 bytes or a DEK that is not an AES key.
iso7816::CommandApdu make_put_sd_key_pair(const EcKeyReference& where, const SecretBytes& scalar,
                                          const SecretBytes& dek);
// 80 D8 replace KID  KVN B0 41 <point> F0 01 00 00. Throws Error(Errc::invalid_argument) for a KID
// that is not a CA / OCE key, a bad KVN or a point that is not an uncompressed P-256 point.
iso7816::CommandApdu make_put_ca_key(const EcKeyReference& where, ByteView point);
// The card answers PUT KEY of an ECC key with the new KVN alone; throws Error(Errc::protocol_error).
void verify_put_ec_key_response(const EcKeyReference& where, ByteView response_data);

// 80 E4 00 P2  [D0 01 KID] [D2 01 KVN]: every key matching both (at least one is required:
// Error(Errc::invalid_argument)). P2 = 01 lets the card delete the last key of its kind.
iso7816::CommandApdu make_delete_keys(std::optional<std::uint8_t> kid, std::optional<std::uint8_t> kvn,
                                      bool delete_last = false);

// 00 E2 90 00  A6 {83 {KID KVN}} BF21 {certificates one after the other, leaf last}.
iso7816::CommandApdu make_store_certificates(std::uint8_t kid, std::uint8_t kvn,
                                             const std::vector<Bytes>& certificates);
// 00 E2 90 00  A6 {83 {KID KVN}} 70 {93 {serial} ...}: a serial whose first byte has the high bit
// set gets a leading 00 (a positive INTEGER, as in the certificates). An empty list clears it.
// Throws Error(Errc::invalid_argument) for an empty serial.
iso7816::CommandApdu make_store_allowlist(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& serials);
// 00 E2 90 00  A6 {80 {00|01} 42 {identifier} 83 {KID KVN}}: the identifier (subject key identifier)
// of the CA behind key KID/KVN, which the card lists with GET DATA FF33 (80 = 00, KLOC: the CA of OCE
// certificates, for a CA / OCE key) or FF34 (80 = 01, KLCC: the CA of the card's certificate, for an
// SD key pair), as yubikit chooses 80 from the KID. Throws Error(Errc::invalid_argument) for an
// empty identifier or one longer than 127 bytes.
iso7816::CommandApdu make_store_ca_issuer(std::uint8_t kid, std::uint8_t kvn, ByteView identifier);

}  // namespace sefleet::gp::host

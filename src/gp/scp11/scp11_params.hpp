// Vocabulary of GlobalPlatform SCP11 (Card Specification v2.3 Amendment F) shared by the host and the
// card role: the three variants and their key identifiers, the key agreement parameters the host
// proposes in MUTUAL / INTERNAL AUTHENTICATE, and the encoding of that command's data field and of its
// response.
//
//   command data  = A6 { 90 {11 pp} 95 {key usage} 80 {key type} 81 {key length} [84 {host id}] }
//                   5F49 { ePK.OCE.ECKA, uncompressed P-256 point }
//   response data = 5F49 { ePK.SD.ECKA } 86 { receipt, 16 bytes }
//
// pp is 00 for SCP11b, 01 for SCP11a, 03 for SCP11c. Only the values this implementation runs are
// accepted: key usage 3C (C-MAC, R-MAC, C-ENC, R-ENC), key type 88 (AES) and key length 10, 18 or 20.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::gp::scp11 {

enum class Variant { a, b, c };

// Key identifiers of the SD's SCP11 key pairs (Amd F Table 4-1) and of the OCE's CA key.
inline constexpr std::uint8_t kKidScp11a = 0x11;
inline constexpr std::uint8_t kKidScp11b = 0x13;
inline constexpr std::uint8_t kKidScp11c = 0x15;
inline constexpr std::uint8_t kKidOceCa = 0x10;              // PK.CA-KLOC.ECDSA
inline constexpr std::uint8_t kKidFirstAdditionalCa = 0x20;  // 20..2F: further CA / OCE keys
inline constexpr std::uint8_t kKidLastAdditionalCa = 0x2F;

inline constexpr std::uint8_t kInsPerformSecurityOperation = 0x2A;
inline constexpr std::uint8_t kInsMutualAuthenticate = 0x82;
inline constexpr std::uint8_t kInsInternalAuthenticate = 0x88;

inline constexpr std::uint8_t kScpIdentifier = 0x11;
inline constexpr std::uint8_t kKeyUsageSecureMessaging = 0x3C;  // C-MAC, R-MAC, C-ENC, R-ENC
inline constexpr std::uint8_t kKeyTypeAes = 0x88;
inline constexpr std::size_t kReceiptSize = 16;

// Tags of the authenticate data.
inline constexpr std::uint32_t kTagControlReference = 0xA6;
inline constexpr std::uint32_t kTagScpParameters = 0x90;
inline constexpr std::uint32_t kTagKeyUsage = 0x95;
inline constexpr std::uint32_t kTagKeyType = 0x80;
inline constexpr std::uint32_t kTagKeyLength = 0x81;
inline constexpr std::uint32_t kTagHostId = 0x84;
inline constexpr std::uint32_t kTagEphemeralKey = 0x5F49;
inline constexpr std::uint32_t kTagReceipt = 0x86;

std::uint8_t key_id(Variant variant) noexcept;
std::optional<Variant> variant_of_key_id(std::uint8_t kid) noexcept;
// The second byte of tag 90: 01 (a), 00 (b), 03 (c).
std::uint8_t scp_parameter(Variant variant) noexcept;
std::optional<Variant> variant_of_parameter(std::uint8_t parameter) noexcept;
// "SCP11a", "SCP11b", "SCP11c".
std::string variant_name(Variant variant);
// "11a" / "a" style names (case-insensitive, with or without "scp"); nullopt for anything else.
std::optional<Variant> parse_variant(std::string_view name);
// Whether the variant authenticates the OCE with a certificate chain (a and c).
inline bool authenticates_oce(Variant variant) noexcept {
  return variant != Variant::b;
}

struct KeyAgreementParams {
  Variant variant = Variant::b;
  std::uint8_t key_usage = kKeyUsageSecureMessaging;
  std::uint8_t key_type = kKeyTypeAes;
  std::uint8_t key_length = 16;  // bytes of each session key: 16, 24 or 32
  Bytes host_id;                 // tag 84, optional (empty: absent)
};

// Checks the values against the ones supported (see the header comment); throws Error(Errc::unsupported).
void check_supported(const KeyAgreementParams& params);

struct AuthenticateRequest {
  KeyAgreementParams params;
  Bytes ephemeral_oce_key;  // ePK.OCE.ECKA, 65 bytes
};

Bytes encode_authenticate_data(const AuthenticateRequest& request);
// Throws Error(Errc::parse_error) for a malformed field (missing object, wrong length, not a P-256
// point) and Error(Errc::unsupported) for well-formed parameters this implementation does not run.
AuthenticateRequest parse_authenticate_data(ByteView data);

struct AuthenticateResponse {
  Bytes ephemeral_sd_key;  // ePK.SD.ECKA (the static PK.SD.ECKA in SCP11c), 65 bytes
  Bytes receipt;           // 16 bytes
};

Bytes encode_authenticate_response(const AuthenticateResponse& response);
// Throws Error(Errc::protocol_error) for a response that is not exactly 5F49 (65 bytes) 86 (16 bytes).
AuthenticateResponse parse_authenticate_response(ByteView data);

// The 5F49 TLV of a point (the part of the response the receipt covers).
Bytes ephemeral_key_tlv(ByteView point);

}  // namespace sefleet::gp::scp11

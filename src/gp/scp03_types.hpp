// Vocabulary of GlobalPlatform SCP03 (Amendment D) shared by the host and the card role: the S8/S16
// mode, the "i" parameter, security levels, and the INITIALIZE UPDATE response layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"

namespace sefleet::gp {

// S8: 8-byte challenges, cryptograms and MACs. S16 (Amd D v1.2, i.b1 = 1): 16-byte ones.
enum class Scp03Mode { s8, s16 };

inline constexpr std::size_t half_block_size(Scp03Mode mode) {
  return mode == Scp03Mode::s8 ? 8 : 16;
}
std::string mode_name(Scp03Mode mode);

// INS codes of the SCP03 commands.
inline constexpr std::uint8_t kInsInitializeUpdate = 0x50;
inline constexpr std::uint8_t kInsExternalAuthenticate = 0x82;

// The "i" parameter (Amd D Table 5-1 plus v1.2's S16 bit).
namespace iparam {
inline constexpr std::uint8_t kS16 = 0x01;
inline constexpr std::uint8_t kPseudoRandomChallenge = 0x10;
inline constexpr std::uint8_t kRMac = 0x20;
inline constexpr std::uint8_t kREnc = 0x40;  // only together with kRMac
}  // namespace iparam

// True for the i values this implementation understands: b8 and b4..b2 clear, R-ENC only with R-MAC.
bool is_valid_i_parameter(std::uint8_t i) noexcept;
inline Scp03Mode mode_of(std::uint8_t i) {
  return (i & iparam::kS16) != 0 ? Scp03Mode::s16 : Scp03Mode::s8;
}

// Security level, P1 of EXTERNAL AUTHENTICATE (Amd D Table 7-3).
namespace level {
inline constexpr std::uint8_t kAuthenticated = 0x00;
inline constexpr std::uint8_t kCMac = 0x01;
inline constexpr std::uint8_t kCDecryption = 0x02;
inline constexpr std::uint8_t kRMac = 0x10;
inline constexpr std::uint8_t kREncryption = 0x20;
inline constexpr std::uint8_t kAuthenticatedBit = 0x80;  // in the Current Security Level only
}  // namespace level

// 00, 01, 03, 11, 13, 33.
bool is_valid_security_level(std::uint8_t security_level) noexcept;
// Whether a card with parameter `i` can run `security_level` (R-MAC/R-ENC need the matching i bits).
bool i_supports_level(std::uint8_t i, std::uint8_t security_level) noexcept;

// The AID of the GlobalPlatform Issuer Security Domain, the usual invoking AID of the SD's own channel.
inline const Bytes& isd_aid() {
  static const Bytes aid{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
  return aid;
}

inline constexpr std::uint32_t kMaxSequenceCounter = 0xFFFFFF;
inline constexpr std::size_t kKddSize = 10;

// The data field of a successful INITIALIZE UPDATE response (Amd D Table 7-2).
struct InitializeUpdateResponse {
  Bytes key_diversification_data;  // 10 bytes
  std::uint8_t kvn = 0;
  std::uint8_t scp_id = 0x03;
  std::uint8_t i = 0;
  Bytes card_challenge;                           // 8 or 16
  Bytes card_cryptogram;                          // 8 or 16
  std::optional<std::uint32_t> sequence_counter;  // present iff i has the pseudo-random bit

  Scp03Mode mode() const { return mode_of(i); }
  Bytes encode() const;
  // Checks the length against the "i" it carries (29/32 bytes in S8, 45/48 in S16) and the SCP id.
  // Throws Error(Errc::protocol_error) naming the problem.
  static InitializeUpdateResponse parse(ByteView data);
};

}  // namespace sefleet::gp

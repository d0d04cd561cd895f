// Status words used across the project (ISO/IEC 7816-4 and GlobalPlatform). status_word_name()
// gives a human-readable name for any status word.
#pragma once

#include <cstdint>
#include <string>

namespace sefleet::iso7816::sw {

inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kWarningNoInfo = 0x6200;
inline constexpr std::uint16_t kVerificationFailed = 0x6300;  // GP: authentication of host cryptogram failed
inline constexpr std::uint16_t kMemoryFailure = 0x6581;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kLogicalChannelNotSupported = 0x6881;
inline constexpr std::uint16_t kSecureMessagingNotSupported = 0x6882;
inline constexpr std::uint16_t kLastCommandOfChainExpected = 0x6883;
inline constexpr std::uint16_t kChainingNotSupported = 0x6884;
inline constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
inline constexpr std::uint16_t kAuthenticationMethodBlocked = 0x6983;
inline constexpr std::uint16_t kReferenceDataNotUsable = 0x6984;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kCommandNotAllowed = 0x6986;
inline constexpr std::uint16_t kSmDataObjectsMissing = 0x6987;
inline constexpr std::uint16_t kSmDataObjectsIncorrect = 0x6988;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kRecordNotFound = 0x6A83;
inline constexpr std::uint16_t kNotEnoughMemory = 0x6A84;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kLcInconsistentWithP1P2 = 0x6A87;
inline constexpr std::uint16_t kReferencedDataNotFound = 0x6A88;
inline constexpr std::uint16_t kWrongP1P2 = 0x6B00;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kUnknown = 0x6F00;

// 61xx: xx more bytes available with GET RESPONSE; 6Cxx: wrong Le, xx is the exact length.
constexpr bool is_bytes_remaining(std::uint16_t sw) {
  return (sw & 0xFF00) == 0x6100;
}
constexpr bool is_wrong_le(std::uint16_t sw) {
  return (sw & 0xFF00) == 0x6C00;
}
// 9000, 62xx and 63xx: the responses GlobalPlatform secure messaging protects (R-MAC/R-ENC).
constexpr bool is_success_or_warning(std::uint16_t sw) {
  return sw == kOk || (sw & 0xFF00) == 0x6200 || (sw & 0xFF00) == 0x6300;
}

// "6982 security status not satisfied"-style description; unknown values get a class description.
std::string status_word_name(std::uint16_t sw);

}  // namespace sefleet::iso7816::sw

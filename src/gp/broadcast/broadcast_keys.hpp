// Key material of profile 3 (broadcast-channel.md §3, §5.1 C2, §5.4 C8) and the integrity code of
// both profiles:
//   wrapped BK      = AES-KW(Kos, BK-ENC ‖ BK-MAC)      (RFC 3394; 40, 56 or 72 bytes)
//   integrity code  = AES-CMAC(key, DATASEND)          (16 bytes; key = BK-MAC in profile 3, Kmac in 4)
//   wrapped code    = AES-KW(Kos, integrity code)       (24 bytes, profile 3 only)
// The design system wraps; the SE unwraps. Nothing between them can read BK or forge the code.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::gp::broadcast {

inline constexpr std::size_t kIntegrityCodeSize = 16;
inline constexpr std::size_t kWrappedIntegrityCodeSize = 24;

struct BroadcastKeys {
  SecretBytes enc;  // BK-ENC
  SecretBytes mac;  // BK-MAC, same length as BK-ENC
};

// Throws Error(Errc::invalid_argument) unless both keys are AES keys (16/24/32) of the same length.
void check_broadcast_keys(const BroadcastKeys& keys);

// BK-ENC ‖ BK-MAC in clear (the C2 value of profile 4), and its inverse. split_broadcast_keys throws
// Error(Errc::invalid_argument) unless the input is 32, 48 or 64 bytes.
SecretBytes join_broadcast_keys(const BroadcastKeys& keys);
BroadcastKeys split_broadcast_keys(ByteView joined);

// AES-KW(Kos, BK-ENC ‖ BK-MAC). Throws Error(Errc::invalid_argument) for bad keys or a bad Kos.
Bytes wrap_broadcast_keys(ByteView kos, const BroadcastKeys& keys);
// Throws Error(Errc::integrity_error) when the unwrap fails (wrong Kos, altered data, wrong length) or
// yields anything but 32, 48 or 64 bytes; Error(Errc::invalid_argument) for a Kos of the wrong size.
BroadcastKeys unwrap_broadcast_keys(ByteView kos, ByteView wrapped);

// AES-CMAC(key, DATASEND), 16 bytes. Throws Error(Errc::invalid_argument) for a key of the wrong size.
Bytes integrity_code(ByteView key, ByteView datasend);
// Recomputes the code and compares it in constant time; false on any mismatch, including a wrong length.
bool integrity_code_matches(ByteView key, ByteView datasend, ByteView expected);

// AES-KW(Kos, code). Throws Error(Errc::invalid_argument) unless the code is 16 bytes.
Bytes wrap_integrity_code(ByteView kos, ByteView code);
// Throws Error(Errc::integrity_error) unless `wrapped` is 24 bytes that unwrap under Kos.
Bytes unwrap_integrity_code(ByteView kos, ByteView wrapped);

}  // namespace sefleet::gp::broadcast

// The wire format shared by vpcd (vsmartcard's virtual reader in pcscd) and sefleet's own TCP card
// server: every message is a 2-byte big-endian length followed by that many payload bytes, in both
// directions. A 1-byte payload from the host is a control message; anything longer is a C-APDU.
// Pure functions, no I/O (frame_io.hpp puts them on a socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"

namespace sefleet::transport::framing {

inline constexpr std::size_t kHeaderSize = 2;
inline constexpr std::size_t kMaxPayload = 0xFFFF;

// Control bytes (vpcd.h of vsmartcard: VPCD_CTRL_OFF/ON/RESET/ATR). 03 is not defined.
enum class Control : std::uint8_t { power_off = 0x00, power_on = 0x01, reset = 0x02, atr = 0x04 };

std::string control_name(Control control);

// Header + payload in one buffer, so that a message always leaves in a single write.
// Throws Error(Errc::invalid_argument) when the payload exceeds 0xFFFF bytes.
Bytes encode(ByteView payload);
Bytes encode_control(Control control);

// Appends the encoding of `payload` to `out` (for several messages in one write).
void append_frame(Bytes& out, ByteView payload);

// The payload length announced by a 2-byte header. Throws Error(Errc::invalid_argument) when
// header.size() != 2.
std::size_t payload_length(ByteView header);

// What a host -> card payload means.
struct HostMessage {
  enum class Kind { control, command, invalid };
  Kind kind = Kind::invalid;
  Control control = Control::power_off;  // when kind == control
  std::string problem;                   // when kind == invalid: why, for the log
};

// Classifies a payload received by the card: empty -> invalid (vpcd never sends one; it is the card
// -> host "removed" signal), 1 byte -> control (an undefined control byte is invalid), else command.
HostMessage classify(ByteView payload);

}  // namespace sefleet::transport::framing

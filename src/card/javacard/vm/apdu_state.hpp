// The state of javacard.framework.APDU for the command being processed: what the applet received
// into the APDU buffer, what it sent, and the state machine of the Java Card API (STATE_INITIAL ..
// STATE_FULL_OUTGOING). The bytes the applet sends are collected here and become the response data
// the runtime delivers (with 61xx / GET RESPONSE when they exceed Ne).
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card::javacard::vm {

// APDU.STATE_* values.
namespace apdu_state {
inline constexpr std::int8_t kInitial = 0;
inline constexpr std::int8_t kPartialIncoming = 1;
inline constexpr std::int8_t kFullIncoming = 2;
inline constexpr std::int8_t kOutgoing = 3;
inline constexpr std::int8_t kOutgoingLengthKnown = 4;
inline constexpr std::int8_t kPartialOutgoing = 5;
inline constexpr std::int8_t kFullOutgoing = 6;
}  // namespace apdu_state

// APDU buffer sizes: 5 header bytes + 255 data + Le for short APDUs (applets may rely on 261 as real
// cards offer it); the longest short-indexable array for applets that implement ExtendedLength.
inline constexpr std::int32_t kApduBufferSize = 261;
inline constexpr std::int32_t kExtendedApduBufferSize = 32767;

struct ApduState {
  const iso7816::CommandApdu* command = nullptr;
  std::uint8_t channel = 0;
  bool extended = false;         // the command was sent with extended length fields
  bool extended_applet = false;  // the applet implements ExtendedLength (larger buffer, lengths > 256)
  std::int32_t nc = 0;           // data field length
  std::int32_t ne = 0;           // 0: no Le; 256 short 00; 65536 extended 0000
  std::int32_t received = 0;     // data bytes moved into the buffer so far
  std::int8_t state = apdu_state::kInitial;
  bool incoming = false;           // setIncomingAndReceive() was called
  bool no_chaining = false;        // setOutgoingNoChaining()
  std::int32_t outgoing_left = 0;  // bytes still to send after setOutgoingLength()
  Bytes response;                  // bytes sent so far

  std::int32_t offset_cdata() const noexcept { return extended ? 7 : 5; }
};

}  // namespace sefleet::card::javacard::vm

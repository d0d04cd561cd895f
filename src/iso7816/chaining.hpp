// Host-side ISO/IEC 7816-4 exchange helpers, transport-free: command chaining (§5.3.3, CLA b5),
// response continuation with GET RESPONSE after 61xx, and the re-send after 6Cxx (wrong Le).
// The caller supplies one function that sends one APDU and returns its response (PC/SC, TCP, an
// in-process card, or a fake in tests); these helpers never do I/O themselves.
//
// Decisions:
//  - Chaining uses the interindustry classes only (CLA 00..7F: b5 is "command chaining control" in both
//    first and further interindustry coding). For proprietary classes (80..FE) the meaning of b5 is the
//    class owner's, and FF is invalid, so split_for_chaining refuses them with Error(invalid_argument).
//  - Every link is a short APDU; the last one carries the original CLA and Le (capped at 256, the
//    short-form maximum: more data then arrives through 61xx / GET RESPONSE).
//  - GET RESPONSE is sent as 00 C0 00 00 xx in the interindustry class on the command's logical
//    channel, without secure messaging (it fetches bytes the card already produced).
//  - A card that keeps answering 61xx or 6Cxx cannot hold the host forever: the number of GET RESPONSE
//    rounds, of 6Cxx re-sends and the total response size are bounded (Error(protocol_error)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "iso7816/apdu.hpp"

namespace sefleet::iso7816 {

// Sends one command APDU and returns the card's response. May throw (I/O errors pass through).
using ApduExchange = std::function<ResponseApdu(const CommandApdu&)>;

inline constexpr std::uint8_t kChainingBit = 0x10;
inline constexpr std::uint8_t kInsGetResponse = 0xC0;

// True when b5 of `cla` is the ISO command-chaining bit (interindustry classes 00..7F).
bool cla_supports_chaining(std::uint8_t cla) noexcept;

// The CLA of a GET RESPONSE for a command sent with `command_cla`: interindustry class, same logical
// channel, no secure messaging, no chaining bit.
std::uint8_t get_response_cla(std::uint8_t command_cla) noexcept;

// 00 C0 00 00 Le on the command's channel; `ne` is 1..256 (the SW2 of 61xx, with 00 meaning 256).
CommandApdu make_get_response(std::uint8_t command_cla, std::size_t ne);

// Splits `command` into short APDUs carrying at most `max_chunk` (1..255) data bytes each. When the data
// fits in one chunk the result is the command itself in short form (Ne capped at 256). Otherwise every
// link but the last has CLA | 10 and no Le; the last has the original CLA and Le. Throws
// Error(Errc::invalid_argument) when chaining is needed but the CLA cannot carry the bit, when the
// CLA already has the chaining bit set, or when max_chunk is out of range.
std::vector<CommandApdu> split_for_chaining(const CommandApdu& command, std::size_t max_chunk = kMaxShortData);

struct TransmitOptions {
  // Commands with more data than this are chained (1..255). Shorter commands are sent as they are,
  // in extended form if they ask for it.
  std::size_t max_chunk = kMaxShortData;
  bool follow_get_response = true;  // answer 61xx with GET RESPONSE and concatenate
  bool follow_wrong_le = true;      // answer 6Cxx by re-sending with Le = xx (once per command)
  std::size_t max_get_response_rounds = 1024;
  std::size_t max_response_bytes = std::size_t{256} * 1024;
};

// Sends `command` (chained when needed), then completes the response: 6Cxx triggers one re-send of
// the (last) command with the exact Le, 61xx triggers GET RESPONSE until another status word arrives.
// Returns the concatenated data with the final status word. When a link of a chain is answered with
// anything but 9000, the chain stops and that response is returned as is. Throws
// Error(Errc::protocol_error) when the card exceeds a bound or answers a chain link with 9000 plus data,
// and Error(Errc::invalid_argument) for a command that cannot be sent (see split_for_chaining).
ResponseApdu transmit(const ApduExchange& exchange, const CommandApdu& command, const TransmitOptions& options = {});

// The continuation part of transmit() alone: given the response `first` to `command`, applies the 6Cxx
// and 61xx rules above. For callers that send the first APDU themselves.
ResponseApdu complete_response(const ApduExchange& exchange, const CommandApdu& command, ResponseApdu first,
                               const TransmitOptions& options = {});

}  // namespace sefleet::iso7816

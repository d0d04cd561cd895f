#include "card/runtime/response_chaining.hpp"

#include <algorithm>
#include <utility>

#include "core/bytes.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace sw = iso7816::sw;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

namespace {

// A command without Le (case 1/3) may still be answered with data, as a T=1 card does: 256 bytes at most
// for a short command (Java Card's APDU.setOutgoing assumes Le = 256 then, and host stacks such as
// yubikit send SELECT without Le and expect the data with 9000, answering 61xx with their own "send
// remaining"), the extended maximum for an extended one (yubikit sends GET DATA BF21 as case 3E and
// reads the whole certificate chain from the answer, as a YubiKey gives it).
std::size_t response_limit(bool extended, std::optional<std::size_t> ne) {
  if (extended) return ne.value_or(iso7816::kMaxExtendedNe);
  return std::min(ne.value_or(iso7816::kMaxShortNe), iso7816::kMaxShortNe);
}

std::uint16_t bytes_remaining_sw(std::size_t remaining) {
  return static_cast<std::uint16_t>(0x6100 | (remaining >= 256 ? 0x00 : remaining));
}

// Sends the next `count` pending bytes with 61xx, or with the final SW when they are the last ones.
Bytes take(PendingResponse& pending, std::size_t count) {
  count = std::min(count, pending.remaining());
  Bytes out;
  out.reserve(count + 2);
  const auto begin = pending.data.begin() + static_cast<std::ptrdiff_t>(pending.offset);
  out.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
  pending.offset += count;
  const std::uint16_t status = pending.remaining() == 0 ? pending.sw : bytes_remaining_sw(pending.remaining());
  if (pending.remaining() == 0) pending.discard();
  put_be16(out, status);
  return out;
}

}  // namespace

Bytes deliver_response(const CommandApdu& command, ResponseApdu response, PendingResponse& pending) {
  return deliver_response(command.extended, command.ne, std::move(response), pending);
}

Bytes deliver_response(bool extended, std::optional<std::size_t> ne, ResponseApdu response, PendingResponse& pending) {
  const std::size_t limit = response_limit(extended, ne);
  if (response.data.size() <= limit) {
    pending.discard();
    return std::move(response).encode();  // the status word appended in the data's own buffer
  }
  pending.data = std::move(response.data);
  pending.offset = 0;
  pending.sw = response.sw;
  pending.active = true;
  return take(pending, limit);
}

Bytes serve_get_response(const CommandApdu& command, PendingResponse& pending) {
  if (!pending.active) return ResponseApdu(sw::kConditionsNotSatisfied).encode();
  if (command.p1 != 0x00 || command.p2 != 0x00) return ResponseApdu(sw::kIncorrectP1P2).encode();
  // Without Le (case 1) the next 256 bytes at most, as for any short command without Le: hosts that
  // work in extended mode send GET RESPONSE that way.
  if (!command.data.empty()) return ResponseApdu(sw::kWrongLength).encode();
  return take(pending, response_limit(command.extended, command.ne));
}

}  // namespace sefleet::card

// Delivery of response data within the host's Ne, and GET RESPONSE (ISO/IEC 7816-4 §5.3.4, §11.7.1).
//
// Decisions (docs/card-runtime.md):
//  - Short command: at most min(Ne, 256) bytes go with the first answer; extended command: at most Ne
//    (up to 65536). Ne absent means 256 bytes for a short command (case 1/3: a T=1 card answers with
//    the data, as Java Card's APDU.setOutgoing assumes) and 0 for an extended one. What does not fit
//    stays pending and the answer carries the first part with 61xx (xx = bytes still available, 00 for
//    256 or more); 6Cxx (re-send with exact Le) is never used.
//  - GET RESPONSE (interindustry CLA on the same channel, INS C0, P1-P2 0000, Le = how many) takes the
//    next min(Ne, remaining) bytes; the last part carries the applet's own status word.
//  - Any other command on the channel discards the pending remainder; commands on other channels
//    do not touch it.
#pragma once

#include <cstddef>
#include <optional>

#include "card/runtime/logical_channel.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card {

// The R-APDU for `response` to `command`; keeps what does not fit in `pending`.
Bytes deliver_response(const iso7816::CommandApdu& command, iso7816::ResponseApdu response, PendingResponse& pending);
// The same for a command whose encoding (`extended`) and Ne are all that is left of it.
Bytes deliver_response(bool extended, std::optional<std::size_t> ne, iso7816::ResponseApdu response,
                       PendingResponse& pending);

// Answers a GET RESPONSE from `pending`. Refusals leave the pending data in place:
// 6985 nothing pending, 6A86 P1-P2 not 0000, 6700 a data field or no Le.
Bytes serve_get_response(const iso7816::CommandApdu& command, PendingResponse& pending);

}  // namespace sefleet::card

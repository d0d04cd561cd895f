// How the secure channel processors put a wrapped (secured) command on the wire. Its C-MAC covers the
// whole command and the card unwraps it as one APDU, so a command longer than a short APDU goes in
// extended form instead of being cut into an ISO command chain (whose links the card would have to
// reassemble before unwrapping; the virtual SE answers such links 6982). Shorter commands and the
// response handling (61xx, GET RESPONSE) are iso7816::transmit's.
#pragma once

#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"

namespace sefleet::gp::host {

inline iso7816::ResponseApdu transmit_secured(const iso7816::ApduExchange& link, const iso7816::CommandApdu& wire,
                                              const iso7816::TransmitOptions& options) {
  if (wire.data.size() <= iso7816::kMaxShortData) return iso7816::transmit(link, wire, options);
  return iso7816::complete_response(link, wire, link(wire), options);
}

}  // namespace sefleet::gp::host

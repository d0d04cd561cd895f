// One host connection of a card: the message loop shared by the vpcd link and the TCP card server.
// Reads framed messages, maps control bytes to the CardEndpoint (00 power_off, 01 power_on, 02 reset:
// no reply; 04: the framed ATR, in any power state), answers each C-APDU with its framed R-APDU in one
// write and then calls after_response(). The card stays up whatever the endpoint does: an exception
// from transmit() is logged and answered with 6F00, one from a control call is logged and the session
// continues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "transport/card_endpoint.hpp"
#include "transport/stop_signal.hpp"

namespace sefleet::transport {

enum class SessionEnd {
  peer_closed,     // the host (vpcd, TCP client) closed or reset the connection
  stopped,         // the StopSignal fired
  protocol_error,  // the host sent something the framing does not allow (empty message, undefined control)
  io_error,        // the socket failed otherwise
};

struct SessionOutcome {
  SessionEnd end = SessionEnd::peer_closed;
  std::string detail;
  std::uint64_t commands = 0;  // C-APDUs answered on this connection
};

// The R-APDU to send for `command`: endpoint.transmit(), or 6F00 when it throws or returns something
// that is not a valid R-APDU for the link (fewer than 2 or more than `max_response` bytes: 0xFFFF for the
// framing; in-process has no such limit). Logs the cause.
Bytes transmit_guarded(CardEndpoint& endpoint, ByteView command, std::string_view link,
                       std::size_t max_response = 0xFFFF);

// Runs endpoint.after_response(), logging (and swallowing) an exception: the reply is already out.
void after_response_guarded(CardEndpoint& endpoint, std::string_view link);

// Serves the connected socket `fd` until the peer closes, a protocol error, an I/O error or a stop
// request. `link` names the connection in log lines ("vpcd 127.0.0.1:35963").
SessionOutcome serve_card_connection(CardEndpoint& endpoint, int fd, const StopSignal& stop, std::string_view link);

}  // namespace sefleet::transport

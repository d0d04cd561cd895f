// The card side of every transport: what a card (the virtual SE in src/card, or a test double)
// implements so that the same object can be driven in-process, by a TCP host, or by pcscd via vpcd.
#pragma once

#include "core/bytes.hpp"

namespace sefleet::transport {

// Calling contract (all transports keep it):
//  - Calls come from ONE thread at a time and never overlap: a transport is a single-threaded loop.
//  - transmit() returns the complete R-APDU (data + SW1 SW2, at least 2 bytes). It must not throw:
//    at the card boundary a refusal is a status word. A transport that catches an exception anyway
//    logs it and answers 6F00, so a card bug never tears down the link.
//  - after_response() runs after the reply to the last transmit() has fully left the card: over TCP
//    and vpcd once the framed R-APDU has been written to the socket, in-process once the host holds
//    the response (see InProcessChannel). A command that arrives meanwhile waits until it returns.
//    This is where the deferred executor does its post-response work.
//  - atr() may be asked at any time, also while the card is powered off (vpcd polls presence with
//    it every 400 ms).
//  - power_on() / reset() start a new card session: volatile state (selected applet, secure channel)
//    is lost, as on a real card. power_off() also ends it.
//  - The same power call may come twice in a row, so they must be idempotent: the vpcd link and the
//    TCP server call power_off() when the connection to the host ends (a card leaving the reader),
//    possibly right after the host's own 00; the TCP server calls power_on() for each new host, who
//    may send 01 as well.
class CardEndpoint {
 public:
  virtual ~CardEndpoint() = default;

  virtual Bytes atr() = 0;
  virtual void power_on() = 0;
  virtual void power_off() = 0;
  virtual void reset() = 0;
  virtual Bytes transmit(ByteView command) = 0;
  // Default: nothing to do after a response.
  virtual void after_response() {}

 protected:
  CardEndpoint() = default;
  CardEndpoint(const CardEndpoint&) = default;
  CardEndpoint& operator=(const CardEndpoint&) = default;
};

}  // namespace sefleet::transport

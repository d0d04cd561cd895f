// The host side of every transport: how the host toolkit (sefleet apdu / gp, terminal agent) reaches
// a card, whether a real one through pcsc-lite, the virtual SE over TCP, or a card object in-process.
// Nothing above this interface may assume which one it is talking to.
#pragma once

#include <string>

#include "core/bytes.hpp"

namespace sefleet::transport {

class CardChannel {
 public:
  virtual ~CardChannel() = default;

  // Sends one C-APDU and returns the complete R-APDU (data + SW1 SW2, at least 2 bytes) exactly as the
  // card sent it: no GET RESPONSE or 6Cxx handling here (iso7816::ApduExchange layers that on top).
  // Throws Error(Errc::io_error) when the link fails (reader gone, card removed, socket closed).
  virtual Bytes transmit(ByteView command) = 0;
  // The ATR of the current card session.
  virtual Bytes atr() = 0;
  // Warm reset: the card loses its volatile state (selection, secure channels).
  virtual void reset() = 0;
  // Human-readable name of the link, e.g. "pcsc:Virtual PCD 00 00" or "tcp:127.0.0.1:9025".
  virtual std::string description() const = 0;

 protected:
  CardChannel() = default;
  CardChannel(const CardChannel&) = default;
  CardChannel& operator=(const CardChannel&) = default;
};

}  // namespace sefleet::transport

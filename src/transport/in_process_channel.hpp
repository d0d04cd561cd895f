// A CardChannel that drives a CardEndpoint in the same process (tests, simulations, benchmarks,
// `sefleet demo`): no sockets, same contract as the TCP and vpcd transports.
//
// When after_response() runs: in-process, the host holds the response only once transmit() has
// returned, so the call is DEFERRED to the start of the next call on this channel (transmit, atr,
// reset), to flush_after_response(), or to destruction, whichever comes first. That matches the
// other transports (after the reply left the card, before the next command) and is what the
// deferred executor relies on: its post-response work never delays the response the host is
// waiting for, and always completes before the next command reaches the card.
#pragma once

#include <string>

#include "transport/card_channel.hpp"
#include "transport/card_endpoint.hpp"

namespace sefleet::transport {

class InProcessChannel final : public CardChannel {
 public:
  // Powers the card on (a card inserted into a reader). The endpoint must outlive the channel.
  explicit InProcessChannel(CardEndpoint& card, std::string name = "in-process");
  // Runs a pending after_response() (exceptions are logged), then powers the card off.
  ~InProcessChannel() override;
  InProcessChannel(const InProcessChannel&) = delete;
  InProcessChannel& operator=(const InProcessChannel&) = delete;

  // Like every transport: an exception from the card is logged and answered with 6F00, and a response
  // shorter than 2 bytes is replaced by 6F00 (no upper bound: no framing in between).
  Bytes transmit(ByteView command) override;
  Bytes atr() override;
  void reset() override;
  std::string description() const override { return description_; }

  // Runs the after_response() owed for the last transmit now, if any (the host is idle).
  void flush_after_response();
  bool after_response_pending() const noexcept { return pending_after_response_; }

 private:
  CardEndpoint& card_;
  // Built once: every command passes it to the guarded call, which names the link only in its logs.
  std::string description_;
  bool pending_after_response_ = false;
};

}  // namespace sefleet::transport

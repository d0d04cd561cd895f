#include "transport/in_process_channel.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <utility>

#include "transport/card_session.hpp"

namespace sefleet::transport {

InProcessChannel::InProcessChannel(CardEndpoint& card, std::string name)
    : card_(card), description_("inproc:" + std::move(name)) {
  card_.power_on();
}

InProcessChannel::~InProcessChannel() {
  flush_after_response();
  try {
    card_.power_off();
  } catch (const std::exception& e) {
    spdlog::error("{}: card failed on power off: {}", description(), e.what());
  }
}

void InProcessChannel::flush_after_response() {
  if (pending_after_response_) {
    pending_after_response_ = false;
    after_response_guarded(card_, description_);
  }
}

Bytes InProcessChannel::transmit(ByteView command) {
  flush_after_response();
  Bytes response = transmit_guarded(card_, command, description_, std::numeric_limits<std::size_t>::max());
  pending_after_response_ = true;
  return response;
}

Bytes InProcessChannel::atr() {
  flush_after_response();
  return card_.atr();
}

void InProcessChannel::reset() {
  flush_after_response();
  card_.reset();
}

}  // namespace sefleet::transport

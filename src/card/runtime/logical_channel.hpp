// The state the runtime keeps per logical channel: open or not, the applet selected on it, its own
// SCP03 session (nothing on one channel touches another channel's session), the part of a long
// response still waiting for GET RESPONSE, and the parts of a protected command chain collected so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "card/runtime/secured_command_chain.hpp"
#include "core/bytes.hpp"
#include "gp/scp03_card.hpp"

namespace sefleet::card {

class Applet;

// The remainder of a response the host's Ne could not take (ISO/IEC 7816-4 §5.3.4, 61xx).
struct PendingResponse {
  Bytes data;                 // the whole response data (already wrapped when a session protects it)
  std::size_t offset = 0;     // first byte not yet delivered
  std::uint16_t sw = 0x9000;  // the final status word, sent with the last part
  bool active = false;

  std::size_t remaining() const noexcept { return active ? data.size() - offset : 0; }
  void discard() noexcept {
    data.clear();
    offset = 0;
    active = false;
  }
};

struct LogicalChannel {
  bool open = false;
  Applet* applet = nullptr;                       // selected applet, nullptr when none
  Bytes aid;                                      // its registry AID (empty when none)
  std::unique_ptr<gp::Scp03Card> secure_channel;  // only for applets that use or drive the secure channel
  PendingResponse pending;
  SecuredCommandChain secured_chain;
};

}  // namespace sefleet::card

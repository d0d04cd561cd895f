// A protected command that arrives as an ISO/IEC 7816-4 command chain.
//
// Hosts on links limited to short APDUs protect the whole command first (C-MAC over the full data
// field, coded with an extended Lc when it is longer than 255 bytes) and then split the protected
// command over several APDUs with the chaining bit (CLA b5) set on every part but the last; yubikit
// does this for a long STORE DATA or PUT KEY. The session can only check the C-MAC of the whole
// command, so the runtime collects the parts (each answered 9000, unprotected, as the host expects)
// and hands the session the command reassembled exactly as the host MACed it.
//
// A chain ends with its last part (no chaining bit, the same INS P1 P2 and class otherwise). A part
// with another header ends the chain (6883: the last command of the chain was expected), and so does
// any command that is not a part of it; nothing of an abandoned chain reaches the session or the
// applet, so the session's MAC chaining value is untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "iso7816/apdu.hpp"

namespace sefleet::card {

class SecuredCommandChain {
 public:
  // The data field of a reassembled command is at most what an extended Lc codes.
  static constexpr std::size_t kMaxCommandData = 65535;

  struct Step {
    // The whole command when `part` completed the chain; nullopt when the part was collected or refused.
    std::optional<iso7816::CommandApdu> command;
    // The status word to answer when `command` is nullopt: 9000 (collected) or the refusal.
    std::uint16_t sw = 0x9000;
  };

  // `part` carries the secure-messaging bit; `more` is its chaining bit. A part that is not chained
  // while no chain is open is returned unchanged as the whole command.
  Step accept(iso7816::CommandApdu&& part, bool more);

  bool active() const noexcept { return head_.has_value(); }
  void discard() noexcept { head_.reset(); }

 private:
  bool continues(const iso7816::CommandApdu& part) const noexcept;

  std::optional<iso7816::CommandApdu> head_;  // class without the chaining bit, header, data so far
};

}  // namespace sefleet::card

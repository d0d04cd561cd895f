// The typed error of the host-side API. Card-side code never lets these escape to a transport: it maps
// them to status words at the card boundary.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sefleet {

enum class Errc {
  invalid_argument,  // a caller passed a value outside the documented domain
  parse_error,       // malformed external input (hex, APDU, TLV, JSON, file)
  out_of_range,      // a length or offset beyond the data
  crypto_error,      // OpenSSL failed, or a cryptographic check failed
  protocol_error,    // the peer broke the protocol (bad cryptogram, MAC, unexpected status word)
  state_error,       // an operation is not allowed in the current state
  io_error,          // files, sockets, readers
  not_found,         // a referenced object does not exist
  integrity_error,   // stored or transmitted data failed its checksum or authentication
  unsupported,       // a valid request this build or peer does not support
  unavailable,       // a service (database, server) cannot be reached now; retrying later may work
};

std::string_view errc_name(Errc code);

class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message);
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

}  // namespace sefleet

#include "core/error.hpp"

namespace sefleet {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid argument";
    case Errc::parse_error:
      return "parse error";
    case Errc::out_of_range:
      return "out of range";
    case Errc::crypto_error:
      return "crypto error";
    case Errc::protocol_error:
      return "protocol error";
    case Errc::state_error:
      return "state error";
    case Errc::io_error:
      return "I/O error";
    case Errc::not_found:
      return "not found";
    case Errc::integrity_error:
      return "integrity error";
    case Errc::unsupported:
      return "unsupported";
    case Errc::unavailable:
      return "unavailable";
  }
  return "unknown error";
}

Error::Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}

}  // namespace sefleet

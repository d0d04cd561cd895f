// Standard base64 (RFC 4648 §4, with padding) for the campaign package and PMOB in JSON bodies.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::offcard::server {

std::string base64_encode(ByteView data);
// Strict: only the standard alphabet, length a multiple of 4, padding only at the end. Throws
// Error(Errc::parse_error) naming the offending position.
Bytes base64_decode(std::string_view text);

}  // namespace sefleet::offcard::server

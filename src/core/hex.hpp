// Hex text <-> bytes. Parsing is strict: it names the first offending character and its position.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet {

// Accepts upper/lower-case hex digits; spaces, tabs, ':' and newlines may separate whole bytes only
// ("0A 0B" and "0A:0B" are fine, "0 A" is not). Throws Error(Errc::parse_error) on anything else,
// including an odd number of digits.
Bytes from_hex(std::string_view text);

// Upper-case hex without separators.
std::string to_hex(ByteView bytes);

// Upper-case hex, bytes separated by `separator`.
std::string to_hex(ByteView bytes, char separator);

}  // namespace sefleet

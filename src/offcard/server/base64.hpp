// Standard base64 (RFC 4648 §4, with padding) for the campaign package and PMOB in JSON bodies, through
// OpenSSL (EVP_EncodeBlock / EVP_DecodeBlock).
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::offcard::server {

std::string base64_encode(ByteView data);
// Strict: only the standard alphabet (no whitespace), length a multiple of 4, padding only at the end,
// zero bits after the last byte (one spelling per byte string). Throws Error(Errc::parse_error) naming
// the offending position.
Bytes base64_decode(std::string_view text);

}  // namespace sefleet::offcard::server

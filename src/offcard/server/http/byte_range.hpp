// The Range header of a download (RFC 9110 §14.1.2), one range of bytes: "bytes=a-b", "bytes=a-" or
// "bytes=-n" (the last n bytes).
#pragma once

#include <cstdint>
#include <string_view>

namespace sefleet::offcard::server::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

// The range of a `size`-byte file the header asks for (an end past the file is cut to it). Throws
// ApiError 416 range_not_satisfiable for a malformed header, another unit than bytes, several ranges,
// or a range that starts past the end.
ByteRange resolve_byte_range(std::string_view header, std::uint64_t size);

}  // namespace sefleet::offcard::server::http

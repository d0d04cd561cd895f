// DATASEND, the image a broadcast campaign installs (broadcast-channel.md §6): manifest ‖ body, where
// the manifest is the BER-TLV object
//   E0 L { 80 04 "SEFI" | 81 01 01 | 82 01 type | 83 08 platform id | 84 04 version (BE)
//          | 85 04 body length (BE) | 86 nn name (UTF-8, 0..64 bytes) }
// and the body is exactly `body length` bytes that follow it.
//
// Decisions where docs/broadcast-channel.md is silent (docs/broadcast-wire.md):
//  - The encoder writes the fields in tag order 80..86; the parser accepts them in any order, as the
//    other messages of the channel do, but refuses unknown, constructed, duplicate or missing fields.
//  - A valid manifest value is at most 100 bytes, so E0's length is always the one-byte form; the
//    parser refuses any other form before looking further.
//  - The name is 0..64 bytes of strict UTF-8 (no overlong forms, no surrogates, nothing above
//    U+10FFFF) without control characters (U+0000..U+001F, U+007F), because names end up in logs and
//    terminal output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::gp::broadcast {

enum class ImageType : std::uint8_t { os = 0x01, application = 0x02, data = 0x03, keys = 0x04 };

inline constexpr std::array<std::uint8_t, 4> kManifestMagic{'S', 'E', 'F', 'I'};
inline constexpr std::uint8_t kManifestFormatVersion = 0x01;
inline constexpr std::size_t kPlatformIdSize = 8;
inline constexpr std::size_t kMaxImageNameSize = 64;

using PlatformId = std::array<std::uint8_t, kPlatformIdSize>;

struct ImageManifest {
  ImageType type = ImageType::os;
  PlatformId platform_id{};
  std::uint32_t version = 0;
  std::string name;  // UTF-8, at most 64 bytes

  friend bool operator==(const ImageManifest&, const ImageManifest&) = default;
};

struct ParsedDatasend {
  ImageManifest manifest;
  std::size_t manifest_size = 0;  // bytes of the E0 object, where the body starts
  ByteView body;                  // a view into the parsed buffer: valid while that buffer is
};

// True when `text` is strict UTF-8 without control characters (the rule for names).
bool is_valid_image_name(std::string_view text) noexcept;

// The E0 manifest alone, for a body of `body_size` bytes. Throws Error(Errc::invalid_argument) for
// an unknown type, a name that breaks the rules above or a body size above FFFFFFFF.
Bytes encode_manifest(const ImageManifest& manifest, std::size_t body_size);

// manifest ‖ body. Same refusals as encode_manifest.
Bytes encode_datasend(const ImageManifest& manifest, ByteView body);

// Checks everything listed above and that the body length equals the bytes after the manifest.
// Throws Error(Errc::parse_error) naming the first problem.
ParsedDatasend parse_datasend(ByteView datasend);

}  // namespace sefleet::gp::broadcast

#include "gp/broadcast/image_manifest.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "gp/broadcast/tlv_fields.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::broadcast {

namespace {

constexpr iso7816::Tag kTagManifest = 0xE0;
constexpr iso7816::Tag kTagMagic = 0x80;
constexpr iso7816::Tag kTagFormatVersion = 0x81;
constexpr iso7816::Tag kTagType = 0x82;
constexpr iso7816::Tag kTagPlatform = 0x83;
constexpr iso7816::Tag kTagVersion = 0x84;
constexpr iso7816::Tag kTagBodyLength = 0x85;
constexpr iso7816::Tag kTagName = 0x86;

const std::string kWhat = "DATASEND manifest";

bool is_known_type(std::uint8_t type) noexcept {
  return type >= 0x01 && type <= 0x04;
}

// Length of the UTF-8 sequence led by `lead` (0 when `lead` cannot start one).
std::size_t sequence_length(std::uint8_t lead) noexcept {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;  // C0/C1 would be overlong
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;  // above F4 is beyond U+10FFFF
  return 0;
}

void check_name(std::string_view name, Errc code) {
  if (name.size() > kMaxImageNameSize) {
    throw Error(code, kWhat + ": tag 86 name must be at most 64 bytes, got " + std::to_string(name.size()));
  }
  if (!is_valid_image_name(name)) {
    throw Error(code, kWhat + ": tag 86 name is not valid UTF-8 or contains a control character");
  }
}

Bytes be32(std::uint32_t value) {
  Bytes out;
  put_be32(out, value);
  return out;
}

}  // namespace

bool is_valid_image_name(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t lead = bytes[i];
    const std::size_t length = sequence_length(lead);
    if (length == 0 || text.size() - i < length) return false;
    std::uint32_t code_point = length == 1 ? lead : (lead & (0xFFu >> (length + 1)));
    for (std::size_t k = 1; k < length; ++k) {
      const std::uint8_t next = bytes[i + k];
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    // Overlong 3- and 4-byte forms, UTF-16 surrogates, beyond U+10FFFF, control characters.
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000)) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    if (code_point > 0x10FFFF) return false;
    if (code_point < 0x20 || code_point == 0x7F) return false;
    i += length;
  }
  return true;
}

Bytes encode_manifest(const ImageManifest& manifest, std::size_t body_size) {
  if (!is_known_type(static_cast<std::uint8_t>(manifest.type))) {
    throw Error(Errc::invalid_argument,
                kWhat + ": unknown image type " + std::to_string(static_cast<unsigned>(manifest.type)));
  }
  check_name(manifest.name, Errc::invalid_argument);
  if (body_size > 0xFFFFFFFFu) {
    throw Error(Errc::invalid_argument,
                kWhat + ": body of " + std::to_string(body_size) + " bytes does not fit the 4-byte length field");
  }
  auto e0 = iso7816::Tlv::constructed(kTagManifest);
  e0.add(iso7816::Tlv::primitive(kTagMagic, Bytes(kManifestMagic.begin(), kManifestMagic.end())));
  e0.add(iso7816::Tlv::primitive(kTagFormatVersion, Bytes{kManifestFormatVersion}));
  e0.add(iso7816::Tlv::primitive(kTagType, Bytes{static_cast<std::uint8_t>(manifest.type)}));
  e0.add(iso7816::Tlv::primitive(kTagPlatform, Bytes(manifest.platform_id.begin(), manifest.platform_id.end())));
  e0.add(iso7816::Tlv::primitive(kTagVersion, be32(manifest.version)));
  e0.add(iso7816::Tlv::primitive(kTagBodyLength, be32(static_cast<std::uint32_t>(body_size))));
  e0.add(iso7816::Tlv::primitive(kTagName, bytes_of(manifest.name)));
  return e0.encode();
}

Bytes encode_datasend(const ImageManifest& manifest, ByteView body) {
  Bytes out = encode_manifest(manifest, body.size());
  append(out, body);
  return out;
}

ParsedDatasend parse_datasend(ByteView datasend) {
  // The manifest's extent comes from its header: E0 and a one-byte length (see the header comment).
  if (datasend.size() < 2) {
    throw Error(Errc::parse_error, kWhat + ": " + std::to_string(datasend.size()) + " bytes cannot hold the E0 header");
  }
  if (datasend[0] != kTagManifest) {
    throw Error(Errc::parse_error, kWhat + ": must start with tag E0, got " + detail::hex_byte(datasend[0]));
  }
  if (datasend[1] >= 0x80) {
    throw Error(Errc::parse_error, kWhat +
                                       ": E0 length must use the one-byte form (a manifest is at most 100 "
                                       "bytes), got length byte " +
                                       detail::hex_byte(datasend[1]));
  }
  const std::size_t manifest_size = 2 + std::size_t{datasend[1]};
  if (datasend.size() < manifest_size) {
    throw Error(Errc::parse_error, kWhat + ": E0 declares " + std::to_string(datasend[1]) + " value bytes but only " +
                                       std::to_string(datasend.size() - 2) + " follow");
  }
  const ByteView value = detail::single_constructed_value(datasend.first(manifest_size), kTagManifest, kWhat);
  const detail::TlvFields fields(
      value, {kTagMagic, kTagFormatVersion, kTagType, kTagPlatform, kTagVersion, kTagBodyLength, kTagName}, kWhat);

  const ByteView magic = fields.exact(kTagMagic, kManifestMagic.size());
  if (!std::equal(magic.begin(), magic.end(), kManifestMagic.begin())) fields.refuse(kTagMagic, "is not \"SEFI\"");
  if (fields.exact(kTagFormatVersion, 1)[0] != kManifestFormatVersion) {
    fields.refuse(kTagFormatVersion, "format version " + detail::hex_byte(fields.exact(kTagFormatVersion, 1)[0]) +
                                         " is not supported (only 01)");
  }
  const std::uint8_t type = fields.exact(kTagType, 1)[0];
  if (!is_known_type(type)) fields.refuse(kTagType, "image type " + detail::hex_byte(type) + " is unknown");

  ParsedDatasend parsed;
  parsed.manifest.type = static_cast<ImageType>(type);
  const ByteView platform = fields.exact(kTagPlatform, kPlatformIdSize);
  std::copy(platform.begin(), platform.end(), parsed.manifest.platform_id.begin());
  parsed.manifest.version = read_be32(fields.exact(kTagVersion, 4), 0);
  const std::uint32_t body_length = read_be32(fields.exact(kTagBodyLength, 4), 0);
  const ByteView name = fields.any(kTagName);
  parsed.manifest.name.assign(name.begin(), name.end());
  check_name(parsed.manifest.name, Errc::parse_error);

  const std::size_t body_available = datasend.size() - manifest_size;
  if (body_available != body_length) {
    fields.refuse(kTagBodyLength, "declares a body of " + std::to_string(body_length) + " bytes but " +
                                      std::to_string(body_available) + " bytes follow the manifest");
  }
  parsed.manifest_size = manifest_size;
  parsed.body = datasend.subspan(manifest_size);
  return parsed;
}

}  // namespace sefleet::gp::broadcast

#include "gp/host/card_data.hpp"

#include <array>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::host {
namespace {

using iso7816::Tlv;

// The GlobalPlatform OID arc 1.2.840.114283 (DER value bytes).
const Bytes kGpArc{0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B};

[[noreturn]] void bad(const std::string& what) {
  throw Error(Errc::parse_error, what);
}

// Cards are inconsistent about minimal length encodings; reading is lenient there, strict elsewhere.
iso7816::TlvParseOptions lenient() {
  iso7816::TlvParseOptions options;
  options.minimal_lengths = false;
  return options;
}

std::vector<std::uint64_t> oid_arcs(ByteView der) {
  if (der.empty()) bad("empty OBJECT IDENTIFIER");
  std::vector<std::uint64_t> arcs;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (const std::uint8_t b : der) {
    if (digits == 0 && b == 0x80) bad("OBJECT IDENTIFIER with a non-minimal sub-identifier");
    if (++digits > 9) bad("OBJECT IDENTIFIER sub-identifier longer than 63 bits");
    value = (value << 7) | (b & 0x7F);
    if ((b & 0x80) == 0) {
      arcs.push_back(value);
      value = 0;
      digits = 0;
    }
  }
  if (digits != 0) bad("truncated OBJECT IDENTIFIER " + to_hex(der));
  // The first sub-identifier holds the first two arcs (X.690 §8.19.4).
  const std::uint64_t first = arcs.front();
  const std::uint64_t top = first < 40 ? 0 : (first < 80 ? 1 : 2);
  arcs.front() = first - top * 40;
  arcs.insert(arcs.begin(), top);
  return arcs;
}

// The value of the OID (tag 06) inside a constructed object such as 60 or 64.
ByteView oid_in(const Tlv& object, const char* what) {
  const Tlv* oid = object.find(0x06);
  if (oid == nullptr) bad(std::string(what) + " (tag " + iso7816::tag_hex(object.tag()) + ") has no OID");
  return oid->value();
}

bool starts_with(ByteView data, const Bytes& prefix) {
  return data.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), data.begin());
}

// The single object with `tag` making up `data`, value returned.
Bytes single_primitive(ByteView data, iso7816::Tag tag, const char* what) {
  Tlv object = [&] {
    try {
      return iso7816::parse_tlv(data, lenient());
    } catch (const Error& e) {
      bad(std::string(what) + ": " + e.what());
    }
  }();
  if (object.tag() != tag) {
    bad(std::string(what) + ": expected tag " + iso7816::tag_hex(tag) + ", got " + iso7816::tag_hex(object.tag()));
  }
  return object.value();
}

}  // namespace

iso7816::CommandApdu make_get_data(std::uint16_t tag) {
  return iso7816::CommandApdu(0x80, 0xCA, static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag), {}, 256);
}

std::string decode_oid(ByteView der) {
  std::string out;
  for (const auto arc : oid_arcs(der)) {
    if (!out.empty()) out += '.';
    out += std::to_string(arc);
  }
  return out;
}

std::optional<SecureChannelInfo> CardRecognitionData::scp03() const {
  for (const auto& scp : secure_channels) {
    if (scp.scp == 0x03) return scp;
  }
  return std::nullopt;
}

CardRecognitionData parse_card_recognition_data(ByteView data) {
  Tlv card_data = [&] {
    try {
      return iso7816::parse_tlv(data, lenient());
    } catch (const Error& e) {
      bad(std::string("card recognition data: ") + e.what());
    }
  }();
  if (card_data.tag() != 0x66) bad("card recognition data: expected tag 66, got " + iso7816::tag_hex(card_data.tag()));
  const Tlv* recognition = card_data.find(0x73);
  if (recognition == nullptr) bad("card recognition data: tag 66 holds no tag 73");
  const Tlv* marker = recognition->find(0x06);
  if (marker == nullptr || decode_oid(marker->value()) != "1.2.840.114283.1") {
    bad("card recognition data: tag 73 does not start with the OID 1.2.840.114283.1");
  }

  CardRecognitionData out;
  for (const Tlv& object : recognition->children()) {
    switch (object.tag()) {
      case 0x60: {  // card management type and version: {globalPlatform 2 v v v}
        const ByteView oid = oid_in(object, "card management type and version");
        const Bytes prefix = concat({kGpArc, Bytes{0x02}});
        if (!starts_with(oid, prefix) || oid.size() == prefix.size()) {
          bad("card management type and version: unexpected OID " + decode_oid(oid));
        }
        std::string version;
        for (std::size_t k = prefix.size(); k < oid.size(); ++k) {
          if (!version.empty()) version += '.';
          version += std::to_string(oid[k]);
        }
        out.gp_version = version;
        break;
      }
      case 0x63:
        out.card_identification_scheme = decode_oid(oid_in(object, "card identification scheme"));
        break;
      case 0x64: {  // secure channel protocol: {globalPlatform 4 scp i}
        const ByteView oid = oid_in(object, "secure channel protocol");
        const Bytes prefix = concat({kGpArc, Bytes{0x04}});
        if (!starts_with(oid, prefix) || oid.size() != prefix.size() + 2) {
          bad("secure channel protocol: unexpected OID " + to_hex(oid) + " (expected 1.2.840.114283.4.scp.i)");
        }
        out.secure_channels.push_back({oid[prefix.size()], oid[prefix.size() + 1]});
        break;
      }
      case 0x65:
        out.card_configuration = to_hex(object.value_bytes());
        break;
      case 0x66:
        out.card_chip_details = to_hex(object.value_bytes());
        break;
      default:
        break;  // 06 marker, and proprietary additions a card may make
    }
  }
  return out;
}

std::string key_type_name(std::uint8_t type) {
  switch (type) {
    case 0x80:
      return "DES";
    case 0x82:
      return "3DES-CBC";
    case 0x83:
      return "DES-ECB";
    case 0x84:
      return "DES-CBC";
    case 0x85:
      return "TLS-PSK";
    case 0x88:
      return "AES";
    case 0x90:
      return "HMAC-SHA1";
    case 0x91:
      return "HMAC-SHA1-160";
    case 0xA0:
      return "RSA-public-e";
    case 0xA1:
      return "RSA-public-N";
    case 0xA2:
      return "RSA-private-N";
    case 0xA3:
      return "RSA-private-d";
    case 0xA4:
      return "RSA-private-P";
    case 0xA5:
      return "RSA-private-Q";
    case 0xA6:
      return "RSA-private-PQ";
    case 0xA7:
      return "RSA-private-DP1";
    case 0xA8:
      return "RSA-private-DQ1";
    case 0xB0:
      return "ECC-public";
    case 0xB1:
      return "ECC-private";
    case 0xB2:
      return "ECC-field-P";
    case 0xB3:
      return "ECC-A";
    case 0xB4:
      return "ECC-B";
    case 0xB5:
      return "ECC-G";
    case 0xB6:
      return "ECC-N";
    case 0xB7:
      return "ECC-k";
    case 0xF0:
      return "ECC-key-parameters";
    default:
      return "type-" + to_hex(Bytes{type});
  }
}

std::vector<KeyInfo> parse_key_information(ByteView data) {
  Tlv template_ = [&] {
    try {
      return iso7816::parse_tlv(data, lenient());
    } catch (const Error& e) {
      bad(std::string("key information template: ") + e.what());
    }
  }();
  if (template_.tag() != 0xE0)
    bad("key information template: expected tag E0, got " + iso7816::tag_hex(template_.tag()));
  std::vector<KeyInfo> keys;
  for (const Tlv& entry : template_.children()) {
    if (entry.tag() != 0xC0) bad("key information template: unexpected tag " + iso7816::tag_hex(entry.tag()));
    const Bytes& v = entry.value();
    if (v.size() < 4) bad("key information data of " + std::to_string(v.size()) + " bytes (at least 4 expected)");
    KeyInfo key{v[0], v[1], {}};
    std::size_t at = 2;
    if (v[2] == 0xFF) {
      // Extended format: components of (FF type, 2-byte length) until the key usage length byte.
      while (at < v.size() && v[at] == 0xFF) {
        if (at + 4 > v.size()) bad("key information data: truncated extended component in " + to_hex(v));
        key.components.push_back({v[at + 1], read_be16(v, at + 2)});
        at += 4;
      }
      for (const char* field : {"key usage", "key access"}) {
        if (at >= v.size()) break;  // both fields are optional at the end
        const std::size_t length = v[at];
        if (at + 1 + length > v.size()) bad(std::string("key information data: truncated ") + field);
        at += 1 + length;
      }
      if (at != v.size()) bad("key information data: trailing bytes in " + to_hex(v));
    } else {
      if ((v.size() - 2) % 2 != 0) bad("key information data: odd component bytes in " + to_hex(v));
      for (; at < v.size(); at += 2) key.components.push_back({v[at], v[at + 1]});
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

std::uint32_t parse_sequence_counter(ByteView data) {
  const Bytes value = single_primitive(data, 0xC1, "sequence counter");
  if (value.size() < 2 || value.size() > 3) {
    bad("sequence counter of " + std::to_string(value.size()) + " bytes (2 for SCP02, 3 for SCP03)");
  }
  return static_cast<std::uint32_t>(read_be(value));
}

Bytes parse_cin(ByteView data) {
  return single_primitive(data, 0x45, "card image number");
}
Bytes parse_iin(ByteView data) {
  return single_primitive(data, 0x42, "issuer identification number");
}

const Bytes* Cplc::find(const std::string& name) const {
  for (const auto& field : fields) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

Cplc parse_cplc(ByteView data) {
  constexpr std::size_t kCplcSize = 42;
  ByteView body = data;
  if (data.size() == kCplcSize + 3 && data[0] == 0x9F && data[1] == 0x7F && data[2] == kCplcSize) {
    body = data.subspan(3);
  } else if (data.size() != kCplcSize) {
    bad("CPLC of " + std::to_string(data.size()) + " bytes (expected 9F7F 2A + 42 bytes, or 42 bytes)");
  }
  struct Layout {
    const char* name;
    std::size_t size;
  };
  static constexpr std::array<Layout, 18> kLayout{{
      {"ic_fabricator", 2},
      {"ic_type", 2},
      {"os_id", 2},
      {"os_release_date", 2},
      {"os_release_level", 2},
      {"ic_fabrication_date", 2},
      {"ic_serial_number", 4},
      {"ic_batch_identifier", 2},
      {"ic_module_fabricator", 2},
      {"ic_module_packaging_date", 2},
      {"icc_manufacturer", 2},
      {"ic_embedding_date", 2},
      {"ic_prepersonalizer", 2},
      {"ic_prepersonalization_date", 2},
      {"ic_prepersonalization_equipment_id", 4},
      {"ic_personalizer", 2},
      {"ic_personalization_date", 2},
      {"ic_personalization_equipment_id", 4},
  }};
  Cplc out;
  std::size_t at = 0;
  for (const auto& field : kLayout) {
    out.fields.push_back({field.name, Bytes(body.begin() + static_cast<std::ptrdiff_t>(at),
                                            body.begin() + static_cast<std::ptrdiff_t>(at + field.size))});
    at += field.size;
  }
  return out;
}

}  // namespace sefleet::gp::host

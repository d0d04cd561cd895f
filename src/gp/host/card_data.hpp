// Parsers for the card-identification data objects a GlobalPlatform card returns to GET DATA
// (GPCS v2.3.1 §11.3 and Annex H): card recognition data (0066), key information template (00E0),
// sequence counter (00C1), CIN (0045), IIN (0042) and CPLC (9F7F). Pure functions over the response
// data field; each throws Error(Errc::parse_error) naming what is wrong, so a real card's odd answer
// is reported rather than misread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

// GET DATA tags (P1P2).
inline constexpr std::uint16_t kTagIin = 0x0042;
inline constexpr std::uint16_t kTagCin = 0x0045;
inline constexpr std::uint16_t kTagCardData = 0x0066;
inline constexpr std::uint16_t kTagCardCapabilities = 0x0067;
inline constexpr std::uint16_t kTagSequenceCounter = 0x00C1;
inline constexpr std::uint16_t kTagKeyInformation = 0x00E0;
inline constexpr std::uint16_t kTagCplc = 0x9F7F;

// 80 CA P1 P2 00: GET DATA in the GlobalPlatform class (wrapped to 84 inside a secure channel).
iso7816::CommandApdu make_get_data(std::uint16_t tag);

// Dotted form of a DER OBJECT IDENTIFIER value ("1.2.840.114283.4.3.112"). Throws parse_error for a
// truncated or empty encoding.
std::string decode_oid(ByteView der);

struct SecureChannelInfo {
  std::uint8_t scp = 0;  // 02, 03, 11 ...
  std::uint8_t i = 0;    // implementation option
};

// Card Recognition Data (tag 66 / 73, GPCS Annex H.2).
struct CardRecognitionData {
  std::optional<std::string> gp_version;                  // from the card management type and version OID, e.g. "2.3.1"
  std::optional<std::string> card_identification_scheme;  // the OID, dotted
  std::vector<SecureChannelInfo> secure_channels;         // one per tag 64 (a card may list SCP02 and SCP03)
  std::optional<std::string> card_configuration;          // tag 65 (hex of the value)
  std::optional<std::string> card_chip_details;           // tag 66 (hex of the value)

  // The SCP03 entry, if the card announces one.
  std::optional<SecureChannelInfo> scp03() const;
};
// `data` is the GET DATA 0066 response data: 66 L { 73 L { 06 OID, 60 .., 63 .., 64 .., ... } }.
CardRecognitionData parse_card_recognition_data(ByteView data);

// Key types of the key information data (GPCS Table 11-16).
std::string key_type_name(std::uint8_t type);

struct KeyComponent {
  std::uint8_t type = 0;
  std::uint16_t length = 0;  // bytes
};
struct KeyInfo {
  std::uint8_t id = 0;
  std::uint8_t version = 0;
  std::vector<KeyComponent> components;
};
// `data` is E0 L { C0 L key-info-data ... } (GPCS §11.3.3.1, basic format: id, version, then pairs of
// type and length; extended format: a type FF xx and two length bytes per component, then key usage and
// key access fields, which are skipped).
std::vector<KeyInfo> parse_key_information(ByteView data);

// `data` is C1 L counter (2 bytes for SCP02, 3 for SCP03).
std::uint32_t parse_sequence_counter(ByteView data);
// `data` is 45 L CIN / 42 L IIN; returns the value.
Bytes parse_cin(ByteView data);
Bytes parse_iin(ByteView data);

// Card Production Life Cycle data (42 bytes, GPCS Annex H.6 / Visa GP 2.1.1 profile).
struct Cplc {
  struct Field {
    std::string name;
    Bytes value;
  };
  std::vector<Field> fields;  // in card order
  // The value of the field called `name`, or nullptr.
  const Bytes* find(const std::string& name) const;
};
// Accepts 9F7F 2A <42 bytes> or the bare 42 bytes that some cards return.
Cplc parse_cplc(ByteView data);

}  // namespace sefleet::gp::host

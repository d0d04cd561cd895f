// ISO/IEC 7816-4 command and response APDUs: cases 1-4 in short and extended form, strict parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"

namespace sefleet::iso7816 {

inline constexpr std::size_t kMaxShortData = 255;
inline constexpr std::size_t kMaxExtendedData = 65535;
inline constexpr std::size_t kMaxShortNe = 256;
inline constexpr std::size_t kMaxExtendedNe = 65536;

enum class ApduCase { one, two, three, four };

struct CommandApduView;

// True when a command's encoding is extended: requested, or a data field or an Ne too large for the
// short form (CommandApdu::uses_extended, CommandApduView::uses_extended).
// Inline, as the class-byte helpers at the end: secure messaging asks these of every command.
constexpr bool uses_extended_encoding(bool requested, std::size_t data_size, std::optional<std::size_t> ne) noexcept {
  return requested || data_size > kMaxShortData || (ne && *ne > kMaxShortNe);
}

struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;
  // Ne, the maximum number of response bytes expected: absent means no Le field. A short Le of 00
  // means 256; an extended Le of 0000 means 65536.
  std::optional<std::size_t> ne;
  // Request the extended encoding even when short would do. Parsing sets it from the wire form.
  bool extended = false;

  CommandApdu() = default;
  CommandApdu(std::uint8_t cla_, std::uint8_t ins_, std::uint8_t p1_, std::uint8_t p2_, Bytes data_ = {},
              std::optional<std::size_t> ne_ = std::nullopt)
      : cla(cla_), ins(ins_), p1(p1_), p2(p2_), data(std::move(data_)), ne(ne_) {}

  ApduCase apdu_case() const noexcept;
  // True when the encoding will be extended (requested, or data/Ne too large for short form).
  bool uses_extended() const noexcept { return uses_extended_encoding(extended, data.size(), ne); }

  // Throws Error(Errc::parse_error) naming the problem (e.g. "Lc=16 but 15 data bytes follow").
  static CommandApdu parse(ByteView raw);
  // Same rules; returns nullopt and the reason instead of throwing (card side).
  static std::optional<CommandApdu> try_parse(ByteView raw, std::string* reason = nullptr);
  // Same rules, without copying the data field: it stays a view into `raw` (CommandApduView).
  static std::optional<CommandApduView> try_parse_view(ByteView raw, std::string* reason = nullptr);

  // Throws Error(Errc::invalid_argument) when data > 65535 bytes or Ne is 0 or > 65536.
  Bytes encode() const;

  // The logical channel number encoded in CLA (0-19), for interindustry CLA values.
  std::uint8_t channel() const noexcept;
  // True for CLA with b8 = 1 (proprietary / GlobalPlatform class), excluding FF.
  bool is_proprietary_class() const noexcept { return (cla & 0x80) != 0 && cla != 0xFF; }
  // Command chaining bit (b5 of CLA) of the interindustry classes (first and further, 00..7F).
  bool is_chained() const noexcept { return (cla & 0x80) == 0 && (cla & 0x10) != 0; }
};

// A command parsed where its bytes lie: the header, Ne and the wire form in `header` (whose data
// field is empty) and the data field as a view into the parsed bytes, which must outlive it. The card
// routes on the header and copies the data only when a consumer needs its own buffer; a protected
// command's data is instead read once, straight from the transport's bytes, by the unwrap, which
// writes the plaintext into the buffer the plain command owns (a 64 KB command costs no copy).
struct CommandApduView {
  CommandApdu header;
  ByteView data;

  // As CommandApdu::uses_extended() of the whole command.
  bool uses_extended() const noexcept { return uses_extended_encoding(header.extended, data.size(), header.ne); }
  // The whole command, the data field copied into its own buffer.
  CommandApdu to_command() &&;
};

struct ResponseApdu {
  Bytes data;
  std::uint16_t sw = 0x9000;

  ResponseApdu() = default;
  ResponseApdu(Bytes data_, std::uint16_t sw_) : data(std::move(data_)), sw(sw_) {}
  explicit ResponseApdu(std::uint16_t sw_) : sw(sw_) {}

  std::uint8_t sw1() const noexcept { return static_cast<std::uint8_t>(sw >> 8); }
  std::uint8_t sw2() const noexcept { return static_cast<std::uint8_t>(sw); }
  bool ok() const noexcept { return sw == 0x9000; }

  // Throws Error(Errc::parse_error) when shorter than the two status bytes.
  static ResponseApdu parse(ByteView raw);
  Bytes encode() const&;
  // The same bytes, the status word appended in the data's own buffer (no copy of the data).
  Bytes encode() &&;

  friend bool operator==(const ResponseApdu&, const ResponseApdu&) = default;
};

// Encodes the CLA byte for a logical channel (0-19), keeping the class's other bits: channels 0-3
// use first-interindustry coding (b2..b1), 4-19 further-interindustry coding (b4..b1 = channel-4, b7 = 1).
// `secure_messaging` sets the SM indication bit appropriate to the coding.
std::uint8_t cla_for_channel(std::uint8_t base_cla, std::uint8_t channel, bool secure_messaging);

// The CLA with the channel bits and the SM bit cleared, in first-interindustry form (for MACing).
constexpr std::uint8_t cla_without_channel(std::uint8_t cla) noexcept {
  if ((cla & 0x40) != 0) {
    // further interindustry: b8 class, b6 SM, b5 chaining, b4..b1 channel
    return static_cast<std::uint8_t>((cla & 0x80) | (cla & 0x10));
  }
  return static_cast<std::uint8_t>(cla & 0xF0);
}

// True when CLA carries a secure-messaging indication (b4/b3 in first-interindustry coding, b6 in
// further-interindustry coding).
constexpr bool has_secure_messaging(std::uint8_t cla) noexcept {
  if ((cla & 0x40) != 0) return (cla & 0x20) != 0;  // further interindustry: b6
  return (cla & 0x0C) != 0;                         // first interindustry: b4..b3
}
// The CLA with the secure-messaging indication cleared and the logical channel kept.
constexpr std::uint8_t cla_without_secure_messaging(std::uint8_t cla) noexcept {
  if ((cla & 0x40) != 0) return static_cast<std::uint8_t>(cla & ~0x20);
  return static_cast<std::uint8_t>(cla & ~0x0C);
}

}  // namespace sefleet::iso7816

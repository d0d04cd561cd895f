#include "iso7816/apdu.hpp"

#include <utility>

#include "core/error.hpp"

namespace sefleet::iso7816 {
namespace {

std::string str(std::size_t n) {
  return std::to_string(n);
}

std::optional<CommandApduView> fail(std::string* reason, std::string message) {
  if (reason != nullptr) *reason = std::move(message);
  return std::nullopt;
}

}  // namespace

ApduCase CommandApdu::apdu_case() const noexcept {
  if (data.empty()) return ne ? ApduCase::two : ApduCase::one;
  return ne ? ApduCase::four : ApduCase::three;
}

std::optional<CommandApduView> CommandApdu::try_parse_view(ByteView raw, std::string* reason) {
  if (raw.size() < 4) {
    return fail(reason, "APDU of " + str(raw.size()) + " bytes is shorter than the 4-byte header");
  }
  CommandApduView parsed{CommandApdu(raw[0], raw[1], raw[2], raw[3]), {}};
  CommandApdu& apdu = parsed.header;
  const std::size_t body = raw.size() - 4;
  if (body == 0) {
    return parsed;  // case 1
  }
  const std::uint8_t b0 = raw[4];
  if (body == 1) {
    apdu.ne = b0 == 0 ? kMaxShortNe : b0;  // case 2S
    return parsed;
  }
  if (b0 != 0) {  // short Lc
    const std::size_t lc = b0;
    if (body == 1 + lc || body == 2 + lc) {
      parsed.data = raw.subspan(5, lc);
      if (body == 2 + lc) {
        const std::uint8_t le = raw[5 + lc];
        apdu.ne = le == 0 ? kMaxShortNe : le;  // case 4S
      }
      return parsed;  // case 3S or 4S
    }
    return fail(reason, "short Lc=" + str(lc) + " but " + str(body - 1) + " bytes follow (expected " + str(lc) +
                            " data bytes, optionally plus 1 Le byte)");
  }
  // b0 == 00 with more bytes: extended length.
  apdu.extended = true;
  if (body == 2) {
    return fail(reason, "extended length field truncated (00 followed by one byte)");
  }
  const std::size_t field = (static_cast<std::size_t>(raw[5]) << 8) | raw[6];
  if (body == 3) {
    apdu.ne = field == 0 ? kMaxExtendedNe : field;  // case 2E
    return parsed;
  }
  if (field == 0) {
    return fail(reason, "extended Lc of 0000 is not allowed");
  }
  const std::size_t lc = field;
  if (body == 3 + lc || body == 5 + lc) {
    parsed.data = raw.subspan(7, lc);
    if (body == 5 + lc) {
      const std::size_t le = (static_cast<std::size_t>(raw[7 + lc]) << 8) | raw[8 + lc];
      apdu.ne = le == 0 ? kMaxExtendedNe : le;  // case 4E
    }
    return parsed;
  }
  return fail(reason, "extended Lc=" + str(lc) + " but " + str(body - 3) + " bytes follow (expected " + str(lc) +
                          " data bytes, optionally plus 2 Le bytes)");
}

std::optional<CommandApdu> CommandApdu::try_parse(ByteView raw, std::string* reason) {
  auto parsed = try_parse_view(raw, reason);
  if (!parsed) return std::nullopt;
  return std::move(*parsed).to_command();
}

CommandApdu CommandApduView::to_command() && {
  CommandApdu command = std::move(header);
  command.data.assign(data.begin(), data.end());
  return command;
}

CommandApdu CommandApdu::parse(ByteView raw) {
  std::string reason;
  auto apdu = try_parse(raw, &reason);
  if (!apdu) throw Error(Errc::parse_error, "malformed command APDU: " + reason);
  return std::move(*apdu);
}

Bytes CommandApdu::encode() const {
  if (data.size() > kMaxExtendedData) {
    throw Error(Errc::invalid_argument, "command data of " + str(data.size()) + " bytes exceeds 65535");
  }
  if (ne && (*ne == 0 || *ne > kMaxExtendedNe)) {
    throw Error(Errc::invalid_argument, "Ne must be 1..65536, got " + str(*ne));
  }
  Bytes out{cla, ins, p1, p2};
  out.reserve(4 + 3 + data.size() + 2);
  if (!uses_extended()) {
    if (!data.empty()) {
      out.push_back(static_cast<std::uint8_t>(data.size()));
      append(out, data);
    }
    if (ne) out.push_back(static_cast<std::uint8_t>(*ne == kMaxShortNe ? 0 : *ne));
    return out;
  }
  if (data.empty() && !ne) {
    return out;  // case 1 has no length field, hence no extended form (a lone 00 would read as Le=256)
  }
  out.push_back(0x00);
  if (!data.empty()) {
    put_be16(out, static_cast<std::uint16_t>(data.size()));
    append(out, data);
  }
  if (ne) put_be16(out, static_cast<std::uint16_t>(*ne == kMaxExtendedNe ? 0 : *ne));
  return out;
}

std::uint8_t CommandApdu::channel() const noexcept {
  if ((cla & 0x40) != 0) {
    return static_cast<std::uint8_t>(4 + (cla & 0x0F));  // further interindustry
  }
  return static_cast<std::uint8_t>(cla & 0x03);
}

ResponseApdu ResponseApdu::parse(ByteView raw) {
  if (raw.size() < 2) {
    throw Error(Errc::parse_error, "response APDU of " + str(raw.size()) + " bytes has no status word");
  }
  ResponseApdu rsp;
  rsp.data.assign(raw.begin(), raw.end() - 2);
  rsp.sw = static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]);
  return rsp;
}

Bytes ResponseApdu::encode() const& {
  Bytes out;
  out.reserve(data.size() + 2);
  out.assign(data.begin(), data.end());
  put_be16(out, sw);
  return out;
}

Bytes ResponseApdu::encode() && {
  Bytes out = std::move(data);
  out.reserve(out.size() + 2);  // one allocation at most, also for a response without data
  out.push_back(sw1());
  out.push_back(sw2());
  return out;
}

std::uint8_t cla_for_channel(std::uint8_t base_cla, std::uint8_t channel, bool secure_messaging) {
  if (channel > 19) {
    throw Error(Errc::invalid_argument, "logical channel must be 0..19, got " + str(channel));
  }
  const std::uint8_t proprietary = base_cla & 0x80;
  if (channel <= 3) {
    std::uint8_t cla = static_cast<std::uint8_t>((base_cla & 0xF0 & ~0x40) | channel);
    if (secure_messaging) cla = static_cast<std::uint8_t>(cla | 0x04);
    return static_cast<std::uint8_t>(cla | proprietary);
  }
  std::uint8_t cla = static_cast<std::uint8_t>(proprietary | 0x40 | ((channel - 4) & 0x0F) | (base_cla & 0x10));
  if (secure_messaging) cla = static_cast<std::uint8_t>(cla | 0x20);
  return cla;
}

}  // namespace sefleet::iso7816

#include "transport/framing.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace sefleet::transport::framing {

std::string control_name(Control control) {
  switch (control) {
    case Control::power_off:
      return "power off (00)";
    case Control::power_on:
      return "power on (01)";
    case Control::reset:
      return "reset (02)";
    case Control::atr:
      return "get ATR (04)";
  }
  return fmt::format("control {:02X}", static_cast<unsigned>(control));
}

void append_frame(Bytes& out, ByteView payload) {
  if (payload.size() > kMaxPayload) {
    throw Error(
        Errc::invalid_argument,
        fmt::format("message of {} bytes exceeds the 65535-byte limit of the 2-byte length framing", payload.size()));
  }
  out.reserve(out.size() + kHeaderSize + payload.size());
  put_be16(out, static_cast<std::uint16_t>(payload.size()));
  append(out, payload);
}

Bytes encode(ByteView payload) {
  Bytes out;
  append_frame(out, payload);
  return out;
}

Bytes encode_control(Control control) {
  const std::uint8_t byte = static_cast<std::uint8_t>(control);
  return encode(ByteView(&byte, 1));
}

std::size_t payload_length(ByteView header) {
  if (header.size() != kHeaderSize) {
    throw Error(Errc::invalid_argument, fmt::format("frame header must be 2 bytes, got {}", header.size()));
  }
  return read_be16(header, 0);
}

HostMessage classify(ByteView payload) {
  HostMessage message;
  if (payload.empty()) {
    message.problem = "empty message (length 0) from the host";
    return message;
  }
  if (payload.size() == 1) {
    switch (payload[0]) {
      case 0x00:
      case 0x01:
      case 0x02:
      case 0x04:
        message.kind = HostMessage::Kind::control;
        message.control = static_cast<Control>(payload[0]);
        return message;
      default:
        message.problem = fmt::format("undefined control byte {:02X} (defined: 00 off, 01 on, 02 reset, 04 ATR)",
                                      static_cast<unsigned>(payload[0]));
        return message;
    }
  }
  message.kind = HostMessage::Kind::command;
  return message;
}

}  // namespace sefleet::transport::framing

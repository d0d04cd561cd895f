// How the runtime reads the class byte (ISO/IEC 7816-4 §5.4.1, GP Card Spec §11.1.4).
//
//   000x xxxx  first interindustry:   b5 chaining, b4-b3 secure messaging, b2-b1 channel 0-3
//   01xx xxxx  further interindustry: b6 secure messaging, b5 chaining, b4-b1 channel 4-19
//   001x xxxx  reserved for future use -> not supported (6E00)
//   1xxx xxxx  proprietary (GlobalPlatform): the same coding with b8 set (80-9F first, C0-FE further);
//              101x xxxx mirrors the reserved interindustry range and FF is invalid -> 6E00
#pragma once

#include <cstdint>
#include <optional>

namespace sefleet::card {

struct ClassByte {
  std::uint8_t channel = 0;    // logical channel 0-19
  bool interindustry = false;  // b8 = 0
  bool secure_messaging = false;
  bool chaining = false;  // command chaining bit (interindustry meaning; applets judge proprietary)
};

// The decoded class, or nullopt for a class the card does not support (answered with 6E00). Inline:
// the runtime decodes the class byte of every command, twice for a secured one.
constexpr std::optional<ClassByte> decode_class(std::uint8_t cla) noexcept {
  if (cla == 0xFF) return std::nullopt;
  if ((cla & 0x60) == 0x20) return std::nullopt;  // 001x xxxx, 101x xxxx: reserved by ISO, refused
  ClassByte out;
  out.interindustry = (cla & 0x80) == 0;
  if ((cla & 0x40) != 0) {
    out.channel = static_cast<std::uint8_t>(4 + (cla & 0x0F));
    out.secure_messaging = (cla & 0x20) != 0;
  } else {
    out.channel = static_cast<std::uint8_t>(cla & 0x03);
    out.secure_messaging = (cla & 0x0C) != 0;
  }
  out.chaining = (cla & 0x10) != 0;
  return out;
}

// ISO/IEC 7816-4 §5.1.2: INS values 6X and 9X are invalid (they are T=0 procedure bytes).
constexpr bool is_invalid_ins(std::uint8_t ins) noexcept {
  return (ins & 0xF0) == 0x60 || (ins & 0xF0) == 0x90;
}

}  // namespace sefleet::card

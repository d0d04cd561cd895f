#include "card/runtime/cla_coding.hpp"

namespace sefleet::card {

std::optional<ClassByte> decode_class(std::uint8_t cla) noexcept {
  if (cla == 0xFF) return std::nullopt;
  if ((cla & 0x60) == 0x20) return std::nullopt;  // 001x xxxx and 101x xxxx: reserved coding
  ClassByte out;
  out.interindustry = (cla & 0x80) == 0;
  if ((cla & 0x40) != 0) {
    out.channel = static_cast<std::uint8_t>(4 + (cla & 0x0F));
    out.secure_messaging = (cla & 0x20) != 0;
    out.chaining = (cla & 0x10) != 0;
  } else {
    out.channel = static_cast<std::uint8_t>(cla & 0x03);
    out.secure_messaging = (cla & 0x0C) != 0;
    out.chaining = (cla & 0x10) != 0;
  }
  return out;
}

}  // namespace sefleet::card

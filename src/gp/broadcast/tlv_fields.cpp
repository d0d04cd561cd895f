#include "gp/broadcast/tlv_fields.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::gp::broadcast::detail {

namespace {

std::vector<iso7816::TlvView> parse_flat(ByteView data, const std::string& message) {
  try {
    return iso7816::parse_tlv_flat(data);
  } catch (const Error& error) {
    // Keep the TLV layer's precise reason, but say which message it was.
    throw Error(Errc::parse_error, message + ": " + error.what());
  }
}

}  // namespace

TlvFields::TlvFields(ByteView data, std::initializer_list<iso7816::Tag> allowed, std::string message)
    : message_(std::move(message)) {
  for (const auto& object : parse_flat(data, message_)) {
    if (std::find(allowed.begin(), allowed.end(), object.tag) == allowed.end()) {
      refuse(object.tag, "is not allowed here");
    }
    if (object.constructed) refuse(object.tag, "must be primitive");
    if (!values_.emplace(object.tag, object.value).second) refuse(object.tag, "appears twice");
  }
}

ByteView TlvFields::any(iso7816::Tag tag) const {
  const auto found = values_.find(tag);
  if (found == values_.end()) refuse(tag, "is missing");
  return found->second;
}

ByteView TlvFields::exact(iso7816::Tag tag, std::size_t size) const {
  const ByteView value = any(tag);
  if (value.size() != size) {
    refuse(tag, "must be " + std::to_string(size) + " bytes, got " + std::to_string(value.size()));
  }
  return value;
}

void TlvFields::refuse(iso7816::Tag tag, const std::string& what) const {
  throw Error(Errc::parse_error, message_ + ": tag " + iso7816::tag_hex(tag) + " " + what);
}

std::string hex_byte(std::uint8_t byte) {
  return to_hex(ByteView(&byte, 1));
}

ByteView single_constructed_value(ByteView data, iso7816::Tag tag, const std::string& message) {
  const auto objects = parse_flat(data, message);
  if (objects.size() != 1) {
    throw Error(Errc::parse_error, message + ": expected exactly one " + iso7816::tag_hex(tag) + " object, got " +
                                       std::to_string(objects.size()) + " objects");
  }
  if (objects.front().tag != tag || !objects.front().constructed) {
    throw Error(Errc::parse_error,
                message + ": expected tag " + iso7816::tag_hex(tag) + ", got " + iso7816::tag_hex(objects.front().tag));
  }
  return objects.front().value;
}

}  // namespace sefleet::gp::broadcast::detail

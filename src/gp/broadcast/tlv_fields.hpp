// Strict reading of the flat BER-TLV field lists of the broadcast channel (CHANGE MODE, AUTHORIZE
// ACTION, the E0 manifest and the E1 status object): every field is a primitive object with a known
// tag, present exactly once, in any order. One helper, so every message refuses the same mistakes with
// the same wording ("<message>: tag C3 ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include "core/bytes.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::broadcast::detail {

class TlvFields {
 public:
  // Parses `data` as a sequence of top-level objects. Throws Error(Errc::parse_error), prefixed with
  // `message`, for malformed TLV, a constructed or unknown tag, or a tag seen twice. Values are views
  // into `data`.
  TlvFields(ByteView data, std::initializer_list<iso7816::Tag> allowed, std::string message);

  // The value of `tag`; throws Error(Errc::parse_error) when it is missing or not `size` bytes long.
  ByteView exact(iso7816::Tag tag, std::size_t size) const;
  // The value of `tag`, of any length; throws Error(Errc::parse_error) when it is missing.
  ByteView any(iso7816::Tag tag) const;

  // Throws Error(Errc::parse_error) "<message>: tag <tag> <what>".
  [[noreturn]] void refuse(iso7816::Tag tag, const std::string& what) const;

 private:
  std::string message_;
  std::map<iso7816::Tag, ByteView> values_;
};

// "9A"-style upper-case hex of one byte, for messages about values that are not tags.
std::string hex_byte(std::uint8_t byte);

// The value of the single constructed object `tag` that must make up all of `data`. Throws
// Error(Errc::parse_error), prefixed with `message`, otherwise.
ByteView single_constructed_value(ByteView data, iso7816::Tag tag, const std::string& message);

}  // namespace sefleet::gp::broadcast::detail

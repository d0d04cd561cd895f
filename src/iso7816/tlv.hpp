// BER-TLV data objects as ISO/IEC 7816-4 (§5.2 / Annex D) and GlobalPlatform use them: tags of 1 to 3
// bytes, definite lengths of 1 to 5 bytes (00..7F, 81 xx, 82 xxxx, 83 xxxxxx, 84 xxxxxxxx), primitive or
// constructed (b6 of the first tag byte), constructed values parsed recursively into a tree.
//
// Decisions (the defaults are the strict choices, so that parse-then-encode reproduces the input):
//  - Lengths must be minimal by default (81 only for 80..FF, 82 only above FF, ...). ISO 7816-4 also
//    permits longer length fields; set `minimal_lengths = false` to read data from cards that send them.
//    Our encoder always writes the minimal form.
//  - Padding: ISO 7816-4 allows meaningless 00/FF bytes before, between and after objects (erased
//    records). GlobalPlatform data never contains them, and silently skipping bytes would let garbage
//    through, so they are refused by default; `skip_padding = true` skips them (for data read from EFs).
//  - Tags: the first byte may not be 00 or FF (ISO 7816-4). In multi-byte tags every byte but the last
//    has b8 = 1 and the first subsequent byte may not be 00 or 80 (X.690 §8.1.2.4.2: no leading zero
//    bits). Second bytes 01..1E are accepted although ISO asks for 1F..7F, because EMV and GP data use
//    them (9F02, 9F1E ...). Tags longer than 3 bytes are refused.
//  - The indefinite length (80) is refused (ISO 7816 does not use it), as are length fields of more
//    than 5 bytes (first byte 85..FF).
//
// A tag is held as the big-endian integer of its bytes: 0x6F, 0x9F7F, 0xBF0C, 0x5F2D, 0xDF8101 ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::iso7816 {

using Tag = std::uint32_t;

inline constexpr std::size_t kMaxTagBytes = 3;
inline constexpr std::size_t kMaxLengthBytes = 4;  // after the 8x byte
inline constexpr std::size_t kDefaultTlvDepth = 16;
inline constexpr std::size_t kMaxTlvDepth = 64;  // recursion bound, whatever the caller asks for

// True when `tag` is a well-formed 1-3 byte tag by the rules above.
bool is_valid_tag(Tag tag) noexcept;
// Number of bytes of a valid tag (1..3).
std::size_t tag_size(Tag tag);
// b6 of the first tag byte.
bool is_constructed_tag(Tag tag);
// "9F7F"-style upper-case hex of the tag's bytes (for messages).
std::string tag_hex(Tag tag);

// Appends the tag bytes; throws Error(Errc::invalid_argument) for an invalid tag.
void encode_tag(Bytes& out, Tag tag);
// Appends the minimal length field; throws Error(Errc::invalid_argument) above 0xFFFFFFFF.
void encode_length(Bytes& out, std::size_t length);
// Bytes of the minimal length field for `length` (1..5).
std::size_t length_field_size(std::size_t length);

struct TlvParseOptions {
  bool minimal_lengths = true;  // refuse 81 05, 82 00 80, ...
  bool skip_padding = false;    // skip 00 / FF bytes around objects instead of refusing them
  // Top-level objects are depth 1. Values above kMaxTlvDepth are lowered to it; 0 is refused
  // (Error(Errc::invalid_argument)).
  std::size_t max_depth = kDefaultTlvDepth;
};

// One data object. Primitive objects hold a value; constructed objects hold child objects (their value
// field is the concatenated encoding of the children).
class Tlv {
 public:
  // Throw Error(Errc::invalid_argument) when the tag is invalid or its b6 contradicts the factory.
  static Tlv primitive(Tag tag, Bytes value);
  static Tlv constructed(Tag tag, std::vector<Tlv> children = {});

  Tag tag() const noexcept { return tag_; }
  bool is_constructed() const noexcept { return constructed_; }

  // The value of a primitive object; throws Error(Errc::state_error) for a constructed one.
  const Bytes& value() const;
  // The value field as it is encoded, for either kind.
  Bytes value_bytes() const;
  // Number of bytes in the value field.
  std::size_t value_size() const;

  // Children of a constructed object (empty for a primitive one).
  const std::vector<Tlv>& children() const noexcept { return children_; }
  // Appends a child and returns *this (so calls chain); throws Error(Errc::state_error) on a primitive object.
  Tlv& add(Tlv child);

  // The first direct child with `tag`, or nullptr.
  const Tlv* find(Tag tag) const noexcept;
  // The first direct child with `tag`; throws Error(Errc::not_found) naming both tags.
  const Tlv& child(Tag tag) const;
  // Every direct child with `tag`, in order.
  std::vector<const Tlv*> find_all(Tag tag) const;
  // Follows a path of tags through nested children (each step is a direct child), or nullptr.
  // An empty path yields this object.
  const Tlv* find_path(std::initializer_list<Tag> path) const noexcept;
  // Depth-first search below this object (not the object itself), or nullptr.
  const Tlv* find_descendant(Tag tag) const noexcept;

  std::size_t encoded_size() const;
  Bytes encode() const;
  void encode_to(Bytes& out) const;

  friend bool operator==(const Tlv& a, const Tlv& b) = default;

 private:
  Tlv(Tag tag, bool constructed) : tag_(tag), constructed_(constructed) {}
  Tag tag_ = 0;
  bool constructed_ = false;
  Bytes value_;
  std::vector<Tlv> children_;
};

// Exactly one object covering all of `data` (with padding allowed, padding may surround it).
// Throws Error(Errc::parse_error) naming the problem and its offset.
Tlv parse_tlv(ByteView data, const TlvParseOptions& options = {});
// A sequence of zero or more objects covering all of `data`, each parsed recursively.
std::vector<Tlv> parse_tlv_sequence(ByteView data, const TlvParseOptions& options = {});
// Same rules; nullopt plus the reason instead of throwing (card side, fuzzing).
std::optional<std::vector<Tlv>> try_parse_tlv_sequence(ByteView data, const TlvParseOptions& options = {},
                                                       std::string* reason = nullptr);

// One level only: tag, constructed flag and value bytes of each top-level object, without looking
// inside constructed values. Values are views into `data` (valid while `data` is). For hot paths and
// for data whose constructed values are not themselves BER-TLV.
struct TlvView {
  Tag tag = 0;
  bool constructed = false;
  ByteView value;
  std::size_t offset = 0;  // where the tag starts in `data`
};
std::vector<TlvView> parse_tlv_flat(ByteView data, const TlvParseOptions& options = {});

// The value of the first top-level object with `tag` in a flat sequence, or nullopt.
std::optional<ByteView> find_tlv_value(ByteView data, Tag tag, const TlvParseOptions& options = {});

}  // namespace sefleet::iso7816

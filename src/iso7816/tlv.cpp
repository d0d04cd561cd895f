#include "iso7816/tlv.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"

namespace sefleet::iso7816 {
namespace {

std::string decimal(std::size_t n) {
  return std::to_string(n);
}

std::string byte_hex(std::uint8_t byte) {
  char text[3];
  std::snprintf(text, sizeof text, "%02X", byte);
  return text;
}

// Number of significant bytes of a tag integer (at least 1), without judging validity.
std::size_t raw_tag_bytes(Tag tag) noexcept {
  if (tag > 0xFFFF) return tag > 0xFFFFFF ? 4 : 3;
  return tag > 0xFF ? 2 : 1;
}

std::uint8_t first_tag_byte(Tag tag) noexcept {
  return static_cast<std::uint8_t>(tag >> (8 * (raw_tag_bytes(tag) - 1)));
}

Tag checked_tag(Tag tag) {
  if (!is_valid_tag(tag)) {
    throw Error(Errc::invalid_argument, "TLV: " + tag_hex(tag) + " is not a valid 1-3 byte BER-TLV tag");
  }
  return tag;
}

// One parse over the caller's whole buffer, so every message can give the absolute offset.
class Parser {
 public:
  Parser(ByteView data, const TlvParseOptions& options) : data_(data), options_(options) {
    if (options.max_depth == 0) {
      throw Error(Errc::invalid_argument, "TLV: max_depth must be at least 1 (top-level objects are depth 1)");
    }
    max_depth_ = std::min(options.max_depth, kMaxTlvDepth);
  }

  struct Header {
    std::size_t offset = 0;  // of the tag
    Tag tag = 0;
    bool constructed = false;
    std::size_t value_offset = 0;
    std::size_t value_length = 0;
  };

  // Parses objects in [begin, end) at `depth`, recursing into constructed values.
  std::vector<Tlv> sequence(std::size_t begin, std::size_t end, std::size_t depth) {
    std::vector<Tlv> objects;
    std::size_t pos = begin;
    while (next_object(pos, end)) {
      const Header header = read_header(pos, end, depth);
      pos = header.value_offset + header.value_length;
      const ByteView value = data_.subspan(header.value_offset, header.value_length);
      if (header.constructed) {
        objects.push_back(Tlv::constructed(
            header.tag, sequence(header.value_offset, header.value_offset + header.value_length, depth + 1)));
      } else {
        objects.push_back(Tlv::primitive(header.tag, Bytes(value.begin(), value.end())));
      }
    }
    return objects;
  }

  // One level, values left as views.
  std::vector<TlvView> flat() {
    std::vector<TlvView> objects;
    std::size_t pos = 0;
    while (next_object(pos, data_.size())) {
      const Header header = read_header(pos, data_.size(), 1);
      pos = header.value_offset + header.value_length;
      objects.push_back(TlvView{header.tag, header.constructed, data_.subspan(header.value_offset, header.value_length),
                                header.offset});
    }
    return objects;
  }

 private:
  [[noreturn]] static void fail(const std::string& message, std::size_t offset) {
    throw Error(Errc::parse_error, "TLV: " + message + " at offset " + decimal(offset));
  }

  // Skips padding when allowed; true when an object starts at `pos` (before `end`).
  bool next_object(std::size_t& pos, std::size_t end) const {
    if (options_.skip_padding) {
      while (pos < end && (data_[pos] == 0x00 || data_[pos] == 0xFF)) ++pos;
    }
    return pos < end;
  }

  Header read_header(std::size_t pos, std::size_t end, std::size_t depth) const {
    Header header;
    header.offset = pos;
    if (depth > max_depth_) {
      fail("object nested deeper than " + decimal(max_depth_) + " levels", pos);
    }
    const std::uint8_t first = data_[pos];
    if (first == 0x00 || first == 0xFF) {
      fail("byte " + byte_hex(first) + " where a tag was expected (padding is refused unless skip_padding is set)",
           pos);
    }
    header.constructed = (first & 0x20) != 0;
    Tag tag = first;
    ++pos;
    if ((first & 0x1F) == 0x1F) {
      // Subsequent tag bytes: b8 = 1 means another byte follows.
      for (std::size_t count = 1;; ++count) {
        if (count == kMaxTagBytes) {
          fail("tag " + tag_hex(tag) + "... longer than " + decimal(kMaxTagBytes) + " bytes", header.offset);
        }
        if (pos >= end) fail("tag " + tag_hex(tag) + " truncated", header.offset);
        const std::uint8_t next = data_[pos];
        if (count == 1 && (next == 0x00 || next == 0x80)) {
          fail("tag byte " + byte_hex(next) + " after " + byte_hex(first) + " (leading zero bits in tag number)", pos);
        }
        tag = (tag << 8) | next;
        ++pos;
        if ((next & 0x80) == 0) break;
      }
    }
    header.tag = tag;

    if (pos >= end) fail("length of tag " + tag_hex(tag) + " missing", pos);
    const std::uint8_t length_byte = data_[pos];
    const std::size_t length_offset = pos;
    ++pos;
    std::size_t length = length_byte;
    if (length_byte == 0x80) {
      fail("indefinite length (80) of tag " + tag_hex(tag) + " is not allowed", length_offset);
    }
    if (length_byte > 0x80) {
      const std::size_t count = length_byte & 0x7F;
      if (count > kMaxLengthBytes) {
        fail("length field " + byte_hex(length_byte) + " of tag " + tag_hex(tag) + " announces " + decimal(count) +
                 " length bytes (at most " + decimal(kMaxLengthBytes) + ")",
             length_offset);
      }
      if (end - pos < count) fail("length field of tag " + tag_hex(tag) + " truncated", length_offset);
      length = 0;
      for (std::size_t i = 0; i < count; ++i) length = (length << 8) | data_[pos + i];
      pos += count;
      if (options_.minimal_lengths && length_field_size(length) != count + 1) {
        fail("non-minimal length field (" + decimal(count + 1) + " bytes for length " + decimal(length) + ") of tag " +
                 tag_hex(tag),
             length_offset);
      }
    }
    if (length > end - pos) {
      fail("value of tag " + tag_hex(tag) + " needs " + decimal(length) + " bytes but only " + decimal(end - pos) +
               " remain",
           length_offset);
    }
    header.value_offset = pos;
    header.value_length = length;
    return header;
  }

  ByteView data_;
  const TlvParseOptions& options_;
  std::size_t max_depth_ = kDefaultTlvDepth;
};

}  // namespace

bool is_valid_tag(Tag tag) noexcept {
  if (tag == 0 || tag > 0xFFFFFF) return false;
  const std::size_t size = raw_tag_bytes(tag);
  const std::uint8_t first = first_tag_byte(tag);
  if (first == 0xFF) return false;
  const bool multi_byte = (first & 0x1F) == 0x1F;
  if (size == 1) return !multi_byte;  // 00 excluded above
  if (!multi_byte) return false;
  const auto second = static_cast<std::uint8_t>(tag >> (8 * (size - 2)));
  if (second == 0x00 || second == 0x80) return false;
  if (size == 2) return (second & 0x80) == 0;
  const auto third = static_cast<std::uint8_t>(tag);
  return (second & 0x80) != 0 && (third & 0x80) == 0;
}

std::size_t tag_size(Tag tag) {
  return raw_tag_bytes(checked_tag(tag));
}

bool is_constructed_tag(Tag tag) {
  return (first_tag_byte(checked_tag(tag)) & 0x20) != 0;
}

std::string tag_hex(Tag tag) {
  std::string text;
  for (std::size_t i = raw_tag_bytes(tag); i > 0; --i) {
    text += byte_hex(static_cast<std::uint8_t>(tag >> (8 * (i - 1))));
  }
  return text;
}

void encode_tag(Bytes& out, Tag tag) {
  for (std::size_t i = tag_size(tag); i > 0; --i) {
    out.push_back(static_cast<std::uint8_t>(tag >> (8 * (i - 1))));
  }
}

std::size_t length_field_size(std::size_t length) {
  if (length < 0x80) return 1;
  if (length <= 0xFF) return 2;
  if (length <= 0xFFFF) return 3;
  if (length <= 0xFFFFFF) return 4;
  if (length <= 0xFFFFFFFFULL) return 5;
  throw Error(Errc::invalid_argument, "TLV: length " + decimal(length) + " exceeds the 4-byte length field");
}

void encode_length(Bytes& out, std::size_t length) {
  const std::size_t size = length_field_size(length);
  if (size == 1) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | (size - 1)));
  for (std::size_t i = size - 1; i > 0; --i) {
    out.push_back(static_cast<std::uint8_t>(length >> (8 * (i - 1))));
  }
}

Tlv Tlv::primitive(Tag tag, Bytes value) {
  if (is_constructed_tag(tag)) {
    throw Error(Errc::invalid_argument, "TLV: tag " + tag_hex(tag) + " is constructed (b6 = 1); use Tlv::constructed");
  }
  Tlv object(tag, false);
  object.value_ = std::move(value);
  return object;
}

Tlv Tlv::constructed(Tag tag, std::vector<Tlv> children) {
  if (!is_constructed_tag(tag)) {
    throw Error(Errc::invalid_argument, "TLV: tag " + tag_hex(tag) + " is primitive (b6 = 0); use Tlv::primitive");
  }
  Tlv object(tag, true);
  object.children_ = std::move(children);
  return object;
}

const Bytes& Tlv::value() const {
  if (constructed_) {
    throw Error(Errc::state_error, "TLV: " + tag_hex(tag_) + " is constructed; use children() or value_bytes()");
  }
  return value_;
}

Bytes Tlv::value_bytes() const {
  if (!constructed_) return value_;
  Bytes out;
  out.reserve(value_size());
  for (const auto& child : children_) child.encode_to(out);
  return out;
}

std::size_t Tlv::value_size() const {
  if (!constructed_) return value_.size();
  std::size_t total = 0;
  for (const auto& child : children_) total += child.encoded_size();
  return total;
}

Tlv& Tlv::add(Tlv child) {
  if (!constructed_) {
    throw Error(Errc::state_error, "TLV: cannot add a child to primitive object " + tag_hex(tag_));
  }
  children_.push_back(std::move(child));
  return *this;
}

const Tlv* Tlv::find(Tag tag) const noexcept {
  for (const auto& child : children_) {
    if (child.tag_ == tag) return &child;
  }
  return nullptr;
}

const Tlv& Tlv::child(Tag tag) const {
  const Tlv* found = find(tag);
  if (found == nullptr) {
    throw Error(Errc::not_found, "TLV: " + tag_hex(tag_) + " has no child " + tag_hex(tag));
  }
  return *found;
}

std::vector<const Tlv*> Tlv::find_all(Tag tag) const {
  std::vector<const Tlv*> found;
  for (const auto& child : children_) {
    if (child.tag_ == tag) found.push_back(&child);
  }
  return found;
}

const Tlv* Tlv::find_path(std::initializer_list<Tag> path) const noexcept {
  const Tlv* current = this;
  for (const Tag step : path) {
    current = current->find(step);
    if (current == nullptr) return nullptr;
  }
  return current;
}

const Tlv* Tlv::find_descendant(Tag tag) const noexcept {
  for (const auto& child : children_) {
    if (child.tag_ == tag) return &child;
    if (const Tlv* below = child.find_descendant(tag)) return below;
  }
  return nullptr;
}

std::size_t Tlv::encoded_size() const {
  const std::size_t size = value_size();
  return tag_size(tag_) + length_field_size(size) + size;
}

Bytes Tlv::encode() const {
  Bytes out;
  out.reserve(encoded_size());
  encode_to(out);
  return out;
}

void Tlv::encode_to(Bytes& out) const {
  encode_tag(out, tag_);
  encode_length(out, value_size());
  if (!constructed_) {
    append(out, value_);
    return;
  }
  for (const auto& child : children_) child.encode_to(out);
}

Tlv parse_tlv(ByteView data, const TlvParseOptions& options) {
  std::vector<Tlv> objects = parse_tlv_sequence(data, options);
  if (objects.size() != 1) {
    throw Error(Errc::parse_error, "TLV: expected exactly one data object, found " + decimal(objects.size()));
  }
  return std::move(objects.front());
}

std::vector<Tlv> parse_tlv_sequence(ByteView data, const TlvParseOptions& options) {
  Parser parser(data, options);
  return parser.sequence(0, data.size(), 1);
}

std::optional<std::vector<Tlv>> try_parse_tlv_sequence(ByteView data, const TlvParseOptions& options,
                                                       std::string* reason) {
  try {
    return parse_tlv_sequence(data, options);
  } catch (const Error& e) {
    if (reason != nullptr) *reason = e.what();
    return std::nullopt;
  }
}

std::vector<TlvView> parse_tlv_flat(ByteView data, const TlvParseOptions& options) {
  Parser parser(data, options);
  return parser.flat();
}

std::optional<ByteView> find_tlv_value(ByteView data, Tag tag, const TlvParseOptions& options) {
  for (const auto& object : parse_tlv_flat(data, options)) {
    if (object.tag == tag) return object.value;
  }
  return std::nullopt;
}

}  // namespace sefleet::iso7816

// Fuzzes the BER-TLV parser. The first input byte chooses the options (minimal lengths, padding,
// depth); the rest is the TLV data. Invariants checked:
//  - try_parse_tlv_sequence never throws, agrees with parse_tlv_sequence, and gives a reason on refusal;
//  - with the strict defaults the encoding is canonical: encode(parse(x)) == x;
//  - under any options, parse(encode(parse(x))) == parse(x) with strict options (the encoder writes
//    only minimal, unpadded forms);
//  - the one-level parse agrees with the tree parse on tags, kinds and value bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "iso7816/tlv.hpp"

namespace {

using sefleet::Bytes;
using sefleet::ByteView;
using sefleet::Errc;
using sefleet::Error;
using namespace sefleet::iso7816;

void require(bool condition) {
  if (!condition) std::abort();
}

void check_tree(const Tlv& object, std::size_t depth, std::size_t max_depth) {
  require(depth <= max_depth);
  require(is_valid_tag(object.tag()));
  require(object.is_constructed() == is_constructed_tag(object.tag()));
  require(object.value_bytes().size() == object.value_size());
  for (const auto& child : object.children()) check_tree(child, depth + 1, max_depth);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  TlvParseOptions options;
  options.minimal_lengths = (data[0] & 0x01) == 0;
  options.skip_padding = (data[0] & 0x02) != 0;
  options.max_depth = 1 + (data[0] >> 2);  // 1..64
  const ByteView tlv(data + 1, size - 1);

  std::string reason;
  std::optional<std::vector<Tlv>> objects;
  try {
    objects = try_parse_tlv_sequence(tlv, options, &reason);
  } catch (...) {
    std::abort();
  }
  bool parsed = false;
  try {
    parse_tlv_sequence(tlv, options);
    parsed = true;
  } catch (const Error& e) {
    require(e.code() == Errc::parse_error);
    require(reason == e.what());
  }
  require(parsed == objects.has_value());
  if (!objects) {
    require(!reason.empty());
    return 0;
  }

  Bytes encoded;
  for (const auto& object : *objects) {
    check_tree(object, 1, options.max_depth);
    object.encode_to(encoded);
  }
  if (options.minimal_lengths && !options.skip_padding) {
    require(encoded == Bytes(tlv.begin(), tlv.end()));
  }
  TlvParseOptions strict;
  strict.max_depth = options.max_depth;
  require(parse_tlv_sequence(encoded, strict) == *objects);

  const std::vector<TlvView> flat = parse_tlv_flat(tlv, options);
  require(flat.size() == objects->size());
  for (std::size_t i = 0; i < flat.size(); ++i) {
    const Tlv& object = (*objects)[i];
    require(flat[i].tag == object.tag() && flat[i].constructed == object.is_constructed());
    require(Bytes(flat[i].value.begin(), flat[i].value.end()) == object.value_bytes() || !options.minimal_lengths ||
            options.skip_padding);
    require(flat[i].offset < tlv.size());
    const auto found = find_tlv_value(tlv, flat[i].tag, options);
    require(found.has_value());
  }
  return 0;
}

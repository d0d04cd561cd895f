// Fuzzes the command/response APDU parsers and the chaining splitter. Invariants checked:
//  - try_parse never throws; parse throws exactly when try_parse refuses, with Errc::parse_error, and
//    a refusal always carries a reason;
//  - the grammar is canonical: encode(parse(x)) == x, and parse(encode(parse(x))) gives the same fields;
//  - ResponseApdu: encode(parse(x)) == x for every input of at least 2 bytes;
//  - splitting a parsed command for chaining loses and reorders nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"

namespace {

using sefleet::Bytes;
using sefleet::ByteView;
using sefleet::Errc;
using sefleet::Error;
using namespace sefleet::iso7816;

void require(bool condition) {
  if (!condition) std::abort();
}

bool same(const CommandApdu& a, const CommandApdu& b) {
  return a.cla == b.cla && a.ins == b.ins && a.p1 == b.p1 && a.p2 == b.p2 && a.data == b.data && a.ne == b.ne &&
         a.uses_extended() == b.uses_extended();
}

void check_chaining(const CommandApdu& apdu, std::size_t chunk) {
  std::vector<CommandApdu> links;
  try {
    links = split_for_chaining(apdu, chunk);
  } catch (const Error& e) {
    // Refusals are only for CLAs that cannot chain (or already chained), and only when chaining is needed.
    require(e.code() == Errc::invalid_argument);
    require(apdu.data.size() > chunk && (!cla_supports_chaining(apdu.cla) || (apdu.cla & kChainingBit) != 0));
    return;
  }
  require(!links.empty());
  Bytes joined;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const bool last = i + 1 == links.size();
    require(links[i].data.size() <= chunk);
    require(!links[i].uses_extended());
    require(links[i].ins == apdu.ins && links[i].p1 == apdu.p1 && links[i].p2 == apdu.p2);
    require(last ? links[i].cla == apdu.cla : links[i].cla == (apdu.cla | kChainingBit));
    require(last || !links[i].ne.has_value());
    sefleet::append(joined, links[i].data);
    const Bytes encoded = links[i].encode();  // every link is sendable
    require(encoded.size() <= 4 + 1 + kMaxShortData + 1);
  }
  require(joined == apdu.data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView raw(data, size);
  std::string reason;
  std::optional<CommandApdu> apdu;
  try {
    apdu = CommandApdu::try_parse(raw, &reason);
  } catch (...) {
    std::abort();  // try_parse is the card-side entry point: it must never throw
  }
  bool parsed = false;
  try {
    CommandApdu::parse(raw);
    parsed = true;
  } catch (const Error& e) {
    require(e.code() == Errc::parse_error);
    require(std::string(e.what()).find(reason) != std::string::npos);
  }
  require(parsed == apdu.has_value());

  if (apdu) {
    const Bytes encoded = apdu->encode();
    require(encoded == Bytes(raw.begin(), raw.end()));
    require(same(CommandApdu::parse(encoded), *apdu));
    check_chaining(*apdu, kMaxShortData);
    check_chaining(*apdu, 1 + (size % kMaxShortData));
  } else {
    require(!reason.empty());
  }

  if (size >= 2) {
    const ResponseApdu response = ResponseApdu::parse(raw);
    require(response.encode() == Bytes(raw.begin(), raw.end()));
    require(response.data.size() == size - 2);
  } else {
    bool refused = false;
    try {
      ResponseApdu::parse(raw);
    } catch (const Error& e) {
      refused = e.code() == Errc::parse_error;
    }
    require(refused);
  }
  return 0;
}

// STORE DATA (GPCS §11.11) for personalization: each command carries complete data objects, stored
// (replacing objects of the same name) in one transaction per command. P1: b8 last block, b7..b6
// encryption (only 00, plain, is supported), b5..b4 structure 01 DGI (2-byte DGI, length 1 byte or
// FF + 2 bytes) or 10 BER-TLV; b3..b1 zero. P2 is the block number: 00 first, one more per command
// until the last block. Objects land in the card state as "dgi/<DGI hex>" or "tlv/<tag hex>".
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "card/isd/isd_command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
using Objects = std::vector<std::pair<std::string, Bytes>>;

constexpr std::string_view kNextBlock = "isd.store_data";
constexpr std::size_t kMaxObjectSize = 2048;
constexpr std::size_t kMaxObjects = 64;

[[noreturn]] void wrong_store_data(const char* why) {
  throw StatusWordError(sw::kWrongData, why);
}

Objects parse_dgis(ByteView data) {
  Objects out;
  std::size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 3) wrong_store_data("STORE DATA: DGI header truncated");
    const ByteView dgi = data.subspan(at, 2);
    std::size_t length = data[at + 2];
    at += 3;
    if (length == 0xFF) {
      if (data.size() - at < 2) wrong_store_data("STORE DATA: DGI length truncated");
      length = read_be16(data, at);
      at += 2;
    }
    if (data.size() - at < length) wrong_store_data("STORE DATA: DGI value truncated");
    out.emplace_back("dgi/" + to_hex(dgi), Bytes(data.begin() + static_cast<std::ptrdiff_t>(at),
                                                 data.begin() + static_cast<std::ptrdiff_t>(at + length)));
    at += length;
  }
  return out;
}

Objects parse_ber_tlv(ByteView data) {
  Objects out;
  std::vector<iso7816::TlvView> flat;
  try {
    flat = iso7816::parse_tlv_flat(data);
  } catch (const Error&) {
    wrong_store_data("STORE DATA: data is not BER-TLV");
  }
  for (const auto& object : flat) {
    out.emplace_back("tlv/" + iso7816::tag_hex(object.tag), Bytes(object.value.begin(), object.value.end()));
  }
  return out;
}

}  // namespace

iso7816::ResponseApdu store_data(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  Bytes& next_block =
      call.ctx.transient(TransientScope::clear_on_deselect, per_channel(kNextBlock, call.ctx.channel()));
  const std::uint8_t expected = next_block.empty() ? 0x00 : next_block[0];
  next_block.clear();  // any refusal restarts the sequence at block 00
  if (call.state.life_cycle() == gp::card_life_cycle::kCardLocked) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "STORE DATA: card locked");
  }
  const bool last = (cmd.p1 & 0x80) != 0;
  const std::uint8_t encryption = (cmd.p1 >> 5) & 0x03;
  const std::uint8_t structure = (cmd.p1 >> 3) & 0x03;
  if (encryption != 0 || (structure != 0x01 && structure != 0x02) || (cmd.p1 & 0x07) != 0) {
    throw StatusWordError(sw::kIncorrectP1P2, "STORE DATA: unsupported P1");
  }
  if (cmd.p2 != expected) throw StatusWordError(sw::kIncorrectP1P2, "STORE DATA: unexpected block number");
  if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "STORE DATA: no data");

  Objects objects = structure == 0x01 ? parse_dgis(cmd.data) : parse_ber_tlv(cmd.data);
  std::set<std::string> names;
  for (const auto& [name, value] : objects) {
    if (!names.insert(name).second) wrong_store_data("STORE DATA: object repeated in one command");
    if (value.size() > kMaxObjectSize) throw StatusWordError(sw::kNotEnoughMemory, "STORE DATA: object too large");
  }
  std::size_t total = call.state.personalization().size();
  for (const auto& name : names) total += call.state.personalization().count(name) == 0 ? 1 : 0;
  if (total > kMaxObjects) throw StatusWordError(sw::kNotEnoughMemory, "STORE DATA: too many objects");

  call.state.store_personalization(objects);
  if (!last) next_block.push_back(static_cast<std::uint8_t>(cmd.p2 + 1));
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace sefleet::card::isd

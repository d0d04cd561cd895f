// DELETE (GPCS §11.2) of key sets: data D2 <KVN> deletes the whole set. Refused: a single key
// (D0 with D2: an SCP03 set is usable only whole), the last key set, and the set the session in
// progress was opened with (6985), whatever P2 says: the card keeps a key set to open a session with.
// SCP11 keys (D0 <KID> and/or D2 <KVN>) are delete_scp11_keys' (isd_scp11_keys.cpp). P2 01 (the host
// allows deleting the last key, as yubikit sends it) is accepted for key deletions. 4F <AID>: an applet instance
// INSTALL created is deleted with its data, a Java load file with its objects (and its instances with P2 80):
// delete_by_aid in isd_delete_aid.cpp; 6A88 when no such entry exists, 6985 for ROM load files and the built-in
// entries.
#include <optional>
#include <string>

#include "card/isd/isd_command.hpp"
#include "card/isd/isd_scp11.hpp"
#include "card/runtime/applet_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {
namespace sw = iso7816::sw;
constexpr std::uint8_t kDeleteLastKey = 0x01;  // P2 of a key deletion the host allows to remove the last key
}  // namespace

iso7816::ResponseApdu delete_objects(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  if (cmd.p1 != 0x00) throw StatusWordError(sw::kIncorrectP1P2, "DELETE: P1 must be 00 (single command)");
  if (cmd.p2 != 0x00 && cmd.p2 != 0x80 && cmd.p2 != kDeleteLastKey) {
    throw StatusWordError(sw::kIncorrectP1P2, "DELETE: P2 must be 00, 80 or 01");
  }
  if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "DELETE: no data");
  const auto objects = iso7816::try_parse_tlv_sequence(cmd.data);
  if (!objects) throw StatusWordError(sw::kWrongData, "DELETE: data is not BER-TLV");

  const iso7816::Tlv* aid = nullptr;
  const iso7816::Tlv* key_id = nullptr;
  const iso7816::Tlv* kvn = nullptr;
  for (const auto& object : *objects) {
    const iso7816::Tlv** slot = object.tag() == 0x4F   ? &aid
                                : object.tag() == 0xD0 ? &key_id
                                : object.tag() == 0xD2 ? &kvn
                                                       : nullptr;
    if (slot == nullptr || *slot != nullptr)
      throw StatusWordError(sw::kWrongData, "DELETE: unexpected or repeated object");
    *slot = &object;
  }
  if (aid != nullptr) {
    if (key_id != nullptr || kvn != nullptr)
      throw StatusWordError(sw::kWrongData, "DELETE: AID mixed with key objects");
    if (cmd.p2 == kDeleteLastKey) throw StatusWordError(sw::kIncorrectP1P2, "DELETE: P2 01 is for keys");
    return delete_by_aid(call, aid->value(), cmd.p2 == 0x80);
  }
  if ((kvn == nullptr && key_id == nullptr) || (kvn != nullptr && kvn->value().size() != 1) ||
      (key_id != nullptr && key_id->value().size() != 1)) {
    throw StatusWordError(sw::kWrongData, "DELETE: key deletion needs D0 and/or D2 with one byte each");
  }
  const auto named_kid = key_id == nullptr ? std::nullopt : std::optional<std::uint8_t>(key_id->value()[0]);
  const auto named_kvn = kvn == nullptr ? std::nullopt : std::optional<std::uint8_t>(kvn->value()[0]);
  if (auto response = delete_scp11_keys(call, named_kid, named_kvn)) return std::move(*response);
  if (!named_kvn) throw StatusWordError(sw::kWrongData, "DELETE: an SCP03 key set is named by D2");
  const std::uint8_t version = *named_kvn;
  if (call.state.find_key_set(version) == nullptr || version == 0) {
    throw StatusWordError(sw::kReferencedDataNotFound, "DELETE: no such key set");
  }
  if (key_id != nullptr)
    throw StatusWordError(sw::kConditionsNotSatisfied, "DELETE: single keys of a set cannot be deleted");
  if (call.state.key_sets().size() == 1) throw StatusWordError(sw::kConditionsNotSatisfied, "DELETE: last key set");
  const gp::Scp03Card* channel = call.ctx.secure_channel();
  if (channel != nullptr && channel->key_version() == version) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "DELETE: the open session uses this key set");
  }
  call.state.delete_key_set(version);
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.2.3.1: no delete confirmation
}

}  // namespace sefleet::card::isd

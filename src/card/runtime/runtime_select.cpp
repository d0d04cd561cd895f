// SELECT by DF name (ISO/IEC 7816-4 §11.2.2, GP Card Spec §11.9, JCRE §4.5.2) and the selection
// machinery shared with MANAGE CHANNEL and power-up.
#include <algorithm>
#include <memory>

#include "card/runtime/applet_calls.hpp"
#include "card/runtime/response_chaining.hpp"
#include "card/runtime/runtime.hpp"
#include "card/runtime/runtime_context.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace sw = iso7816::sw;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

namespace {
inline constexpr std::uint8_t kOccurrenceMask = 0x03;
inline constexpr std::uint8_t kFirstOccurrence = 0x00;
inline constexpr std::uint8_t kNextOccurrence = 0x02;
inline constexpr std::uint8_t kResponseMask = 0x0C;
inline constexpr std::uint8_t kNoResponseData = 0x0C;
inline constexpr std::size_t kMaxAid = 16;
}  // namespace

Bytes Runtime::handle_select(std::uint8_t number, const CommandApdu& command) {
  const std::uint8_t occurrence = command.p2 & kOccurrenceMask;
  // b8-b5 must be 0; of the occurrences only first/only and next are supported (last and previous:
  // 6A86). All four response types (FCI, FCP, FMD, none) are accepted.
  if ((command.p2 & 0xF0) != 0 || (occurrence != kFirstOccurrence && occurrence != kNextOccurrence)) {
    return ResponseApdu(sw::kIncorrectP1P2).encode();
  }
  if (command.data.size() > kMaxAid) return ResponseApdu(sw::kWrongLength).encode();

  LogicalChannel& channel = channels_[number];
  const RegistryEntry* entry = nullptr;
  if (command.data.empty()) {
    // GP §11.9.2.1: SELECT without an AID selects the Issuer Security Domain.
    entry = registry_.issuer_security_domain();
    if (entry != nullptr && !entry->is_selectable()) entry = nullptr;
  } else {
    const RegistryEntry* after = nullptr;
    if (occurrence == kNextOccurrence && channel.applet != nullptr) after = registry_.find(channel.aid);
    entry = registry_.match(command.data, after);
  }
  // Not found: the current selection stays as it is (GP §11.9.2.3).
  if (entry == nullptr) return ResponseApdu(sw::kFileNotFound).encode();

  const std::uint16_t result = select_on_channel(number, *entry);
  if (result != sw::kOk) return ResponseApdu(result).encode();

  // The newly selected applet answers its own SELECT (FCI). Its session was just created, so this
  // command passes outside secure messaging.
  deferred_->begin_command(channel.aid);
  RuntimeContext ctx(*this, number);
  Apdu apdu(command);
  ResponseApdu response = call_process(*channel.applet, command, ctx, apdu);
  abort_open_transaction("process(SELECT)");
  finish_before_response();
  if ((command.p2 & kResponseMask) == kNoResponseData) response.data.clear();
  return deliver_response(command, std::move(response), channel.pending);
}

std::uint16_t Runtime::select_on_channel(std::uint8_t number, const RegistryEntry& entry) {
  Applet* applet = entry.applet;
  if (applet == nullptr) return kSwAppletSelectFailed;  // registered without an instance
  if (!applet->multi_selectable() && active_on_other_channel(applet, number)) return sw::kConditionsNotSatisfied;
  if (config_.selection_gate) {
    const std::uint16_t verdict = config_.selection_gate(entry);
    if (verdict != sw::kOk) return verdict;
  }

  const bool reselecting = channels_[number].applet == applet;
  deselect(number);
  LogicalChannel& channel = channels_[number];
  channel.applet = applet;
  channel.aid = entry.aid;
  if ((applet->uses_secure_channel() || applet->drives_secure_channel()) && config_.keys != nullptr) {
    gp::Scp03CardConfig scp = config_.scp;
    scp.invoking_aid = entry.aid;
    channel.secure_channel = std::make_unique<gp::Scp03Card>(*config_.keys, std::move(scp), random());
  }

  RuntimeContext ctx(*this, number);
  ctx.set_reselecting(reselecting);
  const bool accepted = call_select(*applet, ctx);
  abort_open_transaction("select");
  if (!accepted) {
    channel.secure_channel.reset();
    Bytes aid = std::move(channel.aid);
    channel.aid.clear();
    channel.applet = nullptr;
    if (!active_on_other_channel(applet, number)) transient_.clear_on_deselect(aid);
    return kSwAppletSelectFailed;
  }
  return sw::kOk;
}

void Runtime::deselect(std::uint8_t number) noexcept {
  LogicalChannel& channel = channels_[number];
  channel.pending.discard();
  if (channel.applet != nullptr) {
    RuntimeContext ctx(*this, number, nullptr, false);
    call_deselect(*channel.applet, ctx);
    abort_open_transaction("deselect");
  }
  if (channel.secure_channel) channel.secure_channel->terminate();
  channel.secure_channel.reset();
  Applet* applet = channel.applet;
  Bytes aid = std::move(channel.aid);
  channel.aid.clear();
  channel.applet = nullptr;
  if (applet != nullptr && !active_on_other_channel(applet, number)) transient_.clear_on_deselect(aid);
}

bool Runtime::active_on_other_channel(const Applet* applet, std::uint8_t except) const noexcept {
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (i != except && channels_[i].open && channels_[i].applet == applet) return true;
  }
  return false;
}

// The entry with the Card Reset privilege (GP §6.6.1.1), else the ISD, when selectable.
const RegistryEntry* Runtime::default_entry() const {
  for (const auto& entry : registry_.entries()) {
    if (entry.is_load_file() || entry.privileges.empty()) continue;
    if ((entry.privileges[0] & privilege::kCardReset) != 0 && entry.is_selectable()) return &entry;
  }
  const RegistryEntry* isd = registry_.issuer_security_domain();
  return isd != nullptr && isd->is_selectable() ? isd : nullptr;
}

}  // namespace sefleet::card

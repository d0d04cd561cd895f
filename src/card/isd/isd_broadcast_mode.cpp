// CHANGE MODE (broadcast-channel.md §5.1, §5.3), the broadcast-mode gate (§8.5) and the lazy discard
// of abandoned staging. Decisions (docs/isd.md "Broadcast update channel"):
//  - In broadcast mode only WRITE BLOCK and CHANGE MODE P1=00 pass; every other command (not only the
//    five §8.5 names) gets 6982 and aborts the session: the broadcast context is campaign-wide, so
//    nothing it authenticates may manage the card.
//  - One staging area per card: CHANGE MODE to broadcast while a broadcast context is alive on any
//    logical channel gets 6985. Otherwise it replaces whatever was staged before (an earlier campaign,
//    complete or verified, is dropped): the server starting a new flow means it gave up the old one.
//  - The checks run in the order §5.1 lists; each refusal leaves the session open unless §5.1 says
//    "abort" (a failed profile-3 unwrap, and any refusal in broadcast mode).
#include "card/isd/isd_command.hpp"
#include "core/error.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
namespace bc = gp::broadcast;

// The diversified session level the broadcast flow needs: C-MAC + C-DECRYPTION + R-MAC (§4).
constexpr std::uint8_t kBroadcastModeFlowLevel = gp::level::kCMac | gp::level::kCDecryption | gp::level::kRMac;

bool in_broadcast_mode(const IsdCall& call) {
  const gp::Scp03Card* channel = call.ctx.secure_channel();
  return channel != nullptr && channel->in_broadcast_mode();
}

iso7816::ResponseApdu change_mode_to_broadcast(const IsdCall& call) {
  require_session(call, kBroadcastModeFlowLevel);
  if (call.broadcast.alive()) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "CHANGE MODE: a broadcast context is alive on another channel");
  }
  const auto& cmd = call.command;
  if (cmd.p2 != 0x00) throw StatusWordError(sw::kIncorrectP1P2, "CHANGE MODE: P2 must be 00");
  bc::ChangeModeToBroadcast message;
  try {
    message = bc::parse_change_mode_to_broadcast(cmd.data);
  } catch (const Error&) {
    throw StatusWordError(sw::kWrongData, "CHANGE MODE: malformed data");
  }
  const auto& platform = call.state.platform_keys();
  if (!platform || platform->version != message.key_version) {
    throw StatusWordError(sw::kReferencedDataNotFound, "CHANGE MODE: unknown Kos/Kmac key version");
  }
  bc::BroadcastKeys keys;
  if (message.profile == bc::Profile::campaign_key) {
    try {
      keys = bc::unwrap_broadcast_keys(platform->kos.view(), message.broadcast_keys.view());
    } catch (const Error&) {
      refuse_and_abort(call, sw::kSecurityStatusNotSatisfied, "CHANGE MODE: broadcast keys do not unwrap under Kos");
    }
  } else {
    try {
      keys = bc::split_broadcast_keys(message.broadcast_keys.view());
    } catch (const Error&) {
      throw StatusWordError(sw::kWrongData, "CHANGE MODE: broadcast keys of a bad length");
    }
  }
  if (message.total_length == 0) throw StatusWordError(sw::kWrongData, "CHANGE MODE: total length 0");
  if (message.total_length > kStagingCapacity) {
    throw StatusWordError(sw::kNotEnoughMemory, "CHANGE MODE: total length above the staging capacity");
  }

  call.state.images().open_staging(message.profile, message.campaign_id, message.total_length);
  gp::Scp03Card& channel = *call.ctx.secure_channel();
  call.broadcast.ticket = channel.switch_to_broadcast_after_response(keys, message.counter, message.chaining_value);
  call.broadcast.channel = call.ctx.channel();
  call.broadcast.bk_mac = message.profile == bc::Profile::campaign_key ? keys.mac : SecretBytes();
  return iso7816::ResponseApdu(sw::kOk);
}

iso7816::ResponseApdu change_mode_to_diversified(const IsdCall& call) {
  if (!in_broadcast_mode(call)) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "CHANGE MODE back: no broadcast context to leave");
  }
  if (call.command.p2 != 0x00) refuse_and_abort(call, sw::kIncorrectP1P2, "CHANGE MODE back: P2 must be 00");
  if (!call.command.data.empty()) refuse_and_abort(call, sw::kWrongLength, "CHANGE MODE back: no data expected");
  ImageStore& images = call.state.images();
  const auto& staging = images.staging();
  if (!call.broadcast.alive() || call.broadcast.channel != call.ctx.channel() || !staging ||
      staging->state != StagingState::receiving) {
    refuse_and_abort(call, sw::kConditionsNotSatisfied, "CHANGE MODE back: no staging is receiving");
  }
  if (staging->received != staging->total_length) {
    refuse_and_abort(call, sw::kLcInconsistentWithP1P2, "CHANGE MODE back: fewer bytes received than announced");
  }
  images.complete_staging(call.broadcast.bk_mac.view());
  call.broadcast.bk_mac = SecretBytes();
  call.ctx.secure_channel()->switch_back_after_response();
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace

void broadcast_mode_gate(const IsdCall& call) {
  if (!in_broadcast_mode(call)) return;
  const auto& cmd = call.command;
  const bool allowed =
      cmd.is_proprietary_class() &&
      (cmd.ins == bc::kInsWriteBlock || (cmd.ins == bc::kInsChangeMode && cmd.p1 == bc::kChangeModeToDiversified));
  if (!allowed) refuse_and_abort(call, sw::kSecurityStatusNotSatisfied, "command not allowed in broadcast mode");
}

void discard_abandoned_staging(const IsdCall& call) {
  ImageStore& images = call.state.images();
  const auto& staging = images.staging();
  if (staging && staging->state == StagingState::receiving && !call.broadcast.alive()) images.discard_staging();
}

iso7816::ResponseApdu change_mode(const IsdCall& call) {
  require_gp_class(call);
  switch (call.command.p1) {
    case bc::kChangeModeToBroadcast:
      return change_mode_to_broadcast(call);
    case bc::kChangeModeToDiversified:
      return change_mode_to_diversified(call);
    default:
      throw StatusWordError(sw::kIncorrectP1P2, "CHANGE MODE: P1 must be 00 or 01");
  }
}

}  // namespace sefleet::card::isd

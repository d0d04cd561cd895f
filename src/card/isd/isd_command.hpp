// Internal to the ISD: what one command handler gets, the checks every handler shares, and the
// handlers themselves (one file per command group). Handlers refuse by throwing StatusWordError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "card/isd/applet_host.hpp"
#include "card/runtime/applet.hpp"
#include "card/state/applet_instances.hpp"
#include "card/state/card_state.hpp"
#include "core/secret.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card::isd {

// The ISD's RAM view of the card's one broadcast context (broadcast-channel.md §5.1-5.3): the
// ticket of the context that is loading the staging area, the channel it runs on, and BK-MAC, which
// the staging record keeps (profile 3) only once CHANGE MODE back completes it. After a power cycle
// the ISD starts with none, exactly as the ticket of a context that ended.
struct BroadcastLink {
  gp::Scp03Card::BroadcastTicket ticket;
  std::uint8_t channel = 0;
  SecretBytes bk_mac;

  bool alive() const noexcept { return !ticket.expired(); }
};

struct IsdCall {
  const iso7816::CommandApdu& command;
  AppletContext& ctx;
  CardState& state;
  BroadcastLink& broadcast;
  // Content management (INSTALL, DELETE and SET STATUS of applet instances); both null when the card
  // was not given an AppletHost (IssuerSecurityDomain::enable_content_management).
  AppletInstances* instances;
  AppletHost* host;
};

// 6E00 unless CLA is of the GlobalPlatform (proprietary) class: the card management commands are 80/84.
void require_gp_class(const IsdCall& call);
// 6982 unless a secure channel is open on this channel with at least `needed` (level bits, e.g. C-MAC 01).
void require_session(const IsdCall& call, std::uint8_t needed);
// 6700 unless the command has no data field.
void require_no_data(const IsdCall& call);
// Aborts the channel's secure session (both contexts in broadcast mode) and throws the refusal: the
// broadcast channel's security errors end the session (broadcast-channel.md §5.2, §8.5).
[[noreturn]] void refuse_and_abort(const IsdCall& call, std::uint16_t status, const char* why);
// The name of a transient buffer that belongs to one logical channel: the ISD is multi-selectable,
// and a multi-step sequence (GET STATUS "next", STORE DATA blocks) on one channel must not be
// disturbed by the same command on another.
std::string per_channel(std::string_view name, std::uint8_t channel);

iso7816::ResponseApdu select_response(const IsdCall& call);
iso7816::ResponseApdu get_data(const IsdCall& call);
iso7816::ResponseApdu get_status(const IsdCall& call);
iso7816::ResponseApdu put_key(const IsdCall& call);
iso7816::ResponseApdu delete_objects(const IsdCall& call);
iso7816::ResponseApdu store_data(const IsdCall& call);
iso7816::ResponseApdu set_status(const IsdCall& call);
// INSTALL [for install], [for make selectable] and both at once (GPCS §11.5) of the catalog's modules.
iso7816::ResponseApdu install(const IsdCall& call);
// DELETE 4F <AID> of an applet instance (called by delete_objects); ROM load files and built-in
// entries are refused with 6985.
iso7816::ResponseApdu delete_instance(const IsdCall& call, ByteView aid);
// SET STATUS P1 40 of an applet instance: P2 80 locks, 00 unlocks (GPCS §11.10, §11.1.1).
iso7816::ResponseApdu set_application_status(const IsdCall& call);
// 6985 unless the card life cycle allows content management (OP_READY, INITIALIZED, SECURED).
void require_content_management(const IsdCall& call);

// Broadcast channel (docs/isd.md "Broadcast update channel").
// In broadcast mode only WRITE BLOCK and CHANGE MODE back pass; anything else is refused with 6982 and
// the session (both contexts) is aborted (§8.5). Throws StatusWordError.
void broadcast_mode_gate(const IsdCall& call);
// A staging area still `receiving` whose broadcast context has ended (abort, reset, power loss) is
// incomplete garbage: it is erased here, by every command that looks at staging.
void discard_abandoned_staging(const IsdCall& call);
iso7816::ResponseApdu change_mode(const IsdCall& call);       // 84 7C 01 00 and 84 7C 00 00
iso7816::ResponseApdu write_block(const IsdCall& call);       // 84 7D
iso7816::ResponseApdu authorize_action(const IsdCall& call);  // 84 7E 00 00
// GET DATA DF70 value (the whole DF70 object): active images and the staged campaign.
Bytes image_inventory(const IsdCall& call);

}  // namespace sefleet::card::isd

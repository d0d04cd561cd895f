// Internal to the ISD: what one command handler gets, the checks every handler shares, and the
// handlers themselves (one file per command group). Handlers refuse by throwing StatusWordError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "card/isd/applet_host.hpp"
#include "card/runtime/applet.hpp"
#include "card/state/applet_instances.hpp"
#include "card/state/card_state.hpp"
#include "core/secret.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card::javacard {
class JavaCardVm;
}

namespace sefleet::card::isd {

struct Scp11ChannelState;  // isd_scp11.hpp
using Scp11Channels = std::map<std::uint8_t, Scp11ChannelState>;

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

// A LOAD sequence in progress on one logical channel (INSTALL [for load], then LOAD blocks), RAM
// only: it holds the Load File Data Block received so far and belongs to the SCP03 session of its
// INSTALL [for load]; when that session ends (deselection, reset, a new INITIALIZE UPDATE, abort) the
// sequence is over.
struct PendingLoad {
  gp::Scp03Card::SessionTicket session;
  Bytes load_file_aid;       // from INSTALL [for load]
  Bytes hash;                // the expected SHA-256 of the load file, or empty
  std::size_t blocks = 0;    // LOAD blocks received
  std::size_t header = 0;    // bytes of C4 + length once all arrived, else 0
  std::size_t declared = 0;  // the load file size C4 announces (valid once header != 0)
  Bytes data;                // C4 <length> <load file ...> as received

  bool active() const noexcept { return !session.expired(); }
};
using PendingLoads = std::map<std::uint8_t, PendingLoad>;  // by logical channel

struct IsdCall {
  const iso7816::CommandApdu& command;
  AppletContext& ctx;
  CardState& state;
  BroadcastLink& broadcast;
  // Content management (INSTALL, DELETE and SET STATUS of applet instances); both null when the card
  // was not given an AppletHost (IssuerSecurityDomain::enable_content_management).
  AppletInstances* instances;
  AppletHost* host;
  // Java Card content (LOAD, Java instances, DELETE of load files); both null when the card was not
  // given a VM (IssuerSecurityDomain::enable_java_card).
  javacard::JavaCardVm* vm = nullptr;
  PendingLoads* loads = nullptr;
  // The SCP11 setup state of each channel (which session authenticated the OCE).
  const Scp11Channels* scp11 = nullptr;
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
// DELETE 4F <AID> (called by delete_objects): an applet instance INSTALL created (built-in or Java),
// or a Java load file (with its instances when `related`, P2 80); ROM load files and built-in
// entries are refused with 6985.
iso7816::ResponseApdu delete_by_aid(const IsdCall& call, ByteView aid, bool related);
// SET STATUS P1 40 of an applet instance: P2 80 locks, 00 unlocks (GPCS §11.10, §11.1.1).
iso7816::ResponseApdu set_application_status(const IsdCall& call);
// 6985 unless the card life cycle allows content management (OP_READY, INITIALIZED, SECURED).
void require_content_management(const IsdCall& call);

// INSTALL [for install] of a Java applet once the command is checked (isd_java_install.cpp): the
// applet among the package's (6A88), the AID free (6985), room (6A84), then the VM's install() (its
// refusal's status word), the record (the commit point) and the runtime.
struct JavaInstallTarget {
  javacard::JavaCardVm& vm;
  AppletInstances& instances;
  AppletHost& host;
  AppletRegistry& registry;
  ByteView isd_aid;
};
void install_java_applet(const JavaInstallTarget& target, const AppletInstance& instance);

// Java Card load files (isd_load.cpp, docs/isd.md "Java Card content").
// INSTALL [for load] (P1 02), after install() checked class, session, P2, life cycle and data.
iso7816::ResponseApdu install_for_load(const IsdCall& call);
// LOAD (80 E8).
iso7816::ResponseApdu load(const IsdCall& call);
// Forgets the sequences whose session ended (frees their blocks).
void drop_ended_loads(PendingLoads& loads) noexcept;
// The registry entry of every package the VM holds (card open).
void register_java_load_files(AppletRegistry& registry, const javacard::JavaCardVm& vm, ByteView isd_aid);

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

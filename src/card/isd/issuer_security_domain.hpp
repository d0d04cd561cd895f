// The Issuer Security Domain (GlobalPlatform card manager) of the virtual SE. It answers SELECT
// (FCI), GET DATA, GET STATUS, PUT KEY, DELETE (key sets, applet instances), STORE DATA, SET STATUS
// (card life cycle, applet instances), INSTALL (instances of the built-in catalog and of Java Card
// packages), LOAD (Java Card load files) and the broadcast update channel (CHANGE MODE, WRITE BLOCK,
// AUTHORIZE ACTION) over the card state; INITIALIZE UPDATE / EXTERNAL AUTHENTICATE and secure messaging are run
// by the runtime's per-channel gp::Scp03Card (uses_secure_channel()). SCP11 setup (PERFORM SECURITY OPERATION,
// MUTUAL / INTERNAL AUTHENTICATE) and GET DATA BF21 are isd_scp11's; its sessions run on the same Scp03Card. Commands,
// status words and life cycle rules: docs/isd.md.
#pragma once

#include <cstdint>

#include "card/isd/applet_host.hpp"
#include "card/isd/isd_command.hpp"
#include "card/isd/isd_scp11.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/applet_registry.hpp"
#include "card/state/applet_instances.hpp"
#include "card/state/card_state.hpp"

namespace sefleet::card {

class IssuerSecurityDomain final : public Applet {
 public:
  explicit IssuerSecurityDomain(CardState& state) : state_(state) {}

  // Adds the ISD's registry entry (kind issuer_security_domain, its AID, life cycle = the card's,
  // privileges Security Domain | Card Lock | Card Terminate | Card Reset) and keeps it in step with
  // SET STATUS. Call once, before the runtime uses the registry.
  RegistryEntry& register_in(AppletRegistry& registry);

  // Turns on content management: INSTALL of the built-in catalog's modules, DELETE and SET STATUS of
  // the instances, persisted in `instances`, instantiated through `host`. Without it INSTALL is 6D00
  // and DELETE of an AID is refused as for any built-in entry.
  void enable_content_management(AppletInstances& instances, AppletHost& host) {
    instances_ = &instances;
    host_ = &host;
  }
  // Turns on Java Card content (with content management): INSTALL [for load] and LOAD of load files
  // into `vm`, INSTALL of their applets, DELETE of them. Without it INSTALL [for load] is 6A86 and
  // LOAD 6D00.
  void enable_java_card(javacard::JavaCardVm& vm) { vm_ = &vm; }

  // The runtime's selection gate (GP §5.1.1): 9000 allows the selection; CARD_LOCKED and TERMINATED
  // allow only the ISD and answer 6A82 for anything else.
  std::uint16_t selection_gate(const RegistryEntry& entry) const;

  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override;
  bool uses_secure_channel() const override { return true; }
  bool multi_selectable() const override { return true; }

  const CardState& state() const noexcept { return state_; }

 private:
  CardState& state_;
  AppletInstances* instances_ = nullptr;
  AppletHost* host_ = nullptr;
  javacard::JavaCardVm* vm_ = nullptr;
  isd::BroadcastLink broadcast_;          // RAM only: lost with the ISD object, as on a real power cycle
  isd::PendingLoads loads_;               // RAM only, per channel; each ends with the session that began it
  isd::Scp11Channels scp11_;              // RAM only, per channel: the OCE certificate chain received so far
  std::optional<Scp11Store> scp11_keys_;  // RAM only: the SCP11 keys last loaded, for their parsed private keys
};

}  // namespace sefleet::card

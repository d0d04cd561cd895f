// A Java applet instance as a card::Applet of the runtime: select/deselect/process/uninstall call the
// instance's Java methods as VM entries, with Java Card's APDU semantics over the runtime's command
// and response:
//  - process(): the APDU buffer is zeroed and holds the header (5 bytes, 7 for an extended command);
//    the data field is received by setIncomingAndReceive()/receiveBytes(); the bytes sent become the
//    response data (more than Ne: 61xx and GET RESPONSE by the runtime). A normal return answers 9000;
//    an uncaught ISOException answers its reason (with the data sent before it); any other uncaught
//    exception, an exhausted instruction budget or a VM limit answers 6F00 and is logged. An extended
//    command to an applet that does not implement javacardx.apdu.ExtendedLength answers 6700.
//  - select(): Applet.select(), or MultiSelectable.select(boolean) when the instance or another of
//    its package is active on another channel; false or an exception refuses the selection (6999).
//    A non-multiselectable package active on another channel refuses too.
//  - deselect(): Applet.deselect() or MultiSelectable.deselect(boolean); CLEAR_ON_DESELECT arrays of
//    the package are cleared once no instance of it is active on any channel.
//  - uninstall(): AppletEvent.uninstall() when the applet implements it.
//  - GET RESPONSE while the runtime holds nothing pending reaches process(): applets that chain their
//    own long responses (61xx) answer it themselves.
//  - install(): called by the runtime when it places the instance (at INSTALL, and at every card open
//    before power-up): the instance's org.sefleet.deferred tasks get their task in the runtime's
//    deferred executor (natives/deferred_tasks.hpp), so results and resumable tasks carry over.
//  - GlobalPlatform's SecureChannel: the channel has the ISD's SCP03 session, which the applet drives
//    itself (drives_secure_channel(): no automatic secure messaging, as on a real card).
// Every entry ends with an open transaction aborted (JCRE 7.6.2). Power-up/reset clears transient
// data through JavaCardVm::attach().
#pragma once

#include <array>
#include <cstdint>

#include "card/runtime/applet.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::javacard {

namespace vm {
class Vm;
struct Instance;
}  // namespace vm

class JavaApplet final : public Applet {
 public:
  JavaApplet(vm::Vm& machine, ByteView instance_aid)
      : machine_(machine), aid_(instance_aid.begin(), instance_aid.end()) {}

  void install(AppletContext& ctx) override;
  void uninstall(AppletContext& ctx) override;
  bool select(AppletContext& ctx) override;
  void deselect(AppletContext& ctx) override;
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override;
  bool multi_selectable() const override;
  bool handles_get_response() const override { return true; }
  bool drives_secure_channel() const override { return true; }

  const Bytes& aid() const noexcept { return aid_; }

 private:
  vm::Instance& instance() const;
  bool package_active_elsewhere(const vm::Instance& instance, std::uint8_t channel) const;

  vm::Vm& machine_;
  Bytes aid_;
  // Per channel: select() ran and the SELECT that caused it has not reached process() yet, and
  // whether that was a re-selection (AppletContext::reselecting()).
  std::array<bool, 20> selecting_{};
  std::array<bool, 20> reselecting_{};
};

}  // namespace sefleet::card::javacard

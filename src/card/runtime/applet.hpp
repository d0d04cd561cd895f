// The applet API of the card runtime (Java Card style): an applet is selected on a logical channel,
// receives every command for that channel while selected, and answers with a response APDU.
// Refusals are status words: return a ResponseApdu with the SW, or throw StatusWordError from deep
// inside (the runtime turns it into the SW, as Java Card's ISOException). Any other exception
// becomes 6F00 and never escapes to the transport.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp {
class Scp03Card;
}
namespace sefleet::card::nvm {
class NvmStore;
}

namespace sefleet::crypto {
class Random;
}

namespace sefleet::card {

class AppletRegistry;
class AppletCrypto;
class PersistentMemory;
class VirtualClock;
class DeferredExecutor;
class Apdu;

// A refusal thrown by applet code; the runtime answers with `sw`.
class StatusWordError : public std::runtime_error {
 public:
  explicit StatusWordError(std::uint16_t sw, const std::string& reason = {});
  std::uint16_t sw() const noexcept { return sw_; }

 private:
  std::uint16_t sw_;
};

// Java Card transient memory: CLEAR_ON_RESET survives deselection and is cleared on power-up/reset;
// CLEAR_ON_DESELECT is cleared when the applet is deselected (and on reset).
enum class TransientScope { clear_on_reset, clear_on_deselect };

// What the runtime offers the applet while it processes one command. Valid only during the call.
class AppletContext {
 public:
  virtual ~AppletContext() = default;
  // The logical channel the command arrived on (0-19).
  virtual std::uint8_t channel() const = 0;
  // The AID the applet was selected with (its registry AID).
  virtual ByteView aid() const = 0;
  // The SCP03 session of this logical channel when the applet uses_secure_channel() or
  // drives_secure_channel(), else nullptr.
  virtual gp::Scp03Card* secure_channel() = 0;
  // 80 | level of the open session on this channel, 00 without one (GP CurrentSecurityLevel).
  virtual std::uint8_t security_level() const = 0;
  // A named transient buffer of this applet (created empty on first use), cleared per its scope.
  virtual Bytes& transient(TransientScope scope, std::string_view name) = 0;
  // The card's persistent store, or nullptr when the card runs without one. Applets make changes
  // atomic with begin()/commit(); the runtime aborts a transaction an applet left open.
  virtual nvm::NvmStore* store() = 0;
  // The card's registry of applications and load files (GET STATUS, life cycle).
  virtual AppletRegistry& registry() = 0;

  // ---- Java Card-style facilities (docs/deferred-execution.md) ----
  // The card's random source.
  virtual crypto::Random& random() = 0;
  // P-256, AES, CMAC, SHA-256, HKDF, X9.63 through src/crypto; every call charges the clock.
  virtual AppletCrypto& crypto() = 0;
  // This applet's persistent objects with Java Card transaction rules; charges the clock.
  virtual PersistentMemory& persistent() = 0;
  // The card's virtual clock.
  virtual VirtualClock& clock() = 0;
  // The deferred executor, bound to this applet; available in install() and process() (also select()),
  // refused inside a deferred task and in deselect()/uninstall() (StatusWordError 6985).
  virtual DeferredExecutor& deferred() = 0;
  // The APDU object of the command being processed; nullptr outside select()/process() (install,
  // uninstall, deselect, and always inside a deferred task).
  virtual Apdu* apdu() = 0;
  // Inside select(): true when the applet was already the one selected on this channel (a SELECT of
  // the selected applet: deselect() then select() again; Java Card Applet.reSelectingApplet()).
  virtual bool reselecting() const { return false; }

 protected:
  AppletContext() = default;
  AppletContext(const AppletContext&) = default;
  AppletContext& operator=(const AppletContext&) = default;
};

class Applet {
 public:
  virtual ~Applet() = default;

  // Called by Runtime::install_applet() each time the instance is placed in the runtime: at GP INSTALL
  // and again whenever a card holding it is opened (C++ instances do not survive the process, the
  // applet's persistent() objects do: read them before initialising). Create deferred tasks here.
  // Throwing refuses the installation (the instance is not registered).
  virtual void install(AppletContext& ctx) { (void)ctx; }
  // Called by Runtime::uninstall_applet() before the instance and its persistent objects are removed.
  // Exceptions are logged and ignored (deletion is not refused by the applet).
  virtual void uninstall(AppletContext& ctx) { (void)ctx; }

  // Called before the applet becomes selected on ctx.channel(); false refuses the selection (6999).
  virtual bool select(AppletContext& ctx) {
    (void)ctx;
    return true;
  }
  // Called when the applet stops being selected on ctx.channel() (other SELECT, channel close, reset).
  virtual void deselect(AppletContext& ctx) { (void)ctx; }
  // Processes one command, including the SELECT that selected it (answer with its FCI).
  virtual iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) = 0;
  // True: the runtime runs SCP03 for this applet on each channel (INITIALIZE UPDATE and EXTERNAL
  // AUTHENTICATE go to the channel's session; commands of an open session arrive here unwrapped and
  // responses are wrapped). The session ends when the applet is deselected.
  virtual bool uses_secure_channel() const { return false; }
  // True: the channel gets the Issuer Security Domain's SCP03 session as for uses_secure_channel(),
  // created at selection and ended at deselection, but the applet drives it itself through
  // AppletContext::secure_channel() (GlobalPlatform's SecureChannel interface: INITIALIZE UPDATE and
  // EXTERNAL AUTHENTICATE reach process() like any command, which hands them to the session; commands
  // arrive as sent, the applet unwraps them and wraps its responses). The runtime then routes, unwraps
  // and wraps nothing. Ignored when uses_secure_channel() is true.
  virtual bool drives_secure_channel() const { return false; }
  // True: may be selected on several logical channels at once (Java Card MultiSelectable).
  virtual bool multi_selectable() const { return false; }
  // True: a GET RESPONSE (interindustry C0) arriving while the runtime holds nothing pending for the
  // channel goes to process() instead of being refused with 6985. Java Card applets chain long
  // responses themselves (61xx, then the host's GET RESPONSE), as a T=1 card's JCRE lets them.
  virtual bool handles_get_response() const { return false; }

 protected:
  Applet() = default;
  Applet(const Applet&) = default;
  Applet& operator=(const Applet&) = default;
};

}  // namespace sefleet::card

// The AppletContexts the runtime hands an applet: RuntimeContext for one call on a channel (select,
// process, deselect) and AppletCallContext for install/uninstall and deferred tasks (no channel, no
// APDU). Built on the stack per call and valid only during it.
#pragma once

#include "card/runtime/apdu.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/deferred_queue.hpp"
#include "card/runtime/runtime.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

class RuntimeContext final : public AppletContext {
 public:
  RuntimeContext(Runtime& runtime, std::uint8_t channel, Apdu* apdu = nullptr, bool deferred_allowed = true)
      : runtime_(runtime),
        channel_(channel),
        apdu_(apdu),
        deferred_allowed_(deferred_allowed),
        executor_(*runtime.deferred_, runtime.channels_[channel].aid) {}

  std::uint8_t channel() const override { return channel_; }
  ByteView aid() const override { return state().aid; }
  gp::Scp03Card* secure_channel() override { return state().secure_channel.get(); }
  std::uint8_t security_level() const override {
    const auto* session = state().secure_channel.get();
    return session != nullptr ? session->current_security_level() : 0x00;
  }
  Bytes& transient(TransientScope scope, std::string_view name) override {
    return runtime_.transient_.buffer(state().aid, scope, name);
  }
  nvm::NvmStore* store() override { return runtime_.config_.store; }
  AppletRegistry& registry() override { return runtime_.registry_; }
  crypto::Random& random() override { return runtime_.random(); }
  AppletCrypto& crypto() override { return runtime_.crypto_; }
  PersistentMemory& persistent() override {
    runtime_.persistent_.bind(state().aid);
    return runtime_.persistent_;
  }
  VirtualClock& clock() override { return *runtime_.clock_; }
  DeferredExecutor& deferred() override {
    if (!deferred_allowed_) {
      throw StatusWordError(iso7816::sw::kConditionsNotSatisfied, "deferred executor not available here");
    }
    return executor_;
  }
  Apdu* apdu() override { return apdu_; }
  void set_apdu(Apdu* apdu) noexcept { apdu_ = apdu; }
  bool reselecting() const override { return reselecting_; }
  void set_reselecting(bool reselecting) noexcept { reselecting_ = reselecting; }

 private:
  const LogicalChannel& state() const { return runtime_.channels_[channel_]; }

  Runtime& runtime_;
  std::uint8_t channel_;
  Apdu* apdu_;
  bool reselecting_ = false;
  bool deferred_allowed_;
  BoundDeferredExecutor executor_;
};

// install(), uninstall() and deferred tasks: the applet by AID, on no channel, without an APDU.
class AppletCallContext final : public AppletContext {
 public:
  AppletCallContext(Runtime& runtime, ByteView aid, bool deferred_allowed)
      : runtime_(runtime), aid_(aid), deferred_allowed_(deferred_allowed), executor_(*runtime.deferred_, aid) {}

  std::uint8_t channel() const override { return 0; }
  ByteView aid() const override { return aid_; }
  gp::Scp03Card* secure_channel() override { return nullptr; }
  std::uint8_t security_level() const override { return 0x00; }
  // CLEAR_ON_DESELECT buffers stay valid during the applet's deferred tasks (a deselect waits for them).
  Bytes& transient(TransientScope scope, std::string_view name) override {
    return runtime_.transient_.buffer(aid_, scope, name);
  }
  nvm::NvmStore* store() override { return runtime_.config_.store; }
  AppletRegistry& registry() override { return runtime_.registry_; }
  crypto::Random& random() override { return runtime_.random(); }
  AppletCrypto& crypto() override { return runtime_.crypto_; }
  PersistentMemory& persistent() override {
    runtime_.persistent_.bind(aid_);
    return runtime_.persistent_;
  }
  VirtualClock& clock() override { return *runtime_.clock_; }
  DeferredExecutor& deferred() override {
    if (!deferred_allowed_) {
      throw StatusWordError(iso7816::sw::kConditionsNotSatisfied, "deferred executor not available here");
    }
    return executor_;
  }
  Apdu* apdu() override { return nullptr; }

 private:
  Runtime& runtime_;
  ByteView aid_;
  bool deferred_allowed_;
  BoundDeferredExecutor executor_;
};

}  // namespace sefleet::card

// The AppletContext the runtime hands an applet for one call (select, process, deselect): a view of
// the channel's state, built on the stack per call and valid only during it.
#pragma once

#include "card/runtime/applet.hpp"
#include "card/runtime/runtime.hpp"

namespace sefleet::card {

class RuntimeContext final : public AppletContext {
 public:
  RuntimeContext(Runtime& runtime, std::uint8_t channel) : runtime_(runtime), channel_(channel) {}

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

 private:
  const LogicalChannel& state() const { return runtime_.channels_[channel_]; }

  Runtime& runtime_;
  std::uint8_t channel_;
};

}  // namespace sefleet::card

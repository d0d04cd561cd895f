// The card of the org.globalplatform and org.sefleet.deferred tests: a VirtualCard (its Issuer
// Security Domain, SCP03 key sets, card life cycle, registry, deferred executor) on a RAM medium, with
// a Java Card VM over its NVM store holding the Java test applets. Reopening it on the same medium is
// a restart of `sefleet card run`; a medium may be torn at a physical write.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "card/virtual_card.hpp"
#include "crypto/random.hpp"
#include "isd_broadcast_test_support.hpp"
#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {

inline const Bytes kIsdAid = from_hex("A000000151000000");

class JavaVirtualCard {
 public:
  // Opens the card on `medium` (power on), with every stored Java instance placed in the runtime.
  explicit JavaVirtualCard(nvm::MemoryDevice::Medium medium, VirtualCardOptions options = {})
      : medium_(std::move(medium)), random_(Bytes{7, 7, 7}) {
    options.random = &random_;
    options.clock = &clock_;
    card_ = std::make_unique<VirtualCard>(VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium_), options));
    VmServices services;
    services.store = &card_->store();
    services.clock = &clock_;
    services.random = &random_;
    vm_ = std::make_unique<JavaCardVm>(services);
    vm_->attach(card_->runtime());
    // The applications' own life cycle states, kept as the ISD's instance records would keep them
    // (these instances come through the VM facade, not through INSTALL): one NVM transaction each.
    card_->runtime().registry().set_life_cycle_recorder([this](const RegistryEntry& entry, std::uint8_t state) {
      if (entry.kind == RegistryEntry::Kind::issuer_security_domain) {
        card_->state().set_life_cycle(state);
        return;
      }
      nvm::run_transaction(card_->store(), [&] { card_->store().write(state_key(entry.aid), Bytes{state}); });
    });
    for (const auto& instance_aid : vm_->instances()) place(instance_aid, vm_->instance(instance_aid));
    card_->endpoint().power_on();
  }

  // A new card: personalised with the ISD test profile.
  static nvm::MemoryDevice::Medium new_medium() { return card::test::personalized_medium(); }

  VirtualCard& card() { return *card_; }
  Runtime& runtime() { return card_->runtime(); }
  JavaCardVm& vm() { return *vm_; }
  const nvm::MemoryDevice::Medium& medium() const { return medium_; }
  VirtualClock& clock() { return clock_; }
  // The life cycle state recorded for an application, or nullopt.
  std::optional<std::uint8_t> recorded_state(ByteView aid) {
    const auto value = card_->store().get(state_key(aid));
    return value && value->size() == 1 ? std::optional<std::uint8_t>((*value)[0]) : std::nullopt;
  }

  void load(const LoadFile& file) { vm_->load(file); }
  // INSTALL through the facade, then placed in the runtime as the ISD places an instance.
  void install(ByteView package_aid, ByteView class_aid, ByteView instance_aid, ByteView params = {}) {
    place(instance_aid, vm_->install(package_aid, class_aid, instance_aid, params));
  }

  iso7816::ResponseApdu send(const iso7816::CommandApdu& command) {
    return iso7816::ResponseApdu::parse(runtime().transmit(command.encode()));
  }
  // Sends an APDU (hex) and returns the response as hex, status word included.
  std::string send(const std::string& apdu_hex) { return to_hex(runtime().transmit(from_hex(apdu_hex))); }
  std::string select(ByteView instance_aid, std::uint8_t channel = 0) {
    Bytes apdu{iso7816::cla_for_channel(0x00, channel, false), 0xA4, 0x04, 0x00,
               static_cast<std::uint8_t>(instance_aid.size())};
    append(apdu, instance_aid);
    return to_hex(runtime().transmit(apdu));
  }

 private:
  static std::string state_key(ByteView aid) { return "test/life-cycle/" + to_hex(aid); }

  void place(ByteView instance_aid, std::unique_ptr<Applet> applet) {
    RegistryEntry entry;
    entry.aid.assign(instance_aid.begin(), instance_aid.end());
    entry.associated_sd_aid = kIsdAid;
    if (const auto state = recorded_state(instance_aid)) entry.life_cycle = *state;
    runtime().install_applet(std::move(entry), std::move(applet));
  }

  nvm::MemoryDevice::Medium medium_;
  crypto::DeterministicRandom random_;
  VirtualClock clock_;
  std::unique_ptr<VirtualCard> card_;
  std::unique_ptr<JavaCardVm> vm_;
};

}  // namespace sefleet::card::javacard::test

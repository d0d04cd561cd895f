// SE2 of the digital-key scenario: an NVM store over RAM, the card runtime on the scenario's virtual
// clock, and the vehicle applet installed, either the C++ one (Runtime::install_applet) or the Java one
// (javacard/applets/org/sefleet/dk, loaded and installed through the card's Java Card VM facade, the
// path the ISD's LOAD and INSTALL take, and placed in the runtime the same way).
//
// Both applets get the same configuration (the enrolled phone in key slot 1) and the card's random
// source is seeded from the scenario seed; they draw on it in the same order (the first ephemeral key
// at install, each signature's nonce, each next ephemeral key), so two cards of the same seed hold the
// same keys and answer the same commands with the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "card/applets/digital_key/vehicle_key_applet.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "protocols/digital_key/dk_protocol.hpp"
#include "sim/dk/dk_scenario.hpp"

namespace sefleet::sim::dk {

// The reproducible random source of one role ("card", "phone", "enrollment") of a scenario seed.
crypto::DeterministicRandom seeded(const std::string& seed, std::string_view purpose);

// The enrolled pair: the vehicle's long-term key and the phone's, from the scenario seed.
struct Enrollment {
  Bytes vehicle_id;
  Bytes device_id;
  SecretBytes vehicle_scalar;
  SecretBytes device_scalar;
};
Enrollment enroll(const std::string& seed);

// The vehicle applet's configuration: the enrolled phone in key slot 1.
card::VehicleKeyConfig vehicle_config(const Enrollment& enrollment);

// What the scenario reports of the applet after a run.
struct VehicleObservation {
  protocols::dk::DoorState door = protocols::dk::DoorState::locked;
  std::uint32_t transaction_counter = 0;
  std::uint32_t deferred_faults = 0;
};

class DkCard {
 public:
  // `config.vm` chooses the applet; `config.se` gives the clock's cost model and the commit capacity
  // (`commit_capacity`, when set, replaces the profile's: tests use it to make deferred tasks fail).
  DkCard(const DkScenarioConfig& config, const Enrollment& enrollment, bool defer_after_response,
         std::optional<std::size_t> commit_capacity = std::nullopt);
  DkCard(const DkCard&) = delete;
  DkCard& operator=(const DkCard&) = delete;
  ~DkCard();

  card::Runtime& runtime() noexcept { return *runtime_; }
  card::VirtualClock& clock() noexcept { return clock_; }
  card::nvm::NvmStore& store() noexcept { return *store_; }
  // VehicleVm::java: the card's VM; nullptr for the C++ applet.
  card::javacard::JavaCardVm* java_vm() noexcept { return vm_.get(); }
  // VehicleVm::cpp: the applet (owned by the runtime); nullptr for the Java applet.
  card::VehicleKeyApplet* cpp_applet() noexcept { return applet_; }

  VehicleObservation observe() const;

 private:
  std::unique_ptr<card::nvm::NvmStore> store_;
  crypto::DeterministicRandom random_;
  card::VirtualClock clock_;
  std::unique_ptr<card::javacard::JavaCardVm> vm_;  // declared before the runtime: outlives its adapter
  std::unique_ptr<card::Runtime> runtime_;
  card::VehicleKeyApplet* applet_ = nullptr;
};

}  // namespace sefleet::sim::dk

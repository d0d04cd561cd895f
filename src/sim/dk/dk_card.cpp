#include "sim/dk/dk_card.hpp"

#include <utility>

#include "card/applets/digital_key/vehicle_install_params.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/state/card_profile.hpp"
#include "crypto/p256.hpp"
#include "sim/dk/java_vehicle.hpp"

namespace sefleet::sim::dk {

namespace pdk = protocols::dk;

crypto::DeterministicRandom seeded(const std::string& seed, std::string_view purpose) {
  return crypto::DeterministicRandom(bytes_of(seed + "/" + std::string(purpose)));
}

Enrollment enroll(const std::string& seed) {
  auto random = seeded(seed, "enrollment");
  Enrollment enrollment;
  enrollment.vehicle_id = random.bytes(pdk::kIdentifierSize);
  enrollment.device_id = random.bytes(pdk::kIdentifierSize);
  enrollment.vehicle_scalar = crypto::P256PrivateKey::generate(random).scalar();
  enrollment.device_scalar = crypto::P256PrivateKey::generate(random).scalar();
  return enrollment;
}

card::VehicleKeyConfig vehicle_config(const Enrollment& enrollment) {
  card::VehicleKeyConfig config;
  config.vehicle_id = enrollment.vehicle_id;
  config.vehicle_private_key = enrollment.vehicle_scalar;
  const auto device_key = crypto::P256PrivateKey::from_scalar(enrollment.device_scalar.view());
  config.devices.push_back({enrollment.device_id, device_key.public_uncompressed(), 1});
  return config;
}

DkCard::DkCard(const DkScenarioConfig& config, const Enrollment& enrollment, bool defer_after_response,
               std::optional<std::size_t> commit_capacity)
    : random_(seeded(config.seed, "card")), clock_(&config.se) {
  auto device = std::make_unique<card::nvm::MemoryDevice>("dk-se2");
  card::nvm::NvmStore::format(*device);
  store_ = std::make_unique<card::nvm::NvmStore>(std::move(device));
  const std::size_t capacity = commit_capacity.value_or(config.se.commit_capacity());
  if (config.vm == VehicleVm::java) {
    card::javacard::VmServices services;
    services.store = store_.get();
    services.clock = &clock_;
    services.random = &random_;
    services.limits.commit_capacity = capacity;
    vm_ = std::make_unique<card::javacard::JavaCardVm>(services);
  }
  card::RuntimeConfig runtime_config;
  runtime_config.atr = card::default_atr();
  runtime_config.random = &random_;
  runtime_config.store = store_.get();
  runtime_config.logical_channels = 1;
  runtime_config.clock = &clock_;
  runtime_config.defer_after_response = defer_after_response;
  runtime_config.commit_capacity = capacity;
  runtime_ = std::make_unique<card::Runtime>(std::move(runtime_config));

  const Bytes aid(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end());
  std::unique_ptr<card::Applet> instance;
  if (vm_) {
    vm_->attach(*runtime_);
    vm_->load(java_vehicle_load_file());
    const SecretBytes params = card::dk::encode_vehicle_install_params(vehicle_config(enrollment));
    instance = vm_->install(card::dk::kJavaVehiclePackageAid, card::dk::kJavaVehicleAppletAid, aid, params.view());
  } else {
    auto applet = std::make_unique<card::VehicleKeyApplet>(vehicle_config(enrollment));
    applet_ = applet.get();
    instance = std::move(applet);
  }
  card::RegistryEntry entry;
  entry.kind = card::RegistryEntry::Kind::application;
  entry.aid = aid;
  runtime_->install_applet(std::move(entry), std::move(instance));
  runtime_->power_on();
}

DkCard::~DkCard() = default;

VehicleObservation DkCard::observe() const {
  if (vm_) {
    const auto state = read_java_vehicle_state(vm_->machine(), pdk::kVehicleKeyAid);
    return {state.door, state.transaction_counter, state.deferred_faults};
  }
  return {applet_->door_state(), applet_->transaction_counter(), applet_->deferred_faults()};
}

}  // namespace sefleet::sim::dk

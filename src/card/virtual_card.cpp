#include "card/virtual_card.hpp"

#include <algorithm>
#include <system_error>

#include "card/applets/catalog.hpp"
#include "card/isd/applet_host.hpp"
#include "card/isd/issuer_security_domain.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/file_device.hpp"
#include "card/nvm/tearing_device.hpp"
#include "card/state/applet_instances.hpp"
#include "card/state/nvm_key_registry.hpp"
#include "card/state/scp11_store.hpp"
#include "card/state/state_directory.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "gp/card_life_cycle.hpp"

namespace sefleet::card {

namespace {

// The applet instances INSTALL creates are owned by the runtime (install_applet / uninstall_applet:
// the applet's install() and uninstall() hooks, its persistent objects and deferred tasks).
class RuntimeAppletHost final : public AppletHost {
 public:
  explicit RuntimeAppletHost(Runtime& runtime) : runtime_(runtime) {}

  void add_instance(RegistryEntry entry, std::unique_ptr<Applet> applet) override {
    runtime_.install_applet(std::move(entry), std::move(applet));
  }

  bool is_selected(ByteView aid) const override {
    for (std::size_t channel = 0; channel < runtime_.logical_channel_count(); ++channel) {
      const auto selected = runtime_.selected_aid(static_cast<std::uint8_t>(channel));
      if (selected && std::ranges::equal(*selected, aid)) return true;
    }
    return false;
  }

  void remove_instance(ByteView aid) override { runtime_.uninstall_applet(aid); }

 private:
  Runtime& runtime_;
};

// The catalog's ROM load files, associated with the ISD, with their modules (GET STATUS P1 20/10).
void register_load_files(AppletRegistry& registry, const CardState& state) {
  for (const auto& load_file : applets::builtin_catalog()) {
    RegistryEntry entry;
    entry.kind = RegistryEntry::Kind::load_file;
    entry.aid = load_file.aid;
    entry.life_cycle = app_life_cycle::kLoaded;
    entry.associated_sd_aid = state.isd_aid();
    entry.version = load_file.version;
    for (const auto& module : load_file.modules) entry.module_aids.push_back(module.aid);
    registry.add(std::move(entry));
  }
}

// A Java instance exists when both halves do: the VM's (registration and objects) and the ISD record.
// INSTALL commits the VM's half first, DELETE deletes it first; a power loss between the two commits
// leaves one half alone, which is removed here so that the instance is either complete or gone.
void reconcile_java_instances(AppletInstances& instances, javacard::JavaCardVm& vm) {
  const std::vector<Bytes> in_vm = vm.instances();
  std::vector<Bytes> records_alone;
  for (const auto& [aid, instance] : instances.all()) {
    if (instance.code == AppletInstance::Code::java && std::ranges::find(in_vm, aid) == in_vm.end()) {
      records_alone.push_back(aid);
    }
  }
  for (const Bytes& aid : records_alone) instances.remove(aid);
  for (const Bytes& aid : in_vm) {
    const AppletInstance* record = instances.find(aid);
    if (record != nullptr && record->code == AppletInstance::Code::java) continue;
    try {
      vm.delete_instance(aid);
    } catch (const Error& e) {
      // Another context still references its objects: it stays in the VM, unreachable (no registry
      // entry); an INSTALL of its AID is refused by the VM until that reference goes away.
      spdlog::warn("card open: the VM instance {} has no ISD record and cannot be deleted: {}", to_hex(aid), e.what());
    }
  }
}

// The Java half of reinstantiate(): the VM's adapter of a recorded instance.
std::unique_ptr<Applet> java_instance(javacard::JavaCardVm& vm, const AppletInstance& instance) {
  std::unique_ptr<Applet> applet = vm.instance(instance.aid);
  if (!applet) {
    throw Error(Errc::integrity_error,
                "applet instance " + to_hex(instance.aid) + ": the Java Card VM does not hold it");
  }
  return applet;
}

// Re-creates every recorded instance, as INSTALL made it: from the catalog, or from the VM. A record
// whose load file or module this card no longer has cannot run: Error(integrity_error) naming it.
void reinstantiate(AppletHost& host, const AppletInstances& instances, const CardState& state,
                   javacard::JavaCardVm& vm) {
  for (const auto& [aid, instance] : instances.all()) {
    if (instance.code == AppletInstance::Code::java) {
      host.add_instance(registry_entry(instance, state.isd_aid()), java_instance(vm, instance));
      continue;
    }
    const auto* load_file = applets::find_load_file(instance.load_file_aid);
    const auto* module = load_file != nullptr ? applets::find_module(*load_file, instance.module_aid) : nullptr;
    if (module == nullptr) {
      throw Error(Errc::integrity_error, "applet instance " + to_hex(aid) + ": module " + to_hex(instance.module_aid) +
                                             " of load file " + to_hex(instance.load_file_aid) +
                                             " is not on this card");
    }
    std::unique_ptr<Applet> applet;
    try {
      applet = module->factory(instance.install_parameters);
    } catch (const std::exception& e) {
      throw Error(Errc::integrity_error,
                  "applet instance " + to_hex(aid) + ": install parameters refused: " + e.what());
    }
    host.add_instance(registry_entry(instance, state.isd_aid()), std::move(applet));
  }
}

}  // namespace

// Declaration order is construction order: each part refers only to parts above it (and the state
// directory's lock, first, is released last).
struct VirtualCard::Parts {
  std::optional<StateDirectory> directory;  // empty for a card over a device without a directory
  nvm::TearingDevice* device = nullptr;     // owned by the store
  nvm::NvmStore store;
  CardState state;
  AppletInstances instances;
  NvmKeyRegistry keys;
  IssuerSecurityDomain isd;
  // Before the runtime, so that it outlives the Java applets the runtime owns; made in the body, once
  // the runtime's clock exists.
  std::unique_ptr<javacard::JavaCardVm> vm;
  Runtime runtime;
  RuntimeAppletHost applet_host;

  Parts(std::optional<StateDirectory> held, std::unique_ptr<nvm::NvmDevice> medium, const VirtualCardOptions& options)
      : directory(std::move(held)),
        device(new nvm::TearingDevice(std::move(medium), options.tear_at_write.value_or(0), options.tear_keep_bytes)),
        store(std::unique_ptr<nvm::NvmDevice>(device), options.nvm),
        state(store),
        instances(store),
        keys(state),
        isd(state),
        runtime(make_config(options)),
        applet_host(runtime) {
    vm = std::make_unique<javacard::JavaCardVm>(vm_services(options));
    vm->attach(runtime);
    isd.register_in(runtime.registry());
    register_load_files(runtime.registry(), state);
    isd::register_java_load_files(runtime.registry(), *vm, state.isd_aid());
    reconcile_java_instances(instances, *vm);
    reinstantiate(applet_host, instances, state, *vm);
    isd.enable_content_management(instances, applet_host);
    isd.enable_java_card(*vm);
    runtime.registry().set_life_cycle_recorder(
        [this](const RegistryEntry& entry, std::uint8_t life_cycle) { record_life_cycle(entry, life_cycle); });
  }

  // What applications ask through the GlobalPlatform API (Java applets: GPSystem.setCardContentState,
  // GPRegistryEntry.setState; lockCard / terminateCard with the privilege): made durable in the ISD's
  // records, one NVM transaction, before the registry entry changes. Entries INSTALL did not record
  // (the catalog's built-in ones) keep their state: refused.
  void record_life_cycle(const RegistryEntry& entry, std::uint8_t life_cycle) {
    if (entry.kind == RegistryEntry::Kind::issuer_security_domain) {
      state.set_life_cycle(life_cycle);
      return;
    }
    const AppletInstance* instance = instances.find(entry.aid);
    if (instance == nullptr) throw Error(Errc::not_found, "no instance record for " + to_hex(entry.aid));
    const Bytes privileges = instance->privileges;
    instances.update(entry.aid, life_cycle, privileges);
  }

  javacard::VmServices vm_services(const VirtualCardOptions& options) {
    javacard::VmServices services;
    services.store = &store;
    services.clock = &runtime.clock();
    services.random = options.random != nullptr ? options.random : &crypto::system_random();
    services.limits = options.java_card_limits;
    services.limits.commit_capacity = options.commit_capacity;
    return services;
  }

  RuntimeConfig make_config(const VirtualCardOptions& options) {
    RuntimeConfig config;
    config.atr = state.atr();
    config.keys = &keys;
    config.scp.i = state.scp03_i();
    config.scp.key_diversification_data = state.kdd();
    config.scp.invoking_aid = state.isd_aid();
    config.random = options.random;
    config.store = &store;
    config.logical_channels = options.logical_channels;
    config.clock = options.clock;
    config.defer_after_response = options.defer_after_response;
    config.commit_capacity = options.commit_capacity;
    config.selection_gate = [this](const RegistryEntry& entry) { return isd.selection_gate(entry); };
    return config;
  }
};

std::filesystem::path VirtualCard::state_file(const std::filesystem::path& state_dir) {
  return state_dir / StateDirectory::kStateFileName;
}

void VirtualCard::personalize(const std::filesystem::path& state_dir, const CardProfile& profile) {
  const StateDirectory directory = StateDirectory::create(state_dir);
  const auto path = directory.state_file();
  std::error_code ec;
  if (std::filesystem::exists(path)) {
    throw Error(Errc::state_error, "card init: " + path.string() + " already exists (a card is personalized there)");
  }
  nvm::NvmStore::create_file(path);
  try {
    nvm::NvmStore store = nvm::NvmStore::open_file(path, false);
    CardState::personalize(store, profile);
    if (profile.scp11) Scp11Store::personalize(store, *profile.scp11, profile.se_id);
  } catch (...) {
    std::filesystem::remove(path, ec);  // no half-made card stays behind
    throw;
  }
}

VirtualCard VirtualCard::open(const std::filesystem::path& state_dir, const VirtualCardOptions& options) {
  StateDirectory directory = StateDirectory::open(state_dir);
  directory.check_state_file();
  auto device = std::make_unique<nvm::FileDevice>(directory.state_file(), nvm::FileDevice::Mode::open_existing);
  return VirtualCard(std::make_unique<Parts>(std::move(directory), std::move(device), options));
}

VirtualCard VirtualCard::open(std::unique_ptr<nvm::NvmDevice> device, const VirtualCardOptions& options) {
  return VirtualCard(std::make_unique<Parts>(std::nullopt, std::move(device), options));
}

VirtualCard::VirtualCard(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
VirtualCard::VirtualCard(VirtualCard&&) noexcept = default;
VirtualCard& VirtualCard::operator=(VirtualCard&&) noexcept = default;
VirtualCard::~VirtualCard() = default;

transport::CardEndpoint& VirtualCard::endpoint() noexcept {
  return parts_->runtime;
}
Runtime& VirtualCard::runtime() noexcept {
  return parts_->runtime;
}
CardState& VirtualCard::state() noexcept {
  return parts_->state;
}
nvm::NvmStore& VirtualCard::store() noexcept {
  return parts_->store;
}
IssuerSecurityDomain& VirtualCard::isd() noexcept {
  return parts_->isd;
}
javacard::JavaCardVm& VirtualCard::java_card() noexcept {
  return *parts_->vm;
}

std::uint64_t VirtualCard::physical_writes() const noexcept {
  return parts_->device->physical_writes();
}
bool VirtualCard::power_lost() const noexcept {
  return parts_->device->powered_off();
}

namespace {
nlohmann::json applet_instances_json(const AppletInstances& instances) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [aid, instance] : instances.all()) {
    out.push_back({{"aid", to_hex(aid)},
                   {"code", instance.code == AppletInstance::Code::java ? "java" : "built-in"},
                   {"load_file", to_hex(instance.load_file_aid)},
                   {"module", to_hex(instance.module_aid)},
                   {"privileges", to_hex(instance.privileges)},
                   {"life_cycle", to_hex(Bytes{instance.life_cycle})},
                   {"install_parameters", to_hex(instance.install_parameters)}});
  }
  return out;
}

nlohmann::json java_load_files_json(const javacard::JavaCardVm& vm) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& package : vm.packages()) {
    nlohmann::json applets = nlohmann::json::array();
    for (const auto& applet : package.applets)
      applets.push_back({{"class", applet.class_name}, {"aid", to_hex(applet.aid)}});
    out.push_back({{"aid", to_hex(package.aid)},
                   {"package", package.name},
                   {"version", std::to_string(package.major_version) + "." + std::to_string(package.minor_version)},
                   {"applets", applets}});
  }
  return out;
}
}  // namespace

nlohmann::json VirtualCard::summary() const {
  const CardState& state = parts_->state;
  nlohmann::json key_sets = nlohmann::json::array();
  for (const auto& [kvn, set] : state.key_sets()) {
    key_sets.push_back(
        {{"kvn", to_hex(Bytes{kvn})}, {"key_length", set.keys.key_size()}, {"sequence_counter", set.sequence_counter}});
  }
  nlohmann::json out = {
      {"se_id", to_hex(state.se_id())},
      {"kdd", to_hex(state.kdd())},
      {"isd_aid", to_hex(state.isd_aid())},
      {"platform_id", to_hex(state.platform_id())},
      {"scp03_i", to_hex(Bytes{state.scp03_i()})},
      {"life_cycle", gp::card_life_cycle::name(state.life_cycle())},
      {"allow_downgrade", state.allow_downgrade()},
      {"atr", to_hex(state.atr())},
      {"key_sets", key_sets},
      {"personalization_objects", state.personalization().size()},
      {"applet_instances", applet_instances_json(parts_->instances)},
      {"java_load_files", java_load_files_json(*parts_->vm)},
  };
  if (state.platform_keys()) out["platform_keys_version"] = state.platform_keys()->version;
  if (const auto scp11 = Scp11Store::load(parts_->store)) out["scp11"] = scp11->summary();
  return out;
}

}  // namespace sefleet::card

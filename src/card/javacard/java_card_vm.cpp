#include "card/javacard/java_card_vm.hpp"

#include <algorithm>

#include "card/javacard/java_applet.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/runtime.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::javacard {

namespace {

constexpr std::string_view kInstallDescriptor = "([BSB)V";
constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::size_t kMaxInstallLayout = 127;  // install(byte[], short, byte): bLength is a byte

PackageInfo info_of(const vm::Package& package) {
  return PackageInfo{package.aid, package.name, package.major_version, package.minor_version, package.applets};
}

// Runs `work` as a VM entry (no applet context: the card's management, not an APDU) and ends it.
template <typename Work>
void run_entry(vm::Vm& machine, vm::EntryState state, Work&& work) {
  machine.begin_entry(std::move(state));
  try {
    work();
  } catch (...) {
    machine.end_entry();
    throw;
  }
  machine.end_entry();
}

}  // namespace

struct JavaCardVm::Impl {
  std::unique_ptr<vm::Vm> machine;
};

JavaCardVm::JavaCardVm(VmServices services) : impl_(std::make_unique<Impl>()) {
  impl_->machine = std::make_unique<vm::Vm>(services);
  impl_->machine->load_stored_state();
}

JavaCardVm::~JavaCardVm() = default;

vm::Vm& JavaCardVm::machine() noexcept {
  return *impl_->machine;
}

void JavaCardVm::check(const LoadFile& load_file) const {
  (void)impl_->machine->link_package(load_file);
}

void JavaCardVm::load(const LoadFile& load_file) {
  vm::Vm& machine = *impl_->machine;
  if (machine.find_package(load_file.package_aid) != nullptr) {
    throw Error(Errc::state_error, "a package with AID " + to_hex(load_file.package_aid) + " is already loaded");
  }
  for (const auto& package : machine.packages()) {
    if (package->name == load_file.package_name) {
      throw Error(Errc::state_error, "package " + load_file.package_name + " is already loaded");
    }
  }
  auto package = machine.link_package(load_file);
  const vm::ContextId context = machine.next_free_context();
  std::uint32_t sequence = 1;
  for (const auto& loaded : machine.packages()) sequence = std::max(sequence, loaded->sequence + 1);
  package->sequence = sequence;
  vm::Package* added = nullptr;
  try {
    machine.atomically([&] {
      added = &machine.add_package(std::move(package), context, true);
      vm::EntryState state;
      state.install_context = context;
      run_entry(machine, std::move(state), [&] { machine.run_static_initialisers(*added); });
      machine.write_package_record(*added);
    });
  } catch (...) {
    if (added != nullptr) machine.remove_package(*added);
    throw;
  }
}

std::vector<PackageInfo> JavaCardVm::packages() const {
  std::vector<PackageInfo> list;
  for (const auto& package : impl_->machine->packages()) list.push_back(info_of(*package));
  return list;
}

std::optional<PackageInfo> JavaCardVm::find_package(ByteView package_aid) const {
  const vm::Package* package = impl_->machine->find_package(package_aid);
  if (package == nullptr) return std::nullopt;
  return info_of(*package);
}

std::unique_ptr<Applet> JavaCardVm::install(ByteView package_aid, ByteView class_aid, ByteView instance_aid,
                                            ByteView application_parameters) {
  vm::Vm& machine = *impl_->machine;
  vm::Package* package = machine.find_package(package_aid);
  if (package == nullptr) throw Error(Errc::not_found, "no Java package " + to_hex(package_aid) + " on the card");
  const auto declaration = std::ranges::find_if(
      package->applets, [&](const AppletDeclaration& applet) { return std::ranges::equal(applet.aid, class_aid); });
  if (declaration == package->applets.end()) {
    throw Error(Errc::not_found, "package " + package->name + " has no applet " + to_hex(class_aid));
  }
  if (instance_aid.size() < 5 || instance_aid.size() > 16) {
    throw Error(Errc::invalid_argument, "an instance AID has 5 to 16 bytes");
  }
  if (machine.find_instance(instance_aid) != nullptr) {
    throw Error(Errc::state_error, "an instance " + to_hex(instance_aid) + " exists already");
  }
  const vm::RtClass& cls = *package->find_class(declaration->class_name);
  const vm::RtMethod& install = *cls.find_method("install", kInstallDescriptor);
  // The Java Card layout of the install parameters: Li AID, Lc control info, La application data.
  Bytes layout;
  layout.push_back(static_cast<std::uint8_t>(instance_aid.size()));
  append(layout, instance_aid);
  layout.push_back(0);
  layout.push_back(static_cast<std::uint8_t>(application_parameters.size()));
  append(layout, application_parameters);
  if (layout.size() > kMaxInstallLayout) {
    throw StatusWordError(iso7816::sw::kWrongData, "install parameters longer than 127 bytes in all");
  }

  const vm::InstanceId id = machine.next_instance_id();
  vm::Instance* registered = nullptr;
  try {
    machine.atomically([&] {
      vm::EntryState state;
      state.install_aid = Bytes(instance_aid.begin(), instance_aid.end());
      state.install_instance = id;
      state.install_context = package->context;
      machine.begin_entry(std::move(state));
      try {
        // bArray is a global array of the JCRE (the applet may read it, never keep it).
        const vm::Ref array = machine.heap().new_array(
            heap::ObjectKind::array_byte, static_cast<std::int32_t>(layout.size()), heap::Owner{}, heap::flag::kGlobal);
        std::ranges::copy(layout, machine.heap().find(array)->bytes());
        machine.entry().global_arrays.push_back(array);
        const std::int32_t args[] = {static_cast<std::int32_t>(array), 0, static_cast<std::int32_t>(layout.size())};
        machine.call(install, args, package->context, id);
        registered = machine.entry().registered;
      } catch (const vm::JavaThrow& thrown) {
        registered = machine.entry().registered;
        const heap::Object* exception = machine.heap().find(thrown.exception);
        const bool iso = exception != nullptr && exception->cls->is_assignable_to(machine.rom_class(kIsoException));
        const auto sw =
            iso ? static_cast<std::uint16_t>(machine.exception_reason(thrown.exception)) : iso7816::sw::kWrongData;
        const std::string name = exception != nullptr ? exception->cls->name : "exception";
        machine.end_entry();
        throw StatusWordError(sw, "install() threw " + name);
      } catch (const vm::VmAbort& abort) {
        registered = machine.entry().registered;
        machine.end_entry();
        throw StatusWordError(iso7816::sw::kWrongData, std::string("install() stopped: ") + abort.what());
      } catch (...) {
        registered = machine.entry().registered;
        machine.end_entry();
        throw;
      }
      machine.end_entry();
      if (registered == nullptr) throw StatusWordError(iso7816::sw::kWrongData, "install() did not call register()");
      machine.aid_object(*registered);
      machine.write_instance_record(*registered);
    });
  } catch (...) {
    if (registered != nullptr) {
      std::erase_if(machine.instances(), [&](const auto& instance) { return instance.get() == registered; });
    }
    throw;
  }
  return std::make_unique<JavaApplet>(machine, instance_aid);
}

std::unique_ptr<Applet> JavaCardVm::instance(ByteView instance_aid) {
  if (impl_->machine->find_instance(instance_aid) == nullptr) return nullptr;
  return std::make_unique<JavaApplet>(*impl_->machine, instance_aid);
}

std::vector<Bytes> JavaCardVm::instances() const {
  std::vector<Bytes> aids;
  for (const auto& instance : impl_->machine->instances()) aids.push_back(instance->aid);
  return aids;
}

void JavaCardVm::delete_instance(ByteView instance_aid) {
  vm::Vm& machine = *impl_->machine;
  vm::Instance* instance = machine.find_instance(instance_aid);
  if (instance == nullptr) throw Error(Errc::not_found, "no Java applet instance " + to_hex(instance_aid));
  if (machine.instance_referenced_elsewhere(*instance)) {
    throw Error(Errc::state_error, "objects of instance " + to_hex(instance_aid) + " are still referenced");
  }
  machine.atomically([&] {
    machine.erase_instance_record(*instance);
    std::erase_if(machine.instances(), [&](const auto& entry) { return entry.get() == instance; });
    machine.collect_garbage();
  });
}

void JavaCardVm::delete_package(ByteView package_aid) {
  vm::Vm& machine = *impl_->machine;
  vm::Package* package = machine.find_package(package_aid);
  if (package == nullptr) throw Error(Errc::not_found, "no Java package " + to_hex(package_aid));
  for (const auto& instance : machine.instances()) {
    if (instance->package == package) {
      throw Error(Errc::state_error, "package " + package->name + " still has instance " + to_hex(instance->aid));
    }
  }
  for (const auto& other : machine.packages()) {
    if (other.get() == package) continue;
    for (const auto& cls : other->classes) {
      const bool links =
          std::ranges::any_of(cls->ancestors, [&](const vm::RtClass* c) { return c->package == package; }) ||
          std::ranges::any_of(cls->all_interfaces, [&](const vm::RtClass* c) { return c->package == package; }) ||
          std::ranges::any_of(cls->constants, [&](const vm::Resolved& r) {
            return (r.field != nullptr && r.field->owner->package == package) ||
                   (r.method != nullptr && r.method->owner->package == package) ||
                   (r.type != nullptr && r.type->cls != nullptr && r.type->cls->package == package);
          });
      if (links) throw Error(Errc::state_error, "package " + other->name + " links to package " + package->name);
    }
  }
  if (machine.package_objects_referenced_elsewhere(*package)) {
    throw Error(Errc::state_error, "objects of package " + package->name + " are still referenced");
  }
  machine.atomically([&] {
    machine.erase_package_record(*package);
    // Its statics stop being roots, its objects become garbage (nothing else reaches them: checked
    // above), and only then do its classes go.
    machine.detach_package_statics(*package);
    machine.collect_garbage();
    machine.remove_package(*package);
  });
}

void JavaCardVm::attach(Runtime& runtime) {
  runtime.add_power_hook([this] { reset(); });
  impl_->machine->set_card_registry(&runtime.registry());
}

void JavaCardVm::reset() {
  impl_->machine->on_reset();
}

}  // namespace sefleet::card::javacard

// INSTALL [for install] of a Java Card applet, after the command's own checks (isd_install.cpp):
// the VM's install(), then the ISD record (the commit point), then the runtime. docs/isd.md "Java
// Card content".
#include <algorithm>
#include <string>

#include "card/isd/isd_command.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

// Undoes the VM half of an INSTALL that could not complete. Best effort: if the store is broken
// (power lost), VirtualCard::open deletes the VM instance that has no record.
void discard_vm_instance(javacard::JavaCardVm& vm, ByteView aid) noexcept {
  try {
    vm.delete_instance(aid);
  } catch (const std::exception& e) {
    spdlog::warn("INSTALL: the VM instance {} stays until the card is opened again: {}", to_hex(aid), e.what());
  }
}

}  // namespace

void install_java_applet(const JavaInstallTarget& target, const AppletInstance& instance) {
  const auto package = target.vm.find_package(instance.load_file_aid);
  if (!package) throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL: no such load file");
  if (std::ranges::none_of(package->applets, [&](const auto& applet) { return applet.aid == instance.module_aid; })) {
    throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL: no such module in the load file");
  }
  if (target.registry.find(instance.aid) != nullptr) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "INSTALL: the application AID is already in the registry");
  }
  if (target.instances.all().size() >= kMaxAppletInstances) {
    throw StatusWordError(sw::kNotEnoughMemory, "INSTALL: no room for another instance");
  }
  // The applet's install(bArray, bOffset, bLength) in one VM transaction; its ISOException (or no
  // register()) refuses with its status word and leaves nothing.
  std::unique_ptr<Applet> applet;
  try {
    applet = target.vm.install(instance.load_file_aid, instance.module_aid, instance.aid, instance.install_parameters);
  } catch (const Error& e) {
    if (e.code() != Errc::state_error) throw;  // e.g. a VM instance of that AID that cannot be deleted
    throw StatusWordError(sw::kConditionsNotSatisfied, std::string("INSTALL: ") + e.what());
  }
  try {
    target.instances.add(instance);  // the commit point
  } catch (...) {
    discard_vm_instance(target.vm, instance.aid);
    throw;
  }
  try {
    target.host.add_instance(registry_entry(instance, target.isd_aid), std::move(applet));
  } catch (...) {
    target.instances.remove(instance.aid);
    discard_vm_instance(target.vm, instance.aid);
    throw;
  }
}

}  // namespace sefleet::card::isd

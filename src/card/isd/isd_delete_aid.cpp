// DELETE 4F <AID> (GPCS v2.3.1 §11.2) of what INSTALL and LOAD put on the card: an applet instance
// (built-in or Java) or a Java load file. Status words: docs/isd.md "DELETE".
//
// Commit points. A built-in instance: the record's erasure (AppletInstances::remove), then the
// runtime erases the instance's own objects. A Java instance lives in two places, the VM (its
// registration and objects) and the ISD record: the runtime removes it (AppletEvent.uninstall()),
// then the VM deletes it (the commit point; refused with 6985 while another context references its
// objects, and the instance is placed back), then the record is erased. A power loss between the
// last two leaves a record without VM instance, which VirtualCard::open erases: after a restart the
// instance is gone either way. A load file: its instances one by one (each as above), then the
// package in one VM transaction.
#include <algorithm>
#include <vector>

#include "card/applets/catalog.hpp"
#include "card/isd/isd_command.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/runtime/applet_registry.hpp"
#include "core/error.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

void require_not_selected(const IsdCall& call, ByteView aid) {
  if (call.host->is_selected(aid)) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "DELETE: the application is selected on a logical channel");
  }
}

// The VM's refusal (another context still references the objects, another package imports the
// package) is a condition of the card's content: 6985.
template <typename Action>
void vm_delete(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    if (e.code() == Errc::state_error || e.code() == Errc::not_found) {
      throw StatusWordError(sw::kConditionsNotSatisfied, std::string("DELETE: ") + e.what());
    }
    throw;
  }
}

void delete_application(const IsdCall& call, const AppletInstance& instance) {
  const Bytes aid = instance.aid;
  if (instance.code == AppletInstance::Code::built_in) {
    call.instances->remove(aid);  // the commit point
    call.host->remove_instance(aid);
    return;
  }
  if (call.vm == nullptr) throw Error(Errc::state_error, "DELETE: a Java instance on a card without a VM");
  // The runtime's removal runs AppletEvent.uninstall() first, as the JCRE does before it decides the
  // deletion (which may still fail: uninstall() may then run again at a later attempt).
  call.host->remove_instance(aid);
  try {
    call.vm->delete_instance(aid);  // the commit point
  } catch (const Error& e) {
    if (e.code() != Errc::state_error) throw;
    call.host->add_instance(registry_entry(instance, call.state.isd_aid()), call.vm->instance(aid));  // it stays
    throw StatusWordError(sw::kConditionsNotSatisfied, std::string("DELETE: ") + e.what());
  }
  call.instances->remove(aid);
}

void delete_load_file(const IsdCall& call, ByteView aid, bool related) {
  if (applets::find_load_file(aid) != nullptr || call.vm == nullptr || !call.vm->find_package(aid)) {
    throw StatusWordError(sw::kConditionsNotSatisfied,
                          "DELETE: ROM load files are part of the card and cannot be deleted");
  }
  require_content_management(call);
  std::vector<AppletInstance> instances;
  for (const auto& [instance_aid, instance] : call.instances->all()) {
    if (instance.code == AppletInstance::Code::java && std::ranges::equal(instance.load_file_aid, aid)) {
      instances.push_back(instance);
    }
  }
  if (!instances.empty() && !related) {
    throw StatusWordError(sw::kConditionsNotSatisfied,
                          "DELETE: the load file has instances (P2 80 deletes them with it)");
  }
  for (const AppletInstance& instance : instances) require_not_selected(call, instance.aid);
  for (const AppletInstance& instance : instances) delete_application(call, instance);
  vm_delete([&] { call.vm->delete_package(aid); });
  std::erase_if(call.ctx.registry().entries(),
                [&](const RegistryEntry& entry) { return entry.is_load_file() && std::ranges::equal(entry.aid, aid); });
}

}  // namespace

iso7816::ResponseApdu delete_by_aid(const IsdCall& call, ByteView aid, bool related) {
  const RegistryEntry* entry = call.ctx.registry().find(aid);
  if (entry == nullptr) throw StatusWordError(sw::kReferencedDataNotFound, "DELETE: no such AID");
  if (entry->is_load_file()) {
    delete_load_file(call, aid, related);
    return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);
  }
  const AppletInstance* instance = call.instances != nullptr ? call.instances->find(aid) : nullptr;
  if (instance == nullptr)
    throw StatusWordError(sw::kConditionsNotSatisfied, "DELETE: built-in entries cannot be deleted");
  require_content_management(call);
  require_not_selected(call, aid);
  delete_application(call, AppletInstance(*instance));
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.2.3.1: no delete confirmation
}

}  // namespace sefleet::card::isd

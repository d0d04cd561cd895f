// org.globalplatform.GPSystem and GPRegistryEntry (org/sefleet/jcre/gp/CardManager) over the card's
// registry (card/runtime/applet_registry.hpp), for the applet instance that is running. The
// GlobalPlatform rules of who may change what are applied here; a change is made durable by the
// registry's life cycle recorder (the ISD's records) before the entry changes, and refused (false)
// when the card has none. Contracts: javacard/rom/NATIVES.md.
#include <algorithm>

#include "card/javacard/natives/services_natives.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/applet_registry.hpp"
#include "gp/card_life_cycle.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;
using vm::Ref;

constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::int16_t kNoEntry = -1;

// The card's registry: the command's, or (install(), where the runtime gives no AppletContext) the one
// the VM was attached to. A VM attached to no card has none: 6985.
AppletRegistry& registry(NativeCall& call) {
  if (AppletContext* ctx = call.applet_context()) return ctx->registry();
  if (AppletRegistry* attached = call.vm().card_registry()) return *attached;
  call.throw_exception(kIsoException, static_cast<std::int16_t>(iso7816::sw::kConditionsNotSatisfied));
}

const RegistryEntry& issuer_security_domain(NativeCall& call) {
  const RegistryEntry* isd = registry(call).issuer_security_domain();
  if (isd == nullptr) {  // a card without a card manager has no card life cycle
    call.throw_exception(kIsoException, static_cast<std::int16_t>(iso7816::sw::kConditionsNotSatisfied));
  }
  return *isd;
}

// The registry entry of the calling applet instance, or nullptr.
const RegistryEntry* own_entry(NativeCall& call) {
  const ByteView aid = call.instance_aid();
  return aid.empty() ? nullptr : registry(call).find(aid);
}

bool holds_privilege(const RegistryEntry& entry, std::uint8_t first_byte_bit) {
  return !entry.privileges.empty() && (entry.privileges[0] & first_byte_bit) != 0;
}

// The AID argument (array, offset, byte length) of the package-private natives.
ByteView aid_argument(NativeCall& call, std::size_t first) {
  const std::int8_t length = call.arg_byte(first + 2);
  if (length < 0) call.throw_vm_exception(vm::VmException::array_index_out_of_bounds);
  return call.bytes(call.arg_ref(first), call.arg_short(first + 1), length);
}

void card_state(NativeCall& call) {
  call.return_byte(static_cast<std::int8_t>(issuer_security_domain(call).life_cycle));
}

// requestCardState(byte state): GPSystem.lockCard() (7F) and terminateCard() (FF).
void request_card_state(NativeCall& call) {
  const auto target = static_cast<std::uint8_t>(call.arg_byte(0));
  const RegistryEntry& isd = issuer_security_domain(call);
  const RegistryEntry* own = own_entry(call);
  std::uint8_t needed = 0;
  if (target == gp::card_life_cycle::kCardLocked) needed = privilege::kCardLock;
  if (target == gp::card_life_cycle::kTerminated) needed = privilege::kCardTerminate;
  const bool allowed = own != nullptr && needed != 0 && holds_privilege(*own, needed) &&
                       gp::card_life_cycle::is_allowed_transition(isd.life_cycle, target);
  call.return_boolean(allowed && registry(call).change_life_cycle(isd.aid, target));
}

// setAtrHistoricalBytes(byte[] buffer, short offset, byte length): GPSystem.setATRHistBytes needs the
// Card Reset privilege, which this card grants no application (INSTALL refuses every privilege,
// docs/isd.md): after the range check a card makes, the answer is false and the ATR stays the one
// the card was personalised with.
void set_atr_historical_bytes(NativeCall& call) {
  const std::int8_t length = call.arg_byte(2);
  if (length < 0) call.throw_vm_exception(vm::VmException::array_index_out_of_bounds);
  (void)call.bytes(call.arg_ref(0), call.arg_short(1), length);
  call.return_boolean(false);
}

// applicationState(byte[] aid, short offset, byte length) -> life cycle state, or -1
void application_state(NativeCall& call) {
  const ByteView aid = aid_argument(call, 0);
  const RegistryEntry* entry = registry(call).find(aid);
  call.return_short(entry != nullptr ? static_cast<std::int16_t>(entry->life_cycle) : kNoEntry);
}

// applicationPrivileges(byte[] aid, short offset, byte length, byte[] out, short outOffset) -> 3, or -1
void application_privileges(NativeCall& call) {
  const ByteView aid = aid_argument(call, 0);
  const RegistryEntry* entry = registry(call).find(aid);
  if (entry == nullptr) {
    call.return_short(kNoEntry);
    return;
  }
  const Bytes privileges = entry->privileges;
  call.write_bytes(call.arg_ref(3), call.arg_short(4), privileges, vm::Atomicity::atomic);
  call.return_short(static_cast<std::int16_t>(privileges.size()));
}

// An application-specific state (GPCS 11.1.1: b3..b1 = 111, b8 = 0), SELECTABLE included.
bool application_specific(std::uint8_t state) {
  return (state & 0x87) == app_life_cycle::kSelectable;
}

// setApplicationState(byte[] aid, short offset, byte length, byte state): an application sets its own
// entry from SELECTABLE or an application-specific state to another application-specific state.
void set_application_state(NativeCall& call) {
  const Bytes aid = [&] {
    const ByteView view = aid_argument(call, 0);
    return Bytes(view.begin(), view.end());
  }();
  const auto target = static_cast<std::uint8_t>(call.arg_byte(3));
  const RegistryEntry* entry = registry(call).find(aid);
  const bool own = entry != nullptr && std::ranges::equal(aid, call.instance_aid());
  const bool allowed = own && entry->kind == RegistryEntry::Kind::application &&
                       application_specific(entry->life_cycle) && application_specific(target);
  call.return_boolean(allowed && registry(call).change_life_cycle(aid, target));
}

// associated(byte[] aid, short offset, byte length, byte[] sd, short sdOffset, byte sdLength)
void associated(NativeCall& call) {
  const Bytes aid = [&] {
    const ByteView view = aid_argument(call, 0);
    return Bytes(view.begin(), view.end());
  }();
  const ByteView sd = aid_argument(call, 3);
  const RegistryEntry* entry = registry(call).find(aid);
  const RegistryEntry* domain = registry(call).find(sd);
  bool result = false;
  if (entry != nullptr && domain != nullptr) {
    // The ISD is associated with itself (GPCS 7.2); every other entry with the SD it records.
    result = entry->kind == RegistryEntry::Kind::issuer_security_domain
                 ? entry == domain
                 : std::ranges::equal(entry->associated_sd_aid, domain->aid);
  }
  call.return_boolean(result);
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/gp/CardManager.cardState()B", card_state},
    {"org/sefleet/jcre/gp/CardManager.requestCardState(B)Z", request_card_state},
    {"org/sefleet/jcre/gp/CardManager.setAtrHistoricalBytes([BSB)Z", set_atr_historical_bytes},
    {"org/sefleet/jcre/gp/CardManager.applicationState([BSB)S", application_state},
    {"org/sefleet/jcre/gp/CardManager.applicationPrivileges([BSB[BS)S", application_privileges},
    {"org/sefleet/jcre/gp/CardManager.setApplicationState([BSBB)Z", set_application_state},
    {"org/sefleet/jcre/gp/CardManager.associated([BSB[BSB)Z", associated},
};

}  // namespace

vm::NativeTable globalplatform_card_manager_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

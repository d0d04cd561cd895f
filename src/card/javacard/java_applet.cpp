#include "card/javacard/java_applet.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "card/javacard/natives/deferred_tasks.hpp"
#include "card/javacard/vm/linker.hpp"
#include "card/javacard/vm/vm.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::javacard {

namespace {

constexpr std::string_view kApplet = "javacard/framework/Applet";
constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kSelectByDfName = 0x04;

struct EntryResult {
  bool returned = false;
  std::int32_t value = 0;
  vm::Ref exception = vm::kNull;  // uncaught Java exception
};

// Runs one Java method as an entry of the card. A Java exception or a VM limit ends it without
// escaping (logged); anything else (a power loss of the NVM) passes on after the entry is closed.
EntryResult run_entry(vm::Vm& machine, vm::EntryState state, const vm::RtMethod& method,
                      std::span<const std::int32_t> args, const vm::Instance& instance, const char* what) {
  EntryResult result;
  machine.begin_entry(std::move(state));
  try {
    result.value = machine.call(method, args, instance.package->context, instance.id);
    result.returned = true;
  } catch (const vm::JavaThrow& thrown) {
    result.exception = thrown.exception;
    const heap::Object* object = machine.heap().find(thrown.exception);
    const bool iso = object != nullptr && object->cls->is_assignable_to(machine.rom_class(kIsoException));
    if (!iso) {
      spdlog::warn("Java Card applet {}: {}() ended with uncaught {} (reason {})", to_hex(instance.aid), what,
                   object != nullptr ? object->cls->name : "exception", machine.exception_reason(thrown.exception));
    }
  } catch (const vm::VmAbort& abort) {
    spdlog::warn("Java Card applet {}: {}() stopped: {}", to_hex(instance.aid), what, abort.what());
  } catch (...) {
    machine.end_entry();
    throw;
  }
  machine.end_entry();
  return result;
}

const vm::RtMethod& applet_method(const vm::Vm& machine, const vm::Instance& instance, std::string_view name,
                                  std::string_view descriptor) {
  const vm::RtMethod* declared = machine.rom_class(kApplet).find_method(name, descriptor);
  if (declared == nullptr || declared->vtable_index < 0)
    throw vm::VmAbort("the ROM's Applet has no " + std::string(name));
  const heap::Object& applet = *machine.heap().find(instance.applet);
  return *applet.cls->vtable[static_cast<std::size_t>(declared->vtable_index)];
}

const vm::RtMethod* interface_method(const vm::Vm& machine, const vm::Instance& instance, std::string_view name,
                                     std::string_view descriptor) {
  const heap::Object& applet = *machine.heap().find(instance.applet);
  const auto it = applet.cls->itable.find(vm::interface_selector(name, descriptor));
  return it != applet.cls->itable.end() ? it->second : nullptr;
}

std::uint32_t bit(std::uint8_t channel) {
  return 1u << channel;
}

}  // namespace

vm::Instance& JavaApplet::instance() const {
  vm::Instance* found = machine_.find_instance(aid_);
  if (found == nullptr) throw vm::VmAbort("Java applet instance " + to_hex(aid_) + " no longer exists");
  return *found;
}

bool JavaApplet::multi_selectable() const {
  const vm::Instance* found = machine_.find_instance(aid_);
  return found != nullptr && found->multi_selectable;
}

bool JavaApplet::package_active_elsewhere(const vm::Instance& self, std::uint8_t channel) const {
  return std::ranges::any_of(machine_.instances(), [&](const auto& other) {
    return other->package == self.package && (other->active_channels & ~bit(channel)) != 0;
  });
}

bool JavaApplet::select(AppletContext& ctx) {
  vm::Instance& self = instance();
  const std::uint8_t channel = ctx.channel();
  const bool package_active = package_active_elsewhere(self, channel);
  // Applets of a package that is not multiselectable are selected on one channel at a time.
  if (package_active && !self.multi_selectable) return false;
  vm::EntryState state;
  state.applet_context = &ctx;
  state.instance = &self;
  EntryResult result;
  if (package_active) {
    const vm::RtMethod* method = interface_method(machine_, self, "select", "(Z)Z");
    if (method == nullptr) return false;
    const std::int32_t args[] = {static_cast<std::int32_t>(self.applet), (self.active_channels & ~bit(channel)) != 0};
    result = run_entry(machine_, std::move(state), *method, args, self, "select");
  } else {
    const std::int32_t args[] = {static_cast<std::int32_t>(self.applet)};
    result =
        run_entry(machine_, std::move(state), applet_method(machine_, self, "select", "()Z"), args, self, "select");
  }
  if (!result.returned || result.value == 0) return false;
  self.active_channels |= bit(channel);
  selecting_[channel] = true;
  reselecting_[channel] = ctx.reselecting();
  return true;
}

void JavaApplet::deselect(AppletContext& ctx) {
  vm::Instance& self = instance();
  const std::uint8_t channel = ctx.channel();
  const bool package_active = package_active_elsewhere(self, channel);
  vm::EntryState state;
  state.applet_context = &ctx;
  state.instance = &self;
  if (package_active) {
    if (const vm::RtMethod* method = interface_method(machine_, self, "deselect", "(Z)V")) {
      const std::int32_t args[] = {static_cast<std::int32_t>(self.applet), (self.active_channels & ~bit(channel)) != 0};
      run_entry(machine_, std::move(state), *method, args, self, "deselect");
    }
  } else {
    const std::int32_t args[] = {static_cast<std::int32_t>(self.applet)};
    run_entry(machine_, std::move(state), applet_method(machine_, self, "deselect", "()V"), args, self, "deselect");
  }
  self.active_channels &= ~bit(channel);
  selecting_[channel] = false;
  reselecting_[channel] = false;
  // JCRE 5.1: CLEAR_ON_DESELECT data of a context is cleared once none of its applets is active.
  if (!package_active) machine_.on_deselect(self.package->context);
}

void JavaApplet::install(AppletContext& ctx) {
  natives::place_deferred_tasks(machine_, instance(), ctx);
}

void JavaApplet::uninstall(AppletContext& ctx) {
  vm::Instance& self = instance();
  const vm::RtMethod* method = interface_method(machine_, self, "uninstall", "()V");
  if (method == nullptr) return;
  vm::EntryState state;
  state.applet_context = &ctx;
  state.instance = &self;
  const std::int32_t args[] = {static_cast<std::int32_t>(self.applet)};
  run_entry(machine_, std::move(state), *method, args, self, "uninstall");
}

iso7816::ResponseApdu JavaApplet::process(const iso7816::CommandApdu& command, AppletContext& ctx) {
  vm::Instance& self = instance();
  const std::uint8_t channel = ctx.channel();
  const bool selecting =
      selecting_[channel] && (command.cla & 0x80) == 0 && command.ins == kInsSelect && command.p1 == kSelectByDfName;
  const bool reselecting = selecting && reselecting_[channel];
  selecting_[channel] = false;
  reselecting_[channel] = false;
  if (command.extended && !self.extended_length) return iso7816::ResponseApdu(iso7816::sw::kWrongLength);

  vm::ApduState apdu;
  apdu.command = &command;
  apdu.channel = channel;
  apdu.extended = command.extended;
  apdu.extended_applet = self.extended_length;
  apdu.nc = static_cast<std::int32_t>(command.data.size());
  apdu.ne = static_cast<std::int32_t>(command.ne.value_or(0));
  // The JCRE zeroes the buffer for every command and puts the header in it: CLA INS P1 P2 and P3
  // (Lc, else Le, else 0), or 00 and two length bytes for an extended command.
  heap::Object& buffer =
      *machine_.heap().find(self.extended_length ? machine_.extended_apdu_buffer() : machine_.apdu_buffer());
  std::memset(buffer.bytes(), 0, buffer.byte_size());
  buffer.bytes()[0] = command.cla;
  buffer.bytes()[1] = command.ins;
  buffer.bytes()[2] = command.p1;
  buffer.bytes()[3] = command.p2;
  const std::int32_t length_field = apdu.nc > 0 ? apdu.nc : apdu.ne;
  if (apdu.extended) {
    buffer.bytes()[5] = static_cast<std::uint8_t>((length_field >> 8) & 0xFF);
    buffer.bytes()[6] = static_cast<std::uint8_t>(length_field & 0xFF);
  } else {
    buffer.bytes()[4] = static_cast<std::uint8_t>(length_field & 0xFF);
  }
  // The data field follows the header, as on a T=1 or contactless card where the whole command
  // arrives in one block: applets written for such cards read it at OFFSET_CDATA without calling
  // setIncomingAndReceive() first. Receiving still works as the API says (it copies the same bytes).
  const std::int32_t room = buffer.length - apdu.offset_cdata();
  const auto prefill = static_cast<std::size_t>(std::min(apdu.nc, room));
  if (prefill > 0) std::memcpy(buffer.bytes() + apdu.offset_cdata(), command.data.data(), prefill);

  vm::EntryState state;
  state.applet_context = &ctx;
  state.instance = &self;
  state.apdu = &apdu;
  state.selecting = selecting;
  state.reselecting = reselecting;
  const std::int32_t args[] = {static_cast<std::int32_t>(self.applet),
                               static_cast<std::int32_t>(machine_.apdu_object())};
  const EntryResult result =
      run_entry(machine_, std::move(state), applet_method(machine_, self, "process", "(Ljavacard/framework/APDU;)V"),
                args, self, "process");
  if (result.returned) return iso7816::ResponseApdu(std::move(apdu.response), iso7816::sw::kOk);
  if (result.exception != vm::kNull) {
    const heap::Object* object = machine_.heap().find(result.exception);
    if (object != nullptr && object->cls->is_assignable_to(machine_.rom_class(kIsoException))) {
      // The data sent before the exception goes out with its status word (e.g. 61xx chaining).
      return iso7816::ResponseApdu(std::move(apdu.response),
                                   static_cast<std::uint16_t>(machine_.exception_reason(result.exception)));
    }
  }
  return iso7816::ResponseApdu(iso7816::sw::kUnknown);
}

}  // namespace sefleet::card::javacard

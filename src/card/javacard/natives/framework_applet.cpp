// javacard.framework.Applet (register, selectingApplet, reSelectingApplet) and the AID comparisons.
#include <algorithm>

#include "card/javacard/natives/aid_bytes.hpp"
#include "card/javacard/natives/native_tables.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;

constexpr std::string_view kSystemException = "javacard/framework/SystemException";
constexpr std::int16_t kIllegalValue = 1;
constexpr std::int16_t kIllegalAid = 4;

// Registration is possible once, from install(), by the applet object being installed, with the
// instance AID of the INSTALL command (GlobalPlatform gives it; another AID is refused).
void register_with(NativeCall& call, ByteView aid) {
  vm::Vm& machine = call.vm();
  vm::EntryState& entry = machine.entry();
  const heap::Object* applet = machine.heap().find(call.arg_ref(0));
  if (!entry.install_aid || entry.registered != nullptr || applet == nullptr ||
      applet->owner != entry.install_instance) {
    call.throw_exception(kSystemException, kIllegalAid);
  }
  if (!std::ranges::equal(aid, *entry.install_aid) || machine.find_instance(aid) != nullptr) {
    call.throw_exception(kSystemException, kIllegalAid);
  }
  machine.register_instance(call.arg_ref(0), aid);
}

void register_default(NativeCall& call) {
  const vm::EntryState& entry = call.vm().entry();
  if (!entry.install_aid) call.throw_exception(kSystemException, kIllegalAid);
  const Bytes aid = *entry.install_aid;
  register_with(call, aid);
}

void register_aid(NativeCall& call) {
  const std::int8_t length = call.arg_byte(3);
  if (length < 5 || length > 16) call.throw_exception(kSystemException, kIllegalValue);
  const ByteView view = call.bytes(call.arg_ref(1), call.arg_short(2), length);
  const Bytes aid(view.begin(), view.end());
  register_with(call, aid);
}

bool is_entry_applet(NativeCall& call) {
  const vm::Instance* instance = call.vm().entry().instance;
  return instance != nullptr && instance->applet == call.arg_ref(0);
}

void selecting_applet(NativeCall& call) {
  call.return_boolean(call.vm().entry().selecting && is_entry_applet(call));
}

void reselecting_applet(NativeCall& call) {
  call.return_boolean(call.vm().entry().reselecting && is_entry_applet(call));
}

void aid_equals(NativeCall& call) {
  const ByteView mine = aid_bytes(call, call.arg_ref(0));
  const ByteView theirs = aid_bytes(call, call.arg_ref(1));
  call.return_boolean(!theirs.empty() && std::ranges::equal(mine, theirs));
}

void aid_rid_equals(NativeCall& call) {
  const ByteView mine = aid_bytes(call, call.arg_ref(0));
  const ByteView theirs = aid_bytes(call, call.arg_ref(1));
  call.return_boolean(mine.size() >= 5 && theirs.size() >= 5 &&
                      std::equal(mine.begin(), mine.begin() + 5, theirs.begin()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/framework/Applet.register()V", register_default},
    {"javacard/framework/Applet.register([BSB)V", register_aid},
    {"javacard/framework/Applet.selectingApplet()Z", selecting_applet},
    {"javacard/framework/Applet.reSelectingApplet()Z", reselecting_applet},
    {"javacard/framework/AID.equals(Ljava/lang/Object;)Z", aid_equals},
    {"javacard/framework/AID.RIDEquals(Ljavacard/framework/AID;)Z", aid_rid_equals},
};

}  // namespace

vm::NativeTable framework_applet_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

#include "sim/dk/java_vehicle.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "card/applets/digital_key/vehicle_install_params.hpp"
#include "card/javacard/loadfile/load_file_builder.hpp"
#include "card/javacard/vm/vm.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "sim/dk/java_vehicle_classes.hpp"

namespace sefleet::sim::dk {
namespace {

namespace jc = card::javacard;
namespace heap = card::javacard::heap;

constexpr std::size_t kLogEntrySize = 23;
constexpr std::size_t kKeySize = 32;

jc::LoadFile build() {
  std::vector<jc::ClassFileSource> classes;
  for (std::size_t i = 0; i < detail::kJavaVehicleClassCount; ++i) {
    const auto& file = detail::kJavaVehicleClasses[i];
    classes.push_back({std::string(file.name), Bytes(file.data, file.data + file.size)});
  }
  jc::PackageSpec spec;
  spec.package_aid.assign(card::dk::kJavaVehiclePackageAid.begin(), card::dk::kJavaVehiclePackageAid.end());
  spec.applets.push_back({std::string(card::dk::kJavaVehicleAppletClass),
                          Bytes(card::dk::kJavaVehicleAppletAid.begin(), card::dk::kJavaVehicleAppletAid.end())});
  return jc::build_load_file(classes, spec);
}

// The applet object's fields by name, with the checks that keep a reader of another class honest.
class AppletFields {
 public:
  AppletFields(const jc::vm::Vm& machine, const heap::Object& applet) : machine_(machine), applet_(applet) {}

  std::int32_t value(std::string_view name) const { return applet_.slot(field(name).slot); }

  const heap::Object& array(std::string_view name, heap::ObjectKind kind, std::int32_t min_length) const {
    const jc::vm::RtField& declared = field(name);
    const heap::Object* object = machine_.heap().find(static_cast<jc::vm::Ref>(applet_.slot(declared.slot)));
    if (object == nullptr || object->kind != kind || object->length < min_length) {
      throw Error(Errc::state_error, "Java vehicle applet: field " + std::string(name) + " is not the expected array");
    }
    return *object;
  }

  Bytes bytes(std::string_view name, std::int32_t length) const {
    const heap::Object& object = array(name, heap::ObjectKind::array_byte, length);
    return Bytes(object.bytes(), object.bytes() + length);
  }

 private:
  const jc::vm::RtField& field(std::string_view name) const {
    const jc::vm::RtField* found = applet_.cls->find_field(name);
    if (found == nullptr || found->is_static) {
      throw Error(Errc::state_error, "Java vehicle applet: no instance field " + std::string(name));
    }
    return *found;
  }

  const jc::vm::Vm& machine_;
  const heap::Object& applet_;
};

}  // namespace

const card::javacard::LoadFile& java_vehicle_load_file() {
  static const jc::LoadFile file = build();
  return file;
}

JavaVehicleState read_java_vehicle_state(const card::javacard::vm::Vm& machine, ByteView instance_aid) {
  const jc::vm::Instance* instance = machine.find_instance(instance_aid);
  if (instance == nullptr) throw Error(Errc::not_found, "no Java applet instance " + to_hex(instance_aid));
  const heap::Object* applet = machine.heap().find(instance->applet);
  if (applet == nullptr || applet->cls == nullptr || applet->cls->name != card::dk::kJavaVehicleAppletClass) {
    throw Error(Errc::state_error, "instance " + to_hex(instance_aid) + " is not a Java vehicle applet");
  }
  const AppletFields fields(machine, *applet);
  JavaVehicleState state;
  // RAM (CLEAR_ON_RESET arrays): ram[1] is the door, counter[] the working transaction counter.
  const Bytes ram = fields.bytes("ram", 2);
  state.door = ram[1] == 0 ? protocols::dk::DoorState::locked : protocols::dk::DoorState::unlocked;
  state.transaction_counter = read_be32(fields.bytes("counter", 4), 0);
  const heap::Object& faults = fields.array("faults", heap::ObjectKind::array_short, 1);
  state.deferred_faults = static_cast<std::uint16_t>(faults.short_at(0));

  state.stored_counter = read_be32(fields.bytes("storedCounter", 4), 0);
  state.stored_door = static_cast<std::uint8_t>(fields.value("storedDoor"));
  const Bytes log = fields.bytes("log", static_cast<std::int32_t>(state.log.size() * kLogEntrySize));
  for (std::size_t i = 0; i < state.log.size(); ++i) {
    const auto begin = log.begin() + static_cast<std::ptrdiff_t>(i * kLogEntrySize);
    Bytes entry(begin, begin + kLogEntrySize);
    if (std::any_of(entry.begin(), entry.end(), [](std::uint8_t b) { return b != 0; })) state.log[i] = std::move(entry);
  }
  const auto devices = fields.value("deviceCount");
  const Bytes slots = fields.bytes("keySlots", devices);
  const heap::Object& key_set = fields.array("persistentKeySet", heap::ObjectKind::array_boolean, devices);
  Bytes keys = fields.bytes("persistentKeys", devices * static_cast<std::int32_t>(kKeySize));
  for (std::int32_t i = 0; i < devices; ++i) {
    if (key_set.bytes()[i] == 0) continue;
    state.persistent_keys.emplace(
        slots[static_cast<std::size_t>(i)],
        SecretBytes(ByteView(keys).subspan(static_cast<std::size_t>(i) * kKeySize, kKeySize)));
  }
  secure_zero(keys.data(), keys.size());
  if (fields.value("nextReady") != 0) {
    Bytes scalar = fields.bytes("nextScalar", 32);
    state.next_ephemeral_scalar = SecretBytes::take(scalar);
  }
  return state;
}

}  // namespace sefleet::sim::dk

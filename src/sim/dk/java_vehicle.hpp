// The Java vehicle applet of `sefleet dk --vm java` (javacard/applets/org/sefleet/dk): its load file,
// and what it holds, read from its objects in the Java Card VM.
//
// The build compiles the applet with javac (sefleet_add_javacard_applet) and embeds its class files in
// the binary; java_vehicle_load_file() packs them with the builder `sefleet javacard pack` uses
// (card/javacard/loadfile/load_file_builder.hpp), so the card receives exactly the load file a user
// would pack from the same classes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "protocols/digital_key/dk_protocol.hpp"

namespace sefleet::card::javacard::vm {
class Vm;
}

namespace sefleet::sim::dk {

// Package org.sefleet.dk (AID card::dk::kJavaVehiclePackageAid) with the applet class
// org.sefleet.dk.VehicleKeyApplet (AID kJavaVehicleAppletAid). Built once per process.
const card::javacard::LoadFile& java_vehicle_load_file();

// The applet's state, named as the C++ applet's: RAM first (lost at power-up), then what its deferred
// tasks stored (persistent objects).
struct JavaVehicleState {
  protocols::dk::DoorState door = protocols::dk::DoorState::locked;  // door_state()
  std::uint32_t transaction_counter = 0;                             // transaction_counter()
  std::uint32_t deferred_faults = 0;                                 // deferred_faults()

  std::uint32_t stored_counter = 0;                     // "tx_counter"
  std::uint8_t stored_door = 0;                         // "door"
  std::array<Bytes, 8> log;                             // "log_<i>": 23 bytes each, empty when never written
  std::map<std::uint8_t, SecretBytes> persistent_keys;  // "kp_<slot>", only slots that have one
  std::optional<SecretBytes> next_ephemeral_scalar;     // "next_epk"
};

// Throws Error(not_found) when the VM holds no such instance, Error(state_error) when its objects do
// not have the shape of org.sefleet.dk.VehicleKeyApplet.
JavaVehicleState read_java_vehicle_state(const card::javacard::vm::Vm& machine, ByteView instance_aid);

}  // namespace sefleet::sim::dk

// The digital-key scenario driver (`sefleet dk`): the phone (app1) runs SELECT, AUTH0, AUTH1,
// EXCHANGE (door command) and CONTROL FLOW against the vehicle applet (app2) installed through
// Runtime::install_applet in an SE over an in-memory NVM medium, with a VirtualClock over an SE cost
// profile (the C++ applet, or with VehicleVm::java the Java applet of javacard/applets/org/sefleet/dk
// loaded and installed on the card's Java Card VM through its facade). Per command it records the SE
// time (clock delta across transmit()), the deferred time (delta across after_response()), the
// phone's processing (HostProfile steps) and the APDU sizes, and places them on a time line with the
// link profile (reader, CAN bus, ECU hops). It also measures the wall-clock time of the same calls on
// this machine.
//
// Everything virtual is deterministic: keys, transaction ids and card randomness come from
// DeterministicRandom seeded by `seed`, so the same configuration gives the same traces byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocols/digital_key/dk_protocol.hpp"
#include "sim/timing/cost_profile.hpp"
#include "sim/timing/host_profile.hpp"
#include "sim/timing/link_profile.hpp"
#include "sim/timing/timeline.hpp"

namespace sefleet::sim::dk {

// Which vehicle applet runs in SE2. Both answer the same commands with the same bytes when they hold
// the same keys and draw from the same random source (tests/sim/unit/dk_java_vehicle_test.cpp); the
// virtual time differs, because the Java applet's bytecodes, crypto calls and NVM writes are charged
// as the Java Card VM executes them (docs/digital-key.md "The Java vehicle applet").
enum class VehicleVm { cpp, java };
std::string_view vehicle_vm_name(VehicleVm vm) noexcept;  // "cpp", "java"

struct DkScenarioConfig {
  SeCostProfile se;
  LinkProfile link;
  HostProfile phone;
  std::size_t repeat = 1;  // transactions on the same card (the 2nd+ use what the 1st deferred)
  std::string seed = "sefleet dk scenario";
  VehicleVm vm = VehicleVm::cpp;

  // jcop4, iso14443_424, phone.
  static DkScenarioConfig defaults();
};

struct WallCommand {
  std::string name;
  double transmit_ms = 0;        // wall time of Runtime::transmit() (the response is ready)
  double after_response_ms = 0;  // wall time of Runtime::after_response() (the deferred work)
};

struct DkRun {
  bool deferred = true;
  VehicleVm vm = VehicleVm::cpp;
  std::vector<CommandTrace> trace;
  RunTiming timing;
  std::vector<WallCommand> wall;
  double wall_total_ms = 0;
  protocols::dk::DoorState final_door = protocols::dk::DoorState::locked;
  std::uint32_t transaction_counter = 0;  // the applet's, after the run
  std::uint32_t deferred_faults = 0;
};

// One run of `config.repeat` transactions; transaction k (from 1) unlocks when k is odd, locks when
// even. Throws Error naming the step when the card refuses or the phone rejects an answer.
DkRun run_dk_scenario(const DkScenarioConfig& config, bool defer_after_response);

struct DkComparison {
  DkRun deferred;
  DkRun baseline;  // defer_after_response = false: same code, same work, before each response
};
DkComparison run_dk_comparison(const DkScenarioConfig& config);

// {"transmit_ms","after_response_ms"} per command and "total_ms", per run present: the "wall" member.
nlohmann::json wall_json(const DkRun& run);

// Command names of one run: "SELECT", "AUTH0", ...; with repeat > 1 they end in " #k".
std::vector<std::string> dk_command_names(std::size_t repeat);

}  // namespace sefleet::sim::dk

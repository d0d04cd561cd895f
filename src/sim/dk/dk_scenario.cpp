#include "sim/dk/dk_scenario.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "core/error.hpp"
#include "crypto/random.hpp"
#include "iso7816/status_words.hpp"
#include "sim/dk/dk_card.hpp"
#include "sim/dk/phone_app.hpp"

namespace sefleet::sim::dk {
namespace {

namespace pdk = protocols::dk;
using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

const char* const kStepNames[] = {"SELECT", "AUTH0", "AUTH1", "EXCHANGE", "CONTROL FLOW"};

}  // namespace

std::string_view vehicle_vm_name(VehicleVm vm) noexcept {
  return vm == VehicleVm::java ? "java" : "cpp";
}

DkScenarioConfig DkScenarioConfig::defaults() {
  return DkScenarioConfig{SeCostProfile::builtin(kDefaultSeProfile), LinkProfile::builtin(kDefaultLinkProfile),
                          HostProfile::builtin(kDefaultHostProfile)};
}

std::vector<std::string> dk_command_names(std::size_t repeat) {
  std::vector<std::string> names;
  for (std::size_t k = 1; k <= repeat; ++k) {
    for (const char* step : kStepNames) {
      names.push_back(repeat == 1 ? std::string(step) : std::string(step) + " #" + std::to_string(k));
    }
  }
  return names;
}

DkRun run_dk_scenario(const DkScenarioConfig& config, bool defer_after_response) {
  if (config.repeat < 1 || config.repeat > 1000) throw Error(Errc::invalid_argument, "dk: repeat must be 1..1000");
  const Enrollment enrollment = enroll(config.seed);
  DkCard card(config, enrollment, defer_after_response);
  auto phone_random = seeded(config.seed, "phone");
  PhoneApp phone(
      PhoneIdentity{enrollment.device_id, crypto::P256PrivateKey::from_scalar(enrollment.device_scalar.view()),
                    enrollment.vehicle_id,
                    crypto::P256PrivateKey::from_scalar(enrollment.vehicle_scalar.view()).public_key()},
      phone_random);

  DkRun run;
  run.deferred = defer_after_response;
  run.vm = config.vm;
  const auto names = dk_command_names(config.repeat);
  std::size_t index = 0;
  const auto run_start = Clock::now();

  // Sends one command, measures it, and returns the response (the phone checks it next).
  auto exchange = [&](const iso7816::CommandApdu& command) {
    const Bytes raw = command.encode();
    CommandTrace trace;
    trace.name = names.at(index++);
    trace.command_bytes = raw.size();
    const std::uint64_t before = card.clock().now_ns();
    const auto wall_before = Clock::now();
    const Bytes response = card.runtime().transmit(raw);
    const auto wall_response = Clock::now();
    const std::uint64_t responded = card.clock().now_ns();
    card.runtime().after_response();
    const auto wall_after = Clock::now();
    trace.response_bytes = response.size();
    trace.se_ns = responded - before;
    trace.deferred_ns = card.clock().now_ns() - responded;
    run.trace.push_back(trace);
    run.wall.push_back({trace.name, ms_between(wall_before, wall_response), ms_between(wall_response, wall_after)});
    return iso7816::ResponseApdu::parse(response);
  };
  auto host_time = [&](const HostSteps& steps) {
    std::uint64_t ns = 0;
    for (const auto step : steps) ns += config.phone.step_ns(step);
    run.trace.back().host_after_ns = ns;
  };

  for (std::size_t k = 1; k <= config.repeat; ++k) {
    const auto door = k % 2 == 1 ? pdk::DoorCommand::unlock : pdk::DoorCommand::lock;
    host_time(phone.on_select_response(exchange(phone.select_command())));
    host_time(phone.on_auth0_response(exchange(phone.auth0_command())));
    host_time(phone.on_auth1_response(exchange(phone.auth1_command()), door));
    host_time(phone.on_exchange_response(exchange(phone.exchange_command())));
    const auto expected = door == pdk::DoorCommand::unlock ? pdk::DoorState::unlocked : pdk::DoorState::locked;
    if (!phone.exchange_result() || phone.exchange_result()->state != expected) {
      throw Error(Errc::protocol_error, "dk: the vehicle did not report the door state the phone asked for");
    }
    host_time(phone.on_control_flow_response(exchange(phone.control_flow_command())));
  }
  run.wall_total_ms = ms_between(run_start, Clock::now());
  run.timing = compute_timeline(run.trace, config.link);
  const VehicleObservation observed = card.observe();
  run.final_door = observed.door;
  run.transaction_counter = observed.transaction_counter;
  run.deferred_faults = observed.deferred_faults;
  return run;
}

DkComparison run_dk_comparison(const DkScenarioConfig& config) {
  DkComparison comparison{run_dk_scenario(config, true), run_dk_scenario(config, false)};
  return comparison;
}

nlohmann::json wall_json(const DkRun& run) {
  nlohmann::json commands = nlohmann::json::array();
  for (const auto& command : run.wall) {
    commands.push_back({{"name", command.name},
                        {"transmit_ms", command.transmit_ms},
                        {"after_response_ms", command.after_response_ms}});
  }
  return {{"commands", commands}, {"total_ms", run.wall_total_ms}};
}

}  // namespace sefleet::sim::dk

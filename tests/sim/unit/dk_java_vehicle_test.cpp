// The Java vehicle applet (javacard/applets/org/sefleet/dk on the card's Java Card VM) against the C++
// vehicle applet: two cards of the same scenario seed (same keys, same random source) driven in
// lockstep by two phones of the same seed, with and without deferral. Every response must be the same
// bytes, with one allowance: the vehicle's ECDSA signature inside the AUTH1 response is compared by
// verifying it (the phone does) rather than byte for byte, so that these tests do not depend on how
// the card's crypto picks the signature nonce; when the two signatures are equal the whole responses
// must be too. Afterwards both cards must hold the same state: the RAM figures and every object the
// deferred tasks stored.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "card/applets/digital_key/vehicle_install_params.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "iso7816/apdu.hpp"
#include "sim/dk/dk_card.hpp"
#include "sim/dk/dk_scenario.hpp"
#include "sim/dk/java_vehicle.hpp"
#include "sim/dk/phone_app.hpp"

namespace sefleet::sim::dk {
namespace {

namespace pdk = protocols::dk;

PhoneIdentity phone_identity(const Enrollment& enrollment) {
  return PhoneIdentity{enrollment.device_id, crypto::P256PrivateKey::from_scalar(enrollment.device_scalar.view()),
                       enrollment.vehicle_id,
                       crypto::P256PrivateKey::from_scalar(enrollment.vehicle_scalar.view()).public_key()};
}

DkScenarioConfig config_for(VehicleVm vm) {
  auto config = DkScenarioConfig::defaults();
  config.vm = vm;
  return config;
}

// One card with its phone, both from the scenario seed.
class Vehicle {
 public:
  Vehicle(VehicleVm vm, bool defer)
      : config_(config_for(vm)),
        enrollment_(enroll(config_.seed)),
        card_(config_, enrollment_, defer),
        phone_random_(seeded(config_.seed, "phone")),
        phone_(phone_identity(enrollment_), phone_random_) {}

  // The card's answer to `command`, after the deferred work that follows it.
  Bytes send(ByteView command) {
    Bytes response = card_.runtime().transmit(command);
    card_.runtime().after_response();
    return response;
  }

  PhoneApp& phone() noexcept { return phone_; }
  DkCard& card() noexcept { return card_; }

 private:
  DkScenarioConfig config_;
  Enrollment enrollment_;
  DkCard card_;
  crypto::DeterministicRandom phone_random_;
  PhoneApp phone_;
};

iso7816::ResponseApdu parsed(const Bytes& response) {
  return iso7816::ResponseApdu::parse(response);
}

// Both phones build their next command; they must be the same bytes. Each card answers its own.
struct Answers {
  Bytes cpp, java;
};
Answers exchange(Vehicle& cpp, Vehicle& java, const iso7816::CommandApdu& cpp_command,
                 const iso7816::CommandApdu& java_command, const std::string& step) {
  const Bytes command = cpp_command.encode();
  EXPECT_EQ(to_hex(command), to_hex(java_command.encode())) << step << ": the phones sent different commands";
  return {cpp.send(command), java.send(command)};
}

void expect_same(const Answers& answers, const std::string& step) {
  EXPECT_EQ(to_hex(answers.cpp), to_hex(answers.java)) << step;
}

// One standard transaction in lockstep.
void transaction(Vehicle& cpp, Vehicle& java, pdk::DoorCommand door, const std::string& label) {
  auto answers = exchange(cpp, java, cpp.phone().select_command(), java.phone().select_command(), label + "SELECT");
  expect_same(answers, label + "SELECT");
  cpp.phone().on_select_response(parsed(answers.cpp));
  java.phone().on_select_response(parsed(answers.java));

  answers = exchange(cpp, java, cpp.phone().auth0_command(), java.phone().auth0_command(), label + "AUTH0");
  expect_same(answers, label + "AUTH0");
  cpp.phone().on_auth0_response(parsed(answers.cpp));
  java.phone().on_auth0_response(parsed(answers.java));

  // The phone's own signature need not be reproducible (the host signs with its crypto library's
  // nonces): both cards get the same AUTH1, made by the first phone, which is valid for both.
  answers = exchange(cpp, java, cpp.phone().auth1_command(), cpp.phone().auth1_command(), label + "AUTH1");
  // Each phone checks the R-MAC, decrypts and verifies the vehicle's signature (throws otherwise).
  ASSERT_NO_THROW(cpp.phone().on_auth1_response(parsed(answers.cpp), door)) << label << "AUTH1 of the C++ applet";
  ASSERT_NO_THROW(java.phone().on_auth1_response(parsed(answers.java), door)) << label << "AUTH1 of the Java applet";
  const auto& cpp_plain = *cpp.phone().auth1_plain();
  const auto& java_plain = *java.phone().auth1_plain();
  EXPECT_EQ(java_plain.key_slot, cpp_plain.key_slot) << label << "AUTH1";
  EXPECT_EQ(answers.java.size(), answers.cpp.size()) << label << "AUTH1";
  EXPECT_EQ(parsed(answers.java).sw, parsed(answers.cpp).sw) << label << "AUTH1";
  if (java_plain.vehicle_signature == cpp_plain.vehicle_signature) expect_same(answers, label + "AUTH1");

  answers = exchange(cpp, java, cpp.phone().exchange_command(), java.phone().exchange_command(), label + "EXCHANGE");
  expect_same(answers, label + "EXCHANGE");
  cpp.phone().on_exchange_response(parsed(answers.cpp));
  java.phone().on_exchange_response(parsed(answers.java));
  ASSERT_TRUE(java.phone().exchange_result().has_value());
  EXPECT_EQ(java.phone().exchange_result()->state,
            door == pdk::DoorCommand::unlock ? pdk::DoorState::unlocked : pdk::DoorState::locked);

  answers = exchange(cpp, java, cpp.phone().control_flow_command(), java.phone().control_flow_command(),
                     label + "CONTROL FLOW");
  expect_same(answers, label + "CONTROL FLOW");
  cpp.phone().on_control_flow_response(parsed(answers.cpp));
  java.phone().on_control_flow_response(parsed(answers.java));
}

// What the C++ applet stored (its persistent objects) against what the Java applet's tasks stored.
void expect_same_stored_state(Vehicle& cpp, Vehicle& java) {
  const std::string prefix = "app/" + to_hex(pdk::kVehicleKeyAid) + "/";
  auto& store = cpp.card().store();
  const auto object = [&](const std::string& name) { return store.get(prefix + name); };
  const JavaVehicleState state = read_java_vehicle_state(java.card().java_vm()->machine(), pdk::kVehicleKeyAid);

  const auto counter = object("tx_counter");
  ASSERT_TRUE(counter.has_value());
  Bytes java_counter;
  put_be32(java_counter, state.stored_counter);
  EXPECT_EQ(to_hex(*counter), to_hex(java_counter));
  const auto door = object("door");
  ASSERT_TRUE(door.has_value());
  EXPECT_EQ(to_hex(*door), to_hex(Bytes{state.stored_door}));
  for (std::size_t i = 0; i < state.log.size(); ++i) {
    const auto entry = object("log_" + std::to_string(i));
    EXPECT_EQ(entry.value_or(Bytes{}), state.log[i]) << "log_" << i;
  }
  ASSERT_EQ(state.persistent_keys.size(), 1u) << "one enrolled phone: one Kpersistent";
  for (const auto& [slot, key] : state.persistent_keys) {
    const auto stored = object("kp_" + std::to_string(slot));
    ASSERT_TRUE(stored.has_value()) << "kp_" << int(slot);
    EXPECT_TRUE(constant_time_equal(*stored, key.view())) << "Kpersistent of slot " << int(slot);
  }
  const auto next = object("next_epk");
  ASSERT_EQ(next.has_value(), state.next_ephemeral_scalar.has_value()) << "the precomputed ephemeral key";
  if (next) {
    EXPECT_TRUE(constant_time_equal(*next, state.next_ephemeral_scalar->view()));
  }
}

void expect_same_observation(Vehicle& cpp, Vehicle& java) {
  const VehicleObservation a = cpp.card().observe();
  const VehicleObservation b = java.card().observe();
  EXPECT_EQ(a.door, b.door);
  EXPECT_EQ(a.transaction_counter, b.transaction_counter);
  EXPECT_EQ(a.deferred_faults, b.deferred_faults);
}

class JavaVehicleAgainstCpp : public testing::TestWithParam<bool> {};

TEST_P(JavaVehicleAgainstCpp, SameTranscriptSameResponsesSameStoredState) {
  const bool defer = GetParam();
  Vehicle cpp(VehicleVm::cpp, defer);
  Vehicle java(VehicleVm::java, defer);
  const pdk::DoorCommand doors[] = {pdk::DoorCommand::unlock, pdk::DoorCommand::lock, pdk::DoorCommand::unlock};
  for (std::size_t k = 0; k < 3; ++k) {
    transaction(cpp, java, doors[k], "transaction " + std::to_string(k + 1) + ": ");
    if (HasFatalFailure()) return;
    expect_same_observation(cpp, java);
    expect_same_stored_state(cpp, java);
  }
  const VehicleObservation observed = java.card().observe();
  EXPECT_EQ(observed.transaction_counter, 3u);
  EXPECT_EQ(observed.door, pdk::DoorState::unlocked);
  EXPECT_EQ(observed.deferred_faults, 0u);
}

// Refusals answer the same status words, and leave both cards in the same state (the transaction
// that follows still matches byte for byte).
TEST_P(JavaVehicleAgainstCpp, SameRefusals) {
  const bool defer = GetParam();
  Vehicle cpp(VehicleVm::cpp, defer);
  Vehicle java(VehicleVm::java, defer);
  const auto both = [&](const Bytes& command, std::uint16_t expected_sw, const std::string& what) {
    const Bytes a = cpp.send(command);
    const Bytes b = java.send(command);
    EXPECT_EQ(to_hex(a), to_hex(b)) << what;
    EXPECT_EQ(parsed(b).sw, expected_sw) << what;
  };
  auto answers = exchange(cpp, java, cpp.phone().select_command(), java.phone().select_command(), "SELECT");
  expect_same(answers, "SELECT");
  cpp.phone().on_select_response(parsed(answers.cpp));
  java.phone().on_select_response(parsed(answers.java));

  const Bytes auth0 = cpp.phone().auth0_command().encode();
  both(from_hex("8099000000"), 0x6D00, "unknown INS");
  both(from_hex("8081000002"
                "9E00"),
       0x6985, "AUTH1 before AUTH0");
  Bytes wrong_cla = auth0;
  wrong_cla[0] = 0x00;
  both(wrong_cla, 0x6E00, "AUTH0 with CLA 00");
  Bytes wrong_p2 = auth0;
  wrong_p2[3] = 0x02;
  both(wrong_p2, 0x6A86, "AUTH0 with P2 02");
  both(from_hex("8080000103"
                "5C0201"),
       0x6A80, "AUTH0 with a truncated field");
  // Data: 5C 02 version, 87 41 point, 4C 10 transaction id, 4D 10 device id (the last 16 bytes + Le).
  Bytes unknown_device = auth0;
  unknown_device[unknown_device.size() - 2] ^= 0x01;
  both(unknown_device, 0x6A88, "AUTH0 of an unknown phone");
  Bytes off_curve = auth0;
  off_curve[5 + 4 + 2 + 64] ^= 0x01;  // the last byte of the point's Y
  both(off_curve, 0x6A80, "AUTH0 with a point off the curve");
  Bytes bad_version = auth0;
  bad_version[5 + 2] = 0x02;
  both(bad_version, 0x6A80, "AUTH0 of protocol version 2");

  answers = exchange(cpp, java, cpp.phone().auth0_command(), java.phone().auth0_command(), "AUTH0");
  expect_same(answers, "AUTH0");
  cpp.phone().on_auth0_response(parsed(answers.cpp));
  java.phone().on_auth0_response(parsed(answers.java));
  Bytes bad_signature = cpp.phone().auth1_command().encode();
  bad_signature[5 + 2 + 10] ^= 0x40;
  both(bad_signature, 0x6982, "AUTH1 with a signature that does not verify");
  both(from_hex("84C9000000"), 0x6985, "EXCHANGE after a failed AUTH1");

  // A full transaction afterwards, then an EXCHANGE whose MAC is wrong ends the session on both.
  transaction(cpp, java, pdk::DoorCommand::unlock, "after the refusals: ");
  if (HasFatalFailure()) return;
  expect_same_observation(cpp, java);
  expect_same_stored_state(cpp, java);
}

INSTANTIATE_TEST_SUITE_P(DeferredAndBaseline, JavaVehicleAgainstCpp, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& param) {
                           return param.param ? "deferred" : "baseline";
                         });

// The deferred timing property holds for the Java applet too: with deferral AUTH1 answers earlier,
// its deferred work runs after the response, and the transaction does not get longer.
TEST(JavaVehicle, Auth1AnswersEarlierWithDeferral) {
  const auto comparison = run_dk_comparison(config_for(VehicleVm::java));
  EXPECT_EQ(comparison.deferred.vm, VehicleVm::java);
  const auto& deferred = comparison.deferred;
  const auto& baseline = comparison.baseline;
  ASSERT_EQ(deferred.trace.size(), 5u);
  ASSERT_EQ(deferred.trace[2].name, "AUTH1");
  EXPECT_GT(deferred.trace[2].deferred_ns, 0u);
  EXPECT_GT(deferred.trace[3].deferred_ns, 0u) << "EXCHANGE defers the log entry";
  for (const auto& command : baseline.trace) EXPECT_EQ(command.deferred_ns, 0u) << command.name;
  EXPECT_LT(deferred.trace[2].se_ns, baseline.trace[2].se_ns);
  EXPECT_LT(deferred.timing.commands[2].hwt_ms, baseline.timing.commands[2].hwt_ms);
  EXPECT_LE(deferred.timing.total_ns, baseline.timing.total_ns);
  for (const auto* run : {&deferred, &baseline}) {
    EXPECT_EQ(run->final_door, pdk::DoorState::unlocked);
    EXPECT_EQ(run->transaction_counter, 1u);
    EXPECT_EQ(run->deferred_faults, 0u);
  }
}

// The install parameters: what the encoder refuses, and what the Java applet refuses itself (6A80,
// nothing installed) for values only the card checks. (The successful install is every other test's.)
TEST(JavaVehicle, InstallParametersRefused) {
  const Enrollment enrollment = enroll("install parameters");
  card::VehicleKeyConfig good = vehicle_config(enrollment);
  EXPECT_NO_THROW(card::dk::encode_vehicle_install_params(good));
  auto no_device = good;
  no_device.devices.clear();
  EXPECT_THROW(card::dk::encode_vehicle_install_params(no_device), Error);
  auto two = good;
  two.devices.push_back(two.devices.front());
  two.devices.back().device_id.back() ^= 0x01;
  two.devices.back().key_slot = 2;
  EXPECT_THROW(card::dk::encode_vehicle_install_params(two), Error) << "two devices do not fit 127 bytes";
  auto compressed = good;
  compressed.devices.front().public_key.front() = 0x02;
  EXPECT_THROW(card::dk::encode_vehicle_install_params(compressed), Error) << "not an uncompressed encoding";
  auto short_id = good;
  short_id.vehicle_id.pop_back();
  EXPECT_THROW(card::dk::encode_vehicle_install_params(short_id), Error);

  auto config = config_for(VehicleVm::java);
  card::VirtualClock clock(&config.se);
  auto random = seeded("install parameters", "card");
  card::javacard::VmServices services;
  services.clock = &clock;
  services.random = &random;
  card::javacard::JavaCardVm vm(services);
  vm.load(java_vehicle_load_file());
  const Bytes aid(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end());
  const auto install = [&](const SecretBytes& params) {
    return vm.install(card::dk::kJavaVehiclePackageAid, card::dk::kJavaVehicleAppletAid, aid, params.view());
  };
  const auto expect_refused = [&](SecretBytes params, const std::string& what) {
    try {
      install(params);
      ADD_FAILURE() << what << ": installed";
    } catch (const card::StatusWordError& error) {
      EXPECT_EQ(error.sw(), 0x6A80) << what;
    }
    EXPECT_TRUE(vm.instances().empty()) << what;
  };
  auto off_curve = good;  // X = 2^256 - 1 is no coordinate of the curve (it is above p)
  std::fill(off_curve.devices.front().public_key.begin() + 1, off_curve.devices.front().public_key.end(), 0xFF);
  expect_refused(card::dk::encode_vehicle_install_params(off_curve), "device key off the curve");
  auto zero_scalar = good;
  zero_scalar.vehicle_private_key = SecretBytes(crypto::kP256ScalarSize);
  expect_refused(card::dk::encode_vehicle_install_params(zero_scalar), "private key 0");
  auto big_scalar = good;
  big_scalar.vehicle_private_key = SecretBytes(Bytes(crypto::kP256ScalarSize, 0xFF));
  expect_refused(card::dk::encode_vehicle_install_params(big_scalar), "private key above the order");
  const SecretBytes encoded = card::dk::encode_vehicle_install_params(good);
  expect_refused(SecretBytes(encoded.view().first(encoded.size() - 1)), "truncated parameters");
}

}  // namespace
}  // namespace sefleet::sim::dk

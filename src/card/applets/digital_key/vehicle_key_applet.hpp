// The vehicle-side digital-key applet (app2 in SE2 of the car ECU, docs/digital-key.md): answers SELECT,
// AUTH0, AUTH1, EXCHANGE and CONTROL FLOW of the SFDK protocol (dk_protocol.hpp) and opens or locks the
// door for an enrolled phone.
//
// Deferred work (docs/digital-key.md): what the phone does not need in a response is done by deferred
// tasks created at install and scheduled for after the response:
//   persist_session  after AUTH1: derive Kpersistent, store it for the phone's key slot, store the
//                    transaction counter (one atomic transaction);
//   log_entry        after EXCHANGE: append the transaction-log record and store the door state;
//   next_epk         after CONTROL FLOW: generate the ephemeral key pair of the next AUTH0 (≈ one
//                    P-256 key generation taken out of the next transaction).
// On the next command the applet reads the results (completed_since_last_command): a failed or
// interrupted persist_session or log_entry is logged, counted (deferred_faults()) and scheduled again
// after that command's response with the same data; the command itself is answered normally, because
// the phone's transaction does not depend on it. A missing precomputed key makes AUTH0 generate one
// itself (slower, still correct). Tasks are not resumable: their data lives in the applet instance,
// which a power loss destroys, so after a power loss the unpersisted record is lost (the counter
// then lags by one; Kpersistent is re-derived on the phone's next standard transaction).
//
// Status words: 6E00 wrong CLA, 6D00 unknown INS, 6A86 wrong P1/P2, 6A80 malformed data or
// unsupported version, 6A88 unknown device id, 6985 command out of order, 6982 the device signature
// does not verify, 6988 secure-messaging MAC/padding wrong (the session is closed).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/runtime/applet.hpp"
#include "card/runtime/deferred_executor.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/p256.hpp"
#include "protocols/digital_key/dk_protocol.hpp"

namespace sefleet::card {

struct EnrolledDevice {
  Bytes device_id;   // 16 bytes, sent in AUTH0
  Bytes public_key;  // 65-byte uncompressed P-256 point: the phone's long-term signing key
  std::uint8_t key_slot = 0;
};

struct VehicleKeyConfig {
  Bytes vehicle_id;                 // 16 bytes, bound into both signatures
  SecretBytes vehicle_private_key;  // 32-byte P-256 scalar: the vehicle's long-term signing key
  std::vector<EnrolledDevice> devices;
};

class VehicleKeyApplet final : public Applet {
 public:
  // Throws Error(invalid_argument) for a malformed configuration (see make_vehicle_key_applet).
  explicit VehicleKeyApplet(VehicleKeyConfig config);

  void install(AppletContext& ctx) override;
  bool select(AppletContext& ctx) override;
  void deselect(AppletContext& ctx) override;
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override;

  // Observation for tests and the scenario driver.
  protocols::dk::DoorState door_state() const noexcept { return door_state_; }
  std::uint32_t transaction_counter() const noexcept { return transaction_counter_; }
  // Deferred tasks that ended failed or interrupted, as seen on the following commands.
  std::uint32_t deferred_faults() const noexcept { return deferred_faults_; }

 private:
  enum class Stage : std::uint8_t { idle, selected, auth0_done, authenticated };
  struct Device {
    Bytes device_id;
    crypto::P256PublicKey public_key;
    std::uint8_t key_slot;
  };
  // What persist_session writes, captured at AUTH1 so later commands cannot change it.
  struct PersistRecord {
    SecretBytes kdh;
    protocols::dk::TransactionContext context;
    std::uint8_t key_slot = 0;
    std::uint32_t counter = 0;
  };
  struct LogRecord {
    std::uint32_t counter = 0;
    std::uint8_t key_slot = 0;
    protocols::dk::DoorCommand command = protocols::dk::DoorCommand::lock;
    protocols::dk::DoorState state = protocols::dk::DoorState::locked;
    Bytes transaction_id;
  };

  iso7816::ResponseApdu handle_select(AppletContext& ctx);
  iso7816::ResponseApdu handle_auth0(const iso7816::CommandApdu& command, AppletContext& ctx);
  iso7816::ResponseApdu handle_auth1(const iso7816::CommandApdu& command, AppletContext& ctx);
  iso7816::ResponseApdu handle_exchange(const iso7816::CommandApdu& command, AppletContext& ctx);
  iso7816::ResponseApdu handle_control_flow(const iso7816::CommandApdu& command, AppletContext& ctx);
  void check_deferred_results(AppletContext& ctx);
  void schedule_if_idle(AppletContext& ctx, DeferredTask& task);
  void end_session() noexcept;
  const Device* find_device(ByteView device_id) const noexcept;

  void run_persist_session(AppletContext& ctx);
  void run_log_entry(AppletContext& ctx);
  static void run_next_epk(AppletContext& ctx);

  Bytes vehicle_id_;
  crypto::P256PrivateKey vehicle_key_;
  std::vector<Device> devices_;

  std::shared_ptr<DeferredTask> persist_task_, log_task_, next_epk_task_;
  std::optional<PersistRecord> persist_record_;
  std::optional<LogRecord> log_record_;
  bool retry_persist_ = false, retry_log_ = false;
  protocols::dk::DoorState door_state_ = protocols::dk::DoorState::locked;
  std::uint32_t transaction_counter_ = 0;
  std::uint32_t deferred_faults_ = 0;

  // The session (RAM only; cleared on select, deselect and CONTROL FLOW).
  Stage stage_ = Stage::idle;
  const Device* device_ = nullptr;
  protocols::dk::TransactionContext context_;
  std::optional<crypto::P256PrivateKey> ephemeral_;
  std::optional<crypto::P256PublicKey> device_epk_;
  std::optional<protocols::dk::SecureChannel> channel_;
};

// Throws Error(invalid_argument) for a malformed configuration (sizes, points not on the curve,
// duplicate device ids or key slots).
std::unique_ptr<Applet> make_vehicle_key_applet(VehicleKeyConfig config);

}  // namespace sefleet::card

#include "card/applets/digital_key/vehicle_key_applet.hpp"

#include <set>
#include <string>
#include <utility>

#include "card/runtime/applet_crypto.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {
namespace {

namespace sw = iso7816::sw;

constexpr std::string_view kCounterObject = "tx_counter";
constexpr std::string_view kDoorObject = "door";
constexpr std::string_view kNextEpkObject = "next_epk";
constexpr std::uint32_t kLogEntries = 8;  // the transaction log is a ring of this many records

// The shared protocol code over the runtime's charged crypto, so the virtual clock counts it.
class AppletDkCrypto final : public protocols::dk::DkCrypto {
 public:
  explicit AppletDkCrypto(AppletCrypto& crypto) : crypto_(crypto) {}
  SecretBytes x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length) override {
    return crypto_.x963_kdf_sha256(z, shared_info, length);
  }
  SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) override {
    return crypto_.hkdf_sha256(ikm, salt, info, length);
  }
  Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) override {
    return crypto_.aes_cbc_encrypt(key, iv, data);
  }
  Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) override {
    return crypto_.aes_cbc_decrypt(key, iv, data);
  }
  crypto::Mac16 cmac(ByteView key, ByteView data) override { return crypto_.cmac(key, data); }

 private:
  AppletCrypto& crypto_;
};

Bytes be32(std::uint32_t value) {
  Bytes out;
  put_be32(out, value);
  return out;
}

std::string key_object(std::uint8_t slot) {
  return "kp_" + std::to_string(slot);
}

iso7816::ResponseApdu refuse(std::uint16_t status) {
  return iso7816::ResponseApdu(status);
}

}  // namespace

VehicleKeyApplet::VehicleKeyApplet(VehicleKeyConfig config)
    : vehicle_id_(std::move(config.vehicle_id)), vehicle_key_([&] {
        if (config.vehicle_private_key.size() != crypto::kP256ScalarSize) {
          throw Error(Errc::invalid_argument, "vehicle key applet: the vehicle private key must be a 32-byte scalar");
        }
        return crypto::P256PrivateKey::from_scalar(config.vehicle_private_key.view());
      }()) {
  if (vehicle_id_.size() != protocols::dk::kIdentifierSize) {
    throw Error(Errc::invalid_argument, "vehicle key applet: the vehicle id must be 16 bytes");
  }
  if (config.devices.empty()) throw Error(Errc::invalid_argument, "vehicle key applet: no enrolled device");
  std::set<Bytes> ids;
  std::set<std::uint8_t> slots;
  for (auto& device : config.devices) {
    if (device.device_id.size() != protocols::dk::kIdentifierSize) {
      throw Error(Errc::invalid_argument, "vehicle key applet: a device id must be 16 bytes");
    }
    if (!ids.insert(device.device_id).second)
      throw Error(Errc::invalid_argument, "vehicle key applet: duplicate device id");
    if (!slots.insert(device.key_slot).second)
      throw Error(Errc::invalid_argument, "vehicle key applet: duplicate key slot");
    auto key = [&] {
      try {
        return crypto::P256PublicKey::from_uncompressed(device.public_key);
      } catch (const Error&) {
        throw Error(Errc::invalid_argument, "vehicle key applet: a device public key is not a P-256 point");
      }
    }();
    devices_.push_back(Device{std::move(device.device_id), std::move(key), device.key_slot});
  }
}

std::unique_ptr<Applet> make_vehicle_key_applet(VehicleKeyConfig config) {
  return std::make_unique<VehicleKeyApplet>(std::move(config));
}

void VehicleKeyApplet::install(AppletContext& ctx) {
  auto& memory = ctx.persistent();
  if (const auto counter = memory.read(kCounterObject); counter && counter->size() == 4) {
    transaction_counter_ = read_be32(*counter, 0);
  }
  if (const auto door = memory.read(kDoorObject); door && door->size() == 1 && (*door)[0] <= 1) {
    door_state_ = static_cast<protocols::dk::DoorState>((*door)[0]);
  }
  // The first AUTH0 already finds a precomputed ephemeral key (install time is not transaction time).
  if (!memory.read(kNextEpkObject)) run_next_epk(ctx);

  auto& executor = ctx.deferred();
  persist_task_ =
      executor.create_task({"persist_session", false, 2}, [this](AppletContext& task) { run_persist_session(task); });
  log_task_ = executor.create_task({"log_entry", false, 1}, [this](AppletContext& task) { run_log_entry(task); });
  next_epk_task_ = executor.create_task({"next_epk", false, 0}, [](AppletContext& task) { run_next_epk(task); });
}

bool VehicleKeyApplet::select(AppletContext& ctx) {
  (void)ctx;
  end_session();
  return true;
}

void VehicleKeyApplet::deselect(AppletContext& ctx) {
  (void)ctx;
  end_session();
}

void VehicleKeyApplet::end_session() noexcept {
  stage_ = Stage::idle;
  device_ = nullptr;
  context_ = {};
  ephemeral_.reset();
  device_epk_.reset();
  channel_.reset();
}

const VehicleKeyApplet::Device* VehicleKeyApplet::find_device(ByteView device_id) const noexcept {
  for (const auto& device : devices_) {
    if (constant_time_equal(device.device_id, device_id)) return &device;
  }
  return nullptr;
}

void VehicleKeyApplet::check_deferred_results(AppletContext& ctx) {
  for (const auto& [name, result] : ctx.deferred().completed_since_last_command()) {
    if (result.state != DeferredState::failed && result.state != DeferredState::interrupted) continue;
    ++deferred_faults_;
    spdlog::warn("vehicle key applet: deferred task {} {} ({}); retried after this command", name,
                 deferred_state_name(result.state), result.reason);
    if (name == "persist_session") retry_persist_ = persist_record_.has_value();
    if (name == "log_entry") retry_log_ = log_record_.has_value();
    // next_epk: nothing to retry now; the next AUTH0 generates its key itself.
  }
}

void VehicleKeyApplet::schedule_if_idle(AppletContext& ctx, DeferredTask& task) {
  if (ctx.deferred().result(task).state == DeferredState::pending) return;  // already queued for this response
  ctx.deferred().schedule(task);
}

iso7816::ResponseApdu VehicleKeyApplet::process(const iso7816::CommandApdu& command, AppletContext& ctx) {
  check_deferred_results(ctx);
  iso7816::ResponseApdu response;
  if (command.ins == protocols::dk::kInsSelect && command.cla == 0x00 && command.p1 == 0x04) {
    response = handle_select(ctx);
  } else {
    switch (command.ins) {
      case protocols::dk::kInsAuth0:
        response = handle_auth0(command, ctx);
        break;
      case protocols::dk::kInsAuth1:
        response = handle_auth1(command, ctx);
        break;
      case protocols::dk::kInsExchange:
        response = handle_exchange(command, ctx);
        break;
      case protocols::dk::kInsControlFlow:
        response = handle_control_flow(command, ctx);
        break;
      default:
        response = refuse(sw::kInsNotSupported);
    }
  }
  // A record a failed task could not store is written again after this response.
  if (retry_persist_) {
    retry_persist_ = false;
    schedule_if_idle(ctx, *persist_task_);
  }
  if (retry_log_) {
    retry_log_ = false;
    schedule_if_idle(ctx, *log_task_);
  }
  return response;
}

iso7816::ResponseApdu VehicleKeyApplet::handle_select(AppletContext& ctx) {
  (void)ctx;
  end_session();
  stage_ = Stage::selected;
  return iso7816::ResponseApdu(protocols::dk::encode_select_response({protocols::dk::kProtocolVersion1}), sw::kOk);
}

iso7816::ResponseApdu VehicleKeyApplet::handle_auth0(const iso7816::CommandApdu& command, AppletContext& ctx) {
  if (command.cla != protocols::dk::kClaProprietary) return refuse(sw::kClaNotSupported);
  if (command.p1 != 0x00 || command.p2 != protocols::dk::kAuth0TransactionUnlock) return refuse(sw::kIncorrectP1P2);
  if (stage_ == Stage::idle) return refuse(sw::kConditionsNotSatisfied);
  end_session();  // a new AUTH0 starts a new transaction
  stage_ = Stage::selected;
  protocols::dk::Auth0Command auth0;
  try {
    auth0 = protocols::dk::decode_auth0(command.data);
  } catch (const Error&) {
    return refuse(sw::kWrongData);
  }
  if (auth0.version != protocols::dk::kProtocolVersion1) return refuse(sw::kWrongData);
  const Device* device = find_device(auth0.device_id);
  if (device == nullptr) return refuse(sw::kReferencedDataNotFound);
  try {
    device_epk_.emplace(crypto::P256PublicKey::from_uncompressed(auth0.device_epk));
  } catch (const Error&) {
    return refuse(sw::kWrongData);
  }

  // The key pair precomputed by next_epk is used once: erased as it is taken, so it is never reused.
  auto& memory = ctx.persistent();
  if (auto stored = memory.read(kNextEpkObject); stored && stored->size() == crypto::kP256ScalarSize) {
    const SecretBytes scalar = SecretBytes::take(*stored);
    memory.erase(kNextEpkObject);
    ephemeral_.emplace(crypto::P256PrivateKey::from_scalar(scalar.view()));
  } else {
    ephemeral_.emplace(ctx.crypto().generate_p256());
  }
  device_ = device;
  context_.version = auth0.version;
  context_.interface_byte = protocols::dk::kInterfaceNfc;
  context_.vehicle_id = vehicle_id_;
  context_.device_id = auth0.device_id;
  const Bytes vehicle_epk = ephemeral_->public_uncompressed();
  context_.vehicle_epk_x = Bytes(vehicle_epk.begin() + 1, vehicle_epk.begin() + 33);
  context_.device_epk_x = Bytes(auth0.device_epk.begin() + 1, auth0.device_epk.begin() + 33);
  context_.transaction_id = auth0.transaction_id;
  stage_ = Stage::auth0_done;
  return iso7816::ResponseApdu(protocols::dk::encode_auth0_response(vehicle_epk), sw::kOk);
}

iso7816::ResponseApdu VehicleKeyApplet::handle_auth1(const iso7816::CommandApdu& command, AppletContext& ctx) {
  if (command.cla != protocols::dk::kClaProprietary) return refuse(sw::kClaNotSupported);
  if (command.p1 != 0x00 || command.p2 != 0x00) return refuse(sw::kIncorrectP1P2);
  if (stage_ != Stage::auth0_done) return refuse(sw::kConditionsNotSatisfied);
  Bytes signature;
  try {
    signature = protocols::dk::decode_auth1(command.data);
  } catch (const Error&) {
    return refuse(sw::kWrongData);
  }
  AppletCrypto& crypto = ctx.crypto();
  if (!crypto.ecdsa_verify(device_->public_key, protocols::dk::device_auth_data(context_), signature)) {
    end_session();
    stage_ = Stage::selected;
    return refuse(sw::kSecurityStatusNotSatisfied);
  }
  AppletDkCrypto dk_crypto(crypto);
  const SecretBytes z = crypto.ecdh(*ephemeral_, *device_epk_);
  SecretBytes kdh = protocols::dk::derive_kdh(dk_crypto, z.view(), context_.transaction_id);
  channel_.emplace(protocols::dk::derive_session_keys(dk_crypto, kdh.view(), context_));
  ephemeral_.reset();  // the ephemeral private key has done its job

  protocols::dk::Auth1Plain plain;
  plain.vehicle_signature = crypto.ecdsa_sign(vehicle_key_, protocols::dk::vehicle_auth_data(context_));
  plain.key_slot = device_->key_slot;
  Bytes wrapped = channel_->wrap_response(dk_crypto, protocols::dk::encode_auth1_plain(plain), sw::kOk);

  ++transaction_counter_;
  persist_record_ = PersistRecord{std::move(kdh), context_, device_->key_slot, transaction_counter_};
  retry_persist_ = false;
  schedule_if_idle(ctx, *persist_task_);
  // The ephemeral key of this transaction is spent: the next one is generated in the idle time that
  // follows (the phone now verifies our signature), so the next AUTH0 answers without a key generation.
  if (!ctx.persistent().read(kNextEpkObject)) schedule_if_idle(ctx, *next_epk_task_);
  stage_ = Stage::authenticated;
  return iso7816::ResponseApdu(std::move(wrapped), sw::kOk);
}

iso7816::ResponseApdu VehicleKeyApplet::handle_exchange(const iso7816::CommandApdu& command, AppletContext& ctx) {
  if (command.cla != protocols::dk::kClaSecureMessaging) return refuse(sw::kClaNotSupported);
  if (command.p1 != 0x00 || command.p2 != 0x00) return refuse(sw::kIncorrectP1P2);
  if (stage_ != Stage::authenticated) return refuse(sw::kConditionsNotSatisfied);
  AppletDkCrypto dk_crypto(ctx.crypto());
  std::string reason;
  const auto plain =
      channel_->unwrap_command(dk_crypto, command.cla, command.ins, command.p1, command.p2, command.data, &reason);
  if (!plain) {
    end_session();  // a bad MAC ends the secure channel (SCP03 rule)
    stage_ = Stage::selected;
    return refuse(sw::kSmDataObjectsIncorrect);
  }
  protocols::dk::DoorCommand door;
  try {
    door = protocols::dk::decode_exchange_request(*plain);
  } catch (const Error&) {
    return refuse(sw::kWrongData);
  }
  door_state_ = door == protocols::dk::DoorCommand::unlock ? protocols::dk::DoorState::unlocked
                                                           : protocols::dk::DoorState::locked;
  Bytes wrapped = channel_->wrap_response(
      dk_crypto, protocols::dk::encode_exchange_response({door_state_, transaction_counter_}), sw::kOk);
  log_record_ = LogRecord{transaction_counter_, device_->key_slot, door, door_state_, context_.transaction_id};
  retry_log_ = false;
  schedule_if_idle(ctx, *log_task_);
  return iso7816::ResponseApdu(std::move(wrapped), sw::kOk);
}

iso7816::ResponseApdu VehicleKeyApplet::handle_control_flow(const iso7816::CommandApdu& command, AppletContext& ctx) {
  if (command.cla != protocols::dk::kClaProprietary) return refuse(sw::kClaNotSupported);
  if (command.p1 != protocols::dk::kControlFlowFailure && command.p1 != protocols::dk::kControlFlowSuccess)
    return refuse(sw::kIncorrectP1P2);
  if (stage_ == Stage::idle) return refuse(sw::kConditionsNotSatisfied);
  end_session();
  stage_ = Stage::selected;
  // Replenish the precomputed ephemeral key if the one scheduled after AUTH1 did not land (failed,
  // interrupted, or the transaction stopped before AUTH1).
  if (!ctx.persistent().read(kNextEpkObject)) schedule_if_idle(ctx, *next_epk_task_);
  return iso7816::ResponseApdu(sw::kOk);
}

void VehicleKeyApplet::run_persist_session(AppletContext& ctx) {
  if (!persist_record_) throw Error(Errc::state_error, "persist_session: nothing to persist");
  AppletDkCrypto dk_crypto(ctx.crypto());
  const SecretBytes kpersistent =
      protocols::dk::derive_persistent_key(dk_crypto, persist_record_->kdh.view(), persist_record_->context);
  auto& memory = ctx.persistent();
  memory.write(key_object(persist_record_->key_slot), kpersistent.view());
  memory.write(kCounterObject, be32(persist_record_->counter));
  persist_record_.reset();  // reached only when the work succeeded (the transaction then commits)
}

void VehicleKeyApplet::run_log_entry(AppletContext& ctx) {
  if (!log_record_) throw Error(Errc::state_error, "log_entry: nothing to log");
  Bytes entry = be32(log_record_->counter);
  entry.push_back(log_record_->key_slot);
  entry.push_back(static_cast<std::uint8_t>(log_record_->command));
  entry.push_back(static_cast<std::uint8_t>(log_record_->state));
  append(entry, log_record_->transaction_id);
  auto& memory = ctx.persistent();
  memory.write("log_" + std::to_string(log_record_->counter % kLogEntries), entry);
  memory.write(kDoorObject, Bytes{static_cast<std::uint8_t>(log_record_->state)});
  log_record_.reset();
}

void VehicleKeyApplet::run_next_epk(AppletContext& ctx) {
  const crypto::P256PrivateKey key = ctx.crypto().generate_p256();
  const SecretBytes scalar = key.scalar();
  ctx.persistent().write(kNextEpkObject, scalar.view());
}

}  // namespace sefleet::card

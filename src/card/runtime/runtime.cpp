#include "card/runtime/runtime.hpp"

#include <exception>
#include <string>
#include <utility>

#include "card/nvm/nvm_store.hpp"
#include "card/runtime/applet_calls.hpp"
#include "card/runtime/cla_coding.hpp"
#include "card/runtime/response_chaining.hpp"
#include "card/runtime/runtime_context.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/chaining.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace sw = iso7816::sw;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

namespace {

inline constexpr std::uint8_t kInsManageChannel = 0x70;
inline constexpr std::uint8_t kInsSelect = 0xA4;
inline constexpr std::uint8_t kSelectByDfName = 0x04;

Bytes status(std::uint16_t word) {
  return ResponseApdu(word).encode();
}

// The runtime's own commands use interindustry classes without secure messaging (JCRE §4.5: it
// answers 6882 to SM bits) and are single commands (no chaining, 6884).
std::optional<std::uint16_t> refuse_runtime_class(const ClassByte& cls) {
  if (cls.secure_messaging) return sw::kSecureMessagingNotSupported;
  if (cls.chaining) return sw::kChainingNotSupported;
  return std::nullopt;
}

}  // namespace

Runtime::Runtime(RuntimeConfig config) : config_(std::move(config)) {
  if (config_.logical_channels < 1 || config_.logical_channels > kMaxLogicalChannels) {
    throw Error(Errc::invalid_argument,
                "card runtime: logical_channels must be 1..20, got " + std::to_string(config_.logical_channels));
  }
  if (config_.keys != nullptr) {
    // Fail at construction, not at the first SELECT, when the SCP03 settings are unusable.
    gp::Scp03Card probe(*config_.keys, config_.scp, random());
  }
  channels_.resize(config_.logical_channels);
}

// The store and key registry are not owned and may already be gone: only the sessions' keys are
// wiped here (transient memory wipes itself).
Runtime::~Runtime() {
  for (auto& channel : channels_) {
    if (channel.secure_channel) channel.secure_channel->terminate();
  }
}

crypto::Random& Runtime::random() noexcept {
  return config_.random != nullptr ? *config_.random : crypto::system_random();
}

// ---- I/O layer ---------------------------------------------------------------------------------

void Runtime::power_on() {
  end_session();
  powered_ = true;
  start_session();
}

void Runtime::reset() {
  power_on();
}

void Runtime::power_off() {
  end_session();
  powered_ = false;
}

void Runtime::start_session() {
  channels_[0].open = true;
  try {
    if (const RegistryEntry* entry = default_entry()) {
      const std::uint16_t result = select_on_channel(0, *entry);
      if (result != sw::kOk) {
        spdlog::warn("card runtime: default applet {} not selected at power-up ({:04X})", to_hex(entry->aid), result);
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("card runtime: implicit selection at power-up failed: {}", e.what());
    deselect(0);
  }
}

// Power loss semantics (JCRE §3.6): applets are not told (no deselect()), every secure channel ends
// and its keys are wiped, transient memory is cleared, an open transaction is rolled back.
void Runtime::end_session() noexcept {
  for (auto& channel : channels_) {
    if (channel.secure_channel) channel.secure_channel->terminate();
    channel.secure_channel.reset();
    channel.pending.discard();
    channel.applet = nullptr;
    channel.aid.clear();
    channel.open = false;
  }
  transient_.clear_all();
  abort_open_transaction("power cycle");
}

void Runtime::after_response() {
  if (!powered_) return;
  for (auto& hook : after_response_hooks_) {
    try {
      hook();
    } catch (const std::exception& e) {
      spdlog::error("card runtime: after-response hook threw: {}", e.what());
    } catch (...) {
      spdlog::error("card runtime: after-response hook threw a non-standard exception");
    }
  }
}

void Runtime::add_after_response_hook(AfterResponseHook hook) {
  if (!hook) throw Error(Errc::invalid_argument, "card runtime: empty after-response hook");
  after_response_hooks_.push_back(std::move(hook));
}

// ---- observation -------------------------------------------------------------------------------

bool Runtime::channel_open(std::uint8_t channel) const noexcept {
  return channel < channels_.size() && channels_[channel].open;
}

std::optional<Bytes> Runtime::selected_aid(std::uint8_t channel) const {
  if (!channel_open(channel) || channels_[channel].applet == nullptr) return std::nullopt;
  return channels_[channel].aid;
}

const gp::Scp03Card* Runtime::secure_channel(std::uint8_t channel) const noexcept {
  return channel_open(channel) ? channels_[channel].secure_channel.get() : nullptr;
}

// ---- dispatch ----------------------------------------------------------------------------------

Bytes Runtime::transmit(ByteView command) {
  try {
    return dispatch(command);
  } catch (const std::exception& e) {
    spdlog::error("card runtime: command failed inside the runtime: {}", e.what());
  } catch (...) {
    spdlog::error("card runtime: command failed inside the runtime (non-standard exception)");
  }
  abort_open_transaction("runtime failure");
  return Bytes{0x6F, 0x00};
}

Bytes Runtime::dispatch(ByteView raw) {
  if (!powered_) {
    // An unpowered card cannot answer; the transport contract still needs an R-APDU (see docs).
    spdlog::warn("card runtime: command while powered off");
    return status(sw::kUnknown);
  }
  std::string reason;
  const auto command = CommandApdu::try_parse(raw, &reason);
  if (!command) {
    // The channel the bytes claim loses its pending response, and an open session there is aborted
    // (as Scp03Card does for an unparseable APDU: the host's counter and MCV may have moved on).
    if (!raw.empty()) {
      if (const auto cls = decode_class(raw[0]); cls && channel_open(cls->channel)) {
        auto& channel = channels_[cls->channel];
        channel.pending.discard();
        if (channel.secure_channel && channel.secure_channel->state() == gp::Scp03Card::State::open) {
          channel.secure_channel->abort();
        }
      }
    }
    spdlog::debug("card runtime: malformed APDU: {}", reason);
    return status(sw::kWrongLength);
  }
  const auto cls = decode_class(command->cla);
  if (!cls) return status(sw::kClaNotSupported);
  if (!channel_open(cls->channel)) return status(sw::kLogicalChannelNotSupported);
  if (is_invalid_ins(command->ins)) return status(sw::kInsNotSupported);

  const std::uint8_t number = cls->channel;
  LogicalChannel& channel = channels_[number];
  if (cls->interindustry && command->ins == iso7816::kInsGetResponse) {
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return serve_get_response(*command, channel.pending);
  }
  channel.pending.discard();  // any other command ends the previous response
  if (cls->interindustry && command->ins == kInsManageChannel) {
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return handle_manage_channel(number, *command);
  }
  if (cls->interindustry && command->ins == kInsSelect && command->p1 == kSelectByDfName) {
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return handle_select(number, *command);
  }
  if (channel.applet == nullptr) return status(sw::kInsNotSupported);
  return dispatch_to_applet(channel, number, *command);
}

Bytes Runtime::dispatch_to_applet(LogicalChannel& channel, std::uint8_t number, const CommandApdu& command) {
  RuntimeContext ctx(*this, number);
  Applet& applet = *channel.applet;
  ResponseApdu response;
  if (channel.secure_channel) {
    response = channel.secure_channel->process(
        command, [&](const CommandApdu& plain) { return call_process(applet, plain, ctx); });
  } else {
    response = call_process(applet, command, ctx);
  }
  abort_open_transaction("process");
  return deliver_response(command, std::move(response), channel.pending);
}

void Runtime::abort_open_transaction(const char* where) noexcept {
  if (config_.store == nullptr || !config_.store->in_transaction()) return;
  try {
    spdlog::warn("card runtime: aborting the NVM transaction left open after {}", where);
    config_.store->abort();
  } catch (...) {  // abort() only drops memory; nothing to recover here
  }
}

}  // namespace sefleet::card

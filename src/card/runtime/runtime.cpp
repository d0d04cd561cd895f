#include "card/runtime/runtime.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "card/nvm/nvm_store.hpp"
#include "card/runtime/applet_calls.hpp"
#include "card/runtime/cla_coding.hpp"
#include "card/runtime/deferred_queue.hpp"
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
using iso7816::CommandApduView;
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

// For an applet using the channel's session, how a command meets the channel's SecuredCommandChain
// (secured_command_chain.hpp): a protected command of the open session that is a chained part, or
// arrives while a chain is open, goes through it (`joins`; `chained`: its class's chaining bit), and
// is collected until the chain is whole. Any other command passes unchanged; one that is not
// protected in the session ends an unfinished chain.
struct SecuredChainStep {
  bool joins = false;
  bool chained = false;
};
SecuredChainStep secured_chain_step(LogicalChannel& channel, std::uint8_t cla) {
  const auto cls = decode_class(cla);
  const bool protected_in_session =
      cls && cls->secure_messaging && channel.secure_channel->state() == gp::Scp03Card::State::open;
  if (!protected_in_session) {
    channel.secured_chain.discard();
    return {};
  }
  return {cls->chaining || channel.secured_chain.active(), cls->chaining};
}

}  // namespace

Runtime::Runtime(RuntimeConfig config)
    : config_(std::move(config)),
      own_clock_(config_.clock == nullptr ? std::make_unique<VirtualClock>() : nullptr),
      clock_(config_.clock != nullptr ? config_.clock : own_clock_.get()),
      persistent_(config_.store, *clock_, config_.commit_capacity),
      crypto_(*clock_, random()) {
  deferred_ = std::make_unique<DeferredQueue>(persistent_, *clock_, config_.defer_after_response,
                                              [this](const DeferredTask& task, const DeferredWork& work) {
                                                AppletCallContext ctx(*this, task.owner_aid(), false);
                                                work(ctx);
                                              });
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
  // Interrupted resumable tasks are scheduled again: the first command waits for them.
  deferred_->power_on();
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
    channel.secured_chain.discard();
    channel.applet = nullptr;
    channel.aid.clear();
    channel.open = false;
  }
  transient_.clear_all();
  abort_open_transaction("power cycle");
  deferred_->power_lost();
  for (auto& hook : power_hooks_) {
    try {
      hook();
    } catch (const std::exception& e) {
      spdlog::error("card runtime: power hook threw: {}", e.what());
    } catch (...) {
      spdlog::error("card runtime: power hook threw a non-standard exception");
    }
  }
}

void Runtime::run_deferred() noexcept {
  const std::uint64_t start = clock_->now_ns();
  deferred_->run_all();
  abort_open_transaction("deferred task");
  last_clock_.deferred_ns += clock_->now_ns() - start;
}

bool Runtime::deferred_pending() const noexcept {
  return deferred_->pending();
}

void Runtime::after_response() {
  if (!powered_) return;
  if (deferred_->pending()) run_deferred();
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

void Runtime::add_power_hook(PowerHook hook) {
  if (!hook) throw Error(Errc::invalid_argument, "card runtime: empty power hook");
  power_hooks_.push_back(std::move(hook));
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
  last_clock_ = CommandClock{};
  try {
    if (powered_ && deferred_->pending()) {
      // docs/deferred-execution.md §2, step 1: a command that arrives while deferred work is pending
      // waits until it is done.
      const std::uint64_t wait_start = clock_->now_ns();
      run_deferred();
      last_clock_.waited_ns = clock_->now_ns() - wait_start;
      last_clock_.deferred_ns = 0;  // that work belongs to the previous command
    }
    const std::uint64_t start = clock_->now_ns();
    Bytes response = dispatch(command);
    last_clock_.seht_ns = clock_->now_ns() - start;
    return response;
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
  auto parsed = CommandApdu::try_parse_view(raw, &reason);  // the data field stays in `raw` for now
  if (!parsed) {
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
  const CommandApdu* command = &parsed->header;  // its data field is empty: route on the header
  const auto cls = decode_class(command->cla);
  if (!cls) return status(sw::kClaNotSupported);
  if (!channel_open(cls->channel)) return status(sw::kLogicalChannelNotSupported);
  if (is_invalid_ins(command->ins)) return status(sw::kInsNotSupported);

  const std::uint8_t number = cls->channel;
  LogicalChannel& channel = channels_[number];
  clock_->charge(SeOperation::apdu_dispatch);
  if (cls->interindustry && command->ins == iso7816::kInsGetResponse) {
    channel.secured_chain.discard();
    if (!channel.pending.active && channel.applet != nullptr && channel.applet->handles_get_response()) {
      return dispatch_to_applet(channel, number, std::move(*parsed));
    }
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return serve_get_response(std::move(*parsed).to_command(), channel.pending);
  }
  channel.pending.discard();  // any other command ends the previous response
  if (cls->interindustry &&
      (command->ins == kInsManageChannel || (command->ins == kInsSelect && command->p1 == kSelectByDfName))) {
    channel.secured_chain.discard();
  }
  if (cls->interindustry && command->ins == kInsManageChannel) {
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return handle_manage_channel(number, std::move(*parsed).to_command());
  }
  if (cls->interindustry && command->ins == kInsSelect && command->p1 == kSelectByDfName) {
    if (auto refusal = refuse_runtime_class(*cls)) return status(*refusal);
    return handle_select(number, std::move(*parsed).to_command());
  }
  if (channel.applet == nullptr) return status(sw::kInsNotSupported);
  return dispatch_to_applet(channel, number, std::move(*parsed));
}

Bytes Runtime::dispatch_to_applet(LogicalChannel& channel, std::uint8_t number, CommandApduView&& wire) {
  Applet& applet = *channel.applet;
  const bool session_applet = channel.secure_channel && applet.uses_secure_channel();
  // The response is delivered against the command's Le and encoding, kept before the command moves on.
  const bool extended = wire.header.extended;
  const std::optional<std::size_t> ne = wire.header.ne;
  // The usual command to a session applet is whole, not a part of a secured command chain: the
  // session reads its data field where the transport left it (no copy of the wire bytes). A part,
  // or any command to another applet, gets its data field copied into its own buffer.
  const SecuredChainStep chain = session_applet ? secured_chain_step(channel, wire.header.cla) : SecuredChainStep{};
  std::optional<CommandApdu> command;
  if (!session_applet || chain.joins) {
    command = std::move(wire).to_command();
    if (chain.joins) {
      auto step = channel.secured_chain.accept(std::move(*command), chain.chained);
      if (!step.command) return status(step.sw);  // a part collected, or a broken chain refused
      command = std::move(step.command);
    }
  }
  deferred_->begin_command(channel.aid);  // the check on the next command, before process() runs
  RuntimeContext ctx(*this, number);
  const auto application = [&](CommandApdu& plain) {
    Apdu apdu(plain);
    return call_process(applet, plain, ctx, apdu);
  };
  ResponseApdu response;
  if (!session_applet) {
    response = application(*command);
  } else if (command) {
    response = channel.secure_channel->process(std::move(*command), application);
  } else {
    response = channel.secure_channel->process(std::move(wire), application);
  }
  abort_open_transaction("process");
  finish_before_response();
  return deliver_response(extended, ne, std::move(response), channel.pending);
}

// Baseline mode (defer_after_response = false): tasks scheduled while a transaction was open, or with
// schedule_after_call() (the Java Card VM), run when process() has returned, still before the response.
void Runtime::finish_before_response() noexcept {
  if (!config_.defer_after_response && deferred_->pending()) {
    deferred_->run_all();
    abort_open_transaction("deferred task");
  }
}

// ---- applet instances --------------------------------------------------------------------------

void Runtime::install_applet(RegistryEntry entry, std::unique_ptr<Applet> applet) {
  if (!applet) throw Error(Errc::invalid_argument, "card runtime: install_applet without an instance");
  if (entry.aid.size() < 5 || entry.aid.size() > 16) {
    throw Error(Errc::invalid_argument, "card runtime: applet AID must be 5-16 bytes");
  }
  if (registry_.find(entry.aid) != nullptr) {
    throw Error(Errc::invalid_argument, "card runtime: AID " + to_hex(entry.aid) + " is already registered");
  }
  {
    AppletCallContext ctx(*this, entry.aid, true);
    try {
      applet->install(ctx);
    } catch (...) {
      abort_open_transaction("install");
      deferred_->forget(entry.aid);
      throw;
    }
    abort_open_transaction("install");
  }
  entry.applet = applet.get();
  registry_.add(std::move(entry));
  installed_.push_back(std::move(applet));
}

void Runtime::uninstall_applet(ByteView aid) {
  auto owned = std::ranges::find_if(installed_, [&](const auto& applet) {
    const RegistryEntry* entry = registry_.find(aid);
    return entry != nullptr && entry->applet == applet.get();
  });
  if (owned == installed_.end()) {
    throw Error(Errc::not_found, "card runtime: no applet instance installed as " + to_hex(aid));
  }
  for (const auto& channel : channels_) {
    if (channel.open && channel.applet == owned->get()) {
      throw Error(Errc::state_error, "card runtime: applet " + to_hex(aid) + " is selected");
    }
  }
  if (deferred_->pending()) run_deferred();
  {
    AppletCallContext ctx(*this, aid, false);
    try {
      (*owned)->uninstall(ctx);
    } catch (const std::exception& e) {
      spdlog::warn("card runtime: applet {} uninstall() threw: {}", to_hex(aid), e.what());
    }
    abort_open_transaction("uninstall");
  }
  const Bytes key(aid.begin(), aid.end());
  if (config_.store != nullptr) {
    // Its persistent objects and deferred records go with it (Java Card deletes the instance's objects).
    const std::string objects = PersistentMemory::namespace_prefix(key);
    const std::string records = std::string(kDeferredRecordPrefix) + to_hex(key) + "/";
    nvm::run_transaction(*config_.store, [&] {
      for (const auto& name : config_.store->keys()) {
        if (name.starts_with(objects) || name.starts_with(records)) config_.store->erase(name);
      }
    });
  }
  deferred_->forget(key);
  transient_.clear_on_deselect(key);
  auto& entries = registry_.entries();
  std::erase_if(entries, [&](const RegistryEntry& entry) { return entry.aid == key; });
  installed_.erase(owned);
}

void Runtime::abort_open_transaction(const char* where) noexcept {
  const bool open =
      persistent_.transaction_depth() > 0 || (config_.store != nullptr && config_.store->in_transaction());
  if (!open) return;
  try {
    spdlog::warn("card runtime: aborting the NVM transaction left open after {}", where);
  } catch (...) {  // logging must not stop the abort
  }
  persistent_.abort_open();
}

}  // namespace sefleet::card

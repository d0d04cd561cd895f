// The card OS runtime of the virtual SE: the I/O layer (power, reset, ATR) and the ISO 7816-4
// dispatcher in front of the applets. It owns logical channels (MANAGE CHANNEL), applet selection
// (SELECT by DF name, full or partial AID, next occurrence), one SCP03 session per logical channel for
// applets that use the secure channel, GET RESPONSE for responses longer than the host's Ne, Java Card
// transient memory, and the rule that nothing but a status word ever leaves transmit().
// Every status word decision is listed in docs/card-runtime.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "card/runtime/applet.hpp"
#include "card/runtime/applet_crypto.hpp"
#include "card/runtime/applet_registry.hpp"
#include "card/runtime/deferred_executor.hpp"
#include "card/runtime/logical_channel.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/runtime/transient_memory.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/apdu.hpp"
#include "transport/card_endpoint.hpp"

namespace sefleet::card {

namespace nvm {
class NvmStore;
}

inline constexpr std::size_t kMaxLogicalChannels = 20;
// 6999: the applet refused selection (Java Card SW_APPLET_SELECT_FAILED; not an ISO 7816-4 code).
inline constexpr std::uint16_t kSwAppletSelectFailed = 0x6999;

struct RuntimeConfig {
  Bytes atr;                            // answered to atr()
  gp::CardKeyRegistry* keys = nullptr;  // key sets for secure channels (the ISD's); not owned
  gp::Scp03CardConfig scp;              // i and KDD; invoking_aid is set per selected applet
  crypto::Random* random = nullptr;     // nullptr = system random
  nvm::NvmStore* store = nullptr;       // may be null; not owned
  std::size_t logical_channels = 4;     // 1..20 (basic channel included)
  // Called before an entry is selected (life cycle rules of the card); returns 9000 to allow, or the
  // status word to refuse with (e.g. 6A82 when the card is CARD_LOCKED and the entry is not the ISD).
  std::function<std::uint16_t(const RegistryEntry&)> selection_gate;
  // Virtual time (not owned); null: an internal clock without a cost model.
  VirtualClock* clock = nullptr;
  // True: scheduled deferred tasks run after the response (after_response()). False: schedule() runs
  // the task at once, in its own transaction, before the response (the baseline: same code, same work).
  bool defer_after_response = true;
  // JCSystem.getMaxCommitCapacity() of the applets' transactions (profile value).
  std::size_t commit_capacity = kDefaultCommitCapacity;
};

// Virtual time of the last command (clock deltas): its handling (transmit() minus the wait), the
// deferred work run after its response, and how long it waited for earlier deferred work.
struct CommandClock {
  std::uint64_t seht_ns = 0;
  std::uint64_t deferred_ns = 0;
  std::uint64_t waited_ns = 0;
};

class RuntimeContext;
class DeferredQueue;

class Runtime final : public transport::CardEndpoint {
 public:
  // Throws Error(invalid_argument) for logical_channels outside 1..20 or an SCP03 configuration the
  // card role refuses (invalid i or KDD). The card starts powered off: call power_on() (vpcd and the
  // TCP link do) after the applets are registered.
  explicit Runtime(RuntimeConfig config);
  ~Runtime() override;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  AppletRegistry& registry() noexcept { return registry_; }
  const AppletRegistry& registry() const noexcept { return registry_; }

  // transport::CardEndpoint
  Bytes atr() override { return config_.atr; }
  void power_on() override;
  void power_off() override;
  void reset() override;
  // Never throws; always returns at least SW1 SW2.
  Bytes transmit(ByteView command) override;
  // Runs the scheduled deferred tasks (FIFO, each in its own transaction), then the after-response
  // hooks in registration order. A hook that throws is logged and skipped; nothing escapes.
  void after_response() override;

  // Places an applet instance in the runtime, which owns it: calls applet->install() (with its own
  // context; a transaction left open is aborted), then registers `entry` with entry.applet set.
  // Throws Error(invalid_argument) for a null applet or an AID the registry refuses, and passes on
  // what install() threw (nothing is registered then).
  void install_applet(RegistryEntry entry, std::unique_ptr<Applet> applet);
  // Removes an instance installed with install_applet(): completes pending deferred work, calls
  // uninstall(), drops its tasks, erases its persistent objects and deferred records (one
  // transaction), removes the registry entry and destroys the instance. Error(state_error) when it is
  // selected on a channel; Error(not_found) when no runtime-owned instance has `aid`.
  void uninstall_applet(ByteView aid);

  // Deferred execution: true while scheduled tasks have not run (the next command would wait).
  bool deferred_pending() const noexcept;
  const CommandClock& last_command_clock() const noexcept { return last_clock_; }
  VirtualClock& clock() noexcept { return *clock_; }
  DeferredQueue& deferred_queue() noexcept { return *deferred_; }

  // Extension point for work done after the response has left the card (deferred execution).
  using AfterResponseHook = std::function<void()>;
  void add_after_response_hook(AfterResponseHook hook);
  // Called at every power-up, reset and power-off, after the session ended (channels closed, the
  // runtime's transient memory cleared): the Java Card VM clears its CLEAR_ON_RESET and
  // CLEAR_ON_DESELECT arrays there. A hook that throws is logged and skipped.
  using PowerHook = std::function<void()>;
  void add_power_hook(PowerHook hook);

  // Observation, for the ISD, tests and diagnostics.
  bool powered() const noexcept { return powered_; }
  std::size_t logical_channel_count() const noexcept { return channels_.size(); }
  bool channel_open(std::uint8_t channel) const noexcept;
  // The AID of the applet selected on `channel`, nullopt when the channel is closed or has none.
  std::optional<Bytes> selected_aid(std::uint8_t channel) const;
  // The SCP03 session of `channel`, nullptr when the selected applet has none.
  const gp::Scp03Card* secure_channel(std::uint8_t channel) const noexcept;
  TransientMemory& transient_memory() noexcept { return transient_; }

 private:
  friend class RuntimeContext;
  friend class AppletCallContext;

  Bytes dispatch(ByteView raw);
  // Takes the parsed command: the secure channel unwraps it in its own buffer, which the applet may keep.
  Bytes dispatch_to_applet(LogicalChannel& channel, std::uint8_t number, iso7816::CommandApduView&& wire);
  Bytes handle_manage_channel(std::uint8_t origin, const iso7816::CommandApdu& command);
  Bytes open_channel(std::uint8_t origin, const iso7816::CommandApdu& command);
  Bytes close_channel(const iso7816::CommandApdu& command);
  Bytes handle_select(std::uint8_t number, const iso7816::CommandApdu& command);

  // Selects `entry` on `number` (multi-selection rule, gate, deselect current, select()); 9000 or the
  // refusal. Refusals before the deselection leave the channel as it was; 6999 leaves it empty.
  std::uint16_t select_on_channel(std::uint8_t number, const RegistryEntry& entry);
  void deselect(std::uint8_t number) noexcept;
  bool active_on_other_channel(const Applet* applet, std::uint8_t except) const noexcept;
  const RegistryEntry* default_entry() const;
  void start_session();
  void end_session() noexcept;
  void abort_open_transaction(const char* where) noexcept;
  crypto::Random& random() noexcept;
  void run_deferred() noexcept;
  void finish_before_response() noexcept;

  RuntimeConfig config_;
  std::unique_ptr<VirtualClock> own_clock_;
  VirtualClock* clock_;
  PersistentMemory persistent_;
  AppletCrypto crypto_;
  std::unique_ptr<DeferredQueue> deferred_;
  std::vector<std::unique_ptr<Applet>> installed_;
  CommandClock last_clock_;
  AppletRegistry registry_;
  TransientMemory transient_;
  std::vector<LogicalChannel> channels_;
  std::vector<AfterResponseHook> after_response_hooks_;
  std::vector<PowerHook> power_hooks_;
  bool powered_ = false;
};

}  // namespace sefleet::card

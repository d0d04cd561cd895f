// The card's registry (GlobalPlatform "GP Registry"): every security domain, application and
// executable load file on the card, with its life cycle state and privileges. SELECT resolves AIDs
// here; GET STATUS lists it; SET STATUS changes life cycle states. The registry is volatile: whoever
// owns the card's persistent state (the ISD) rebuilds it at start and persists what it changes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card {

class Applet;

// GlobalPlatform Card Specification v2.3.1 §11.1.1 (life cycle coding, application and SD).
namespace app_life_cycle {
inline constexpr std::uint8_t kInstalled = 0x03;
inline constexpr std::uint8_t kSelectable = 0x07;
inline constexpr std::uint8_t kPersonalized = 0x0F;  // SD: PERSONALIZED
inline constexpr std::uint8_t kLockedBit = 0x80;     // LOCKED = current state | 80
inline constexpr std::uint8_t kLoaded = 0x01;        // executable load files
}  // namespace app_life_cycle

// GP §11.1.2 privileges, byte 1.
namespace privilege {
inline constexpr std::uint8_t kSecurityDomain = 0x80;
inline constexpr std::uint8_t kCardLock = 0x10;
inline constexpr std::uint8_t kCardTerminate = 0x08;
inline constexpr std::uint8_t kCardReset = 0x04;  // default selected
inline constexpr std::uint8_t kCvmManagement = 0x02;
}  // namespace privilege

struct RegistryEntry {
  enum class Kind { issuer_security_domain, security_domain, application, load_file };
  Kind kind = Kind::application;
  Bytes aid;  // 5-16 bytes
  std::uint8_t life_cycle = app_life_cycle::kSelectable;
  Bytes privileges = Bytes(3, 0x00);  // 3 bytes
  Bytes load_file_aid;                // applications and SDs: the load file they came from
  Bytes associated_sd_aid;            // the SD the entry is associated with
  std::vector<Bytes> module_aids;     // load files: their executable modules
  Bytes version;                      // load files: version number (optional)
  Applet* applet = nullptr;           // the instance, for selectable kinds; not owned

  bool is_load_file() const noexcept { return kind == Kind::load_file; }
  bool is_locked() const noexcept { return !is_load_file() && (life_cycle & app_life_cycle::kLockedBit) != 0; }
  // Installed applications and SDs are selectable when SELECTABLE (07 and above) and not locked.
  bool is_selectable() const noexcept;
};

class AppletRegistry {
 public:
  // Adds an entry; throws Error(invalid_argument) for an AID outside 5-16 bytes or one already used.
  RegistryEntry& add(RegistryEntry entry);
  // The entry with exactly `aid`, or nullptr.
  RegistryEntry* find(ByteView aid);
  const RegistryEntry* find(ByteView aid) const;
  // Entries in registration order (the order GET STATUS and "next occurrence" use).
  const std::deque<RegistryEntry>& entries() const noexcept { return entries_; }
  std::deque<RegistryEntry>& entries() noexcept { return entries_; }

  // SELECT by DF name (ISO 7816-4 §11.2.2): the first selectable application/SD entry whose AID
  // starts with `partial_aid` (full or partial match), or, for "next occurrence", the first such
  // entry after `after` in registration order. nullptr when nothing (else) matches.
  const RegistryEntry* match(ByteView partial_aid, const RegistryEntry* after = nullptr) const;

  const RegistryEntry* issuer_security_domain() const;

  // A life cycle state an application sets for itself through the GlobalPlatform API
  // (GPSystem.setCardContentState, GPRegistryEntry.setState) must survive a restart, so whoever owns
  // the card's persistent records (the ISD's instance records) installs a recorder that makes the
  // change durable, or throws to refuse it. change_life_cycle() records through it, then updates the
  // entry; it returns false (nothing changed) when no recorder is installed, the entry does not exist
  // or the recorder refused. The caller applies the GlobalPlatform rules of who may set what.
  using LifeCycleRecorder = std::function<void(const RegistryEntry& entry, std::uint8_t life_cycle)>;
  void set_life_cycle_recorder(LifeCycleRecorder recorder) { life_cycle_recorder_ = std::move(recorder); }
  bool change_life_cycle(ByteView aid, std::uint8_t life_cycle);

 private:
  std::deque<RegistryEntry> entries_;  // deque: add() keeps references to earlier entries valid
  LifeCycleRecorder life_cycle_recorder_;
};

}  // namespace sefleet::card

// The Java Card VM as the card sees it: one per card, holding the ROM (the API classes), the packages
// loaded through GlobalPlatform LOAD, every object the applets created (persistent on the card's
// NvmStore, reloaded with the same references when the card is opened again) and the applet instances.
// The ISD decides and answers status words; this facade does the Java Card part of each command:
//   LOAD (last block)   -> check() then load()
//   INSTALL [for install] -> install()            (returns the card::Applet the runtime places)
//   card open           -> instance() for every stored instance
//   DELETE              -> delete_instance() / delete_package()
// Every change is atomic on the NvmStore: a power loss at any physical write leaves it done or not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "core/bytes.hpp"

namespace sefleet::crypto {
class Random;
}

namespace sefleet::card {
class Runtime;
class VirtualClock;
namespace nvm {
class NvmStore;
}
}  // namespace sefleet::card

namespace sefleet::card::javacard {

namespace vm {
class Vm;
}

// Configurable limits (docs/javacard.md "Limits"). A method whose frame does not fit, a call deeper
// than max_call_depth, or more than instruction_budget bytecodes in one entry from the card (one APDU's
// process(), select(), deselect(), install(), one deferred task) ends that entry as a real card would
// (StackOverflowError-like: the APDU answers 6F00) and the card keeps working.
struct VmLimits {
  std::uint16_t max_call_depth = 64;
  std::uint32_t max_frame_slots = 1024;                  // max_locals + max_stack of one method
  std::uint32_t slot_stack = 16 * 1024;                  // 32-bit slots for all frames of one entry
  std::uint64_t instruction_budget = 200'000'000;        // bytecodes per entry
  std::size_t persistent_capacity = 1024 * 1024;         // bytes of persistent objects (NO_RESOURCE beyond)
  std::size_t transient_capacity = 16 * 1024;            // bytes of transient array data (CLEAR_ON_RESET + _DESELECT)
  std::size_t commit_capacity = kDefaultCommitCapacity;  // JCSystem.getMaxCommitCapacity()
};

struct VmServices {
  nvm::NvmStore* store = nullptr;    // null: a card without persistent memory (objects live in RAM)
  VirtualClock* clock = nullptr;     // required
  crypto::Random* random = nullptr;  // required
  VmLimits limits;
};

struct PackageInfo {
  Bytes aid;
  std::string name;  // internal form
  std::uint8_t major_version = 1;
  std::uint8_t minor_version = 0;
  std::vector<AppletDeclaration> applets;
};

class JavaCardVm {
 public:
  // Loads the ROM and then every stored package, object and instance. Throws Error(integrity_error)
  // naming the problem when the stored VM state is inconsistent.
  explicit JavaCardVm(VmServices services);
  ~JavaCardVm();
  JavaCardVm(const JavaCardVm&) = delete;
  JavaCardVm& operator=(const JavaCardVm&) = delete;

  // Verifies and links `load_file` against the ROM and the packages on the card, changing nothing.
  // Throws LoadError (the ISD answers 6A80) naming class, method, pc and instruction.
  void check(const LoadFile& load_file) const;
  // check(), then stores the package and runs its static initialisers, in one NVM transaction.
  // Throws LoadError (nothing stored) or Error(state_error) for an AID or package name already loaded.
  void load(const LoadFile& load_file);

  std::vector<PackageInfo> packages() const;  // loaded through LOAD (not the ROM), in load order
  std::optional<PackageInfo> find_package(ByteView package_aid) const;

  // INSTALL [for install]: runs the static install(byte[] bArray, short bOffset, byte bLength) of the
  // applet class declared with `class_aid` in the package, in the package's context, with the Java
  // Card layout in bArray (Li AID, Lc control info, La application data = `application_parameters`,
  // the C9 value), as one atomic step. The applet must call register(); if install throws, or does not
  // register, nothing of it remains and StatusWordError is thrown (ISOException reason, else 6A80).
  std::unique_ptr<Applet> install(ByteView package_aid, ByteView class_aid, ByteView instance_aid,
                                  ByteView application_parameters);
  // The adapter of a stored instance (card open); nullptr when the VM holds no instance `instance_aid`.
  std::unique_ptr<Applet> instance(ByteView instance_aid);
  // Instance AIDs the VM holds (registered applets), to reconcile with the ISD's records at open.
  std::vector<Bytes> instances() const;

  // DELETE of an instance: removes its registration and the objects only it reaches.
  // Error(state_error) when another context still references its objects (the ISD answers 6985).
  void delete_instance(ByteView instance_aid);
  // DELETE of a load file: Error(state_error) when instances of it exist (the caller deletes them first
  // when the related-objects bit is set) or another package links to it.
  void delete_package(ByteView package_aid);

  // Power-up/reset (CLEAR_ON_RESET data) and deselection (CLEAR_ON_DESELECT data of a context) are
  // delivered by the applet adapter and the runtime hooks; see java_applet.hpp.
  // attach() registers reset() as a power hook of the card's runtime (call it once, when the card is
  // assembled) and gives the natives the card's registry (GlobalPlatform calls outside a command, as in
  // install()); reset() clears every transient array, the selection state and the natives' caches.
  void attach(Runtime& runtime);
  void reset();

  // The VM itself, for the applet adapter, the natives' tests and diagnostics.
  vm::Vm& machine() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sefleet::card::javacard

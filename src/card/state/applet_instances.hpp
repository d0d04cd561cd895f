// The applet instances INSTALL created, persistent over the card's NvmStore: one object per instance
// ("reg/inst/<AID hex>", encoding in docs/card-state.md) holding its AID, where its code comes from
// (the built-in catalog or a Java Card package on the card), load file, module, privileges, life
// cycle state and install parameters, so VirtualCard::open re-creates every instance after a restart
// (a Java instance's own objects are the VM's: see docs/isd.md "Java Card content"). An instance's own persistent data
// is the runtime's (PersistentMemory, "app/<AID hex>/"): Runtime::uninstall_applet erases it, and add() erases any
// leftover of an earlier instance with the same AID. Every change is exactly one NvmStore transaction.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "card/runtime/applet_registry.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {

namespace nvm {
class NvmStore;
}

// The most applet instances INSTALL may create (one more answers 6A84).
inline constexpr std::size_t kMaxAppletInstances = 16;
// The longest install parameters (C9 value) an instance keeps.
inline constexpr std::size_t kMaxInstallParameters = 128;

struct AppletInstance {
  // Built-in: a module of the C++ catalog (applets/catalog.hpp), re-created by its factory. Java: an
  // applet of a package loaded with LOAD, whose instance lives in the Java Card VM.
  enum class Code : std::uint8_t { built_in = 0, java = 1 };

  Bytes aid;  // application AID, 5-16 bytes
  Code code = Code::built_in;
  Bytes load_file_aid;  // the load file it came from (catalog load file or Java package)
  Bytes module_aid;     // the executable module instantiated (catalog module or Java applet class AID)
  Bytes privileges = Bytes(3, 0x00);
  std::uint8_t life_cycle = 0x03;  // GP application life cycle (INSTALLED 03, SELECTABLE 07, | 80 LOCKED)
  Bytes install_parameters;        // the C9 value given at INSTALL

  bool operator==(const AppletInstance&) const = default;
};

// The registry entry of an installed instance, associated with the security domain `sd_aid` (the ISD):
// what INSTALL adds and what VirtualCard::open rebuilds from the stored records.
RegistryEntry registry_entry(const AppletInstance& instance, ByteView sd_aid);

class AppletInstances {
 public:
  // Loads and validates every instance record. Throws Error(integrity_error) naming a malformed one.
  explicit AppletInstances(nvm::NvmStore& store);
  AppletInstances(const AppletInstances&) = delete;
  AppletInstances& operator=(const AppletInstances&) = delete;

  // By AID (ascending).
  const std::map<Bytes, AppletInstance>& all() const noexcept { return instances_; }
  const AppletInstance* find(ByteView aid) const;

  // Records a new instance in one transaction, which also erases what an earlier instance of the
  // same AID may have left (its persistent objects and deferred records, when a power loss cut a
  // DELETE after its commit point): a new instance never inherits data. Throws Error(invalid_argument) for a malformed
  // one (AID sizes, 3 privilege bytes, parameters too long), Error(state_error) for an AID already recorded or when
  // kMaxAppletInstances are recorded (callers check first and answer with SWs).
  void add(const AppletInstance& instance);
  // Changes the life cycle state (and privileges) of a recorded instance in one transaction;
  // Error(not_found) for an unknown AID.
  void update(ByteView aid, std::uint8_t life_cycle, ByteView privileges);
  // Erases the record in one transaction (the instance's own objects are the runtime's to erase);
  // Error(not_found).
  void remove(ByteView aid);

 private:
  nvm::NvmStore& store_;
  std::map<Bytes, AppletInstance> instances_;
};

}  // namespace sefleet::card

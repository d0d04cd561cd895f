// The virtual SE assembled: its persistent store (<state_dir>/card.nvm), the card state over it, the
// ISD key registry, the Issuer Security Domain, the Java Card VM (packages loaded with LOAD, their
// objects and instances, on the same store) and the runtime that transports talk to.
//
//   VirtualCard::personalize("state", CardProfile::from_json(text));   // sefleet card init
//   VirtualCard card = VirtualCard::open("state");                      // sefleet card run
//   card.endpoint().power_on(); card.endpoint().transmit(apdu);
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "card/state/card_profile.hpp"
#include "card/state/card_state.hpp"
#include "crypto/random.hpp"
#include "transport/card_endpoint.hpp"

namespace sefleet::card {

struct VirtualCardOptions {
  // Tearing test mode (`--tear-at N`): power is cut at the Nth physical write of the state file,
  // counted from opening (recovery included); the write then throws nvm::PowerLoss, which the runtime
  // answers with 6F00, and the card refuses everything until reopened.
  std::optional<std::uint64_t> tear_at_write;
  std::size_t tear_keep_bytes = 0;  // bytes of the torn write that still reach the file
  std::size_t logical_channels = 4;
  crypto::Random* random = nullptr;  // nullptr = system random
  nvm::NvmOptions nvm;
  // Deferred execution and virtual time (RuntimeConfig fields of the same names).
  VirtualClock* clock = nullptr;  // not owned
  bool defer_after_response = true;
  std::size_t commit_capacity = kDefaultCommitCapacity;
  // Limits of the Java Card VM (docs/javacard.md "Limits"); its commit capacity is `commit_capacity`
  // above (the profile's), whatever java_card_limits.commit_capacity says.
  javacard::VmLimits java_card_limits;
};

class IssuerSecurityDomain;
class NvmKeyRegistry;
namespace nvm {
class TearingDevice;
}

class VirtualCard {
 public:
  // <state_dir>/card.nvm
  static std::filesystem::path state_file(const std::filesystem::path& state_dir);
  // Creates state_dir (mode 0700, if needed) and a new state file (0600) personalized with `profile`,
  // durably, holding the directory's lock meanwhile (state_directory.hpp). Refuses
  // (Error(state_error)) when the state file exists or another process holds the directory; a failed
  // personalization leaves no file.
  static void personalize(const std::filesystem::path& state_dir, const CardProfile& profile);
  // Opens an existing state and holds its directory's lock until the card is destroyed. Missing
  // file, or directory or file open to group/other users: Error(io_error); held by another process:
  // Error(state_error) naming its PID; corrupt or truncated file, or incomplete card state:
  // Error(integrity_error) naming the problem. Opening creates the Java Card VM over the store (which
  // reloads its packages and objects), registers the built-in and the loaded load files, removes the
  // half of a Java instance that a power loss between the two commits of its INSTALL or DELETE left
  // alone (docs/isd.md "Java Card content"), then re-creates every recorded instance.
  static VirtualCard open(const std::filesystem::path& state_dir, const VirtualCardOptions& options = {});
  // Same over any device (tests: in-memory media); tear_at_write wraps it too.
  static VirtualCard open(std::unique_ptr<nvm::NvmDevice> device, const VirtualCardOptions& options = {});

  VirtualCard(VirtualCard&&) noexcept;
  VirtualCard& operator=(VirtualCard&&) noexcept;
  ~VirtualCard();

  // The card as transports see it (powered off until power_on()).
  transport::CardEndpoint& endpoint() noexcept;
  Runtime& runtime() noexcept;
  CardState& state() noexcept;
  nvm::NvmStore& store() noexcept;
  IssuerSecurityDomain& isd() noexcept;
  javacard::JavaCardVm& java_card() noexcept;
  // Physical writes made to the state file since open (tearing tests use it to aim).
  std::uint64_t physical_writes() const noexcept;
  // True once the tearing device cut power (the card refuses everything until reopened).
  bool power_lost() const noexcept;
  // What the state holds, without secrets: identity, "i", life cycle, ATR, key sets (KVN, key length,
  // sequence counter), platform key version, number of STORE DATA objects, the applet instances
  // INSTALL created and the Java Card load files LOAD stored (`sefleet card info`).
  nlohmann::json summary() const;

 private:
  struct Parts;
  explicit VirtualCard(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sefleet::card

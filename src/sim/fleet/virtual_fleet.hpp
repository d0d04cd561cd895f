// A fleet of virtual SEs in one process, for end-to-end tests, benchmarks and `sefleet demo`: each SE
// is a whole VirtualCard (runtime, ISD, card state, NVM store) on its own RAM medium, personalized
// like a production batch: its own identity and key diversification data, its ISD keys derived with
// kdf3 from the batch's master key, and the platform keys (Kos, Kmac) and platform id shared by the
// batch. A medium outlives its card, so an SE can lose power (or be torn at a given write) and be
// reopened on the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/state/card_profile.hpp"
#include "card/virtual_card.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "transport/card_channel.hpp"

namespace sefleet::sim {

struct FleetConfig {
  std::size_t size = 0;
  SecretBytes master_key;  // kdf3 master key of the batch (AES)
  std::uint8_t kvn = 0x30;
  std::uint8_t scp03_i = 0x70;
  Bytes platform_id = Bytes(8, 0x00);
  card::PlatformKeys platform_keys;  // version, Kos, Kmac shared by the batch
  bool allow_downgrade = false;
  std::uint32_t first_serial = 1;  // SE n gets se_id "SEFL" ‖ (first_serial + n, 4 bytes BE)
  // Size of the RAM medium buffers the SEs share through one card::nvm::MediumPool (0: no pool, each
  // medium grows on its own). The NVM journal grows a medium by one record per commit; a medium that
  // outgrows its buffer moves to one twice as large, which copies every byte and touches fresh pages.
  // With the pool a growing medium moves once into a buffer of this size, and hands it back when a
  // compaction leaves it mostly empty, so the next SE writes its journal into pages already mapped.
  std::size_t medium_capacity = 0;
  // The SCP11 keys and certificates of an SE, given its profile so far (identity, KDD); none: the SE
  // has SCP03 keys only. A mixed fleet (some SEs offering SCP11) answers some SEs and not others.
  std::function<std::optional<card::Scp11Profile>(const card::CardProfile&)> scp11;
  // An SE's SCP03 "i" given its profile so far, instead of `scp03_i`: a fleet mixing SEs with a
  // pseudo-random card challenge (70) and a random one (60).
  std::function<std::uint8_t(const card::CardProfile&)> scp03_i_of;
};

class VirtualFleet {
 public:
  // Personalizes `config.size` SEs. Throws Error(invalid_argument) for a bad configuration.
  explicit VirtualFleet(FleetConfig config);
  VirtualFleet(const VirtualFleet&) = delete;
  VirtualFleet& operator=(const VirtualFleet&) = delete;
  ~VirtualFleet();

  std::size_t size() const noexcept { return members_.size(); }
  const FleetConfig& config() const noexcept { return config_; }
  // The SE's profile (its identity and KDD; its keys are the kdf3 derivation).
  const card::CardProfile& profile(std::size_t index) const;
  card::VirtualCard& card(std::size_t index);
  // A powered in-process channel to SE `index` (the card as a reader would present it).
  transport::CardChannel& channel(std::size_t index);
  // Power loss and restart: drops the card object (RAM state: sessions, broadcast context) and opens
  // the same medium again, with `options` (e.g. tear_at_write for the next run).
  void reopen(std::size_t index, const card::VirtualCardOptions& options = {});
  // Physical NVM writes of SE `index` since it was (re)opened.
  std::uint64_t physical_writes(std::size_t index);
  // The shared medium buffers (null without medium_capacity).
  const card::nvm::MediumPool* medium_pool() const noexcept { return pool_.get(); }

 private:
  struct Member;
  FleetConfig config_;
  std::shared_ptr<card::nvm::MediumPool> pool_;  // null without medium_capacity
  std::vector<std::unique_ptr<Member>> members_;
};

// The profile of SE number `serial` of a batch (identity, KDD, kdf3-derived keys).
card::CardProfile fleet_member_profile(const FleetConfig& config, std::uint32_t serial);

}  // namespace sefleet::sim

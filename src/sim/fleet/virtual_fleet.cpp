#include "sim/fleet/virtual_fleet.hpp"

#include <memory>
#include <string>
#include <utility>

#include "card/nvm/nvm_store.hpp"
#include "card/state/card_state.hpp"
#include "card/state/scp11_store.hpp"
#include "core/error.hpp"
#include "gp/kdf3.hpp"
#include "transport/in_process_channel.hpp"

namespace sefleet::sim {

struct VirtualFleet::Member {
  card::CardProfile profile;
  card::nvm::MemoryDevice::Medium medium;
  std::optional<card::VirtualCard> card;
  std::unique_ptr<transport::InProcessChannel> channel;
};

namespace {

Bytes big_endian(std::uint32_t value) {
  return Bytes{static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
               static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

}  // namespace

card::CardProfile fleet_member_profile(const FleetConfig& config, std::uint32_t serial) {
  card::CardProfile profile;
  profile.se_id = Bytes{'S', 'E', 'F', 'L'};
  const Bytes number = big_endian(serial);
  profile.se_id.insert(profile.se_id.end(), number.begin(), number.end());
  // KDD: a batch marker and the serial, so that every SE of the batch gets its own keys.
  profile.kdd = Bytes{0x5E, 0xF1, 0x00, 0x00, 0x00, 0x00};
  profile.kdd.insert(profile.kdd.end(), number.begin(), number.end());
  profile.isd_aid = gp::isd_aid();
  profile.platform_id = config.platform_id;
  profile.scp03_i = config.scp03_i_of ? config.scp03_i_of(profile) : config.scp03_i;
  profile.scp03 = gp::kdf3_diversify(config.master_key.view(), profile.kdd, config.kvn);
  profile.platform_keys.version = config.platform_keys.version;
  profile.platform_keys.kos = config.platform_keys.kos;
  profile.platform_keys.kmac = config.platform_keys.kmac;
  profile.allow_downgrade = config.allow_downgrade;
  profile.atr = card::default_atr();
  if (config.scp11) profile.scp11 = config.scp11(profile);
  return profile;
}

VirtualFleet::VirtualFleet(FleetConfig config) : config_(std::move(config)) {
  if (config_.platform_id.size() != 8) throw Error(Errc::invalid_argument, "fleet: platform id must be 8 bytes");
  if (config_.medium_capacity != 0) pool_ = std::make_shared<card::nvm::MediumPool>(config_.medium_capacity);
  members_.reserve(config_.size);
  for (std::size_t n = 0; n < config_.size; ++n) {
    auto member = std::make_unique<Member>();
    member->profile = fleet_member_profile(config_, config_.first_serial + static_cast<std::uint32_t>(n));
    auto medium = std::make_shared<Bytes>();
    auto device = std::make_unique<card::nvm::MemoryDevice>(medium, "se-" + std::to_string(n), pool_);
    member->medium = device->medium();
    card::nvm::NvmStore::format(*device);
    {
      card::nvm::NvmStore store(std::move(device));
      card::CardState::personalize(store, member->profile);
      if (member->profile.scp11) card::Scp11Store::personalize(store, *member->profile.scp11, member->profile.se_id);
    }
    members_.push_back(std::move(member));
    reopen(n);
  }
}

VirtualFleet::~VirtualFleet() = default;

const card::CardProfile& VirtualFleet::profile(std::size_t index) const {
  return members_.at(index)->profile;
}

card::VirtualCard& VirtualFleet::card(std::size_t index) {
  return *members_.at(index)->card;
}

transport::CardChannel& VirtualFleet::channel(std::size_t index) {
  return *members_.at(index)->channel;
}

void VirtualFleet::reopen(std::size_t index, const card::VirtualCardOptions& options) {
  Member& member = *members_.at(index);
  member.channel.reset();  // powers the old card off first
  member.card.reset();
  member.card.emplace(card::VirtualCard::open(
      std::make_unique<card::nvm::MemoryDevice>(member.medium, "se-" + std::to_string(index), pool_), options));
  member.channel =
      std::make_unique<transport::InProcessChannel>(member.card->endpoint(), "se-" + std::to_string(index));
}

std::uint64_t VirtualFleet::physical_writes(std::size_t index) {
  return card(index).physical_writes();
}

}  // namespace sefleet::sim

#include "card/virtual_card.hpp"

#include <system_error>

#include "card/isd/issuer_security_domain.hpp"
#include "card/nvm/file_device.hpp"
#include "card/nvm/tearing_device.hpp"
#include "gp/card_life_cycle.hpp"
#include "core/hex.hpp"
#include "card/state/nvm_key_registry.hpp"
#include "core/error.hpp"

namespace sefleet::card {

namespace {
constexpr const char* kStateFileName = "card.nvm";
}

// Declaration order is construction order: each part refers only to parts above it.
struct VirtualCard::Parts {
  nvm::TearingDevice* device = nullptr;  // owned by the store
  nvm::NvmStore store;
  CardState state;
  NvmKeyRegistry keys;
  IssuerSecurityDomain isd;
  Runtime runtime;

  Parts(std::unique_ptr<nvm::NvmDevice> medium, const VirtualCardOptions& options)
      : device(new nvm::TearingDevice(std::move(medium), options.tear_at_write.value_or(0), options.tear_keep_bytes)),
        store(std::unique_ptr<nvm::NvmDevice>(device), options.nvm),
        state(store),
        keys(state),
        isd(state),
        runtime(make_config(options)) {
    isd.register_in(runtime.registry());
  }

  RuntimeConfig make_config(const VirtualCardOptions& options) {
    RuntimeConfig config;
    config.atr = state.atr();
    config.keys = &keys;
    config.scp.i = state.scp03_i();
    config.scp.key_diversification_data = state.kdd();
    config.scp.invoking_aid = state.isd_aid();
    config.random = options.random;
    config.store = &store;
    config.logical_channels = options.logical_channels;
    config.selection_gate = [this](const RegistryEntry& entry) { return isd.selection_gate(entry); };
    return config;
  }
};

std::filesystem::path VirtualCard::state_file(const std::filesystem::path& state_dir) {
  return state_dir / kStateFileName;
}

void VirtualCard::personalize(const std::filesystem::path& state_dir, const CardProfile& profile) {
  const auto path = state_file(state_dir);
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) throw Error(Errc::io_error, "card init: cannot create " + state_dir.string() + ": " + ec.message());
  if (std::filesystem::exists(path)) {
    throw Error(Errc::state_error, "card init: " + path.string() + " already exists (a card is personalized there)");
  }
  nvm::NvmStore::create_file(path);
  try {
    nvm::NvmStore store = nvm::NvmStore::open_file(path, false);
    CardState::personalize(store, profile);
  } catch (...) {
    std::filesystem::remove(path, ec);  // no half-made card stays behind
    throw;
  }
}

VirtualCard VirtualCard::open(const std::filesystem::path& state_dir, const VirtualCardOptions& options) {
  const auto path = state_file(state_dir);
  if (!std::filesystem::exists(path)) {
    throw Error(Errc::io_error, "card: no state file " + path.string() + " (run `sefleet card init` first)");
  }
  return open(std::make_unique<nvm::FileDevice>(path, nvm::FileDevice::Mode::open_existing), options);
}

VirtualCard VirtualCard::open(std::unique_ptr<nvm::NvmDevice> device, const VirtualCardOptions& options) {
  return VirtualCard(std::make_unique<Parts>(std::move(device), options));
}

VirtualCard::VirtualCard(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
VirtualCard::VirtualCard(VirtualCard&&) noexcept = default;
VirtualCard& VirtualCard::operator=(VirtualCard&&) noexcept = default;
VirtualCard::~VirtualCard() = default;

transport::CardEndpoint& VirtualCard::endpoint() noexcept { return parts_->runtime; }
Runtime& VirtualCard::runtime() noexcept { return parts_->runtime; }
CardState& VirtualCard::state() noexcept { return parts_->state; }
nvm::NvmStore& VirtualCard::store() noexcept { return parts_->store; }
IssuerSecurityDomain& VirtualCard::isd() noexcept { return parts_->isd; }
std::uint64_t VirtualCard::physical_writes() const noexcept { return parts_->device->physical_writes(); }
bool VirtualCard::power_lost() const noexcept { return parts_->device->powered_off(); }

nlohmann::json VirtualCard::summary() const {
  const CardState& state = parts_->state;
  nlohmann::json key_sets = nlohmann::json::array();
  for (const auto& [kvn, set] : state.key_sets()) {
    key_sets.push_back({{"kvn", to_hex(Bytes{kvn})},
                        {"key_length", set.keys.key_size()},
                        {"sequence_counter", set.sequence_counter}});
  }
  nlohmann::json out = {
      {"se_id", to_hex(state.se_id())},
      {"kdd", to_hex(state.kdd())},
      {"isd_aid", to_hex(state.isd_aid())},
      {"platform_id", to_hex(state.platform_id())},
      {"scp03_i", to_hex(Bytes{state.scp03_i()})},
      {"life_cycle", gp::card_life_cycle::name(state.life_cycle())},
      {"allow_downgrade", state.allow_downgrade()},
      {"atr", to_hex(state.atr())},
      {"key_sets", key_sets},
      {"personalization_objects", state.personalization().size()},
  };
  if (state.platform_keys()) out["platform_keys_version"] = state.platform_keys()->version;
  return out;
}

}  // namespace sefleet::card

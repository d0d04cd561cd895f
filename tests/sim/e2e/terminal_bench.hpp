// The bench of the terminal agent's end-to-end tests: keys, a virtual fleet (and optionally SEs of
// another platform, which refuse the image's manifest), the real management server over SQLite in a
// temporary directory with a clock the test may move, one campaign over the whole fleet, an admin
// client and a terminal token.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "offcard/api/messages.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/server.hpp"
#include "offcard/terminal/agent.hpp"
#include "sim/demo/fleet_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test {

struct TerminalBench {
  static inline const Bytes kPlatform{'P', 'L', 'A', 'T', '0', '0', '0', '1'};
  static inline const Bytes kOtherPlatform{'O', 'T', 'H', 'E', 'R', '0', '0', '1'};
  static inline const std::string kAdmin = "sfa_terminal_bench_admin_token";

  // `size` SEs of the campaign's platform, then `wrong_platform` SEs of another one; `configure`
  // adjusts the campaign before it is created. With `online`, the server accepts online sessions
  // (its card CA key and a session KEK), `online->scp11` gives SEs of the fleet SCP11 keys and
  // `online->scp03_i` their SCP03 "i" (70 when absent; 60: a random card challenge).
  struct Online {
    Bytes card_ca_key;  // uncompressed P-256 point
    std::function<std::optional<card::Scp11Profile>(const card::CardProfile&)> scp11;
    std::function<std::uint8_t(const card::CardProfile&)> scp03_i = {};
    // SCP11a/c: the server's OCE key (imported into its keystore as "oce") and its chain; none: SCP11b only.
    SecretBytes oce_scalar;
    std::vector<Bytes> oce_certificates;
  };
  explicit TerminalBench(std::size_t size, std::size_t wrong_platform = 0,
                         const std::function<void(offcard::api::CampaignCreate&)>& configure = {},
                         std::optional<Online> online = std::nullopt) {
    crypto::SystemRandom random;
    const SecretBytes master(random.bytes(16)), kos(random.bytes(16)), kmac(random.bytes(16));
    hsm = offcard::SoftwareKeystore::in_memory();
    hsm->import_key("kmaster", master, offcard::KeyUsage::mac);
    if (online) {
      hsm->import_key("session-kek", SecretBytes(random.bytes(16)), offcard::KeyUsage::wrap);
      online_config = offcard::server::OnlineAuthorizationConfig{online->card_ca_key,
                                                                 offcard::KeyRef::current("session-kek"), std::nullopt};
      if (!online->oce_scalar.empty()) {
        hsm->import_ec("oce", online->oce_scalar);
        online_config->oce = offcard::OnlineOceKey{offcard::KeyRef::current("oce"), online->oce_certificates, 0x10};
      }
    }
    auto design_store = offcard::SoftwareKeystore::in_memory();
    design_store->import_key("kos", kos, offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
    design_store->import_key("kmac", kmac, offcard::KeyUsage::mac);
    const auto fleet_of = [&](std::size_t count, const Bytes& platform, std::uint32_t first_serial) {
      sim::FleetConfig config;
      config.size = count;
      config.master_key = master;
      config.platform_id = platform;
      config.platform_keys.version = 1;
      config.platform_keys.kos = kos;
      config.platform_keys.kmac = kmac;
      config.first_serial = first_serial;
      if (online) {
        config.scp11 = online->scp11;
        config.scp03_i_of = online->scp03_i;
      }
      return std::make_unique<sim::VirtualFleet>(std::move(config));
    };
    fleet = fleet_of(size, kPlatform, 1);
    if (wrong_platform > 0) other = fleet_of(wrong_platform, kOtherPlatform, static_cast<std::uint32_t>(size + 1));

    offcard::CampaignDesign design;
    design.manifest.type = gp::broadcast::ImageType::application;
    std::copy(kPlatform.begin(), kPlatform.end(), design.manifest.platform_id.begin());
    design.manifest.version = 7;
    design.manifest.name = "bench-7";
    design.body = random.bytes(6000);
    design.profile = gp::broadcast::Profile::campaign_key;
    design.kos = offcard::KeyRef::current("kos");
    design.kmac = offcard::KeyRef::current("kmac");
    design.platform_key_version = 1;
    package = offcard::design_campaign(*design_store, design);
    start_server(0);

    offcard::api::CampaignCreate create;
    create.name = "bench";
    create.package = offcard::serialize_campaign_package(package);
    create.master_key = "kmaster";
    for (std::size_t n = 0; n < size; ++n) create.targets.push_back(fleet->profile(n).se_id);
    for (std::size_t n = 0; n < wrong_platform; ++n) create.targets.push_back(other->profile(n).se_id);
    if (configure) configure(create);
    campaign_id = admin().create_campaign(create).id;
    token = admin().create_token({"line-1", {campaign_id}}).token;
  }

  void start_server(std::uint16_t port) {
    offcard::server::ServerConfig config;
    config.port = port;
    config.database_url = "sqlite:" + (dir.path() / "bench.db").string();
    config.keystore = hsm.get();
    config.admin_token = kAdmin;
    config.threads = 4;
    config.now = [this] { return clock.load(); };
    config.online = online_config;
    server = std::make_unique<offcard::server::Server>(config);
    server->start();
    url = server->base_url();
  }

  offcard::terminal::ApiClient admin() {
    offcard::terminal::SessionOptions options;
    options.base_url = url;
    options.token = kAdmin;
    return offcard::terminal::ApiClient(options);
  }

  offcard::terminal::SessionOptions terminal_session() const {
    offcard::terminal::SessionOptions options;
    options.base_url = url;
    options.token = token;
    options.retry.max_attempts = 12;
    options.retry.base_delay = std::chrono::milliseconds(50);
    options.retry.max_delay = std::chrono::milliseconds(400);
    return options;
  }

  offcard::terminal::AgentOptions agent_options() const {
    offcard::terminal::AgentOptions options;
    options.campaign_id = campaign_id;
    options.cache_dir = dir.path() / "cache";
    return options;
  }

  offcard::api::DeviceCounts progress() { return admin().campaign(campaign_id).progress; }

  // The server's clock (Unix seconds): tests move it to pass back-offs and activation times.
  std::atomic<std::int64_t> clock{1'800'000'000};
  TempDir dir;
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
  std::optional<offcard::server::OnlineAuthorizationConfig> online_config;
  std::unique_ptr<sim::VirtualFleet> fleet;
  std::unique_ptr<sim::VirtualFleet> other;
  offcard::CampaignPackage package;
  std::unique_ptr<offcard::server::Server> server;
  std::string url;
  std::string campaign_id;
  std::string token;
};

}  // namespace sefleet::test

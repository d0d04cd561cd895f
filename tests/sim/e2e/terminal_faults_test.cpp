// Faults around the terminal agent, end to end over real HTTP with the real management server
// (SQLite in a temporary directory, software keystore in memory) and virtual SEs: a terminal killed
// mid-stream, an SE powered off mid-stream, and the server stopped and restarted in the middle of a
// campaign. In each case the SE keeps its old image until an authenticated activation, the next
// attempt succeeds, no acknowledged report is lost and no SE is counted twice.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "offcard/terminal/agent.hpp"
#include "sim/demo/fleet_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"
#include "support/temp_dir.hpp"

namespace sefleet {
namespace {

namespace bc = gp::broadcast;
namespace term = offcard::terminal;

const Bytes kPlatform{'P', 'L', 'A', 'T', '0', '0', '0', '1'};
const std::string kAdmin = "sfa_terminal_faults_admin_token";

std::string lower_hex(ByteView bytes) {
  std::string text = to_hex(bytes);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Keys, fleet, server and one campaign over the whole fleet.
struct Bench {
  explicit Bench(std::size_t size) {
    crypto::SystemRandom random;
    const SecretBytes master(random.bytes(16)), kos(random.bytes(16)), kmac(random.bytes(16));
    hsm = offcard::SoftwareKeystore::in_memory();
    hsm->import_key("kmaster", master, offcard::KeyUsage::mac);
    auto design_store = offcard::SoftwareKeystore::in_memory();
    design_store->import_key("kos", kos, offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
    design_store->import_key("kmac", kmac, offcard::KeyUsage::mac);
    sim::FleetConfig config;
    config.size = size;
    config.master_key = master;
    config.platform_id = kPlatform;
    config.platform_keys.version = 1;
    config.platform_keys.kos = kos;
    config.platform_keys.kmac = kmac;
    fleet = std::make_unique<sim::VirtualFleet>(std::move(config));

    offcard::CampaignDesign design;
    design.manifest.type = bc::ImageType::application;
    std::copy(kPlatform.begin(), kPlatform.end(), design.manifest.platform_id.begin());
    design.manifest.version = 7;
    design.manifest.name = "faults-7";
    design.body = random.bytes(6000);
    design.profile = bc::Profile::campaign_key;
    design.kos = offcard::KeyRef::current("kos");
    design.kmac = offcard::KeyRef::current("kmac");
    design.platform_key_version = 1;
    package = offcard::design_campaign(*design_store, design);
    start_server(0);

    nlohmann::json targets = nlohmann::json::array();
    for (std::size_t n = 0; n < size; ++n) targets.push_back(lower_hex(fleet->profile(n).se_id));
    const auto created = admin().create_campaign({{"name", "faults"},
                                                  {"package", offcard::server::base64_encode(offcard::serialize_campaign_package(package))},
                                                  {"master_key", "kmaster"},
                                                  {"targets", targets},
                                                  {"max_attempts", 3}});
    campaign_id = term::id_text(created.at("id"));
    token = admin().create_token("line-1", {campaign_id}).at("token");
  }

  void start_server(std::uint16_t port) {
    offcard::server::ServerConfig config;
    config.port = port;
    config.database_url = "sqlite:" + (dir.path() / "faults.db").string();
    config.keystore = hsm.get();
    config.admin_token = kAdmin;
    config.threads = 4;
    server = std::make_unique<offcard::server::Server>(config);
    server->start();
    url = server->base_url();
  }

  term::ApiClient admin() {
    term::SessionOptions options;
    options.base_url = url;
    options.token = kAdmin;
    return term::ApiClient(options);
  }

  term::SessionOptions terminal_session() const {
    term::SessionOptions options;
    options.base_url = url;
    options.token = token;
    options.retry.max_attempts = 12;
    options.retry.base_delay = std::chrono::milliseconds(50);
    options.retry.max_delay = std::chrono::milliseconds(400);
    return options;
  }

  term::AgentOptions agent_options() const {
    term::AgentOptions options;
    options.campaign_id = campaign_id;
    options.cache_dir = dir.path() / "cache";
    return options;
  }

  nlohmann::json progress() { return admin().get_json("/v1/campaigns/" + campaign_id).at("progress"); }

  test::TempDir dir;
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
  std::unique_ptr<sim::VirtualFleet> fleet;
  offcard::CampaignPackage package;
  std::unique_ptr<offcard::server::Server> server;
  std::string url;
  std::string campaign_id;
  std::string token;
};

// A channel that dies after `limit` commands, as a terminal killed mid-stream stops sending.
class DyingChannel final : public transport::CardChannel {
 public:
  DyingChannel(transport::CardChannel& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
  Bytes transmit(ByteView command) override {
    if (sent_++ >= limit_) throw Error(Errc::io_error, "terminal killed");
    return inner_.transmit(command);
  }
  Bytes atr() override { return inner_.atr(); }
  void reset() override { inner_.reset(); }
  std::string description() const override { return "dying"; }

 private:
  transport::CardChannel& inner_;
  std::size_t limit_;
  std::size_t sent_ = 0;
};

TEST(TerminalFaults, TerminalKilledMidStreamLeavesTheOldImageAndTheNextAttemptSucceeds) {
  Bench bench(1);
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();

  // The killed terminal: identity, PAUT, half the stream, then nothing (no report ever sent).
  transport::CardChannel& channel = bench.fleet->channel(0);
  const auto request = offcard::read_se_identity(channel, gp::isd_aid());
  const auto granted = client.authorize(bench.campaign_id, request);
  ASSERT_TRUE(granted.granted.has_value());
  DyingChannel dying(channel, 1 + 3 + agent.pse().commands.size() / 2);
  const auto cut = offcard::deliver(dying, gp::isd_aid(), granted.granted->paut, agent.pse().commands);
  ASSERT_FALSE(cut.reached_authorization());
  EXPECT_EQ(bench.progress().value("updated", 0), 0);

  // Power cycle (a new terminal picks the SE up): the staging is incomplete, nothing was activated.
  bench.fleet->reopen(0);
  sim::demo::FleetEndpoint endpoint(*bench.fleet, 0, "se-0");
  const term::SeResult result = agent.update(endpoint);
  EXPECT_EQ(result.final, "updated") << result.message;
  EXPECT_EQ(result.attempts, 1u) << "the superseded PAUT costs nothing: a fresh one works at once";
  EXPECT_EQ(result.outcome, "activated");
  EXPECT_EQ(bench.progress().value("updated", 0), 1);

  // Asking again is refused as already updated: the SE is not counted twice.
  const term::SeResult again = agent.update(endpoint);
  EXPECT_EQ(again.final, "already_updated");
  EXPECT_EQ(again.attempts, 0u);
}

TEST(TerminalFaults, SePoweredOffMidStreamIsRetriedWithAFreshPautAndUpdated) {
  Bench bench(2);
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  sim::demo::FleetEndpoint cut(*bench.fleet, 0, "se-0", 6 + 4 + agent.pse().commands.size() / 2);
  const term::SeResult result = agent.update(cut);
  EXPECT_TRUE(cut.power_was_cut());
  EXPECT_EQ(result.final, "updated") << result.message;
  ASSERT_EQ(result.history.size(), 2u);
  EXPECT_EQ(result.history[0].outcome, "interrupted");
  EXPECT_EQ(result.history[0].decision, "retry");
  EXPECT_EQ(result.history[1].decision, "updated");
  const auto progress = bench.progress();
  EXPECT_EQ(progress.value("updated", 0), 1);
  EXPECT_EQ(progress.value("pending", 0), 1);
}

TEST(TerminalFaults, ServerRestartedMidCampaignLosesNoReportAndCountsNoSeTwice) {
  const std::size_t size = 12;
  Bench bench(size);
  std::vector<term::SeResult> results(size);
  std::atomic<std::size_t> done{0};
  std::thread terminal([&] {
    term::ApiClient client(bench.terminal_session());
    term::Agent agent(client, bench.agent_options());
    agent.prepare();
    for (std::size_t n = 0; n < size; ++n) {
      sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
      results[n] = agent.update(endpoint);
      ++done;
    }
  });
  while (done.load() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::uint16_t port = bench.server->port();
  bench.server->stop();  // graceful: requests in flight are answered, then connections refused
  bench.server.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  bench.start_server(port);  // same database, same address
  terminal.join();

  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_EQ(r.final, "updated") << r.endpoint << ": " << r.message;
    ids.insert(r.se_id);
  }
  EXPECT_EQ(ids.size(), size);
  const auto progress = bench.progress();
  EXPECT_EQ(progress.value("updated", 0), static_cast<int>(size)) << progress.dump();
  EXPECT_EQ(bench.admin().get_json("/v1/campaigns/" + bench.campaign_id).value("state", ""), "completed");
  // Every SE updated exactly once in the decision log.
  std::size_t updated_decisions = 0;
  const auto events = bench.admin().get_json("/v1/campaigns/" + bench.campaign_id + "/events").at("events");
  for (const auto& event : events) {
    if (event.value("kind", "") == "report" && event["decision"] == "updated") ++updated_decisions;
  }
  EXPECT_EQ(updated_decisions, size) << events.dump();
}

}  // namespace
}  // namespace sefleet

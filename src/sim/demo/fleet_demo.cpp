#include "sim/demo/fleet_demo.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/broadcast/pse.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/server.hpp"
#include "offcard/terminal/api_client.hpp"
#include "sim/demo/fleet_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace sefleet::sim::demo {
namespace {

namespace bc = gp::broadcast;
namespace term = offcard::terminal;
using Clock = std::chrono::steady_clock;

const Bytes kPlatform{'S', 'E', 'F', 'L', 'D', 'E', 'M', 'O'};
const Bytes kOtherPlatform{'O', 'T', 'H', 'E', 'R', 'P', 'L', 'T'};
constexpr std::uint32_t kImageVersion = 0x00020000;

// Commands an SE receives before the PSE's middle on a first attempt: SELECT + 5 GET DATA (identity),
// SELECT + PAUT[0..2] (delivery), then half of the PSE.
std::size_t mid_stream(std::size_t pse_commands) {
  return 6 + 4 + pse_commands / 2;
}

// A temporary directory that is removed with everything in it, unless the caller chose the directory.
class WorkDir {
 public:
  explicit WorkDir(const std::optional<std::filesystem::path>& chosen) {
    if (chosen) {
      path_ = *chosen;
      std::filesystem::create_directories(path_);
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "sefleet-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw Error(Errc::io_error, "cannot create a temporary directory");
    path_ = pattern;
    owned_ = true;
  }
  ~WorkDir() {
    std::error_code ec;
    if (owned_) std::filesystem::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool owned_ = false;
};

Bytes image_body(std::size_t size, crypto::Random& random) {
  // Random bytes: an image that does not compress and has no pattern the channel could benefit from.
  return random.bytes(size);
}

// An SE's NVM medium at its largest during an update: the staged stream (the image and about 7 % of
// framing) journaled block by block, before the compaction that follows activation, is a little over
// twice the image; the rest is the personalization and the snapshot. Three images and 64 KiB cover it.
std::size_t medium_capacity(std::size_t image_size) {
  return 3 * image_size + 64 * 1024;
}

FleetConfig fleet_config(std::size_t size, const SecretBytes& master, const SecretBytes& kos, const SecretBytes& kmac,
                         const Bytes& platform, std::uint32_t first_serial, std::size_t image_size) {
  FleetConfig config;
  config.size = size;
  config.medium_capacity = medium_capacity(image_size);
  config.master_key = master;
  config.platform_id = platform;
  config.platform_keys.version = 1;
  config.platform_keys.kos = kos;
  config.platform_keys.kmac = kmac;
  config.first_serial = first_serial;
  return config;
}

void check(const DemoOptions& options) {
  if (options.ses == 0 || options.ses > 100000) throw Error(Errc::invalid_argument, "--ses must be 1..100000");
  if (options.profile != 3 && options.profile != 4) throw Error(Errc::invalid_argument, "--profile must be 3 or 4");
  if (options.image_size == 0 || options.image_size > 16 * 1024 * 1024) {
    throw Error(Errc::invalid_argument, "--image-size must be 1..16777216 bytes");
  }
  if (options.terminals == 0 || options.terminals > 64)
    throw Error(Errc::invalid_argument, "--terminals must be 1..64");
  if (options.wrong_platform + options.power_cut > options.ses) {
    throw Error(Errc::invalid_argument, "more SEs made to fail (" +
                                            std::to_string(options.wrong_platform + options.power_cut) +
                                            ") than SEs in the fleet (" + std::to_string(options.ses) + ")");
  }
}

// Where the faulty SEs sit in the order the terminals take: spread over the run, not bunched at the end.
std::vector<std::size_t> spread(std::size_t count, std::size_t total, std::size_t offset) {
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < count; ++k) at.push_back(std::min(total - 1, (k + 1) * total / (count + 1) + offset));
  return at;
}

}  // namespace

DemoResult run_demo(const DemoOptions& options, const std::function<void(const DemoResult&)>& hold) {
  check(options);
  const auto setup_start = Clock::now();
  DemoResult result;
  result.profile = options.profile;
  result.image_size = options.image_size;
  result.terminals = options.terminals;
  result.transport_name = options.transport_name;
  const EndpointFactory factory =
      options.endpoint_factory ? options.endpoint_factory : [](const SePlan& plan, std::size_t) {
        return std::unique_ptr<offcard::terminal::SeEndpoint>(
            std::make_unique<FleetEndpoint>(*plan.fleet, plan.index, plan.name, plan.cut_after));
      };

  WorkDir work(options.work_dir);
  crypto::SystemRandom random;

  // The operator's stores, generated for this run: the HSM (master key, campaign KEK) and the design
  // system (Kos, Kmac). The SEs are personalized with the same values, as a factory would.
  const SecretBytes master(random.bytes(16));
  const SecretBytes kos(random.bytes(16));
  const SecretBytes kmac(random.bytes(16));
  auto hsm = offcard::SoftwareKeystore::in_memory();
  hsm->import_key("kmaster", master, offcard::KeyUsage::mac);
  hsm->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  auto design_store = offcard::SoftwareKeystore::in_memory();
  design_store->import_key("kos", kos, offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  design_store->import_key("kmac", kmac, offcard::KeyUsage::mac);

  const std::size_t good = options.ses - options.wrong_platform;
  VirtualFleet fleet(fleet_config(good, master, kos, kmac, kPlatform, 1, options.image_size));
  std::unique_ptr<VirtualFleet> other;
  if (options.wrong_platform > 0) {
    other = std::make_unique<VirtualFleet>(fleet_config(options.wrong_platform, master, kos, kmac, kOtherPlatform,
                                                        static_cast<std::uint32_t>(good + 1), options.image_size));
  }

  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::application;
  std::copy(kPlatform.begin(), kPlatform.end(), design.manifest.platform_id.begin());
  design.manifest.version = kImageVersion;
  design.manifest.name = "demo-app-2.0";
  design.body = image_body(options.image_size, random);
  design.profile = options.profile == 3 ? bc::Profile::campaign_key : bc::Profile::platform_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  const offcard::CampaignPackage package = offcard::design_campaign(*design_store, design);

  // The server, as `sefleet server` runs it, but on an ephemeral loopback port.
  const Bytes admin_secret = random.bytes(32);
  result.admin_token = "sfa_" + to_hex(admin_secret);
  offcard::server::ServerConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  result.database = (work.path() / "sefleet-demo.db").string();
  config.database_url = "sqlite:" + result.database;
  config.keystore = hsm.get();
  config.admin_token = result.admin_token;
  config.threads = options.server_threads;
  offcard::server::Server server(config);
  server.start();
  result.server_url = server.base_url();
  if (options.on_server_started) options.on_server_started(result.server_url);

  term::SessionOptions admin_session;
  admin_session.base_url = result.server_url;
  admin_session.token = result.admin_token;
  term::ApiClient admin(admin_session);

  // The endpoints in the order terminals take them, with the planned faults spread over the run.
  std::vector<SePlan> endpoints;
  std::vector<Bytes> targets;
  std::size_t pse_commands_estimate = package.pse.size();
  if (pse_commands_estimate == 0) {  // profile 4: the HSM builds the PSE; same block count
    pse_commands_estimate = (package.image.datasend_size + package.chunk_size) / package.chunk_size + 1;
  }
  const auto cuts = spread(options.power_cut, good, 0);
  for (std::size_t n = 0; n < good; ++n) {
    const std::string name = "se-" + std::to_string(n + 1);
    std::optional<std::size_t> cut;
    if (std::find(cuts.begin(), cuts.end(), n) != cuts.end()) {
      cut = mid_stream(pse_commands_estimate);
      result.faults[name] = {"power_cut", "loses power in the middle of the PSE on its first attempt"};
    }
    endpoints.push_back(SePlan{&fleet, n, name, cut});
    targets.push_back(fleet.profile(n).se_id);
  }
  const auto wrong_at = spread(options.wrong_platform, options.ses, 1);
  for (std::size_t k = 0; k < options.wrong_platform; ++k) {
    const std::string name = "se-" + std::to_string(good + k + 1);
    result.faults[name] = {"wrong_platform", "personalized for platform OTHERPLT: refuses the manifest for SEFLDEMO"};
    SePlan endpoint{other.get(), k, name, std::nullopt};
    targets.push_back(other->profile(k).se_id);
    const std::size_t at = std::min(wrong_at[k], endpoints.size());
    endpoints.insert(endpoints.begin() + static_cast<std::ptrdiff_t>(at), std::move(endpoint));
  }

  offcard::api::CampaignCreate create;
  create.name = "demo-app-2.0";
  create.package = offcard::serialize_campaign_package(package);
  create.master_key = "kmaster";
  create.targets = std::move(targets);
  create.policy.max_attempts = 3;
  if (options.profile == 4) create.campaign_kek = "campaign-kek";
  result.campaign_id = admin.create_campaign(create).id;
  std::vector<std::string> tokens;
  for (std::size_t t = 0; t < options.terminals; ++t) {
    tokens.push_back(admin.create_token({"demo-terminal-" + std::to_string(t + 1), {result.campaign_id}}).token);
  }
  result.setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();

  // The terminals: each its own token, HTTP connection, PSE cache and agent; they share the queue of SEs.
  result.results.resize(endpoints.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex report_mutex;
  std::exception_ptr failure;
  const auto campaign_start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < options.terminals; ++t) {
    threads.emplace_back([&, t] {
      try {
        term::SessionOptions session;
        session.base_url = result.server_url;
        session.token = tokens[t];
        term::ApiClient client(session);
        term::AgentOptions agent_options;
        agent_options.campaign_id = result.campaign_id;
        agent_options.cache_dir = work.path() / ("terminal-" + std::to_string(t + 1));
        agent_options.max_attempts_per_se = 3;
        // The SE this terminal serves next is taken from the queue while the current one is reported,
        // so that its authorization rides on that report. Only with the fleet's own in-process
        // endpoints, which are independent of each other: a custom factory's may share a reader (the
        // PC/SC demo inserts one card at a time into each terminal's slot).
        std::unique_ptr<term::SeEndpoint> upcoming;
        std::size_t upcoming_index = 0;
        if (!options.endpoint_factory) {
          agent_options.next_se = [&]() -> term::SeEndpoint* {
            if (!upcoming) {
              const std::size_t n = next++;
              if (n >= endpoints.size()) return nullptr;
              upcoming_index = n;
              upcoming = factory(endpoints[n], t);
            }
            return upcoming.get();
          };
        }
        term::Agent agent(client, agent_options, campaign_start);
        agent.prepare();
        if (t == 0) {
          std::lock_guard lock(report_mutex);
          result.pse_commands = agent.pse().commands.size();
          result.pse_bytes = static_cast<std::size_t>(agent.campaign().pse.size);
        }
        for (;;) {
          std::size_t n = upcoming_index;
          std::unique_ptr<term::SeEndpoint> endpoint = std::move(upcoming);
          if (!endpoint) {
            n = next++;
            if (n >= endpoints.size()) break;
            endpoint = factory(endpoints[n], t);
          }
          term::SeResult se = agent.update(*endpoint);
          std::lock_guard lock(report_mutex);
          result.results[n] = std::move(se);
          ++done;
          if (options.on_result) options.on_result(result.results[n], done.load(), endpoints.size());
        }
      } catch (...) {
        std::lock_guard lock(report_mutex);
        if (!failure) failure = std::current_exception();
        next = endpoints.size();  // the others stop taking SEs
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  result.campaign_seconds = std::chrono::duration<double>(Clock::now() - campaign_start).count();

  result.campaign = admin.campaign(result.campaign_id);
  result.timeline = admin.timeline(result.campaign_id);
  result.events = admin.events(result.campaign_id);

  using term::SeStatus;
  for (const auto& se : result.results) {
    ++result.finals[std::string(term::status_name(se.status))];
    result.attempts += se.attempts;
    for (const auto& attempt : se.history) {
      if (const std::string label = attempt.label(); !label.empty()) ++result.decisions[label];
    }
    const auto fault = result.faults.find(se.endpoint);
    const std::string kind = fault == result.faults.end() ? "" : fault->second.kind;
    bool expected = false;
    if (kind == "wrong_platform") {
      expected = se.status == SeStatus::quarantined && se.outcome == offcard::DeliveryOutcome::manifest_refused;
    } else if (kind == "power_cut") {
      expected = se.status == SeStatus::updated && se.attempts == 2;
    } else {
      expected = se.status == SeStatus::updated && se.attempts == 1;
    }
    if (!expected) result.unexpected.push_back(se.endpoint + " (" + se.final_line() + ")");
  }
  if (hold) hold(result);
  server.stop();
  return result;
}

nlohmann::json demo_summary_json(const DemoResult& result) {
  nlohmann::json ses = nlohmann::json::array();
  for (const auto& se : result.results) {
    const auto fault = result.faults.find(se.endpoint);
    nlohmann::json attempts = nlohmann::json::array();
    for (const auto& a : se.history) {
      attempts.push_back(
          {{"outcome", a.outcome ? nlohmann::json(offcard::api::name(*a.outcome)) : nlohmann::json(nullptr)},
           {"decision", a.label()},
           {"commands_sent", a.commands_sent},
           {"total_commands", a.total_commands},
           {"failure", a.failure},
           {"started", a.started},
           {"seconds", a.seconds}});
    }
    ses.push_back(
        {{"endpoint", se.endpoint},
         {"se_id", se.se_id},
         {"final", term::status_name(se.status)},
         {"outcome", se.outcome ? nlohmann::json(offcard::api::name(*se.outcome)) : nlohmann::json(nullptr)},
         {"attempts", se.attempts},
         {"message", se.final_line()},
         {"started", se.started},
         {"finished", se.finished},
         {"planned_fault", fault == result.faults.end() ? nlohmann::json(nullptr) : nlohmann::json(fault->second.kind)},
         {"history", attempts}});
  }
  const double rate =
      result.campaign_seconds > 0 ? static_cast<double>(result.results.size()) / result.campaign_seconds : 0;
  return {{"server_url", result.server_url},
          {"campaign_id", result.campaign_id},
          {"profile", result.profile},
          {"image_size", result.image_size},
          {"pse_bytes", result.pse_bytes},
          {"pse_commands", result.pse_commands},
          {"terminals", result.terminals},
          {"transport", result.transport_name},
          {"ses", result.results.size()},
          {"finals", result.finals},
          {"decisions", result.decisions},
          {"attempts", result.attempts},
          {"setup_seconds", result.setup_seconds},
          {"campaign_seconds", result.campaign_seconds},
          {"ses_per_second", rate},
          {"as_planned", result.as_planned()},
          {"unexpected", result.unexpected},
          {"server_progress", offcard::api::to_json(result.campaign).at("progress")},
          {"server_state", offcard::api::name(result.campaign.state)},
          {"results", ses}};
}

}  // namespace sefleet::sim::demo

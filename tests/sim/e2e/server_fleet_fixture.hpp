// Shared pieces of the management-server end-to-end tests: a real Server on 127.0.0.1:0 over SQLite
// (temp dir) or PostgreSQL (a private schema of SEFLEET_TEST_PG_URL), a virtual fleet, and a key-less
// terminal that does what docs/api.md asks over real HTTP: read the SE, ask for a PAUT, deliver it with
// the PSE downloaded from the server, report the answers.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/integration/pg_test_schema.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "sim/fleet/virtual_fleet.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test::server_e2e {

namespace bc = gp::broadcast;
using nlohmann::json;

enum class Backend { sqlite, postgresql };
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

inline const Bytes& master_key() {
  static const Bytes key(16, 0x4D);
  return key;
}
inline const Bytes& kos() {
  static const Bytes key{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                         0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F};
  return key;
}
inline const Bytes& kmac() {
  static const Bytes key{0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                         0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F};
  return key;
}
inline const Bytes& platform() {
  static const Bytes id{0x50, 0x4C, 0x41, 0x54, 0x30, 0x30, 0x30, 0x31};
  return id;
}
inline const std::string kAdminToken = "admin-token-for-tests";

inline sim::FleetConfig fleet_config(std::size_t size, std::uint32_t first_serial = 1) {
  sim::FleetConfig config;
  config.size = size;
  config.master_key = SecretBytes(master_key());
  config.platform_id = platform();
  config.platform_keys.version = 1;
  config.platform_keys.kos = SecretBytes(kos());
  config.platform_keys.kmac = SecretBytes(kmac());
  config.first_serial = first_serial;
  return config;
}

// A campaign package from the design system (which holds the platform keys, not the server).
inline Bytes campaign_package(bc::Profile profile, std::uint32_t version, bc::PlatformId platform_id = {}) {
  auto design_keys = offcard::SoftwareKeystore::in_memory();
  design_keys->import_key("kos", SecretBytes(kos()), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  design_keys->import_key("kmac", SecretBytes(kmac()), offcard::KeyUsage::mac);
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::application;
  if (platform_id == bc::PlatformId{}) std::copy(platform().begin(), platform().end(), platform_id.begin());
  design.manifest.platform_id = platform_id;
  design.manifest.version = version;
  design.manifest.name = "server-e2e-" + std::to_string(version);
  design.body = Bytes(700, static_cast<std::uint8_t>(version));
  design.profile = profile;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = 200;
  return offcard::serialize_campaign_package(offcard::design_campaign(*design_keys, design));
}

inline std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A database for one test: SQLite in a temp dir, or a private PostgreSQL schema.
class TestDatabase {
 public:
  explicit TestDatabase(Backend backend) {
    if (backend == Backend::sqlite) {
      url_ = "sqlite:" + (dir_.path() / "server.db").string();
    } else {
      pg_ = std::make_unique<PgTestSchema>();
      url_ = pg_->url();
    }
  }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::unique_ptr<PgTestSchema> pg_;
  std::string url_;
};

// The HSM of the tests: the fleet's master key and a campaign KEK.
inline std::unique_ptr<offcard::SoftwareKeystore> hsm_keystore() {
  auto hsm = offcard::SoftwareKeystore::in_memory();
  hsm->import_key("master", SecretBytes(master_key()), offcard::KeyUsage::mac);
  hsm->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  return hsm;
}

struct Http {
  int status = 0;
  json body;
  httplib::Headers headers;
};

class ApiClient {
 public:
  ApiClient(std::uint16_t port, std::string token) : client_("127.0.0.1", port), token_(std::move(token)) {
    client_.set_read_timeout(30);
  }
  Http post(const std::string& path, const json& body) {
    return wrap(client_.Post(path.c_str(), headers(), body.dump(), "application/json"));
  }
  Http get(const std::string& path) { return wrap(client_.Get(path.c_str(), headers())); }
  httplib::Result raw_get(const std::string& path) { return client_.Get(path.c_str(), headers()); }

 private:
  httplib::Headers headers() const { return {{"Authorization", "Bearer " + token_}}; }
  static Http wrap(const httplib::Result& result) {
    Http out;
    if (!result) {
      out.status = -1;
      return out;
    }
    out.status = result->status;
    out.headers = result->headers;
    if (!result->body.empty()) out.body = json::parse(result->body, nullptr, false);
    return out;
  }
  httplib::Client client_;
  std::string token_;
};

inline std::string se_id_hex(sim::VirtualFleet& fleet, std::size_t index) {
  return lower(to_hex(fleet.profile(index).se_id));
}

// A channel that stops after `limit` commands, as a reader that loses the SE mid-stream: the delivery
// is cut after INITIALIZE UPDATE answered, so its report is an authenticated failure.
class CutChannel final : public transport::CardChannel {
 public:
  CutChannel(transport::CardChannel& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
  Bytes transmit(ByteView command) override {
    if (sent_++ >= limit_) throw Error(Errc::io_error, "SE removed from the reader");
    return inner_.transmit(command);
  }
  Bytes atr() override { return inner_.atr(); }
  void reset() override { inner_.reset(); }
  std::string description() const override { return "cut"; }

 private:
  transport::CardChannel& inner_;
  std::size_t limit_;
  std::size_t sent_ = 0;
};

inline json identity_json(const offcard::SeAuthorizationRequest& se) {
  return json{{"se_id", to_hex(se.se_id)},
              {"kdd", to_hex(se.kdd)},
              {"kvn", se.kvn},
              {"i", se.i},
              {"sequence_counter", se.sequence_counter}};
}

inline json report_json(const json& authorization_id, ByteView se_id, const offcard::DeliveryReport& delivery) {
  const auto response_hex = [](const std::optional<iso7816::ResponseApdu>& r) {
    return r ? json(to_hex(r->encode())) : json(nullptr);
  };
  return json{{"authorization_id", authorization_id},
              {"se_id", to_hex(se_id)},
              {"total_commands", delivery.total_commands},
              {"commands_sent", delivery.commands_sent},
              {"initialize_update_response", response_hex(delivery.initialize_update_response)},
              {"authorize_response", response_hex(delivery.authorize_response)},
              {"failed_index", delivery.failed_index ? json(*delivery.failed_index) : json(nullptr)},
              {"failed_sw", delivery.failed_sw},
              {"failure", delivery.failure}};
}

// What a terminal with a token and no SE can send: "I never reached the SE".
inline json unverified_report(const json& authorization_id, ByteView se_id) {
  return json{{"authorization_id", authorization_id},
              {"se_id", to_hex(se_id)},
              {"total_commands", 10},
              {"commands_sent", 0},
              {"initialize_update_response", nullptr},
              {"authorize_response", nullptr},
              {"failed_index", nullptr},
              {"failed_sw", 0},
              {"failure", ""}};
}

// What one terminal attempt saw.
struct TerminalRun {
  Http authorization;
  Http report;
  json report_body;
};

// The terminal of docs/api.md for SE `index`: identity, PAUT, delivery with the server's PSE, report.
// With `cut_after`, the SE is lost after that many commands of the delivery (an authenticated failure
// once INITIALIZE UPDATE answered); with `send_report` false the report is built but not sent.
inline TerminalRun run_terminal(ApiClient& api, const std::string& campaign, sim::VirtualFleet& fleet,
                                std::size_t index, std::optional<std::size_t> cut_after = std::nullopt,
                                bool send_report = true) {
  TerminalRun run;
  auto& channel = fleet.channel(index);
  const offcard::SeAuthorizationRequest se = offcard::read_se_identity(channel, gp::isd_aid());
  run.authorization = api.post("/v1/campaigns/" + campaign + "/authorizations", identity_json(se));
  if (run.authorization.status != 201) return run;
  auto pse_response = api.raw_get("/v1/campaigns/" + campaign + "/pse");
  EXPECT_TRUE(pse_response && pse_response->status == 200);
  const offcard::PseFile pse = offcard::parse_pse_file(bytes_of(pse_response->body));
  offcard::EncodedPaut paut;
  for (std::size_t k = 0; k < 4; ++k) paut[k] = from_hex(run.authorization.body.at("paut")[k].get<std::string>());
  offcard::DeliveryReport delivery;
  if (cut_after) {
    CutChannel cut(channel, *cut_after);
    delivery = offcard::deliver(cut, gp::isd_aid(), paut, pse.commands);
    fleet.reopen(index);  // the SE comes back with a power cycle
  } else {
    delivery = offcard::deliver(channel, gp::isd_aid(), paut, pse.commands);
  }
  run.report_body = report_json(run.authorization.body.at("authorization_id"), se.se_id, delivery);
  if (send_report) run.report = api.post("/v1/campaigns/" + campaign + "/reports", run.report_body);
  return run;
}

inline json campaign_request(const Bytes& package, const std::vector<std::string>& targets) {
  return json{{"name", "e2e"},
              {"package", offcard::server::base64_encode(package)},
              {"master_key", "master"},
              {"campaign_kek", "campaign-kek"},
              {"targets", targets}};
}

inline std::vector<std::string> fleet_ids(sim::VirtualFleet& fleet) {
  std::vector<std::string> ids;
  for (std::size_t n = 0; n < fleet.size(); ++n) ids.push_back(se_id_hex(fleet, n));
  return ids;
}

// A server over `url` with the test clock `clock` (seconds) when given.
inline std::unique_ptr<offcard::server::Server> start_server(const std::string& url, offcard::Keystore& hsm,
                                                             std::function<std::int64_t()> clock = nullptr) {
  offcard::server::ServerConfig config;
  config.database_url = url;
  config.keystore = &hsm;
  config.admin_token = kAdminToken;
  config.threads = 4;
  config.now = std::move(clock);
  auto server = std::make_unique<offcard::server::Server>(config);
  server->start();
  return server;
}

}  // namespace sefleet::test::server_e2e

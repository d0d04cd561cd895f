#include "offcard/integration/http_test_server.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/secret.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/integration/raw_http_connection.hpp"
#include "offcard/server/base64.hpp"

namespace sefleet::test {
namespace {

using nlohmann::json;
namespace bc = gp::broadcast;

json answer_of(const std::optional<RawResponse>& response, int status, const std::string& what) {
  if (!response || response->status != status) {
    throw std::runtime_error(what + ": " +
                             (response ? std::to_string(response->status) + " " + response->body : "no answer"));
  }
  return json::parse(response->body);
}

}  // namespace

HttpTestServer::HttpTestServer(const offcard::server::http::HttpLimits& limits, std::size_t workers)
    : hsm_(offcard::SoftwareKeystore::in_memory()) {
  hsm_->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
  offcard::server::ServerConfig config;
  config.database_url = "sqlite:" + (dir_.path() / "http.db").string();
  config.keystore = hsm_.get();
  config.admin_token = kHttpTestAdmin;
  config.threads = workers;
  config.limits = limits;
  server_ = std::make_unique<offcard::server::Server>(config);
  server_->start();

  RawHttpConnection admin(port());
  const std::string auth = "Authorization: Bearer " + kHttpTestAdmin + "\r\nContent-Type: application/json\r\n";
  admin.send(http_request("POST", "/v1/campaigns", auth, campaign_upload_body()));
  campaign_ = answer_of(admin.read_response(), 201, "campaign upload").at("id");
  admin.send(http_request("POST", "/v1/tokens", auth, json{{"name", "t"}, {"campaigns", {campaign_}}}.dump()));
  terminal_token_ = answer_of(admin.read_response(), 201, "terminal token").at("token");
}

HttpTestServer::~HttpTestServer() {
  server_->stop();
}

std::string HttpTestServer::authorization_request(const std::string& token) const {
  const json identity{
      {"se_id", "0102030405060708"}, {"kdd", "00112233445566778899"}, {"kvn", 48}, {"i", 112}, {"sequence_counter", 5}};
  return http_request("POST", "/v1/campaigns/" + campaign_ + "/authorizations",
                      "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n", identity.dump());
}

std::string HttpTestServer::campaign_upload_body() {
  auto keys = offcard::SoftwareKeystore::in_memory();
  keys->import_key("kos", SecretBytes(Bytes(16, 0x11)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  keys->import_key("kmac", SecretBytes(Bytes(16, 0x22)), offcard::KeyUsage::mac);
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::os;
  design.manifest.version = 7;
  design.manifest.name = "http-test";
  design.body = Bytes(500, 0x42);
  design.profile = bc::Profile::campaign_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = 100;
  const Bytes package = offcard::serialize_campaign_package(offcard::design_campaign(*keys, design));
  return json{{"name", "http"},
              {"package", offcard::server::base64_encode(package)},
              {"master_key", "master"},
              {"targets", {"0102030405060708", "0102030405060709"}}}
      .dump();
}

}  // namespace sefleet::test

// Online authorization over loopback HTTP (docs/api.md "Online authorization"), SQLite: the session
// routes and the report of SCP11b and SCP11a/c sessions against gp's SCP11 card role, the server's
// choice among the SE's offers, and each refusal (chain, SE id, OCE chain, receipt, expired or altered
// or borrowed session state, rollout refusals, forged report); the same routes for online SCP03
// against gp's SCP03 card role with a random card challenge.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/p256.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/status_words.hpp"
#include "keystore_fixture.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/base64.hpp"
#include "offcard/server/server.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test {
namespace {

namespace bc = gp::broadcast;
namespace scp11 = gp::scp11;
using crypto::P256PrivateKey;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using nlohmann::json;

const std::string kOnlineAdminToken = "admin-token-of-the-online-test";
const std::string kSeA = "0102030405060708";
const std::string kSeB = "0102030405060709";

Bytes online_package_file() {
  auto keys = offcard::SoftwareKeystore::in_memory();
  keys->import_key("kos", SecretBytes(Bytes(16, 0x11)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  keys->import_key("kmac", SecretBytes(Bytes(16, 0x22)), offcard::KeyUsage::mac);
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::os;
  design.manifest.version = 7;
  design.manifest.name = "online-test";
  design.body = Bytes(500, 0x5A);
  design.profile = bc::Profile::campaign_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = 100;
  return offcard::serialize_campaign_package(offcard::design_campaign(*keys, design));
}

struct Pki {
  P256PrivateKey ca = P256PrivateKey::generate();
  P256PrivateKey other_ca = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();  // the SEs' PK.CA-KLOC.ECDSA
  P256PrivateKey oce = P256PrivateKey::generate();     // SK.OCE.ECKA, imported into the server's keystore
};
const Pki& pki() {
  static const Pki instance;
  return instance;
}

Bytes oce_certificate() {
  scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x0C, 0xE1};
  fields.ca_kloc_identifier = Bytes(20, 0x0C);
  fields.subject_identifier = bytes_of("sefleet server");
  fields.public_key = pki().oce.public_uncompressed();
  return scp11::make_gp_certificate(fields, pki().oce_ca);
}

// An SE offering SCP11 (its key pair serves KIDs 11, 13 and 15): its certificate (GP format, 5F20 = SE
// id), the OCE CA key it checks uploaded chains under and, once it answered the authenticate command,
// the session's card-side SCP03 engine.
class Se {
 public:
  explicit Se(const std::string& se_id, const P256PrivateKey& signer = pki().ca, std::string subject = "",
              const P256PrivateKey& oce_ca = pki().oce_ca)
      : id_(from_hex(se_id)), oce_ca_(oce_ca.public_uncompressed()) {
    scp11::GpCertificateFields fields;
    fields.serial = Bytes{0x01};
    fields.ca_kloc_identifier = Bytes(20, 0xCA);
    fields.subject_identifier = subject.empty() ? id_ : from_hex(subject);
    fields.public_key = key_.public_uncompressed();
    certificate_ = scp11::make_gp_certificate(fields, signer);
  }
  json session_request() const {
    return json{
        {"se_id", to_lower(to_hex(id_))}, {"certificates", to_hex(certificate_)}, {"kvn", 1}, {"variant", "11b"}};
  }
  // The request listing SCP11b first and SCP11a and c as further offers.
  json offering_all() const {
    json request = session_request();
    request["offers"] = json::array({json{{"variant", "11a"}, {"kvn", 1}, {"certificates", to_hex(certificate_)}},
                                     json{{"variant", "11c"}, {"kvn", 1}, {"certificates", to_hex(certificate_)}}});
    return request;
  }
  // The setup commands as a terminal sends them: stops at the first refusal, returns the last answer.
  ResponseApdu setup(const json& commands) {
    for (std::size_t k = 0; k + 1 < commands.size(); ++k) {
      const ResponseApdu uploaded =
          channel_.perform_security_operation(CommandApdu::parse(from_hex(commands.at(k).get<std::string>())), keys());
      if (!uploaded.ok()) return uploaded;
    }
    return answer(commands.back());
  }
  ResponseApdu answer(const std::string& command_hex) {
    const scp11::Scp11CardKeys keys = this->keys();
    std::optional<scp11::Scp11Established> established;
    const ResponseApdu response =
        channel_.authenticate(CommandApdu::parse(from_hex(command_hex)), keys, crypto::system_random(), established);
    if (established) {
      engine_ = std::make_unique<gp::SecureMessaging>(established->keys, gp::Scp03Mode::s8, 0x33);
      engine_->begin(established->receipt);
    }
    return response;
  }
  // Runs CHANGE MODE and AUTHORIZE ACTION and answers an activated status of the campaign.
  ResponseApdu authorize(const json& paut) {
    const auto change_mode = engine_->unwrap_command(CommandApdu::parse(from_hex(paut.at(0).get<std::string>())));
    EXPECT_TRUE(change_mode.has_value());
    const auto campaign = bc::parse_change_mode_to_broadcast(change_mode->data).campaign_id;
    (void)engine_->wrap_response(ResponseApdu(iso7816::sw::kOk));
    const auto authorize = engine_->unwrap_command(CommandApdu::parse(from_hex(paut.at(1).get<std::string>())));
    EXPECT_TRUE(authorize.has_value());
    bc::ImageStatus status;
    status.campaign_id = campaign;
    status.active_version = 7;
    return engine_->wrap_response(ResponseApdu(bc::encode_image_status(status), iso7816::sw::kOk));
  }

  static std::string to_lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

 private:
  scp11::Scp11CardKeys keys() const {
    scp11::Scp11CardKeys keys;
    keys.kvn = 0x01;
    keys.sd_key = &key_;
    keys.oce_kvn = 0x10;
    keys.oce_ca_key = oce_ca_;
    return keys;
  }
  Bytes id_;
  Bytes oce_ca_;
  P256PrivateKey key_ = P256PrivateKey::generate();
  Bytes certificate_;
  scp11::Scp11CardChannel channel_;
  std::unique_ptr<gp::SecureMessaging> engine_;
};

std::string hex_of(const ResponseApdu& response) {
  return to_hex(response.encode());
}

// The terminal's report of an SCP11 online authorization whose commands were all sent.
json scp11_report(const json& grant, const std::string& se_id, int commands, const ResponseApdu& answer,
                  const ResponseApdu& status) {
  return json{{"authorization_id", grant.at("authorization_id")},
              {"se_id", se_id},
              {"total_commands", commands},
              {"commands_sent", commands},
              {"authenticate_response", hex_of(answer)},
              {"authorize_response", hex_of(status)}};
}

class ServerOnline : public ::testing::Test {
 protected:
  // `with_oce_key`: the server holds an OCE key (in its keystore) and chain, and runs SCP11a/c too.
  // `oce_on_softhsm`: the server's keystore (SK.OCE.ECKA included) is a PKCS#11 token on SoftHSM2.
  explicit ServerOnline(bool with_oce_key = false, bool oce_on_softhsm = false) {
    if (oce_on_softhsm) {
      softhsm_.emplace();
      hsm_ = offcard::testing::open_token(*softhsm_);
    } else {
      hsm_ = offcard::SoftwareKeystore::in_memory();
    }
    hsm_->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
    hsm_->import_key("session-kek", SecretBytes(Bytes(16, 0x5E)), offcard::KeyUsage::wrap);
    hsm_->import_ec("oce", pki().oce.scalar());
    offcard::server::ServerConfig config;
    config.database_url = "sqlite:" + (dir_.path() / "online.db").string();
    config.keystore = hsm_.get();
    config.admin_token = kOnlineAdminToken;
    config.threads = 2;
    config.online = offcard::server::OnlineAuthorizationConfig{pki().ca.public_uncompressed(),
                                                               offcard::KeyRef::current("session-kek"), std::nullopt};
    if (with_oce_key) {
      config.online->oce = offcard::OnlineOceKey{offcard::KeyRef::current("oce"), {oce_certificate()}, 0x10};
    }
    config.now = [this] { return now_.load(); };
    server_ = std::make_unique<offcard::server::Server>(config);
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    auto created = post("/v1/campaigns", json{{"name", "online"},
                                              {"package", offcard::server::base64_encode(online_package_file())},
                                              {"master_key", "master"},
                                              {"targets", {kSeA, kSeB}}}
                                             .dump());
    EXPECT_EQ(created->status, 201) << created->body;
    campaign_ = json::parse(created->body).at("id");
    auto token = post("/v1/tokens", json{{"name", "t"}, {"campaigns", {campaign_}}}.dump());
    token_ = json::parse(token->body).at("token");
  }

  httplib::Result post(const std::string& path, const std::string& body, const std::string& token = kOnlineAdminToken) {
    return client_->Post(path.c_str(), {{"Authorization", "Bearer " + token}}, body, "application/json");
  }
  std::string route(const std::string& tail) const { return "/v1/campaigns/" + campaign_ + tail; }
  static json body(const httplib::Result& result) { return json::parse(result->body); }
  static void expect_refusal(const httplib::Result& result, int status, const std::string& reason) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, status) << result->body;
    EXPECT_EQ(json::parse(result->body).value("reason", ""), reason) << result->body;
  }
  json start(Se& se, const std::string& token) {
    auto started = post(route("/sessions"), se.session_request().dump(), token);
    EXPECT_EQ(started->status, 201) << started->body;
    return body(started);
  }
  static json answer_of(const json& started, const std::string& se_id, const ResponseApdu& response) {
    return json{{"se_id", se_id}, {"state", started.at("state")}, {"response", hex_of(response)}};
  }

  std::atomic<std::int64_t> now_{1'900'000'000};
  TempDir dir_;
  std::optional<offcard::testing::SoftHsmToken> softhsm_;  // declared first: outlives the keystore on it
  std::unique_ptr<offcard::Keystore> hsm_;
  std::unique_ptr<offcard::server::Server> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string campaign_;
  std::string token_;
};

TEST_F(ServerOnline, Scp11bSessionAuthorizesAndTheReportIsAuthenticated) {
  Se se(kSeA);
  const json started = start(se, token_);
  ASSERT_EQ(started.at("commands").size(), 1u);
  EXPECT_EQ(started.at("expires_at"), now_.load() + 120);
  const ResponseApdu answer = se.answer(started.at("commands").at(0));
  ASSERT_TRUE(answer.ok());
  auto granted = post(route("/sessions/" + started.at("session_id").get<std::string>()),
                      answer_of(started, kSeA, answer).dump(), token_);
  ASSERT_EQ(granted->status, 201) << granted->body;
  const json grant = body(granted);
  EXPECT_EQ(grant.at("action"), "activate");
  ASSERT_EQ(grant.at("paut").size(), 2u);
  const ResponseApdu status = se.authorize(grant.at("paut"));

  json report = scp11_report(grant, kSeA, 8, answer, status);
  // A status whose R-MAC the terminal altered is not believed.
  json forged = report;
  ResponseApdu altered = status;
  altered.data.back() ^= 0x01;
  forged["authorize_response"] = hex_of(altered);
  auto unverified = post(route("/reports"), forged.dump(), token_);
  ASSERT_EQ(unverified->status, 200) << unverified->body;
  EXPECT_EQ(body(unverified).at("outcome"), "not_authenticated");
  EXPECT_EQ(body(unverified).at("evidence"), "unverified");

  auto reported = post(route("/reports"), report.dump(), token_);
  ASSERT_EQ(reported->status, 200) << reported->body;
  EXPECT_EQ(body(reported).at("outcome"), "activated");
  EXPECT_EQ(body(reported).at("evidence"), "authenticated");
  EXPECT_EQ(body(reported).at("decision"), "updated");
  // The SE is updated: another session's answer is refused like an authorization.
  Se again(kSeA);
  const json restarted = start(again, token_);
  expect_refusal(post(route("/sessions/" + restarted.at("session_id").get<std::string>()),
                      answer_of(restarted, kSeA, again.answer(restarted.at("commands").at(0))).dump(), token_),
                 409, "already_updated");
}

TEST_F(ServerOnline, RefusesChainsThatDoNotVerifyOrNameAnotherSe) {
  Se foreign(kSeA, pki().other_ca);
  expect_refusal(post(route("/sessions"), foreign.session_request().dump(), token_), 403, "chain_not_verified");
  Se borrowed(kSeA, pki().ca, kSeB);  // a genuine certificate of SE B presented for SE A
  expect_refusal(post(route("/sessions"), borrowed.session_request().dump(), token_), 403, "se_id_mismatch");
  json scp11a = Se(kSeA).session_request();
  scp11a["variant"] = "11a";
  expect_refusal(post(route("/sessions"), scp11a.dump(), token_), 409, "no_common_variant");
}

TEST_F(ServerOnline, WithoutAnOceKeyTheServerChoosesScp11bAmongTheOffers) {
  Se se(kSeA);
  auto started = post(route("/sessions"), se.offering_all().dump(), token_);
  ASSERT_EQ(started->status, 201) << started->body;
  EXPECT_EQ(body(started).at("variant"), "11b");
  EXPECT_EQ(body(started).at("commands").size(), 1u);
  json bad_offer = se.offering_all();
  bad_offer["offers"][0]["variant"] = "12";
  expect_refusal(post(route("/sessions"), bad_offer.dump(), token_), 400, "invalid_field");
}

class ServerOnlineWithOceKey : public ServerOnline {
 protected:
  explicit ServerOnlineWithOceKey(bool oce_on_softhsm = false) : ServerOnline(true, oce_on_softhsm) {}
  // Start (the server chooses SCP11a), the SE's setup, finish: the grant and the authenticate answer.
  std::pair<json, ResponseApdu> grant(Se& se, const json& request) {
    auto started = post(route("/sessions"), request.dump(), token_);
    EXPECT_EQ(started->status, 201) << started->body;
    const json start = body(started);
    const ResponseApdu answer = se.setup(start.at("commands"));
    EXPECT_TRUE(answer.ok());
    auto granted = post(route("/sessions/" + start.at("session_id").get<std::string>()),
                        answer_of(start, kSeA, answer).dump(), token_);
    EXPECT_EQ(granted->status, 201) << granted->body;
    return {body(granted), answer};
  }
};

TEST_F(ServerOnlineWithOceKey, Scp11aIsChosenAndItsReportIsAuthenticated) {
  Se se(kSeA);
  auto started = post(route("/sessions"), se.offering_all().dump(), token_);
  ASSERT_EQ(started->status, 201) << started->body;
  const json start = body(started);
  EXPECT_EQ(start.at("variant"), "11a");
  ASSERT_EQ(start.at("commands").size(), 2u);
  const CommandApdu upload = CommandApdu::parse(from_hex(start.at("commands").at(0).get<std::string>()));
  EXPECT_EQ(upload.ins, scp11::kInsPerformSecurityOperation);
  EXPECT_EQ(scp11::Scp11Certificate::parse(upload.data).public_key(), pki().oce.public_uncompressed());
  const CommandApdu mutual = CommandApdu::parse(from_hex(start.at("commands").at(1).get<std::string>()));
  EXPECT_EQ(mutual.ins, scp11::kInsMutualAuthenticate);
  EXPECT_EQ(mutual.p2, scp11::kKidScp11a);

  const ResponseApdu answer = se.setup(start.at("commands"));
  ASSERT_TRUE(answer.ok());
  auto granted = post(route("/sessions/" + start.at("session_id").get<std::string>()),
                      answer_of(start, kSeA, answer).dump(), token_);
  ASSERT_EQ(granted->status, 201) << granted->body;
  const json grant = body(granted);
  const ResponseApdu status = se.authorize(grant.at("paut"));
  json report = scp11_report(grant, kSeA, 9, answer, status);
  auto reported = post(route("/reports"), report.dump(), token_);
  ASSERT_EQ(reported->status, 200) << reported->body;
  EXPECT_EQ(body(reported).at("outcome"), "activated");
  EXPECT_EQ(body(reported).at("evidence"), "authenticated");
  EXPECT_EQ(body(reported).at("decision"), "updated");
}

// SCP11a with SK.OCE.ECKA on a PKCS#11 token (SoftHSM2): ShSss is the token's ECDH (CKM_ECDH1_DERIVE),
// the session KEK and the master key are the token's too; the report is authenticated as with the
// software keystore.
class ServerOnlineWithOceKeyOnSoftHsm : public ServerOnlineWithOceKey {
 protected:
  ServerOnlineWithOceKeyOnSoftHsm() : ServerOnlineWithOceKey(true) {}
};

TEST_F(ServerOnlineWithOceKeyOnSoftHsm, Scp11aRunsWithTheOceKeyOnTheTokenAndItsReportIsAuthenticated) {
  ASSERT_NE(dynamic_cast<offcard::Pkcs11Keystore*>(hsm_.get()), nullptr);
  Se se(kSeA);
  const auto [granted, answer] = grant(se, se.offering_all());
  const ResponseApdu status = se.authorize(granted.at("paut"));
  EXPECT_TRUE(status.ok());
  json report = scp11_report(granted, kSeA, 9, answer, status);
  auto reported = post(route("/reports"), report.dump(), token_);
  ASSERT_EQ(reported->status, 200) << reported->body;
  EXPECT_EQ(body(reported).at("outcome"), "activated");
  EXPECT_EQ(body(reported).at("evidence"), "authenticated");
  // An SE of another OCE CA refuses the chain of the token-held key at its upload.
  const P256PrivateKey other_oce_ca = P256PrivateKey::generate();
  Se stranger(kSeB, pki().ca, "", other_oce_ca);
  auto started = post(route("/sessions"), stranger.offering_all().dump(), token_);
  ASSERT_EQ(started->status, 201) << started->body;
  EXPECT_FALSE(stranger.setup(body(started).at("commands")).ok());
}

TEST_F(ServerOnlineWithOceKey, Scp11cRunsWhenTheSeOffersNoScp11a) {
  Se se(kSeA);
  json request = se.offering_all();
  request["offers"].erase(0);
  const auto [grant, answer] = this->grant(se, request);
  const ResponseApdu status = se.authorize(grant.at("paut"));
  json report = scp11_report(grant, kSeA, 9, answer, status);
  auto reported = post(route("/reports"), report.dump(), token_);
  ASSERT_EQ(reported->status, 200) << reported->body;
  EXPECT_EQ(body(reported).at("decision"), "updated");
}

TEST_F(ServerOnlineWithOceKey, AnSeOfAnotherOceCaRefusesTheChainAndAWrongReceiptIsRefused) {
  Se stranger(kSeA, pki().ca, "", pki().other_ca);
  auto started = post(route("/sessions"), stranger.offering_all().dump(), token_);
  ASSERT_EQ(started->status, 201) << started->body;
  const json start = body(started);
  const ResponseApdu refused = stranger.setup(start.at("commands"));
  EXPECT_EQ(refused.sw, iso7816::sw::kSecurityStatusNotSatisfied);  // PERFORM SECURITY OPERATION refused
  const std::string path = route("/sessions/" + start.at("session_id").get<std::string>());
  expect_refusal(post(path, answer_of(start, kSeA, refused).dump(), token_), 409, "card_refused");

  Se se(kSeA);
  auto again = post(route("/sessions"), se.offering_all().dump(), token_);
  const json restart = body(again);
  ResponseApdu answer = se.setup(restart.at("commands"));
  ASSERT_TRUE(answer.ok());
  answer.data.back() ^= 0x01;
  expect_refusal(post(route("/sessions/" + restart.at("session_id").get<std::string>()),
                      answer_of(restart, kSeA, answer).dump(), token_),
                 403, "wrong_receipt");
}

TEST_F(ServerOnline, RefusesAWrongReceiptAndBadSessionStates) {
  Se se(kSeA);
  const json started = start(se, token_);
  const std::string path = route("/sessions/" + started.at("session_id").get<std::string>());
  ResponseApdu answer = se.answer(started.at("commands").at(0));
  ResponseApdu wrong = answer;
  wrong.data.back() ^= 0x01;
  expect_refusal(post(path, answer_of(started, kSeA, wrong).dump(), token_), 403, "wrong_receipt");
  expect_refusal(post(path, answer_of(started, kSeA, ResponseApdu(0x6982)).dump(), token_), 409, "card_refused");
  // The state is sealed for this session, campaign and token.
  json altered = answer_of(started, kSeA, answer);
  std::string state = altered.at("state");
  state[10] = state[10] == '0' ? '1' : '0';
  altered["state"] = state;
  expect_refusal(post(path, altered.dump(), token_), 400, "invalid_session");
  expect_refusal(post(route("/sessions/" + std::string(32, 'a')), answer_of(started, kSeA, answer).dump(), token_), 400,
                 "invalid_session");
  expect_refusal(post(path, answer_of(started, kSeA, answer).dump(), kOnlineAdminToken), 400, "invalid_session");
  expect_refusal(post(path, answer_of(started, kSeB, answer).dump(), token_), 403, "se_id_mismatch");
  now_ += 121;
  expect_refusal(post(path, answer_of(started, kSeA, answer).dump(), token_), 410, "session_expired");
}

// An SE with SCP03 only and a random card challenge (i = 60), its keys derived from the campaign's
// master key; the application answers CHANGE MODE with 9000 and AUTHORIZE ACTION with an activated
// status of the campaign CHANGE MODE named.
class Scp03Se {
 public:
  Scp03Se(offcard::Keystore& hsm, const std::string& se_id) : id_(se_id) {
    registry_.put(hsm.derive_kdf3(offcard::KeyRef::current("master"), kdd_, 0x30));
    gp::Scp03CardConfig config;
    config.i = 0x60;
    config.key_diversification_data = kdd_;
    card_ = std::make_unique<gp::Scp03Card>(registry_, config);
  }
  json session_request() const {
    return json{{"protocol", "scp03"}, {"se_id", id_}, {"kdd", to_hex(kdd_)}, {"kvn", 0x30}, {"i", 0x60}};
  }
  ResponseApdu send(const json& command_hex) {
    return card_->process(CommandApdu::parse(from_hex(command_hex.get<std::string>())), [this](CommandApdu& plain) {
      if (plain.ins == bc::kInsChangeMode) campaign_ = bc::parse_change_mode_to_broadcast(plain.data).campaign_id;
      if (plain.ins != bc::kInsAuthorizeAction) return ResponseApdu(iso7816::sw::kOk);
      bc::ImageStatus status;
      status.campaign_id = campaign_;
      status.active_version = 7;
      return ResponseApdu(bc::encode_image_status(status), iso7816::sw::kOk);
    });
  }

 private:
  std::string id_;
  Bytes kdd_ = Bytes{0x5E, 0xF1, 0, 0, 0, 0, 0, 0, 0, 0x09};
  gp::InMemoryKeyRegistry registry_;
  std::unique_ptr<gp::Scp03Card> card_;
  bc::CampaignId campaign_{};
};

TEST_F(ServerOnline, Scp03SessionForARandomChallengeAuthorizesAndTheReportIsAuthenticated) {
  Scp03Se se(*hsm_, kSeA);
  auto started_result = post(route("/sessions"), se.session_request().dump(), token_);
  ASSERT_EQ(started_result->status, 201) << started_result->body;
  const json started = body(started_result);
  ASSERT_EQ(started.at("commands").size(), 1u);
  const ResponseApdu iu = se.send(started.at("commands").at(0));
  ASSERT_TRUE(iu.ok());
  const std::string path = route("/sessions/" + started.at("session_id").get<std::string>());
  json answer = answer_of(started, kSeA, iu);
  answer["protocol"] = "scp03";

  // Refusals first: a wrong card cryptogram, a card refusal, the state taken for an SCP11 session's.
  ResponseApdu wrong = iu;
  wrong.data.back() ^= 0x01;
  json wrong_answer = answer_of(started, kSeA, wrong);
  wrong_answer["protocol"] = "scp03";
  expect_refusal(post(path, wrong_answer.dump(), token_), 403, "wrong_cryptogram");
  json refused = answer_of(started, kSeA, ResponseApdu(0x6A88));
  refused["protocol"] = "scp03";
  expect_refusal(post(path, refused.dump(), token_), 409, "card_refused");
  expect_refusal(post(path, answer_of(started, kSeA, iu).dump(), token_), 400, "invalid_session");

  auto granted = post(path, answer.dump(), token_);
  ASSERT_EQ(granted->status, 201) << granted->body;
  const json grant = body(granted);
  ASSERT_EQ(grant.at("session_commands").size(), 1u);
  ASSERT_EQ(grant.at("paut").size(), 2u);
  ASSERT_EQ(se.send(grant.at("session_commands").at(0)).sw, iso7816::sw::kOk);
  ASSERT_EQ(se.send(grant.at("paut").at(0)).sw, iso7816::sw::kOk);
  const ResponseApdu status = se.send(grant.at("paut").at(1));
  ASSERT_TRUE(status.ok());

  json report{{"authorization_id", grant.at("authorization_id")},
              {"se_id", kSeA},
              {"total_commands", 9},
              {"commands_sent", 9},
              {"initialize_update_response", hex_of(iu)},
              {"authorize_response", hex_of(status)}};
  json forged = report;
  ResponseApdu altered = status;
  altered.data.back() ^= 0x01;
  forged["authorize_response"] = hex_of(altered);
  auto unverified = post(route("/reports"), forged.dump(), token_);
  ASSERT_EQ(unverified->status, 200) << unverified->body;
  EXPECT_EQ(body(unverified).at("evidence"), "unverified");
  auto reported = post(route("/reports"), report.dump(), token_);
  ASSERT_EQ(reported->status, 200) << reported->body;
  EXPECT_EQ(body(reported).at("outcome"), "activated");
  EXPECT_EQ(body(reported).at("evidence"), "authenticated");
  EXPECT_EQ(body(reported).at("decision"), "updated");
}

TEST_F(ServerOnline, Scp03SessionRefusesBadRequests) {
  json request = Scp03Se(*hsm_, kSeA).session_request();
  request["i"] = 0x00;  // no R-MAC: the broadcast flow cannot run
  expect_refusal(post(route("/sessions"), request.dump(), token_), 400, "invalid_session");
  request["i"] = 0x60;
  request["kdd"] = "0102";
  expect_refusal(post(route("/sessions"), request.dump(), token_), 400, "invalid_field");
  request = Scp03Se(*hsm_, kSeA).session_request();
  request["protocol"] = "scp02";
  expect_refusal(post(route("/sessions"), request.dump(), token_), 400, "invalid_field");
  // A random challenge gets no offline PAUT.
  json offline = Scp03Se(*hsm_, kSeA).session_request();
  offline.erase("protocol");
  offline["sequence_counter"] = 0;
  expect_refusal(post(route("/authorizations"), offline.dump(), token_), 400, "invalid_field");
}

TEST_F(ServerOnline, TheRolloutRefusalsApply) {
  ASSERT_EQ(post(route("/pause"), "")->status, 200);
  Se se(kSeA);
  const json started = start(se, token_);
  expect_refusal(post(route("/sessions/" + started.at("session_id").get<std::string>()),
                      answer_of(started, kSeA, se.answer(started.at("commands").at(0))).dump(), token_),
                 409, "paused");
}

}  // namespace
}  // namespace sefleet::test

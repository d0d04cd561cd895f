// The terminal agent's online authorization (scp11.md "Online authorization"), end to end over real
// HTTP with the real management server (SQLite, software keystore) and virtual SEs: in mixed fleets
// the SEs offering SCP11 go online (SCP11a where the SE holds an OCE CA key and the server an OCE
// key, else SCP11b) and the SCP03-only ones get offline PAUTs, all are updated once; an SE whose OCE
// CA key is another refuses the server's chain and is not updated; a forged receipt is refused by the
// server, and a tampered PSE block or an integrity code that does not match the image, relayed in an
// online session, is not activated. SEs whose SCP03 card challenge is random go online over SCP03.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/p256.hpp"
#include "gp/scp03_types.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "offcard/api/json_reader.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/terminal/http_session.hpp"
#include "terminal_bench.hpp"

namespace sefleet {
namespace {

namespace term = offcard::terminal;
using offcard::api::DeviceState;
using term::SeStatus;
using Bench = test::TerminalBench;

const crypto::P256PrivateKey& card_ca() {
  static const crypto::P256PrivateKey key = crypto::P256PrivateKey::generate();
  return key;
}

// The SEs' PK.CA-KLOC.ECDSA, the server's OCE key and its certificate (GP format) under that CA.
struct OcePki {
  crypto::P256PrivateKey ca = crypto::P256PrivateKey::generate();
  crypto::P256PrivateKey other_ca = crypto::P256PrivateKey::generate();
  crypto::P256PrivateKey key = crypto::P256PrivateKey::generate();
  Bytes certificate() const {
    gp::scp11::GpCertificateFields fields;
    fields.serial = Bytes{0x0C, 0xE1};
    fields.ca_kloc_identifier = Bytes(20, 0x0C);
    fields.subject_identifier = bytes_of("sefleet server");
    fields.public_key = key.public_uncompressed();
    return gp::scp11::make_gp_certificate(fields, ca);
  }
};
const OcePki& oce() {
  static const OcePki pki;
  return pki;
}

// SCP11 keys for an SE: a key pair and its GP-format certificate naming the SE (5F20 = SE id),
// signed by the card CA the server trusts.
card::Scp11Profile scp11_keys(const Bytes& se_id) {
  const crypto::P256PrivateKey key = crypto::P256PrivateKey::generate();
  gp::scp11::GpCertificateFields fields;
  fields.serial = Bytes{0x01};
  fields.ca_kloc_identifier = Bytes(20, 0xCA);
  fields.subject_identifier = se_id;
  fields.public_key = key.public_uncompressed();
  card::Scp11Profile scp11;
  scp11.kvn = 0x01;
  scp11.sk_sd_ecka = key.scalar();
  scp11.certificates.push_back(gp::scp11::make_gp_certificate(fields, card_ca()));
  return scp11;
}

// SCP11 keys (SCP11b only: no OCE CA key) for the SEs with an odd last byte of their id.
std::optional<card::Scp11Profile> scp11_for_odd(const card::CardProfile& profile) {
  if ((profile.se_id.back() & 1) == 0) return std::nullopt;
  return scp11_keys(profile.se_id);
}

Bench::Online online_setup() {
  return Bench::Online{card_ca().public_uncompressed(), scp11_for_odd, {}, {}, {}};
}

// The kind of SE by the last byte of its id modulo 3: 0 SCP03 only, 1 SCP11 with the OCE CA key (SCP11a
// runs), 2 SCP11 without one (SCP11b runs).
enum class SeKind { scp03, scp11a, scp11b };
SeKind kind_of(ByteView se_id) {
  return static_cast<SeKind>(se_id.back() % 3);
}

// A mixed fleet: the SEs of kind scp11a hold `oce_ca` as their PK.CA-KLOC.ECDSA (KVN 10).
Bench::Online mixed_setup(const crypto::P256PrivateKey& oce_ca = oce().ca) {
  const Bytes ca_point = oce_ca.public_uncompressed();
  const auto scp11 = [ca_point](const card::CardProfile& profile) -> std::optional<card::Scp11Profile> {
    if (kind_of(profile.se_id) == SeKind::scp03) return std::nullopt;
    card::Scp11Profile out = scp11_keys(profile.se_id);
    if (kind_of(profile.se_id) == SeKind::scp11a) out.oce_ca_pk = ca_point;
    return out;
  };
  return Bench::Online{card_ca().public_uncompressed(), scp11, {}, oce().key.scalar(), {oce().certificate()}};
}

bool offers_scp11(Bench& bench, std::size_t index) {
  return (bench.fleet->profile(index).se_id.back() & 1) != 0;
}

TEST(TerminalOnline, MixedFleetGoesOnlineWhereOfferedAndOfflineElsewhereAllUpdatedOnce) {
  Bench bench(4, 0, {}, online_setup());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  std::size_t online = 0;
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    EXPECT_EQ(result.outcome, offcard::DeliveryOutcome::activated);
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_EQ(result.history[0].online, offers_scp11(bench, n)) << "SE " << n;
    online += result.history[0].online ? 1 : 0;
  }
  EXPECT_EQ(online, 2u);
  EXPECT_EQ(bench.progress()[DeviceState::updated], 4);
  // Updated once: asking again is refused, online or not.
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    EXPECT_EQ(agent.update(endpoint).status, SeStatus::already_updated);
  }
}

TEST(TerminalOnline, OfflineModeUsesPautsForScp11SesToo) {
  Bench bench(2, 0, {}, online_setup());
  term::ApiClient client(bench.terminal_session());
  auto options = bench.agent_options();
  options.mode = term::AuthorizationMode::offline;
  term::Agent agent(client, options);
  agent.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_FALSE(result.history[0].online);
  }
}

TEST(TerminalOnline, OnlineModeRefusesAnSeWithoutScp11AndAServerWithoutSessions) {
  {
    Bench bench(2, 0, {}, online_setup());
    term::ApiClient client(bench.terminal_session());
    auto options = bench.agent_options();
    options.mode = term::AuthorizationMode::online;
    term::Agent agent(client, options);
    agent.prepare();
    for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
      sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
      const term::SeResult result = agent.update(endpoint);
      if (offers_scp11(bench, n)) {
        EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
      } else {
        EXPECT_EQ(result.status, SeStatus::error);
        EXPECT_NE(result.reason.find("offers no SCP11 key"), std::string::npos) << result.reason;
      }
    }
  }
  // A server without a card CA key: automatic mode falls back to PAUTs, online mode fails.
  Bench::Online keys_only = online_setup();
  Bench bench(2, 0, {}, keys_only);
  bench.online_config.reset();
  bench.server.reset();
  bench.start_server(0);
  term::ApiClient client(bench.terminal_session());
  auto forced = bench.agent_options();
  forced.mode = term::AuthorizationMode::online;
  term::Agent online(client, forced);
  online.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    if (!offers_scp11(bench, n)) continue;
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = online.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::error) << result.final_line();
    EXPECT_NE(result.reason.find("card CA key"), std::string::npos) << result.reason;
  }
  term::Agent automatic(client, bench.agent_options());
  automatic.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = automatic.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    EXPECT_FALSE(result.history.at(0).online);
  }
}

// The first SE offering SCP11 (of `kind`, when given) in a fresh bench, its offers and the session
// the server started.
struct StartedSession {
  std::size_t index = 0;
  offcard::SeAuthorizationRequest identity;
  offcard::api::SessionStart start;
  offcard::DeliveryReport delivery;
};

StartedSession start_session(Bench& bench, term::ApiClient& client, std::size_t pse_commands,
                             std::optional<SeKind> kind = std::nullopt) {
  StartedSession s;
  const auto fits = [&](std::size_t n) {
    const Bytes& id = bench.fleet->profile(n).se_id;
    return kind ? kind_of(id) == *kind : offers_scp11(bench, n);
  };
  while (!fits(s.index)) ++s.index;
  transport::CardChannel& channel = bench.fleet->channel(s.index);
  s.identity = offcard::read_se_identity(channel, gp::isd_aid());
  const auto offers = offcard::read_scp11_offers(channel);
  EXPECT_FALSE(offers.empty());
  s.start = client.start_session(bench.campaign_id, offcard::online_session_request(s.identity.se_id, offers));
  s.delivery = offcard::begin_online_delivery(channel, gp::isd_aid(), s.start.commands, pse_commands);
  EXPECT_TRUE(s.delivery.authenticate_response && s.delivery.authenticate_response->ok()) << s.delivery.failure;
  return s;
}

TEST(TerminalOnline, MixedFleetScp03OfflineScp11aAndScp11bOnlineEachUpdatedOnce) {
  Bench bench(6, 0, {}, mixed_setup());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  std::map<SeKind, int> seen;
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    ASSERT_EQ(result.history.size(), 1u);
    const SeKind kind = kind_of(bench.fleet->profile(n).se_id);
    ++seen[kind];
    EXPECT_EQ(result.history[0].online, kind != SeKind::scp03) << "SE " << n;
    const std::optional<gp::scp11::Variant> expected = kind == SeKind::scp11a   ? std::optional(gp::scp11::Variant::a)
                                                       : kind == SeKind::scp11b ? std::optional(gp::scp11::Variant::b)
                                                                                : std::nullopt;
    EXPECT_EQ(result.history[0].variant, expected) << "SE " << n;
  }
  EXPECT_EQ(seen[SeKind::scp03], 2);
  EXPECT_EQ(seen[SeKind::scp11a], 2);
  EXPECT_EQ(seen[SeKind::scp11b], 2);
  EXPECT_EQ(bench.progress()[DeviceState::updated], 6);
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    EXPECT_EQ(agent.update(endpoint).status, SeStatus::already_updated);
  }
}

// SEs whose key pair is installed under KID 15 alone (SCP11c, with the OCE CA key): the terminal finds
// that one offer and the server runs the campaign over SCP11c.
TEST(TerminalOnline, SesOfferingOnlyKid15AreUpdatedOnceOverScp11c) {
  const Bytes ca_point = oce().ca.public_uncompressed();
  const auto scp11c_only = [ca_point](const card::CardProfile& profile) -> std::optional<card::Scp11Profile> {
    card::Scp11Profile out = scp11_keys(profile.se_id);
    out.sd_key_ids = {gp::scp11::kKidScp11c};
    out.oce_ca_pk = ca_point;
    return out;
  };
  Bench bench(
      3, 0, {},
      Bench::Online{card_ca().public_uncompressed(), scp11c_only, {}, oce().key.scalar(), {oce().certificate()}});
  {
    transport::CardChannel& channel = bench.fleet->channel(0);
    (void)offcard::read_se_identity(channel, gp::isd_aid());  // selects the ISD
    const auto offers = offcard::read_scp11_offers(channel);
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_EQ(offers[0].variant, gp::scp11::Variant::c);
  }
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_TRUE(result.history[0].online) << "SE " << n;
    EXPECT_EQ(result.history[0].variant, std::optional(gp::scp11::Variant::c)) << "SE " << n;
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 3);
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    EXPECT_EQ(agent.update(endpoint).status, SeStatus::already_updated);
  }
}

TEST(TerminalOnline, AnSeOfAnotherOceCaRefusesTheChainAndIsNotUpdated) {
  Bench bench(3, 0, {}, mixed_setup(oce().other_ca));
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    if (kind_of(bench.fleet->profile(n).se_id) != SeKind::scp11a) {
      EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
      continue;
    }
    EXPECT_EQ(result.status, SeStatus::error) << result.final_line();
    ASSERT_FALSE(result.history.empty());
    // The terminal stopped at the refused PERFORM SECURITY OPERATION: no authenticate command sent.
    EXPECT_NE(result.history[0].failure.find("command 0 answered"), std::string::npos) << result.history[0].failure;
    EXPECT_NE(result.history[0].failure.find("6982"), std::string::npos) << result.history[0].failure;
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 2);
}

TEST(TerminalOnline, Scp11aForgedReceiptIsRefused) {
  Bench bench(3, 0, {}, mixed_setup());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  StartedSession s = start_session(bench, client, agent.pse().commands.size(), SeKind::scp11a);
  EXPECT_EQ(s.start.variant, gp::scp11::Variant::a);
  EXPECT_EQ(s.start.commands.size(), 2u);  // PERFORM SECURITY OPERATION, MUTUAL AUTHENTICATE
  offcard::api::SessionAnswer answer;
  answer.se_id = s.identity.se_id;
  answer.state = s.start.state;
  answer.response = *s.delivery.authenticate_response;
  answer.response.data.back() ^= 0x01;
  try {
    (void)client.finish_session(bench.campaign_id, s.start.session_id, answer);
    FAIL() << "a forged receipt was accepted";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.status(), 403);
    EXPECT_EQ(e.reason(), "wrong_receipt");
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);
}

TEST(TerminalOnline, ForgedReceiptIsRefused) {
  Bench bench(2, 0, {}, online_setup());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  StartedSession s = start_session(bench, client, agent.pse().commands.size());
  offcard::api::SessionAnswer answer;
  answer.se_id = s.identity.se_id;
  answer.state = s.start.state;
  answer.response = *s.delivery.authenticate_response;
  answer.response.data.back() ^= 0x01;  // the receipt is the answer's last object
  try {
    (void)client.finish_session(bench.campaign_id, s.start.session_id, answer);
    FAIL() << "a forged receipt was accepted";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.status(), 403);
    EXPECT_EQ(e.reason(), "wrong_receipt");
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);
}

// A tampered block relayed in an SCP11b (fleet of online_setup) or SCP11a (mixed fleet) session.
void expect_tampered_block_not_activated(Bench& bench, std::optional<SeKind> kind) {
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  std::vector<Bytes> pse = agent.pse().commands;
  ASSERT_GT(pse.size(), 3u);
  pse[pse.size() / 2].back() ^= 0x5A;  // one byte of a block in the middle
  StartedSession s = start_session(bench, client, pse.size(), kind);
  offcard::api::SessionAnswer answer;
  answer.se_id = s.identity.se_id;
  answer.state = s.start.state;
  answer.response = *s.delivery.authenticate_response;
  const auto granted = client.finish_session(bench.campaign_id, s.start.session_id, answer);
  ASSERT_TRUE(granted.granted.has_value());
  offcard::finish_online_delivery(bench.fleet->channel(s.index), s.delivery, granted.granted->paut, pse);
  offcard::api::ReportRequest report;
  report.authorization_id = granted.granted->authorization_id;
  report.se_id = s.identity.se_id;
  report.delivery = s.delivery;
  const auto decision = client.report(bench.campaign_id, report);
  EXPECT_NE(decision.outcome, offcard::DeliveryOutcome::activated) << decision.reason;
  EXPECT_NE(decision.decision, DeviceState::updated) << decision.reason;
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);

  // The SE kept its old image and the next (honest) run updates it online.
  sim::demo::FleetEndpoint endpoint(*bench.fleet, s.index, "se");
  bench.fleet->reopen(s.index);
  bench.clock += 3600;  // past any back-off
  const term::SeResult result = agent.update(endpoint, std::chrono::seconds(0));
  EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
  EXPECT_TRUE(result.history.back().online);
}

// ---- online SCP03: an SE whose SCP03 card challenge is random ----

// A fleet of three: SE 1 has SCP03 with a pseudo-random challenge (i = 70: an offline PAUT), SE 2 SCP03
// with a random one (i = 60: online SCP03), SE 3 SCP11b (online SCP11).
constexpr std::size_t kPseudoRandomSe = 0;
constexpr std::size_t kRandomChallengeSe = 1;
constexpr std::size_t kScp11Se = 2;

Bench::Online three_protocols() {
  const auto last = [](const card::CardProfile& profile) { return profile.se_id.back(); };
  return Bench::Online{
      card_ca().public_uncompressed(),
      [last](const card::CardProfile& profile) {
        return last(profile) == 3 ? scp11_for_odd(profile) : std::optional<card::Scp11Profile>();
      },
      [last](const card::CardProfile& profile) { return static_cast<std::uint8_t>(last(profile) == 2 ? 0x60 : 0x70); },
      {},
      {}};
}

TEST(TerminalOnlineScp03, FleetOfThreeProtocolsIsUpdatedOnceEach) {
  Bench bench(3, 0, {}, three_protocols());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    const term::SeResult result = agent.update(endpoint);
    EXPECT_EQ(result.status, SeStatus::updated) << "SE " << n << ": " << result.final_line();
    EXPECT_EQ(result.outcome, offcard::DeliveryOutcome::activated);
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_EQ(result.history[0].online, n != kPseudoRandomSe) << "SE " << n;
    EXPECT_EQ(result.history[0].variant.has_value(), n == kScp11Se) << "only the SCP11 session names a variant";
    EXPECT_EQ(result.history[0].evidence, offcard::api::Evidence::authenticated);
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 3);
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    EXPECT_EQ(agent.update(endpoint).status, SeStatus::already_updated) << "SE " << n;
  }
  // Offline mode cannot serve the random-challenge SE: the server refuses to compute its PAUT.
  Bench offline_bench(3, 0, {}, three_protocols());
  term::ApiClient offline_client(offline_bench.terminal_session());
  auto options = offline_bench.agent_options();
  options.mode = term::AuthorizationMode::offline;
  term::Agent offline(offline_client, options);
  offline.prepare();
  sim::demo::FleetEndpoint endpoint(*offline_bench.fleet, kRandomChallengeSe, "se");
  EXPECT_FALSE(offline.update(endpoint).success());
  EXPECT_EQ(offline_bench.progress()[DeviceState::updated], 0);
}

// An online SCP03 session of the random-challenge SE up to the SE's INITIALIZE UPDATE answer.
StartedSession start_scp03_session(Bench& bench, term::ApiClient& client, std::size_t pse_commands) {
  StartedSession s;
  s.index = kRandomChallengeSe;
  transport::CardChannel& channel = bench.fleet->channel(s.index);
  s.identity = offcard::read_se_identity(channel, gp::isd_aid());
  EXPECT_EQ(s.identity.i, 0x60);
  s.start = client.start_scp03_session(bench.campaign_id, s.identity);
  s.delivery = offcard::begin_online_delivery(channel, gp::isd_aid(), s.start.commands, pse_commands + 1);
  s.delivery.initialize_update_response = std::exchange(s.delivery.authenticate_response, std::nullopt);
  EXPECT_TRUE(s.delivery.initialize_update_response && s.delivery.initialize_update_response->ok());
  return s;
}

offcard::api::SessionAnswer scp03_answer(const StartedSession& s) {
  offcard::api::SessionAnswer answer;
  answer.se_id = s.identity.se_id;
  answer.state = s.start.state;
  answer.response = *s.delivery.initialize_update_response;
  answer.protocol = offcard::api::OnlineProtocol::scp03;
  return answer;
}

TEST(TerminalOnlineScp03, WrongCardCryptogramIsRefused) {
  Bench bench(3, 0, {}, three_protocols());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  StartedSession s = start_scp03_session(bench, client, agent.pse().commands.size());
  offcard::api::SessionAnswer answer = scp03_answer(s);
  answer.response.data.back() ^= 0x01;  // the card cryptogram ends the answer (no counter with i = 60)
  try {
    (void)client.finish_session(bench.campaign_id, s.start.session_id, answer);
    FAIL() << "a wrong card cryptogram was accepted";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.status(), 403);
    EXPECT_EQ(e.reason(), "wrong_cryptogram");
  }
  // The same answer as an SCP11 session's: the state does not open as one.
  answer = scp03_answer(s);
  answer.protocol = offcard::api::OnlineProtocol::scp11;
  try {
    (void)client.finish_session(bench.campaign_id, s.start.session_id, answer);
    FAIL() << "an SCP03 session's state was taken for an SCP11 one";
  } catch (const term::ApiError& e) {
    EXPECT_EQ(e.status(), 400);
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);
}

TEST(TerminalOnlineScp03, TamperedPseBlockIsNotActivated) {
  Bench bench(3, 0, {}, three_protocols());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  std::vector<Bytes> pse = agent.pse().commands;
  ASSERT_GT(pse.size(), 3u);
  pse[pse.size() / 2].back() ^= 0x5A;
  StartedSession s = start_scp03_session(bench, client, pse.size());
  const auto granted = client.finish_session(bench.campaign_id, s.start.session_id, scp03_answer(s));
  ASSERT_TRUE(granted.granted.has_value());
  ASSERT_EQ(granted.granted->session_commands.size(), 1u);
  offcard::finish_online_delivery(bench.fleet->channel(s.index), s.delivery, granted.granted->session_commands,
                                  granted.granted->paut, pse);
  ASSERT_TRUE(s.delivery.failed_index.has_value());
  EXPECT_EQ(*s.delivery.failed_index, 3 + pse.size() / 2) << "IU, EA, CHANGE MODE, then the block";
  offcard::api::ReportRequest report;
  report.authorization_id = granted.granted->authorization_id;
  report.se_id = s.identity.se_id;
  report.delivery = s.delivery;
  const auto decision = client.report(bench.campaign_id, report);
  EXPECT_EQ(decision.evidence, offcard::api::Evidence::authenticated) << decision.reason;
  EXPECT_NE(decision.outcome, offcard::DeliveryOutcome::activated) << decision.reason;
  EXPECT_NE(decision.decision, DeviceState::updated) << decision.reason;
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);

  // The SE kept its old image and the next (honest) run updates it online.
  sim::demo::FleetEndpoint endpoint(*bench.fleet, s.index, "se");
  bench.fleet->reopen(s.index);
  bench.clock += 3600;
  const term::SeResult result = agent.update(endpoint, std::chrono::seconds(0));
  EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
  EXPECT_TRUE(result.history.back().online);
}

// The campaign's wrapped integrity code altered before upload: every SE unwraps a code that does not
// match the image it received (as the offline negatives of broadcast_fleet_test.cpp do).
void forge_integrity_code(offcard::api::CampaignCreate& create) {
  offcard::CampaignPackage package = offcard::parse_campaign_package(create.package);
  package.terms.integrity_code.back() ^= 0x01;
  create.package = offcard::serialize_campaign_package(package);
}

TEST(TerminalOnline, BadIntegrityCodeOnlineIsRecordedAsOfflineAndNothingIsActivated) {
  Bench bench(2, 0, forge_integrity_code, online_setup());
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  std::vector<offcard::api::DeviceEntry> entries;
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
    term::SeResult result;
    (void)agent.step(endpoint, result);
    ASSERT_EQ(result.history.size(), 1u) << result.final_line();
    const term::AttemptRecord& attempt = result.history[0];
    EXPECT_EQ(attempt.online, offers_scp11(bench, n)) << "SE " << n;
    // The SE's R-MAC'd status says it discarded the data: an authenticated failure, retried.
    EXPECT_EQ(attempt.outcome, offcard::DeliveryOutcome::integrity_mismatch) << attempt.failure;
    EXPECT_EQ(attempt.evidence, offcard::api::Evidence::authenticated);
    EXPECT_EQ(attempt.decision, DeviceState::retry);
    const auto record = bench.admin().device(offcard::api::lower_hex(bench.fleet->profile(n).se_id));
    EXPECT_TRUE(record.images.empty()) << "SE " << n << " recorded with an image";
    ASSERT_EQ(record.campaigns.size(), 1u);
    entries.push_back(record.campaigns[0]);
    ASSERT_EQ(record.history.size(), 1u);
    ASSERT_EQ(record.history[0].reports.size(), 1u);
    EXPECT_TRUE(record.history[0].reports[0].counted);
  }
  // Online and offline record the same decision.
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.state, DeviceState::retry);
    EXPECT_EQ(entry.attempts, 1);
    EXPECT_EQ(entry.unverified_attempts, 0);
    EXPECT_NE(entry.reason.find("integrity_mismatch"), std::string::npos) << entry.reason;
  }
  EXPECT_EQ(entries[0].reason, entries[1].reason);
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);
}

TEST(TerminalOnline, TamperedPseBlockInAnScp11bSessionIsNotActivated) {
  Bench bench(2, 0, {}, online_setup());
  expect_tampered_block_not_activated(bench, std::nullopt);
}

TEST(TerminalOnline, TamperedPseBlockInAnScp11aSessionIsNotActivated) {
  Bench bench(3, 0, {}, mixed_setup());
  expect_tampered_block_not_activated(bench, SeKind::scp11a);
}

}  // namespace
}  // namespace sefleet

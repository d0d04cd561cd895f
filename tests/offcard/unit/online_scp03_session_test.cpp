// Online authorization over SCP03 for an SE whose card challenge is random: the HSM role's start /
// finish and the report's check against gp's SCP03 card role (Scp03Card with i = 60 or 61), the sealed
// state between the steps, and every refusal (cryptogram, key set, status word, malformed answer,
// state of another kind, binding or age).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/status_words.hpp"
#include "offcard/campaign/online_scp03_session.hpp"
#include "offcard/campaign/online_scp03_state.hpp"
#include "offcard/campaign/online_session_state.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "support/counting_bytes.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

using sefleet::test::counting_bytes;

const Bytes kScp03Kos = counting_bytes(16, 0x05);
const Bytes kBinding = bytes_of("session 1 campaign c token 1");

CampaignTerms scp03_terms() {
  CampaignTerms out;
  out.campaign_id = bc::CampaignId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  out.profile = bc::Profile::campaign_key;
  out.platform_key_version = 1;
  out.total_length = 1234;
  out.start.counter = bc::Block16{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
  out.start.chaining_value = bc::Block16{0xC4};
  out.wrapped_broadcast_keys = bc::wrap_broadcast_keys(
      kScp03Kos, bc::BroadcastKeys{SecretBytes(counting_bytes(16, 0x90)), SecretBytes(counting_bytes(16, 0xA0))});
  out.integrity_code = bc::wrap_integrity_code(kScp03Kos, Bytes(16, 0xCC));
  return out;
}

struct Scp03Hsm {
  std::unique_ptr<SoftwareKeystore> store = SoftwareKeystore::in_memory();
  std::optional<PautIssuer> issuer;
  Scp03Hsm() {
    store->import_key("master", SecretBytes(counting_bytes(16, 0x40)), KeyUsage::mac);
    store->import_key("session-kek", SecretBytes(counting_bytes(16, 0x70)), KeyUsage::wrap);
    issuer.emplace(*store, KeyRef::current("master"), scp03_terms());
  }
  KeyRef kek() const { return KeyRef::current("session-kek"); }
};

SeAuthorizationRequest se_request(std::uint8_t i, std::uint8_t kdd_first = 0x20) {
  SeAuthorizationRequest request;
  request.se_id = Bytes{0x53, 0x45, 0x00, 0x09};
  request.kdd = counting_bytes(gp::kKddSize, kdd_first);
  request.kvn = 0x30;
  request.i = i;
  return request;
}

// The SE: the SCP03 card role with its kdf3-derived keys, and an application that answers CHANGE MODE
// with 9000 (no PSE follows here) and AUTHORIZE ACTION with a status object of the campaign.
struct Scp03Se {
  Scp03Se(Scp03Hsm& hsm, const SeAuthorizationRequest& request) {
    registry.put(hsm.store->derive_kdf3(KeyRef::current("master"), request.kdd, request.kvn));
    gp::Scp03CardConfig config;
    config.i = request.i;
    config.key_diversification_data = request.kdd;
    card = std::make_unique<gp::Scp03Card>(registry, config);
  }
  ResponseApdu send(const CommandApdu& command) {
    return card->process(command, [](const CommandApdu& plain) {
      if (plain.ins != bc::kInsAuthorizeAction) return ResponseApdu(iso7816::sw::kOk);
      bc::ImageStatus status;
      status.campaign_id = scp03_terms().campaign_id;
      status.result = bc::result::kActivated;
      status.active_version = 7;
      return ResponseApdu(bc::encode_image_status(status), iso7816::sw::kOk);
    });
  }
  gp::InMemoryKeyRegistry registry;
  std::unique_ptr<gp::Scp03Card> card;
};

OnlineRefusal scp03_refusal_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const OnlineSessionError& error) {
    return error.reason();
  }
  ADD_FAILURE() << "no OnlineSessionError";
  return OnlineRefusal::bad_request;
}

class OnlineScp03 : public ::testing::TestWithParam<std::uint8_t> {};

TEST_P(OnlineScp03, StartFinishAndReportAgainstTheCardRole) {
  Scp03Hsm hsm;
  const SeAuthorizationRequest request = se_request(GetParam());
  Scp03Se se(hsm, request);
  const OnlineScp03Start start = start_online_scp03_session(request);
  ASSERT_EQ(start.commands.size(), 1u);
  EXPECT_EQ(start.commands[0].ins, gp::kInsInitializeUpdate);
  EXPECT_EQ(start.commands[0].p1, request.kvn);
  EXPECT_EQ(start.state.host_challenge.size(), gp::half_block_size(gp::mode_of(request.i)));
  EXPECT_NE(start_online_scp03_session(request).state.host_challenge, start.state.host_challenge);

  // The state travels sealed.
  const Bytes sealed = seal_online_scp03_session(*hsm.store, hsm.kek(), start.state, kBinding, 100);
  const OnlineScp03State state = open_online_scp03_session(*hsm.store, hsm.kek(), sealed, kBinding, 99);
  EXPECT_EQ(state.se, start.state.se);
  EXPECT_EQ(state.host_challenge, start.state.host_challenge);

  const ResponseApdu iu = se.send(start.commands[0]);
  ASSERT_EQ(iu.sw, iso7816::sw::kOk);
  const OnlineScp03Authorization granted =
      finish_online_scp03_session(state, iu, *hsm.issuer, bc::Action::verify_and_activate);
  ASSERT_EQ(granted.session_commands.size(), 1u);
  EXPECT_EQ(granted.session_commands[0].ins, gp::kInsExternalAuthenticate);
  EXPECT_EQ(granted.paut.commands[0].encode(), start.commands[0].encode()) << "PAUT[0] is what was sent";
  ASSERT_EQ(se.send(granted.session_commands[0]).sw, iso7816::sw::kOk) << se.card->last_refusal();
  ASSERT_EQ(se.send(granted.change_mode).sw, iso7816::sw::kOk) << se.card->last_refusal();
  const ResponseApdu aa = se.send(granted.authorize);
  ASSERT_EQ(aa.sw, iso7816::sw::kOk) << se.card->last_refusal();

  // The report is checked as a PAUT's, from the PautCheck alone (no secret kept).
  const bc::PautVerdict verdict =
      verify_se_answers(*hsm.store, KeyRef::current("master"), request, granted.paut.check, iu, aa);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(verdict.status->active_version, 7u);
  ResponseApdu forged = aa;
  forged.data.back() ^= 0x01;
  EXPECT_THROW(verify_se_answers(*hsm.store, KeyRef::current("master"), request, granted.paut.check, iu, forged),
               Error);
}

TEST_P(OnlineScp03, FinishRefusesAnAnswerThatIsNotTheSes) {
  Scp03Hsm hsm;
  const SeAuthorizationRequest request = se_request(GetParam());
  Scp03Se se(hsm, request);
  const OnlineScp03Start start = start_online_scp03_session(request);
  const ResponseApdu iu = se.send(start.commands[0]);
  const auto finish = [&](const ResponseApdu& answer, const OnlineScp03State& state) {
    return scp03_refusal_of(
        [&] { (void)finish_online_scp03_session(state, answer, *hsm.issuer, bc::Action::verify_only); });
  };
  ResponseApdu wrong_cryptogram = iu;
  wrong_cryptogram.data[13 + gp::half_block_size(gp::mode_of(request.i))] ^= 0x01;
  EXPECT_EQ(finish(wrong_cryptogram, start.state), OnlineRefusal::wrong_cryptogram);
  ResponseApdu other_challenge = iu;
  other_challenge.data[13] ^= 0x01;
  EXPECT_EQ(finish(other_challenge, start.state), OnlineRefusal::wrong_cryptogram);

  // Another SE (other KDD, so other keys) answering for the requested one: its answer names its own
  // KDD, and with the requested KDD put in, its cryptogram does not verify.
  const SeAuthorizationRequest other = se_request(GetParam(), 0x60);
  Scp03Se other_se(hsm, other);
  ResponseApdu foreign = other_se.send(start.commands[0]);
  EXPECT_EQ(finish(foreign, start.state), OnlineRefusal::wrong_cryptogram);
  std::copy(request.kdd.begin(), request.kdd.end(), foreign.data.begin());
  EXPECT_EQ(finish(foreign, start.state), OnlineRefusal::wrong_cryptogram);

  // The state of another host challenge: the SE's cryptogram covers the challenge it got.
  OnlineScp03State replayed = start.state;
  replayed.host_challenge.front() ^= 0x01;
  EXPECT_EQ(finish(iu, replayed), OnlineRefusal::wrong_cryptogram);

  EXPECT_EQ(finish(ResponseApdu(iso7816::sw::kReferencedDataNotFound), start.state), OnlineRefusal::card_refused);
  ResponseApdu truncated = iu;
  truncated.data.pop_back();
  EXPECT_EQ(finish(truncated, start.state), OnlineRefusal::bad_request);
}

INSTANTIATE_TEST_SUITE_P(RandomChallenge, OnlineScp03, ::testing::Values(0x60, 0x61),
                         [](const ::testing::TestParamInfo<std::uint8_t>& param_info) {
                           return param_info.param == 0x60 ? std::string("S8") : std::string("S16");
                         });

TEST(OnlineScp03Start, RefusesRequestsThatCannotWork) {
  const auto start = [](const std::function<void(SeAuthorizationRequest&)>& mutate) {
    SeAuthorizationRequest request = se_request(0x60);
    mutate(request);
    return scp03_refusal_of([&] { (void)start_online_scp03_session(request); });
  };
  EXPECT_EQ(start([](auto& r) { r.i = 0x00; }), OnlineRefusal::bad_request) << "no R-MAC";
  EXPECT_EQ(start([](auto& r) { r.i = 0x80; }), OnlineRefusal::bad_request) << "unknown i";
  EXPECT_EQ(start([](auto& r) { r.kvn = 0; }), OnlineRefusal::bad_request);
  EXPECT_EQ(start([](auto& r) { r.kdd.resize(9); }), OnlineRefusal::bad_request);
  EXPECT_EQ(start([](auto& r) { r.se_id.clear(); }), OnlineRefusal::bad_request);
}

TEST(OnlineScp03State, OpensOnlyForItsBindingKindAndTime) {
  Scp03Hsm hsm;
  const OnlineScp03Start start = start_online_scp03_session(se_request(0x60));
  const Bytes sealed = seal_online_scp03_session(*hsm.store, hsm.kek(), start.state, kBinding, 100);
  const auto open = [&](ByteView blob, ByteView binding, std::int64_t now) {
    return scp03_refusal_of([&] { (void)open_online_scp03_session(*hsm.store, hsm.kek(), blob, binding, now); });
  };
  EXPECT_EQ(open(sealed, bytes_of("session 2 campaign c token 1"), 0), OnlineRefusal::bad_request);
  EXPECT_EQ(open(sealed, kBinding, 100), OnlineRefusal::expired);
  Bytes altered = sealed;
  altered[5] ^= 0x01;
  EXPECT_EQ(open(altered, kBinding, 0), OnlineRefusal::bad_request);
  // An SCP11 session's state never opens as an SCP03 one, nor the other way round.
  OnlineSessionState scp11;
  scp11.se_id = Bytes{1};
  scp11.ephemeral_key = SecretBytes(Bytes(32, 0x01));
  const Bytes scp11_blob = seal_online_session(*hsm.store, hsm.kek(), scp11, kBinding, 100);
  EXPECT_EQ(open(scp11_blob, kBinding, 0), OnlineRefusal::bad_request);
  EXPECT_EQ(scp03_refusal_of([&] { (void)open_online_session(*hsm.store, hsm.kek(), sealed, kBinding, 0); }),
            OnlineRefusal::bad_request);
}

}  // namespace
}  // namespace sefleet::offcard

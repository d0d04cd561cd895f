// Refusals of the broadcast channel (broadcast-channel.md §5, §7, §8): every one answers the documented
// status word, leaves the previous image active (GET DATA DF70), and a retry with a fresh PAUT works.
#include <gtest/gtest.h>

#include "gp/scp03_derivation.hpp"
#include "isd_broadcast_test_support.hpp"

namespace sefleet::card {
namespace {

using namespace test;
using iso7816::CommandApdu;

class BroadcastRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    medium_ = personalized_medium();
    card_.emplace(open_card(medium_));
    install(2, 1);
  }

  transport::CardEndpoint& ep() { return card_->endpoint(); }

  Campaign campaign(std::uint32_t version, std::uint8_t seed, bc::Profile profile = bc::Profile::campaign_key) {
    CampaignSpec spec;
    spec.profile = profile;
    spec.version = version;
    spec.seed = seed;
    return make_campaign(spec);
  }

  void install(std::uint32_t version, std::uint8_t seed, bc::Profile profile = bc::Profile::campaign_key) {
    const Campaign c = campaign(version, seed, profile);
    const bc::Paut paut = make_paut(ep(), c, bc::Action::verify_and_activate, test_profile().scp03, seed);
    const FlowResult flow = run_flow(ep(), paut, c.pse);
    ASSERT_EQ(flow.last_sw(), 0x9000) << flow.trace();
    const bc::ImageStatus status = verified_status(paut, flow);
    ASSERT_EQ(status.result, bc::result::kActivated);
    ASSERT_EQ(status.active_version, version);
  }

  // The previous image (version 2) is still the active one, nothing is staged unless `staged`, and a
  // fresh flow of both profiles then succeeds.
  void expect_previous_image_and_retry(std::uint8_t staged = 0) {
    const Inventory inv = inventory(ep());
    EXPECT_EQ(inv.versions.at(0x01), 2u);
    EXPECT_EQ(inv.staging_state, staged);
    install(3, 40, bc::Profile::campaign_key);
    install(4, 41, bc::Profile::platform_key);
    EXPECT_EQ(active_os_version(ep()), 4u);
  }

  // Sends PAUT[0..2] (to broadcast mode); false if any is refused.
  bool enter_broadcast(const bc::Paut& paut) {
    if (select_isd(ep()).sw != 0x9000) return false;
    for (std::size_t i = 0; i < 3; ++i) {
      if (send(ep(), paut.commands[i]).sw != 0x9000) return false;
    }
    return true;
  }

  nvm::MemoryDevice::Medium medium_;
  std::optional<VirtualCard> card_;
};

// A host of the broadcast context: wraps any command under BK as the design system would.
class BroadcastHost {
 public:
  explicit BroadcastHost(const Campaign& c)
      : engine_(gp::SessionKeys{c.keys.enc, c.keys.mac, c.keys.mac}, gp::Scp03Mode::s8, bc::kBroadcastSecurityLevel) {
    engine_.resume(c.start.counter, c.start.chaining_value);
  }
  CommandApdu wrap(CommandApdu plain) { return engine_.wrap_command(plain); }
  CommandApdu write_block(std::uint16_t number, ByteView data) {
    return wrap(CommandApdu(0x80, bc::kInsWriteBlock, static_cast<std::uint8_t>(number >> 8),
                            static_cast<std::uint8_t>(number), Bytes(data.begin(), data.end())));
  }

 private:
  gp::SecureMessaging engine_;
};

// ---- PSE tampering ---------------------------------------------------------------------------

TEST_F(BroadcastRefusal, FlippedBitInAnyBlockIsA6982AndAbortsTheSession) {
  const Campaign c = campaign(3, 5);
  for (const std::size_t block : {std::size_t{0}, std::size_t{1}, c.pse.size() - 2, c.pse.size() - 1}) {
    SCOPED_TRACE("block " + std::to_string(block));
    std::vector<Bytes> pse = c.pse;
    pse[block][pse[block].size() - 3] ^= 0x04;  // in the C-MAC or ciphertext
    const bc::Paut paut = make_paut(ep(), c);
    const FlowResult flow = run_flow(ep(), paut, pse);
    EXPECT_EQ(flow.last_sw(), 0x6982) << flow.trace();
    EXPECT_EQ(flow.sws.size(), 3 + block + 1);
    // The session is gone: the next block and AUTHORIZE ACTION get 6982 too.
    EXPECT_EQ(send(ep(), paut.commands[3]).sw, 0x6982);
    EXPECT_EQ(inventory(ep()).staging_state, 0);  // abandoned staging is discarded
    EXPECT_EQ(active_os_version(ep()), 2u);
  }
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, TruncatedReorderedAndRepeatedPseBytesBreakTheMacChain) {
  const Campaign c = campaign(3, 5);
  ASSERT_GE(c.pse.size(), 4u);
  std::vector<std::vector<Bytes>> broken;
  broken.push_back({c.pse.begin(), c.pse.end() - 2});  // last block missing
  broken.back().push_back(c.pse.back());
  broken.push_back(c.pse);  // blocks 0 and 1 swapped
  std::swap(broken.back()[0], broken.back()[1]);
  broken.push_back(c.pse);  // block 0 sent twice
  broken.back().insert(broken.back().begin() + 1, c.pse[0]);
  for (const auto& pse : broken) {
    const bc::Paut paut = make_paut(ep(), c);
    const FlowResult flow = run_flow(ep(), paut, pse);
    EXPECT_EQ(flow.last_sw(), 0x6982) << flow.trace();
    EXPECT_EQ(active_os_version(ep()), 2u);
  }
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, APseShorterThanAnnouncedIs6A87AtTheSwitchBack) {
  const Campaign c = campaign(3, 5);
  bc::PseBuilder builder(c.keys, c.start, bc::kMaxShortChunk, false);
  std::vector<Bytes> pse;
  pse.push_back(builder.write_block(ByteView(c.stream).first(bc::kMaxShortChunk)).encode());
  pse.push_back(builder.finish().encode());
  const bc::Paut paut = make_paut(ep(), c);
  const FlowResult flow = run_flow(ep(), paut, pse);
  EXPECT_EQ(flow.trace(), "9000 9000 9000 9000 6A87 ");
  EXPECT_EQ(send(ep(), paut.commands[3]).sw, 0x6982);  // aborted
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, BlockNumberGapRepeatOverflowAndEmptyBlockAbort) {
  // Properly MACed blocks (a design system's mistake, not tampering): the card's own checks answer.
  const Campaign c = campaign(3, 5);
  struct Case {
    const char* name;
    std::uint16_t number;
    std::size_t size;
    std::uint16_t sw;
  };
  for (const Case& k : {Case{"gap", 2, 10, 0x6A86}, Case{"repeat", 0, 10, 0x6A86},
                        Case{"beyond C6", 1, c.stream.size() - 100 + 1, 0x6A84}, Case{"empty", 1, 0, 0x6700}}) {
    SCOPED_TRACE(k.name);
    const bc::Paut paut = make_paut(ep(), c);
    ASSERT_TRUE(enter_broadcast(paut));
    BroadcastHost host(c);
    ASSERT_EQ(send(ep(), host.write_block(0, ByteView(c.stream).first(100))).sw, 0x9000);
    EXPECT_EQ(send(ep(), host.write_block(k.number, Bytes(k.size, 0x5A))).sw, k.sw);
    EXPECT_EQ(send(ep(), host.write_block(1, Bytes{0x00})).sw, 0x6982);  // session aborted
    EXPECT_EQ(inventory(ep()).staging_state, 0);
  }
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, ChangeModeBackTwice) {
  const Campaign c = campaign(3, 5);
  // A live host session (instead of a PAUT) so that a second CHANGE MODE back can be protected by the
  // restored diversified context.
  HostSession session(ep(), test_profile().scp03, 0x33);
  ASSERT_TRUE(session.open());
  bc::ChangeModeToBroadcast cm;
  cm.profile = c.spec.profile;
  cm.campaign_id = c.id;
  cm.broadcast_keys = SecretBytes(c.c2);
  cm.counter = c.start.counter;
  cm.chaining_value = c.start.chaining_value;
  cm.key_version = 1;
  cm.total_length = static_cast<std::uint32_t>(c.stream.size());
  ASSERT_EQ(
      session
          .send_plain(CommandApdu(0x80, bc::kInsChangeMode, 0x01, 0x00, bc::encode_change_mode_to_broadcast(cm), 256))
          .sw,
      0x9000);
  for (const Bytes& command : c.pse) ASSERT_EQ(send_raw(ep(), command).sw, 0x9000);
  // Second switch back on the diversified context: no restore data any more.
  EXPECT_EQ(session.send_plain(CommandApdu(0x80, bc::kInsChangeMode, 0x00, 0x00, {}, 256)).sw, 0x6985);
  // The PSE's own final command again: its broadcast C-MAC does not verify on the diversified context.
  EXPECT_EQ(send_raw(ep(), c.pse.back()).sw, 0x6982);
  expect_previous_image_and_retry(0x02);  // the staging completed by the first switch back stays
}

// ---- CHANGE MODE to broadcast ---------------------------------------------------------------

class ChangeModeRefusal : public BroadcastRefusal {
 protected:
  bc::ChangeModeToBroadcast message(const Campaign& c) {
    bc::ChangeModeToBroadcast cm;
    cm.profile = c.spec.profile;
    cm.campaign_id = c.id;
    cm.broadcast_keys = SecretBytes(c.c2);
    cm.counter = c.start.counter;
    cm.chaining_value = c.start.chaining_value;
    cm.key_version = 1;
    cm.total_length = static_cast<std::uint32_t>(c.stream.size());
    return cm;
  }
  std::uint16_t send_change_mode(HostSession& session, Bytes data, std::uint8_t p1 = 0x01, std::uint8_t p2 = 0x00) {
    return session.send_plain(CommandApdu(0x80, bc::kInsChangeMode, p1, p2, std::move(data), 256)).sw;
  }
};

TEST_F(ChangeModeRefusal, EachCheckAnswersItsStatusWord) {
  const Campaign c = campaign(3, 5);
  const Campaign c4 = campaign(3, 6, bc::Profile::platform_key);
  {
    HostSession low(ep(), test_profile().scp03, 0x03);  // no R-MAC
    ASSERT_TRUE(low.open());
    EXPECT_EQ(send_change_mode(low, bc::encode_change_mode_to_broadcast(message(c))), 0x6982);
  }
  HostSession session(ep(), test_profile().scp03, 0x13);
  ASSERT_TRUE(session.open());
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(message(c)), 0x01, 0x01), 0x6A86);
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(message(c)), 0x02), 0x6A86);
  Bytes malformed = bc::encode_change_mode_to_broadcast(message(c));
  malformed.push_back(0xC7);
  malformed.push_back(0x00);
  EXPECT_EQ(send_change_mode(session, malformed), 0x6A80);
  auto wrong_kvn = message(c);
  wrong_kvn.key_version = 2;
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(wrong_kvn)), 0x6A88);
  auto empty = message(c);
  empty.total_length = 0;
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(empty)), 0x6A80);
  auto huge = message(c4);
  huge.total_length = kStagingCapacity + 1;
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(huge)), 0x6A84);
  auto at_capacity = message(c4);
  at_capacity.total_length = kStagingCapacity;  // allowed: the staging is opened
  EXPECT_EQ(send_change_mode(session, bc::encode_change_mode_to_broadcast(at_capacity)), 0x9000);
  // WRITE BLOCK / CHANGE MODE back outside broadcast mode, on another session: 6985.
  card_->endpoint().reset();
  HostSession other(ep(), test_profile().scp03, 0x33);
  ASSERT_TRUE(other.open());
  EXPECT_EQ(other.send_plain(CommandApdu(0x80, bc::kInsWriteBlock, 0x00, 0x00, Bytes{1, 2, 3})).sw, 0x6985);
  EXPECT_EQ(send_change_mode(other, {}, 0x00), 0x6985);
  // The staging opened above lost its broadcast context with the reset: it is garbage, not reported.
  expect_previous_image_and_retry();
}

TEST_F(ChangeModeRefusal, WrongKosOnProfile3IsA6982ThatAbortsTheSession) {
  CampaignSpec spec;
  spec.seed = 7;
  spec.version = 3;
  spec.kos = key_of(0x77);
  const Campaign c = make_campaign(spec);
  const bc::Paut paut = make_paut(ep(), c);
  const FlowResult flow = run_flow(ep(), paut, c.pse);
  EXPECT_EQ(flow.trace(), "9000 9000 6982 ");
  expect_previous_image_and_retry();
}

TEST_F(ChangeModeRefusal, OneBroadcastContextPerCard) {
  const Campaign c = campaign(3, 5);
  const bc::Paut paut = make_paut(ep(), c);
  ASSERT_TRUE(enter_broadcast(paut));
  const auto opened = send(ep(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1));
  ASSERT_EQ(opened.sw, 0x9000);
  HostSession second(ep(), test_profile().scp03, 0x33, opened.data.at(0));
  ASSERT_TRUE(second.open());
  EXPECT_EQ(send_change_mode(second, bc::encode_change_mode_to_broadcast(message(campaign(3, 8)))), 0x6985);
  // Channel 0 goes on undisturbed and completes.
  for (const Bytes& command : c.pse) ASSERT_EQ(send_raw(ep(), command).sw, 0x9000);
  const auto r = send(ep(), paut.commands[3]);
  EXPECT_EQ(r.sw, 0x9000);
  EXPECT_EQ(active_os_version(ep()), 3u);
}

// ---- diversified-only commands in broadcast mode -----------------------------------------------

TEST_F(BroadcastRefusal, DiversifiedOnlyCommandsAreRefusedInBroadcastMode) {
  const Campaign c = campaign(3, 5);
  bc::AuthorizeAction authorize;
  authorize.campaign_id = c.id;
  authorize.integrity_code = c.c8;
  const std::vector<std::pair<const char*, CommandApdu>> commands{
      {"PUT KEY",
       CommandApdu(0x80, 0xD8, 0x30, 0x81, put_key_data(key_set(0x30, 0x21), test_profile().scp03.dek.view()), 256)},
      {"STORE DATA", CommandApdu(0x80, 0xE2, 0x88, 0x00, from_hex("0101020A0B"))},
      {"DELETE", CommandApdu(0x80, 0xE4, 0x00, 0x00, from_hex("D20130"), 256)},
      {"SET STATUS", CommandApdu(0x80, 0xF0, 0x80, 0x07)},
      {"AUTHORIZE ACTION",
       CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x00, bc::encode_authorize_action(authorize), 256)},
      {"CHANGE MODE to broadcast", CommandApdu(0x80, bc::kInsChangeMode, 0x01, 0x00, Bytes{0xC0, 0x01, 0x03}, 256)},
      {"GET DATA", CommandApdu(0x80, 0xCA, 0x00, 0xE0, {}, 256)},
  };
  for (const auto& [name, command] : commands) {
    SCOPED_TRACE(name);
    const bc::Paut paut = make_paut(ep(), c);
    ASSERT_TRUE(enter_broadcast(paut));
    BroadcastHost host(c);
    ASSERT_EQ(send(ep(), host.write_block(0, ByteView(c.stream).first(50))).sw, 0x9000);
    EXPECT_EQ(send(ep(), host.wrap(command)).sw, 0x6982);
    EXPECT_EQ(send(ep(), host.write_block(1, ByteView(c.stream).subspan(50, 50))).sw, 0x6982);  // aborted
    EXPECT_EQ(active_os_version(ep()), 2u);
    EXPECT_EQ(card_->state().life_cycle(), 0x01);  // SET STATUS did nothing
    EXPECT_EQ(card_->state().find_key_set(0x30)->keys.enc.view().size(), 16u);
    EXPECT_TRUE(
        std::ranges::equal(card_->state().find_key_set(0x30)->keys.enc.view(), test_profile().scp03.enc.view()));
  }
  expect_previous_image_and_retry();
}

// ---- AUTHORIZE ACTION -------------------------------------------------------------------------

TEST_F(BroadcastRefusal, AuthorizeActionWithoutStagingOrAtALowLevel) {
  const Campaign c = campaign(3, 5);
  bc::AuthorizeAction authorize;
  authorize.campaign_id = c.id;
  authorize.integrity_code = c.c8;
  const Bytes data = bc::encode_authorize_action(authorize);
  {
    HostSession session(ep(), test_profile().scp03, 0x33);
    ASSERT_TRUE(session.open());
    const auto r = session.send_plain(CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x00, data, 256));
    EXPECT_EQ(r.sw, 0x6985);
    EXPECT_TRUE(r.data.empty());
    EXPECT_EQ(session.send_plain(CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x01, data, 256)).sw, 0x6A86);
    EXPECT_EQ(
        session.send_plain(CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x00, Bytes{0xC1, 0x01, 0x00}, 256)).sw,
        0x6A80);
  }
  {
    HostSession session(ep(), test_profile().scp03, 0x03);
    ASSERT_TRUE(session.open());
    EXPECT_EQ(session.send_plain(CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x00, data, 256)).sw, 0x6982);
  }
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, AuthorizeActionWithAWrongCampaignIs6985AndKeepsTheStaging) {
  const Campaign c = campaign(3, 5);
  bc::Paut paut = make_paut(ep(), c);
  // A PAUT whose AUTHORIZE ACTION names another campaign (same counter: rebuild it from the same input).
  Campaign other = c;
  other.id[0] ^= 0xFF;
  bc::PautInput in;
  in.sequence_counter = read_sequence_counter(ep());
  in.host_challenge = Bytes(8, 0x11);
  in.change_mode.profile = c.spec.profile;
  in.change_mode.campaign_id = c.id;
  in.change_mode.broadcast_keys = SecretBytes(c.c2);
  in.change_mode.counter = c.start.counter;
  in.change_mode.chaining_value = c.start.chaining_value;
  in.change_mode.key_version = 1;
  in.change_mode.total_length = static_cast<std::uint32_t>(c.stream.size());
  in.authorize.campaign_id = other.id;
  in.authorize.integrity_code = c.c8;
  paut = bc::build_paut(test_profile().scp03, in);
  const FlowResult flow = run_flow(ep(), paut, c.pse);
  EXPECT_EQ(flow.last_sw(), 0x6985) << flow.trace();
  EXPECT_TRUE(flow.authorize->data.empty());
  expect_previous_image_and_retry(0x02);  // the complete staging stays until a new flow replaces it
}

class AuthorizeOutcome : public BroadcastRefusal, public ::testing::WithParamInterface<bc::Profile> {
 protected:
  // Runs the flow of `c` with `c8` as the integrity code; returns the verified status and SW.
  std::pair<bc::ImageStatus, std::uint16_t> run_with(const Campaign& c, const Bytes& c8) {
    Campaign altered = c;
    altered.c8 = c8;
    const bc::Paut paut = make_paut(ep(), altered);
    const FlowResult flow = run_flow(ep(), paut, c.pse);
    EXPECT_TRUE(flow.authorize.has_value()) << flow.trace();
    return {verified_status(paut, flow), flow.last_sw()};
  }
};

TEST_P(AuthorizeOutcome, BadIntegrityCodeIsResult80AndDiscardsTheStaging) {
  const Campaign c = campaign(3, 5, GetParam());
  Bytes c8 = c.c8;
  c8[3] ^= 0x01;
  const auto [status, sw] = run_with(c, c8);
  EXPECT_EQ(sw, 0x6300);
  EXPECT_EQ(status.result, bc::result::kIntegrityMismatch);
  EXPECT_EQ(status.campaign_id, c.id);
  if (GetParam() == bc::Profile::platform_key) {
    EXPECT_EQ(status.active_version, 2u);  // the envelope opened, so the type is known
  }
  expect_previous_image_and_retry();
}

TEST_P(AuthorizeOutcome, CodeOfTheWrongLengthForTheProfileIs6A80) {
  const Campaign c = campaign(3, 5, GetParam());
  const Bytes c8(GetParam() == bc::Profile::campaign_key ? 16 : 24, 0x42);
  Campaign altered = c;
  altered.c8 = c8;
  const bc::Paut paut = make_paut(ep(), altered);
  const FlowResult flow = run_flow(ep(), paut, c.pse);
  EXPECT_EQ(flow.last_sw(), 0x6A80) << flow.trace();
  expect_previous_image_and_retry(0x02);
}

TEST_P(AuthorizeOutcome, RollbackAndForeignPlatformAreResult81) {
  for (const std::uint32_t version : {2u, 1u}) {
    const Campaign c = campaign(version, 5, GetParam());
    const auto [status, sw] = run_with(c, c.c8);
    EXPECT_EQ(sw, 0x6300);
    EXPECT_EQ(status.result, bc::result::kManifestRefused);
    EXPECT_EQ(status.active_version, 2u);
    EXPECT_EQ(inventory(ep()).staging_state, 0);
  }
  CampaignSpec spec;
  spec.profile = GetParam();
  spec.version = 9;
  spec.seed = 6;
  spec.platform = bc::PlatformId{9, 9, 9, 9, 9, 9, 9, 9};
  const Campaign foreign = make_campaign(spec);
  const auto [status, sw] = run_with(foreign, foreign.c8);
  EXPECT_EQ(sw, 0x6300);
  EXPECT_EQ(status.result, bc::result::kManifestRefused);
  expect_previous_image_and_retry();
}

TEST_P(AuthorizeOutcome, WrongPlatformKeysOnTheSe) {
  CampaignSpec spec;
  spec.profile = GetParam();
  spec.version = 3;
  spec.seed = 7;
  spec.kos = key_of(0x77);
  spec.kmac = key_of(0x78);
  const Campaign c = make_campaign(spec);
  const bc::Paut paut = make_paut(ep(), c);
  const FlowResult flow = run_flow(ep(), paut, c.pse);
  if (GetParam() == bc::Profile::campaign_key) {
    EXPECT_EQ(flow.trace(), "9000 9000 6982 ");  // BK does not unwrap
  } else {
    ASSERT_TRUE(flow.authorize.has_value()) << flow.trace();
    EXPECT_EQ(flow.last_sw(), 0x6300);
    const bc::ImageStatus status = verified_status(paut, flow);
    EXPECT_EQ(status.result, bc::result::kIntegrityMismatch);
    EXPECT_EQ(status.active_version, 0u);  // the envelope did not open: type unknown
    EXPECT_EQ(status.active_sha256, (std::array<std::uint8_t, 32>{}));
  }
  expect_previous_image_and_retry();
}

INSTANTIATE_TEST_SUITE_P(Profiles, AuthorizeOutcome,
                         ::testing::Values(bc::Profile::campaign_key, bc::Profile::platform_key),
                         [](const auto& test_info) {
                           return std::string(test_info.param == bc::Profile::campaign_key ? "p3" : "p4");
                         });

// ---- PAUT binding -----------------------------------------------------------------------------

TEST_F(BroadcastRefusal, PautOfAnotherSeIsRefusedAtExternalAuthenticate) {
  CardProfile b_profile = test_profile();
  b_profile.se_id = from_hex("AA02030405060708090A0B0C");
  b_profile.kdd = from_hex("AA112233445566778899");
  b_profile.scp03 = key_set(0x30, 0x50);
  VirtualCard b = open_card(personalized_medium(b_profile));
  const Campaign c = campaign(3, 5);
  const bc::Paut paut_a = make_paut(ep(), c);
  const FlowResult flow = run_flow(b.endpoint(), paut_a, c.pse);
  EXPECT_EQ(flow.trace(), "9000 6300 ");
  EXPECT_EQ(inventory(b.endpoint()).versions.size(), 0u);
  expect_previous_image_and_retry();
}

TEST_F(BroadcastRefusal, PautReplayedAfterAnotherSessionIsRefused) {
  const Campaign c = campaign(3, 5);
  const bc::Paut paut = make_paut(ep(), c);
  {
    HostSession other(ep(), test_profile().scp03, 0x33);
    ASSERT_TRUE(other.open());
  }
  const FlowResult flow = run_flow(ep(), paut, c.pse);
  EXPECT_EQ(flow.trace(), "9000 6300 ");
  // A PAUT used once cannot be used again either.
  const bc::Paut fresh = make_paut(ep(), c);
  ASSERT_EQ(run_flow(ep(), fresh, c.pse).last_sw(), 0x9000);
  const FlowResult replay = run_flow(ep(), fresh, c.pse);
  EXPECT_EQ(replay.trace(), "9000 6300 ");
  EXPECT_EQ(active_os_version(ep()), 3u);
}

}  // namespace
}  // namespace sefleet::card

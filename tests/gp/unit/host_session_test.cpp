// GpSession and SecureChannelProcessor against the real card role of SCP03 (gp::Scp03Card): sessions
// at every security level, GET STATUS paging over 6310, GET RESPONSE below secure messaging, 6Cxx
// re-wrapping, a long secured command in one extended APDU, PUT KEY whose new keys then open a
// session, SET STATUS, and the refusals.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/gp_session.hpp"
#include "gp/host/life_cycle.hpp"
#include "host_test_card.hpp"

namespace sefleet::gp::host::testing {
namespace {

struct Fixture {
  explicit Fixture(std::uint8_t i = 0x70) : card(i), session([this](const CommandApdu& c) { return card.link(c); }) {}
  TestCard card;
  GpSession session;
};

Scp03HostOptions options(std::uint8_t level, std::uint8_t kvn = 0x30) {
  Scp03HostOptions o;
  o.security_level = level;
  o.kvn = kvn;
  return o;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HostGpSession, EveryLevelListsTheRegistryAcrossMoreDataPages) {
  for (const std::uint8_t level : {0x00, 0x01, 0x03, 0x11, 0x13, 0x33}) {
    SCOPED_TRACE("level " + to_hex(Bytes{level}));
    Fixture f;
    const Bytes fci = f.session.select();
    EXPECT_EQ(to_hex(f.session.selected_aid()), "A000000151000000");
    EXPECT_EQ(to_hex(*fci_aid(fci)), "A000000151000000");
    f.session.open_secure_channel(test_keys(0x30, 0x10), options(level));
    ASSERT_TRUE(f.session.secure());
    EXPECT_EQ(f.card.card->current_security_level(), 0x80 | level);
    const auto apps = f.session.get_status(StatusScope::applications);
    ASSERT_EQ(apps.size(), 5u);  // 2 + 2 + 1 entries: two 6310 answers, then 9000
    for (std::size_t k = 0; k < apps.size(); ++k) EXPECT_EQ(apps[k].aid, f.card.apps[k]);
    std::size_t next_commands = 0;
    for (const auto& c : f.card.wire_log) next_commands += (c.ins == 0xF2 && c.p2 == 0x03) ? 1 : 0;
    EXPECT_EQ(next_commands, 2u);
    const auto isd = f.session.get_status(StatusScope::issuer_security_domain);
    ASSERT_EQ(isd.size(), 1u);
    EXPECT_EQ(isd[0].life_cycle_name(), "SECURED");
    EXPECT_TRUE(f.session.get_status(StatusScope::load_files).empty());  // 6A88
  }
}

TEST(HostGpSession, WireCommandsAreProtectedAtLevel33) {
  Fixture f;
  f.session.select();
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
  f.card.wire_log.clear();
  const auto r = f.session.get_data(kTagSequenceCounter);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(parse_sequence_counter(r.data), 1u);  // one INITIALIZE UPDATE so far
  ASSERT_EQ(f.card.wire_log.size(), 1u);
  EXPECT_EQ(f.card.wire_log[0].cla, 0x84);
  EXPECT_EQ(f.card.wire_log[0].data.size(), 8u);  // C-MAC only: GET DATA has no data to encrypt
}

TEST(HostGpSession, GetResponseRunsBelowSecureMessaging) {
  for (const bool secure : {false, true}) {
    Fixture f;
    f.card.t0 = true;
    f.session.select();
    if (secure) f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
    f.card.wire_log.clear();
    const auto r = f.session.get_data(0xFF00);
    ASSERT_TRUE(r.ok()) << iso7816::sw::status_word_name(r.sw);
    EXPECT_EQ(r.data, Bytes(600, 0x5A));
    std::size_t get_responses = 0;
    for (const auto& c : f.card.wire_log) {
      if (c.ins == 0xC0) {
        ++get_responses;
        EXPECT_EQ(c.cla, 0x00);  // never wrapped
      }
    }
    EXPECT_GE(get_responses, 3u);
    // The channel is still in step afterwards.
    if (secure) {
      EXPECT_EQ(f.session.get_status(StatusScope::applications).size(), 5u);
    }
  }
}

TEST(HostGpSession, WrongLeIsReWrappedNotReplayed) {
  Fixture f;
  f.session.select();
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
  const auto r = f.session.get_data(0xFF01);  // Le 00 -> 6C10 -> wrapped again with Le 10
  ASSERT_TRUE(r.ok()) << iso7816::sw::status_word_name(r.sw);
  EXPECT_EQ(r.data, Bytes(16, 0xA5));
  EXPECT_EQ(f.session.get_status(StatusScope::applications).size(), 5u);  // MAC chain intact
}

// A secured command longer than a short APDU goes as one extended APDU (its C-MAC covers the whole
// command), not as an ISO chain of parts: the card unwraps it and the MAC chain stays in step.
TEST(HostGpSession, ALongSecuredCommandGoesInOneExtendedApdu) {
  Fixture f;
  f.session.select();
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
  f.card.wire_log.clear();
  const auto r = f.session.transmit(CommandApdu(0x80, 0xE2, 0x90, 0x00, Bytes(400, 0x5A)));
  EXPECT_EQ(r.sw, iso7816::sw::kInsNotSupported);  // unwrapped and answered by the application
  ASSERT_EQ(f.card.wire_log.size(), 1u);
  EXPECT_EQ(f.card.wire_log[0].cla, 0x84);  // no chaining bit
  EXPECT_GT(f.card.wire_log[0].data.size(), 400u);
  EXPECT_EQ(f.session.get_status(StatusScope::applications).size(), 5u);  // MAC chain intact
}

TEST(HostGpSession, PutKeyAddsASetThatThenOpensASession) {
  Fixture f;
  f.session.select();
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
  PutKeyRequest request;
  request.new_keys = test_keys(0x31, 0xA0);
  const Bytes answer = f.session.put_key(request);
  EXPECT_EQ(answer.size(), 10u);
  EXPECT_EQ(answer[0], 0x31);
  ASSERT_NE(f.card.registry.find(0x31), nullptr);

  f.session.select();
  f.session.open_secure_channel(test_keys(0x31, 0xA0), options(0x33, 0x31));
  EXPECT_TRUE(f.session.secure());
  // The old set still works, and the new one is not the old one.
  f.session.select();
  EXPECT_THROW(f.session.open_secure_channel(test_keys(0x31, 0x10), options(0x33, 0x31)), Error);
}

TEST(HostGpSession, PutKeyRefusals) {
  Fixture f;
  f.session.select();
  PutKeyRequest request;
  request.new_keys = test_keys(0x31, 0xA0);
  EXPECT_THROW(f.session.put_key(request), Error);  // no secure channel
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33));
  f.card.corrupt_kcv = true;
  const std::string m = message_of([&] { f.session.put_key(request); });
  EXPECT_NE(m.find("KCV of ENC"), std::string::npos) << m;
}

TEST(HostGpSession, SetStatusNeedsTheChannel) {
  Fixture f;
  f.session.select();
  const std::string m = message_of([&] { f.session.set_card_status(card_life_cycle::kCardLocked); });
  EXPECT_NE(m.find("6982"), std::string::npos) << m;
  EXPECT_EQ(f.card.card_life_cycle, 0x0F);
  f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x01));
  f.session.set_card_status(card_life_cycle::kCardLocked);
  EXPECT_EQ(f.card.card_life_cycle, 0x7F);
  EXPECT_THROW(f.session.set_card_status(0x42), Error);
}

TEST(HostGpSession, AuthenticationRefusals) {
  {
    Fixture f;
    f.session.select();
    const std::string m =
        message_of([&] { f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33, 0x44)); });
    EXPECT_NE(m.find("6A88"), std::string::npos) << m;  // unknown key version
    EXPECT_FALSE(f.session.secure());
  }
  {
    Fixture f;
    f.session.select();
    // Wrong keys: the card cryptogram does not verify, nothing is sent after INITIALIZE UPDATE.
    EXPECT_THROW(f.session.open_secure_channel(test_keys(0x30, 0x11), options(0x33)), Error);
    EXPECT_FALSE(f.session.secure());
    EXPECT_EQ(f.card.wire_log.back().ins, 0x50);
  }
  {
    Fixture f(0x00);  // random challenge, no R-MAC/R-ENC support
    f.session.select();
    const std::string m = message_of([&] { f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x33)); });
    EXPECT_NE(m, "(no error)");
    f.session.select();
    f.session.open_secure_channel(test_keys(0x30, 0x10), options(0x03));
    EXPECT_TRUE(f.session.secure());
  }
  {
    Fixture f;
    EXPECT_THROW(f.session.select(from_hex("A0000000030000")), Error);
    EXPECT_THROW(f.session.get_status(StatusScope::applications), Error);  // 6982 without a channel
  }
}

TEST(HostGpSession, ResolverSeesTheCardsDiversificationData) {
  Fixture f;
  f.session.select();
  Bytes seen;
  f.session.open_secure_channel(
      [&](const InitializeUpdateResponse& info) {
        seen = info.key_diversification_data;
        return test_keys(info.kvn, 0x10);
      },
      options(0x33, 0x00));
  EXPECT_EQ(to_hex(seen), "00112233445566778899");
  EXPECT_EQ(f.session.static_keys().kvn, 0x30);
}

}  // namespace
}  // namespace sefleet::gp::host::testing

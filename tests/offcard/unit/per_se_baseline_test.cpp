// The per-SE baseline (offcard/campaign/per_se_baseline.hpp): each SE's copy opens under that SE's own
// session exactly as a diversified command does, two SEs get different bytes, and the limits hold.
#include <gtest/gtest.h>

#include "campaign_design_fixture.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/per_se_baseline.hpp"

namespace sefleet::offcard::testing {
namespace {

namespace bc = gp::broadcast;

struct SeSession {
  gp::SessionKeys keys;
  crypto::Mac16 ea_mac{};
};

SeSession make_session(std::string_view seed) {
  crypto::DeterministicRandom random(bytes_of(seed));
  SeSession session;
  session.keys =
      gp::SessionKeys{SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16))};
  const Bytes mac = random.bytes(16);
  std::copy(mac.begin(), mac.end(), session.ea_mac.begin());
  return session;
}

Bytes datasend() {
  const CampaignDesign design = make_design(bc::Profile::campaign_key, 1500);
  return bc::encode_datasend(design.manifest, design.body);
}

// What the SE does with each command of its own copy: verify the C-MAC, decrypt, append.
Bytes open_like_the_se(const SeSession& session, gp::Scp03Mode mode, std::uint8_t level,
                       const std::vector<Bytes>& commands) {
  gp::SecureMessaging card(session.keys, mode, level);
  card.begin(session.ea_mac);
  Bytes stream;
  for (std::size_t index = 0; index < commands.size(); ++index) {
    std::string reason;
    const auto plain = card.unwrap_command(iso7816::CommandApdu::parse(commands[index]), &reason);
    if (!plain) {
      ADD_FAILURE() << "block " << index << ": " << reason;
      return {};
    }
    EXPECT_EQ(plain->ins, bc::kInsWriteBlock);
    EXPECT_EQ((std::size_t{plain->p1} << 8) | plain->p2, index);
    append(stream, plain->data);
  }
  return stream;
}

TEST(PerSeBaseline, EachCopyOpensUnderItsOwnSession) {
  const Bytes image = datasend();
  for (const auto& [mode, level, chunk, extended] :
       {std::tuple{gp::Scp03Mode::s8, std::uint8_t{0x33}, std::size_t{239}, false},
        std::tuple{gp::Scp03Mode::s8, std::uint8_t{0x13}, std::size_t{100}, false},
        std::tuple{gp::Scp03Mode::s16, std::uint8_t{0x03}, std::size_t{223}, false},
        std::tuple{gp::Scp03Mode::s8, std::uint8_t{0x33}, std::size_t{1000}, true}}) {
    const SeSession se = make_session("se A");
    const auto commands = per_se_write_blocks(se.keys, mode, level, se.ea_mac, image, chunk, extended);
    EXPECT_EQ(commands.size(), (image.size() + chunk - 1) / chunk);
    for (const Bytes& command : commands) {
      EXPECT_FALSE(contains(command, ByteView(image).first(16))) << "the copy is encrypted";
      EXPECT_EQ(iso7816::CommandApdu::parse(command).uses_extended(), extended);
    }
    EXPECT_EQ(open_like_the_se(se, mode, level, commands), image);
  }
}

TEST(PerSeBaseline, EngineOverloadContinuesTheSessionChain) {
  const Bytes image = datasend();
  const SeSession se = make_session("se A");
  gp::SecureMessaging host(se.keys, gp::Scp03Mode::s8, 0x33);
  host.begin(se.ea_mac);
  const auto first = per_se_write_blocks(host, image, 239, false);
  const auto second = per_se_write_blocks(host, image, 239, false);
  EXPECT_NE(first, second) << "the counter and MAC chain advanced";
  EXPECT_EQ(host.counter(), 2 * first.size());
  EXPECT_EQ(first, per_se_write_blocks(se.keys, gp::Scp03Mode::s8, 0x33, se.ea_mac, image, 239, false));
}

TEST(PerSeBaseline, TwoSesGetDifferentBytes) {
  const Bytes image = datasend();
  const SeSession a = make_session("se A");
  const SeSession b = make_session("se B");
  const auto copy_a = per_se_write_blocks(a.keys, gp::Scp03Mode::s8, 0x33, a.ea_mac, image, 239, false);
  const auto copy_b = per_se_write_blocks(b.keys, gp::Scp03Mode::s8, 0x33, b.ea_mac, image, 239, false);
  ASSERT_EQ(copy_a.size(), copy_b.size());
  for (std::size_t i = 0; i < copy_a.size(); ++i) EXPECT_NE(copy_a[i], copy_b[i]);
  // SE B cannot open SE A's copy.
  gp::SecureMessaging card_b(b.keys, gp::Scp03Mode::s8, 0x33);
  card_b.begin(b.ea_mac);
  EXPECT_FALSE(card_b.unwrap_command(iso7816::CommandApdu::parse(copy_a[0])).has_value());
}

TEST(PerSeBaseline, LimitsMatchWhatAShortApduHolds) {
  EXPECT_EQ(per_se_max_chunk(gp::Scp03Mode::s8, false), 239u);
  EXPECT_EQ(per_se_max_chunk(gp::Scp03Mode::s16, false), 223u);
  EXPECT_EQ(per_se_max_chunk(gp::Scp03Mode::s16, true), bc::kMaxExtendedChunk);
  const Bytes image = datasend();
  const SeSession se = make_session("se A");
  // The largest short chunk really fits a short APDU in both modes.
  for (const gp::Scp03Mode mode : {gp::Scp03Mode::s8, gp::Scp03Mode::s16}) {
    const auto commands =
        per_se_write_blocks(se.keys, mode, 0x33, se.ea_mac, image, per_se_max_chunk(mode, false), false);
    EXPECT_FALSE(iso7816::CommandApdu::parse(commands[0]).uses_extended());
    expect_error(Errc::invalid_argument, "chunk size", [&] {
      per_se_write_blocks(se.keys, mode, 0x33, se.ea_mac, image, per_se_max_chunk(mode, false) + 1, false);
    });
  }
  expect_error(Errc::invalid_argument, "chunk size",
               [&] { per_se_write_blocks(se.keys, gp::Scp03Mode::s8, 0x33, se.ea_mac, image, 0, false); });
  expect_error(Errc::invalid_argument, "no C-DECRYPTION",
               [&] { per_se_write_blocks(se.keys, gp::Scp03Mode::s8, 0x11, se.ea_mac, image, 100, false); });
  expect_error(Errc::invalid_argument, "empty",
               [&] { per_se_write_blocks(se.keys, gp::Scp03Mode::s8, 0x33, se.ea_mac, Bytes{}, 100, false); });
  expect_error(Errc::invalid_argument, "65536",
               [&] { per_se_write_blocks(se.keys, gp::Scp03Mode::s8, 0x33, se.ea_mac, Bytes(65537, 0x11), 1, false); });
}

}  // namespace
}  // namespace sefleet::offcard::testing

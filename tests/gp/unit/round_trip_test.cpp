// Host <-> card round trips for every combination of {S8, S16} x {AES-128, 192, 256} x
// {00, 01, 03, 11, 13, 33} x {random, pseudo-random challenge}, with commands of cases 1-4, short and
// extended, data lengths 0 to 65 000, through the wire encoding.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/hex.hpp"
#include "scp03_pair.hpp"

namespace sefleet::gp::testing {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

using Combination = std::tuple<Scp03Mode, std::size_t, std::uint8_t, bool>;

Bytes pattern(std::size_t size, std::uint8_t salt) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + salt);
  return out;
}

class Scp03RoundTrip : public ::testing::TestWithParam<Combination> {};

TEST_P(Scp03RoundTrip, CasesOneToFourShortAndExtended) {
  const auto [mode, key_size, level, pseudo_random] = GetParam();
  Scp03Pair pair(PairConfig{mode, key_size, level, pseudo_random});
  pair.open();
  EXPECT_EQ(pair.card->current_security_level(), 0x80 | level);

  struct Case {
    std::size_t data;
    std::optional<std::size_t> ne;
    std::size_t response;
    bool extended;
  };
  const std::vector<Case> cases{
      {0, std::nullopt, 0, false},  // case 1
      {0, 256, 200, false},         // case 2 short
      {0, 65536, 300, true},        // case 2 extended
      {1, std::nullopt, 0, false},  // case 3
      {15, std::nullopt, 0, false},  {16, std::nullopt, 0, false},
      {17, std::nullopt, 0, false},  {200, 256, 17, false},  // case 4 short
      {223, 0x20, 16, false},        {239, std::nullopt, 0, false},
      {240, std::nullopt, 0, false},  // extended once protected
      {255, std::nullopt, 0, false}, {256, std::nullopt, 0, false},
      {1000, 65536, 1000, true},  // case 4 extended
      {4096, 65536, 0, false},       {65000, std::nullopt, 0, true},
      {65000, 65536, 65000, true},
  };
  std::uint8_t salt = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE("data " + std::to_string(c.data) + " response " + std::to_string(c.response));
    CommandApdu plain(0x80, 0xE2, 0x00, salt, pattern(c.data, salt), c.ne);
    plain.extended = c.extended;
    pair.app.next_response = ResponseApdu(pattern(c.response, static_cast<std::uint8_t>(salt + 7)), 0x9000);
    const ResponseApdu rsp = pair.exchange(plain);
    EXPECT_EQ(rsp.sw, 0x9000);
    EXPECT_EQ(rsp.data, pair.app.next_response.data);
    EXPECT_EQ(pair.app.last.data, plain.data);
    EXPECT_EQ(pair.app.last.ins, plain.ins);
    EXPECT_EQ(pair.app.last.p2, plain.p2);
    EXPECT_EQ(pair.app.last.ne, plain.ne);
    EXPECT_EQ(pair.app.last.cla, 0x80);
    if ((level & level::kCMac) != 0) {
      EXPECT_EQ(pair.card->messaging()->counter(), pair.host->messaging().counter());
    }
    ++salt;
  }
  // Warnings are protected too; errors come back bare.
  pair.app.next_response = ResponseApdu(pattern(5, 9), 0x6310);
  EXPECT_EQ(pair.exchange(CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256)).data, pattern(5, 9));
  pair.app.next_response = ResponseApdu(0x6A88);
  const ResponseApdu error = pair.exchange(CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256));
  EXPECT_EQ(error.sw, 0x6A88);
  EXPECT_TRUE(error.data.empty());
  EXPECT_EQ(pair.card->state(), Scp03Card::State::open);  // an application error does not end the session
}

std::string combination_name(const ::testing::TestParamInfo<Combination>& info) {
  const auto [mode, key_size, level, pseudo_random] = info.param;
  return mode_name(mode) + "_AES" + std::to_string(key_size * 8) + "_L" + to_hex(Bytes{level}) +
         (pseudo_random ? "_pseudorandom" : "_random");
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, Scp03RoundTrip,
                         ::testing::Combine(::testing::Values(Scp03Mode::s8, Scp03Mode::s16),
                                            ::testing::Values(std::size_t{16}, std::size_t{24}, std::size_t{32}),
                                            ::testing::Values(std::uint8_t{0x00}, std::uint8_t{0x01},
                                                              std::uint8_t{0x03}, std::uint8_t{0x11},
                                                              std::uint8_t{0x13}, std::uint8_t{0x33}),
                                            ::testing::Bool()),
                         combination_name);

TEST(Scp03RoundTripChannels, LogicalChannelsAreCodedAndNotMaced) {
  for (const std::uint8_t channel : {1, 3, 4, 19}) {
    SCOPED_TRACE("channel " + std::to_string(channel));
    Scp03Pair pair(PairConfig{Scp03Mode::s8, 16, 0x33, true, channel});
    pair.open();
    const CommandApdu plain(iso7816::cla_for_channel(0x80, channel, false), 0xF2, 0x40, 0x00, Bytes{0x4F, 0x00}, 256);
    const CommandApdu wire = pair.host->wrap(plain);
    EXPECT_EQ(wire.channel(), channel);
    EXPECT_TRUE(iso7816::has_secure_messaging(wire.cla));
    pair.app.next_response = ResponseApdu(Bytes{1, 2, 3}, 0x9000);
    EXPECT_EQ(pair.host->unwrap(pair.send(wire)).data, (Bytes{1, 2, 3}));
    EXPECT_EQ(pair.app.last.cla, plain.cla);
  }
}

TEST(Scp03RoundTripLe, LeMayBePresentOrAbsent) {
  Scp03Pair pair;
  pair.open();
  pair.app.next_response = ResponseApdu(Bytes{0xAA}, 0x9000);
  EXPECT_EQ(pair.exchange(CommandApdu(0x80, 0xE2, 0, 0, Bytes{1, 2}, 256)).data, Bytes{0xAA});
  EXPECT_EQ(pair.exchange(CommandApdu(0x80, 0xE2, 0, 0, Bytes{1, 2})).data, Bytes{0xAA});
}

}  // namespace
}  // namespace sefleet::gp::testing

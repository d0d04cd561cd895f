// The card's unwrap of a command it owns works in the command's own buffer: the plain command keeps
// that buffer (no allocation, no copy of the data), long fields go through the chunked MAC-then-
// decrypt pass, and the decrypted bytes of a command whose C-MAC is wrong are wiped, not returned.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/hex.hpp"

#include "crypto/random.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"
#include "scp03_pair.hpp"

namespace sefleet::gp {
namespace {

using iso7816::CommandApdu;

struct Engines {
  explicit Engines(std::uint8_t level)
      : host(testing::random_session_keys(0x1F), Scp03Mode::s8, level),
        card(testing::random_session_keys(0x1F), Scp03Mode::s8, level) {
    host.begin(crypto::Mac16{});
    card.begin(crypto::Mac16{});
  }
  SecureMessaging host;
  SecureMessaging card;
};

TEST(UnwrapInPlace, ThePlainCommandKeepsTheWireBufferForEveryFieldSize) {
  Engines engines(0x33);
  crypto::DeterministicRandom random(Bytes{0x2E});
  // Empty, one block, around the 16 KiB chunk of the pass, and the largest extended field.
  for (const std::size_t size : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{16383},
                                 std::size_t{16384}, std::size_t{16385}, std::size_t{40000}, std::size_t{65488}}) {
    CommandApdu plain(0x80, 0xE8, 0x00, 0x01, random.bytes(size));
    plain.extended = size > 200;
    CommandApdu wire = engines.host.wrap_command(plain);
    const std::uint8_t* buffer = wire.data.data();
    std::string reason;
    const auto unwrapped = engines.card.unwrap_command(std::move(wire), &reason);
    ASSERT_TRUE(unwrapped) << size << ": " << reason;
    EXPECT_EQ(unwrapped->data, plain.data) << size;
    if (size != 0) {
      EXPECT_EQ(unwrapped->data.data(), buffer) << size;
    }
    EXPECT_EQ(unwrapped->cla, 0x80);
    EXPECT_EQ(engines.card.counter(), engines.host.counter());
  }
}

TEST(UnwrapInPlace, AWrongMacWipesWhatWasDecryptedAndRefuses) {
  Engines engines(0x03);
  const Bytes secret(40000, 0x5C);
  CommandApdu wire = engines.host.wrap_command(CommandApdu(0x80, 0xE8, 0x00, 0x00, secret));
  wire.data.back() ^= 0x01;  // the last byte of the C-MAC
  const Bytes& field = wire.data;
  std::string reason;
  EXPECT_FALSE(engines.card.unwrap_command(std::move(wire), &reason));
  EXPECT_EQ(reason, "C-MAC mismatch");
  // A refusal takes nothing from the command, which still owns its buffer: the ciphertext part was
  // decrypted in the pass, then wiped; none of the plaintext is left.
  EXPECT_EQ(std::search(field.begin(), field.end(), secret.begin(), secret.begin() + 32), field.end());
}

TEST(UnwrapInPlace, TheConstOverloadLeavesTheWireCommandAsItWas) {
  Engines engines(0x33);
  const CommandApdu wire = engines.host.wrap_command(CommandApdu(0x80, 0xE8, 0x00, 0x00, Bytes(300, 0x11)));
  const CommandApdu before = wire;
  const auto unwrapped = engines.card.unwrap_command(wire);
  ASSERT_TRUE(unwrapped);
  EXPECT_EQ(unwrapped->data, Bytes(300, 0x11));
  EXPECT_EQ(wire.data, before.data);
}

// A command parsed in place (its data field a view into the transport's bytes): the same plaintext,
// counter and refusals as the unwrap of an owned command, and the wire bytes untouched.
TEST(UnwrapFromView, SameResultAsTheOwnedCommandForEveryFieldSizeAndLevel) {
  crypto::DeterministicRandom random(Bytes{0x3A});
  for (const std::uint8_t level : {std::uint8_t{0x01}, std::uint8_t{0x03}, std::uint8_t{0x13}, std::uint8_t{0x33}}) {
    Engines by_view(level);
    Engines owned(level);
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{239},
                                   std::size_t{16383}, std::size_t{16385}, std::size_t{65280}}) {
      CommandApdu plain(0x80, 0xE8, 0x00, 0x01, random.bytes(size), 256);
      const Bytes raw = by_view.host.wrap_command(plain).encode();
      (void)owned.host.wrap_command(plain);
      const Bytes raw_before = raw;
      std::string reason;
      const auto view = CommandApdu::try_parse_view(raw);
      ASSERT_TRUE(view) << size;
      const auto from_view = by_view.card.unwrap_command(*view, &reason);
      ASSERT_TRUE(from_view) << int(level) << " " << size << ": " << reason;
      const auto from_owned = owned.card.unwrap_command(CommandApdu::parse(raw), &reason);
      ASSERT_TRUE(from_owned) << int(level) << " " << size << ": " << reason;
      EXPECT_EQ(from_view->data, plain.data) << int(level) << " " << size;
      EXPECT_EQ(from_view->encode(), from_owned->encode()) << int(level) << " " << size;
      EXPECT_EQ(by_view.card.counter(), by_view.host.counter());
      EXPECT_EQ(raw, raw_before) << "the transport's bytes must not change";
    }
  }
}

TEST(UnwrapFromView, RefusalsAreTheSameAsForAnOwnedCommand) {
  const auto refusal = [](std::uint8_t level, const Bytes& raw, bool view) {
    Engines engines(level);
    std::string reason;
    const auto unwrapped = view ? engines.card.unwrap_command(*CommandApdu::try_parse_view(raw), &reason)
                                : engines.card.unwrap_command(CommandApdu::parse(raw), &reason);
    EXPECT_FALSE(unwrapped);
    return reason;
  };
  Engines source(0x03);
  Bytes wrong_mac = source.host.wrap_command(CommandApdu(0x80, 0xE8, 0x00, 0x00, Bytes(300, 0x5C))).encode();
  wrong_mac.back() ^= 0x01;
  const std::vector<std::pair<std::uint8_t, Bytes>> cases = {
      {0x03, wrong_mac},
      {0x03, Bytes{0x80, 0xE8, 0x00, 0x00, 0x04, 1, 2, 3, 4}},                     // no SM indication
      {0x03, Bytes{0x84, 0xE8, 0x00, 0x00, 0x04, 1, 2, 3, 4}},                     // too short for the C-MAC
      {0x03, Bytes{0x84, 0xE8, 0x00, 0x00, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},  // not whole blocks
      {0x00, Bytes{0x84, 0xE8, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}},         // SM at level 00
  };
  for (const auto& [level, raw] : cases) {
    const std::string by_view = refusal(level, raw, true);
    EXPECT_FALSE(by_view.empty()) << to_hex(raw);
    EXPECT_EQ(by_view, refusal(level, raw, false)) << to_hex(raw);
  }
}

}  // namespace
}  // namespace sefleet::gp

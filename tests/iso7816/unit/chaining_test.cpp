// Command chaining, GET RESPONSE and 6Cxx handling against scripted fake cards.
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/chaining.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::iso7816 {
namespace {

Bytes pattern(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i % 251);
  return out;
}

// A card that records every command and answers from a script, failing the test when the script runs out.
struct ScriptedCard {
  std::vector<CommandApdu> received;
  std::deque<ResponseApdu> script;

  ApduExchange exchange() {
    return [this](const CommandApdu& command) {
      received.push_back(command);
      if (script.empty()) {
        ADD_FAILURE() << "card received an unexpected command " << to_hex(command.encode());
        return ResponseApdu(sw::kUnknown);
      }
      ResponseApdu next = script.front();
      script.pop_front();
      return next;
    };
  }
};

TEST(Chaining, SplitSizes) {
  struct Case {
    std::size_t size;
    std::size_t links;
    std::size_t last;
  };
  for (const Case c : {Case{0, 1, 0}, Case{255, 1, 255}, Case{256, 2, 1}, Case{65000, 255, 65000 - 254 * 255}}) {
    SCOPED_TRACE(c.size);
    const CommandApdu command(0x00, 0xDB, 0x3F, 0xFF, pattern(c.size), 256);
    const auto links = split_for_chaining(command);
    ASSERT_EQ(links.size(), c.links);
    Bytes joined;
    for (std::size_t i = 0; i < links.size(); ++i) {
      const bool last = i + 1 == links.size();
      EXPECT_EQ(links[i].cla, last ? 0x00 : 0x10) << i;
      EXPECT_EQ(links[i].ins, 0xDB);
      EXPECT_EQ(links[i].p1, 0x3F);
      EXPECT_EQ(links[i].p2, 0xFF);
      EXPECT_EQ(links[i].data.size(), last ? c.last : 255u) << i;
      EXPECT_EQ(links[i].ne, last ? std::optional<std::size_t>(256) : std::nullopt) << i;
      EXPECT_FALSE(links[i].uses_extended());
      append(joined, links[i].data);
    }
    EXPECT_EQ(joined, command.data);
  }
}

TEST(Chaining, KeepsChannelAndSmBitsAndCapsNe) {
  CommandApdu command(0x07, 0xD6, 0, 0, pattern(600), 4096);  // channel 3 with SM
  command.extended = true;
  auto links = split_for_chaining(command, 200);
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].cla, 0x17);
  EXPECT_EQ(links[1].cla, 0x17);
  EXPECT_EQ(links[2].cla, 0x07);
  EXPECT_EQ(links[2].ne, 256u);
  // Further interindustry class (channel 7 with SM): b5 is the chaining bit there too.
  links = split_for_chaining(CommandApdu(0x63, 0xD6, 0, 0, pattern(300)));
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].cla, 0x73);
  EXPECT_EQ(links[1].cla, 0x63);
  EXPECT_FALSE(links[1].ne.has_value());
}

TEST(Chaining, RefusesClassesWithoutChainingBit) {
  for (const std::uint8_t cla : {std::uint8_t{0x80}, std::uint8_t{0x84}, std::uint8_t{0xFF}}) {
    try {
      split_for_chaining(CommandApdu(cla, 0xE2, 0x80, 0x00, pattern(256)));
      FAIL() << "chained CLA " << int{cla};
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("proprietary class whose b5 is not the ISO chaining bit"), std::string::npos)
          << e.what();
    }
  }
  // No chaining needed: a proprietary class is fine.
  EXPECT_EQ(split_for_chaining(CommandApdu(0x84, 0xE2, 0x80, 0x00, pattern(255))).size(), 1u);
  EXPECT_THROW(split_for_chaining(CommandApdu(0x10, 0xDB, 0, 0, pattern(256))), Error);
  EXPECT_THROW(split_for_chaining(CommandApdu(0x00, 0xDB, 0, 0, pattern(10)), 0), Error);
  EXPECT_THROW(split_for_chaining(CommandApdu(0x00, 0xDB, 0, 0, pattern(10)), 256), Error);
  EXPECT_FALSE(cla_supports_chaining(0x80));
  EXPECT_TRUE(cla_supports_chaining(0x00));
  EXPECT_TRUE(cla_supports_chaining(0x4F));
}

TEST(Chaining, GetResponseCla) {
  EXPECT_EQ(get_response_cla(0x00), 0x00);
  EXPECT_EQ(get_response_cla(0x0F), 0x03);  // channel 3, SM and chaining dropped
  EXPECT_EQ(get_response_cla(0x84), 0x00);  // GP class on channel 0
  EXPECT_EQ(get_response_cla(0x81), 0x01);
  EXPECT_EQ(get_response_cla(0x65), 0x45);  // further interindustry, channel 9
  EXPECT_EQ(get_response_cla(0xC2), 0x42);
  EXPECT_EQ(make_get_response(0x02, 16).encode(), from_hex("02C0000010"));
  EXPECT_EQ(make_get_response(0x00, 256).encode(), from_hex("00C0000000"));
  EXPECT_THROW(make_get_response(0x00, 0), Error);
  EXPECT_THROW(make_get_response(0x00, 257), Error);
}

TEST(Transmit, SendsAChainThenReturnsTheFinalResponse) {
  ScriptedCard card;
  card.script = {ResponseApdu(sw::kOk), ResponseApdu(sw::kOk), ResponseApdu(from_hex("CAFE"), sw::kOk)};
  const CommandApdu command(0x00, 0xDB, 0x3F, 0xFF, pattern(600), 256);
  const ResponseApdu response = transmit(card.exchange(), command);
  EXPECT_EQ(response.data, from_hex("CAFE"));
  EXPECT_EQ(response.sw, sw::kOk);
  ASSERT_EQ(card.received.size(), 3u);
  EXPECT_EQ(card.received[0].cla, 0x10);
  EXPECT_EQ(card.received[2].cla, 0x00);
  EXPECT_EQ(card.received[2].data.size(), 90u);
}

TEST(Transmit, StopsChainOnNon9000) {
  ScriptedCard card;
  card.script = {ResponseApdu(sw::kOk), ResponseApdu(sw::kChainingNotSupported)};
  const ResponseApdu response = transmit(card.exchange(), CommandApdu(0x00, 0xDB, 0, 0, pattern(1000)));
  EXPECT_EQ(response.sw, sw::kChainingNotSupported);
  EXPECT_EQ(card.received.size(), 2u);  // links 3 and 4 never sent
  EXPECT_TRUE(card.script.empty());
}

TEST(Transmit, RefusesDataInAnIntermediateChainResponse) {
  ScriptedCard card;
  card.script = {ResponseApdu(from_hex("01"), sw::kOk)};
  try {
    transmit(card.exchange(), CommandApdu(0x00, 0xDB, 0, 0, pattern(300)));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("chain link 1 of 2 with 9000 and 1 data bytes"), std::string::npos);
  }
}

TEST(Transmit, FollowsGetResponseAndConcatenates) {
  ScriptedCard card;
  const Bytes full = pattern(256 + 256 + 40 + 10);
  auto part = [&](std::size_t from, std::size_t size) {
    return Bytes(full.begin() + static_cast<std::ptrdiff_t>(from),
                 full.begin() + static_cast<std::ptrdiff_t>(from + size));
  };
  card.script = {ResponseApdu(part(0, 10), 0x6100), ResponseApdu(part(10, 256), 0x6100),
                 ResponseApdu(part(266, 256), 0x6128), ResponseApdu(part(522, 40), 0x6283)};
  const ResponseApdu response = transmit(card.exchange(), CommandApdu(0x01, 0xCA, 0x00, 0x66, {}, 256));
  EXPECT_EQ(response.data, full);
  EXPECT_EQ(response.sw, 0x6283);  // the final status word, warning included
  ASSERT_EQ(card.received.size(), 4u);
  EXPECT_EQ(card.received[1].encode(), from_hex("01C0000000"));
  EXPECT_EQ(card.received[3].encode(), from_hex("01C0000028"));
}

TEST(Transmit, GetResponseAfterAChainUsesTheChannelOfTheCommand) {
  ScriptedCard card;
  card.script = {ResponseApdu(sw::kOk), ResponseApdu(from_hex("AA"), 0x6102), ResponseApdu(from_hex("BBCC"), sw::kOk)};
  const ResponseApdu response = transmit(card.exchange(), CommandApdu(0x02, 0xDB, 0, 0, pattern(256), 256));
  EXPECT_EQ(response.data, from_hex("AABBCC"));
  ASSERT_EQ(card.received.size(), 3u);
  EXPECT_EQ(card.received[0].cla, 0x12);
  EXPECT_EQ(card.received[2].encode(), from_hex("02C0000002"));
}

TEST(Transmit, ResendsWithExactLeAfter6Cxx) {
  ScriptedCard card;
  card.script = {ResponseApdu(0x6C08), ResponseApdu(from_hex("0102030405060708"), sw::kOk)};
  const ResponseApdu response = transmit(card.exchange(), CommandApdu(0x00, 0xB2, 0x01, 0x0C, {}, 256));
  EXPECT_EQ(response.data, from_hex("0102030405060708"));
  ASSERT_EQ(card.received.size(), 2u);
  EXPECT_EQ(card.received[1].encode(), from_hex("00B2010C08"));
}

TEST(Transmit, Then61xxAfter6CxxAndWrongLeOnGetResponse) {
  ScriptedCard card;
  card.script = {ResponseApdu(0x6C00), ResponseApdu(from_hex("01"), 0x6110), ResponseApdu(0x6C02),
                 ResponseApdu(from_hex("0203"), sw::kOk)};
  const ResponseApdu response = transmit(card.exchange(), CommandApdu(0x00, 0xB0, 0, 0, {}, 5));
  EXPECT_EQ(response.data, from_hex("010203"));
  ASSERT_EQ(card.received.size(), 4u);
  EXPECT_EQ(card.received[1].ne, 256u);
  EXPECT_EQ(card.received[2].encode(), from_hex("00C0000010"));
  EXPECT_EQ(card.received[3].encode(), from_hex("00C0000002"));
}

TEST(Transmit, Repeated6CxxIsAProtocolError) {
  ScriptedCard card;
  card.script = {ResponseApdu(0x6C08), ResponseApdu(0x6C04)};
  try {
    transmit(card.exchange(), CommandApdu(0x00, 0xB0, 0, 0, {}, 1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("6Cxx again"), std::string::npos) << e.what();
  }
}

TEST(Transmit, LoopingCardEndsInError) {
  std::size_t calls = 0;
  const ApduExchange looping = [&calls](const CommandApdu&) {
    ++calls;
    return ResponseApdu(Bytes(4, 0xEE), 0x6104);
  };
  TransmitOptions options;
  options.max_get_response_rounds = 50;
  try {
    transmit(looping, CommandApdu(0x00, 0xCA, 0, 0, {}, 4), options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("still answers 61xx after 50 GET RESPONSE"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls, 51u);

  // With the default bounds, a card that sends 256 bytes per round hits the size bound first.
  const ApduExchange flooding = [](const CommandApdu&) { return ResponseApdu(Bytes(256, 0xEE), 0x6100); };
  try {
    transmit(flooding, CommandApdu(0x00, 0xCA, 0, 0, {}, 256));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("exceeds the limit of 262144 bytes"), std::string::npos) << e.what();
  }
}

TEST(Transmit, OptionsDisableContinuation) {
  ScriptedCard card;
  card.script = {ResponseApdu(from_hex("01"), 0x6105), ResponseApdu(0x6C02)};
  TransmitOptions options;
  options.follow_get_response = false;
  options.follow_wrong_le = false;
  EXPECT_EQ(transmit(card.exchange(), CommandApdu(0x00, 0xCA, 0, 0, {}, 1), options).sw, 0x6105);
  EXPECT_EQ(transmit(card.exchange(), CommandApdu(0x00, 0xCA, 0, 0, {}, 1), options).sw, 0x6C02);
  EXPECT_EQ(card.received.size(), 2u);
  options.max_chunk = 0;
  EXPECT_THROW(transmit(card.exchange(), CommandApdu(0x00, 0xCA, 0, 0), options), Error);
}

TEST(Transmit, ShortCommandsGoOutUnchanged) {
  ScriptedCard card;
  card.script = {ResponseApdu(from_hex("AB"), sw::kOk)};
  CommandApdu command(0x84, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
  command.extended = true;
  EXPECT_EQ(transmit(card.exchange(), command).data, from_hex("AB"));
  ASSERT_EQ(card.received.size(), 1u);
  EXPECT_EQ(card.received[0].encode(), command.encode());
}

}  // namespace
}  // namespace sefleet::iso7816

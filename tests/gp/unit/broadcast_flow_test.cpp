// The broadcast flow at the SCP03 layer: PAUT (build_paut) and PSE (build_pse) against the card role's
// broadcast mode (Scp03Card::switch_to_broadcast_after_response / switch_back_after_response), with a
// minimal application standing in for the ISD. The ISD's own checks are tested in tests/card; this
// file pins the secure-messaging contract both sides rely on (broadcast-channel.md §5, §7).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/apdu.hpp"
#include "scp03_pair.hpp"

namespace sefleet::gp::broadcast {
namespace {

using gp::testing::make_keys;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

BroadcastKeys make_broadcast_keys(std::size_t size, std::uint8_t seed = 0xB0) {
  Bytes enc(size), mac(size);
  for (std::size_t i = 0; i < size; ++i) {
    enc[i] = static_cast<std::uint8_t>(seed + i);
    mac[i] = static_cast<std::uint8_t>(seed + 0x40 + i);
  }
  return BroadcastKeys{SecretBytes(enc), SecretBytes(mac)};
}

Bytes make_stream(std::size_t size) {
  Bytes stream(size);
  for (std::size_t i = 0; i < size; ++i) stream[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return stream;
}

BroadcastContextStart make_start() {
  BroadcastContextStart start;
  for (std::size_t i = 0; i < 16; ++i) {
    start.counter[i] = static_cast<std::uint8_t>(0xF0 + i);
    start.chaining_value[i] = static_cast<std::uint8_t>(0x11 * i);
  }
  return start;
}

// One SE's SCP03 card role plus an application that follows the channel's happy path: CHANGE MODE
// switches with the clear keys of C2 (profile 4 style), WRITE BLOCK collects, CHANGE MODE back
// restores, AUTHORIZE ACTION answers a status object.
struct BroadcastSe {
  BroadcastSe(StaticKeySet keys, std::uint8_t i) : random(Bytes{0x01, 0x02}) {
    registry.put(std::move(keys));
    Scp03CardConfig config;
    config.i = i;
    card = std::make_unique<Scp03Card>(registry, config, random);
  }

  ResponseApdu application(const CommandApdu& command) {
    if (command.ins == kInsChangeMode && command.p1 == kChangeModeToBroadcast) {
      const auto message = parse_change_mode_to_broadcast(command.data);
      total = message.total_length;
      crypto::Mac16 mcv{};
      std::copy(message.chaining_value.begin(), message.chaining_value.end(), mcv.begin());
      ticket = card->switch_to_broadcast_after_response(split_broadcast_keys(message.broadcast_keys.view()),
                                                        message.counter, mcv);
      return ResponseApdu(0x9000);
    }
    if (command.ins == kInsWriteBlock) {
      received.insert(received.end(), command.data.begin(), command.data.end());
      ++blocks;
      return ResponseApdu(0x9000);
    }
    if (command.ins == kInsChangeMode && command.p1 == kChangeModeToDiversified) {
      if (!card->in_broadcast_mode()) return ResponseApdu(0x6985);
      if (received.size() != total) return ResponseApdu(0x6A87);
      card->switch_back_after_response();
      return ResponseApdu(0x9000);
    }
    if (command.ins == kInsAuthorizeAction) {
      if (card->in_broadcast_mode()) return ResponseApdu(0x6982);
      const auto message = parse_authorize_action(command.data);
      ImageStatus status;
      status.campaign_id = message.campaign_id;
      status.result = result::kActivated;
      status.active_version = 7;
      return ResponseApdu(encode_image_status(status), 0x9000);
    }
    return ResponseApdu(0x6D00);
  }

  ResponseApdu send(const Bytes& wire) {
    return ResponseApdu::parse(card->process(wire, [this](const CommandApdu& c) { return application(c); }));
  }
  ResponseApdu send(const CommandApdu& command) { return send(command.encode()); }

  crypto::DeterministicRandom random;
  InMemoryKeyRegistry registry;
  std::unique_ptr<Scp03Card> card;
  Scp03Card::BroadcastTicket ticket;
  Bytes received;
  std::size_t blocks = 0;
  std::uint32_t total = 0;
};

struct FlowConfig {
  std::size_t static_key_size = 16;
  std::size_t broadcast_key_size = 16;
  std::uint8_t i = 0x70;
  std::uint8_t level = 0x33;
  std::size_t stream_size = 1000;
  std::size_t chunk = kMaxShortChunk;
  bool extended = false;
};

PautInput make_paut_input(const FlowConfig& config, const BroadcastKeys& bk, std::uint32_t counter) {
  PautInput input;
  input.sequence_counter = counter;
  input.host_challenge = Bytes(half_block_size(mode_of(config.i)), 0x5A);
  input.i = config.i;
  input.security_level = config.level;
  input.change_mode.profile = Profile::platform_key;
  input.change_mode.campaign_id.fill(0xCA);
  input.change_mode.broadcast_keys = join_broadcast_keys(bk);
  const auto start = make_start();
  input.change_mode.counter = start.counter;
  std::copy(start.chaining_value.begin(), start.chaining_value.end(), input.change_mode.chaining_value.begin());
  input.change_mode.key_version = 1;
  input.change_mode.total_length = static_cast<std::uint32_t>(config.stream_size);
  input.authorize.campaign_id.fill(0xCA);
  input.authorize.integrity_code = Bytes(16, 0x33);
  return input;
}

class BroadcastFlow : public ::testing::TestWithParam<FlowConfig> {};

TEST_P(BroadcastFlow, PautThenPseThenAuthorizeVerifiesOnBothSides) {
  const FlowConfig config = GetParam();
  const StaticKeySet keys = make_keys(config.static_key_size);
  BroadcastSe se(make_keys(config.static_key_size), config.i);
  const BroadcastKeys bk = make_broadcast_keys(config.broadcast_key_size);
  const Bytes stream = make_stream(config.stream_size);

  const Paut paut = build_paut(keys, make_paut_input(config, bk, 0));
  const auto pse = build_pse(bk, make_start(), stream, config.chunk, config.extended);
  ASSERT_EQ(pse.size(), pse_block_count(stream.size(), config.chunk) + 1);

  const ResponseApdu iu = se.send(paut.commands[0]);
  ASSERT_EQ(iu.sw, 0x9000);
  ASSERT_EQ(se.send(paut.commands[1]).sw, 0x9000) << se.card->last_refusal();
  ASSERT_EQ(se.send(paut.commands[2]).sw, 0x9000) << se.card->last_refusal();
  ASSERT_TRUE(se.card->in_broadcast_mode());
  EXPECT_FALSE(se.ticket.expired());
  for (std::size_t k = 0; k < pse.size(); ++k) {
    const ResponseApdu r = se.send(pse[k]);
    ASSERT_EQ(r.sw, 0x9000) << "PSE command " << k << ": " << se.card->last_refusal();
    EXPECT_TRUE(r.data.empty()) << "broadcast responses carry no R-MAC";
  }
  EXPECT_FALSE(se.card->in_broadcast_mode());
  EXPECT_TRUE(se.ticket.expired()) << "the restore data is single use";
  EXPECT_EQ(se.received, stream);
  const ResponseApdu aa = se.send(paut.commands[3]);
  ASSERT_EQ(aa.sw, 0x9000) << se.card->last_refusal();

  const PautVerdict verdict = verify_paut_answers(keys, paut.check, iu, aa);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(verdict.status->active_version, 7u);
  EXPECT_EQ(verdict.authorize_sw, 0x9000);
}

INSTANTIATE_TEST_SUITE_P(Configurations, BroadcastFlow,
                         ::testing::Values(FlowConfig{}, FlowConfig{16, 16, 0x70, 0x13, 1000, 239, false},
                                           FlowConfig{32, 32, 0x70, 0x33, 5000, 4096, true},
                                           FlowConfig{24, 24, 0x71, 0x33, 700, 100,
                                                      false},  // S16 diversified session; broadcast stays S8
                                           FlowConfig{16, 16, 0x70, 0x33, 239, 239, false},
                                           FlowConfig{16, 32, 0x70, 0x33, 70000, kMaxExtendedChunk, true}));

TEST(BroadcastFlowRefusals, AlteredBlockAbortsBothContexts) {
  const FlowConfig config;
  const StaticKeySet keys = make_keys(16);
  BroadcastSe se(make_keys(16), config.i);
  const BroadcastKeys bk = make_broadcast_keys(16);
  const Paut paut = build_paut(keys, make_paut_input(config, bk, 0));
  auto pse = build_pse(bk, make_start(), make_stream(config.stream_size), config.chunk, false);
  for (std::size_t k = 0; k < 3; ++k) ASSERT_EQ(se.send(paut.commands[k]).sw, 0x9000);
  ASSERT_EQ(se.send(pse[0]).sw, 0x9000);
  pse[1][10] ^= 0x01;
  EXPECT_EQ(se.send(pse[1]).sw, 0x6982);
  EXPECT_EQ(se.card->state(), Scp03Card::State::aborted);
  EXPECT_TRUE(se.ticket.expired());
  EXPECT_FALSE(se.card->in_broadcast_mode());
  EXPECT_EQ(se.send(paut.commands[3]).sw, 0x6982) << "the diversified context is gone too";
}

TEST(BroadcastFlowRefusals, ReorderedOrRepeatedBlockFailsTheMacChain) {
  const FlowConfig config;
  const StaticKeySet keys = make_keys(16);
  const BroadcastKeys bk = make_broadcast_keys(16);
  const auto pse = build_pse(bk, make_start(), make_stream(config.stream_size), config.chunk, false);
  for (const std::vector<std::size_t>& order : {std::vector<std::size_t>{1}, {0, 0}, {0, 2}}) {
    BroadcastSe se(make_keys(16), config.i);
    const Paut paut = build_paut(keys, make_paut_input(config, bk, 0));
    for (std::size_t k = 0; k < 3; ++k) ASSERT_EQ(se.send(paut.commands[k]).sw, 0x9000);
    std::uint16_t last = 0;
    for (std::size_t index : order) last = se.send(pse[index]).sw;
    EXPECT_EQ(last, 0x6982);
    EXPECT_TRUE(se.ticket.expired());
  }
}

TEST(BroadcastFlowRefusals, NewInitializeUpdateEndsTheBroadcastContext) {
  const FlowConfig config;
  const StaticKeySet keys = make_keys(16);
  BroadcastSe se(make_keys(16), config.i);
  const BroadcastKeys bk = make_broadcast_keys(16);
  const Paut paut = build_paut(keys, make_paut_input(config, bk, 0));
  for (std::size_t k = 0; k < 3; ++k) ASSERT_EQ(se.send(paut.commands[k]).sw, 0x9000);
  ASSERT_TRUE(se.card->in_broadcast_mode());
  const Paut next = build_paut(keys, make_paut_input(config, bk, 1));
  ASSERT_EQ(se.send(next.commands[0]).sw, 0x9000);
  EXPECT_TRUE(se.ticket.expired());
  EXPECT_FALSE(se.card->in_broadcast_mode());
}

TEST(BroadcastFlowRefusals, SwitchIsNotAppliedAfterAnErrorResponse) {
  InMemoryKeyRegistry registry;
  registry.put(make_keys(16));
  crypto::DeterministicRandom random(Bytes{9});
  Scp03Card card(registry, Scp03CardConfig{}, random);
  EXPECT_THROW(card.switch_to_broadcast_after_response(make_broadcast_keys(16), Scp03Counter{}, crypto::Mac16{}), Error)
      << "no open session";
  EXPECT_THROW(card.switch_back_after_response(), Error);

  const StaticKeySet keys = make_keys(16);
  const FlowConfig config;
  const Paut paut = build_paut(keys, make_paut_input(config, make_broadcast_keys(16), 0));
  Scp03Card::BroadcastTicket ticket;
  const auto app = [&](const CommandApdu&) {
    ticket = card.switch_to_broadcast_after_response(make_broadcast_keys(16), Scp03Counter{}, crypto::Mac16{});
    return ResponseApdu(0x6A80);
  };
  ASSERT_EQ(ResponseApdu::parse(card.process(paut.commands[0].encode(), app)).sw, 0x9000);
  ASSERT_EQ(ResponseApdu::parse(card.process(paut.commands[1].encode(), app)).sw, 0x9000);
  EXPECT_EQ(ResponseApdu::parse(card.process(paut.commands[2].encode(), app)).sw, 0x6A80);
  EXPECT_FALSE(card.in_broadcast_mode());
  EXPECT_TRUE(ticket.expired());
  EXPECT_EQ(card.state(), Scp03Card::State::open) << "the diversified session goes on";
}

TEST(BroadcastPaut, IsBoundToOneSeAndOneCounter) {
  const FlowConfig config;
  const BroadcastKeys bk = make_broadcast_keys(16);
  const Paut for_a = build_paut(make_keys(16, 0x30, 0x40), make_paut_input(config, bk, 0));

  BroadcastSe se_b(make_keys(16, 0x30, 0x60), config.i);
  ASSERT_EQ(se_b.send(for_a.commands[0]).sw, 0x9000);
  EXPECT_EQ(se_b.send(for_a.commands[1]).sw, 0x6300) << "PAUT of SE A on SE B";

  BroadcastSe se_a(make_keys(16, 0x30, 0x40), config.i);
  ASSERT_EQ(se_a.send(for_a.commands[0]).sw, 0x9000);  // counter 1, as computed
  ASSERT_EQ(se_a.send(for_a.commands[1]).sw, 0x9000);
  ASSERT_EQ(se_a.send(for_a.commands[0]).sw, 0x9000);  // replay: the SE is now at counter 2
  EXPECT_EQ(se_a.send(for_a.commands[1]).sw, 0x6300) << "PAUT replayed after another session";
}

TEST(BroadcastPaut, ServerRefusesForgedAnswers) {
  const FlowConfig config;
  const StaticKeySet keys = make_keys(16);
  const BroadcastKeys bk = make_broadcast_keys(16);
  BroadcastSe se(make_keys(16), config.i);
  const Paut paut = build_paut(keys, make_paut_input(config, bk, 0));
  const auto pse = build_pse(bk, make_start(), make_stream(config.stream_size), config.chunk, false);
  const ResponseApdu iu = se.send(paut.commands[0]);
  for (std::size_t k = 1; k < 3; ++k) ASSERT_EQ(se.send(paut.commands[k]).sw, 0x9000);
  for (const auto& command : pse) ASSERT_EQ(se.send(command).sw, 0x9000);
  const ResponseApdu aa = se.send(paut.commands[3]);
  ASSERT_EQ(aa.sw, 0x9000);

  for (std::size_t at = 0; at < aa.data.size(); ++at) {
    ResponseApdu forged = aa;
    forged.data[at] ^= 0x80;
    EXPECT_THROW(verify_paut_answers(keys, paut.check, iu, forged), Error) << "byte " << at;
  }
  ResponseApdu other_sw = aa;
  other_sw.sw = 0x6300;
  EXPECT_THROW(verify_paut_answers(keys, paut.check, iu, other_sw), Error) << "status word is under the R-MAC";
  ResponseApdu forged_iu = iu;
  forged_iu.data.back() ^= 0x01;
  EXPECT_THROW(verify_paut_answers(keys, paut.check, forged_iu, aa), Error);
  EXPECT_THROW(verify_paut_answers(make_keys(16, 0x30, 0x70), paut.check, iu, aa), Error) << "another SE's keys";

  // An error status word is not authenticated: no status object, no exception.
  const PautVerdict refused = verify_paut_answers(keys, paut.check, iu, ResponseApdu(0x6985));
  EXPECT_TRUE(refused.card_authenticated);
  EXPECT_FALSE(refused.status.has_value());
  EXPECT_EQ(refused.authorize_sw, 0x6985);
}

TEST(BroadcastPse, IsTheSameForEverySeAndDeterministic) {
  const BroadcastKeys bk = make_broadcast_keys(16);
  const Bytes stream = make_stream(3000);
  EXPECT_EQ(build_pse(bk, make_start(), stream, 239, false), build_pse(bk, make_start(), stream, 239, false));
  const auto pse = build_pse(bk, make_start(), stream, 239, false);
  const auto first = CommandApdu::parse(pse.front());
  EXPECT_EQ(first.cla, 0x84);
  EXPECT_EQ(first.ins, kInsWriteBlock);
  EXPECT_EQ(first.data.size(), 240u + 8u);
  const auto last = CommandApdu::parse(pse.back());
  EXPECT_EQ(last.ins, kInsChangeMode);
  EXPECT_EQ(last.p1, kChangeModeToDiversified);
  EXPECT_EQ(last.data.size(), 8u) << "C-MAC only";
  EXPECT_EQ(CommandApdu::parse(pse[12]).p2, 12);
}

TEST(BroadcastPse, RefusesBadParameters) {
  const BroadcastKeys bk = make_broadcast_keys(16);
  EXPECT_THROW(PseBuilder(bk, make_start(), 0, false), Error);
  EXPECT_THROW(PseBuilder(bk, make_start(), 240, false), Error);
  EXPECT_THROW(PseBuilder(bk, make_start(), kMaxExtendedChunk + 1, true), Error);
  EXPECT_THROW(build_pse(bk, make_start(), Bytes{}, 16, false), Error);
  EXPECT_THROW(build_pse(bk, make_start(), Bytes(65537), 1, false), Error);
  EXPECT_THROW(PseBuilder(BroadcastKeys{SecretBytes(Bytes(16)), SecretBytes(Bytes(32))}, make_start(), 16, false),
               Error);
  PseBuilder builder(bk, make_start(), 16, false);
  EXPECT_THROW(builder.write_block(Bytes(17)), Error);
  EXPECT_THROW(builder.write_block(Bytes{}), Error);
  builder.finish();
  EXPECT_THROW(builder.write_block(Bytes(4)), Error);
  EXPECT_THROW(builder.finish(), Error);
}

TEST(BroadcastPaut, RefusesInputsThatCannotWork) {
  const FlowConfig config;
  const StaticKeySet keys = make_keys(16);
  PautInput input = make_paut_input(config, make_broadcast_keys(16), 0);
  input.i = 0x60;
  EXPECT_THROW(build_paut(keys, input), Error) << "no pseudo-random challenge";
  input = make_paut_input(config, make_broadcast_keys(16), 0);
  input.security_level = 0x03;
  EXPECT_THROW(build_paut(keys, input), Error) << "level without R-MAC";
  input = make_paut_input(config, make_broadcast_keys(16), 0);
  input.host_challenge = Bytes(16, 1);
  EXPECT_THROW(build_paut(keys, input), Error) << "S16 challenge in S8";
  input = make_paut_input(config, make_broadcast_keys(16), 0xFFFFFF);
  EXPECT_THROW(build_paut(keys, input), Error) << "counter exhausted";
}

// Online SCP03: an SE whose card challenge is random (i = 60, 61) answers INITIALIZE UPDATE first;
// PAUT[1..3] are then computed for the challenge of that answer and run exactly as a PAUT's do.
class RandomChallengeFlow : public ::testing::TestWithParam<std::uint8_t> {
 protected:
  FlowConfig config() const {
    FlowConfig config;
    config.i = GetParam();
    return config;
  }
  // PAUT[0] as the server sends it before knowing the challenge, and the SE's answer.
  ResponseApdu initialize_update(BroadcastSe& se, const PautInput& input) {
    return se.send(CommandApdu(0x80, kInsInitializeUpdate, keys.kvn, 0x00, input.host_challenge, 256));
  }
  static PautInput answered(PautInput input, const ResponseApdu& iu) {
    const auto parsed = InitializeUpdateResponse::parse(iu.data);
    input.card_challenge = parsed.card_challenge;
    input.sequence_counter = parsed.sequence_counter.value_or(0);
    return input;
  }

  StaticKeySet keys = make_keys(16);
  BroadcastKeys bk = make_broadcast_keys(16);
};

TEST_P(RandomChallengeFlow, CommandsComputedForTheAnswerRunOnTheCardAndVerify) {
  BroadcastSe se(make_keys(16), GetParam());
  const PautInput input = make_paut_input(config(), bk, 0);
  const ResponseApdu iu = initialize_update(se, input);
  ASSERT_EQ(iu.sw, 0x9000);
  EXPECT_FALSE(InitializeUpdateResponse::parse(iu.data).sequence_counter.has_value()) << "a random challenge";

  const Paut paut = build_paut(keys, answered(input, iu));
  EXPECT_EQ(paut.commands[0].encode(),
            CommandApdu(0x80, kInsInitializeUpdate, keys.kvn, 0x00, input.host_challenge, 256).encode());
  EXPECT_EQ(paut.check.sequence_counter, 0u);
  ASSERT_EQ(se.send(paut.commands[1]).sw, 0x9000) << se.card->last_refusal();
  ASSERT_EQ(se.send(paut.commands[2]).sw, 0x9000) << se.card->last_refusal();
  for (const auto& command : build_pse(bk, make_start(), make_stream(config().stream_size), config().chunk, false)) {
    ASSERT_EQ(se.send(command).sw, 0x9000) << se.card->last_refusal();
  }
  const ResponseApdu aa = se.send(paut.commands[3]);
  ASSERT_EQ(aa.sw, 0x9000) << se.card->last_refusal();

  const PautVerdict verdict = verify_paut_answers(keys, paut.check, iu, aa);
  EXPECT_TRUE(verdict.card_authenticated);
  ASSERT_TRUE(verdict.status.has_value());
  EXPECT_EQ(verdict.status->active_version, 7u);

  // The server's checks: an altered card cryptogram, another SE's keys, an altered R-MAC.
  ResponseApdu forged_iu = iu;
  forged_iu.data.back() ^= 0x01;
  EXPECT_THROW(verify_paut_answers(keys, paut.check, forged_iu, std::nullopt), Error);
  EXPECT_THROW(verify_paut_answers(make_keys(16, 0x30, 0x70), paut.check, iu, std::nullopt), Error);
  ResponseApdu forged_aa = aa;
  forged_aa.data.front() ^= 0x01;
  EXPECT_THROW(verify_paut_answers(keys, paut.check, iu, forged_aa), Error);
}

TEST_P(RandomChallengeFlow, CommandsOfAnEarlierAnswerAreRefusedByTheCard) {
  BroadcastSe se(make_keys(16), GetParam());
  const PautInput input = make_paut_input(config(), bk, 0);
  const ResponseApdu first = initialize_update(se, input);
  const ResponseApdu second = initialize_update(se, input);  // same host challenge, a new card challenge
  ASSERT_EQ(second.sw, 0x9000);
  ASSERT_NE(InitializeUpdateResponse::parse(first.data).card_challenge,
            InitializeUpdateResponse::parse(second.data).card_challenge);
  const Paut stale = build_paut(keys, answered(input, first));
  EXPECT_EQ(se.send(stale.commands[1]).sw, 0x6300) << "host cryptogram of the earlier challenge";
  EXPECT_THROW(verify_paut_answers(keys, stale.check, second, std::nullopt), Error);
}

TEST_P(RandomChallengeFlow, RefusesAChallengeOfTheWrongSizeOrNoChallenge) {
  PautInput input = make_paut_input(config(), bk, 0);
  EXPECT_THROW(build_paut(keys, input), Error) << "a random challenge cannot be predicted";
  input.card_challenge = Bytes(half_block_size(mode_of(GetParam())) + 1, 0x11);
  EXPECT_THROW(build_paut(keys, input), Error);
}

INSTANTIATE_TEST_SUITE_P(RandomChallenge, RandomChallengeFlow, ::testing::Values(0x60, 0x61),
                         [](const ::testing::TestParamInfo<std::uint8_t>& param_info) {
                           return param_info.param == 0x60 ? std::string("S8") : std::string("S16");
                         });

TEST(Scp03CounterArithmetic, IncrementCarriesThroughAll128Bits) {
  Scp03Counter counter{};
  counter.fill(0xFF);
  increment(counter);
  EXPECT_EQ(counter, Scp03Counter{});
  counter = scp03_counter(0x00000000FFFFFFFFull);
  increment(counter);
  EXPECT_EQ(counter, scp03_counter(0x0000000100000000ull));
  counter = scp03_counter(0xFFFFFFFFFFFFFFFFull);
  increment(counter);
  Scp03Counter expected{};
  expected[7] = 0x01;
  EXPECT_EQ(counter, expected);
}

}  // namespace
}  // namespace sefleet::gp::broadcast

// Refusals of both roles. Each test states the documented status word (card) or error (host) and the
// session state that must follow (docs/scp03.md, "Card decisions").
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "scp03_pair.hpp"

namespace sefleet::gp::testing {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using State = Scp03Card::State;

const CommandApdu kPlain(0x80, 0xE2, 0x00, 0x00, Bytes{0x01, 0x02, 0x03, 0x04, 0x05}, 256);

// After an abort, a correct command is refused too, and a new INITIALIZE UPDATE recovers.
void expect_aborted_until_new_session(Scp03Pair& pair) {
  EXPECT_EQ(pair.card->state(), State::aborted);
  EXPECT_EQ(pair.card->current_security_level(), 0x00);
  const int calls = pair.app.calls;
  EXPECT_EQ(pair.send(kPlain).sw, 0x6982);
  EXPECT_EQ(pair.send(CommandApdu(0x84, 0xE2, 0, 0, Bytes(16, 0))).sw, 0x6982);
  EXPECT_EQ(pair.app.calls, calls) << "the application must not see commands of an aborted session";
  pair.open();
  pair.app.next_response = ResponseApdu(Bytes{0x42}, 0x9000);
  EXPECT_EQ(pair.exchange(kPlain).data, Bytes{0x42});
}

// The data field of a protected command whose padded plaintext is given as is (so it may be badly
// padded), encrypted and MACed exactly as the host would for its next command.
Bytes protect_raw(Scp03Pair& pair, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView padded_plain) {
  auto& host_sm = pair.host->messaging();
  crypto::Aes enc(pair.host->session_keys().s_enc.view());
  const Bytes icv = scp03_icv(enc, host_sm.counter() + 1, false);
  Bytes data = enc.cbc_encrypt(icv, padded_plain);
  const auto mac = host_sm.command_mac(host_sm.mac_chaining_value(), 0x84, ins, p1, p2, data, false);
  data.insert(data.end(), mac.begin(), mac.begin() + 8);
  return data;
}

Bytes flip(Bytes bytes, std::size_t index, std::uint8_t mask = 0x01) {
  bytes.at(index) ^= mask;
  return bytes;
}

TEST(Scp03CardRefusals, FlippedMacBitAbortsWith6982) {
  Scp03Pair pair;
  pair.open();
  Bytes raw = pair.host->wrap(kPlain).encode();
  raw = flip(raw, raw.size() - 2);  // last C-MAC byte (before Le)
  EXPECT_EQ(pair.send_raw(raw).sw, 0x6982);
  EXPECT_NE(pair.card->last_refusal().find("C-MAC"), std::string::npos);
  expect_aborted_until_new_session(pair);
}

TEST(Scp03CardRefusals, FlippedCiphertextBitAbortsWith6982) {
  Scp03Pair pair;
  pair.open();
  const Bytes raw = pair.host->wrap(kPlain).encode();
  EXPECT_EQ(pair.send_raw(flip(raw, 5)).sw, 0x6982);
  expect_aborted_until_new_session(pair);
}

TEST(Scp03CardRefusals, FlippedLcIsRefusedAndAborts) {
  Scp03Pair pair;
  pair.open();
  const Bytes raw = pair.host->wrap(kPlain).encode();
  for (const std::uint8_t mask : {0x01, 0x80}) {
    SCOPED_TRACE(mask);
    const auto sw = pair.send_raw(flip(raw, 4, mask)).sw;
    EXPECT_TRUE(sw == 0x6700 || sw == 0x6982) << std::hex << sw;
    expect_aborted_until_new_session(pair);
  }
}

TEST(Scp03CardRefusals, ReplayedCommandAbortsWith6982) {
  Scp03Pair pair;
  pair.open();
  const CommandApdu wire = pair.host->wrap(kPlain);
  EXPECT_EQ(pair.send(wire).sw, 0x9000);
  EXPECT_EQ(pair.send(wire).sw, 0x6982);
  expect_aborted_until_new_session(pair);
}

TEST(Scp03CardRefusals, ReorderedCommandsAbortWith6982) {
  Scp03Pair pair;
  pair.open();
  const CommandApdu first = pair.host->wrap(kPlain);
  const CommandApdu second = pair.host->wrap(kPlain);
  EXPECT_EQ(pair.send(second).sw, 0x6982);
  EXPECT_EQ(pair.send(first).sw, 0x6982);  // too late: the session is gone
  expect_aborted_until_new_session(pair);
}

TEST(Scp03CardRefusals, MissingProtectionAbortsWith6982) {
  for (const std::uint8_t level : {0x01, 0x03, 0x33}) {
    SCOPED_TRACE(level);
    Scp03Pair pair(PairConfig{Scp03Mode::s8, 16, level, true});
    pair.open();
    EXPECT_EQ(pair.send(kPlain).sw, 0x6982);  // CLA 80: no C-MAC at all
    expect_aborted_until_new_session(pair);
  }
}

TEST(Scp03CardRefusals, SecureMessagingClaimedAtLevel00IsRefused) {
  Scp03Pair pair(PairConfig{Scp03Mode::s8, 16, 0x00, true});
  pair.open();
  EXPECT_EQ(pair.exchange(kPlain).sw, 0x9000);  // level 00: in clear
  EXPECT_EQ(pair.send(CommandApdu(0x84, 0xE2, 0, 0, Bytes(16, 0))).sw, 0x6982);
  EXPECT_EQ(pair.card->state(), State::aborted);
}

TEST(Scp03CardRefusals, ShortDataThatCannotHoldTheMacAborts) {
  Scp03Pair pair;
  pair.open();
  EXPECT_EQ(pair.send(CommandApdu(0x84, 0xE2, 0, 0, Bytes(7, 0))).sw, 0x6982);
  expect_aborted_until_new_session(pair);
}

// A command with a correct C-MAC whose decrypted data is badly padded (the host is compromised or
// buggy; the MAC alone does not make the content acceptable).
TEST(Scp03CardRefusals, BadPaddingUnderAValidMacAborts) {
  for (const bool full_block_of_zeros : {true, false}) {
    Scp03Pair pair(PairConfig{Scp03Mode::s8, 16, 0x03, true});
    pair.open();
    Bytes plain(32, 0x00);
    if (!full_block_of_zeros) plain[15] = 0x80;  // 80 then a whole block of 00: longer than one block
    const Bytes data = protect_raw(pair, 0xE2, 0, 0, plain);
    EXPECT_EQ(pair.send(CommandApdu(0x84, 0xE2, 0, 0, data)).sw, 0x6982);
    EXPECT_NE(pair.card->last_refusal().find("padding"), std::string::npos) << pair.card->last_refusal();
    EXPECT_EQ(pair.card->state(), State::aborted);
  }
}

TEST(Scp03CardAcceptance, EncryptedEmptyDataFieldIsEmptyData) {
  Scp03Pair pair(PairConfig{Scp03Mode::s8, 16, 0x03, true});
  pair.open();
  const Bytes data = protect_raw(pair, 0xCA, 0x00, 0x66, crypto::pad80(Bytes{}));
  EXPECT_EQ(pair.send(CommandApdu(0x84, 0xCA, 0x00, 0x66, data, 256)).sw, 0x9000);
  EXPECT_TRUE(pair.app.last.data.empty());
  EXPECT_EQ(pair.app.last.ins, 0xCA);
  EXPECT_EQ(pair.card->state(), State::open);
}

TEST(Scp03CardRefusals, WrongHostCryptogramGives6300AndDropsTheChallenge) {
  Scp03Pair pair;
  const auto iu = pair.send(pair.host->initialize_update());
  CommandApdu ea = pair.host->external_authenticate(iu);
  ea.data[0] ^= 0x01;
  EXPECT_EQ(pair.send(ea).sw, 0x6300);
  EXPECT_EQ(pair.card->state(), State::idle);
  ea.data[0] ^= 0x01;  // even the correct EA is now too late: new challenges are needed
  EXPECT_EQ(pair.send(ea).sw, 0x6985);
  pair.open();
}

TEST(Scp03CardRefusals, WrongExternalAuthenticateMacGives6982) {
  Scp03Pair pair;
  const auto iu = pair.send(pair.host->initialize_update());
  CommandApdu ea = pair.host->external_authenticate(iu);
  ea.data.back() ^= 0x01;
  EXPECT_EQ(pair.send(ea).sw, 0x6982);
  EXPECT_EQ(pair.card->state(), State::idle);
}

TEST(Scp03CardRefusals, LevelTheCardCannotRunGives6A86) {
  Scp03Pair pair;
  const auto iu = pair.send(pair.host->initialize_update());
  CommandApdu ea = pair.host->external_authenticate(iu);
  ea.p1 = 0x07;  // not a defined level
  EXPECT_EQ(pair.send(ea).sw, 0x6A86);
  EXPECT_EQ(pair.card->state(), State::idle);
}

TEST(Scp03CardRefusals, WrongKeyVersionGives6A88) {
  Scp03Pair pair;
  CommandApdu iu = pair.host->initialize_update();
  iu.p1 = 0x31;
  EXPECT_EQ(pair.send(iu).sw, 0x6A88);
  EXPECT_EQ(pair.card->state(), State::idle);
}

TEST(Scp03CardRefusals, WrongHostChallengeLengthGives6700) {
  Scp03Pair pair;  // S8 card
  EXPECT_EQ(pair.send(CommandApdu(0x80, 0x50, 0, 0, Bytes(16, 1), 256)).sw, 0x6700);
  EXPECT_EQ(pair.send(CommandApdu(0x80, 0x50, 0, 0, Bytes(7, 1), 256)).sw, 0x6700);
  Scp03Pair s16(PairConfig{Scp03Mode::s16, 16, 0x33, true});
  EXPECT_EQ(s16.send(CommandApdu(0x80, 0x50, 0, 0, Bytes(8, 1), 256)).sw, 0x6700);
}

TEST(Scp03CardRefusals, ExhaustedSequenceCounterGives6985AndNeverWraps) {
  Scp03Pair pair;
  pair.registry.put(make_keys(16), kMaxSequenceCounter - 1);
  pair.open();  // uses FFFFFF
  EXPECT_EQ(pair.registry.sequence_counter(0x30), kMaxSequenceCounter);
  EXPECT_EQ(pair.send(pair.host->initialize_update()).sw, 0x6985);
  EXPECT_EQ(pair.registry.sequence_counter(0x30), kMaxSequenceCounter);
  EXPECT_EQ(pair.card->state(), State::idle);
}

TEST(Scp03CardBehaviour, SequenceCounterIncrementsBeforeTheChallenge) {
  Scp03Pair pair;
  EXPECT_EQ(pair.registry.sequence_counter(0x30), 0u);
  const auto iu = pair.send(pair.host->initialize_update());
  const auto info = InitializeUpdateResponse::parse(iu.data);
  ASSERT_TRUE(info.sequence_counter.has_value());
  EXPECT_EQ(*info.sequence_counter, 1u);
  EXPECT_EQ(info.card_challenge, pseudo_random_card_challenge(make_keys(16).enc.view(), Scp03Mode::s8, 1, isd_aid()));
}

TEST(Scp03CardBehaviour, CounterAdvancesForCommandsWithoutData) {
  Scp03Pair pair;
  pair.open();
  pair.exchange(CommandApdu(0x80, 0xF2, 0x20, 0x02));           // case 1
  pair.exchange(CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256));  // case 2
  EXPECT_EQ(pair.card->messaging()->counter(), 2u);
  pair.app.next_response = ResponseApdu(Bytes(20, 0x33), 0x9000);
  EXPECT_EQ(pair.exchange(kPlain).data, Bytes(20, 0x33));  // encrypted with counter 3 on both sides
}

TEST(Scp03CardBehaviour, ErrorResponsesCarryNoRMacAndKeepTheSession) {
  Scp03Pair pair;
  pair.open();
  pair.app.next_response = ResponseApdu(Bytes{1, 2, 3}, 0x6A82);
  const ResponseApdu wire = pair.send(pair.host->wrap(kPlain));
  EXPECT_EQ(wire.sw, 0x6A82);
  EXPECT_TRUE(wire.data.empty());
  EXPECT_EQ(pair.host->unwrap(wire).sw, 0x6A82);
  pair.app.next_response = ResponseApdu(Bytes{9}, 0x9000);
  EXPECT_EQ(pair.exchange(kPlain).data, Bytes{9});
}

TEST(Scp03CardBehaviour, NewInitializeUpdateOrTerminateEndsTheSession) {
  Scp03Pair pair;
  pair.open();
  const CommandApdu pending = pair.host->wrap(kPlain);
  pair.card->terminate();
  EXPECT_EQ(pair.card->state(), State::idle);
  // Without a session the card passes commands through; the application decides.
  EXPECT_EQ(pair.send(pending).sw, 0x9000);
  EXPECT_EQ(pair.app.last.cla, 0x84);
}

TEST(Scp03HostRefusals, FlippedCardCryptogramIsAProtocolError) {
  Scp03Pair pair;
  auto iu = pair.send(pair.host->initialize_update());
  iu.data = flip(iu.data, 21);  // first card cryptogram byte (S8)
  try {
    pair.host->external_authenticate(iu);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("cryptogram"), std::string::npos);
  }
  EXPECT_EQ(pair.host->state(), Scp03Host::State::failed);
  EXPECT_THROW(pair.host->wrap(kPlain), Error);
}

TEST(Scp03HostRefusals, FlippedSequenceCounterIsAProtocolError) {
  Scp03Pair pair;
  auto iu = pair.send(pair.host->initialize_update());
  iu.data = flip(iu.data, iu.data.size() - 1);
  try {
    pair.host->external_authenticate(iu);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::protocol_error);
    EXPECT_NE(std::string(e.what()).find("challenge"), std::string::npos) << e.what();
  }
}

TEST(Scp03HostRefusals, TruncatedInitializeUpdateResponse) {
  Scp03Pair pair;
  auto iu = pair.send(pair.host->initialize_update());
  iu.data.pop_back();
  EXPECT_THROW(pair.host->external_authenticate(iu), Error);
  EXPECT_EQ(pair.host->state(), Scp03Host::State::failed);
}

TEST(Scp03HostRefusals, TruncatedAndTamperedResponses) {
  for (const std::size_t keep : {0, 4, 7}) {
    SCOPED_TRACE(keep);
    Scp03Pair pair;
    pair.open();
    pair.app.next_response = ResponseApdu(Bytes(5, 0x11), 0x9000);
    ResponseApdu wire = pair.send(pair.host->wrap(kPlain));
    wire.data.resize(keep);
    EXPECT_THROW(pair.host->unwrap(wire), Error);
    EXPECT_EQ(pair.host->state(), Scp03Host::State::failed);
  }
  Scp03Pair pair;
  pair.open();
  pair.app.next_response = ResponseApdu(Bytes(5, 0x11), 0x9000);
  ResponseApdu wire = pair.send(pair.host->wrap(kPlain));
  wire.data[0] ^= 0x80;
  try {
    pair.host->unwrap(wire);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error);
  }
  // A response whose status word was changed in transit fails its R-MAC too.
  Scp03Pair other;
  other.open();
  other.app.next_response = ResponseApdu(Bytes(5, 0x11), 0x9000);
  ResponseApdu changed = other.send(other.host->wrap(kPlain));
  changed.sw = 0x6310;
  EXPECT_THROW(other.host->unwrap(changed), Error);
}

TEST(Scp03HostRefusals, RefusedInitializeUpdateAndExternalAuthenticate) {
  Scp03Pair pair;
  pair.host->initialize_update();
  EXPECT_THROW(pair.host->external_authenticate(ResponseApdu(0x6A88)), Error);
  Scp03Pair second;
  const auto iu = second.send(second.host->initialize_update());
  second.host->external_authenticate(iu);
  EXPECT_THROW(second.host->complete(ResponseApdu(0x6300)), Error);
  EXPECT_EQ(second.host->state(), Scp03Host::State::failed);
}

TEST(Scp03HostRefusals, CardThatCannotRunTheLevelOrModeIsRefused) {
  // A card without R-MAC support (i=10) cannot run level 33.
  Scp03Pair pair;
  Scp03CardConfig config;
  config.i = 0x10;
  Scp03Card card(pair.registry, config);
  const auto iu = card.process(pair.host->initialize_update(), pair.app.function());
  EXPECT_THROW(pair.host->external_authenticate(iu), Error);
  // An S16 answer to an S8 host.
  Scp03Pair s8;
  Scp03CardConfig s16_config;
  s16_config.i = 0x71;
  Scp03Card s16_card(s8.registry, s16_config);
  Scp03HostOptions options;
  options.mode = Scp03Mode::s16;
  Scp03Host s16_host(make_keys(16), options);
  const auto s16_iu = s16_card.process(s16_host.initialize_update(), s8.app.function());
  ASSERT_EQ(s16_iu.sw, 0x9000);
  s8.host->initialize_update();
  EXPECT_THROW(s8.host->external_authenticate(s16_iu), Error);
}

TEST(Scp03HostRefusals, WrongStaticKeysAreDetectedByTheCardCryptogram) {
  Scp03Pair pair;
  Scp03HostOptions options;
  Scp03Host wrong(make_keys(16, 0x30, 0x99), options);
  options.verify_pseudo_random_challenge = false;
  Scp03Host wrong_unverified(make_keys(16, 0x30, 0x99), options);
  const auto iu1 = pair.send(wrong.initialize_update());
  EXPECT_THROW(wrong.external_authenticate(iu1), Error);  // challenge check
  const auto iu2 = pair.send(wrong_unverified.initialize_update());
  EXPECT_THROW(wrong_unverified.external_authenticate(iu2), Error);  // cryptogram check
}

TEST(Scp03HostRefusals, MisuseIsAStateError) {
  Scp03Pair pair;
  EXPECT_THROW(pair.host->wrap(kPlain), Error);
  EXPECT_THROW(pair.host->external_authenticate(ResponseApdu(0x9000)), Error);
  EXPECT_THROW(pair.host->initialize_update(Bytes(7, 0)), Error);
  pair.open();
  EXPECT_THROW(pair.host->wrap(CommandApdu(0x81, 0xE2, 0, 0)), Error);                   // other channel
  EXPECT_THROW(pair.host->wrap(CommandApdu(0x80, 0xE2, 0, 0, Bytes(65530, 0))), Error);  // too large
}

TEST(Scp03Types, InvalidConfigurationsAreRefused) {
  InMemoryKeyRegistry registry;
  Scp03CardConfig bad_i;
  bad_i.i = 0x40;  // R-ENC without R-MAC
  EXPECT_THROW(Scp03Card(registry, bad_i), Error);
  Scp03CardConfig bad_kdd;
  bad_kdd.key_diversification_data = Bytes(9, 0);
  EXPECT_THROW(Scp03Card(registry, bad_kdd), Error);
  EXPECT_THROW(StaticKeySet(1, SecretBytes(Bytes(16, 0)), SecretBytes(Bytes(24, 0)), SecretBytes(Bytes(16, 0))), Error);
  EXPECT_THROW(StaticKeySet(1, SecretBytes(Bytes(15, 0)), SecretBytes(Bytes(15, 0)), SecretBytes(Bytes(15, 0))), Error);
  Scp03HostOptions options;
  options.security_level = 0x02;
  EXPECT_THROW(Scp03Host(make_keys(16), options), Error);
}

}  // namespace
}  // namespace sefleet::gp::testing

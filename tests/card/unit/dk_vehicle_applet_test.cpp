// The vehicle key applet through the runtime: a whole transaction, every refusal with its status
// word, and what it defers.
#include <gtest/gtest.h>

#include "dk_test_support.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::dk_test {
namespace {

namespace sw = iso7816::sw;

TEST(DkVehicleApplet, FullTransactionUnlocksAndPersistsAfterTheResponses) {
  DkCard card;
  TestPhone phone(card);
  const auto select = phone.select();
  ASSERT_EQ(select.sw, sw::kOk);
  EXPECT_EQ(pdk::decode_select_response(select.data), std::vector<std::uint16_t>{pdk::kProtocolVersion1});
  ASSERT_TRUE(card.persistent("next_epk")) << "install precomputes the first ephemeral key";
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  EXPECT_FALSE(card.persistent("next_epk")) << "AUTH0 takes the precomputed key once";

  // AUTH1: the response leaves before Kpersistent and the counter are stored.
  const Bytes raw = card.runtime->transmit(
      iso7816::CommandApdu(0x80, 0x81, 0, 0, pdk::encode_auth1(phone.device_signature(card.device_key)), 256).encode());
  ASSERT_EQ(iso7816::ResponseApdu::parse(raw).sw, sw::kOk);
  EXPECT_TRUE(card.runtime->deferred_pending());
  EXPECT_FALSE(card.persistent("kp_1"));
  card.runtime->after_response();
  EXPECT_FALSE(card.runtime->deferred_pending());
  ASSERT_TRUE(card.persistent("kp_1"));
  EXPECT_EQ(card.persistent("kp_1")->size(), 32u);
  EXPECT_EQ(*card.persistent("tx_counter"), (Bytes{0, 0, 0, 1}));
  // Open the phone's side of the channel on the same response.
  {
    const auto point = crypto::P256PublicKey::from_uncompressed(phone.vehicle_epk);
    const SecretBytes z = crypto::ecdh_p256(*phone.ephemeral, point);
    const SecretBytes kdh = pdk::derive_kdh(phone.crypto, z.view(), phone.context.transaction_id);
    phone.channel.emplace(pdk::derive_session_keys(phone.crypto, kdh.view(), phone.context));
    const auto response = iso7816::ResponseApdu::parse(raw);
    const auto plain =
        pdk::decode_auth1_plain(phone.channel->unwrap_response(phone.crypto, response.data, response.sw));
    EXPECT_TRUE(crypto::ecdsa_p256_verify(card.vehicle_key.public_key(), pdk::vehicle_auth_data(phone.context),
                                          plain.vehicle_signature));
    EXPECT_EQ(plain.key_slot, 1);
  }

  const auto exchange = card.send(phone.exchange_command(pdk::DoorCommand::unlock));
  ASSERT_EQ(exchange.sw, sw::kOk);
  const auto result =
      pdk::decode_exchange_response(phone.channel->unwrap_response(phone.crypto, exchange.data, exchange.sw));
  EXPECT_EQ(result.state, pdk::DoorState::unlocked);
  EXPECT_EQ(result.transaction_counter, 1u);
  EXPECT_EQ(card.applet->door_state(), pdk::DoorState::unlocked);
  ASSERT_TRUE(card.persistent("log_1"));
  EXPECT_EQ(*card.persistent("door"), Bytes{0x01});

  EXPECT_EQ(phone.control_flow().sw, sw::kOk);
  EXPECT_TRUE(card.persistent("next_epk")) << "CONTROL FLOW replenishes the ephemeral key after its response";
  EXPECT_EQ(card.applet->deferred_faults(), 0u);
}

TEST(DkVehicleApplet, SecondTransactionUsesTheReplenishedKeyAndCounts) {
  DkCard card;
  for (std::uint32_t round = 1; round <= 2; ++round) {
    TestPhone phone(card);
    phone.random = crypto::DeterministicRandom(bytes_of("round " + std::to_string(round)));
    ASSERT_EQ(phone.select().sw, sw::kOk);
    ASSERT_EQ(phone.auth0().sw, sw::kOk);
    ASSERT_EQ(phone.auth1().sw, sw::kOk);
    const auto door = round == 1 ? pdk::DoorCommand::unlock : pdk::DoorCommand::lock;
    ASSERT_EQ(card.send(phone.exchange_command(door)).sw, sw::kOk);
    ASSERT_EQ(phone.control_flow().sw, sw::kOk);
  }
  EXPECT_EQ(card.applet->transaction_counter(), 2u);
  EXPECT_EQ(card.applet->door_state(), pdk::DoorState::locked);
  EXPECT_EQ(*card.persistent("tx_counter"), (Bytes{0, 0, 0, 2}));
}

TEST(DkVehicleApplet, RefusesATamperedDeviceSignature) {
  DkCard card;
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  Bytes signature = phone.device_signature(card.device_key);
  signature[10] ^= 0x01;
  EXPECT_EQ(phone.auth1_with(signature).sw, sw::kSecurityStatusNotSatisfied);
  EXPECT_FALSE(card.persistent("kp_1"));
  EXPECT_EQ(card.applet->transaction_counter(), 0u);
  // The session is over: AUTH1 again (even well signed) is out of order, the door stays locked.
  EXPECT_EQ(phone.auth1_with(phone.device_signature(card.device_key)).sw, sw::kConditionsNotSatisfied);
  EXPECT_EQ(card.applet->door_state(), pdk::DoorState::locked);
}

TEST(DkVehicleApplet, RefusesASignatureByAnotherPhoneKey) {
  DkCard card;
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  const auto stranger = crypto::P256PrivateKey::from_scalar(Bytes(32, 0x33));
  EXPECT_EQ(phone.auth1_with(phone.device_signature(stranger)).sw, sw::kSecurityStatusNotSatisfied);
}

TEST(DkVehicleApplet, RefusesAnUnknownDeviceAndMalformedAuth0) {
  DkCard card;
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  EXPECT_EQ(phone.auth0(Bytes(16, 0x99)).sw, sw::kReferencedDataNotFound);
  EXPECT_EQ(card.send({0x80, 0x80, 0x00, 0x01, Bytes{0x5C, 0x01}, 256}).sw, sw::kWrongData);
  pdk::Auth0Command off_curve{pdk::kProtocolVersion1, Bytes(65, 0x04), Bytes(16, 1), card.device_id};
  EXPECT_EQ(card.send({0x80, 0x80, 0x00, 0x01, pdk::encode_auth0(off_curve), 256}).sw, sw::kWrongData);
  pdk::Auth0Command version2{0x0200, crypto::P256PrivateKey::from_scalar(Bytes(32, 5)).public_uncompressed(),
                             Bytes(16, 1), card.device_id};
  EXPECT_EQ(card.send({0x80, 0x80, 0x00, 0x01, pdk::encode_auth0(version2), 256}).sw, sw::kWrongData);
  EXPECT_EQ(card.send({0x80, 0x80, 0x00, 0x02, {}, 256}).sw, sw::kIncorrectP1P2);
}

TEST(DkVehicleApplet, RefusesReplayedAndTamperedExchange) {
  DkCard card;
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  ASSERT_EQ(phone.auth1().sw, sw::kOk);
  const auto unlock = phone.exchange_command(pdk::DoorCommand::unlock);
  ASSERT_EQ(card.send(unlock).sw, sw::kOk);
  EXPECT_EQ(card.send(unlock).sw, sw::kSmDataObjectsIncorrect) << "replay accepted";
  // The bad MAC closed the channel: even a fresh, well-formed command is now out of order.
  EXPECT_EQ(card.send(phone.exchange_command(pdk::DoorCommand::lock)).sw, sw::kConditionsNotSatisfied);
  EXPECT_EQ(card.applet->door_state(), pdk::DoorState::unlocked);

  TestPhone second(card);
  ASSERT_EQ(second.select().sw, sw::kOk);
  ASSERT_EQ(second.auth0().sw, sw::kOk);
  ASSERT_EQ(second.auth1().sw, sw::kOk);
  auto tampered = second.exchange_command(pdk::DoorCommand::lock);
  tampered.data.back() ^= 0x01;
  EXPECT_EQ(card.send(tampered).sw, sw::kSmDataObjectsIncorrect);
  EXPECT_EQ(card.applet->door_state(), pdk::DoorState::unlocked);
}

TEST(DkVehicleApplet, WrongOrderWrongClassAndUnknownInstruction) {
  DkCard card;
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  EXPECT_EQ(phone.auth1_with(Bytes(64, 1)).sw, sw::kConditionsNotSatisfied);                    // AUTH1 before AUTH0
  EXPECT_EQ(card.send({0x84, 0xC9, 0, 0, Bytes(24, 0), 256}).sw, sw::kConditionsNotSatisfied);  // EXCHANGE first
  EXPECT_EQ(card.send({0x00, 0x80, 0x00, 0x01, {}, 256}).sw, sw::kClaNotSupported);
  EXPECT_EQ(card.send({0x80, 0xC9, 0, 0, Bytes(24, 0), 256}).sw, sw::kClaNotSupported);  // EXCHANGE needs 84
  EXPECT_EQ(card.send({0x80, 0x42, 0, 0}).sw, sw::kInsNotSupported);
  EXPECT_EQ(card.send({0x80, 0x3C, 0x07, 0x00}).sw, sw::kIncorrectP1P2);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  EXPECT_EQ(card.send({0x84, 0xC9, 0, 0, Bytes(24, 0), 256}).sw, sw::kConditionsNotSatisfied);  // before AUTH1
}

TEST(DkVehicleApplet, BaselineDoesTheSameWorkBeforeTheResponse) {
  DkCard card(/*defer=*/false);
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  const Bytes raw = card.runtime->transmit(
      iso7816::CommandApdu(0x80, 0x81, 0, 0, pdk::encode_auth1(phone.device_signature(card.device_key)), 256).encode());
  ASSERT_EQ(iso7816::ResponseApdu::parse(raw).sw, sw::kOk);
  EXPECT_FALSE(card.runtime->deferred_pending());
  EXPECT_TRUE(card.persistent("kp_1")) << "without deferral the key is stored before the response";
}

TEST(DkVehicleApplet, FailedPersistIsSeenOnTheNextCommandWhichStillWorks) {
  // A commit buffer too small for Kpersistent + counter: persist_session fails (buffer full) while
  // the single-write next_epk still fits.
  DkCard card(true, 60);
  TestPhone phone(card);
  ASSERT_EQ(phone.select().sw, sw::kOk);
  ASSERT_EQ(phone.auth0().sw, sw::kOk);
  ASSERT_EQ(phone.auth1().sw, sw::kOk);
  EXPECT_FALSE(card.persistent("kp_1"));
  EXPECT_EQ(card.applet->deferred_faults(), 0u) << "not seen before the next command";
  const auto exchange = card.send(phone.exchange_command(pdk::DoorCommand::unlock));
  EXPECT_EQ(exchange.sw, sw::kOk) << "the phone's transaction does not depend on the persisted key";
  EXPECT_GE(card.applet->deferred_faults(), 1u);
  EXPECT_FALSE(card.persistent("kp_1")) << "the retry fails the same way (still too big)";
}

}  // namespace
}  // namespace sefleet::card::dk_test

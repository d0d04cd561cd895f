// The SFDK message encodings and the secure channel, both directions, successes and refusals.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "protocols/digital_key/dk_protocol.hpp"

namespace sefleet::protocols::dk {
namespace {

TEST(DkProtocol, SelectResponseRoundTripAndRefusals) {
  const Bytes encoded = encode_select_response({0x0200, kProtocolVersion1});
  EXPECT_EQ(to_hex(encoded), "5C0402000100");
  EXPECT_EQ(decode_select_response(encoded), (std::vector<std::uint16_t>{0x0200, 0x0100}));
  EXPECT_THROW(decode_select_response(from_hex("5C03020001")), Error);  // odd length
  EXPECT_THROW(decode_select_response(from_hex("5C00")), Error);        // empty list
  EXPECT_THROW(decode_select_response(from_hex("")), Error);            // missing
}

TEST(DkProtocol, Auth0RoundTrip) {
  Auth0Command command{kProtocolVersion1, Bytes(65, 0x04), Bytes(16, 0xA1), Bytes(16, 0xD1)};
  const Bytes encoded = encode_auth0(command);
  EXPECT_EQ(encoded.size(), 4u + 67u + 18u + 18u);
  const Auth0Command decoded = decode_auth0(encoded);
  EXPECT_EQ(decoded.version, kProtocolVersion1);
  EXPECT_EQ(decoded.device_epk, command.device_epk);
  EXPECT_EQ(decoded.transaction_id, command.transaction_id);
  EXPECT_EQ(decoded.device_id, command.device_id);
}

TEST(DkProtocol, Auth0RefusesMissingWrongSizedDuplicateAndUnknownFields) {
  Auth0Command command{kProtocolVersion1, Bytes(65, 0x04), Bytes(16, 0xA1), Bytes(16, 0xD1)};
  Bytes good = encode_auth0(command);
  command.transaction_id.pop_back();
  try {
    decode_auth0(encode_auth0(command));
    FAIL() << "a 15-byte transaction id was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::parse_error);
    EXPECT_NE(std::string(error.what()).find("transaction id must be 16 bytes"), std::string::npos) << error.what();
  }
  Bytes duplicate = good;
  append(duplicate, from_hex("5C020100"));
  EXPECT_THROW(decode_auth0(duplicate), Error);
  Bytes unknown = good;
  append(unknown, from_hex("990100"));
  EXPECT_THROW(decode_auth0(unknown), Error);
  EXPECT_THROW(decode_auth0(Bytes(good.begin(), good.end() - 18)), Error);  // device id missing
  EXPECT_THROW(decode_auth0(Bytes(good.begin(), good.end() - 1)), Error);   // truncated TLV
}

TEST(DkProtocol, Auth1AndExchangeMessages) {
  EXPECT_EQ(decode_auth1(encode_auth1(Bytes(64, 0x33))), Bytes(64, 0x33));
  EXPECT_THROW(decode_auth1(encode_auth1(Bytes(63, 0x33))), Error);
  const Auth1Plain plain = decode_auth1_plain(encode_auth1_plain({Bytes(64, 0x44), 7}));
  EXPECT_EQ(plain.vehicle_signature, Bytes(64, 0x44));
  EXPECT_EQ(plain.key_slot, 7);
  EXPECT_EQ(decode_exchange_request(encode_exchange_request(DoorCommand::lock)), DoorCommand::lock);
  EXPECT_THROW(decode_exchange_request(from_hex("C10109")), Error);  // unknown door command
  const ExchangeResult result = decode_exchange_response(encode_exchange_response({DoorState::unlocked, 42}));
  EXPECT_EQ(result.state, DoorState::unlocked);
  EXPECT_EQ(result.transaction_counter, 42u);
  EXPECT_THROW(decode_exchange_response(from_hex("C20107C30400000001")), Error);
}

TEST(DkProtocol, SignedDataSeparatesTheTwoRoles) {
  TransactionContext context{kProtocolVersion1, kInterfaceNfc, Bytes(16, 1), Bytes(16, 2),
                             Bytes(32, 3),      Bytes(32, 4),  Bytes(16, 5)};
  EXPECT_NE(device_auth_data(context), vehicle_auth_data(context));
  EXPECT_EQ(to_hex(device_auth_data(context)).substr(0, 4), "4F10");
}

struct ChannelPair {
  HostDkCrypto crypto;
  SecureChannel phone;
  SecureChannel vehicle;
  static SessionKeys keys(const TransactionContext& context) {
    HostDkCrypto c;
    const SecretBytes kdh = derive_kdh(c, Bytes(32, 0x5A), context.transaction_id);
    return derive_session_keys(c, kdh.view(), context);
  }
  explicit ChannelPair(const TransactionContext& context) : phone(keys(context)), vehicle(keys(context)) {}
};

TransactionContext sample_context() {
  return {kProtocolVersion1, kInterfaceNfc, Bytes(16, 1), Bytes(16, 2), Bytes(32, 3), Bytes(32, 4), Bytes(16, 5)};
}

TEST(DkProtocol, KeyScheduleDependsOnTheTransaction) {
  HostDkCrypto c;
  auto context = sample_context();
  const SecretBytes kdh = derive_kdh(c, Bytes(32, 0x5A), context.transaction_id);
  const SessionKeys first = derive_session_keys(c, kdh.view(), context);
  EXPECT_EQ(first.kenc.size(), 16u);
  EXPECT_FALSE(first.kenc == first.kmac);
  EXPECT_FALSE(derive_persistent_key(c, kdh.view(), context) == first.kenc);
  context.transaction_id[0] ^= 1;
  EXPECT_FALSE(derive_session_keys(c, kdh.view(), context).kenc == first.kenc);
}

TEST(DkProtocol, SecureChannelCarriesCommandsAndResponses) {
  ChannelPair pair(sample_context());
  const Bytes plain = encode_exchange_request(DoorCommand::unlock);
  const Bytes wrapped = pair.phone.wrap_command(pair.crypto, 0x84, 0xC9, 0, 0, plain);
  EXPECT_EQ(wrapped.size(), 16u + kSmMacSize);
  std::string reason;
  const auto opened = pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, wrapped, &reason);
  ASSERT_TRUE(opened) << reason;
  EXPECT_EQ(*opened, plain);
  const Bytes answer = encode_exchange_response({DoorState::unlocked, 1});
  const Bytes response = pair.vehicle.wrap_response(pair.crypto, answer, 0x9000);
  EXPECT_EQ(pair.phone.unwrap_response(pair.crypto, response, 0x9000), answer);
}

TEST(DkProtocol, SecureChannelRefusesReplayTamperingAndWrongHeader) {
  ChannelPair pair(sample_context());
  const Bytes plain = encode_exchange_request(DoorCommand::unlock);
  const Bytes first = pair.phone.wrap_command(pair.crypto, 0x84, 0xC9, 0, 0, plain);
  ASSERT_TRUE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, first));
  std::string reason;
  EXPECT_FALSE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, first, &reason)) << "replay accepted";
  EXPECT_NE(reason.find("C-MAC"), std::string::npos);

  const Bytes second = pair.phone.wrap_command(pair.crypto, 0x84, 0xC9, 0, 0, plain);
  Bytes tampered = second;
  tampered[3] ^= 0x01;
  EXPECT_FALSE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, tampered));
  EXPECT_FALSE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 1, second));        // P2 changed
  EXPECT_FALSE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, Bytes(10, 0)));  // too short
  // A refused command does not move the channel: the genuine one still opens.
  EXPECT_TRUE(pair.vehicle.unwrap_command(pair.crypto, 0x84, 0xC9, 0, 0, second));

  Bytes response = pair.vehicle.wrap_response(pair.crypto, Bytes{1, 2, 3}, 0x9000);
  EXPECT_THROW(pair.phone.unwrap_response(pair.crypto, response, 0x6A80), Error);  // SW is MACed
  response.back() ^= 0x80;
  EXPECT_THROW(pair.phone.unwrap_response(pair.crypto, response, 0x9000), Error);
}

}  // namespace
}  // namespace sefleet::protocols::dk

// CHANGE MODE / AUTHORIZE ACTION plain data and the E1 status object
// (gp/broadcast/campaign_messages.hpp): exact bytes, round trips in any order, and each refusal naming
// its tag.
#include <gtest/gtest.h>

#include <string>

#include "broadcast_known_answers.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/broadcast/campaign_messages.hpp"

namespace sefleet::gp::broadcast::testing {
namespace {

template <typename Call>
void expect_parse_error(const std::string& needle, Call call) {
  try {
    call();
    FAIL() << "accepted; expected a parse error containing \"" << needle << "\"";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::parse_error) << error.what();
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message \"" << error.what() << "\" lacks \"" << needle << "\"";
  }
}

template <std::size_t N>
std::array<std::uint8_t, N> array_of(const Bytes& bytes) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(bytes.begin(), N, out.begin());
  return out;
}

const std::string kIdHex = "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";
const std::string kCounterHex = "000000000000000000000000000000FF";
const std::string kChainHex = "C4C4C4C4C4C4C4C4C4C4C4C4C4C4C4C4";

ChangeModeToBroadcast profile3_message() {
  ChangeModeToBroadcast message;
  message.profile = Profile::campaign_key;
  message.campaign_id = array_of<16>(from_hex(kIdHex));
  message.broadcast_keys = SecretBytes(kWrappedBk128);
  message.counter = array_of<16>(from_hex(kCounterHex));
  message.chaining_value = array_of<16>(from_hex(kChainHex));
  message.key_version = 0x21;
  message.total_length = 0x00012345;
  return message;
}

// Field encodings of profile3_message(), written out by hand.
const std::string kC0 = "C00103";
const std::string kC1 = "C110" + kIdHex;
const std::string kC2 = "C228" + to_hex(kWrappedBk128);
const std::string kC3 = "C310" + kCounterHex;
const std::string kC4 = "C410" + kChainHex;
const std::string kC5 = "C50121";
const std::string kC6 = "C60400012345";

void expect_same(const ChangeModeToBroadcast& a, const ChangeModeToBroadcast& b) {
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.campaign_id, b.campaign_id);
  EXPECT_TRUE(a.broadcast_keys == b.broadcast_keys);
  EXPECT_EQ(a.counter, b.counter);
  EXPECT_EQ(a.chaining_value, b.chaining_value);
  EXPECT_EQ(a.key_version, b.key_version);
  EXPECT_EQ(a.total_length, b.total_length);
}

TEST(BroadcastChangeMode, EncodesTheHandWrittenBytes) {
  EXPECT_EQ(to_hex(encode_change_mode_to_broadcast(profile3_message())), kC0 + kC1 + kC2 + kC3 + kC4 + kC5 + kC6);
}

TEST(BroadcastChangeMode, ParsesInAnyOrder) {
  expect_same(parse_change_mode_to_broadcast(from_hex(kC0 + kC1 + kC2 + kC3 + kC4 + kC5 + kC6)), profile3_message());
  expect_same(parse_change_mode_to_broadcast(from_hex(kC6 + kC4 + kC2 + kC0 + kC5 + kC3 + kC1)), profile3_message());
}

TEST(BroadcastChangeMode, RoundTripsEveryProfileAndKeySize) {
  for (const std::size_t key_size : {16u, 24u, 32u}) {
    ChangeModeToBroadcast clear = profile3_message();
    clear.profile = Profile::platform_key;
    clear.broadcast_keys = SecretBytes(Bytes(2 * key_size, 0x5A));
    expect_same(parse_change_mode_to_broadcast(encode_change_mode_to_broadcast(clear)), clear);
    ChangeModeToBroadcast wrapped = profile3_message();
    wrapped.broadcast_keys = SecretBytes(Bytes(2 * key_size + 8, 0xA5));
    wrapped.total_length = 0xFFFFFFFF;
    expect_same(parse_change_mode_to_broadcast(encode_change_mode_to_broadcast(wrapped)), wrapped);
  }
}

std::string all_but(const std::string& skip, const std::string& replacement) {
  std::string out;
  for (const auto* field : {&kC0, &kC1, &kC2, &kC3, &kC4, &kC5, &kC6}) out += *field == skip ? replacement : *field;
  return out;
}

void expect_change_mode_refused(const std::string& hex, const std::string& needle) {
  expect_parse_error("CHANGE MODE data: " + needle, [&] { (void)parse_change_mode_to_broadcast(from_hex(hex)); });
}

TEST(BroadcastChangeModeRefusals, EachTagOneByOne) {
  for (const auto* field : {&kC0, &kC1, &kC2, &kC3, &kC4, &kC5, &kC6}) {
    expect_change_mode_refused(all_but(*field, ""), "tag " + field->substr(0, 2) + " is missing");
    expect_change_mode_refused(all_but(*field, *field + *field), "tag " + field->substr(0, 2) + " appears twice");
  }
  expect_change_mode_refused(all_but(kC0, "C00102"), "tag C0 profile 02 is unknown");
  expect_change_mode_refused(all_but(kC0, "C00105"), "tag C0 profile 05 is unknown");
  expect_change_mode_refused(all_but(kC0, "C0020300"), "tag C0 must be 1 bytes, got 2");
  expect_change_mode_refused(all_but(kC1, "C10F" + kIdHex.substr(2)), "tag C1 must be 16 bytes, got 15");
  expect_change_mode_refused(all_but(kC3, "C311" + kCounterHex + "00"), "tag C3 must be 16 bytes, got 17");
  expect_change_mode_refused(all_but(kC4, "C400"), "tag C4 must be 16 bytes, got 0");
  expect_change_mode_refused(all_but(kC5, "C500"), "tag C5 must be 1 bytes, got 0");
  expect_change_mode_refused(all_but(kC6, "C603012345"), "tag C6 must be 4 bytes, got 3");
  expect_change_mode_refused(all_but(kC6, kC6 + "C700"), "tag C7 is not allowed here");
  expect_change_mode_refused(all_but(kC6, kC6 + "C800"), "tag C8 is not allowed here");
  expect_change_mode_refused(all_but(kC6, kC6 + "E100"), "tag E1 is not allowed here");
}

TEST(BroadcastChangeModeRefusals, BroadcastKeysLengthFollowsTheProfile) {
  // Profile 3 wants a wrap (40/56/72), profile 4 clear keys (32/48/64): each other's sizes are refused.
  expect_change_mode_refused(all_but(kC2, "C220" + std::string(64, '0')), "tag C2 of 32 bytes does not fit profile 03");
  expect_change_mode_refused(all_but(kC2, "C230" + std::string(96, '0')), "tag C2 of 48 bytes does not fit profile 03");
  expect_change_mode_refused(all_but(kC2, "C200"), "tag C2 of 0 bytes does not fit profile 03");
  expect_change_mode_refused(all_but(kC2, "C204" + std::string(8, '0')), "tag C2 of 4 bytes does not fit profile 03");
  const std::string profile4 = "C00104";
  std::string hex = all_but(kC0, profile4);
  expect_change_mode_refused(hex, "tag C2 of 40 bytes does not fit profile 04");
  hex = all_but(kC0, profile4);
  hex.replace(hex.find(kC2), kC2.size(), "C221" + std::string(66, '0'));
  expect_change_mode_refused(hex, "tag C2 of 33 bytes does not fit profile 04");
  EXPECT_TRUE(is_valid_broadcast_keys_size(Profile::platform_key, 64));
  EXPECT_FALSE(is_valid_broadcast_keys_size(Profile::platform_key, 72));
  EXPECT_TRUE(is_valid_broadcast_keys_size(Profile::campaign_key, 72));
  EXPECT_FALSE(is_valid_broadcast_keys_size(Profile::campaign_key, 64));
  EXPECT_FALSE(is_valid_broadcast_keys_size(Profile::campaign_key, 7));
}

TEST(BroadcastChangeModeRefusals, MalformedTlvAndEmptyData) {
  expect_change_mode_refused("", "tag C0 is missing");
  expect_change_mode_refused(all_but(kC6, "C605000123"), "TLV: value of tag C6 needs 5 bytes");
  expect_change_mode_refused("00" + all_but("", ""), "TLV: byte 00 where a tag was expected");
  expect_change_mode_refused(all_but(kC6, "E604C6020000"), "tag E6");  // constructed, unknown
}

TEST(BroadcastChangeModeRefusals, EncoderRefusesWhatTheParserWould) {
  ChangeModeToBroadcast message = profile3_message();
  message.broadcast_keys = SecretBytes(Bytes(32, 0));
  EXPECT_THROW((void)encode_change_mode_to_broadcast(message), Error);
  message = profile3_message();
  message.profile = static_cast<Profile>(0x05);
  EXPECT_THROW((void)encode_change_mode_to_broadcast(message), Error);
}

// AUTHORIZE ACTION.

const std::string kA1 = "C110" + kIdHex;
const std::string kA8 = "C818" + to_hex(kWrappedIntegrityCode);
const std::string kA9 = "C90101";

TEST(BroadcastAuthorizeAction, EncodesParsesAndRoundTrips) {
  AuthorizeAction message;
  message.campaign_id = array_of<16>(from_hex(kIdHex));
  message.integrity_code = kWrappedIntegrityCode;
  message.action = Action::verify_and_activate;
  EXPECT_EQ(to_hex(encode_authorize_action(message)), kA1 + kA8 + kA9);
  const AuthorizeAction parsed = parse_authorize_action(from_hex(kA9 + kA1 + kA8));
  EXPECT_EQ(parsed.campaign_id, message.campaign_id);
  EXPECT_EQ(parsed.integrity_code, message.integrity_code);
  EXPECT_EQ(parsed.action, Action::verify_and_activate);
  message.integrity_code = kIntegrityCode;
  message.action = Action::verify_only;
  const AuthorizeAction back = parse_authorize_action(encode_authorize_action(message));
  EXPECT_EQ(back.integrity_code, kIntegrityCode);
  EXPECT_EQ(back.action, Action::verify_only);
}

TEST(BroadcastAuthorizeActionRefusals, EachTagOneByOne) {
  const auto refused = [](const std::string& hex, const std::string& needle) {
    expect_parse_error("AUTHORIZE ACTION data: " + needle, [&] { (void)parse_authorize_action(from_hex(hex)); });
  };
  refused(kA8 + kA9, "tag C1 is missing");
  refused(kA1 + kA9, "tag C8 is missing");
  refused(kA1 + kA8, "tag C9 is missing");
  refused(kA1 + kA1 + kA8 + kA9, "tag C1 appears twice");
  refused(kA1 + kA8 + kA9 + kA9, "tag C9 appears twice");
  refused("C111" + kIdHex + "00" + kA8 + kA9, "tag C1 must be 16 bytes, got 17");
  refused(kA1 + "C80F" + std::string(30, '0') + kA9, "tag C8 must be 16 (clear) or 24 (wrapped) bytes, got 15");
  refused(kA1 + "C820" + std::string(64, '0') + kA9, "tag C8 must be 16 (clear) or 24 (wrapped) bytes, got 32");
  refused(kA1 + kA8 + "C90100", "tag C9 action 00 is unknown");
  refused(kA1 + kA8 + "C90103", "tag C9 action 03 is unknown");
  refused(kA1 + kA8 + "C9020101", "tag C9 must be 1 bytes, got 2");
  refused(kA1 + kA8 + kA9 + "C00103", "tag C0 is not allowed here");
  AuthorizeAction bad;
  bad.integrity_code = Bytes(20, 0);
  EXPECT_THROW((void)encode_authorize_action(bad), Error);
  bad.integrity_code = Bytes(16, 0);
  bad.action = static_cast<Action>(0x00);
  EXPECT_THROW((void)encode_authorize_action(bad), Error);
}

// Status object.

ImageStatus known_status() {
  ImageStatus status;
  status.campaign_id = array_of<16>(from_hex(kIdHex));
  status.result = result::kIntegrityMismatch;
  status.active_version = 0x01020304;
  status.active_sha256 = array_of<32>(counting(0x60, 32));
  return status;
}

const std::string kS1 = "C110" + kIdHex;
const std::string kSA = "CA0180";
const std::string kSB = "CB0401020304";
const std::string kSC = "CC20" + to_hex(counting(0x60, 32));

TEST(BroadcastImageStatus, EncodesParsesAndRoundTripsEveryResult) {
  EXPECT_EQ(to_hex(encode_image_status(known_status())), "E13D" + kS1 + kSA + kSB + kSC);
  EXPECT_EQ(parse_image_status(from_hex("E13D" + kSC + kSB + kSA + kS1)), known_status());
  for (const std::uint8_t code :
       {result::kActivated, result::kVerifiedKeptStaged, result::kIntegrityMismatch, result::kManifestRefused}) {
    ImageStatus status = known_status();
    status.result = code;
    EXPECT_TRUE(is_known_result(code));
    EXPECT_EQ(parse_image_status(encode_image_status(status)), status);
  }
}

TEST(BroadcastImageStatusRefusals, OuterObjectAndEachTag) {
  const auto refused = [](const std::string& hex, const std::string& needle) {
    expect_parse_error("status object: " + needle, [&] { (void)parse_image_status(from_hex(hex)); });
  };
  const auto wrap = [](const std::string& inner) {
    const Bytes value = from_hex(inner);
    return "E1" + to_hex(Bytes{static_cast<std::uint8_t>(value.size())}) + inner;
  };
  refused("", "expected exactly one E1 object, got 0 objects");
  refused(wrap(kS1 + kSA + kSB + kSC) + "9000", "expected exactly one E1 object, got 2 objects");
  refused("E0" + wrap(kS1 + kSA + kSB + kSC).substr(2), "expected tag E1, got E0");
  refused("C1" + wrap(kS1).substr(2), "expected tag E1, got C1");
  refused(wrap(kSA + kSB + kSC), "tag C1 is missing");
  refused(wrap(kS1 + kSB + kSC), "tag CA is missing");
  refused(wrap(kS1 + kSA + kSC), "tag CB is missing");
  refused(wrap(kS1 + kSA + kSB), "tag CC is missing");
  refused(wrap(kS1 + kSA + kSA + kSB + kSC), "tag CA appears twice");
  refused(wrap(kS1 + "CA0102" + kSB + kSC), "tag CA result 02 is unknown");
  refused(wrap(kS1 + "CA017F" + kSB + kSC), "tag CA result 7F is unknown");
  refused(wrap(kS1 + kSA + "CB03010203" + kSC), "tag CB must be 4 bytes, got 3");
  refused(wrap(kS1 + kSA + kSB + "CC1F" + std::string(62, '0')), "tag CC must be 32 bytes, got 31");
  refused(wrap(kS1 + kSA + kSB + kSC + "CD00"), "tag CD is not allowed here");
  ImageStatus bad = known_status();
  bad.result = 0x02;
  EXPECT_FALSE(is_known_result(0x02));
  EXPECT_THROW((void)encode_image_status(bad), Error);
}

}  // namespace
}  // namespace sefleet::gp::broadcast::testing

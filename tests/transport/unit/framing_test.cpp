#include "transport/framing.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sefleet::transport {
namespace {

using framing::Control;
using framing::HostMessage;

TEST(Framing, EncodesBigEndianLengthThenPayload) {
  EXPECT_EQ(framing::encode(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x00, 0x04, 0x00, 0xA4, 0x04, 0x00}));
  EXPECT_EQ(framing::encode(Bytes{}), (Bytes{0x00, 0x00}));
  EXPECT_EQ(framing::encode_control(Control::atr), (Bytes{0x00, 0x01, 0x04}));
  EXPECT_EQ(framing::encode_control(Control::power_off), (Bytes{0x00, 0x01, 0x00}));
}

TEST(Framing, AcceptsExactly0xFFFFBytesAndRefusesOneMore) {
  const Bytes largest(0xFFFF, 0x5A);
  const Bytes frame = framing::encode(largest);
  ASSERT_EQ(frame.size(), 0xFFFF + 2U);
  EXPECT_EQ(frame[0], 0xFF);
  EXPECT_EQ(frame[1], 0xFF);
  EXPECT_EQ(framing::payload_length(ByteView(frame).first(2)), 0xFFFFU);

  const Bytes too_large(0x10000, 0x5A);
  try {
    (void)framing::encode(too_large);
    FAIL() << "a 65536-byte payload must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("65536"), std::string::npos) << e.what();
  }
}

TEST(Framing, AppendFrameConcatenatesMessagesAndLeavesOutputUntouchedOnError) {
  Bytes out;
  framing::append_frame(out, Bytes{0x01});
  framing::append_frame(out, Bytes{0x90, 0x00});
  EXPECT_EQ(out, (Bytes{0x00, 0x01, 0x01, 0x00, 0x02, 0x90, 0x00}));
  const Bytes before = out;
  EXPECT_THROW(framing::append_frame(out, Bytes(0x10000)), Error);
  EXPECT_EQ(out, before);
}

TEST(Framing, PayloadLengthNeedsExactlyTwoHeaderBytes) {
  EXPECT_EQ(framing::payload_length(Bytes{0x01, 0x02}), 0x0102U);
  EXPECT_EQ(framing::payload_length(Bytes{0x00, 0x00}), 0U);
  EXPECT_THROW((void)framing::payload_length(Bytes{0x01}), Error);
  EXPECT_THROW((void)framing::payload_length(Bytes{0x01, 0x02, 0x03}), Error);
}

TEST(Framing, ClassifiesTheFourControlBytes) {
  for (const auto control : {Control::power_off, Control::power_on, Control::reset, Control::atr}) {
    const auto message = framing::classify(Bytes{static_cast<std::uint8_t>(control)});
    EXPECT_EQ(message.kind, HostMessage::Kind::control) << framing::control_name(control);
    EXPECT_EQ(message.control, control);
    EXPECT_TRUE(message.problem.empty());
  }
}

TEST(Framing, RefusesEmptyPayloadAndUndefinedControlBytes) {
  const auto empty = framing::classify(Bytes{});
  EXPECT_EQ(empty.kind, HostMessage::Kind::invalid);
  EXPECT_NE(empty.problem.find("empty"), std::string::npos) << empty.problem;
  for (const std::uint8_t undefined : {0x03, 0x05, 0x80, 0xFF}) {
    const auto message = framing::classify(Bytes{undefined});
    EXPECT_EQ(message.kind, HostMessage::Kind::invalid) << int(undefined);
    EXPECT_NE(message.problem.find("undefined control byte"), std::string::npos) << message.problem;
  }
}

TEST(Framing, TwoOrMoreBytesAreACommand) {
  EXPECT_EQ(framing::classify(Bytes{0x00, 0x04}).kind,
            HostMessage::Kind::command);  // 04 as first byte of a longer message
  EXPECT_EQ(framing::classify(Bytes{0x00, 0xA4, 0x04, 0x00}).kind, HostMessage::Kind::command);
  EXPECT_EQ(framing::classify(Bytes(0xFFFF, 0x00)).kind, HostMessage::Kind::command);
}

TEST(Framing, ControlNamesShowTheByte) {
  EXPECT_EQ(framing::control_name(Control::power_off), "power off (00)");
  EXPECT_EQ(framing::control_name(Control::atr), "get ATR (04)");
}

}  // namespace
}  // namespace sefleet::transport

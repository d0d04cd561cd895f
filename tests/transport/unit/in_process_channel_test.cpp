#include "transport/in_process_channel.hpp"

#include <gtest/gtest.h>

#include "transport/unit/recording_card.hpp"

namespace sefleet::transport {
namespace {

using Events = std::vector<std::string>;

TEST(InProcessChannel, PowersOnAtConstructionAndOffAtDestruction) {
  test::RecordingCard card;
  {
    InProcessChannel channel(card, "unit");
    EXPECT_EQ(card.events(), Events{"on"});
    EXPECT_EQ(channel.description(), "inproc:unit");
  }
  EXPECT_EQ(card.events(), (Events{"on", "off"}));
}

TEST(InProcessChannel, AfterResponseRunsBeforeTheNextCallNotBeforeTheHostHasTheResponse) {
  test::RecordingCard card;
  InProcessChannel channel(card);
  EXPECT_EQ(channel.transmit(Bytes{0x80, 0xCA, 0x00, 0x00, 0x02, 0xAB, 0xCD}), (Bytes{0x02, 0xAB, 0xCD, 0x90, 0x00}));
  EXPECT_TRUE(channel.after_response_pending());
  EXPECT_EQ(card.count("after"), 0U);  // the host holds the response; the card has not done its idle work yet
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  EXPECT_EQ(card.events(), (Events{"on", "apdu", "after", "apdu"}));
  channel.flush_after_response();
  EXPECT_FALSE(channel.after_response_pending());
  channel.flush_after_response();  // nothing owed: no second call
  EXPECT_EQ(card.events(), (Events{"on", "apdu", "after", "apdu", "after"}));
}

TEST(InProcessChannel, AtrAndResetRunPendingAfterResponseFirst) {
  test::RecordingCard card;
  InProcessChannel channel(card);
  (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
  EXPECT_EQ(channel.atr(), test::RecordingCard::default_atr());
  (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
  channel.reset();
  EXPECT_EQ(card.events(), (Events{"on", "apdu", "after", "atr", "apdu", "after", "reset"}));
}

TEST(InProcessChannel, DestructionRunsTheOwedAfterResponseThenPowersOff) {
  test::RecordingCard card;
  {
    InProcessChannel channel(card);
    (void)channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
  }
  EXPECT_EQ(card.events(), (Events{"on", "apdu", "after", "off"}));
}

TEST(InProcessChannel, CardExceptionOrInvalidResponseBecomes6F00) {
  test::RecordingCard card;
  InProcessChannel channel(card);
  EXPECT_EQ(channel.transmit(Bytes{0x80, 0xEE, 0x00, 0x00}), (Bytes{0x6F, 0x00}));
  EXPECT_EQ(channel.transmit(Bytes{0x80, 0xE0, 0x00, 0x00}), (Bytes{0x6F, 0x00}));
  // The channel still works afterwards.
  EXPECT_EQ(channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
}

TEST(InProcessChannel, CarriesResponsesLargerThanTheTcpFraming) {
  test::RecordingCard card;
  InProcessChannel channel(card);
  Bytes command = {0x80, 0x10, 0x00, 0x00};
  command.resize(4 + 0x10000, 0x33);
  const Bytes response = channel.transmit(command);
  ASSERT_EQ(response.size(), 0x10000U + 2);
  EXPECT_EQ(response[0x10000], 0x90);
}

}  // namespace
}  // namespace sefleet::transport

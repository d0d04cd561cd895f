// Apdu::take_incoming: over a command the runtime handed over, the applet gets the data field's own
// buffer (moved, the command's field is then empty); over a read-only command, a copy.
#include <gtest/gtest.h>

#include "card/runtime/apdu.hpp"

namespace sefleet::card {
namespace {

TEST(ApduTakeIncoming, MovesTheBufferOfAnOwnedCommandAndCopiesAReadOnlyOne) {
  iso7816::CommandApdu owned(0x84, 0x7D, 0x00, 0x00, Bytes(1000, 0xAB));
  const std::uint8_t* buffer = owned.data.data();
  Apdu apdu(owned);
  const Bytes taken = apdu.take_incoming();
  EXPECT_EQ(taken, Bytes(1000, 0xAB));
  EXPECT_EQ(taken.data(), buffer);
  EXPECT_TRUE(owned.data.empty());
  EXPECT_TRUE(apdu.incoming().empty());

  const iso7816::CommandApdu read_only(0x84, 0x7D, 0x00, 0x01, Bytes(10, 0xCD));
  Apdu view(read_only);
  EXPECT_EQ(view.take_incoming(), Bytes(10, 0xCD));
  EXPECT_EQ(read_only.data, Bytes(10, 0xCD));
}

}  // namespace
}  // namespace sefleet::card

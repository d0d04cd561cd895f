// Scp03Card::session_ticket(): alive exactly while the session that issued it is open.
#include <gtest/gtest.h>

#include "scp03_pair.hpp"

namespace sefleet::gp::testing {
namespace {

TEST(Scp03SessionTicket, AliveWhileTheSessionIsOpen) {
  Scp03Pair pair;
  EXPECT_TRUE(pair.card->session_ticket().expired());  // idle
  pair.open();
  const Scp03Card::SessionTicket first = pair.card->session_ticket();
  EXPECT_FALSE(first.expired());
  EXPECT_EQ(pair.exchange(iso7816::CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256)).sw, 0x9000);
  EXPECT_FALSE(first.expired());  // commands of the session keep it

  pair.card->terminate();
  EXPECT_TRUE(first.expired());
  pair.open();
  const Scp03Card::SessionTicket second = pair.card->session_ticket();
  EXPECT_FALSE(second.expired());
  EXPECT_TRUE(first.expired());  // a new session is another one
}

TEST(Scp03SessionTicket, ExpiresOnANewInitializeUpdateAndOnAbort) {
  Scp03Pair pair;
  pair.open();
  Scp03Card::SessionTicket ticket = pair.card->session_ticket();
  ASSERT_EQ(pair.send(pair.host->initialize_update()).sw, 0x9000);
  EXPECT_TRUE(ticket.expired());
  EXPECT_TRUE(pair.card->session_ticket().expired());  // initialized, not open

  Scp03Pair other;
  other.open();
  ticket = other.card->session_ticket();
  // A plain command inside an open session is a security error: the session aborts.
  EXPECT_EQ(other.send(iso7816::CommandApdu(0x80, 0xCA, 0x00, 0x66, {}, 256)).sw, 0x6982);
  EXPECT_EQ(other.card->state(), Scp03Card::State::aborted);
  EXPECT_TRUE(ticket.expired());
}

}  // namespace
}  // namespace sefleet::gp::testing

// Spec §6.1 and §6.2 over a real TCP socket (TcpCardServer + TcpChannel): the host receives the R-APDU
// of a command that scheduled work while that work is blocked on a latch the host controls, so the
// reply left before the work started; the next command sent meanwhile waits for the work (the server
// reads it only after after_response) and sees its effect: nothing lost, nothing reordered.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "card/unit/deferred_test_support.hpp"
#include "transport/stop_signal.hpp"
#include "transport/tcp_card_server.hpp"
#include "transport/tcp_channel.hpp"

namespace sefleet::card {
namespace {

using namespace std::chrono_literals;
using iso7816::ResponseApdu;
using test::counter_command;
using test::DeferredCounterApplet;

TEST(DeferredTcp, ReplyLeavesBeforeTheWorkAndTheNextCommandWaits) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  std::promise<void> host_has_reply;
  std::shared_future<void> released = host_has_reply.get_future().share();
  std::atomic<bool> task_started{false};
  std::atomic<bool> latch_timed_out{false};
  counter.applet->hold_hook = [&] {
    task_started = true;
    // Blocks until the host holds the reply; a reply that had not left would leave us here.
    if (released.wait_for(10s) != std::future_status::ready) latch_timed_out = true;
  };

  transport::StopSignal stop;
  transport::TcpCardServer server(counter.card.endpoint(), transport::HostPort{"127.0.0.1", 0});
  std::thread loop([&] { server.run(stop); });
  {
    transport::TcpChannel channel(server.address());
    ASSERT_EQ(ResponseApdu::parse(channel.transmit(test::select_counter().encode())).sw, 0x9000);
    const auto reply = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kHold).encode()));
    EXPECT_EQ(reply.sw, 0x9000);
    EXPECT_EQ(reply.data, from_hex("00000001"));
    // The reply is here while the work is pending or blocked on our latch: if the card had run the
    // work before sending the reply, the task would have waited out the latch (latch_timed_out).
    // The next command goes out now, while the task is held; release the latch shortly after.
    std::thread releaser([&] {
      std::this_thread::sleep_for(50ms);
      host_has_reply.set_value();
    });
    const auto status = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kStatus).encode()));
    releaser.join();
    ASSERT_EQ(status.sw, 0x9000);
    EXPECT_EQ(test::be32(status.data), 1u);  // it was dispatched after the work committed
    EXPECT_EQ(status.data[4], static_cast<std::uint8_t>(DeferredState::done));
    EXPECT_EQ(status.data[6], 2u);  // persist and seal were checked on this command
    // A burst of increments: each waits for the previous one's work; none lost or reordered.
    for (std::uint32_t i = 2; i <= 5; ++i) {
      const auto next =
          ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode()));
      ASSERT_EQ(next.sw, 0x9000);
      EXPECT_EQ(test::be32(next.data), i);
    }
  }
  stop.request();
  loop.join();
  EXPECT_TRUE(task_started);
  EXPECT_FALSE(latch_timed_out);
  EXPECT_EQ(counter.card.store().get(PersistentMemory::namespace_prefix(test::kCounterAid) + "history"),
            from_hex("0000000100000002000000030000000400000005"));
}

}  // namespace
}  // namespace sefleet::card

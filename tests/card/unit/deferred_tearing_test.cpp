// Spec §6.3 and §6.4: power loss at EVERY physical write of the deferred work (the schedule record,
// each task's commit) leaves each task's persistent effects all-or-nothing; after reopening, a task
// whose transaction did not commit reports `interrupted`, a resumable one runs again before the first
// command is dispatched, and the card keeps working.
#include <gtest/gtest.h>

#include "card/unit/deferred_test_support.hpp"

namespace sefleet::card {
namespace {

using iso7816::ResponseApdu;
using test::counter_command;
using test::DeferredCounterApplet;

std::optional<Bytes> counter_object(VirtualCard& card, std::string_view name) {
  return card.store().get(PersistentMemory::namespace_prefix(test::kCounterAid) + std::string(name));
}

ResponseApdu send_to_runtime(Runtime& runtime, const iso7816::CommandApdu& command) {
  return ResponseApdu::parse(runtime.transmit(command.encode()));
}

TEST(DeferredTearing, EveryWriteOfTheDeferredWorkIsAtomicAndReportedAfterReopen) {
  const auto base = test::personalized_medium();
  std::uint64_t before_work = 0;
  std::uint64_t work_writes = 0;
  {
    auto counter = test::CounterCard::open(test::copy_medium(base));
    Runtime& runtime = counter.runtime();
    runtime.power_on();
    ASSERT_EQ(send_to_runtime(runtime, test::select_counter()).sw, 0x9000);
    ASSERT_EQ(send_to_runtime(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x9000);
    before_work = counter.card.physical_writes();
    runtime.after_response();
    work_writes = counter.card.physical_writes() - before_work;
    EXPECT_EQ(counter.applet->seal_task().result().state, DeferredState::done);
  }
  // The schedule record, then persist and seal: three commits, each at least one write.
  ASSERT_GE(work_writes, 3u);
  RecordProperty("deferred_writes", static_cast<int>(work_writes));

  int saw_interrupted = 0;
  int saw_done = 0;
  int saw_idle = 0;
  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
    for (std::uint64_t n = 1; n <= work_writes; ++n) {
      SCOPED_TRACE("torn at deferred write " + std::to_string(n) + " keeping " + std::to_string(keep) + " bytes");
      const auto medium = test::copy_medium(base);
      {
        VirtualCardOptions options;
        options.tear_at_write = before_work + n;
        options.tear_keep_bytes = keep;
        auto counter = test::CounterCard::open(medium, options);
        Runtime& runtime = counter.runtime();
        runtime.power_on();
        ASSERT_EQ(send_to_runtime(runtime, test::select_counter()).sw, 0x9000);
        const auto reply = send_to_runtime(runtime, counter_command(DeferredCounterApplet::kIncrement));
        ASSERT_EQ(reply.sw, 0x9000);  // the response left before the power loss
        runtime.after_response();
        ASSERT_TRUE(counter.card.power_lost());
      }
      auto counter = test::CounterCard::open(medium);
      Runtime& runtime = counter.runtime();
      const auto value = counter_object(counter.card, "counter");
      const auto history = counter_object(counter.card, "history");
      // Atomic: both writes of "persist" or neither.
      EXPECT_EQ(value.has_value(), history.has_value());
      const DeferredState persist = counter.applet->persist_task().result().state;
      const DeferredState seal = counter.applet->seal_task().result().state;
      if (value) {
        EXPECT_EQ(*value, from_hex("00000001"));
        EXPECT_EQ(persist, DeferredState::done);
        ++saw_done;
      } else if (persist == DeferredState::interrupted) {
        ++saw_interrupted;
      } else {
        // Torn inside the schedule record itself: nothing was durably scheduled, nothing started.
        EXPECT_EQ(persist, DeferredState::idle);
        EXPECT_EQ(seal, DeferredState::idle);
        ++saw_idle;
      }
      EXPECT_EQ(seal == DeferredState::done, counter_object(counter.card, "seal").has_value());
      runtime.power_on();
      // The resumable seal is scheduled again before the first command and runs before it.
      EXPECT_EQ(runtime.deferred_pending(), seal == DeferredState::interrupted);
      ASSERT_EQ(send_to_runtime(runtime, test::select_counter()).sw, 0x9000);
      EXPECT_FALSE(runtime.deferred_pending());
      if (seal == DeferredState::interrupted) {
        EXPECT_EQ(counter.applet->seal_task().result().state, DeferredState::done);
        EXPECT_TRUE(counter_object(counter.card, "seal"));
      }
      // The card keeps working; a lost persist is the applet's 6581 once.
      const auto next = send_to_runtime(runtime, counter_command(DeferredCounterApplet::kIncrement));
      if (persist == DeferredState::interrupted) {
        EXPECT_EQ(next.sw, 0x6581);
      } else {
        ASSERT_EQ(next.sw, 0x9000);
        EXPECT_EQ(next.data, from_hex(value ? "00000002" : "00000001"));
      }
    }
  }
  EXPECT_GT(saw_interrupted, 0);
  EXPECT_GT(saw_done, 0);
  EXPECT_GT(saw_idle, 0);
}

}  // namespace
}  // namespace sefleet::card

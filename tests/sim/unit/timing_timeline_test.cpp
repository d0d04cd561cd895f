// compute_timeline on hand-made traces: the arithmetic of spec §1 and the two properties of §6.5
// (HWT of the deferring command drops by exactly the deferred time; when SEWT is shorter than the
// deferred work the next command waits exactly the remainder), including the boundary cases.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "sim/timing/timeline.hpp"

namespace sefleet::sim {
namespace {

constexpr std::uint64_t kNanosecondsPerMs = 1'000'000;

// A link of exactly 1 us per byte and 100 us per transfer, so link times are easy to write down.
LinkProfile simple_link() {
  return LinkProfile::from_json(R"({"kind": "link", "name": "test", "description": "1 us per byte",
    "hops": [{"name": "wire", "segment": "air", "fixed_us": 100, "per_frame_us": 0, "per_byte_us": 1,
              "frame_overhead_bytes": 0, "max_frame_payload": 0, "source": "test"}]})");
}

CommandTrace command(std::string name, std::uint64_t se_ns, std::uint64_t deferred_ns, std::uint64_t hpt_ns) {
  return CommandTrace{std::move(name), 100, 50, se_ns, deferred_ns, hpt_ns};
}

TEST(TimingTimeline, PlacesOneCommandPerTheSpec) {
  const RunTiming run =
      compute_timeline({command("SELECT", 3 * kNanosecondsPerMs, 0, 2 * kNanosecondsPerMs)}, simple_link());
  ASSERT_EQ(run.commands.size(), 1u);
  const CommandTiming& c = run.commands[0];
  EXPECT_EQ(c.at.host_send_ns, 0u);
  EXPECT_EQ(c.at.se_arrival_ns, 200'000u);  // 100 us + 100 B x 1 us
  EXPECT_EQ(c.at.se_start_ns, 200'000u);
  EXPECT_EQ(c.at.se_response_ns, 3'200'000u);
  EXPECT_EQ(c.at.host_receive_ns, 3'350'000u);  // + 100 us + 50 B x 1 us
  EXPECT_DOUBLE_EQ(c.hwt_ms, 3.35);
  EXPECT_DOUBLE_EQ(c.seht_ms, 3.0);
  EXPECT_DOUBLE_EQ(c.hpt_ms, 2.0);
  EXPECT_DOUBLE_EQ(c.sewt_ms, 0.0);  // no next command
  EXPECT_DOUBLE_EQ(c.waited_ms, 0.0);
  EXPECT_DOUBLE_EQ(c.command_link_ms, 0.2);
  EXPECT_DOUBLE_EQ(c.response_link_ms, 0.15);
  EXPECT_EQ(run.total_ns, 3'350'000u);
  EXPECT_DOUBLE_EQ(run.total_ms, 3.35);
}

TEST(TimingTimeline, SewtIsResponseToNextArrival) {
  const RunTiming run = compute_timeline(
      {command("A", 5 * kNanosecondsPerMs, 0, 4 * kNanosecondsPerMs), command("B", 1 * kNanosecondsPerMs, 0, 0)},
      simple_link());
  // SEWT = response link (150 us) + HPT (4 ms) + next command's link (200 us).
  EXPECT_DOUBLE_EQ(run.commands[0].sewt_ms, 4.35);
  EXPECT_EQ(run.commands[1].at.host_send_ns, run.commands[0].at.host_receive_ns + 4 * kNanosecondsPerMs);
  EXPECT_EQ(run.total_ns, run.commands[1].at.host_receive_ns);
}

// The same work once all before the response (baseline) and once split: the deferring command's HWT
// drops by exactly the deferred time, and when SEWT covers the deferred work nothing else changes.
TEST(TimingTimeline, DeferralCutsHwtByExactlyTheDeferredTime) {
  const std::uint64_t work = 100 * kNanosecondsPerMs, deferred = 40 * kNanosecondsPerMs, hpt = 50 * kNanosecondsPerMs;
  const RunTiming baseline = compute_timeline(
      {command("AUTH1", work, 0, hpt), command("EXCHANGE", 10 * kNanosecondsPerMs, 0, 0)}, simple_link());
  const RunTiming split = compute_timeline(
      {command("AUTH1", work - deferred, deferred, hpt), command("EXCHANGE", 10 * kNanosecondsPerMs, 0, 0)},
      simple_link());
  const CommandInstants& b = baseline.commands[0].at;
  const CommandInstants& s = split.commands[0].at;
  EXPECT_EQ((b.host_receive_ns - b.host_send_ns) - (s.host_receive_ns - s.host_send_ns), deferred);
  EXPECT_DOUBLE_EQ(baseline.commands[0].hwt_ms - split.commands[0].hwt_ms, 40.0);
  EXPECT_EQ(split.commands[0].at.deferred_end_ns, split.commands[0].at.se_response_ns + deferred);
  EXPECT_DOUBLE_EQ(split.commands[1].waited_ms, 0.0);
  EXPECT_DOUBLE_EQ(split.commands[1].hwt_ms, baseline.commands[1].hwt_ms);
  EXPECT_EQ(baseline.total_ns - split.total_ns, deferred);
}

// SEWT shorter than the deferred work: the next command waits exactly the remainder and its HWT grows
// by exactly that; the transaction is still shorter than without deferral, by the SEWT it used.
TEST(TimingTimeline, ShortSewtMakesTheNextCommandWaitExactlyTheRemainder) {
  const std::uint64_t work = 100 * kNanosecondsPerMs, deferred = 40 * kNanosecondsPerMs, hpt = 5 * kNanosecondsPerMs;
  const RunTiming baseline = compute_timeline(
      {command("AUTH1", work, 0, hpt), command("EXCHANGE", 10 * kNanosecondsPerMs, 0, 0)}, simple_link());
  const RunTiming split = compute_timeline(
      {command("AUTH1", work - deferred, deferred, hpt), command("EXCHANGE", 10 * kNanosecondsPerMs, 0, 0)},
      simple_link());
  const std::uint64_t sewt = split.commands[1].at.se_arrival_ns - split.commands[0].at.se_response_ns;
  ASSERT_EQ(sewt, 150'000u + hpt + 200'000u);
  ASSERT_LT(sewt, deferred);
  const std::uint64_t remainder = deferred - sewt;
  EXPECT_EQ(split.commands[1].at.se_start_ns - split.commands[1].at.se_arrival_ns, remainder);
  EXPECT_DOUBLE_EQ(split.commands[1].waited_ms, ns_to_ms(remainder));
  const CommandInstants& next = split.commands[1].at;
  const CommandInstants& next_baseline = baseline.commands[1].at;
  EXPECT_EQ((next.host_receive_ns - next.host_send_ns) - (next_baseline.host_receive_ns - next_baseline.host_send_ns),
            remainder);
  EXPECT_EQ(baseline.total_ns - split.total_ns, sewt);
  EXPECT_DOUBLE_EQ(split.commands[0].sewt_ms, ns_to_ms(sewt));
}

TEST(TimingTimeline, SewtEqualToDeferredWorkMeansNoWait) {
  const std::uint64_t hpt = 5 * kNanosecondsPerMs;
  const std::uint64_t sewt = 150'000 + hpt + 200'000;
  const RunTiming equal = compute_timeline(
      {command("A", kNanosecondsPerMs, sewt, hpt), command("B", kNanosecondsPerMs, 0, 0)}, simple_link());
  EXPECT_EQ(equal.commands[1].at.se_start_ns, equal.commands[1].at.se_arrival_ns);
  EXPECT_DOUBLE_EQ(equal.commands[1].waited_ms, 0.0);
  // One nanosecond more deferred work is one nanosecond of waiting.
  const RunTiming over = compute_timeline(
      {command("A", kNanosecondsPerMs, sewt + 1, hpt), command("B", kNanosecondsPerMs, 0, 0)}, simple_link());
  EXPECT_EQ(over.commands[1].at.se_start_ns - over.commands[1].at.se_arrival_ns, 1u);
  EXPECT_EQ(over.total_ns, equal.total_ns + 1);
}

TEST(TimingTimeline, OnlyThePreviousCommandsDeferredWorkHoldsACommand) {
  // A defers 30 ms; B arrives after ~5.35 ms and waits; B itself defers nothing, so C does not wait.
  const RunTiming run = compute_timeline(
      {command("A", kNanosecondsPerMs, 30 * kNanosecondsPerMs, 5 * kNanosecondsPerMs),
       command("B", kNanosecondsPerMs, 0, 5 * kNanosecondsPerMs), command("C", kNanosecondsPerMs, 0, 0)},
      simple_link());
  EXPECT_GT(run.commands[1].waited_ms, 0.0);
  EXPECT_EQ(run.commands[1].at.se_start_ns, run.commands[0].at.deferred_end_ns);
  EXPECT_DOUBLE_EQ(run.commands[2].waited_ms, 0.0);
  // Commands never overlap on the SE, and stay in order.
  for (std::size_t k = 1; k < run.commands.size(); ++k) {
    EXPECT_GE(run.commands[k].at.se_start_ns, run.commands[k - 1].at.deferred_end_ns);
    EXPECT_GE(run.commands[k].at.se_start_ns, run.commands[k - 1].at.se_response_ns);
  }
  // Deferred work after the last response is outside the transaction total.
  const RunTiming tail = compute_timeline(
      {command("A", kNanosecondsPerMs, 0, 0), command("B", kNanosecondsPerMs, 50 * kNanosecondsPerMs, 0)},
      simple_link());
  EXPECT_EQ(tail.total_ns, tail.commands[1].at.host_receive_ns);
  EXPECT_EQ(tail.end_ns, tail.commands[1].at.deferred_end_ns);
}

TEST(TimingTimeline, RefusesEmptyTracesNamelessCommandsAndOverflow) {
  EXPECT_THROW((void)compute_timeline({}, simple_link()), Error);
  EXPECT_THROW((void)compute_timeline({command("", kNanosecondsPerMs, 0, 0)}, simple_link()), Error);
  EXPECT_THROW((void)compute_timeline({command("A", UINT64_MAX, 0, 0)}, simple_link()), Error);
  EXPECT_THROW(
      (void)compute_timeline({command("A", UINT64_MAX / 4, 0, UINT64_MAX / 4), command("B", UINT64_MAX / 4, 0, 0)},
                             simple_link()),
      Error);
}

TEST(TimingTimeline, MillisecondsAreTheNanosecondsDividedByAMillion) {
  EXPECT_DOUBLE_EQ(ns_to_ms(1), 1e-6);
  EXPECT_DOUBLE_EQ(ns_to_ms(123'456'789), 123.456789);
}

}  // namespace
}  // namespace sefleet::sim

// The timeline the API serves: unchanged up to the limit, then the last sample of each equal
// interval of time, first and last always kept, never more than the limit.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "offcard/server/timeline_thinning.hpp"

namespace sefleet::offcard::server {
namespace {

std::vector<TimelineRow> seconds(std::int64_t from, std::int64_t count) {
  std::vector<TimelineRow> out;
  for (std::int64_t i = 0; i < count; ++i) out.push_back(TimelineRow{from + i, i, 0, 0, 0, 0});
  return out;
}

TEST(TimelineThinning, UpToTheLimitNothingChanges) {
  const auto samples = seconds(100, 1000);
  const auto out = thin_timeline(samples, 1000);
  ASSERT_EQ(out.size(), 1000u);
  EXPECT_EQ(out.back().t, 1099);
  EXPECT_TRUE(thin_timeline({}, 1000).empty());
}

TEST(TimelineThinning, LongTimelinesKeepTheLastSampleOfEachInterval) {
  const auto out = thin_timeline(seconds(0, 100'001), 1000);  // 100,000 s in 999 intervals
  ASSERT_LE(out.size(), 1000u);
  EXPECT_GE(out.size(), 990u);
  EXPECT_EQ(out.front().t, 0);
  EXPECT_EQ(out.back().t, 100'000);
  EXPECT_EQ(out.back().updated, 100'000);  // the counts of the kept samples, never averaged
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_LT(out[i - 1].t, out[i].t);
    EXPECT_EQ(out[i].updated, out[i].t);
  }
}

TEST(TimelineThinning, BurstsAndGapsStayWithinTheLimit) {
  // A burst of 5,000 seconds, a pause of a day, then 3 more samples: the burst shrinks to the
  // intervals it covers, the samples after the pause are kept.
  auto samples = seconds(0, 5000);
  for (std::int64_t t : {86'400, 86'401, 90'000}) samples.push_back(TimelineRow{t, t, 0, 0, 0, 0});
  const auto out = thin_timeline(samples, 100);
  ASSERT_LE(out.size(), 100u);
  EXPECT_EQ(out.front().t, 0);
  EXPECT_EQ(out.back().t, 90'000);
  EXPECT_EQ(out[out.size() - 2].t, 86'401);  // another interval than 90,000's
  EXPECT_EQ(out[out.size() - 3].t, 4999);    // the burst's last sample ends its interval
}

TEST(TimelineThinning, LimitBelowTwoKeepsFirstAndLast) {
  const auto out = thin_timeline(seconds(5, 50), 0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.front().t, 5);
  EXPECT_EQ(out.back().t, 54);
}

}  // namespace
}  // namespace sefleet::offcard::server

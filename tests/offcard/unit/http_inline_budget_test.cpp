// How many I/O threads may handle a request in place: all but one, so that one always stays free to
// serve every other connection; a place given back can be taken again, also from other threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "offcard/server/http/session.hpp"

namespace sefleet::offcard::server::http {
namespace {

TEST(InlineBudget, AllButOneIoThreadMayHandleInPlace) {
  InlineBudget budget(3);
  EXPECT_TRUE(budget.try_acquire());
  EXPECT_TRUE(budget.try_acquire());
  EXPECT_FALSE(budget.try_acquire());  // the third I/O thread stays free
  budget.release();
  EXPECT_TRUE(budget.try_acquire());
  EXPECT_FALSE(budget.try_acquire());
}

TEST(InlineBudget, ASingleIoThreadNeverHandlesInPlace) {
  InlineBudget budget(1);
  EXPECT_FALSE(budget.try_acquire());
}

TEST(InlineBudget, HeldGivesThePlaceBackWhenItGoesOutOfScope) {
  InlineBudget budget(2);
  ASSERT_TRUE(budget.try_acquire());
  {
    const InlineBudget::Held held(budget);
    EXPECT_FALSE(budget.try_acquire());
  }
  EXPECT_TRUE(budget.try_acquire());
}

TEST(InlineBudget, ThreadsRacingForPlacesNeverHoldMoreThanTheLimit) {
  InlineBudget budget(3);  // two places
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!budget.try_acquire()) continue;
        const InlineBudget::Held held(budget);
        const int now = holding.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        holding.fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_GE(most.load(), 1);
  EXPECT_TRUE(budget.try_acquire());
  EXPECT_TRUE(budget.try_acquire());
  EXPECT_FALSE(budget.try_acquire());
}

}  // namespace
}  // namespace sefleet::offcard::server::http

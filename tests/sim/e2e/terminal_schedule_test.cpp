// The terminal's scheduling against the real server: SEs of two waves are served without waiting on
// the ones the current wave does not admit (the run takes seconds, not Retry-After's 30 s); SEs still
// held back when the run stops waiting end with the server's reason; an unverified failure's back-off
// is waited out as the server says; and every SE ends with a line that says where it ended and why.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "offcard/api/json_reader.hpp"
#include "offcard/terminal/scheduler.hpp"
#include "terminal_bench.hpp"

namespace sefleet {
namespace {

namespace term = offcard::terminal;
using offcard::api::DeviceState;
using term::SeStatus;
using Bench = test::TerminalBench;
using Clock = std::chrono::steady_clock;

// The bench's SEs as endpoints; `order` lists fleet indexes.
struct Endpoints {
  Endpoints(Bench& bench, const std::vector<std::size_t>& order) {
    for (std::size_t n : order) {
      owned.push_back(std::make_unique<sim::demo::FleetEndpoint>(*bench.fleet, n, "se-" + std::to_string(n)));
      pointers.push_back(owned.back().get());
    }
  }
  std::vector<std::unique_ptr<sim::demo::FleetEndpoint>> owned;
  std::vector<term::SeEndpoint*> pointers;
};

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Fleet indexes in wave order (the server's rank: GET /v1/devices lists a campaign's SEs by rank).
std::vector<std::size_t> wave_order(Bench& bench) {
  std::map<std::string, std::size_t> index_of;
  for (std::size_t n = 0; n < bench.fleet->size(); ++n) {
    index_of[offcard::api::lower_hex(bench.fleet->profile(n).se_id)] = n;
  }
  std::vector<std::size_t> order;
  for (const auto& device : bench.admin().devices(std::nullopt, bench.campaign_id).devices) {
    order.push_back(index_of.at(device.se_id));
  }
  return order;
}

TEST(TerminalSchedule, SesOfTwoWavesAreServedWithoutWaitingOnTheHeldBackOnes) {
  Bench bench(4, 0, [](offcard::api::CampaignCreate& c) { c.rollout.waves = {50, 100}; });
  const auto ranked = wave_order(bench);
  // The terminal meets the second wave's SEs first.
  Endpoints endpoints(bench, {ranked[2], ranked[3], ranked[0], ranked[1]});
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  term::ScheduleOptions options;
  options.max_wait = std::chrono::seconds(120);
  const auto start = Clock::now();
  const auto results = term::serve(agent, endpoints.pointers, options);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) EXPECT_EQ(r.status, SeStatus::updated) << r.endpoint << ": " << r.final_line();
  for (std::size_t k : {0, 1}) {  // the second wave's SEs: held back once, then updated
    ASSERT_FALSE(results[k].history.empty());
    EXPECT_EQ(results[k].history.front().label(), "refused:not_in_wave") << results[k].endpoint;
    EXPECT_EQ(results[k].history.back().label(), "updated");
  }
  // Each second-wave SE is asked again as soon as the first wave is done, not after Retry-After (30 s).
  const double first_wave_done = std::max(results[2].finished, results[3].finished);
  for (std::size_t k : {0, 1})
    EXPECT_LT(results[k].history.back().started - first_wave_done, 5.0) << results[k].endpoint;
  EXPECT_LT(seconds, 29.0) << "the run must not wait for Retry-After (30 s) while it can serve admitted SEs";
  const auto campaign = bench.admin().campaign(bench.campaign_id);
  EXPECT_EQ(campaign.current_wave, 1);
  EXPECT_EQ(campaign.state, offcard::api::CampaignState::completed);
  // Only the first SE served asked for its own PAUT; each later one was due when the SE before it
  // reported and got its PAUT with that report. The second wave's first SE included: the report that
  // completed the first wave started the second one before the authorization that followed it in its
  // transaction.
  EXPECT_FALSE(results[2].history.back().paut_with_report) << results[2].endpoint;
  for (std::size_t k : {3, 0, 1}) EXPECT_TRUE(results[k].history.back().paut_with_report) << results[k].endpoint;
}

TEST(TerminalSchedule, HeldBackSesEndWithTheServersReasonWhenTheRunStopsWaiting) {
  Bench bench(4, 0, [](offcard::api::CampaignCreate& c) { c.rollout.waves = {50, 100}; });
  const auto ranked = wave_order(bench);
  Endpoints endpoints(bench, {ranked[2], ranked[3]});  // only SEs the current wave does not admit
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  term::ScheduleOptions options;
  options.max_wait = std::chrono::seconds(0);
  const auto start = Clock::now();
  const auto results = term::serve(agent, endpoints.pointers, options);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 5.0);
  for (const auto& r : results) {
    EXPECT_EQ(r.status, SeStatus::not_in_wave);
    EXPECT_TRUE(starts_with(r.final_line(), "not_in_wave: wave 0 admits 2 of 4 targets; gave up after waiting"))
        << r.final_line();
    EXPECT_FALSE(r.success());
  }
}

TEST(TerminalSchedule, FinalLinesSayWhySesAreQuarantinedOrPaused) {
  // One SE of another platform, and a wave that pauses at the first authenticated failure.
  Bench bench(2, 1, [](offcard::api::CampaignCreate& c) {
    c.rollout.max_failure_rate = 0.2;
    c.rollout.min_reports = 1;
  });
  sim::demo::FleetEndpoint wrong(*bench.other, 0, "wrong");
  sim::demo::FleetEndpoint first(*bench.fleet, 0, "se-0");
  sim::demo::FleetEndpoint second(*bench.fleet, 1, "se-1");
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  term::ScheduleOptions options;
  options.max_wait = std::chrono::seconds(0);
  const auto results = term::serve(agent, {&wrong, &first, &second}, options);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, SeStatus::quarantined);
  // The campaign's image is for the bench's platform ("PLAT0001"); this SE's platform is another one.
  EXPECT_TRUE(starts_with(results[0].final_line(),
                          "quarantined: manifest refused for platform 504c415430303031 "
                          "(application image \"bench-7\", version 0x00000007): not retried"))
      << results[0].final_line();
  for (std::size_t k : {1, 2}) {
    EXPECT_EQ(results[k].status, SeStatus::paused);
    EXPECT_TRUE(
        starts_with(results[k].final_line(),
                    "paused: failure rate 1.00 > 0.20 in wave 0 (1 authenticated reports); gave up after waiting"))
        << results[k].final_line();
  }
}

TEST(TerminalSchedule, AnUnverifiedFailuresBackOffIsWaitedOutAsTheServerSays) {
  Bench bench(1);
  // The SE goes silent before it answers INITIALIZE UPDATE (identity: SELECT + 5 GET DATA; delivery:
  // SELECT, then INITIALIZE UPDATE is the 8th command): nothing in the report can be verified.
  sim::demo::FleetEndpoint silent(*bench.fleet, 0, "se-0", 7);
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  // A virtual clock: sleeping moves it and the server's clock together, so the test never sleeps.
  Clock::time_point now = Clock::now();
  std::chrono::milliseconds slept{0};
  term::ScheduleOptions options;
  options.max_wait = std::chrono::seconds(60);
  options.now = [&now] { return now; };
  options.sleep = [&](std::chrono::milliseconds delay) {
    now += delay;
    slept += delay;
    bench.clock += std::chrono::ceil<std::chrono::seconds>(delay).count();
  };
  const auto results = term::serve(agent, {&silent}, options);
  ASSERT_EQ(results.size(), 1u);
  const auto& r = results[0];
  EXPECT_TRUE(silent.power_was_cut());
  EXPECT_EQ(r.status, SeStatus::updated) << r.final_line();
  ASSERT_EQ(r.history.size(), 3u) << r.final_line();
  EXPECT_EQ(r.history[0].evidence, offcard::api::Evidence::unverified);
  EXPECT_EQ(r.history[0].label(), "retry");
  EXPECT_EQ(r.history[1].label(), "refused:backoff");
  EXPECT_EQ(r.history[2].label(), "updated");
  EXPECT_EQ(slept, std::chrono::seconds(10)) << "the campaign's unverified_backoff, as the server said";
  EXPECT_EQ(bench.progress()[DeviceState::updated], 1);
}

}  // namespace
}  // namespace sefleet

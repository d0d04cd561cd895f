// Faults around the terminal agent, end to end over real HTTP with the real management server
// (SQLite in a temporary directory, software keystore in memory) and virtual SEs: a terminal killed
// mid-stream, an SE powered off mid-stream, and the server stopped and restarted in the middle of a
// campaign. In each case the SE keeps its old image until an authenticated activation, the next
// attempt succeeds, no acknowledged report is lost and no SE is counted twice.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "terminal_bench.hpp"

namespace sefleet {
namespace {

namespace term = offcard::terminal;
using offcard::api::DeviceState;
using term::SeStatus;
using Bench = test::TerminalBench;

// A channel that dies after `limit` commands, as a terminal killed mid-stream stops sending.
class DyingChannel final : public transport::CardChannel {
 public:
  DyingChannel(transport::CardChannel& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
  Bytes transmit(ByteView command) override {
    if (sent_++ >= limit_) throw Error(Errc::io_error, "terminal killed");
    return inner_.transmit(command);
  }
  Bytes atr() override { return inner_.atr(); }
  void reset() override { inner_.reset(); }
  std::string description() const override { return "dying"; }

 private:
  transport::CardChannel& inner_;
  std::size_t limit_;
  std::size_t sent_ = 0;
};

TEST(TerminalFaults, TerminalKilledMidStreamLeavesTheOldImageAndTheNextAttemptSucceeds) {
  Bench bench(1);
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();

  // The killed terminal: identity, PAUT, half the stream, then nothing (no report ever sent).
  transport::CardChannel& channel = bench.fleet->channel(0);
  const auto request = offcard::read_se_identity(channel, gp::isd_aid());
  const auto granted = client.authorize(bench.campaign_id, request);
  ASSERT_TRUE(granted.granted.has_value());
  DyingChannel dying(channel, 1 + 3 + agent.pse().commands.size() / 2);
  const auto cut = offcard::deliver(dying, gp::isd_aid(), granted.granted->paut, agent.pse().commands);
  ASSERT_FALSE(cut.reached_authorization());
  EXPECT_EQ(bench.progress()[DeviceState::updated], 0);

  // Power cycle (a new terminal picks the SE up): the staging is incomplete, nothing was activated.
  bench.fleet->reopen(0);
  sim::demo::FleetEndpoint endpoint(*bench.fleet, 0, "se-0");
  const term::SeResult result = agent.update(endpoint);
  EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
  EXPECT_EQ(result.attempts, 1u) << "the superseded PAUT costs nothing: a fresh one works at once";
  EXPECT_EQ(result.outcome, offcard::DeliveryOutcome::activated);
  EXPECT_EQ(bench.progress()[DeviceState::updated], 1);

  // Asking again is refused as already updated: the SE is not counted twice.
  const term::SeResult again = agent.update(endpoint);
  EXPECT_EQ(again.status, SeStatus::already_updated);
  EXPECT_EQ(again.attempts, 0u);
}

TEST(TerminalFaults, SePoweredOffMidStreamIsRetriedWithAFreshPautAndUpdated) {
  Bench bench(2);
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, bench.agent_options());
  agent.prepare();
  sim::demo::FleetEndpoint cut(*bench.fleet, 0, "se-0", 6 + 4 + agent.pse().commands.size() / 2);
  const term::SeResult result = agent.update(cut);
  EXPECT_TRUE(cut.power_was_cut());
  EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
  ASSERT_EQ(result.history.size(), 2u);
  EXPECT_EQ(result.history[0].outcome, offcard::DeliveryOutcome::interrupted);
  EXPECT_EQ(result.history[0].evidence, offcard::api::Evidence::authenticated) << "the SE answered INITIALIZE UPDATE";
  EXPECT_EQ(result.history[0].decision, DeviceState::retry);
  EXPECT_EQ(result.history[1].decision, DeviceState::updated);
  const auto progress = bench.progress();
  EXPECT_EQ(progress[DeviceState::updated], 1);
  EXPECT_EQ(progress[DeviceState::pending], 1);
}

// An agent that knows the SE it serves next asks for that SE's PAUT in the current SE's report: every
// SE but the first is updated with the PAUT that came with the report before it (one request per SE).
// A refused next authorization is not kept: the SE asks again itself and acts on the refusal it gets.
TEST(TerminalFaults, TheNextSesPautComesWithTheReportBeforeIt) {
  const std::size_t size = 3;
  Bench bench(size + 1);
  std::vector<std::unique_ptr<sim::demo::FleetEndpoint>> endpoints;
  for (std::size_t n = 0; n <= size; ++n) {
    endpoints.push_back(std::make_unique<sim::demo::FleetEndpoint>(*bench.fleet, n, "se-" + std::to_string(n)));
  }
  std::size_t current = 0;
  term::AgentOptions options = bench.agent_options();
  options.next_se = [&]() -> term::SeEndpoint* { return current + 1 < size ? endpoints[current + 1].get() : nullptr; };
  term::ApiClient client(bench.terminal_session());
  term::Agent agent(client, options);
  agent.prepare();
  for (current = 0; current < size; ++current) {
    const term::SeResult result = agent.update(*endpoints[current]);
    EXPECT_EQ(result.status, SeStatus::updated) << result.final_line();
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_EQ(result.history[0].paut_with_report, current > 0) << "SE " << current;
  }
  EXPECT_EQ(bench.progress()[DeviceState::updated], static_cast<std::int64_t>(size));

  // A refused next authorization is not kept: the last SE's report asks for the first SE's PAUT, which
  // the server refuses (already updated); the first SE then asks itself and gets that refusal.
  options.next_se = [&]() -> term::SeEndpoint* { return endpoints[0].get(); };
  term::Agent second(client, options);
  second.prepare();
  const term::SeResult last = second.update(*endpoints[size]);
  EXPECT_EQ(last.status, SeStatus::updated) << last.final_line();
  ASSERT_EQ(last.history.size(), 1u);
  EXPECT_FALSE(last.history[0].paut_with_report);
  const term::SeResult first = second.update(*endpoints[0]);
  EXPECT_EQ(first.status, SeStatus::already_updated) << first.final_line();
  ASSERT_EQ(first.history.size(), 1u);
  EXPECT_FALSE(first.history[0].paut_with_report);
  EXPECT_EQ(first.history[0].refusal, offcard::api::Refusal::already_updated);
  EXPECT_EQ(bench.progress()[DeviceState::updated], static_cast<std::int64_t>(size + 1));
}

TEST(TerminalFaults, ServerRestartedMidCampaignLosesNoReportAndCountsNoSeTwice) {
  const std::size_t size = 12;
  Bench bench(size);
  std::vector<term::SeResult> results(size);
  std::atomic<std::size_t> done{0};
  std::thread terminal([&] {
    term::ApiClient client(bench.terminal_session());
    term::Agent agent(client, bench.agent_options());
    agent.prepare();
    for (std::size_t n = 0; n < size; ++n) {
      sim::demo::FleetEndpoint endpoint(*bench.fleet, n, "se-" + std::to_string(n));
      results[n] = agent.update(endpoint);
      ++done;
    }
  });
  while (done.load() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::uint16_t port = bench.server->port();
  bench.server->stop();  // graceful: requests in flight are answered, then connections refused
  bench.server.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  bench.start_server(port);  // same database, same address
  terminal.join();

  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_EQ(r.status, SeStatus::updated) << r.endpoint << ": " << r.final_line();
    ids.insert(r.se_id);
  }
  EXPECT_EQ(ids.size(), size);
  const auto progress = bench.progress();
  EXPECT_EQ(progress[DeviceState::updated], static_cast<std::int64_t>(size));
  EXPECT_EQ(bench.admin().campaign(bench.campaign_id).state, offcard::api::CampaignState::completed);
  // Every SE updated exactly once in the decision log.
  std::size_t updated_decisions = 0;
  for (const auto& event : bench.admin().events(bench.campaign_id).events) {
    if (event.kind == "report" && event.decision == DeviceState::updated) ++updated_decisions;
  }
  EXPECT_EQ(updated_decisions, size);
}

}  // namespace
}  // namespace sefleet

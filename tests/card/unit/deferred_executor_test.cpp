// Deferred execution (spec §2-§4, §6): the R-APDU leaves before the work starts, no command is
// dispatched while work is pending (none lost or reordered), FIFO, each task in its own transaction,
// results (idle/pending/done/failed/interrupted) and the check on the next command, failures, the
// baseline mode, and virtual time (HWT drops by the deferred time; a short SEWT makes the next command wait).
#include <gtest/gtest.h>

#include "card/runtime/deferred_queue.hpp"
#include "card/unit/deferred_test_support.hpp"
#include "transport/in_process_channel.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using test::counter_command;
using test::DeferredCounterApplet;

std::optional<Bytes> object(VirtualCard& card, std::string_view name) {
  return card.store().get(PersistentMemory::namespace_prefix(test::kCounterAid) + std::string(name));
}

ResponseApdu send(Runtime& runtime, const CommandApdu& command) {
  return ResponseApdu::parse(runtime.transmit(command.encode()));
}

TEST(DeferredExecutor, ResponseLeavesBeforeTheWorkStartsInProcess) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  transport::InProcessChannel channel(counter.card.endpoint());
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(test::select_counter().encode())).sw, 0x9000);
  const auto reply = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode()));
  // The host holds the reply; the deferred work has not started yet.
  EXPECT_EQ(reply.sw, 0x9000);
  EXPECT_EQ(reply.data, from_hex("00000001"));
  EXPECT_TRUE(channel.after_response_pending());
  EXPECT_TRUE(counter.runtime().deferred_pending());
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::pending);
  EXPECT_FALSE(object(counter.card, "counter"));
  channel.flush_after_response();
  EXPECT_FALSE(counter.runtime().deferred_pending());
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::done);
  EXPECT_EQ(counter.applet->seal_task().result().state, DeferredState::done);
  EXPECT_EQ(object(counter.card, "counter"), from_hex("00000001"));
  EXPECT_TRUE(object(counter.card, "seal"));
}

TEST(DeferredExecutor, NextCommandWaitsAndNothingIsLostOrReordered) {
  test::FlatCostModel model;
  VirtualClock clock(&model);
  VirtualCardOptions options;
  options.clock = &clock;
  auto counter = test::CounterCard::open(test::personalized_medium(), options);
  Runtime& runtime = counter.runtime();
  runtime.power_on();
  ASSERT_EQ(send(runtime, test::select_counter()).sw, 0x9000);
  // No after_response() between commands: each command finds the previous one's work pending.
  for (std::uint32_t i = 1; i <= 3; ++i) {
    const auto reply = send(runtime, counter_command(DeferredCounterApplet::kIncrement));
    ASSERT_EQ(reply.sw, 0x9000);
    EXPECT_EQ(test::be32(reply.data), i);  // it saw the previous value persisted: the work ran first
    EXPECT_TRUE(runtime.deferred_pending());
    if (i > 1) {
      EXPECT_GT(runtime.last_command_clock().waited_ns, 0u);
    } else {
      EXPECT_EQ(runtime.last_command_clock().waited_ns, 0u);
    }
  }
  const auto status = send(runtime, counter_command(DeferredCounterApplet::kStatus));
  ASSERT_EQ(status.sw, 0x9000);
  EXPECT_EQ(test::be32(status.data), 3u);
  EXPECT_EQ(object(counter.card, "history"), from_hex("000000010000000200000003"));
  // FIFO: the check on this command lists persist then seal, in the order they ended.
  EXPECT_EQ(status.data[6], 2u);
  EXPECT_EQ(status.data[7], static_cast<std::uint8_t>(DeferredState::done));
}

TEST(DeferredExecutor, ResultsAreCheckedOnTheNextCommandInOrder) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  transport::InProcessChannel channel(counter.card.endpoint());
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(test::select_counter().encode())).sw, 0x9000);
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode())).sw,
            0x9000);
  // Observed through a probe command: the results are available before process() runs.
  channel.flush_after_response();
  auto& queue = counter.runtime().deferred_queue();
  queue.begin_command(test::kCounterAid);
  const auto checked = queue.checked(test::kCounterAid);
  ASSERT_EQ(checked.size(), 2u);
  EXPECT_EQ(checked[0].first, "persist");
  EXPECT_EQ(checked[1].first, "seal");
  EXPECT_EQ(checked[0].second.state, DeferredState::done);
  // A later command without new endings sees an empty list.
  const auto status = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kStatus).encode()));
  EXPECT_EQ(status.data[6], 0u);
  EXPECT_EQ(status.data[7], 0xFF);
}

TEST(DeferredExecutor, SchedulingTwiceBeforeItRanIsRefused) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  transport::InProcessChannel channel(counter.card.endpoint());
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(test::select_counter().encode())).sw, 0x9000);
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode())).sw,
            0x9000);
  channel.flush_after_response();
  // TWICE: the first schedule stands, the second is refused with 6985 (the applet let it escape).
  const auto twice = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kTwice).encode()));
  EXPECT_EQ(twice.sw, 0x6985);
  EXPECT_TRUE(counter.runtime().deferred_pending());
  channel.flush_after_response();
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::done);
  EXPECT_EQ(object(counter.card, "history"), from_hex("0000000100000001"));  // ran once more, not twice
}

TEST(DeferredExecutor, AFailingTaskRollsBackReportsTheReasonAndTheCardKeepsWorking) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  transport::InProcessChannel channel(counter.card.endpoint());
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(test::select_counter().encode())).sw, 0x9000);
  ASSERT_EQ(ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kFail).encode())).sw, 0x9000);
  channel.flush_after_response();
  EXPECT_FALSE(counter.runtime().deferred_pending());
  const auto& result = counter.applet->fail_task().result();
  EXPECT_EQ(result.state, DeferredState::failed);
  EXPECT_NE(result.reason.find("deliberate failure"), std::string::npos);
  EXPECT_FALSE(object(counter.card, "junk"));  // its write rolled back
  const auto next = ResponseApdu::parse(channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode()));
  EXPECT_EQ(next.sw, 0x9000);
  EXPECT_EQ(next.data, from_hex("00000001"));
}

TEST(DeferredExecutor, TransientMemoryStaysValidAndADeselectWaitsForTheTasks) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  Runtime& runtime = counter.runtime();
  runtime.power_on();
  ASSERT_EQ(send(runtime, test::select_counter()).sw, 0x9000);
  ASSERT_EQ(send(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x9000);
  // Selecting the ISD deselects the counter (CLEAR_ON_DESELECT): the pending task runs first and
  // still finds its "next" value.
  ASSERT_EQ(test::select_isd(runtime).sw, 0x9000);
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::done);
  EXPECT_EQ(object(counter.card, "counter"), from_hex("00000001"));
  EXPECT_TRUE(runtime.transient_memory().buffer(test::kCounterAid, TransientScope::clear_on_deselect, "next").empty());
}

TEST(DeferredExecutor, ResultsAfterAResetAndResumableTasksRunBeforeTheFirstCommand) {
  auto counter = test::CounterCard::open(test::personalized_medium());
  Runtime& runtime = counter.runtime();
  runtime.power_on();
  ASSERT_EQ(send(runtime, test::select_counter()).sw, 0x9000);
  ASSERT_EQ(send(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x9000);
  runtime.reset();  // the field went away before the work ran
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::interrupted);
  // seal is resumable: scheduled again, it holds the first command.
  EXPECT_TRUE(runtime.deferred_pending());
  ASSERT_EQ(send(runtime, test::select_counter()).sw, 0x9000);
  EXPECT_EQ(counter.applet->seal_task().result().state, DeferredState::done);
  EXPECT_FALSE(object(counter.card, "counter"));
  // The applet's decision on the check: the lost persist makes INCREMENT answer 6581 once.
  EXPECT_EQ(send(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x6581);
  EXPECT_EQ(send(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x9000);
}

TEST(DeferredExecutor, BaselineModeRunsTheTaskBeforeTheResponse) {
  VirtualCardOptions options;
  options.defer_after_response = false;
  auto counter = test::CounterCard::open(test::personalized_medium(), options);
  Runtime& runtime = counter.runtime();
  runtime.power_on();
  ASSERT_EQ(send(runtime, test::select_counter()).sw, 0x9000);
  ASSERT_EQ(send(runtime, counter_command(DeferredCounterApplet::kIncrement)).sw, 0x9000);
  EXPECT_FALSE(runtime.deferred_pending());
  EXPECT_EQ(counter.applet->persist_task().result().state, DeferredState::done);
  EXPECT_EQ(object(counter.card, "counter"), from_hex("00000001"));
}

// Spec §6.5 on the virtual clock: with deferral the SE time of the deferring command drops by exactly
// the deferred time; when the next command arrives before the work ends, it waits for the remainder.
TEST(DeferredExecutor, VirtualTimeMovesTheWorkOutOfTheCommand) {
  test::FlatCostModel model;
  auto run = [&](bool defer) {
    VirtualClock clock(&model);
    VirtualCardOptions options;
    options.clock = &clock;
    options.defer_after_response = defer;
    auto counter = test::CounterCard::open(test::personalized_medium(), options);
    transport::InProcessChannel channel(counter.card.endpoint());
    channel.transmit(test::select_counter().encode());
    channel.flush_after_response();
    channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode());
    channel.flush_after_response();
    return counter.runtime().last_command_clock();
  };
  const CommandClock baseline = run(false);
  const CommandClock deferred = run(true);
  EXPECT_EQ(baseline.deferred_ns, 0u);
  EXPECT_GT(deferred.deferred_ns, 0u);
  EXPECT_LT(deferred.seht_ns, baseline.seht_ns);
  // HWT (SEHT here) drops by exactly the deferred work; the deferred side only adds the schedule
  // record (one commit of two 11-byte records), which runs after the response.
  const std::uint64_t schedule_record =
      2 * model.cost_ns(SeOperation::nvm_write_atomic, 11) + model.cost_ns(SeOperation::transaction_commit, 0);
  EXPECT_EQ(baseline.seht_ns - deferred.seht_ns, deferred.deferred_ns - schedule_record);
}

TEST(DeferredExecutor, ATaskSeesNoApduAndCannotScheduleOrReachTheHost) {
  class Probe final : public Applet {
   public:
    bool saw_apdu = true;
    std::uint16_t deferred_refusal = 0;
    void install(AppletContext& ctx) override {
      task_ = ctx.deferred().create_task({"probe", false, 0}, [this](AppletContext& task) {
        saw_apdu = task.apdu() != nullptr;
        try {
          task.deferred();
        } catch (const StatusWordError& e) {
          deferred_refusal = e.sw();
        }
        EXPECT_EQ(task.persistent().transaction_depth(), 1u);
        EXPECT_THROW(task.persistent().begin_transaction(), TransactionError);
        EXPECT_THROW(task.persistent().commit_transaction(), TransactionError);
      });
    }
    ResponseApdu process(const CommandApdu& command, AppletContext& ctx) override {
      if (command.ins != 0xA4) ctx.deferred().schedule(*task_);
      return ResponseApdu(0x9000);
    }

   private:
    std::shared_ptr<DeferredTask> task_;
  };
  VirtualCard card = VirtualCard::open(std::make_unique<nvm::MemoryDevice>(test::personalized_medium()));
  auto probe = std::make_unique<Probe>();
  Probe* raw = probe.get();
  RegistryEntry entry;
  entry.aid = test::kCounterAid;
  card.runtime().install_applet(std::move(entry), std::move(probe));
  transport::InProcessChannel channel(card.endpoint());
  channel.transmit(test::select_counter().encode());
  EXPECT_EQ(ResponseApdu::parse(channel.transmit(counter_command(0x01).encode())).sw, 0x9000);
  channel.flush_after_response();
  EXPECT_FALSE(raw->saw_apdu);
  EXPECT_EQ(raw->deferred_refusal, 0x6985);
}

TEST(DeferredExecutor, TaskNamesAreCheckedAndUnique) {
  class Namer final : public Applet {
   public:
    void install(AppletContext& ctx) override {
      auto work = [](AppletContext&) {};
      EXPECT_THROW(ctx.deferred().create_task({"", false, 0}, work), Error);
      EXPECT_THROW(ctx.deferred().create_task({"Upper", false, 0}, work), Error);
      EXPECT_THROW(ctx.deferred().create_task({std::string(33, 'a'), false, 0}, work), Error);
      EXPECT_THROW(ctx.deferred().create_task({"nowork", false, 0}, DeferredWork{}), Error);
      kept = ctx.deferred().create_task({"ok_name-1", false, 0}, work);
      EXPECT_THROW(ctx.deferred().create_task({"ok_name-1", false, 0}, work), Error);
      EXPECT_EQ(ctx.deferred().result(*kept).state, DeferredState::idle);
    }
    ResponseApdu process(const CommandApdu&, AppletContext&) override { return ResponseApdu(0x9000); }
    std::shared_ptr<DeferredTask> kept;
  };
  VirtualCard card = VirtualCard::open(std::make_unique<nvm::MemoryDevice>(test::personalized_medium()));
  RegistryEntry entry;
  entry.aid = test::kCounterAid;
  card.runtime().install_applet(std::move(entry), std::make_unique<Namer>());
  EXPECT_NE(card.runtime().registry().find(test::kCounterAid), nullptr);
}

TEST(DeferredExecutor, UninstallRemovesTheInstanceItsObjectsAndRecords) {
  auto medium = test::personalized_medium();
  auto counter = test::CounterCard::open(medium);
  {
    transport::InProcessChannel channel(counter.card.endpoint());
    channel.transmit(test::select_counter().encode());
    channel.transmit(counter_command(DeferredCounterApplet::kIncrement).encode());
    channel.flush_after_response();
    EXPECT_TRUE(object(counter.card, "counter"));
    EXPECT_THROW(counter.runtime().uninstall_applet(test::kCounterAid), Error);  // selected
  }
  counter.runtime().uninstall_applet(test::kCounterAid);
  EXPECT_EQ(counter.runtime().registry().find(test::kCounterAid), nullptr);
  for (const auto& key : counter.card.store().keys()) {
    EXPECT_FALSE(key.starts_with("app/")) << key;
    EXPECT_FALSE(key.starts_with("rt/deferred/")) << key;
  }
  EXPECT_THROW(counter.runtime().uninstall_applet(test::kCounterAid), Error);
}

}  // namespace
}  // namespace sefleet::card

// org.sefleet.deferred on the Java Card VM (tests/card/javacard/deferred, DeferredTestApplet) in a
// VirtualCard, loaded and installed through its ISD: tasks created at install and while processing run after the
// response, in the order they were scheduled, each in its own transaction in the applet's context; the pending flag and
// the wait of the next command; failures rolled back with their reason; results checked on the next command (SELECT
// included); the task objects carried over a restart; power loss at every physical write of a resumable task's deferred
// work; the baseline mode.
#include <gtest/gtest.h>

#include <string>

#include "javacard_services_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kDeferredPackage = aid("F05345464C45540C01");
const Bytes kDeferredClass = aid("F05345464C45540C0101");
const Bytes kDeferredInstance = aid("F05345464C45540C010101");

constexpr const char* kIncrementLater = "8010000000";
constexpr const char* kRead = "8012000000";
constexpr const char* kFailLater = "8014000000";
constexpr const char* kResumeLater = "8016000000";
constexpr const char* kEnded = "8018000000";
constexpr const char* kReadProbe = "8022000000";
constexpr const char* kAtSelect = "8028000000";

// One entry of ENDED: name length, name, state, reason length, reason.
std::string ended_entry(const std::string& name, std::uint8_t state, const std::string& reason = "") {
  Bytes out{static_cast<std::uint8_t>(name.size())};
  out.insert(out.end(), name.begin(), name.end());
  out.push_back(state);
  out.push_back(static_cast<std::uint8_t>(reason.size()));
  out.insert(out.end(), reason.begin(), reason.end());
  return to_hex(out);
}

std::string ascii(const std::string& text) {
  return to_hex(Bytes(text.begin(), text.end()));
}

// READ: counter, resumed, isPending, state of "persist", state of "resume".
std::string read_answer(std::uint16_t counter, std::uint16_t resumed, std::uint8_t persist, std::uint8_t resume) {
  return to_hex(Bytes{static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter), 0x00,
                      static_cast<std::uint8_t>(resumed), 0x00, persist, resume}) +
         "9000";
}

constexpr std::uint8_t kIdle = 0;
constexpr std::uint8_t kDone = 2;
constexpr std::uint8_t kFailed = 3;
constexpr std::uint8_t kInterrupted = 4;

LoadFile deferred_load_file() {
  return load_file_of("deferred", "sefleet/test/deferred", kDeferredPackage,
                      {AppletDeclaration{"sefleet/test/deferred/DeferredTestApplet", kDeferredClass}});
}

// A card with the applet installed and selected ("setup", scheduled by install(), has run).
std::unique_ptr<JavaVirtualCard> installed_card(VirtualCardOptions options = {}) {
  auto card = std::make_unique<JavaVirtualCard>(JavaVirtualCard::new_medium(), options);
  card->load(deferred_load_file());
  card->install(kDeferredPackage, kDeferredClass, kDeferredInstance);
  EXPECT_EQ(card->select(kDeferredInstance), "9000");
  return card;
}

TEST(JavaDeferred, TheResponseLeavesBeforeTheTaskRunsInItsTransaction) {
  auto card = installed_card();
  EXPECT_EQ(card->send(kIncrementLater), "00019000");
  EXPECT_TRUE(card->runtime().deferred_pending());  // the response left, the task has not run
  card->runtime().after_response();
  EXPECT_FALSE(card->runtime().deferred_pending());
  // The check on the next command: "persist" ended DONE.
  EXPECT_EQ(card->send(kEnded), ended_entry("persist", kDone) + "9000");
  EXPECT_EQ(card->send(kRead), read_answer(1, 0, kDone, kIdle));
  EXPECT_EQ(card->send(kEnded), "9000");  // nothing ended since
}

TEST(JavaDeferred, ACommandWaitsForPendingWorkAndSeesItsEffect) {
  auto card = installed_card();
  for (std::uint16_t round = 1; round <= 3; ++round) {
    EXPECT_EQ(card->send(kIncrementLater), to_hex(Bytes{0x00, static_cast<std::uint8_t>(round)}) + "9000");
    // No after_response(): the next command runs the pending work first.
    EXPECT_EQ(card->send(kRead), read_answer(round, 0, kDone, kIdle));
  }
}

TEST(JavaDeferred, TasksRunInScheduleOrderEachInItsOwnTransaction) {
  auto card = installed_card();
  EXPECT_EQ(card->send("8026000000"), "9000");  // resume, fail, persist
  card->runtime().after_response();
  EXPECT_EQ(card->send(kEnded), ended_entry("resume", kDone) + ended_entry("fail", kFailed, "ISOException 6A80") +
                                    ended_entry("persist", kDone) + "9000");
  // "fail" wrote 7777 and threw: rolled back; "persist" (after it) and "resume" (before it) committed.
  EXPECT_EQ(card->send(kRead), read_answer(1, 1, kDone, kDone));
  EXPECT_EQ(card->send("801E000000"), ascii("ISOException 6A80") + "9000");
  EXPECT_EQ(card->send("801E010000"), "9000");  // DONE has no reason
}

TEST(JavaDeferred, AFailedTaskIsRolledBackWithItsReasonAndTheCardKeepsWorking) {
  auto card = installed_card();
  EXPECT_EQ(card->send(kFailLater), "9000");
  card->runtime().after_response();
  EXPECT_EQ(card->send(kEnded), ended_entry("fail", kFailed, "ISOException 6A80") + "9000");
  EXPECT_EQ(card->send(kRead), read_answer(0, 0, kIdle, kIdle));
  EXPECT_EQ(card->send("8024000000"), "9000");  // a VM exception
  card->runtime().after_response();
  EXPECT_EQ(card->send(kEnded), ended_entry("npe", kFailed, "NullPointerException") + "9000");
  EXPECT_EQ(card->send(kIncrementLater), "00019000");
  EXPECT_EQ(card->send(kRead), read_answer(1, 0, kDone, kIdle));
}

TEST(JavaDeferred, InsideATaskTheTransactionAndTheExecutorAreNotTheApplets) {
  auto card = installed_card();
  EXPECT_EQ(card->send("8020000000"), "9000");
  card->runtime().after_response();
  // Depth 1; commit and abort: ILLEGAL_USE (5); begin: IN_PROGRESS (1); isPending and schedule: 6985;
  // "setup" ran once (after INSTALL), "late" never.
  EXPECT_EQ(card->send(kReadProbe),
            "01050501698569850001"
            "0000"
            "9000");
}

TEST(JavaDeferred, TasksCreatedWhileProcessing) {
  auto card = installed_card();
  EXPECT_EQ(card->send("802A000000"), "9000");
  card->runtime().after_response();
  EXPECT_EQ(card->send(kEnded), ended_entry("late", kDone) + "9000");
  EXPECT_EQ(card->send(kReadProbe).substr(16, 8), "00010001");
  // The name is taken now: createTask throws SystemException ILLEGAL_VALUE (uncaught: 6F00).
  EXPECT_EQ(card->send("802A000000"), "6F00");
}

TEST(JavaDeferred, SchedulingTwiceBeforeTheTaskRanIsRefused) {
  auto card = installed_card();
  EXPECT_EQ(card->send("801A000000"), "6985");
  card->runtime().after_response();  // the first schedule stands
  EXPECT_EQ(card->send(kRead), read_answer(1, 0, kDone, kIdle));
  EXPECT_EQ(card->send("801C000000"), "9000");  // OperationSplit and the createTask refusals
}

TEST(JavaDeferred, TaskObjectsAndResultsSurviveARestart) {
  auto card = installed_card();
  EXPECT_EQ(card->send(kIncrementLater), "00019000");
  EXPECT_EQ(card->send(kFailLater), "9000");  // waits for persist first
  card->runtime().after_response();
  const auto medium = card->medium();
  card.reset();

  JavaVirtualCard reopened(medium);
  ASSERT_EQ(reopened.select(kDeferredInstance), "9000");
  // The results the executor persisted are the tasks' states; nothing ran again ("setup" once).
  EXPECT_EQ(reopened.send(kRead), read_answer(1, 0, kDone, kIdle));
  EXPECT_EQ(reopened.send("801E000000"), ascii("ISOException 6A80") + "9000");
  EXPECT_EQ(reopened.send(kReadProbe).substr(16, 8), "00010000");
  // The same task objects are scheduled again.
  EXPECT_EQ(reopened.send(kIncrementLater), "00029000");
  reopened.runtime().after_response();
  EXPECT_EQ(reopened.send(kRead), read_answer(2, 0, kDone, kIdle));
}

TEST(JavaDeferred, PowerLossAtEveryWriteOfAResumableTask) {
  // The card with the applet installed and selected, then the writes of RESUME LATER's deferred work.
  nvm::MemoryDevice::Medium base;
  {
    auto card = installed_card();
    base = card::test::copy_medium(card->medium());
  }
  std::uint64_t before_work = 0;
  std::uint64_t work_writes = 0;
  {
    JavaVirtualCard card(card::test::copy_medium(base));
    ASSERT_EQ(card.select(kDeferredInstance), "9000");
    ASSERT_EQ(card.send(kResumeLater), "9000");
    before_work = card.card().physical_writes();
    card.runtime().after_response();
    work_writes = card.card().physical_writes() - before_work;
    ASSERT_EQ(card.send(kRead), read_answer(0, 1, kIdle, kDone));
  }
  ASSERT_GE(work_writes, 2u);  // the "pending" record, then the task's commit
  int saw_interrupted = 0;
  int saw_unscheduled = 0;
  int saw_committed = 0;
  for (std::uint64_t n = 1; n <= work_writes; ++n) {
    SCOPED_TRACE("torn at deferred write " + std::to_string(n));
    const auto medium = card::test::copy_medium(base);
    {
      VirtualCardOptions options;
      options.tear_at_write = before_work + n;
      JavaVirtualCard card(medium, options);
      ASSERT_EQ(card.select(kDeferredInstance), "9000");
      ASSERT_EQ(card.send(kResumeLater), "9000");  // the response left before the power loss
      card.runtime().after_response();
      ASSERT_TRUE(card.card().power_lost());
    }
    // Reopened: an interrupted resumable task runs again before the first command.
    JavaVirtualCard card(medium);
    ASSERT_EQ(card.select(kDeferredInstance), "9000");
    const std::string at_select = card.send(kAtSelect);
    const std::string read = card.send(kRead);
    if (at_select == ended_entry("resume", kInterrupted, "power loss") + ended_entry("resume", kDone) + "9000") {
      ++saw_interrupted;
      EXPECT_EQ(read, read_answer(0, 1, kIdle, kDone));
    } else if (read == read_answer(0, 0, kIdle, kIdle)) {
      ++saw_unscheduled;  // the "pending" record never became durable: nothing was scheduled
      EXPECT_EQ(at_select, "9000");
    } else {
      ++saw_committed;  // the task's own commit was durable before the cut
      EXPECT_EQ(read, read_answer(0, 1, kIdle, kDone));
      EXPECT_EQ(at_select, "9000");
    }
    // The card keeps working.
    EXPECT_EQ(card.send(kIncrementLater), "00019000");
  }
  EXPECT_GE(saw_interrupted, 1);
  EXPECT_GE(saw_unscheduled, 1);
  RecordProperty("interrupted", saw_interrupted);
  RecordProperty("unscheduled", saw_unscheduled);
  RecordProperty("committed", saw_committed);
}

TEST(JavaDeferred, BaselineModeRunsTheTaskBeforeTheResponse) {
  VirtualCardOptions options;
  options.defer_after_response = false;
  auto card = installed_card(options);
  EXPECT_EQ(card->send(kIncrementLater), "00019000");
  EXPECT_FALSE(card->runtime().deferred_pending());  // ran after process(), before the response
  EXPECT_EQ(card->send(kEnded), ended_entry("persist", kDone) + "9000");
  EXPECT_EQ(card->send(kReadProbe).substr(16, 4), "0001");  // "setup" ran at once, at placement
  EXPECT_EQ(card->send("8026000000"), "9000");
  EXPECT_EQ(card->send(kEnded), ended_entry("resume", kDone) + ended_entry("fail", kFailed, "ISOException 6A80") +
                                    ended_entry("persist", kDone) + "9000");
}

}  // namespace
}  // namespace sefleet::card::javacard::test

// Power loss at every physical NVM write of Java Card transactions (committed, aborted, committed with
// a full commit buffer, building an object graph), of single writes, of INSTALL and of LOAD (the VM's
// part of them), with 0 and 7 bytes of the torn write reaching the medium: the reopened card holds
// exactly the state before or the state after, and keeps working.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kTearingPackageAid = aid("F000000005");
const Bytes kTearingClassAid = aid("F00000000501");
const Bytes kTearingInstanceAid = aid("F0000000050101");

LoadFile tearing_package() {
  return load_file_of("applet", "com/sefleet/test/applet", kTearingPackageAid,
                      {AppletDeclaration{"com/sefleet/test/applet/TestApplet", kTearingClassAid}});
}

// The writes `operation` makes on a card opened on a copy of `base` (and selected when `select`).
std::uint64_t count_writes(const Bytes& base, bool select, const std::function<void(Card&)>& operation,
                           std::uint64_t& before) {
  Card card(std::make_shared<Bytes>(base), 0);
  if (select) {
    EXPECT_EQ(card.select(kTearingInstanceAid), "53009000");
  }
  before = card.tearing()->physical_writes();
  operation(card);
  return card.tearing()->physical_writes() - before;
}

// The answer to `apdu` of a card opened on a copy of `base` without a power loss.
std::string answer_untorn(const Bytes& base, const std::string& apdu) {
  Card card(std::make_shared<Bytes>(base));
  EXPECT_EQ(card.select(kTearingInstanceAid), "53009000");
  return card.send(apdu);
}

// Cuts power at every write of `operation` (0 and 7 bytes kept) and hands the reopened card to `check`.
void tear_everywhere(const Bytes& base, bool select, const std::function<void(Card&)>& operation,
                     const std::function<void(Card&)>& check) {
  std::uint64_t before = 0;
  const std::uint64_t writes = count_writes(base, select, operation, before);
  ASSERT_GT(writes, 0u);
  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
    for (std::uint64_t k = 1; k <= writes; ++k) {
      SCOPED_TRACE("power cut at write " + std::to_string(k) + " of " + std::to_string(writes) + ", " +
                   std::to_string(keep) + " bytes kept");
      auto medium = std::make_shared<Bytes>(base);
      {
        Card torn(medium, before + k, {}, keep);
        if (select) torn.select(kTearingInstanceAid);
        try {
          operation(torn);
        } catch (const std::exception&) {  // the power loss itself (LOAD, INSTALL through the facade)
        }
        EXPECT_TRUE(torn.tearing()->powered_off());
      }
      Card reopened(medium);
      check(reopened);
    }
  }
}

class JavaCardTearing : public ::testing::Test {
 protected:
  // A card with the package loaded (and the applet installed when `install`).
  Bytes base(bool install) {
    Card card;
    card.vm().load(tearing_package());
    if (install) card.install(kTearingPackageAid, kTearingClassAid, kTearingInstanceAid, from_hex("A1A2A3"));
    return *card.medium();
  }
};

TEST_F(JavaCardTearing, TransactionIsAllOrNothing) {
  const Bytes start = base(true);
  const std::string before =
      "A1A2A30000000000000000"
      "0000";
  const std::string after =
      "070707070707070703E805"
      "0000";
  tear_everywhere(
      start, true, [](Card& card) { card.send("8016070000"); },
      [&](Card& card) {
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        const std::string state = card.send("8011000000");
        EXPECT_TRUE(state == before + "9000" || state == after + "9000") << state;
        // The card works on.
        EXPECT_EQ(card.send("8016090000"), "090909090909090903E80500009000");
      });
}

TEST_F(JavaCardTearing, AbortedTransactionKeepsOnlyItsNonAtomicWrites) {
  const Bytes start = base(true);
  // Journalled writes undone; arrayFillNonAtomic of persistent[200..204) stays (or never happened).
  const std::string before =
      "A1A2A30000000000"
      "0000"
      "00"
      "00"
      "00";
  const std::string after =
      "A1A2A30000000000"
      "0000"
      "00"
      "07"
      "00";
  EXPECT_EQ(answer_untorn(start, "800607010D"), after + "9000");
  tear_everywhere(
      start, true, [](Card& card) { card.send("800607010D"); },
      [&](Card& card) {
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        const std::string state = card.send("8011000000");
        EXPECT_TRUE(state == before + "9000" || state == after + "9000") << state;
        EXPECT_EQ(card.send("8016090000"), "090909090909090903E805" + state.substr(22, 4) + "9000");
      });
}

TEST_F(JavaCardTearing, CommitOfAFullCommitBufferIsAllOrNothing) {
  const Bytes start = base(true);
  const std::string before =
      "A1A2A30000000000"
      "0000"
      "00"
      "00"
      "00";
  const std::string after =
      "0909090909090909"
      "0000"
      "00"
      "09"
      "00";
  // 5120 bytes of commit capacity, 16 + 8 per copy.
  EXPECT_EQ(answer_untorn(start, "8018090002"), "00D59000");
  tear_everywhere(
      start, true, [](Card& card) { card.send("8018090002"); },
      [&](Card& card) {
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        const std::string state = card.send("801100000D");
        EXPECT_TRUE(state == before + "9000" || state == after + "9000") << state;
        // Again, with another value: the whole buffer is rewritten.
        card.send("8018050002");
        EXPECT_EQ(card.send("801100000D"),
                  "0505050505050505"
                  "0000"
                  "00"
                  "05"
                  "00"
                  "9000");
      });
}

TEST_F(JavaCardTearing, OverflowedAndAbortedTransactionWritesNothing) {
  // The commit buffer filled to BUFFER_FULL and aborted: the journal never reaches NVM.
  const Bytes start = base(true);
  std::uint64_t before = 0;
  const std::uint64_t writes = count_writes(
      start, true, [](Card& card) { card.send("800C000008"); }, before);
  EXPECT_EQ(writes, 0u);
}

TEST_F(JavaCardTearing, ObjectGraphBuiltInATransactionIsAllOrNothingAcrossRestarts) {
  const Bytes start = base(true);
  const std::string graph =
      "01"
      "07070707"
      "01"
      "0707"
      "05";
  EXPECT_EQ(answer_untorn(start, "8019010700"), graph + "9000");
  tear_everywhere(
      start, true, [](Card& card) { card.send("8019010700"); },
      [&](Card& card) {
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        const std::string found = card.send("8019000000");
        EXPECT_TRUE(found == "009000" || found == graph + "9000") << found;
        // Built again, and kept across one more restart.
        EXPECT_EQ(card.send("8019010300"),
                  "01"
                  "03030303"
                  "01"
                  "0303"
                  "05"
                  "9000");
        Card again(card.medium());
        ASSERT_EQ(again.select(kTearingInstanceAid), "53009000");
        EXPECT_EQ(again.send("8019000000"),
                  "01"
                  "03030303"
                  "01"
                  "0303"
                  "05"
                  "9000");
      });
}

TEST_F(JavaCardTearing, SingleWritesAreAtomic) {
  const Bytes start = base(true);
  tear_everywhere(
      start, true, [](Card& card) { card.send("8005000002"); },
      [&](Card& card) {
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        const std::string counter = card.send("8005000002");
        EXPECT_TRUE(counter == "00019000" || counter == "00029000") << counter;
      });
}

TEST_F(JavaCardTearing, InstallIsAllOrNothing) {
  const Bytes start = base(false);
  tear_everywhere(
      start, false,
      [](Card& card) { card.install(kTearingPackageAid, kTearingClassAid, kTearingInstanceAid, from_hex("A1A2A3")); },
      [&](Card& card) {
        if (card.vm().instances().empty()) {
          // Nothing of it: the package alone, and a fresh INSTALL works.
          for (const auto& [key, value] : card.store().committed()) {
            EXPECT_FALSE(key.starts_with("jc/i/")) << key;
          }
          card.install(kTearingPackageAid, kTearingClassAid, kTearingInstanceAid, from_hex("A1A2A3"));
        }
        ASSERT_EQ(card.select(kTearingInstanceAid), "53009000");
        EXPECT_EQ(card.send("8013000004"), "A1A2A3009000");
        EXPECT_EQ(card.send("8005000002"), "00019000");
      });
}

TEST_F(JavaCardTearing, LoadIsAllOrNothing) {
  Card empty;
  const Bytes start = *empty.medium();
  tear_everywhere(
      start, false, [](Card& card) { card.vm().load(tearing_package()); },
      [&](Card& card) {
        if (card.vm().packages().empty()) {
          for (const auto& [key, value] : card.store().committed()) EXPECT_FALSE(key.starts_with("jc/")) << key;
          card.vm().load(tearing_package());
        }
        card.install(kTearingPackageAid, kTearingClassAid, kTearingInstanceAid);
        EXPECT_EQ(card.select(kTearingInstanceAid), "53009000");
      });
}

}  // namespace
}  // namespace sefleet::card::javacard::test

// A Java applet (tests/card/javacard/applet) installed through the facade and driven with APDUs
// through the card runtime: APDU semantics, status words of uncaught exceptions, limits,
// transactions, transient memory, persistence across a reopened card.
#include <gtest/gtest.h>

#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kPackageAid = aid("F000000002");
const Bytes kClassAid = aid("F00000000201");
const Bytes kInstanceAid = aid("F0000000020101");

VmLimits limits() {
  VmLimits l;
  l.instruction_budget = 1'000'000;
  return l;
}

const Bytes kExtendedClassAid = aid("F00000000202");
const Bytes kExtendedAid = aid("F0000000020201");

LoadFile applet_package() {
  return load_file_of("applet", "com/sefleet/test/applet", kPackageAid,
                      {AppletDeclaration{"com/sefleet/test/applet/TestApplet", kClassAid},
                       AppletDeclaration{"com/sefleet/test/applet/ExtendedApplet", kExtendedClassAid}});
}

class JavaCardApplet : public ::testing::Test {
 protected:
  JavaCardApplet() : card_(nullptr, std::nullopt, limits()) {
    card_.vm().load(applet_package());
    card_.install(kPackageAid, kClassAid, kInstanceAid, from_hex("A1A2A3"));
    EXPECT_EQ(card_.select(kInstanceAid), "53009000");
  }

  Card card_;
};

TEST_F(JavaCardApplet, SelectAnswersFromProcessAndReselectionIsSeen) {
  EXPECT_EQ(card_.select(kInstanceAid), "53019000");
}

TEST_F(JavaCardApplet, EchoesShortAndEmptyData) {
  EXPECT_EQ(card_.send("8001000003AABBCC00"), "AABBCC9000");
  EXPECT_EQ(card_.send("8001000000"), "9000");
}

TEST_F(JavaCardApplet, DataFieldIsInTheBufferBeforeReceiving) {
  // As on a T=1 card: the applet reads Lc bytes at OFFSET_CDATA without setIncomingAndReceive().
  EXPECT_EQ(card_.send("801A000004C1C2C3C400"), "C1C2C3C49000");
  EXPECT_EQ(card_.send("801A0000FF" + std::string(510, 'A') + "00"), std::string(510, 'A') + "9000");
  // Receiving afterwards still delivers the same data.
  EXPECT_EQ(card_.send("8001000002E1E200"), "E1E29000");
}

TEST_F(JavaCardApplet, IsoExceptionBecomesTheStatusWord) {
  EXPECT_EQ(card_.send("80026A8800"), "6A88");
  EXPECT_EQ(card_.send("80029000"), "9000");
  EXPECT_EQ(card_.send("80FF0000"), "6D00");
}

TEST_F(JavaCardApplet, OtherExceptionsAnswer6F00AndTheCardKeepsWorking) {
  EXPECT_EQ(card_.send("80030000"), "6F00");
  EXPECT_EQ(card_.send("8001000001AA00"), "AA9000");
}

TEST_F(JavaCardApplet, EndlessLoopEndsWith6F00) {
  EXPECT_EQ(card_.send("80040000"), "6F00");
  EXPECT_EQ(card_.send("8001000001AB00"), "AB9000");
}

TEST_F(JavaCardApplet, DataSentBeforeAnIsoExceptionGoesWithItsStatus) {
  EXPECT_EQ(card_.send("800E000000"), "11226310");
}

TEST_F(JavaCardApplet, LongResponsesUseGetResponse) {
  // 200 bytes for Le=100: the first 100 with 61 64, the rest by GET RESPONSE.
  const std::string first = card_.send("800800C864");
  ASSERT_EQ(first.size(), 2 * 102u);
  EXPECT_EQ(first.substr(first.size() - 4), "6164");
  const std::string rest = card_.send("00C0000064");
  ASSERT_EQ(rest.size(), 2 * 102u);
  EXPECT_EQ(rest.substr(0, 2), "64");  // the pattern is k & 0xFF
  EXPECT_EQ(rest.substr(rest.size() - 4), "9000");
}

TEST_F(JavaCardApplet, OutgoingLengthAbove256NeedsExtendedLength) {
  EXPECT_EQ(card_.send("8008012C00"), "6F00");  // APDUException BAD_LENGTH, uncaught
}

TEST_F(JavaCardApplet, InstallParametersReachInstall) {
  EXPECT_EQ(card_.send("8013000004"), "A1A2A3009000");
}

TEST_F(JavaCardApplet, PersistentFieldSurvivesReopen) {
  EXPECT_EQ(card_.send("8005000002"), "00019000");
  EXPECT_EQ(card_.send("8005000002"), "00029000");
  Card reopened(card_.medium(), std::nullopt, limits());
  EXPECT_EQ(reopened.select(kInstanceAid), "53009000");
  EXPECT_EQ(reopened.send("8005000002"), "00039000");
}

TEST_F(JavaCardApplet, TransactionCommitKeepsEveryWrite) {
  EXPECT_EQ(card_.send("8006070000"), "070707070707070703E80507009000");
  EXPECT_EQ(card_.send("8011000000"), "070707070707070703E80507009000");
}

TEST_F(JavaCardApplet, TransactionAbortUndoesJournalledWritesOnly) {
  // The non-atomic fill of byte 200 stays; the array, the counter and the new object go.
  EXPECT_EQ(card_.send("8006090100"),
            "A1A2A30000000000000000"
            "09009000");
  Card reopened(card_.medium(), std::nullopt, limits());
  EXPECT_EQ(reopened.select(kInstanceAid), "53009000");
  EXPECT_EQ(reopened.send("8011000000"),
            "A1A2A30000000000000000"
            "09009000");
}

TEST_F(JavaCardApplet, TransactionLeftOpenIsAbortedAtTheEndOfTheCommand) {
  EXPECT_EQ(card_.send("8006050200"), "6301");
  EXPECT_EQ(card_.send("8011000000"),
            "A1A2A30000000000000000"
            "05009000");
  EXPECT_EQ(card_.send("80150000"), "9000");
  EXPECT_EQ(card_.send("8011000000"),
            "A1A2A30000000000000000"
            "05009000");
}

TEST_F(JavaCardApplet, CommitCapacityAndBufferFull) {
  // 16-byte journalled copies cost 16 + 8 bytes: 213 fit in 5120, the 214th throws BUFFER_FULL.
  EXPECT_EQ(card_.send("800C000000"), "140000D5000800039000");
}

TEST_F(JavaCardApplet, NonAtomicWritesSurviveAnAbort) {
  EXPECT_EQ(card_.send("8012330000"), "3333009000");
}

TEST_F(JavaCardApplet, TransientArraysClearOnDeselectAndReset) {
  EXPECT_EQ(card_.send("8007015A00"), "5A5A0102009000");
  EXPECT_EQ(card_.send("8007000000"), "5A5A0102009000");
  EXPECT_EQ(card_.select(kInstanceAid), "53019000");  // re-selection deselects first
  EXPECT_EQ(card_.send("8007000000"), "5A000102009000");
  card_.runtime().reset();
  EXPECT_EQ(card_.select(kInstanceAid), "53009000");
  EXPECT_EQ(card_.send("8007000000"), "00000102009000");
}

TEST_F(JavaCardApplet, OwnerPinTriesAndBlocking) {
  EXPECT_EQ(card_.send("800D0000043132333400"), "0103019000");
  EXPECT_EQ(card_.send("800D0000043131313100"), "0002009000");
  EXPECT_EQ(card_.send("800D0000043131313100"), "0001009000");
  EXPECT_EQ(card_.send("800D0000043132333400"), "0103019000");
  for (int i = 0; i < 3; ++i) card_.send("800D0000043131313100");
  EXPECT_EQ(card_.send("800D0000043132333400"), "0000009000");  // blocked
}

TEST_F(JavaCardApplet, AidObjectsOfTheJcre) {
  EXPECT_EQ(card_.send("800A000000"),
            "07F0000000020101010101"
            "9000");
}

TEST_F(JavaCardApplet, RequestedObjectDeletionFreesUnreachableObjects) {
  const std::string first = card_.send("8010000002");
  const std::string second = card_.send("8010000002");
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.substr(first.size() - 4), "9000");
}

TEST_F(JavaCardApplet, ApplicationLevelResponseChaining) {
  EXPECT_EQ(card_.send("8014000000"), "000102036106");
  EXPECT_EQ(card_.send("8014000000"), "040506076102");
  EXPECT_EQ(card_.send("8014000000"), "08099000");
}

TEST_F(JavaCardApplet, GetResponseReachesAnAppletThatChainsItself) {
  EXPECT_EQ(card_.send("8014000000"), "000102036106");
  EXPECT_EQ(card_.send("00C0000006"), "040506076102");
  EXPECT_EQ(card_.send("00C0000002"), "08099000");
}

TEST_F(JavaCardApplet, ExtendedLengthApplet) {
  card_.install(kPackageAid, kExtendedClassAid, kExtendedAid);
  EXPECT_EQ(card_.select(kExtendedAid), "9000");
  Bytes data(600);
  unsigned sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i * 13);
    sum += data[i];
  }
  // Case 4E with 600 bytes: received through the larger buffer at offset 7.
  Bytes command = from_hex("80010000000258");
  append(command, data);
  append(command, from_hex("0000"));
  const std::string sum_hex = to_hex(Bytes{static_cast<std::uint8_t>(sum >> 8), static_cast<std::uint8_t>(sum)});
  EXPECT_EQ(to_hex(card_.runtime().transmit(command)), "02580258" + sum_hex + "00077FFF9000");
  // Case 4S: offset 5.
  EXPECT_EQ(card_.send("8001000002FFFF00"), "0002000201FE00057FFF9000");
  // 1000 bytes out for Le 0000.
  const std::string long_answer = card_.send("800203E8000000");
  ASSERT_EQ(long_answer.size(), 2 * 1002u);
  EXPECT_EQ(long_answer.substr(0, 6), "00070E");
  EXPECT_EQ(long_answer.substr(long_answer.size() - 4), "9000");
}

TEST_F(JavaCardApplet, ExtendedCommandsNeedExtendedLength) {
  EXPECT_EQ(card_.send("80010000000003AABBCC0000"), "6700");
}

TEST_F(JavaCardApplet, FailedInstallLeavesNothing) {
  const auto before = card_.store().committed();
  const Bytes other = aid("F0000000020102");
  EXPECT_THROW(card_.vm().install(kPackageAid, kClassAid, other, from_hex("EE")), StatusWordError);
  EXPECT_EQ(card_.store().committed(), before);
  EXPECT_EQ(card_.vm().instances().size(), 1u);
  card_.install(kPackageAid, kClassAid, other, from_hex("01"));
  EXPECT_EQ(card_.vm().instances().size(), 2u);
}

TEST_F(JavaCardApplet, SelectReturningFalseAnswers6999) {
  const Bytes other = aid("F0000000020103");
  card_.install(kPackageAid, kClassAid, other, from_hex("FF"));
  EXPECT_EQ(card_.select(other), "6999");
}

}  // namespace
}  // namespace sefleet::card::javacard::test

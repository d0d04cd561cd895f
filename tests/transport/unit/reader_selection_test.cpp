#include "transport/reader_selection.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sefleet::transport {
namespace {

const std::vector<std::string> kReaders = {"Virtual PCD 00 00", "Virtual PCD 00 01",
                                           "Yubico YubiKey OTP+FIDO+CCID 01 00"};

void expect_error(const std::vector<std::string>& readers, const char* spec, Errc code, const char* fragment) {
  try {
    (void)select_reader(readers, spec);
    ADD_FAILURE() << "'" << spec << "' must not select a reader";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << spec;
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << spec << ": " << e.what();
  }
}

TEST(ReaderSelection, ExactNameWins) {
  EXPECT_EQ(select_reader(kReaders, "Virtual PCD 00 01"), "Virtual PCD 00 01");
}

TEST(ReaderSelection, DecimalIndexSelectsInListOrder) {
  EXPECT_EQ(select_reader(kReaders, "0"), "Virtual PCD 00 00");
  EXPECT_EQ(select_reader(kReaders, "2"), kReaders[2]);
  expect_error(kReaders, "3", Errc::not_found, "no PC/SC reader with index 3");
}

TEST(ReaderSelection, UniqueSubstringSelects) {
  EXPECT_EQ(select_reader(kReaders, "Yubi"), kReaders[2]);
  EXPECT_EQ(select_reader(kReaders, "00 01"), "Virtual PCD 00 01");
}

TEST(ReaderSelection, AmbiguousSubstringListsTheMatches) {
  expect_error(kReaders, "Virtual", Errc::invalid_argument,
               "matches 2 readers ('Virtual PCD 00 00', 'Virtual PCD 00 01')");
}

TEST(ReaderSelection, UnknownNameListsAvailableReaders) {
  expect_error(kReaders, "virtual pcd", Errc::not_found, "0 'Virtual PCD 00 00', 1 'Virtual PCD 00 01', 2 'Yubico");
  expect_error({}, "Virtual PCD 00 00", Errc::not_found, "available readers: (none)");
  expect_error({}, "0", Errc::not_found, "(none)");
}

TEST(ReaderSelection, ExactNumericNameBeatsIndex) {
  const std::vector<std::string> readers = {"A", "0"};
  EXPECT_EQ(select_reader(readers, "0"), "0");
  EXPECT_EQ(select_reader(readers, "1"), "0");
}

TEST(ReaderSelection, EmptySpecIsRefused) {
  expect_error(kReaders, "", Errc::invalid_argument, "empty reader name");
}

}  // namespace
}  // namespace sefleet::transport

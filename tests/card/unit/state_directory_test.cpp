// The card state directory: private modes on creation, refusal of a directory or state file that
// group or other users may access, and one process (one holder) per state, with the holder's PID in
// the refusal.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "card/state/state_directory.hpp"
#include "card/virtual_card.hpp"
#include "core/error.hpp"
#include "isd_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777u;
}

// Runs `call`, expects Error with `code`, returns its message.
template <typename F>
std::string refusal(F&& call, Errc code) {
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "not refused";
  return {};
}

TEST(CardStateDirectory, InitCreatesAPrivateDirectoryAndStateFile) {
  sefleet::test::TempDir work;
  const fs::path dir = work.path() / "fleet" / "se1";
  const mode_t old_umask = ::umask(0);  // the most permissive umask: the modes must not follow it
  VirtualCard::personalize(dir, test::test_profile());
  ::umask(old_umask);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(VirtualCard::state_file(dir)), 0600u);
  EXPECT_EQ(mode_of(dir / StateDirectory::kLockFileName), 0600u);
}

TEST(CardStateDirectory, OpenDirectoryOrStateFileForOthersIsRefusedWithTheFix) {
  sefleet::test::TempDir work;
  const fs::path dir = work.path() / "se";
  VirtualCard::personalize(dir, test::test_profile());

  fs::permissions(VirtualCard::state_file(dir),
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  std::string message = refusal([&] { VirtualCard::open(dir); }, Errc::io_error);
  EXPECT_NE(message.find("0644"), std::string::npos) << message;
  EXPECT_NE(message.find("chmod 600 " + VirtualCard::state_file(dir).string()), std::string::npos) << message;
  fs::permissions(VirtualCard::state_file(dir), fs::perms::owner_read | fs::perms::owner_write);

  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  message = refusal([&] { VirtualCard::open(dir); }, Errc::io_error);
  EXPECT_NE(message.find("chmod 700 " + dir.string()), std::string::npos) << message;
  // init into an existing directory that others can read is refused the same way
  message = refusal([&] { VirtualCard::personalize(work.path() / "se", test::test_profile()); }, Errc::io_error);
  EXPECT_NE(message.find("chmod 700"), std::string::npos) << message;
  fs::permissions(dir, fs::perms::owner_all);

  EXPECT_NO_THROW(VirtualCard::open(dir));
}

TEST(CardStateDirectory, MissingStateIsRefusedNamingCardInit) {
  sefleet::test::TempDir work;
  std::string message = refusal([&] { VirtualCard::open(work.path() / "nothing"); }, Errc::io_error);
  EXPECT_NE(message.find("sefleet card init"), std::string::npos) << message;
  message = refusal([&] { VirtualCard::open(work.path()); }, Errc::io_error);  // a private dir without card.nvm
  EXPECT_NE(message.find("no state file"), std::string::npos) << message;
}

TEST(CardStateDirectory, ASecondHolderIsRefusedAtOnceUntilTheFirstLetsGo) {
  sefleet::test::TempDir work;
  const fs::path dir = work.path() / "se";
  VirtualCard::personalize(dir, test::test_profile());
  {
    VirtualCard card = VirtualCard::open(dir);
    const std::string message = refusal([&] { VirtualCard::open(dir); }, Errc::state_error);
    EXPECT_NE(message.find("in use by process " + std::to_string(::getpid())), std::string::npos) << message;
    refusal([&] { StateDirectory::open(dir); }, Errc::state_error);
    VirtualCard moved = std::move(card);  // the lock moves with the card
    refusal([&] { StateDirectory::open(dir); }, Errc::state_error);
  }
  EXPECT_NO_THROW(VirtualCard::open(dir));
}

TEST(CardStateDirectory, AnotherProcessHoldingTheStateIsNamedByItsPid) {
  sefleet::test::TempDir work;
  const fs::path dir = work.path() / "se";
  VirtualCard::personalize(dir, test::test_profile());
  int ready[2];
  int release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child holds the directory until the parent writes to `release`.
    int status = 0;
    try {
      const StateDirectory held = StateDirectory::open(dir);
      char byte = 1;
      if (::write(ready[1], &byte, 1) != 1) status = 2;
      if (::read(release[0], &byte, 1) != 1) status = 3;
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  const std::string message = refusal([&] { VirtualCard::open(dir); }, Errc::state_error);
  EXPECT_NE(message.find("in use by process " + std::to_string(child)), std::string::npos) << message;
  ASSERT_EQ(::write(release[1], &byte, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
  EXPECT_NO_THROW(VirtualCard::open(dir));  // the holder is gone: its lock went with it
}

}  // namespace
}  // namespace sefleet::card

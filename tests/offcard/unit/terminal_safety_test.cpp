// What keeps a terminal from dying silently or leaking its token: a write to a closed connection under
// SigpipeGuard fails with EPIPE instead of killing the process (and, without the guard, it would kill
// it: checked in a child), and the token is read only from a file no one else can read, or from the
// environment.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "offcard/terminal/sigpipe_guard.hpp"
#include "offcard/terminal/token_file.hpp"
#include "support/temp_dir.hpp"

namespace sefleet {
namespace {

namespace term = offcard::terminal;

bool sigpipe_blocked() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

bool sigpipe_pending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

// A connected socket whose peer is already closed.
int orphan_socket() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return -1;
  ::close(pair[1]);
  return pair[0];
}

TEST(TerminalSigpipe, AWriteToAClosedConnectionFailsWithEpipeUnderTheGuard) {
  ASSERT_FALSE(sigpipe_blocked());
  const int fd = orphan_socket();
  ASSERT_GE(fd, 0);
  {
    const term::SigpipeGuard guard;
    EXPECT_TRUE(sigpipe_blocked());
    const char byte = 'x';
    EXPECT_EQ(::write(fd, &byte, 1), -1);  // plain write(2), as OpenSSL does: no MSG_NOSIGNAL
    EXPECT_EQ(errno, EPIPE);
  }
  EXPECT_FALSE(sigpipe_pending()) << "the guard took the SIGPIPE the write raised";
  EXPECT_FALSE(sigpipe_blocked()) << "the thread's mask is as before";
  ::close(fd);
}

TEST(TerminalSigpipe, WithoutTheGuardTheSameWriteKillsTheProcess) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGPIPE, SIG_DFL);
    const int fd = orphan_socket();
    const char byte = 'x';
    (void)::write(fd, &byte, 1);
    ::_exit(0);  // not reached: SIGPIPE ends the child first
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) << status;
}

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

TEST(TerminalToken, OnlyFromAPrivateFileOrTheEnvironment) {
  test::TempDir dir;
  const auto file = dir.path() / "terminal.token";
  write_file(file, "  sft_0123  \nsecond line\n", 0600);
  EXPECT_EQ(term::read_token_file(file), "sft_0123");

  write_file(file, "sft_0123\n", 0644);
  try {
    term::read_token_file(file);
    FAIL() << "a token file others can read was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("chmod 600 " + file.string()), std::string::npos) << e.what();
  }
  write_file(file, "\n", 0600);
  EXPECT_THROW(term::read_token_file(file), Error);
  EXPECT_THROW(term::read_token_file(dir.path() / "missing"), Error);

  ::setenv(term::kTokenEnvironmentVariable, "sft_from_env", 1);
  EXPECT_EQ(term::terminal_token(std::nullopt), "sft_from_env");
  write_file(file, "sft_from_file\n", 0600);
  EXPECT_EQ(term::terminal_token(file), "sft_from_file") << "the file wins over the environment";
  ::unsetenv(term::kTokenEnvironmentVariable);
  try {
    term::terminal_token(std::nullopt);
    FAIL() << "no token anywhere was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--token-file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SEFLEET_TOKEN"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sefleet

// The whole PC/SC path with real daemons: an isolated pcscd with the vpcd reader
// (tests/support/pcsc_sandbox.sh), VpcdCardLink serving a test card, and PcscChannel/PcscContext as the
// host, exactly as `sefleet card run --vpcd` and `sefleet apdu --reader` use them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "support/vectors.hpp"
#include "transport/integration/raw_socket.hpp"
#include "transport/pcsc_channel.hpp"
#include "transport/pcsc_context.hpp"
#include "transport/stop_signal.hpp"
#include "transport/unit/recording_card.hpp"
#include "transport/vpcd_card_link.hpp"

namespace sefleet::transport {
namespace {

using namespace std::chrono_literals;

// pcscd started through the sandbox library in a bash child that lives until its stdin closes.
class PcscSandbox {
 public:
  PcscSandbox() {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe");
    }
    const std::string script =
        "source '" + test::source_dir() +
        "/tests/support/pcsc_sandbox.sh' && trap pcsc_sandbox_stop EXIT && "
        "pcsc_sandbox_start && echo \"$PCSC_SANDBOX_PORT ${PCSCLITE_CSOCK_NAME:--}\" && read -r _";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      ::execl("/bin/bash", "bash", "-c", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_ = to_child[1];
    FILE* out = ::fdopen(from_child[0], "r");
    char line[4096] = {};
    const bool got = out != nullptr && std::fgets(line, sizeof line, out) != nullptr;
    if (out != nullptr) {
      std::fclose(out);
    }
    if (!got) {
      stop();
      throw std::runtime_error("pcsc_sandbox_start failed (see its messages on stderr)");
    }
    std::istringstream fields(line);
    std::string socket;
    fields >> port_ >> socket;
    // pcsc-lite reads the variable at its first call in this process: set it before any PC/SC use.
    if (socket == "-") {
      ::unsetenv("PCSCLITE_CSOCK_NAME");
    } else {
      ::setenv("PCSCLITE_CSOCK_NAME", socket.c_str(), 1);
    }
  }
  ~PcscSandbox() { stop(); }
  PcscSandbox(const PcscSandbox&) = delete;
  PcscSandbox& operator=(const PcscSandbox&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  void stop() {
    if (stdin_ >= 0) {
      ::close(stdin_);  // `read` sees EOF, the EXIT trap stops pcscd by PID
      stdin_ = -1;
    }
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::uint16_t port_ = 0;
};

const std::string kReader0 = "Virtual PCD 00 00";
const std::string kReader1 = "Virtual PCD 00 01";

class PcscVpcdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sandbox_ = new PcscSandbox(); }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  void start_card() {
    link_ = std::make_unique<VpcdCardLink>(card_, HostPort{"127.0.0.1", sandbox_->port()});
    loop_ = std::make_unique<test::LoopThread>([this] { link_->run(stop_); }, [this] { stop_.request(); });
  }
  // Stops the card and waits until pcscd has seen the removal (reference pitfall P3).
  void remove_card() {
    if (loop_) {
      EXPECT_EQ(loop_->join(), "");
      loop_.reset();
      EXPECT_TRUE(PcscContext().wait_for_card(kReader0, CardPresence::absent, 5s));
    }
  }
  void TearDown() override { remove_card(); }

  static PcscSandbox* sandbox_;
  test::RecordingCard card_;
  StopSignal stop_;
  std::unique_ptr<VpcdCardLink> link_;
  std::unique_ptr<test::LoopThread> loop_;
};

PcscSandbox* PcscVpcdTest::sandbox_ = nullptr;

TEST_F(PcscVpcdTest, ListsTheVpcdReadersAndResolvesNames) {
  const PcscContext context;
  const auto readers = context.readers();
  EXPECT_EQ(readers, (std::vector<std::string>{kReader0, kReader1}));
  EXPECT_EQ(context.resolve_reader("1"), kReader1);
  EXPECT_EQ(context.resolve_reader("00 00"), kReader0);
  try {
    (void)context.resolve_reader("Virtual");
    FAIL() << "an ambiguous name must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
  }
  EXPECT_FALSE(context.wait_for_card(kReader1, CardPresence::present, 0ms));
  EXPECT_THROW((void)context.wait_for_card("No Such Reader 00 00", CardPresence::present, 100ms), Error);
}

TEST_F(PcscVpcdTest, OpeningAnEmptyReaderFailsNamingIt) {
  try {
    (void)PcscChannel::open(kReader1, 100ms);
    FAIL() << "no card: open must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find(kReader1), std::string::npos) << e.what();
  }
}

TEST_F(PcscVpcdTest, ExchangesApdusAtrAndResetThroughPcscd) {
  start_card();
  auto channel = PcscChannel::open(kReader0, 10s);
  EXPECT_EQ(channel->description(), "pcsc:" + kReader0);
  EXPECT_TRUE(channel->uses_t1());  // vpcd reports T=1; the test ATR advertises it
  EXPECT_EQ(channel->atr(), test::RecordingCard::default_atr());
  EXPECT_EQ(channel->transmit(Bytes{0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00}), (Bytes{0x90, 0x00}));
  EXPECT_EQ(channel->transmit(Bytes{0x80, 0xCA, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03}),
            (Bytes{0x03, 0x01, 0x02, 0x03, 0x90, 0x00}));
  // The largest message vpcd carries: a 65535-byte extended case-3 APDU.
  Bytes big = {0x80, 0x10, 0x00, 0x00, 0x00, 0xFF, 0xF8};
  big.resize(0xFFFF, 0x77);
  const Bytes echoed = channel->transmit(big);
  ASSERT_EQ(echoed.size(), 0xFFFFU - 4 + 2);
  EXPECT_EQ(echoed[3], 0x77);
  EXPECT_EQ(channel->transmit(Bytes{0x80, 0xEE, 0x00, 0x00}), (Bytes{0x6F, 0x00}));  // card exception
  const auto resets = card_.count("reset");
  channel->reset();
  EXPECT_EQ(card_.count("reset"), resets + 1);
  EXPECT_EQ(channel->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  EXPECT_TRUE(card_.wait_for("after", 5));
}

TEST_F(PcscVpcdTest, CardRemovalIsReportedToTheHost) {
  start_card();
  auto channel = PcscChannel::open(kReader0, 10s);
  EXPECT_EQ(channel->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}), (Bytes{0x90, 0x00}));
  remove_card();
  try {
    (void)channel->transmit(Bytes{0x00, 0xA4, 0x04, 0x00});
    FAIL() << "transmit to a removed card must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find(kReader0), std::string::npos) << e.what();
  }
}

TEST_F(PcscVpcdTest, CardComesBackAfterVpcdDropsItForAnOversizedApdu) {
  start_card();
  {
    auto channel = PcscChannel::open(kReader0, 10s);
    Bytes too_big = {0x80, 0x10, 0x00, 0x00, 0x00, 0xFF, 0xF9};
    too_big.resize(0x10000, 0x11);
    EXPECT_THROW((void)channel->transmit(too_big), Error);
  }
  // vpcd closed the card's socket; the link reconnects and pcscd sees a card again.
  ASSERT_TRUE(test::eventually([&] { return link_->stats().connections >= 2; }, 5s));
  ASSERT_TRUE(test::eventually(
      [&] {
        try {
          auto channel = PcscChannel::open(kReader0, 2s);
          return channel->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}) == Bytes{0x90, 0x00};
        } catch (const Error&) {
          return false;  // pcscd may still hold the old card state until its next poll
        }
      },
      10s));
}

}  // namespace
}  // namespace sefleet::transport

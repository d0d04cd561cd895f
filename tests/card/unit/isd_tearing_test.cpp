// Power loss at every physical write of PUT KEY (SCP03 key set, SCP11 key pair), STORE DATA and SET STATUS: after
// reopening, the committed state is exactly the one before or exactly the one after the command, and the card still
// opens an SCP03 session (with the keys that state holds) and answers.
#include <gtest/gtest.h>

#include <functional>

#include "card/nvm/nvm_store.hpp"
#include "card/virtual_card.hpp"
#include "crypto/aes.hpp"
#include "crypto/p256.hpp"
#include "isd_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using State = std::map<std::string, Bytes, std::less<>>;

struct TornCommand {
  CommandApdu command;
  gp::StaticKeySet keys_after;  // the key set a new session uses once the command took effect
};

class IsdTearingTest : public ::testing::Test {
 protected:
  IsdTearingTest() { VirtualCard::personalize(base_.path(), test::test_profile()); }

  std::filesystem::path fresh_copy(const std::string& name) {
    const auto dir = work_.path() / name;
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);  // a state directory is private
    std::filesystem::copy_file(VirtualCard::state_file(base_.path()), VirtualCard::state_file(dir));
    return dir;
  }

  // Opens a session at level 03 and sends the command; returns the SW (6F00 when power was lost).
  static std::uint16_t run(VirtualCard& card, const CommandApdu& command) {
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    EXPECT_TRUE(session.open());
    const auto wrapped = session.host().wrap(command);
    return test::send(card.endpoint(), wrapped).sw;
  }

  static bool card_works(const std::filesystem::path& dir, const gp::StaticKeySet& keys) {
    VirtualCard card = VirtualCard::open(dir);
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), keys, 0x33);
    if (!session.open()) return false;
    return session.send_plain(CommandApdu(0x80, 0xCA, 0x00, 0xE0, {}, 256)).sw == 0x9000;
  }

  void check_every_write(const TornCommand& torn) {
    // A counting run learns the writes the session set-up makes and those the command makes.
    std::uint64_t setup_writes = 0;
    std::uint64_t command_writes = 0;
    State before;
    State after;
    {
      VirtualCard card = VirtualCard::open(fresh_copy("count"));
      card.endpoint().power_on();
      test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
      ASSERT_TRUE(session.open());
      setup_writes = card.physical_writes();
      before = card.store().committed();
      ASSERT_EQ(test::send(card.endpoint(), session.host().wrap(torn.command)).sw, 0x9000);
      command_writes = card.physical_writes() - setup_writes;
      after = card.store().committed();
    }
    EXPECT_TRUE(card_works(work_.path() / "count", torn.keys_after));  // the completed command's state works
    ASSERT_GT(command_writes, 0u);
    RecordProperty("command_writes", static_cast<int>(command_writes));
    ASSERT_NE(before, after);
    int saw_before = 0;
    int saw_after = 0;
    for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
      for (std::uint64_t n = 1; n <= command_writes; ++n) {
        SCOPED_TRACE("torn at command write " + std::to_string(n) + " keeping " + std::to_string(keep) + " bytes");
        const auto dir = fresh_copy("tear-" + std::to_string(keep) + "-" + std::to_string(n));
        {
          VirtualCardOptions options;
          options.tear_at_write = setup_writes + n;
          options.tear_keep_bytes = keep;
          VirtualCard card = VirtualCard::open(dir, options);
          EXPECT_EQ(run(card, torn.command), 0x6F00);  // power lost inside the command
        }
        const State recovered = nvm::NvmStore::open_file(VirtualCard::state_file(dir), false).committed();
        const bool is_before = recovered == before;
        const bool is_after = recovered == after;
        ASSERT_TRUE(is_before || is_after) << "state in between";
        (is_before ? saw_before : saw_after) += 1;
        EXPECT_TRUE(card_works(dir, is_after ? torn.keys_after : test::test_profile().scp03));
      }
    }
    // The last write is the commit point: power lost there may leave either; earlier ones leave "before".
    EXPECT_GT(saw_before, 0);
  }

  sefleet::test::TempDir base_;
  sefleet::test::TempDir work_;
};

TEST_F(IsdTearingTest, PutKeyReplacingTheKeySet) {
  const auto replacement = test::key_set(0x30, 0x21);
  check_every_write(
      {CommandApdu(0x80, 0xD8, 0x30, 0x81, test::put_key_data(replacement, test::test_profile().scp03.dek.view()), 256),
       replacement});
}

// An SCP11 key pair (PUT KEY of an ECC private key, as yubikit sends it, under the static Key-DEK):
// the card's first SCP11 key, written in one transaction.
TEST_F(IsdTearingTest, PutKeyOfAnScp11KeyPair) {
  const auto key = crypto::P256PrivateKey::generate();
  crypto::Aes dek(test::test_profile().scp03.dek.view());
  Bytes data{0x05, 0xB1, 0x20};
  append(data, dek.cbc_encrypt(Bytes(16, 0x00), key.scalar().view()));
  append(data, from_hex("F0010000"));
  check_every_write({CommandApdu(0x80, 0xD8, 0x00, 0x13, data, 256), test::test_profile().scp03});
}

TEST_F(IsdTearingTest, StoreData) {
  check_every_write({CommandApdu(0x80, 0xE2, 0x88, 0x00,
                                 from_hex("0101020A0B"
                                          "02020401020304")),
                     test::test_profile().scp03});
}

TEST_F(IsdTearingTest, SetStatus) {
  check_every_write({CommandApdu(0x80, 0xF0, 0x80, 0x07), test::test_profile().scp03});
}

}  // namespace
}  // namespace sefleet::card

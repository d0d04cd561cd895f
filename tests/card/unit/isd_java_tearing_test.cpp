// Power loss at every physical NVM write of LOAD, of INSTALL of a Java applet, and of DELETE of a
// Java instance and of a load file (0 and 7 bytes of the torn write reaching the file). LOAD and the
// load file's DELETE are one VM transaction: the reopened store is exactly before or after. INSTALL
// and DELETE of an instance take two commits (VM and ISD record): after reopening, VirtualCard::open
// has removed a half left alone, so the instance is either complete (it selects and its objects are
// as before or after) or gone (and its AID can be installed again).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/virtual_card.hpp"
#include "isd_java_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using State = std::map<std::string, Bytes, std::less<>>;
using Commands = std::vector<CommandApdu>;

class IsdJavaTearingTest : public ::testing::Test {
 protected:
  IsdJavaTearingTest() { VirtualCard::personalize(base_.path(), test::test_profile()); }

  // Runs `commands` in one session on the card in `dir`; every answer must be 9000.
  static void on_base(const std::filesystem::path& dir, const Commands& commands) {
    VirtualCard card = VirtualCard::open(dir);
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    ASSERT_TRUE(session.open());
    for (const auto& command : commands) ASSERT_EQ(session.send_plain(command).sw, 0x9000);
  }

  std::filesystem::path fresh_copy(const std::string& name) {
    const auto dir = work_.path() / name;
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);  // a state directory is private
    std::filesystem::copy_file(VirtualCard::state_file(base_.path()), VirtualCard::state_file(dir),
                               std::filesystem::copy_options::overwrite_existing);
    return dir;
  }

  // Sends `commands` in one session until one fails; the status word of the last one sent.
  static std::uint16_t run(VirtualCard& card, const Commands& commands) {
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    EXPECT_TRUE(session.open());
    std::uint16_t sw = 0x9000;
    for (const auto& command : commands) {
      sw = test::send(card.endpoint(), session.host().wrap(command)).sw;
      if (sw != 0x9000) break;  // level 03 has no R-MAC: the host needs nothing from the response
    }
    return sw;
  }

  // For each physical write of `commands`, with 0 and 7 bytes kept: cut power there, then call
  // `check(dir, state_before, state_after, torn_state)` on the card directory.
  using Check = std::function<void(const std::filesystem::path&, const State&, const State&, const State&)>;
  void tear_every_write(const Commands& commands, const Check& check) {
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
      for (const auto& command : commands) ASSERT_EQ(session.send_plain(command).sw, 0x9000);
      command_writes = card.physical_writes() - setup_writes;
      after = card.store().committed();
    }
    ASSERT_GT(command_writes, 0u);
    ASSERT_NE(before, after);
    for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
      for (std::uint64_t n = 1; n <= command_writes; ++n) {
        SCOPED_TRACE("torn at write " + std::to_string(n) + " of " + std::to_string(command_writes) + " keeping " +
                     std::to_string(keep) + " bytes");
        const auto dir = fresh_copy("tear-" + std::to_string(keep) + "-" + std::to_string(n));
        {
          VirtualCardOptions options;
          options.tear_at_write = setup_writes + n;
          options.tear_keep_bytes = keep;
          VirtualCard card = VirtualCard::open(dir, options);
          EXPECT_EQ(run(card, commands), 0x6F00);
          EXPECT_TRUE(card.power_lost());
        }
        const State torn = nvm::NvmStore::open_file(VirtualCard::state_file(dir), false).committed();
        check(dir, before, after, torn);
        if (HasFatalFailure()) return;
      }
    }
  }

  // The instance as a reopened card shows it: nullopt when absent (no record, no VM instance, SELECT
  // 6A82), else the counter value it answers next. The two halves always agree.
  static std::optional<Bytes> instance_next_count(const std::filesystem::path& dir) {
    VirtualCard card = VirtualCard::open(dir);
    card.endpoint().power_on();
    const auto in_vm = card.java_card().instances();
    const bool vm_half = std::ranges::find(in_vm, test::kGpInstance) != in_vm.end();
    const bool record = card.store().committed().count("reg/inst/" + to_hex(test::kGpInstance)) == 1;
    EXPECT_EQ(vm_half, record) << "one half of the instance without the other";
    const auto selected = test::select_aid(card.endpoint(), test::kGpInstance);
    if (!record) {
      EXPECT_EQ(selected.sw, 0x6A82);
      return std::nullopt;
    }
    EXPECT_EQ(selected.sw, 0x9000);
    return test::send(card.endpoint(), CommandApdu(0x80, test::kInsCount, 0, 0, {}, 256)).data;
  }

  // Installs the instance again (the AID is free) and checks it starts afresh.
  static void reinstall_works(const std::filesystem::path& dir) {
    VirtualCard card = VirtualCard::open(dir);
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    ASSERT_TRUE(session.open());
    ASSERT_EQ(session.send_plain(test::java_install(test::kGpPackage, test::kGpApplet, test::kGpInstance)).sw, 0x9000);
    ASSERT_EQ(test::select_aid(card.endpoint(), test::kGpInstance).sw, 0x9000);
    EXPECT_EQ(test::send(card.endpoint(), CommandApdu(0x80, test::kInsCount, 0, 0, {}, 256)).data, from_hex("0001"));
  }

  Commands load_gp() const {
    return test::load_sequence(javacard::encode_load_file(test::gp_package()), test::kGpPackage);
  }

  sefleet::test::TempDir base_;
  sefleet::test::TempDir work_;
};

TEST_F(IsdJavaTearingTest, Load) {
  int saw_before = 0;
  tear_every_write(load_gp(),
                   [&](const std::filesystem::path& dir, const State& before, const State& after, const State& torn) {
                     ASSERT_TRUE(torn == before || torn == after) << "state in between";
                     saw_before += torn == before ? 1 : 0;
                     VirtualCard card = VirtualCard::open(dir);
                     EXPECT_EQ(card.java_card().find_package(test::kGpPackage).has_value(), torn == after);
                     EXPECT_EQ(card.runtime().registry().find(test::kGpPackage) != nullptr, torn == after);
                   });
  EXPECT_GT(saw_before, 0);
}

TEST_F(IsdJavaTearingTest, InstallOfAJavaApplet) {
  on_base(base_.path(), load_gp());
  // The record's commit is INSTALL's last physical write, so a cut at any write leaves the instance
  // gone: a VM instance left alone (a cut in the record's transaction) is deleted at open.
  int saw_vm_half = 0;
  tear_every_write({test::java_install(test::kGpPackage, test::kGpApplet, test::kGpInstance, from_hex("0102"))},
                   [&](const std::filesystem::path& dir, const State& before, const State&, const State& torn) {
                     saw_vm_half += torn != before ? 1 : 0;
                     EXPECT_EQ(instance_next_count(dir), std::nullopt);
                     reinstall_works(dir);
                   });
  EXPECT_GT(saw_vm_half, 0);
}

TEST_F(IsdJavaTearingTest, DeleteOfAJavaInstance) {
  on_base(base_.path(), load_gp());
  on_base(base_.path(), {test::java_install(test::kGpPackage, test::kGpApplet, test::kGpInstance)});
  {  // the instance has counted once
    VirtualCard card = VirtualCard::open(base_.path());
    card.endpoint().power_on();
    ASSERT_EQ(test::select_aid(card.endpoint(), test::kGpInstance).sw, 0x9000);
    ASSERT_EQ(test::send(card.endpoint(), CommandApdu(0x80, test::kInsCount, 0, 0, {}, 256)).data, from_hex("0001"));
  }
  int saw_absent = 0;
  int saw_complete = 0;
  tear_every_write({gp::host::make_delete_aid(test::kGpInstance)},
                   [&](const std::filesystem::path& dir, const State&, const State&, const State&) {
                     const auto next = instance_next_count(dir);
                     if (!next) {
                       ++saw_absent;
                       reinstall_works(dir);
                     } else {
                       ++saw_complete;
                       EXPECT_EQ(*next, from_hex("0002"));
                     }
                   });
  EXPECT_GT(saw_absent, 0);
  EXPECT_GT(saw_complete, 0);
}

TEST_F(IsdJavaTearingTest, DeleteOfALoadFile) {
  on_base(base_.path(), load_gp());
  int saw_before = 0;
  tear_every_write({gp::host::make_delete_aid(test::kGpPackage)},
                   [&](const std::filesystem::path& dir, const State& before, const State& after, const State& torn) {
                     ASSERT_TRUE(torn == before || torn == after) << "state in between";
                     saw_before += torn == before ? 1 : 0;
                     VirtualCard card = VirtualCard::open(dir);
                     EXPECT_EQ(card.java_card().find_package(test::kGpPackage).has_value(), torn == before);
                   });
  EXPECT_GT(saw_before, 0);
}

}  // namespace
}  // namespace sefleet::card

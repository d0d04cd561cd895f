// Power loss at every physical write of INSTALL and of DELETE of an instance: after reopening, the
// card holds either no instance or a complete one that selects and answers with its data. INSTALL is
// one transaction: exactly before or after. DELETE is two: the record's erasure (the commit point:
// the instance is gone), then the runtime's erasure of the instance's own objects; a power loss
// between them leaves those objects orphaned (no instance uses them) until an INSTALL of the same AID
// erases them, which the DELETE test checks too.
#include <gtest/gtest.h>

#include <functional>

#include "card/applets/counter_applet.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/deferred_queue.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/virtual_card.hpp"
#include "isd_install_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using State = std::map<std::string, Bytes, std::less<>>;

class IsdInstallTearingTest : public ::testing::Test {
 protected:
  IsdInstallTearingTest() { VirtualCard::personalize(base_.path(), test::test_profile()); }

  // Installs the counter (start value 7) and increments it once, on the base card.
  void base_with_instance() {
    VirtualCard card = VirtualCard::open(base_.path());
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    ASSERT_TRUE(session.open());
    ASSERT_EQ(session.send_plain(test::install_command(test::kInstance, true, from_hex("00000007"))).sw, 0x9000);
    ASSERT_EQ(test::select_aid(card.endpoint(), test::kInstance).sw, 0x9000);
    ASSERT_EQ(test::send(card.endpoint(), CommandApdu(0x80, applets::kCounterInsIncrement, 0, 0, {}, 256)).sw, 0x9000);
  }

  std::filesystem::path fresh_copy(const std::string& name) {
    const auto dir = work_.path() / name;
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);  // a state directory is private
    std::filesystem::copy_file(VirtualCard::state_file(base_.path()), VirtualCard::state_file(dir));
    return dir;
  }

  static std::uint16_t run(VirtualCard& card, const CommandApdu& command) {
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
    EXPECT_TRUE(session.open());
    return test::send(card.endpoint(), session.host().wrap(command)).sw;
  }

  // The instance as a reopened card shows it: nullopt when SELECT finds nothing, else its counter.
  static std::optional<Bytes> instance_counter(const std::filesystem::path& dir) {
    VirtualCard card = VirtualCard::open(dir);
    card.endpoint().power_on();
    const auto selected = test::select_aid(card.endpoint(), test::kInstance);
    if (selected.sw == 0x6A82) return std::nullopt;
    EXPECT_EQ(selected.sw, 0x9000);
    const auto read = test::send(card.endpoint(), CommandApdu(0x80, applets::kCounterInsRead, 0, 0, {}, 256));
    EXPECT_EQ(read.sw, 0x9000);
    return read.data;
  }

  // `state` without the instance's own runtime objects (persistent objects, deferred records).
  static State without_orphans(State state) {
    const std::string objects = PersistentMemory::namespace_prefix(test::kInstance);
    const std::string records = std::string(kDeferredRecordPrefix) + to_hex(test::kInstance) + "/";
    std::erase_if(state, [&](const auto& object) {
      return object.first.starts_with(objects) || object.first.starts_with(records);
    });
    return state;
  }

  // Tears every write of `command`; `before` / `after` are what the instance looks like then.
  void check_every_write(const CommandApdu& command, const std::optional<Bytes>& before_counter,
                         const std::optional<Bytes>& after_counter) {
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
      ASSERT_EQ(test::send(card.endpoint(), session.host().wrap(command)).sw, 0x9000);
      command_writes = card.physical_writes() - setup_writes;
      after = card.store().committed();
    }
    EXPECT_EQ(instance_counter(work_.path() / "count"), after_counter);
    ASSERT_GT(command_writes, 0u);
    ASSERT_NE(before, after);
    int saw_before = 0;
    for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
      for (std::uint64_t n = 1; n <= command_writes; ++n) {
        SCOPED_TRACE("torn at command write " + std::to_string(n) + " keeping " + std::to_string(keep) + " bytes");
        const auto dir = fresh_copy("tear-" + std::to_string(keep) + "-" + std::to_string(n));
        {
          VirtualCardOptions options;
          options.tear_at_write = setup_writes + n;
          options.tear_keep_bytes = keep;
          VirtualCard card = VirtualCard::open(dir, options);
          EXPECT_EQ(run(card, command), 0x6F00);
        }
        const State recovered = nvm::NvmStore::open_file(VirtualCard::state_file(dir), false).committed();
        const bool is_before = recovered == before;
        const bool is_after = recovered == after;
        // DELETE only: the record is gone, the instance's objects not yet (they are orphans).
        const bool is_orphaned = !after_counter && !is_before && !is_after && without_orphans(recovered) == after;
        ASSERT_TRUE(is_before || is_after || is_orphaned) << "state in between";
        saw_before += is_before ? 1 : 0;
        EXPECT_EQ(instance_counter(dir), is_before ? before_counter : after_counter);
        if (is_orphaned) {
          // A new instance with the AID does not inherit them: INSTALL erases them in its transaction.
          VirtualCard card = VirtualCard::open(dir);
          card.endpoint().power_on();
          test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x03);
          ASSERT_TRUE(session.open());
          ASSERT_EQ(session.send_plain(test::install_command(test::kInstance)).sw, 0x9000);
          EXPECT_EQ(without_orphans(card.store().committed()), card.store().committed());
          ASSERT_EQ(test::select_aid(card.endpoint(), test::kInstance).sw, 0x9000);
          EXPECT_EQ(test::send(card.endpoint(), CommandApdu(0x80, applets::kCounterInsRead, 0, 0, {}, 256)).data,
                    from_hex("00000000"));
        }
      }
    }
    EXPECT_GT(saw_before, 0);
  }

  sefleet::test::TempDir base_;
  sefleet::test::TempDir work_;
};

TEST_F(IsdInstallTearingTest, Install) {
  check_every_write(test::install_command(test::kInstance, true, from_hex("00000042")), std::nullopt,
                    from_hex("00000042"));
}

TEST_F(IsdInstallTearingTest, DeleteOfAnInstanceWithData) {
  base_with_instance();
  check_every_write(gp::host::make_delete_aid(test::kInstance), from_hex("00000008"), std::nullopt);
}

}  // namespace
}  // namespace sefleet::card

// INSTALL [for load] and LOAD of Java Card load files through the real runtime and ISD (docs/isd.md
// "Java Card content"): loading in one session with every block size, GET STATUS P1 20/10 beside the
// ROM load file, persistence across reopening, every refusal with nothing stored, the sequence bound
// to its session and channel, DELETE of load files and the link between packages.
#include <gtest/gtest.h>

#include <algorithm>

#include "card/javacard/java_card_vm.hpp"
#include "crypto/hash.hpp"
#include "gp/host/get_status.hpp"
#include "isd_java_test_support.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using test::JavaContentTest;

class IsdJavaLoadTest : public JavaContentTest {
 protected:
  Bytes gp_file() { return javacard::encode_load_file(test::gp_package()); }
  std::vector<gp::host::RegistryEntry> status(gp::host::StatusScope scope) {
    test::HostSession s = session(0x01);
    const auto response = s.send_plain(gp::host::make_get_status(scope));
    EXPECT_EQ(response.sw, 0x9000);
    return gp::host::parse_get_status(scope, response.data);
  }
  const gp::host::RegistryEntry* find(const std::vector<gp::host::RegistryEntry>& entries, const Bytes& aid) {
    const auto it = std::ranges::find(entries, aid, &gp::host::RegistryEntry::aid);
    return it == entries.end() ? nullptr : &*it;
  }
  // Nothing of a load file stored: no VM package, no registry entry, the VM's objects unchanged.
  void expect_nothing_loaded(const std::vector<std::string>& objects_before) {
    EXPECT_FALSE(card().java_card().find_package(test::kGpPackage));
    EXPECT_EQ(card().runtime().registry().find(test::kGpPackage), nullptr);
    EXPECT_EQ(java_objects(), objects_before);
  }
  // INSTALL [for load] of the gp package, then `blocks` (each answered with the status word expected).
  void refused_sequence(const std::vector<std::pair<CommandApdu, std::uint16_t>>& blocks) {
    const auto before = java_objects();
    test::HostSession s = session();
    gp::host::InstallForLoadRequest request;
    request.load_file_aid = test::kGpPackage;
    ASSERT_EQ(s.send_plain(gp::host::make_install_for_load(request)).sw, 0x9000);
    for (const auto& [command, sw] : blocks) EXPECT_EQ(s.send_plain(command).sw, sw);
    expect_nothing_loaded(before);
  }
};

CommandApdu load_block(std::uint8_t p1, std::uint8_t number, Bytes data) {
  return CommandApdu(0x80, 0xE8, p1, number, std::move(data), 256);
}

TEST_F(IsdJavaLoadTest, LoadListsThePackageBesideTheRomLoadFile) {
  load_gp();
  const auto load_files = status(gp::host::StatusScope::load_files);
  const auto* rom = find(load_files, test::kLoadFile);
  ASSERT_NE(rom, nullptr);
  const auto* java = find(load_files, test::kGpPackage);
  ASSERT_NE(java, nullptr);
  EXPECT_EQ(java->life_cycle, 0x01);  // LOADED
  EXPECT_EQ(java->load_file_version, from_hex("0100"));
  EXPECT_EQ(java->associated_sd_aid, from_hex("A000000151000000"));
  EXPECT_TRUE(java->modules.empty());  // P1 20: no modules
  const auto with_modules = status(gp::host::StatusScope::load_files_and_modules);
  ASSERT_NE(find(with_modules, test::kGpPackage), nullptr);
  EXPECT_EQ(find(with_modules, test::kGpPackage)->modules, std::vector<Bytes>{test::kGpApplet});
  EXPECT_EQ(find(with_modules, test::kLoadFile)->modules, std::vector<Bytes>{test::kModule});

  reopen();
  EXPECT_NE(find(status(gp::host::StatusScope::load_files_and_modules), test::kGpPackage), nullptr);
  ASSERT_TRUE(card().java_card().find_package(test::kGpPackage));
  EXPECT_EQ(card().java_card().find_package(test::kGpPackage)->name, "org/sefleet/test/gp");
}

TEST_F(IsdJavaLoadTest, EveryBlockSizeAndTheHashOfInstallForLoad) {
  const Bytes file = gp_file();
  // 1-byte blocks: more than 256 blocks, so the block number wraps from FF to 00.
  ASSERT_GT(file.size(), 300u);
  for (const std::size_t block_size : {std::size_t{1}, std::size_t{16}, std::size_t{100}, std::size_t{239}}) {
    SCOPED_TRACE("block size " + std::to_string(block_size));
    load(file, test::kGpPackage, block_size);
    ASSERT_TRUE(card().java_card().find_package(test::kGpPackage));
    ASSERT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage)).sw, 0x9000);
    EXPECT_FALSE(card().java_card().find_package(test::kGpPackage));
    EXPECT_EQ(card().runtime().registry().find(test::kGpPackage), nullptr);
  }
  const crypto::Digest256 digest = crypto::sha256(file);
  for (std::uint16_t sw : run(test::load_sequence(file, test::kGpPackage, 239, Bytes(digest.begin(), digest.end())))) {
    EXPECT_EQ(sw, 0x9000);
  }
  ASSERT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage)).sw, 0x9000);
  Bytes wrong(digest.begin(), digest.end());
  wrong[0] ^= 1;
  const auto before = java_objects();
  const auto sws = run(test::load_sequence(file, test::kGpPackage, 239, wrong));
  EXPECT_EQ(sws.back(), 0x6A80);  // the last block: the load file does not match the hash
  expect_nothing_loaded(before);
}

TEST_F(IsdJavaLoadTest, InstallForLoadRefusals) {
  auto for_load = [](const std::string& hex_data) {
    return CommandApdu(0x80, 0xE6, 0x02, 0x00, from_hex(hex_data), 256);
  };
  const std::string aid = "06F053464A4301";
  EXPECT_EQ(managed(for_load(aid + "00000000")).sw, 0x9000);
  EXPECT_EQ(managed(for_load(aid + "08A000000151000000000000")).sw, 0x9000);  // the ISD named
  EXPECT_EQ(managed(for_load("04F0534600"
                             "00000000"))
                .sw,
            0x6A80);                                                          // AID of 4 bytes
  EXPECT_EQ(managed(for_load(aid + "08A000000151000001000000")).sw, 0x6A88);  // no such SD
  EXPECT_EQ(managed(for_load(aid + "02A000"
                                   "000000"))
                .sw,
            0x6A80);  // SD AID of 2 bytes
  EXPECT_EQ(managed(for_load(aid +
                             "00"
                             "14" +
                             std::string(40, '0') + "0000"))
                .sw,
            0x6A80);  // SHA-1 size hash
  EXPECT_EQ(managed(for_load(aid + "0000"
                                   "04C6020100"
                                   "00"))
                .sw,
            0x6A80);  // not EF
  EXPECT_EQ(managed(for_load(aid + "0000"
                                   "06EF04C6020100"
                                   "00"))
                .sw,
            0x9000);  // EF system parameters
  EXPECT_EQ(managed(for_load(aid + "000000"
                                   "0101"))
                .sw,
            0x6A80);  // a token
  EXPECT_EQ(managed(for_load(aid + "00000000"
                                   "00"))
                .sw,
            0x6A80);                                      // trailing byte
  EXPECT_EQ(managed(for_load(aid + "0000")).sw, 0x6A80);  // missing fields
  EXPECT_EQ(managed(for_load("05F053460001"
                             "00000000"))
                .sw,
            0x6985);  // the ROM load file
  EXPECT_EQ(managed(for_load("08A000000151000000"
                             "00000000"))
                .sw,
            0x6985);                                                                                    // the ISD
  EXPECT_EQ(managed(CommandApdu(0x80, 0xE6, 0x02, 0x01, from_hex(aid + "00000000"), 256)).sw, 0x6A86);  // P2
  EXPECT_EQ(managed(CommandApdu(0x80, 0xE6, 0x02, 0x00, {}, 256)).sw, 0x6700);
  // Without a secure channel, or below C-MAC.
  ASSERT_EQ(test::select_isd(endpoint()).sw, 0x9000);
  EXPECT_EQ(test::send(endpoint(), for_load(aid + "00000000")).sw, 0x6982);
  EXPECT_EQ(managed(for_load(aid + "00000000"), 0x00).sw, 0x6982);
  load_gp();
  EXPECT_EQ(managed(for_load(aid + "00000000")).sw, 0x6985);  // loaded already
}

TEST_F(IsdJavaLoadTest, LoadRefusalsEndTheSequenceAndStoreNothing) {
  const Bytes block = gp::host::load_file_data_block(gp_file());
  const Bytes first(block.begin(), block.begin() + 100);
  const Bytes rest(block.begin() + 100, block.end());
  // LOAD without INSTALL [for load] in the session.
  EXPECT_EQ(managed(load_block(0x80, 0x00, block)).sw, 0x6985);
  // Out of sequence, then the sequence is over.
  refused_sequence({{load_block(0x00, 0x01, first), 0x6A86}, {load_block(0x00, 0x00, first), 0x6985}});
  refused_sequence({{load_block(0x00, 0x00, first), 0x9000}, {load_block(0x80, 0x00, rest), 0x6A86}});
  refused_sequence({{load_block(0x01, 0x00, first), 0x6A86}});
  refused_sequence({{load_block(0x00, 0x00, {}), 0x6700}});
  // Data that is not one C4 load file data block.
  refused_sequence({{load_block(0x80, 0x00, from_hex("E2 03 010203")), 0x6A80}});  // a DAP block
  refused_sequence({{load_block(0x80, 0x00, from_hex("C3 02 0102")), 0x6A80}});
  refused_sequence({{load_block(0x80, 0x00, from_hex("C4 84 00000001 00")), 0x6A80}});
  refused_sequence({{load_block(0x80, 0x00, from_hex("C4 83 200000")), 0x6A84}});  // more than 1 MiB
  Bytes longer = block;
  longer.push_back(0x00);
  refused_sequence({{load_block(0x80, 0x00, longer), 0x6A80}});  // a byte after the data block
  refused_sequence({{load_block(0x80, 0x00, first), 0x6A80}});   // the last block ends early
  refused_sequence({{load_block(0x80, 0x00, from_hex("C4")), 0x6A80}});
  // A load file the card refuses: damaged, or for another AID.
  Bytes damaged = gp_file();
  damaged[damaged.size() / 2] ^= 0x01;
  refused_sequence({{load_block(0x80, 0x00, gp::host::load_file_data_block(damaged)), 0x6A80}});
  javacard::LoadFile other = test::gp_package();
  other.package_aid = from_hex("F053464A4399");
  refused_sequence(
      {{load_block(0x80, 0x00, gp::host::load_file_data_block(javacard::encode_load_file(other))), 0x6A80}});
  // Class files the VM refuses (not a class file).
  javacard::LoadFile broken = test::gp_package();
  broken.classes[0].bytes = from_hex("CAFEBABE00000034");
  refused_sequence(
      {{load_block(0x80, 0x00, gp::host::load_file_data_block(javacard::encode_load_file(broken))), 0x6A80}});
  // After all that, the whole file loads.
  load_gp();
  EXPECT_TRUE(card().java_card().find_package(test::kGpPackage));
}

TEST_F(IsdJavaLoadTest, TheSequenceBelongsToItsSessionAndChannel) {
  const auto commands = test::load_sequence(gp_file(), test::kGpPackage);
  const auto before = java_objects();
  {
    test::HostSession first = session();
    ASSERT_EQ(first.send_plain(commands[0]).sw, 0x9000);
    ASSERT_EQ(first.send_plain(commands[1]).sw, 0x9000);
  }
  // A new session on the same channel (INITIALIZE UPDATE ends the first): the blocks are refused.
  test::HostSession second = session();
  EXPECT_EQ(second.send_plain(commands[2]).sw, 0x6985);
  // Another channel's session cannot continue a sequence either.
  ASSERT_EQ(second.send_plain(commands[0]).sw, 0x9000);
  ASSERT_EQ(test::send(endpoint(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // MANAGE CHANNEL open 1
  test::HostSession other_channel = session(0x03, 1);
  EXPECT_EQ(other_channel.send_plain(commands[1]).sw, 0x6985);
  // The first channel's sequence is intact: it completes.
  for (std::size_t i = 1; i < commands.size(); ++i) ASSERT_EQ(second.send_plain(commands[i]).sw, 0x9000) << i;
  EXPECT_TRUE(card().java_card().find_package(test::kGpPackage));
  EXPECT_NE(java_objects(), before);
}

TEST_F(IsdJavaLoadTest, ModuleAndPackageNamesAreUniqueOnTheCard) {
  load_gp();
  // Same applet AID in a package with another AID: 6985 at the last block.
  javacard::LoadFile clash = test::gp_package();
  clash.package_aid = from_hex("F053464A4399");
  const auto sws = run(test::load_sequence(javacard::encode_load_file(clash), clash.package_aid));
  EXPECT_EQ(sws.back(), 0x6985);
  // Same package name under another AID and applet AID: the VM refuses (6985).
  clash.applets[0].aid = from_hex("F053464A439901");
  EXPECT_EQ(run(test::load_sequence(javacard::encode_load_file(clash), clash.package_aid)).back(), 0x6985);
  EXPECT_FALSE(card().java_card().find_package(clash.package_aid));
}

TEST_F(IsdJavaLoadTest, PackagesLinkToLoadedLibrariesAndDeletionRespectsIt) {
  const Bytes user = javacard::encode_load_file(test::user_package());
  EXPECT_EQ(run(test::load_sequence(user, test::kUserPackage)).back(), 0x6A80);  // the library is not on the card
  load(javacard::encode_load_file(test::lib_package()), test::kLibPackage);
  load(user, test::kUserPackage);
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kLibPackage)).sw, 0x6985);  // gpuser links to it
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kLibPackage, true)).sw, 0x6985);
  ASSERT_EQ(managed(test::java_install(test::kUserPackage, test::kUserApplet, test::kUserApplet)).sw, 0x9000);
  ASSERT_EQ(select(test::kUserApplet).sw, 0x9000);
  EXPECT_EQ(command(0x30).data, from_hex("002A"));
  ASSERT_EQ(select(from_hex("A000000151000000")).sw, 0x9000);
  ASSERT_EQ(managed(gp::host::make_delete_aid(test::kUserPackage, true)).sw, 0x9000);
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kLibPackage)).sw, 0x9000);
  EXPECT_TRUE(card().java_card().packages().empty());
  EXPECT_TRUE(java_objects().empty() || std::ranges::none_of(java_objects(), [](const std::string& name) {
                return name.starts_with("jc/p/") || name.starts_with("jc/i/");
              }));
}

TEST_F(IsdJavaLoadTest, DeleteOfLoadFiles) {
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kLoadFile)).sw, 0x6985);   // ROM
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage)).sw, 0x6A88);  // not loaded
  load_gp();
  ASSERT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage)).sw, 0x9000);
  EXPECT_EQ(card().runtime().registry().find(test::kGpPackage), nullptr);
  reopen();
  EXPECT_FALSE(card().java_card().find_package(test::kGpPackage));
  EXPECT_EQ(card().runtime().registry().find(test::kGpPackage), nullptr);
}

TEST_F(IsdJavaLoadTest, LockedCardRefusesLoading) {
  const auto commands = test::load_sequence(gp_file(), test::kGpPackage);
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x07)).sw, 0x9000);  // INITIALIZED
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x0F)).sw, 0x9000);  // SECURED
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x7F)).sw, 0x9000);  // CARD_LOCKED
  EXPECT_EQ(run({commands[0]})[0], 0x6985);
  EXPECT_EQ(run({commands[1]})[0], 0x6985);
}

}  // namespace
}  // namespace sefleet::card

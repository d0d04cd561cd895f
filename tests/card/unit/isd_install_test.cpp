// INSTALL, DELETE and SET STATUS of applet instances through the card runtime (VirtualCard) with a
// gp::Scp03Host as the off-card entity: the counter applet of the built-in catalog installed, made
// selectable, selected and talked to; every refusal, with nothing recorded afterwards; persistence
// across reopen.
#include <gtest/gtest.h>

#include "card/applets/catalog.hpp"
#include "card/applets/counter_applet.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/state/applet_instances.hpp"
#include "isd_install_test_support.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using test::install_command;
using test::instance_records;
using test::kInstance;
using test::kLoadFile;
using test::kModule;
using test::send;
namespace counter = applets;

class IsdInstallTest : public test::InstallCardTest {};

TEST_F(IsdInstallTest, InstallAndMakeSelectableThenTalkToTheApplet) {
  const auto rsp = managed(install_command(kInstance));
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, Bytes{0x00});

  const auto fci = select(kInstance);
  ASSERT_EQ(fci.sw, 0x9000);
  EXPECT_EQ(iso7816::parse_tlv(fci.data).child(0x84).value(), kInstance);
  EXPECT_EQ(counter(counter::kCounterInsEcho, from_hex("0102030405")).data, from_hex("0102030405"));
  EXPECT_EQ(counter(counter::kCounterInsRead).data, from_hex("00000000"));
  EXPECT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000001"));
  EXPECT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000002"));
  EXPECT_EQ(counter(counter::kCounterInsRead).data, from_hex("00000002"));
  // The applet's own refusals.
  EXPECT_EQ(counter(0x30).sw, 0x6D00);
  EXPECT_EQ(counter(counter::kCounterInsRead, from_hex("01")).sw, 0x6700);
  EXPECT_EQ(send(endpoint(), CommandApdu(0x00, counter::kCounterInsRead, 0x00, 0x00, {}, 256)).sw, 0x6E00);
  EXPECT_EQ(send(endpoint(), CommandApdu(0x80, counter::kCounterInsRead, 0x01, 0x00, {}, 256)).sw, 0x6A86);

  // GET STATUS lists the instance: SELECTABLE, no privileges, its load file, associated with the ISD.
  auto s = session(0x03);
  const auto status = s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x02, from_hex("4F00"), 256));
  ASSERT_EQ(status.sw, 0x9000);
  const auto e3 = iso7816::parse_tlv(status.data);
  EXPECT_EQ(e3.child(0x4F).value(), kInstance);
  EXPECT_EQ(e3.child(0x9F70).value(), Bytes{0x07});
  EXPECT_EQ(e3.child(0xC5).value(), from_hex("000000"));
  EXPECT_EQ(e3.child(0xC4).value(), kLoadFile);
  EXPECT_EQ(e3.child(0xCC).value(), from_hex("A000000151000000"));
}

TEST_F(IsdInstallTest, ForInstallThenForMakeSelectable) {
  ASSERT_EQ(managed(install_command(kInstance, false)).sw, 0x9000);
  EXPECT_EQ(select(kInstance).sw, 0x6A82);  // INSTALLED is not selectable
  EXPECT_EQ(card().state().life_cycle(), 0x01);
  EXPECT_EQ(managed(gp::host::make_install_for_make_selectable(from_hex("F0534600010199"))).sw, 0x6A88);
  EXPECT_EQ(managed(gp::host::make_install_for_make_selectable(kInstance, Bytes{0x04})).sw, 0x6A80);
  const auto rsp = managed(gp::host::make_install_for_make_selectable(kInstance));
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, Bytes{0x00});
  EXPECT_EQ(managed(gp::host::make_install_for_make_selectable(kInstance)).sw, 0x6985);  // already SELECTABLE
  ASSERT_EQ(select(kInstance).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000001"));
  // [for make selectable] with a load file or parameters is malformed.
  auto with_load_file = gp::host::make_install_for_make_selectable(kInstance);
  with_load_file.data[0] = 0x05;
  with_load_file.data.insert(with_load_file.data.begin() + 1, kLoadFile.begin(), kLoadFile.end());
  EXPECT_EQ(managed(with_load_file).sw, 0x6A80);
}

TEST_F(IsdInstallTest, InstallParametersGiveTheStartValue) {
  ASSERT_EQ(managed(install_command(kInstance, true, from_hex("00000010"))).sw, 0x9000);
  ASSERT_EQ(select(kInstance).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000011"));
  // FFFFFFFF never wraps.
  const Bytes second = from_hex("F0534600010102");
  ASSERT_EQ(managed(install_command(second, true, from_hex("FFFFFFFF"))).sw, 0x9000);
  ASSERT_EQ(select(second).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsIncrement).sw, 0x6985);
  EXPECT_EQ(counter(counter::kCounterInsRead).data, from_hex("FFFFFFFF"));
}

TEST_F(IsdInstallTest, RefusalsLeaveNothingInstalled) {
  const Bytes other = from_hex("F0534600010102");
  struct Case {
    const char* what;
    CommandApdu command;
    std::uint16_t sw;
  };
  // The six length-prefixed fields, spelled out (hex).
  auto lv = [](const char* hex) {
    Bytes value = from_hex(hex);
    Bytes out{static_cast<std::uint8_t>(value.size())};
    append(out, value);
    return out;
  };
  auto fields = [&](const char* load_file, const char* module, const char* app, const char* privileges,
                    const char* parameters, const char* token) {
    Bytes out;
    for (const char* field : {load_file, module, app, privileges, parameters, token}) append(out, lv(field));
    return out;
  };
  auto raw = [](std::uint8_t p1, std::uint8_t p2, Bytes data) {
    return CommandApdu(0x80, 0xE6, p1, p2, std::move(data), 256);
  };
  const Bytes good = fields("F053460001", "F05346000101", "F0534600010102", "00", "C900", "");
  Bytes trailing = good;
  trailing.push_back(0x00);
  Bytes truncated = good;
  truncated.resize(15);
  const std::vector<Case> cases{
      {"unknown load file", raw(0x0C, 0x00, fields("F053460009", "F05346000101", "F0534600010102", "00", "C900", "")),
       0x6A88},
      {"unknown module", raw(0x0C, 0x00, fields("F053460001", "F05346000109", "F0534600010102", "00", "C900", "")),
       0x6A88},
      {"privileges granted", install_command(other, true, {}, Bytes{0x04}), 0x6A80},
      {"security domain privilege", install_command(other, true, {}, from_hex("800000")), 0x6A80},
      {"privileges of 2 bytes",
       raw(0x0C, 0x00, fields("F053460001", "F05346000101", "F0534600010102", "0000", "C900", "")), 0x6A80},
      {"bad install parameters", install_command(other, true, from_hex("010203")), 0x6A80},
      {"parameters not C9", raw(0x0C, 0x00, fields("F053460001", "F05346000101", "F0534600010102", "00", "EF00", "")),
       0x6A80},
      {"C9 and more", raw(0x0C, 0x00, fields("F053460001", "F05346000101", "F0534600010102", "00", "C900EF00", "")),
       0x6A80},
      {"token present", raw(0x0C, 0x00, fields("F053460001", "F05346000101", "F0534600010102", "00", "C900", "01")),
       0x6A80},
      {"truncated", raw(0x0C, 0x00, truncated), 0x6A80},
      {"trailing bytes", raw(0x0C, 0x00, trailing), 0x6A80},
      {"4-byte application AID", raw(0x0C, 0x00, fields("F053460001", "F05346000101", "01020304", "00", "C900", "")),
       0x6A80},
      {"4-byte load file AID", raw(0x0C, 0x00, fields("F0534600", "F05346000101", "F0534600010102", "00", "C900", "")),
       0x6A80},
      {"no data", raw(0x0C, 0x00, {}), 0x6700},
      {"[for load] with the fields of [for install]", raw(0x02, 0x00, good), 0x6A80},
      {"[for extradition]", raw(0x10, 0x00, good), 0x6A86},
      {"P1 with more-commands bit", raw(0x8C, 0x00, good), 0x6A86},
      {"P2 not 00", raw(0x0C, 0x01, good), 0x6A86},
      {"the ISD's AID", install_command(from_hex("A000000151000000")), 0x6985},
      {"the load file's AID", install_command(kLoadFile), 0x6985},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(managed(c.command).sw, c.sw);
    EXPECT_TRUE(instance_records(card().store()).empty());
  }
  // Security: no session, ISO class, C-MAC not set (level 00 is authenticated only).
  EXPECT_EQ(send(endpoint(), install_command(other)).sw, 0x6982);
  {
    auto s = session(0x03);
    auto iso = install_command(other);
    iso.cla = 0x00;
    EXPECT_EQ(s.send_plain(iso).sw, 0x6E00);
  }
  EXPECT_EQ(managed(install_command(other), 0x00).sw, 0x6982);
  EXPECT_TRUE(instance_records(card().store()).empty());
  EXPECT_EQ(select(other).sw, 0x6A82);

  // A duplicate instance AID.
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  EXPECT_EQ(managed(install_command(kInstance, false, from_hex("00000005"))).sw, 0x6985);
  EXPECT_EQ(instance_records(card().store()).size(), 1u);
}

TEST_F(IsdInstallTest, InstancesAreLimited) {
  for (std::size_t i = 0; i < kMaxAppletInstances; ++i) {
    Bytes aid = from_hex("F05346000102");
    aid.push_back(static_cast<std::uint8_t>(i));
    ASSERT_EQ(managed(install_command(aid)).sw, 0x9000) << i;
  }
  EXPECT_EQ(managed(install_command(from_hex("F0534600010299"))).sw, 0x6A84);
  EXPECT_EQ(instance_records(card().store()).size(), kMaxAppletInstances);  // records only: no counter used
}

TEST_F(IsdInstallTest, LockedOrTerminatedCardRefusesContentManagement) {
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x07)).sw, 0x9000);  // INITIALIZED
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x0F)).sw, 0x9000);  // SECURED
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x7F)).sw, 0x9000);  // CARD_LOCKED
  EXPECT_EQ(managed(install_command(from_hex("F0534600010102"))).sw, 0x6985);
  EXPECT_EQ(managed(gp::host::make_delete_aid(kInstance)).sw, 0x6985);
  EXPECT_EQ(select(kInstance).sw, 0x6A82);                             // only the ISD is selectable on a locked card
  ASSERT_EQ(managed(CommandApdu(0x80, 0xF0, 0x80, 0x0F)).sw, 0x9000);  // SECURED again
  EXPECT_EQ(select(kInstance).sw, 0x9000);
}

TEST_F(IsdInstallTest, DeleteRemovesTheInstanceAndItsData) {
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  ASSERT_EQ(select(kInstance, 0).sw, 0x9000);
  ASSERT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000001"));
  ASSERT_TRUE(card().store().contains(PersistentMemory::namespace_prefix(kInstance) + "counter"));

  // Selected on a logical channel: refused until it is deselected. (Not multi-selectable: it leaves
  // the basic channel first.)
  ASSERT_EQ(test::select_isd(endpoint()).sw, 0x9000);
  ASSERT_EQ(send(endpoint(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // open channel 1
  ASSERT_EQ(select(kInstance, 1).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsRead, {}, 1).data, from_hex("00000001"));  // talks on channel 1 too
  {
    auto s = session(0x03, 0);
    EXPECT_EQ(s.send_plain(gp::host::make_delete_aid(kInstance)).sw, 0x6985);
  }
  ASSERT_EQ(send(endpoint(), CommandApdu(0x00, 0x70, 0x80, 0x01)).sw, 0x9000);  // close channel 1

  // ROM load file and built-in entries cannot be deleted; unknown AIDs are not found.
  EXPECT_EQ(managed(gp::host::make_delete_aid(kLoadFile)).sw, 0x6985);
  EXPECT_EQ(managed(gp::host::make_delete_aid(kLoadFile, true)).sw, 0x6985);
  EXPECT_EQ(managed(gp::host::make_delete_aid(from_hex("A000000151000000"))).sw, 0x6985);
  EXPECT_EQ(managed(gp::host::make_delete_aid(from_hex("F0534600010177"))).sw, 0x6A88);
  EXPECT_EQ(send(endpoint(), gp::host::make_delete_aid(kInstance)).sw, 0x6982);  // no session

  const auto rsp = managed(gp::host::make_delete_aid(kInstance));
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, Bytes{0x00});
  EXPECT_TRUE(instance_records(card().store()).empty());  // record and counter both gone
  EXPECT_EQ(select(kInstance).sw, 0x6A82);
  EXPECT_EQ(managed(gp::host::make_delete_aid(kInstance)).sw, 0x6A88);
  {
    auto s = session(0x03);
    EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x02, from_hex("4F00"), 256)).sw, 0x6A88);
  }
  // A new instance with the same AID starts afresh; the ISD still works after the registry changed.
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  ASSERT_EQ(select(kInstance).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsRead).data, from_hex("00000000"));
  reopen();
  EXPECT_EQ(select(kInstance).sw, 0x9000);
}

TEST_F(IsdInstallTest, InstancesSurviveReopen) {
  ASSERT_EQ(managed(install_command(kInstance, true, from_hex("00000100"))).sw, 0x9000);
  const Bytes installed_only = from_hex("F0534600010102");
  ASSERT_EQ(managed(install_command(installed_only, false)).sw, 0x9000);
  ASSERT_EQ(select(kInstance).sw, 0x9000);
  ASSERT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000101"));

  reopen();
  ASSERT_EQ(select(kInstance).sw, 0x9000);
  EXPECT_EQ(counter(counter::kCounterInsRead).data, from_hex("00000101"));
  EXPECT_EQ(counter(counter::kCounterInsIncrement).data, from_hex("00000102"));
  EXPECT_EQ(select(installed_only).sw, 0x6A82);  // still INSTALLED only
  const auto summary = card().summary();
  ASSERT_EQ(summary["applet_instances"].size(), 2u);
  EXPECT_EQ(summary["applet_instances"][0]["aid"], "F0534600010101");
  EXPECT_EQ(summary["applet_instances"][0]["install_parameters"], "00000100");
  EXPECT_EQ(summary["applet_instances"][1]["life_cycle"], "03");
}

TEST_F(IsdInstallTest, SetStatusLocksAndUnlocksAnInstance) {
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  auto set = [&](std::uint8_t p2, const Bytes& aid) { return managed(CommandApdu(0x80, 0xF0, 0x40, p2, aid)).sw; };
  EXPECT_EQ(set(0x80, kInstance), 0x9000);
  EXPECT_EQ(select(kInstance).sw, 0x6A82);
  EXPECT_EQ(set(0x80, kInstance), 0x6985);  // already locked
  reopen();
  EXPECT_EQ(select(kInstance).sw, 0x6A82);  // the lock is persistent
  EXPECT_EQ(set(0x00, kInstance), 0x9000);
  EXPECT_EQ(set(0x00, kInstance), 0x6985);  // not locked
  EXPECT_EQ(select(kInstance).sw, 0x9000);
  EXPECT_EQ(set(0x01, kInstance), 0x6A80);
  EXPECT_EQ(set(0x80, from_hex("F0534600010177")), 0x6A88);
  EXPECT_EQ(set(0x80, from_hex("A000000151000000")), 0x6985);  // built-in entries keep their state
  EXPECT_EQ(set(0x80, from_hex("0102")), 0x6A80);
}

TEST(AppletCatalog, ListsTheCounterModule) {
  const auto* load_file = applets::find_load_file(kLoadFile);
  ASSERT_NE(load_file, nullptr);
  const auto* module = applets::find_module(*load_file, kModule);
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->default_instance, kInstance);
  EXPECT_NE(module->factory({}), nullptr);
  EXPECT_THROW(module->factory(from_hex("01")), StatusWordError);
  EXPECT_EQ(applets::find_load_file(kModule), nullptr);
  EXPECT_EQ(applets::find_module(*load_file, kLoadFile), nullptr);
}

}  // namespace
}  // namespace sefleet::card

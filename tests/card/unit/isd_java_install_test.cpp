// INSTALL, SELECT, DELETE and GET STATUS of Java Card applet instances through the real runtime and
// ISD: install() gets the C9 value, objects persist across reopening, install() refusals leave
// nothing, select() returning false answers 6999, deletion of instances and of load files with their
// instances, and VirtualCard::open removing the half of an instance that has no other half.
#include <gtest/gtest.h>

#include <algorithm>

#include "card/javacard/java_card_vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "gp/host/get_status.hpp"
#include "isd_java_test_support.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using test::JavaContentTest;

class IsdJavaInstallTest : public JavaContentTest {
 protected:
  IsdJavaInstallTest() { load_gp(); }
  std::uint16_t install(const Bytes& instance, Bytes parameters = {}, bool selectable = true) {
    return managed(test::java_install(test::kGpPackage, test::kGpApplet, instance, std::move(parameters), selectable))
        .sw;
  }
  // Nothing of an instance: no record, no VM instance, no registry entry.
  void expect_no_instance(const Bytes& aid) {
    EXPECT_EQ(card().runtime().registry().find(aid), nullptr);
    const auto vm_instances = card().java_card().instances();
    EXPECT_EQ(std::ranges::find(vm_instances, aid), vm_instances.end());
    EXPECT_EQ(card().store().committed().count("reg/inst/" + to_hex(aid)), 0u);
  }
};

TEST_F(IsdJavaInstallTest, InstallSelectAndTalkThenReopen) {
  ASSERT_EQ(install(test::kGpInstance, from_hex("0102")), 0x9000);
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsParameters).data, from_hex("0102"));  // install() got the C9 value
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0002"));
  EXPECT_EQ(command(0x7F).sw, 0x6D00);  // the applet's ISOException

  test::HostSession s = session(0x01);
  const auto response = s.send_plain(gp::host::make_get_status(gp::host::StatusScope::applications));
  ASSERT_EQ(response.sw, 0x9000);
  const auto entries = gp::host::parse_get_status(gp::host::StatusScope::applications, response.data);
  const auto it = std::ranges::find(entries, test::kGpInstance, &gp::host::RegistryEntry::aid);
  ASSERT_NE(it, entries.end());
  EXPECT_EQ(it->life_cycle, 0x07);
  EXPECT_EQ(it->load_file_aid, test::kGpPackage);

  reopen();
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0003"));  // the counter object survived
  EXPECT_EQ(command(test::kInsParameters).data, from_hex("0102"));
  const auto summary = card().summary();
  EXPECT_EQ(summary["applet_instances"][0]["code"], "java");
  EXPECT_EQ(summary["java_load_files"][0]["package"], "org/sefleet/test/gp");
}

TEST_F(IsdJavaInstallTest, InstancesAreIndependentAndBuiltInAppletsStayAvailable) {
  const Bytes second = from_hex("F053464A43010102");
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  ASSERT_EQ(install(second), 0x9000);
  ASSERT_EQ(managed(test::install_command(test::kInstance)).sw, 0x9000);  // the built-in counter applet
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0002"));
  ASSERT_EQ(select(second).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
  ASSERT_EQ(select(test::kInstance).sw, 0x9000);
  EXPECT_EQ(counter(0x20).data, from_hex("00000001"));
}

TEST_F(IsdJavaInstallTest, InstallRefusalsLeaveNothing) {
  EXPECT_EQ(managed(test::java_install(test::kGpPackage, from_hex("F053464A430199"), test::kGpInstance)).sw, 0x6A88);
  EXPECT_EQ(managed(test::java_install(from_hex("F053464A4399"), test::kGpApplet, test::kGpInstance)).sw, 0x6A88);
  EXPECT_EQ(install(from_hex("A000000151000000")), 0x6985);           // the ISD's AID
  EXPECT_EQ(install(test::kGpPackage), 0x6985);                       // a load file's AID
  EXPECT_EQ(install(test::kGpInstance, from_hex("E16A84")), 0x6A84);  // install() throws ISOException(6A84)
  expect_no_instance(test::kGpInstance);
  EXPECT_EQ(install(test::kGpInstance, from_hex("E2")), 0x6A80);  // install() does not register()
  expect_no_instance(test::kGpInstance);
  EXPECT_EQ(install(test::kGpInstance, Bytes(120, 0x01)), 0x6A80);  // the install layout exceeds 127 bytes
  expect_no_instance(test::kGpInstance);
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  EXPECT_EQ(install(test::kGpInstance), 0x6985);  // installed already
}

TEST_F(IsdJavaInstallTest, SelectReturningFalseAnswers6999) {
  ASSERT_EQ(install(test::kGpInstance, from_hex("E3")), 0x9000);
  EXPECT_EQ(select(test::kGpInstance).sw, 0x6999);
  EXPECT_NE(command(test::kInsCount).sw, 0x9000);      // the channel has no applet selected
  ASSERT_EQ(test::select_isd(endpoint()).sw, 0x9000);  // the card keeps working
}

TEST_F(IsdJavaInstallTest, InstallOnlyThenMakeSelectable) {
  ASSERT_EQ(install(test::kGpInstance, {}, false), 0x9000);
  EXPECT_EQ(select(test::kGpInstance).sw, 0x6A82);
  ASSERT_EQ(managed(gp::host::make_install_for_make_selectable(test::kGpInstance)).sw, 0x9000);
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
}

TEST_F(IsdJavaInstallTest, DeleteOfInstances) {
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  ASSERT_EQ(test::send(endpoint(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // channel 1
  ASSERT_EQ(select(test::kGpInstance, 1).sw, 0x9000);
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kGpInstance)).sw, 0x6985);        // selected on channel 1
  ASSERT_EQ(test::send(endpoint(), CommandApdu(0x00, 0x70, 0x80, 0x01)).sw, 0x9000);  // close channel 1
  ASSERT_EQ(managed(gp::host::make_delete_aid(test::kGpInstance)).sw, 0x9000);
  expect_no_instance(test::kGpInstance);
  EXPECT_EQ(select(test::kGpInstance).sw, 0x6A82);
  // A new instance with the AID starts afresh.
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
  reopen();
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0002"));
}

TEST_F(IsdJavaInstallTest, DeleteOfALoadFileWithInstancesNeedsRelatedObjects) {
  const Bytes second = from_hex("F053464A43010102");
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  ASSERT_EQ(install(second), 0x9000);
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage)).sw, 0x6985);
  ASSERT_EQ(test::send(endpoint(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // channel 1
  ASSERT_EQ(select(second, 1).sw, 0x9000);
  EXPECT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage, true)).sw, 0x6985);   // one is selected
  EXPECT_EQ(card().java_card().instances().size(), 2u);                               // nothing was deleted
  ASSERT_EQ(test::send(endpoint(), CommandApdu(0x00, 0x70, 0x80, 0x01)).sw, 0x9000);  // close channel 1
  ASSERT_EQ(managed(gp::host::make_delete_aid(test::kGpPackage, true)).sw, 0x9000);
  expect_no_instance(test::kGpInstance);
  expect_no_instance(second);
  EXPECT_FALSE(card().java_card().find_package(test::kGpPackage));
  EXPECT_TRUE(std::ranges::none_of(
      java_objects(), [](const std::string& name) { return name.starts_with("jc/i/") || name.starts_with("jc/p/"); }));
  reopen();
  EXPECT_TRUE(card().java_card().instances().empty());
  EXPECT_TRUE(card().java_card().packages().empty());
}

TEST_F(IsdJavaInstallTest, OpeningRemovesAVmInstanceWithoutRecord) {
  ASSERT_EQ(install(test::kGpInstance), 0x9000);
  // What a power loss between the VM's install and the record leaves: the VM instance alone.
  nvm::run_transaction(card().store(), [&] { card().store().erase("reg/inst/" + to_hex(test::kGpInstance)); });
  reopen();
  expect_no_instance(test::kGpInstance);
  EXPECT_EQ(select(test::kGpInstance).sw, 0x6A82);
  ASSERT_EQ(install(test::kGpInstance), 0x9000);  // the AID is free again
  ASSERT_EQ(select(test::kGpInstance).sw, 0x9000);
  EXPECT_EQ(command(test::kInsCount).data, from_hex("0001"));
}

}  // namespace
}  // namespace sefleet::card

// The instance records (docs/card-state.md "Applet instances"): the format-2 encoding with the code
// byte (built-in or Java), format-1 records of older cards read as built-in, malformed records refused.
#include "card/state/applet_instances.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::card {
namespace {

// A formatted in-memory NVM medium, opened as often as a test needs.
class Medium {
 public:
  Medium() {
    nvm::MemoryDevice device(bytes_);
    nvm::NvmStore::format(device);
  }
  nvm::NvmStore open() { return nvm::NvmStore(std::make_unique<nvm::MemoryDevice>(bytes_)); }
  void put(const std::string& name, const Bytes& value) {
    nvm::NvmStore store = open();
    nvm::run_transaction(store, [&] { store.write(name, value); });
  }

 private:
  nvm::MemoryDevice::Medium bytes_ = std::make_shared<Bytes>();
};

class AppletInstancesTest : public ::testing::Test {
 protected:
  nvm::NvmStore open() { return medium_.open(); }
  void put(const std::string& name, const Bytes& value) { medium_.put(name, value); }

  Medium medium_;
};

AppletInstance java_instance() {
  AppletInstance instance;
  instance.aid = from_hex("A000000151000101");
  instance.code = AppletInstance::Code::java;
  instance.load_file_aid = from_hex("A0000001510001");
  instance.module_aid = from_hex("A000000151000100");
  instance.life_cycle = app_life_cycle::kSelectable;
  instance.install_parameters = from_hex("0102");
  return instance;
}

TEST_F(AppletInstancesTest, RecordsCarryTheirCodeAndSurviveReopening) {
  {
    nvm::NvmStore store = open();
    AppletInstances instances(store);
    instances.add(java_instance());
    AppletInstance built_in = java_instance();
    built_in.aid = from_hex("F0534600010101");
    built_in.code = AppletInstance::Code::built_in;
    instances.add(built_in);
    EXPECT_EQ(to_hex(*store.get("reg/inst/A000000151000101")),
              "02"
              "01"
              "08A000000151000101"
              "07A0000001510001"
              "08A000000151000100"
              "000000"
              "07"
              "020102");
    EXPECT_EQ(to_hex(ByteView(*store.get("reg/inst/F0534600010101")).first(2)), "0200");
  }
  nvm::NvmStore store = open();
  AppletInstances instances(store);
  ASSERT_EQ(instances.all().size(), 2u);
  EXPECT_EQ(*instances.find(from_hex("A000000151000101")), java_instance());
  EXPECT_EQ(instances.find(from_hex("F0534600010101"))->code, AppletInstance::Code::built_in);
  instances.update(from_hex("A000000151000101"), 0x87, Bytes(3, 0));
  EXPECT_EQ(instances.find(from_hex("A000000151000101"))->code, AppletInstance::Code::java);
}

TEST_F(AppletInstancesTest, FormatOneRecordsAreBuiltInInstances) {
  put("reg/inst/F0534600010101", from_hex("01"
                                          "07F0534600010101"
                                          "05F053460001"
                                          "06F05346000101"
                                          "000000"
                                          "07"
                                          "0400000007"));
  nvm::NvmStore store = open();
  AppletInstances instances(store);
  const AppletInstance* instance = instances.find(from_hex("F0534600010101"));
  ASSERT_NE(instance, nullptr);
  EXPECT_EQ(instance->code, AppletInstance::Code::built_in);
  EXPECT_EQ(to_hex(instance->install_parameters), "00000007");
}

TEST_F(AppletInstancesTest, MalformedRecordsAreRefused) {
  for (const char* record : {"02"
                             "02"
                             "07F0534600010101"
                             "05F053460001"
                             "06F05346000101"
                             "000000"
                             "07"
                             "00",  // code 02
                             "02",  // no code
                             "03"
                             "00"
                             "07F0534600010101"
                             "05F053460001"
                             "06F05346000101"
                             "000000"
                             "07"
                             "00"}) {
    SCOPED_TRACE(record);
    Medium fresh;
    fresh.put("reg/inst/F0534600010101", from_hex(record));
    nvm::NvmStore store = fresh.open();
    try {
      AppletInstances instances(store);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::integrity_error);
    }
  }
}

}  // namespace
}  // namespace sefleet::card

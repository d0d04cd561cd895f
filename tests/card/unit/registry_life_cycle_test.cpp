// The registry's life cycle recorder as a VirtualCard installs it: an application's own life cycle
// state (what Java applets ask through GPSystem.setCardContentState / GPRegistryEntry.setState) is
// made durable in the ISD's instance record before the registry entry changes; the card life cycle
// (lockCard / terminateCard) goes through the ISD's card state and its transition rules; entries that
// INSTALL did not record keep their state.
#include <gtest/gtest.h>

#include "card/runtime/applet_registry.hpp"
#include "card/state/card_state.hpp"
#include "gp/card_life_cycle.hpp"
#include "isd_install_test_support.hpp"

namespace sefleet::card {
namespace {

using test::install_command;
using test::kInstance;
using test::kLoadFile;

const Bytes kIsd = from_hex("A000000151000000");

class RegistryLifeCycle : public test::InstallCardTest {};

TEST_F(RegistryLifeCycle, AnInstalledApplicationsStateIsRecordedDurably) {
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  AppletRegistry& registry = card().runtime().registry();
  EXPECT_TRUE(registry.change_life_cycle(kInstance, 0x0F));
  EXPECT_EQ(registry.find(kInstance)->life_cycle, 0x0F);
  reopen();
  EXPECT_EQ(card().runtime().registry().find(kInstance)->life_cycle, 0x0F);
  EXPECT_EQ(select(kInstance).sw, 0x9000);  // an application-specific state stays selectable
}

TEST_F(RegistryLifeCycle, TheCardLifeCycleFollowsTheIsdsTransitionRules) {
  AppletRegistry& registry = card().runtime().registry();
  EXPECT_FALSE(registry.change_life_cycle(kIsd, gp::card_life_cycle::kCardLocked));  // from OP_READY
  EXPECT_EQ(card().state().life_cycle(), gp::card_life_cycle::kOpReady);
  EXPECT_TRUE(registry.change_life_cycle(kIsd, gp::card_life_cycle::kInitialized));
  EXPECT_EQ(card().state().life_cycle(), gp::card_life_cycle::kInitialized);
  EXPECT_EQ(registry.issuer_security_domain()->life_cycle, gp::card_life_cycle::kInitialized);
  reopen();
  EXPECT_EQ(card().state().life_cycle(), gp::card_life_cycle::kInitialized);
}

TEST_F(RegistryLifeCycle, EntriesWithoutAnInstallRecordAreRefused) {
  AppletRegistry& registry = card().runtime().registry();
  EXPECT_FALSE(registry.change_life_cycle(kLoadFile, 0x0F));  // a load file of the built-in catalog
  EXPECT_EQ(registry.find(kLoadFile)->life_cycle, app_life_cycle::kLoaded);
  EXPECT_FALSE(registry.change_life_cycle(from_hex("F0F0F0F0F0"), 0x0F));  // no such entry
  // Without a recorder nothing changes at all.
  ASSERT_EQ(managed(install_command(kInstance)).sw, 0x9000);
  registry.set_life_cycle_recorder(nullptr);
  EXPECT_FALSE(registry.change_life_cycle(kInstance, 0x0F));
  EXPECT_EQ(registry.find(kInstance)->life_cycle, app_life_cycle::kSelectable);
}

}  // namespace
}  // namespace sefleet::card

// What the ISD needs from the card to manage applet instances (INSTALL, DELETE): the card, not the
// ISD, owns the instances and the runtime that selects them. VirtualCard implements it over its
// Runtime; the ISD only decides (status words) and persists (AppletInstances).
#pragma once

#include <memory>

#include "card/runtime/applet.hpp"
#include "card/runtime/applet_registry.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {

class AppletHost {
 public:
  virtual ~AppletHost() = default;
  // Places `applet` in the runtime as the instance of `entry` (its install() hook runs; entry.applet
  // is set there) until remove_instance(). Throws Error(invalid_argument) when the registry refuses
  // the entry, and whatever the applet's install() throws (nothing is registered then).
  virtual void add_instance(RegistryEntry entry, std::unique_ptr<Applet> applet) = 0;
  // True while the instance with `aid` is selected on any logical channel.
  virtual bool is_selected(ByteView aid) const = 0;
  // Runs the instance's uninstall() hook, erases its persistent objects, removes its registry entry
  // and destroys it (never while it is selected).
  virtual void remove_instance(ByteView aid) = 0;

 protected:
  AppletHost() = default;
  AppletHost(const AppletHost&) = default;
  AppletHost& operator=(const AppletHost&) = default;
};

}  // namespace sefleet::card

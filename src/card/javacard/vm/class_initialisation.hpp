// The order in which the static initialisers (<clinit>) of a set of classes run: computed once per
// set (the ROM's at its construction, a package's at its load), because it depends only on the linked
// classes, and every VM start would otherwise walk the ROM's classes again.
#pragma once

#include <span>
#include <vector>

#include "card/javacard/vm/runtime_class.hpp"

namespace sefleet::card::javacard::vm {

struct ClassInitialiser {
  const RtClass* cls = nullptr;
  const RtMethod* clinit = nullptr;  // never null in an order below
};

// The classes of `classes` that have a <clinit>, each after its superclass and after the classes of
// the set its code refers to (fields, static methods, new), so that an initialiser sees the statics it
// reads initialised; a cycle is broken where it closes, as the JVM does. Classes are visited in the
// order given, so the result is the same for the same input.
std::vector<ClassInitialiser> initialisation_order(std::span<const RtClass* const> classes);

}  // namespace sefleet::card::javacard::vm

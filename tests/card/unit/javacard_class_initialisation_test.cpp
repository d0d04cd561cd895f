// The order of static initialisers: each class after its superclass and after the classes of the set
// its code refers to, a cycle broken where it closes, classes outside the set neither run nor followed,
// and the ROM's order (computed once, run at every VM start) holding each initialiser exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "card/javacard/vm/class_initialisation.hpp"
#include "card/javacard/vm/rom.hpp"

namespace sefleet::card::javacard::vm {
namespace {

// Linked classes built by hand: only what the order looks at (superclass, constants, methods).
class InitialisationClasses {
 public:
  RtClass& add(const std::string& name, bool with_clinit, const RtClass* super = nullptr) {
    auto cls = std::make_unique<RtClass>();
    cls->name = name;
    cls->super = super;
    if (with_clinit) {
      RtMethod clinit;
      clinit.name = "<clinit>";
      clinit.descriptor = "()V";
      clinit.is_static = true;
      cls->methods.push_back(clinit);
    }
    RtMethod helper;  // a static method that is not an initialiser
    helper.name = "helper";
    helper.descriptor = "()V";
    cls->methods.push_back(helper);
    for (auto& method : cls->methods) method.owner = cls.get();
    return *classes_.emplace(name, std::move(cls)).first->second;
  }
  // `from`'s code reads a static field of `to`.
  void reads_field_of(RtClass& from, RtClass& to) {
    fields_.push_back(std::make_unique<RtField>());
    RtField& field = *fields_.back();
    field.owner = &to;
    field.is_static = true;
    Resolved resolved;
    resolved.kind = Resolved::Kind::static_field;
    resolved.field = &field;
    from.constants.push_back(resolved);
  }
  // `from`'s code calls a static method of `to`.
  void calls(RtClass& from, RtClass& to) {
    Resolved resolved;
    resolved.kind = Resolved::Kind::static_method;
    resolved.method = &to.methods.back();
    from.constants.push_back(resolved);
  }
  // `from`'s code makes a `to` (new).
  void creates(RtClass& from, RtClass& to) {
    auto type = std::make_unique<TypeRef>();
    type->cls = &to;
    Resolved resolved;
    resolved.kind = Resolved::Kind::type;
    resolved.type = type.get();
    from.owned_types.push_back(std::move(type));
    from.constants.push_back(resolved);
  }

  std::vector<std::string> order_of(const std::vector<std::string>& names) const {
    std::vector<const RtClass*> set;
    for (const auto& name : names) set.push_back(classes_.at(name).get());
    std::vector<std::string> out;
    for (const auto& [cls, clinit] : initialisation_order(set)) {
      EXPECT_EQ(clinit, cls->find_method("<clinit>", "()V"));
      out.push_back(cls->name);
    }
    return out;
  }

 private:
  std::map<std::string, std::unique_ptr<RtClass>> classes_;
  std::vector<std::unique_ptr<RtField>> fields_;
};

using Names = std::vector<std::string>;

TEST(ClassInitialisation, SuperclassAndReferencedClassesFirstAndClassesWithoutInitialiserLeftOut) {
  InitialisationClasses c;
  RtClass& base = c.add("p/Base", true);
  RtClass& derived = c.add("p/Derived", true, &base);
  RtClass& table = c.add("p/Table", true);
  RtClass& plain = c.add("p/Plain", false);
  RtClass& factory = c.add("p/Factory", true);
  c.reads_field_of(derived, table);
  c.calls(derived, plain);
  c.creates(plain, factory);  // followed through a class that has no initialiser itself
  EXPECT_EQ(c.order_of({"p/Derived", "p/Base", "p/Table", "p/Plain", "p/Factory"}),
            (Names{"p/Base", "p/Table", "p/Factory", "p/Derived"}));
  // The same set in another order gives the same dependencies first.
  EXPECT_EQ(c.order_of({"p/Factory", "p/Table", "p/Plain", "p/Base", "p/Derived"}),
            (Names{"p/Factory", "p/Table", "p/Base", "p/Derived"}));
}

TEST(ClassInitialisation, ACycleIsBrokenWhereItCloses) {
  InitialisationClasses c;
  RtClass& a = c.add("p/A", true);
  RtClass& b = c.add("p/B", true);
  c.reads_field_of(a, b);
  c.reads_field_of(b, a);
  EXPECT_EQ(c.order_of({"p/A", "p/B"}), (Names{"p/B", "p/A"}));
  EXPECT_EQ(c.order_of({"p/B", "p/A"}), (Names{"p/A", "p/B"}));
}

TEST(ClassInitialisation, ClassesOutsideTheSetNeitherRunNorAreFollowed) {
  InitialisationClasses c;
  RtClass& outside = c.add("rom/Outside", true);
  RtClass& inside = c.add("p/Inside", true, &outside);
  RtClass& later = c.add("p/Later", true);
  c.calls(outside, later);  // reached only through a class outside the set
  (void)inside;
  EXPECT_EQ(c.order_of({"p/Inside", "p/Later"}), (Names{"p/Inside", "p/Later"}));
}

TEST(ClassInitialisation, TheRomRunsEveryInitialiserOnce) {
  const Rom& rom = Rom::instance();
  std::vector<const RtClass*> with_clinit;
  for (const auto& cls : rom.classes()) {
    if (cls->find_method("<clinit>", "()V") != nullptr) with_clinit.push_back(cls.get());
  }
  ASSERT_FALSE(with_clinit.empty());
  std::vector<const RtClass*> ordered;
  for (const auto& initialiser : rom.initialisers()) ordered.push_back(initialiser.cls);
  ASSERT_EQ(ordered.size(), with_clinit.size());
  std::ranges::sort(ordered);
  std::ranges::sort(with_clinit);
  EXPECT_EQ(ordered, with_clinit);
}

}  // namespace
}  // namespace sefleet::card::javacard::vm

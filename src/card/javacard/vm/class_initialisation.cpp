#include "card/javacard/vm/class_initialisation.hpp"

#include <set>

#include "card/javacard/classfile/descriptors.hpp"

namespace sefleet::card::javacard::vm {
namespace {

class InitialisationWalk {
 public:
  explicit InitialisationWalk(std::span<const RtClass* const> classes) : set_(classes.begin(), classes.end()) {}

  // Depth first: the classes a class depends on are placed before it.
  void visit(const RtClass* cls) {
    if (cls == nullptr || !set_.contains(cls) || !started_.insert(cls).second) return;
    visit(cls->super);
    for (const auto& resolved : cls->constants) {
      switch (resolved.kind) {
        case Resolved::Kind::static_field:
        case Resolved::Kind::instance_field:
          visit(resolved.field->owner);
          break;
        case Resolved::Kind::static_method:
          visit(resolved.method->owner);
          break;
        case Resolved::Kind::type:
          visit(resolved.type->cls);
          break;
        default:
          break;
      }
    }
    if (const RtMethod* clinit = cls->find_method(classfile::kClassInitializerName, "()V")) {
      order_.push_back({cls, clinit});
    }
  }

  std::vector<ClassInitialiser> take() { return std::move(order_); }

 private:
  const std::set<const RtClass*> set_;
  std::set<const RtClass*> started_;
  std::vector<ClassInitialiser> order_;
};

}  // namespace

std::vector<ClassInitialiser> initialisation_order(std::span<const RtClass* const> classes) {
  InitialisationWalk walk(classes);
  for (const RtClass* cls : classes) walk.visit(cls);
  return walk.take();
}

}  // namespace sefleet::card::javacard::vm

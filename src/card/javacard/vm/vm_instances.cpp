// Applet instances: registration by Applet.register() during install(), and the reference check that
// makes deleting an instance refusable (JCRE 11.3.4).
#include <algorithm>
#include <vector>

#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::vm {

Instance& Vm::register_instance(Ref applet, ByteView aid) {
  const heap::Object* object = heap_->find(applet);
  if (object == nullptr || object->kind != heap::ObjectKind::instance) throw VmAbort("register() of a non-object");
  auto instance = std::make_unique<Instance>();
  instance->id = entry_.install_instance;
  instance->aid.assign(aid.begin(), aid.end());
  instance->applet = applet;
  instance->cls = object->cls;
  instance->package = object->cls->package;
  instance->multi_selectable = object->cls->is_assignable_to(rom_class("javacard/framework/MultiSelectable"));
  instance->extended_length = object->cls->is_assignable_to(rom_class("javacardx/apdu/ExtendedLength"));
  instances_.push_back(std::move(instance));
  Instance& registered = *instances_.back();
  entry_.registered = &registered;
  return registered;
}

namespace {

// Marks what `roots` reach; true as soon as `stop` holds for a reached object.
template <typename Stop>
bool reaches(const heap::Heap& heap, const std::vector<Ref>& roots, Stop&& stop) {
  std::vector<bool> marked(heap.table_size(), false);
  std::vector<Ref> stack;
  auto push = [&](std::int32_t value) {
    const auto ref = static_cast<Ref>(value);
    if (ref == kNull || ref >= marked.size() || marked[ref] || heap.find(ref) == nullptr) return;
    marked[ref] = true;
    stack.push_back(ref);
  };
  for (const Ref root : roots) push(static_cast<std::int32_t>(root));
  while (!stack.empty()) {
    const heap::Object& object = *heap.find(stack.back());
    stack.pop_back();
    if (stop(object)) return true;
    if (object.kind == heap::ObjectKind::instance) {
      for (std::int32_t slot = 0; slot < object.length; ++slot) {
        if (object.cls->reference_slots[static_cast<std::size_t>(slot)]) push(object.slot(slot));
      }
    } else if (object.kind == heap::ObjectKind::statics) {
      for (std::int32_t slot = 0; slot < object.length; ++slot) {
        if (object.cls->static_reference_slots[static_cast<std::size_t>(slot)]) push(object.slot(slot));
      }
    } else if (object.kind == heap::ObjectKind::array_reference) {
      for (std::int32_t i = 0; i < object.length; ++i) push(object.slot(i));
    }
  }
  return false;
}

}  // namespace

bool Vm::package_objects_referenced_elsewhere(const Package& package) {
  std::vector<Ref> roots;
  for (std::size_t id = 0; id < statics_.size(); ++id) {
    if (statics_[id] == kNull) continue;
    const heap::Object* object = heap_->find(statics_[id]);
    if (object != nullptr && object->cls->package != &package) roots.push_back(statics_[id]);
  }
  for (const auto& instance : instances_) {
    roots.push_back(instance->applet);
    roots.push_back(instance->aid_object);
  }
  return reaches(*heap_, roots,
                 [&](const heap::Object& object) { return object.cls != nullptr && object.cls->package == &package; });
}

bool Vm::instance_referenced_elsewhere(const Instance& instance) {
  // Every root but the instance itself (its applet object and AID), and the statics of its own
  // package when no other instance of that package remains.
  const bool package_shared = std::ranges::any_of(
      instances_, [&](const auto& other) { return other.get() != &instance && other->package == instance.package; });
  std::vector<Ref> roots;
  for (const auto& package : packages_) {
    if (package.get() == instance.package && !package_shared) continue;
    for (const auto& cls : package->classes) roots.push_back(statics_[cls->id]);
  }
  for (const auto& other : instances_) {
    if (other.get() == &instance) continue;
    roots.push_back(other->applet);
    roots.push_back(other->aid_object);
  }
  return reaches(*heap_, roots, [&](const heap::Object& object) {
    return object.owner == instance.id && object.context != kJcreContext;
  });
}

}  // namespace sefleet::card::javacard::vm

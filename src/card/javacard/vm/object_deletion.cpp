// JCSystem.requestObjectDeletion: at the end of the entry that asked, every object no root reaches is
// deleted, in RAM and in NVM (one update). Roots: the objects of the ROM's static initialisation,
// the static fields of the ROM and of every package,
// the registered applet instances and their AID objects, the JCRE's exception instances, the APDU
// object and buffers. Objects reachable only from the frames of a running entry cannot exist at
// that point (no frame is left).
#include <vector>

#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::vm {

void Vm::collect_garbage() {
  std::vector<bool> marked(heap_->table_size(), false);
  std::vector<Ref> stack;
  auto push = [&](std::int32_t value) {
    const auto ref = static_cast<Ref>(value);
    if (ref == kNull || ref >= marked.size() || marked[ref] || heap_->find(ref) == nullptr) return;
    marked[ref] = true;
    stack.push_back(ref);
  };
  for (Ref ref = 1; ref < rom_handle_limit_; ++ref) push(static_cast<std::int32_t>(ref));
  for (const Ref ref : statics_) push(static_cast<std::int32_t>(ref));
  for (const auto& instance : instances_) {
    push(static_cast<std::int32_t>(instance->applet));
    push(static_cast<std::int32_t>(instance->aid_object));
  }
  for (const auto& [cls, ref] : exception_instances_) push(static_cast<std::int32_t>(ref));
  push(static_cast<std::int32_t>(apdu_object_));
  push(static_cast<std::int32_t>(apdu_buffer_));
  push(static_cast<std::int32_t>(extended_apdu_buffer_));

  while (!stack.empty()) {
    const heap::Object& object = *heap_->find(stack.back());
    stack.pop_back();
    switch (object.kind) {
      case heap::ObjectKind::instance:
        for (std::int32_t slot = 0; slot < object.length; ++slot) {
          if (object.cls->reference_slots[static_cast<std::size_t>(slot)]) push(object.slot(slot));
        }
        break;
      case heap::ObjectKind::statics:
        for (std::int32_t slot = 0; slot < object.length; ++slot) {
          if (object.cls->static_reference_slots[static_cast<std::size_t>(slot)]) push(object.slot(slot));
        }
        break;
      case heap::ObjectKind::array_reference:
        for (std::int32_t i = 0; i < object.length; ++i) push(object.slot(i));
        break;
      default:
        break;
    }
  }
  std::vector<Ref> garbage;
  for (const Ref ref : heap_->live_refs()) {
    if (!marked[ref]) garbage.push_back(ref);
  }
  for (const Ref ref : garbage) drop_cache(ref);
  heap_->free_objects(garbage);
}

}  // namespace sefleet::card::javacard::vm

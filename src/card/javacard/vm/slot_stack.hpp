// The slot stack the frames of one entry share (locals and operand stacks), zero-filled memory from
// calloc: its pages are touched only as deep as calls go. A process holds a VM per virtual SE (a fleet
// of thousands), and a stack of limits.slot_stack slots (64 KiB by default) that a std::vector zeroes
// at construction would write every page of it, for entries that use a few hundred bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace sefleet::card::javacard::vm {

class SlotStack {
 public:
  explicit SlotStack(std::size_t slots)
      : slots_(static_cast<std::int32_t*>(std::calloc(slots == 0 ? 1 : slots, sizeof(std::int32_t)))), size_(slots) {
    if (!slots_) throw std::bad_alloc();
  }

  std::int32_t* data() noexcept { return slots_.get(); }
  std::size_t size() const noexcept { return size_; }

 private:
  struct Free {
    void operator()(std::int32_t* slots) const noexcept { std::free(slots); }
  };
  std::unique_ptr<std::int32_t[], Free> slots_;
  std::size_t size_;
};

}  // namespace sefleet::card::javacard::vm

#include "card/nvm/prefault.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace sefleet::card::nvm {

void prefault_for_writing(void* data, std::size_t size) noexcept {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  static const long page_size = sysconf(_SC_PAGESIZE);
  if (data == nullptr || page_size <= 0) return;
  const auto page = static_cast<std::uintptr_t>(page_size);
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + page - 1) / page * page;
  const std::uintptr_t last = (begin + size) / page * page;
  // A refusal (an older kernel: EINVAL) leaves the pages to be faulted in by the writes.
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)size;
#endif
}

}  // namespace sefleet::card::nvm

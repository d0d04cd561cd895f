#include "free_heap.hpp"

#include <cstdlib>  // with glibc, defines __GLIBC__

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sefleet::cli {

void release_free_heap() noexcept {
#if defined(__GLIBC__)
  // 0: keep no free memory at the top either; the pages of free chunks inside the heap are released
  // too (madvise), the heap's layout is unchanged.
  malloc_trim(0);
#endif
}

}  // namespace sefleet::cli

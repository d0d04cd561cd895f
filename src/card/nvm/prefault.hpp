// Maps the pages of a buffer that is about to be written, in one system call instead of one page
// fault per page as the writes reach them: a staged segment filled by a thousand short blocks, or the
// buffer a RAM medium moves into when it shrinks. The bytes are not changed. On Linux 5.14 and later
// this is madvise(MADV_POPULATE_WRITE); elsewhere, or when the kernel refuses, it does nothing and
// the writes fault the pages in as they would have.
#pragma once

#include <cstddef>

namespace sefleet::card::nvm {

// Only the pages that lie wholly inside [data, data + size): the ones it shares with its neighbours
// are theirs to fault.
void prefault_for_writing(void* data, std::size_t size) noexcept;

}  // namespace sefleet::card::nvm

// Hands the heap memory the process has freed back to the operating system.
//
// A long-running process whose start has a transient peak (the card: the Java Card ROM parsed and
// linked, the stored packages decoded, verified and linked again) keeps the peak resident otherwise:
// glibc's malloc gives back only the free memory at the top of its heap, and most of what the start
// frees lies below objects that stay (1.3 MiB of an idle card with three Java applets).
#pragma once

namespace sefleet::cli {

// malloc_trim(0) with glibc; nothing with another C library.
void release_free_heap() noexcept;

}  // namespace sefleet::cli

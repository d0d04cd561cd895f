// File primitives for secret-bearing files (the software keystore): permission checks, atomic
// replacement that survives a crash at any point, and an advisory lock between processes.
#pragma once

#include <chrono>
#include <filesystem>

#include "core/bytes.hpp"

namespace sefleet::offcard {

// Refuses (Error(io_error)) a path that is missing, not a regular file, or readable/writable by group
// or other; the message says how to fix it (chmod 600 ...). Error(not_found) when it does not exist.
void check_private_file(const std::filesystem::path& path);

// Reads a whole file of at most `max_size` bytes, with the checks of check_private_file made on the
// opened descriptor (Error(parse_error) when it is larger).
Bytes read_private_file(const std::filesystem::path& path, std::size_t max_size);

// Replaces (or creates) `path` with `data` so that a reader, or the file after a crash, shows either
// the old or the new content, never a mix: write a temporary file (mode 0600) in the same directory,
// fsync it, rename it over `path`, fsync the directory. The temporary file is removed on failure.
void write_private_file_atomically(const std::filesystem::path& path, ByteView data);

// Creates `path` with `data` (mode 0600) only if it does not exist yet (Error(state_error) otherwise),
// with the same durability as write_private_file_atomically.
void create_private_file(const std::filesystem::path& path, ByteView data);

// An exclusive flock(2) on a companion lock file (created 0600, never deleted: deleting it would let
// two processes lock two different inodes). The lock file is separate from the data file because an
// atomic rename replaces the data file's inode, which would silently drop a lock held on it.
class FileLock {
 public:
  // Waits up to `timeout` for the lock; then Error(state_error) "locked by another process".
  FileLock(const std::filesystem::path& lock_path, std::chrono::milliseconds timeout);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sefleet::offcard

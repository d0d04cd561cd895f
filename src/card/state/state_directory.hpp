// A virtual SE's state directory as one process holds it. The state file holds the card's keys and
// its SCP03 sequence counters: two processes serving one state would reuse counters (and so session
// keys), and anyone who can read the file has the keys. So the directory is created 0700, the state
// file 0600, both are refused when group or other users may access them, and the process that opens
// the directory holds an exclusive flock(2) on `card.lock` in it for as long as it uses the card.
// The lock file records the holder's PID, so a refused process can say who holds the card.
#pragma once

#include <filesystem>

namespace sefleet::card {

class StateDirectory {
 public:
  // `sefleet card init`: creates the directory (mode 0700; missing parents with the default mode)
  // or accepts an existing private one, then locks it.
  static StateDirectory create(const std::filesystem::path& dir);
  // Every other use: the directory must exist and be private; then it is locked.
  // Refusals are Error(io_error) (missing, not a directory, group/other access: the message says
  // which chmod fixes it) or Error(state_error) (locked: the message names the holding PID).
  static StateDirectory open(const std::filesystem::path& dir);

  StateDirectory(StateDirectory&& other) noexcept;
  StateDirectory& operator=(StateDirectory&& other) noexcept;
  StateDirectory(const StateDirectory&) = delete;
  StateDirectory& operator=(const StateDirectory&) = delete;
  ~StateDirectory();  // releases the lock (the lock file stays: see state_directory.cpp)

  const std::filesystem::path& path() const noexcept { return dir_; }
  // <dir>/card.nvm
  std::filesystem::path state_file() const;
  // Refuses (Error(io_error), "chmod 600 ...") a state file that group or other users may access.
  // Error(io_error) naming `sefleet card init` when it does not exist.
  void check_state_file() const;

  static constexpr const char* kStateFileName = "card.nvm";
  static constexpr const char* kLockFileName = "card.lock";

 private:
  StateDirectory(std::filesystem::path dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  static StateDirectory lock(const std::filesystem::path& dir);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

}  // namespace sefleet::card

// NvmDevice over a POSIX file: pread/pwrite, fdatasync, mode 0600. Errors are Error(Errc::io_error)
// naming the path and the errno text.
#pragma once

#include <filesystem>
#include <string>

#include "card/nvm/nvm_device.hpp"

namespace sefleet::card::nvm {

class FileDevice final : public NvmDevice {
 public:
  enum class Mode { open_existing, create_new };

  FileDevice(const std::filesystem::path& path, Mode mode);
  ~FileDevice() override;

  void read(std::uint64_t offset, MutableByteView out) override;
  void write(std::uint64_t offset, ByteView data) override;
  // pwritev straight from the pieces (in batches of IOV_MAX), resuming after short writes.
  void write_gather(std::uint64_t offset, std::span<const ByteView> pieces) override;
  void sync() override;
  std::uint64_t size() override;
  void truncate(std::uint64_t size) override;
  const std::string& name() const override { return path_; }

 private:
  [[noreturn]] void fail(const char* operation, int error_number) const;

  std::string path_;
  int fd_ = -1;
};

// Makes a rename or file creation in `directory` durable (fsync of the directory itself).
void sync_directory(const std::filesystem::path& directory);

}  // namespace sefleet::card::nvm

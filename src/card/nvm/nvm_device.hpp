// The storage medium under the NVM store. Every physical write the store makes goes through this
// interface, so that tests can cut power at any one of them (TearingDevice) and the file format can
// be reasoned about as a sequence of writes, syncs and truncates.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/bytes.hpp"

namespace sefleet::card::nvm {

class NvmDevice {
 public:
  virtual ~NvmDevice() = default;
  NvmDevice() = default;
  NvmDevice(const NvmDevice&) = delete;
  NvmDevice& operator=(const NvmDevice&) = delete;

  // Fills `out` with the bytes at [offset, offset + out.size()); reading past the end is an error.
  virtual void read(std::uint64_t offset, MutableByteView out) = 0;
  // Writes `data` at `offset`, extending the medium if needed. Not durable until sync().
  virtual void write(std::uint64_t offset, ByteView data) = 0;
  // Writes the concatenation of `pieces` at `offset` as ONE physical write: a journal record whose
  // large values stay in their own buffers (format::RecordWriter). This default joins the pieces
  // and calls write(); the devices override it to write from the pieces directly.
  virtual void write_gather(std::uint64_t offset, std::span<const ByteView> pieces) {
    Bytes joined;
    for (const ByteView piece : pieces) joined.insert(joined.end(), piece.begin(), piece.end());
    write(offset, joined);
  }
  // Makes every earlier write and truncate durable (the store's only ordering barrier).
  virtual void sync() = 0;
  virtual std::uint64_t size() = 0;
  virtual void truncate(std::uint64_t size) = 0;
  // What to call the medium in error messages (the file path).
  virtual const std::string& name() const = 0;
};

}  // namespace sefleet::card::nvm

#include "card/nvm/memory_device.hpp"

#include <algorithm>
#include <utility>

#include "card/nvm/prefault.hpp"
#include "core/error.hpp"

namespace sefleet::card::nvm {
namespace {

// Files stay far below this; the bound turns a corrupt offset into an error instead of an
// attempt to allocate exabytes.
constexpr std::uint64_t kMaxMediumSize = std::uint64_t{1} << 32;

}  // namespace

MemoryDevice::MemoryDevice(std::string name) : MemoryDevice(std::make_shared<Bytes>(), std::move(name)) {}

MemoryDevice::MemoryDevice(Medium medium, std::string name, std::shared_ptr<MediumPool> pool)
    : medium_(std::move(medium)), name_(std::move(name)), pool_(std::move(pool)) {
  if (!medium_) throw Error(Errc::invalid_argument, "MemoryDevice: null medium");
}

void MemoryDevice::read(std::uint64_t offset, MutableByteView out) {
  if (offset > medium_->size() || out.size() > medium_->size() - offset) {
    throw Error(Errc::io_error, name_ + ": read of " + std::to_string(out.size()) + " bytes at " +
                                    std::to_string(offset) + " beyond the end (" + std::to_string(medium_->size()) +
                                    ")");
  }
  std::copy_n(medium_->begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
}

void MemoryDevice::write(std::uint64_t offset, ByteView data) {
  const ByteView pieces[] = {data};
  write_gather(offset, pieces);
}

void MemoryDevice::write_gather(std::uint64_t offset, std::span<const ByteView> pieces) {
  std::uint64_t total = 0;
  for (const ByteView piece : pieces) total += piece.size();
  if (offset > kMaxMediumSize || total > kMaxMediumSize - offset) {
    throw Error(Errc::io_error, name_ + ": write beyond the maximum medium size");
  }
  Bytes& medium = *medium_;
  // The buffer first, then the gap: a write far behind the end (a snapshot behind the room left for
  // a larger one) fills its gap in the pool's buffer, not in a fresh one it then leaves.
  if (offset + total > medium.capacity()) {
    // A small medium (a personalization, a state between updates) grows on its own; one that grows
    // past a sixteenth of the pool's size is on its way to an update's peak and takes a pool buffer.
    if (pool_ && offset + total <= pool_->buffer_capacity() && offset + total > pool_->buffer_capacity() / 16) {
      Bytes larger = pool_->take();
      larger.assign(medium.begin(), medium.end());
      medium.swap(larger);
    } else {
      // Grow geometrically, as one append at a time would: the journal appends a record per commit.
      medium.reserve(std::max<std::size_t>(offset + total, 2 * medium.capacity()));
    }
  }
  if (offset > medium.size()) medium.resize(offset, 0x00);  // a gap reads as zeros, as in a sparse file
  // Overwrite what exists, append the rest: appending (the journal's usual case) copies each byte once
  // instead of zero-filling the new space first.
  std::size_t at = offset;
  for (const ByteView piece : pieces) {
    const std::size_t overlap = at < medium.size() ? std::min<std::size_t>(piece.size(), medium.size() - at) : 0;
    std::copy_n(piece.begin(), overlap, medium.begin() + static_cast<std::ptrdiff_t>(at));
    medium.insert(medium.end(), piece.begin() + static_cast<std::ptrdiff_t>(overlap), piece.end());
    at += piece.size();
  }
}

void MemoryDevice::truncate(std::uint64_t size) {
  if (size > kMaxMediumSize) throw Error(Errc::io_error, name_ + ": truncate beyond the maximum medium size");
  Bytes& medium = *medium_;
  medium.resize(size, 0x00);
  // A compaction to the front leaves most of a large buffer behind the end: the state moves into a
  // buffer of its own size (and a quarter more, room for the journal to grow a little) and the large
  // one goes back to the pool for the next medium that grows.
  if (pool_ && medium.capacity() >= pool_->buffer_capacity() && size <= medium.capacity() / 2) {
    Bytes smaller;
    smaller.reserve(size + size / 4);            // below the pool's size: size is at most half of it
    prefault_for_writing(smaller.data(), size);  // fresh pages, the state's hundreds of KB of them
    smaller.assign(medium.begin(), medium.end());
    medium.swap(smaller);
    pool_->give(std::move(smaller));
  }
}

}  // namespace sefleet::card::nvm

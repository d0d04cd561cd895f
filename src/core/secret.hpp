// Secret material (keys, session keys, plaintext images inside the SE): zeroized when freed, compared
// in constant time, never printable by accident (no implicit conversion to Bytes or to text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet {

// Overwrites memory in a way the optimizer cannot remove.
void secure_zero(void* data, std::size_t size) noexcept;

// Constant-time equality: the running time depends only on the lengths, never on the contents.
bool constant_time_equal(ByteView a, ByteView b) noexcept;

// An allocator that zeroizes every block before returning it, so reallocation leaves no copies.
template <typename T>
struct ZeroizingAllocator {
  using value_type = T;
  ZeroizingAllocator() noexcept = default;
  template <typename U>
  ZeroizingAllocator(const ZeroizingAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_zero(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <typename U>
  bool operator==(const ZeroizingAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size, 0) {}
  explicit SecretBytes(ByteView bytes) : bytes_(bytes.begin(), bytes.end()) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
    return *this;
  }
  ~SecretBytes() = default;  // the allocator zeroizes

  // Takes ownership of a plain buffer and wipes the source.
  static SecretBytes take(Bytes& plain);

  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  const std::uint8_t* data() const noexcept { return bytes_.data(); }
  std::uint8_t* data() noexcept { return bytes_.data(); }
  ByteView view() const noexcept { return {bytes_.data(), bytes_.size()}; }
  MutableByteView mutable_view() noexcept { return {bytes_.data(), bytes_.size()}; }
  void resize(std::size_t size) { bytes_.resize(size, 0); }
  void append(ByteView tail) { bytes_.insert(bytes_.end(), tail.begin(), tail.end()); }
  void clear() noexcept { bytes_.clear(); }

  // Deliberate exposure, for wire formats and tests; greppable on purpose.
  Bytes reveal() const { return Bytes(bytes_.begin(), bytes_.end()); }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
    return constant_time_equal(a.view(), b.view());
  }

 private:
  std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>> bytes_;
};

}  // namespace sefleet

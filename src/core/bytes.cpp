#include "core/bytes.hpp"

#include "core/error.hpp"

namespace sefleet {

void append(Bytes& out, ByteView tail) {
  if (tail.empty()) {
    return;
  }
  // Copy first when the source lives inside `out`, since insert may reallocate.
  const bool aliases = !out.empty() && tail.data() >= out.data() && tail.data() < out.data() + out.size();
  if (aliases) {
    Bytes copy(tail.begin(), tail.end());
    out.insert(out.end(), copy.begin(), copy.end());
  } else {
    out.insert(out.end(), tail.begin(), tail.end());
  }
}

Bytes concat(std::initializer_list<ByteView> parts) {
  std::size_t total = 0;
  for (const auto& part : parts) {
    total += part.size();
  }
  Bytes out;
  out.reserve(total);
  for (const auto& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

void put_be16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put_be24(Bytes& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 16));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put_be32(Bytes& out, std::uint32_t value) {
  put_be16(out, static_cast<std::uint16_t>(value >> 16));
  put_be16(out, static_cast<std::uint16_t>(value));
}

void put_be64(Bytes& out, std::uint64_t value) {
  put_be32(out, static_cast<std::uint32_t>(value >> 32));
  put_be32(out, static_cast<std::uint32_t>(value));
}

std::uint64_t read_be(ByteView view) {
  if (view.size() > 8) {
    throw Error(Errc::invalid_argument, "read_be: more than 8 bytes");
  }
  std::uint64_t value = 0;
  for (const auto byte : view) {
    value = (value << 8) | byte;
  }
  return value;
}

std::uint16_t read_be16(ByteView view, std::size_t offset) {
  return static_cast<std::uint16_t>(read_be(checked_slice(view, offset, 2, "16-bit field")));
}

std::uint32_t read_be32(ByteView view, std::size_t offset) {
  return static_cast<std::uint32_t>(read_be(checked_slice(view, offset, 4, "32-bit field")));
}

ByteView checked_slice(ByteView view, std::size_t offset, std::size_t length, std::string_view what) {
  if (offset > view.size() || length > view.size() - offset) {
    throw Error(Errc::out_of_range, std::string(what) + ": needs " + std::to_string(length) + " bytes at offset " +
                                        std::to_string(offset) + ", only " + std::to_string(view.size()) +
                                        " available");
  }
  return view.subspan(offset, length);
}

}  // namespace sefleet

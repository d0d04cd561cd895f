// Helpers shared by the NVM store tests: byte patterns, raw file surgery, state snapshots.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "card/nvm/nvm_store.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::nvm::test {

using State = std::map<std::string, Bytes, std::less<>>;

inline Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  return out;
}

inline Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline void flip_byte(const std::filesystem::path& path, std::size_t offset) {
  Bytes bytes = read_file(path);
  bytes.at(offset) ^= 0x5A;
  write_file(path, bytes);
}

inline State reopen_state(const std::filesystem::path& path) {
  return NvmStore::open_file(path, false).committed();
}

}  // namespace sefleet::card::nvm::test

#include "crypto/ghash.hpp"

#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {
namespace {

struct Element {
  std::uint64_t hi;  // bits 0..63 of the GCM bit order (bit 0 = the most significant bit of byte 0)
  std::uint64_t lo;  // bits 64..127
};

Element load(const std::uint8_t* bytes) {
  Element e{0, 0};
  for (int i = 0; i < 8; ++i) {
    e.hi = (e.hi << 8) | bytes[i];
    e.lo = (e.lo << 8) | bytes[8 + i];
  }
  return e;
}

void store(const Element& e, std::uint8_t* bytes) {
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(e.hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(e.lo >> (56 - 8 * i));
  }
}

// X * Y in GF(2^128) with GCM's reduction polynomial (R = 11100001 || 0^120), SP 800-38D Algorithm 1.
// Every step runs whatever the bits are: masks replace the branches.
Element multiply(const Element& x, const Element& y) {
  Element z{0, 0};
  Element v = y;
  for (int i = 0; i < 128; ++i) {
    const std::uint64_t word = i < 64 ? x.hi : x.lo;
    const std::uint64_t bit = (word >> (63 - (i & 63))) & 1U;
    const std::uint64_t take = 0 - bit;
    z.hi ^= v.hi & take;
    z.lo ^= v.lo & take;
    const std::uint64_t carry = 0 - (v.lo & 1U);
    v.lo = (v.lo >> 1) | (v.hi << 63);
    v.hi = (v.hi >> 1) ^ (0xE100000000000000ULL & carry);
  }
  return z;
}

}  // namespace

void ghash_update(const GhashBlock& h, GhashBlock& y, ByteView data) {
  if (data.size() % 16 != 0) {
    throw Error(Errc::invalid_argument,
                "GHASH: input of " + std::to_string(data.size()) + " bytes is not a multiple of 16");
  }
  const Element hash_key = load(h.data());
  Element state = load(y.data());
  for (std::size_t offset = 0; offset < data.size(); offset += 16) {
    const Element block = load(data.data() + offset);
    state = multiply({state.hi ^ block.hi, state.lo ^ block.lo}, hash_key);
  }
  store(state, y.data());
}

}  // namespace sefleet::crypto

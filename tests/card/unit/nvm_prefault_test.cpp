// prefault_for_writing maps pages and changes no byte, whatever the buffer's alignment and size.
#include <gtest/gtest.h>

#include "card/nvm/prefault.hpp"
#include "core/bytes.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card::nvm {
namespace {

TEST(NvmPrefault, TheBytesOfTheBufferAndItsNeighboursAreUnchanged) {
  for (const std::size_t size : {0u, 1u, 100u, 4095u, 4096u, 4097u, 300000u}) {
    for (const std::size_t offset : {0u, 1u, 17u}) {
      Bytes buffer = test::pattern(size + 64, static_cast<std::uint8_t>(size + offset));
      const Bytes expected = buffer;
      prefault_for_writing(buffer.data() + offset, size);
      EXPECT_EQ(buffer, expected) << size << " bytes at offset " << offset;
    }
  }
  Bytes reserved;
  reserved.reserve(200000);
  prefault_for_writing(reserved.data(), reserved.capacity());
  reserved.assign(150000, 0x5A);
  EXPECT_EQ(reserved[149999], 0x5A);
  prefault_for_writing(nullptr, 4096);  // nothing to do
}

}  // namespace
}  // namespace sefleet::card::nvm

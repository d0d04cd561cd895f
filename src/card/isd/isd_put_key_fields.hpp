// The PUT KEY data field (GPCS §11.8.2.3) as both PUT KEY handlers read it: SCP03 key sets
// (isd_put_key.cpp) and ECC keys (isd_put_key_ecc.cpp). Every reading error is 6A80.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card::isd::put_key_fields {

inline constexpr std::uint8_t kKeyTypeExtended = 0xFF;  // 'FF xx': the extended format (Table 11-69)

// Throws StatusWordError(6A80) with `why`.
[[noreturn]] void wrong_data(const char* why);

// Reads the PUT KEY data field front to back; running past the end is wrong data.
class FieldReader {
 public:
  explicit FieldReader(ByteView data) : data_(data) {}
  bool done() const noexcept { return at_ == data_.size(); }
  std::uint8_t peek() const;
  std::uint8_t byte();
  ByteView take(std::size_t count);
  // A BER length as GPCS §11.8.2.3.1 codes it: '01'..'80' (128 in one byte for backward
  // compatibility), '81 80'..'81 FF', '82 0100'..'82 FFFF'.
  std::size_t length();
  ByteView rest();

 private:
  ByteView data_;
  std::size_t at_ = 0;
};

// One key data field in the basic format (GPCS Table 11-68): its key components (type, key component
// block) and the key check value.
struct KeyComponent {
  std::uint8_t type = 0;
  ByteView block;
};
struct KeyDataField {
  std::vector<KeyComponent> components;
  ByteView kcv;
};

KeyDataField read_key_data_field(FieldReader& reader);

}  // namespace sefleet::card::isd::put_key_fields

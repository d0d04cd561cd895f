#include "card/isd/isd_put_key_fields.hpp"

#include "card/isd/isd_command.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd::put_key_fields {

void wrong_data(const char* why) {
  throw StatusWordError(iso7816::sw::kWrongData, why);
}

std::uint8_t FieldReader::peek() const {
  if (done()) wrong_data("PUT KEY: key data field truncated");
  return data_[at_];
}

std::uint8_t FieldReader::byte() {
  const std::uint8_t value = peek();
  ++at_;
  return value;
}

ByteView FieldReader::take(std::size_t count) {
  if (data_.size() - at_ < count) wrong_data("PUT KEY: key data field truncated");
  const ByteView out = data_.subspan(at_, count);
  at_ += count;
  return out;
}

std::size_t FieldReader::length() {
  const std::uint8_t first = byte();
  if (first >= 0x01 && first <= 0x80) return first;
  if (first == 0x81) {
    const std::uint8_t value = byte();
    if (value < 0x80) wrong_data("PUT KEY: length not minimally coded");
    return value;
  }
  if (first == 0x82) {
    const std::size_t high = byte();  // two statements: the operands of | are unsequenced
    const std::size_t value = (high << 8) | byte();
    if (value < 0x100) wrong_data("PUT KEY: length not minimally coded");
    return value;
  }
  wrong_data("PUT KEY: bad length");
}

ByteView FieldReader::rest() {
  const ByteView out = data_.subspan(at_);
  at_ = data_.size();
  return out;
}

KeyDataField read_key_data_field(FieldReader& reader) {
  KeyDataField field;
  if (reader.peek() == kKeyTypeExtended) wrong_data("PUT KEY: the extended key format (FF xx) is not supported");
  // Key types are 80..FE, key check value lengths 00..7F: the next byte tells which follows.
  while (reader.peek() >= 0x80) {
    const std::uint8_t type = reader.byte();
    if (type == kKeyTypeExtended) wrong_data("PUT KEY: the extended key format (FF xx) is not supported");
    const std::size_t length = reader.length();
    field.components.push_back({type, reader.take(length)});
  }
  if (field.components.empty()) wrong_data("PUT KEY: key data field without a key type");
  field.kcv = reader.take(reader.byte());
  return field;
}

}  // namespace sefleet::card::isd::put_key_fields

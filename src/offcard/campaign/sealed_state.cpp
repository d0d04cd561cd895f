#include "offcard/campaign/sealed_state.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "offcard/campaign/online_session.hpp"

namespace sefleet::offcard::sealed {
namespace {

constexpr std::size_t kKeyWrapBlock = 8;

}  // namespace

void malformed(const std::string& what) {
  throw OnlineSessionError(Errc::integrity_error, OnlineRefusal::bad_request, "online session state: " + what);
}

Writer::Writer(std::uint8_t kind, std::int64_t expires_at, ByteView binding) {
  byte(kVersion);
  byte(kind);
  time(expires_at);
  field(binding);
}

void Writer::time(std::int64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8)
    byte(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> shift));
}

void Writer::field(ByteView value) {
  if (value.size() > 0xFFFF) throw Error(Errc::invalid_argument, "online session state: field over 65535 bytes");
  byte(static_cast<std::uint8_t>(value.size() >> 8));
  byte(static_cast<std::uint8_t>(value.size()));
  out_.append(value);
}

Bytes Writer::seal(Keystore& keystore, const KeyRef& kek) {
  byte(0x80);
  while (out_.size() % kKeyWrapBlock != 0) byte(0x00);
  return keystore.wrap(kek, out_.view());
}

std::uint8_t Reader::byte() {
  if (pos_ >= in_.size()) malformed("truncated");
  return in_[pos_++];
}

std::int64_t Reader::time() {
  std::uint64_t value = 0;
  for (int k = 0; k < 8; ++k) value = (value << 8) | byte();
  return static_cast<std::int64_t>(value);
}

ByteView Reader::field() {
  const std::size_t size = (static_cast<std::size_t>(byte()) << 8) | byte();
  if (in_.size() - pos_ < size) malformed("truncated");
  const ByteView out = in_.subspan(pos_, size);
  pos_ += size;
  return out;
}

void Reader::finish() {
  if (byte() != 0x80) malformed("bad padding");
  while (pos_ < in_.size()) {
    if (in_[pos_++] != 0x00) malformed("bad padding");
  }
}

SecretBytes open(Keystore& keystore, const KeyRef& kek, ByteView sealed) {
  if (sealed.size() < 3 * kKeyWrapBlock || sealed.size() % kKeyWrapBlock != 0) malformed("not a sealed blob");
  try {
    return keystore.unwrap(kek, sealed);
  } catch (const Error& error) {
    if (error.code() != Errc::integrity_error) throw;
    malformed("does not verify under '" + kek.text() + "' (altered, or sealed by another key)");
  }
}

std::int64_t read_header(Reader& in, std::uint8_t kind) {
  if (in.byte() != kVersion || in.byte() != kind) malformed("unknown version or kind");
  return in.time();
}

void check_binding(Reader& in, ByteView binding) {
  const ByteView sealed_for = in.field();
  if (sealed_for.size() != binding.size() || !std::equal(sealed_for.begin(), sealed_for.end(), binding.begin())) {
    malformed("sealed for another campaign or terminal");
  }
}

}  // namespace sefleet::offcard::sealed

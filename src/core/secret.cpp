#include "core/secret.hpp"

#include <cstring>

namespace sefleet {

void secure_zero(void* data, std::size_t size) noexcept {
  if (data == nullptr || size == 0) {
    return;
  }
  // glibc's explicit_bzero is documented not to be optimized away.
  explicit_bzero(data, size);
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  }
  return diff == 0;
}

SecretBytes SecretBytes::take(Bytes& plain) {
  SecretBytes secret{ByteView(plain)};
  secure_zero(plain.data(), plain.size());
  plain.clear();
  return secret;
}

}  // namespace sefleet

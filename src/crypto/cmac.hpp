// AES-CMAC (NIST SP 800-38B) over OpenSSL's EVP_MAC. The key is set once; every new MAC only resets
// the state. Not thread-safe: one object per thread.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

using Mac16 = std::array<std::uint8_t, 16>;

class Cmac {
 public:
  explicit Cmac(ByteView key);  // 16, 24 or 32 bytes
  Cmac(Cmac&&) noexcept = default;
  Cmac& operator=(Cmac&&) noexcept = default;
  Cmac(const Cmac&) = delete;
  Cmac& operator=(const Cmac&) = delete;
  ~Cmac() = default;

  // Streaming use: begin(), update()..., finish().
  void begin();
  void update(ByteView data);
  Mac16 finish();

  // One-shot MAC over the concatenation of the parts.
  Mac16 compute(ByteView data);
  Mac16 compute(std::initializer_list<ByteView> parts);

 private:
  detail::MacCtx ctx_;
};

// Convenience one-shot (builds a context; use Cmac for repeated MACs under one key).
Mac16 aes_cmac(ByteView key, ByteView data);

}  // namespace sefleet::crypto

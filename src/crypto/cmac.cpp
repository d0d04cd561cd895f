#include "crypto/cmac.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstdint>
#include <mutex>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {

namespace {

// One CMAC context per AES key size, set up once with its cipher and a throwaway key. Naming the
// cipher in EVP_MAC_init makes OpenSSL 3 search its method store by name (locks, string compares) on
// every call; duplicating this template and then setting only the key skips that search and makes a
// new Cmac about 1.7x cheaper (docs/benchmarks.md, "HSM role"). The templates are never modified
// after their set-up, and EVP_MAC_CTX_dup only reads its source, so threads may share them.
const EVP_MAC_CTX* cmac_template(std::size_t key_size) {
  static std::once_flag flags[3];
  static EVP_MAC_CTX* templates[3] = {nullptr, nullptr, nullptr};
  const std::size_t index = key_size / 8 - 2;  // 16, 24, 32 -> 0, 1, 2
  std::call_once(flags[index], [&] {
    detail::MacCtx ctx(EVP_MAC_CTX_new(detail::cmac_algorithm()));
    if (!ctx) return;
    std::string cipher = "AES-" + std::to_string(key_size * 8) + "-CBC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher.data(), 0),
                                 OSSL_PARAM_construct_end()};
    const std::uint8_t throwaway[32] = {};
    if (EVP_MAC_init(ctx.get(), throwaway, key_size, params) == 1) templates[index] = ctx.release();
  });
  if (templates[index] == nullptr) detail::throw_openssl("CMAC template init");
  return templates[index];
}

}  // namespace

Cmac::Cmac(ByteView key) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, "CMAC key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  ctx_.reset(EVP_MAC_CTX_dup(cmac_template(key.size())));
  if (!ctx_) detail::throw_openssl("EVP_MAC_CTX_dup");
  // No parameters: the cipher stays the template's; only the key (and its subkeys) is set.
  if (EVP_MAC_init(ctx_.get(), key.data(), key.size(), nullptr) != 1) {
    detail::throw_openssl("CMAC init");
  }
}

void Cmac::begin() {
  // A NULL key keeps the expanded key and the subkeys; only the running state is reset.
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) detail::throw_openssl("CMAC reset");
}

void Cmac::update(ByteView data) {
  if (!data.empty() && EVP_MAC_update(ctx_.get(), data.data(), data.size()) != 1) {
    detail::throw_openssl("CMAC update");
  }
}

Mac16 Cmac::finish() {
  Mac16 out{};
  std::size_t length = 0;
  if (EVP_MAC_final(ctx_.get(), out.data(), &length, out.size()) != 1 || length != out.size()) {
    detail::throw_openssl("CMAC final");
  }
  return out;
}

Mac16 Cmac::compute(ByteView data) {
  begin();
  update(data);
  return finish();
}

Mac16 Cmac::compute(std::initializer_list<ByteView> parts) {
  begin();
  for (const auto& part : parts) update(part);
  return finish();
}

Mac16 aes_cmac(ByteView key, ByteView data) { return Cmac(key).compute(data); }

}  // namespace sefleet::crypto

#include "crypto/cmac.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {

Cmac::Cmac(ByteView key) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, "CMAC key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  ctx_.reset(EVP_MAC_CTX_new(detail::cmac_algorithm()));
  if (!ctx_) detail::throw_openssl("EVP_MAC_CTX_new");
  std::string cipher = "AES-" + std::to_string(key.size() * 8) + "-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher.data(), 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx_.get(), key.data(), key.size(), params) != 1) {
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

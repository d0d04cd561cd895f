#include "crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {
namespace {

// OpenSSL's own names for the digests, as the HMAC "digest" parameter takes them.
const char* openssl_digest_name(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::sha1:
      return "SHA1";
    case DigestAlgorithm::sha224:
      return "SHA2-224";
    case DigestAlgorithm::sha256:
      return "SHA2-256";
    case DigestAlgorithm::sha384:
      return "SHA2-384";
    case DigestAlgorithm::sha512:
      return "SHA2-512";
  }
  throw Error(Errc::invalid_argument, "HMAC: unknown digest algorithm");
}

std::string label(DigestAlgorithm algorithm) {
  return "HMAC-" + std::string(digest_name(algorithm));
}

}  // namespace

Hmac::Hmac(DigestAlgorithm algorithm, ByteView key)
    : algorithm_(algorithm), ctx_(EVP_MAC_CTX_new(detail::mac_by_name("HMAC"))) {
  if (key.empty()) throw Error(Errc::invalid_argument, label(algorithm) + ": the key is empty");
  if (!ctx_) detail::throw_openssl(label(algorithm) + " context");
  std::string name = openssl_digest_name(algorithm);
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx_.get(), key.data(), key.size(), params) != 1) detail::throw_openssl(label(algorithm) + " init");
}

void Hmac::begin() {
  // A NULL key keeps the prepared inner and outer pads; only the running state is reset.
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) detail::throw_openssl(label(algorithm_) + " reset");
}

void Hmac::update(ByteView data) {
  if (!data.empty() && EVP_MAC_update(ctx_.get(), data.data(), data.size()) != 1) {
    detail::throw_openssl(label(algorithm_) + " update");
  }
}

Bytes Hmac::finish() {
  Bytes out(size());
  std::size_t length = 0;
  if (EVP_MAC_final(ctx_.get(), out.data(), &length, out.size()) != 1 || length != out.size()) {
    detail::throw_openssl(label(algorithm_) + " final");
  }
  begin();
  return out;
}

Bytes Hmac::compute(ByteView data) {
  begin();
  update(data);
  return finish();
}

Bytes Hmac::compute(std::initializer_list<ByteView> parts) {
  begin();
  for (const auto& part : parts) update(part);
  return finish();
}

Bytes hmac(DigestAlgorithm algorithm, ByteView key, ByteView data) {
  return Hmac(algorithm, key).compute(data);
}

}  // namespace sefleet::crypto

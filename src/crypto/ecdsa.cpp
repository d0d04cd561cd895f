#include "crypto/ecdsa.hpp"

#include <openssl/err.h>

#include <memory>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {
namespace {

struct SigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
using Sig = std::unique_ptr<ECDSA_SIG, SigFree>;

detail::PkeyCtx context(EVP_PKEY* key, bool sign) {
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1) {
    detail::throw_openssl(sign ? "ECDSA sign init" : "ECDSA verify init");
  }
  return ctx;
}

// The DER length of a header (tag + length octets) for `length` content bytes.
std::size_t header_size(std::size_t length) noexcept {
  return length < 128 ? 2 : (length < 256 ? 3 : 4);
}

}  // namespace

Bytes ecdsa_sign(const EcPrivateKey& key, DigestAlgorithm digest_algorithm, ByteView message) {
  return ecdsa_sign_hash(key, digest(digest_algorithm, message));
}

Bytes ecdsa_sign_hash(const EcPrivateKey& key, ByteView hash) {
  if (hash.empty()) throw Error(Errc::invalid_argument, "ECDSA: the hash is empty");
  auto ctx = context(key.handle(), true);
  std::size_t length = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &length, hash.data(), hash.size()) != 1) detail::throw_openssl("ECDSA sign");
  Bytes signature(length);
  if (EVP_PKEY_sign(ctx.get(), signature.data(), &length, hash.data(), hash.size()) != 1) {
    detail::throw_openssl("ECDSA sign");
  }
  signature.resize(length);
  return signature;
}

bool ecdsa_verify(const EcPublicKey& key, DigestAlgorithm digest_algorithm, ByteView message, ByteView der_signature) {
  return ecdsa_verify_hash(key, digest(digest_algorithm, message), der_signature);
}

bool ecdsa_verify_hash(const EcPublicKey& key, ByteView hash, ByteView der_signature) {
  if (hash.empty() || der_signature.empty()) return false;
  auto ctx = context(key.handle(), false);
  const int ok = EVP_PKEY_verify(ctx.get(), der_signature.data(), der_signature.size(), hash.data(), hash.size());
  ERR_clear_error();
  return ok == 1;
}

std::size_t ecdsa_max_der_size(const EcCurve& curve) noexcept {
  const std::size_t integer = curve.order_size() + 1;  // a leading 00 when the top bit is set
  const std::size_t content = 2 * (header_size(integer) + integer);
  return header_size(content) + content;
}

Bytes ecdsa_der_to_raw(ByteView der, std::size_t integer_size) {
  const unsigned char* p = der.data();
  Sig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    ERR_clear_error();
    throw Error(Errc::parse_error, "ECDSA: not a DER signature (" + std::to_string(der.size()) + " bytes)");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (static_cast<std::size_t>(BN_num_bytes(r)) > integer_size ||
      static_cast<std::size_t>(BN_num_bytes(s)) > integer_size) {
    throw Error(Errc::parse_error, "ECDSA: an integer of the signature is longer than " + std::to_string(integer_size));
  }
  Bytes raw = detail::bytes_of_bn(r, integer_size);
  const Bytes s_bytes = detail::bytes_of_bn(s, integer_size);
  raw.insert(raw.end(), s_bytes.begin(), s_bytes.end());
  return raw;
}

Bytes ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    throw Error(Errc::invalid_argument, "ECDSA: r || s must have an even, non-zero length");
  }
  const std::size_t half = raw.size() / 2;
  Sig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    detail::throw_openssl("ECDSA signature");
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) detail::throw_openssl("ECDSA signature encoding");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

}  // namespace sefleet::crypto

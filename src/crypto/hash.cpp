#include "crypto/hash.hpp"

namespace sefleet::crypto {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> digest(int bits, ByteView data) {
  std::array<std::uint8_t, N> out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, detail::sha_algorithm(bits), nullptr) != 1 ||
      length != N) {
    detail::throw_openssl("SHA-2 digest");
  }
  return out;
}

}  // namespace

Digest256 sha256(ByteView data) {
  return digest<32>(256, data);
}
Digest384 sha384(ByteView data) {
  return digest<48>(384, data);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), detail::sha_algorithm(256), nullptr) != 1) {
    detail::throw_openssl("SHA-256 init");
  }
}

void Sha256::update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    detail::throw_openssl("SHA-256 update");
  }
}

Digest256 Sha256::finish() {
  Digest256 out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &length) != 1 ||
      EVP_DigestInit_ex2(ctx_.get(), detail::sha_algorithm(256), nullptr) != 1) {
    detail::throw_openssl("SHA-256 final");
  }
  return out;
}

}  // namespace sefleet::crypto

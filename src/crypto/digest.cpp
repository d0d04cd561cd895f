#include "crypto/digest.hpp"

#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {

std::size_t digest_size(DigestAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case DigestAlgorithm::sha1:
      return 20;
    case DigestAlgorithm::sha224:
      return 28;
    case DigestAlgorithm::sha256:
      return 32;
    case DigestAlgorithm::sha384:
      return 48;
    case DigestAlgorithm::sha512:
      return 64;
  }
  return 0;
}

std::size_t digest_block_size(DigestAlgorithm algorithm) noexcept {
  return (algorithm == DigestAlgorithm::sha384 || algorithm == DigestAlgorithm::sha512) ? 128 : 64;
}

std::string_view digest_name(DigestAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case DigestAlgorithm::sha1:
      return "SHA-1";
    case DigestAlgorithm::sha224:
      return "SHA-224";
    case DigestAlgorithm::sha256:
      return "SHA-256";
    case DigestAlgorithm::sha384:
      return "SHA-384";
    case DigestAlgorithm::sha512:
      return "SHA-512";
  }
  return "unknown";
}

std::optional<DigestAlgorithm> digest_of_size(std::size_t size) noexcept {
  for (const auto algorithm : {DigestAlgorithm::sha1, DigestAlgorithm::sha224, DigestAlgorithm::sha256,
                               DigestAlgorithm::sha384, DigestAlgorithm::sha512}) {
    if (digest_size(algorithm) == size) return algorithm;
  }
  return std::nullopt;
}

namespace detail {

const EVP_MD* evp_digest(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::sha1:
      return digest_by_name("SHA1");
    case DigestAlgorithm::sha224:
      return digest_by_name("SHA2-224");
    case DigestAlgorithm::sha256:
      return digest_by_name("SHA2-256");
    case DigestAlgorithm::sha384:
      return digest_by_name("SHA2-384");
    case DigestAlgorithm::sha512:
      return digest_by_name("SHA2-512");
  }
  throw Error(Errc::invalid_argument, "unknown digest algorithm");
}

}  // namespace detail

Bytes digest(DigestAlgorithm algorithm, ByteView data) {
  Bytes out(digest_size(algorithm));
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, detail::evp_digest(algorithm), nullptr) != 1 ||
      length != out.size()) {
    detail::throw_openssl(std::string(digest_name(algorithm)) + " digest");
  }
  return out;
}

MessageDigest::MessageDigest(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), detail::evp_digest(algorithm), nullptr) != 1) {
    detail::throw_openssl(std::string(digest_name(algorithm)) + " init");
  }
}

MessageDigest::MessageDigest(const MessageDigest& other) : algorithm_(other.algorithm_), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) {
    detail::throw_openssl(std::string(digest_name(algorithm_)) + " copy");
  }
}

MessageDigest& MessageDigest::operator=(const MessageDigest& other) {
  if (this != &other) {
    MessageDigest copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void MessageDigest::update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    detail::throw_openssl(std::string(digest_name(algorithm_)) + " update");
  }
}

Bytes MessageDigest::finish() {
  Bytes out(size());
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &length) != 1 || length != out.size()) {
    detail::throw_openssl(std::string(digest_name(algorithm_)) + " final");
  }
  reset();
  return out;
}

void MessageDigest::reset() {
  if (EVP_DigestInit_ex2(ctx_.get(), detail::evp_digest(algorithm_), nullptr) != 1) {
    detail::throw_openssl(std::string(digest_name(algorithm_)) + " reset");
  }
}

}  // namespace sefleet::crypto

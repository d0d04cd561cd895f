#include "crypto/aes_ctr.hpp"

#include <limits>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {
namespace {

void check_counter(ByteView counter) {
  if (counter.size() != kAesBlock) {
    throw Error(Errc::invalid_argument,
                "AES-CTR: the initial counter block must be 16 bytes, got " + std::to_string(counter.size()));
  }
}

}  // namespace

AesCtr::AesCtr(ByteView key, ByteView initial_counter) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, "AES-CTR key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  check_counter(initial_counter);
  ctx_.reset(EVP_CIPHER_CTX_new());
  if (!ctx_ || EVP_EncryptInit_ex2(ctx_.get(), detail::aes_cipher("CTR", key.size()), key.data(),
                                   initial_counter.data(), nullptr) != 1) {
    detail::throw_openssl("AES-CTR init");
  }
}

void AesCtr::restart(ByteView initial_counter) {
  check_counter(initial_counter);
  // Only a new IV: the expanded key stays, and the partial-block position resets.
  if (EVP_EncryptInit_ex2(ctx_.get(), nullptr, nullptr, initial_counter.data(), nullptr) != 1) {
    detail::throw_openssl("AES-CTR restart");
  }
}

void AesCtr::apply(ByteView in, std::uint8_t* out) {
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(Errc::invalid_argument, "AES-CTR: input too large");
  }
  int written = 0;
  if (!in.empty() && (EVP_EncryptUpdate(ctx_.get(), out, &written, in.data(), static_cast<int>(in.size())) != 1 ||
                      static_cast<std::size_t>(written) != in.size())) {
    detail::throw_openssl("AES-CTR update");
  }
}

Bytes AesCtr::apply(ByteView in) {
  Bytes out(in.size());
  apply(in, out.data());
  return out;
}

}  // namespace sefleet::crypto

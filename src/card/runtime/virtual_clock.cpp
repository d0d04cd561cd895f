#include "card/runtime/virtual_clock.hpp"

#include <array>

namespace sefleet::card {

namespace {
constexpr std::array<std::string_view, kSeOperationCount> kNames = {
    "apdu_dispatch",
    "sha256",
    "aes_cbc",
    "cmac",
    "hkdf_sha256",
    "x963_kdf",
    "ecdsa_sign",
    "ecdsa_verify",
    "ec_keygen",
    "ecdh",
    "random",
    "nvm_read",
    "nvm_write_atomic",
    "nvm_write_nonatomic",
    "transaction_commit",
    "sha1",
    "sha512",
    "aes_block",
    "des_block",
    "ghash",
    "crc16",
    "crc32",
    "rsa_public",
    "rsa_private_crt",
    "rsa_private",
    "rsa_keygen",
    "bytecode",
};
static_assert(static_cast<std::size_t>(SeOperation::bytecode) + 1 == kSeOperationCount,
              "kSeOperationCount must count every SeOperation");
}  // namespace

std::string_view se_operation_name(SeOperation op) noexcept {
  const auto index = static_cast<std::size_t>(op);
  return index < kNames.size() ? kNames[index] : std::string_view("unknown");
}

std::optional<SeOperation> parse_se_operation(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<SeOperation>(i);
  }
  return std::nullopt;
}

void VirtualClock::charge(SeOperation op, std::size_t bytes) {
  if (model_ != nullptr) now_ns_ += model_->cost_ns(op, bytes);
}

}  // namespace sefleet::card

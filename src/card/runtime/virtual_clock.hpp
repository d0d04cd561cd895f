// Virtual time of the SE: integer nanoseconds advanced by the cost of each operation the runtime and
// the applet-facing facades perform, so a run is deterministic byte for byte. The cost figures come
// from a CostModel (a JSON profile, src/sim/timing); without one, charge() adds nothing.
// A command's SE time is the clock delta across Runtime::transmit(); deferred work's time is the delta
// across Runtime::after_response().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sefleet::card {

// Operations whose cost a profile gives (names in JSON = these identifiers).
enum class SeOperation : std::uint8_t {
  apdu_dispatch,        // fixed per command handled by the runtime
  sha256,               // per call, bytes = message length
  aes_cbc,              // bytes = data length (encrypt or decrypt)
  cmac,                 // bytes = data length
  hkdf_sha256,          // bytes = output length
  x963_kdf,             // bytes = output length
  ecdsa_sign,           // P-256, bytes = 0 (message hashing included)
  ecdsa_verify,         //
  ec_keygen,            //
  ecdh,                 //
  random,               // bytes = count
  nvm_read,             // bytes = value length
  nvm_write_atomic,     // bytes = value length written inside a transaction
  nvm_write_nonatomic,  // bytes = value length written outside a transaction
  transaction_commit,   // fixed per commit
  // Java Card API algorithms (the natives of javacard.security / javacardx.crypto):
  sha1,             // bytes = message length
  sha512,           // SHA-384 and SHA-512, bytes = message length
  aes_block,        // AES with the key already loaded (ECB/CBC/CTR), bytes = data length
  des_block,        // DES/3DES with the key already loaded, bytes = data length
  ghash,            // GCM's GHASH, bytes = data length
  crc16,            // bytes = data length
  crc32,            // bytes = data length
  rsa_public,       // bytes = modulus length
  rsa_private_crt,  // private key in CRT form, bytes = modulus length
  rsa_private,      // private key as (n, d), bytes = modulus length
  rsa_keygen,       // bytes = modulus length
  bytecode,         // Java Card VM: bytes = bytecodes executed (charged once per VM entry)
};
inline constexpr std::size_t kSeOperationCount = 27;

// "ecdsa_sign"; "unknown" for a value outside the enumeration.
std::string_view se_operation_name(SeOperation op) noexcept;
std::optional<SeOperation> parse_se_operation(std::string_view name) noexcept;

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::uint64_t cost_ns(SeOperation op, std::size_t bytes) const = 0;

 protected:
  CostModel() = default;
  CostModel(const CostModel&) = default;
  CostModel& operator=(const CostModel&) = default;
};

class VirtualClock {
 public:
  explicit VirtualClock(const CostModel* model = nullptr) noexcept : model_(model) {}  // not owned

  std::uint64_t now_ns() const noexcept { return now_ns_; }
  void advance_ns(std::uint64_t ns) noexcept { now_ns_ += ns; }
  // Advances by model->cost_ns(op, bytes); nothing without a model.
  void charge(SeOperation op, std::size_t bytes = 0);
  void set_model(const CostModel* model) noexcept { model_ = model; }
  const CostModel* model() const noexcept { return model_; }

 private:
  const CostModel* model_;
  std::uint64_t now_ns_ = 0;
};

}  // namespace sefleet::card

#include "gp/broadcast/broadcast_keys.hpp"

#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/keywrap.hpp"

namespace sefleet::gp::broadcast {

namespace {

void check_kos(ByteView kos) {
  if (!crypto::is_aes_key_size(kos.size())) {
    throw Error(Errc::invalid_argument, "Kos must be 16, 24 or 32 bytes, got " + std::to_string(kos.size()));
  }
}

bool is_joined_size(std::size_t size) noexcept {
  return size % 2 == 0 && crypto::is_aes_key_size(size / 2);
}

}  // namespace

void check_broadcast_keys(const BroadcastKeys& keys) {
  if (!crypto::is_aes_key_size(keys.enc.size()) || keys.enc.size() != keys.mac.size()) {
    throw Error(Errc::invalid_argument, "broadcast keys: BK-ENC (" + std::to_string(keys.enc.size()) +
                                            " bytes) and BK-MAC (" + std::to_string(keys.mac.size()) +
                                            " bytes) must be AES keys of the same length");
  }
}

SecretBytes join_broadcast_keys(const BroadcastKeys& keys) {
  check_broadcast_keys(keys);
  SecretBytes joined(keys.enc.view());
  joined.append(keys.mac.view());
  return joined;
}

BroadcastKeys split_broadcast_keys(ByteView joined) {
  if (!is_joined_size(joined.size())) {
    throw Error(Errc::invalid_argument,
                "broadcast keys: BK-ENC || BK-MAC must be 32, 48 or 64 bytes, got " + std::to_string(joined.size()));
  }
  const std::size_t half = joined.size() / 2;
  return BroadcastKeys{SecretBytes(joined.first(half)), SecretBytes(joined.subspan(half))};
}

Bytes wrap_broadcast_keys(ByteView kos, const BroadcastKeys& keys) {
  check_kos(kos);
  const SecretBytes joined = join_broadcast_keys(keys);
  return crypto::aes_key_wrap(kos, joined.view());
}

BroadcastKeys unwrap_broadcast_keys(ByteView kos, ByteView wrapped) {
  check_kos(kos);
  const SecretBytes joined = crypto::aes_key_unwrap(kos, wrapped);  // integrity_error on failure
  if (!is_joined_size(joined.size())) {
    throw Error(Errc::integrity_error, "broadcast keys: unwrapped " + std::to_string(joined.size()) +
                                           " bytes, expected 32, 48 or 64 (two AES keys of the same length)");
  }
  return split_broadcast_keys(joined.view());
}

Bytes integrity_code(ByteView key, ByteView datasend) {
  if (!crypto::is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument,
                "integrity code: key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  const crypto::Mac16 mac = crypto::aes_cmac(key, datasend);
  return Bytes(mac.begin(), mac.end());
}

bool integrity_code_matches(ByteView key, ByteView datasend, ByteView expected) {
  const Bytes actual = integrity_code(key, datasend);
  return constant_time_equal(actual, expected);
}

Bytes wrap_integrity_code(ByteView kos, ByteView code) {
  check_kos(kos);
  if (code.size() != kIntegrityCodeSize) {
    throw Error(Errc::invalid_argument, "integrity code: must be 16 bytes to wrap, got " + std::to_string(code.size()));
  }
  return crypto::aes_key_wrap(kos, code);
}

Bytes unwrap_integrity_code(ByteView kos, ByteView wrapped) {
  check_kos(kos);
  if (wrapped.size() != kWrappedIntegrityCodeSize) {
    throw Error(Errc::integrity_error,
                "wrapped integrity code: must be 24 bytes, got " + std::to_string(wrapped.size()));
  }
  return crypto::aes_key_unwrap(kos, wrapped).reveal();
}

}  // namespace sefleet::gp::broadcast

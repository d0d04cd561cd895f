// The inputs both PAUT benchmarks use (bench/offcard_paut.cpp, bench/offcard_paut_pkcs11.cpp), so that
// the software and the PKCS#11 figures are measured on the same campaign and the same SE identities.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "offcard/campaign/campaign_terms.hpp"
#include "offcard/campaign/hsm_role.hpp"

namespace sefleet::bench {

inline Bytes pattern(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// A profile-3 campaign with fixed keys (Kos = 05 06 ..., BK from fixed patterns).
inline offcard::CampaignTerms profile3_terms() {
  namespace bc = gp::broadcast;
  offcard::CampaignTerms terms;
  terms.campaign_id = bc::CampaignId{0xCA};
  terms.profile = bc::Profile::campaign_key;
  terms.platform_key_version = 1;
  terms.total_length = 1 << 20;
  terms.start.counter = bc::Block16{0x10};
  terms.start.chaining_value = bc::Block16{0xC4};
  const bc::BroadcastKeys bk{SecretBytes(pattern(16, 0x90)), SecretBytes(pattern(16, 0xA0))};
  terms.wrapped_broadcast_keys = bc::wrap_broadcast_keys(pattern(16, 0x05), bk);
  terms.integrity_code = bc::wrap_integrity_code(pattern(16, 0x05), Bytes(16, 0xCC));
  return terms;
}

// The n-th SE: its own identity and KDD, so every PAUT derives a different key set.
inline offcard::SeAuthorizationRequest next_request(std::uint32_t n) {
  offcard::SeAuthorizationRequest request;
  request.se_id = Bytes{'S', 'E', static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                        static_cast<std::uint8_t>(n)};
  request.kdd = Bytes{0x5E,
                      0xF1,
                      0,
                      0,
                      0,
                      0,
                      static_cast<std::uint8_t>(n >> 24),
                      static_cast<std::uint8_t>(n >> 16),
                      static_cast<std::uint8_t>(n >> 8),
                      static_cast<std::uint8_t>(n)};
  request.kvn = 0x30;
  request.i = 0x70;
  request.sequence_counter = n % 0xFFFFF0;
  return request;
}

}  // namespace sefleet::bench

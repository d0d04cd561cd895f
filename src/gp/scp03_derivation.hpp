// SCP03 data derivations (Amd D §6.2.1-6.2.3, Table 4-1): session keys, card and host cryptograms and
// the pseudo-random card challenge. Both roles call these, so host and card can never disagree on a
// layout.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/scp03_types.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::gp {

// Derivation constants.
namespace derivation {
inline constexpr std::uint8_t kCardCryptogram = 0x00;
inline constexpr std::uint8_t kHostCryptogram = 0x01;
inline constexpr std::uint8_t kCardChallenge = 0x02;
inline constexpr std::uint8_t kSEnc = 0x04;
inline constexpr std::uint8_t kSMac = 0x06;
inline constexpr std::uint8_t kSRMac = 0x07;
}  // namespace derivation

struct SessionKeys {
  SecretBytes s_enc;
  SecretBytes s_mac;
  SecretBytes s_rmac;
};

// context = host challenge || card challenge.
SessionKeys derive_session_keys(const StaticKeySet& keys, ByteView host_challenge, ByteView card_challenge);

// Cryptograms are KDF(S-MAC, 00/01, 64 or 128 bits, context).
Bytes card_cryptogram(ByteView s_mac, Scp03Mode mode, ByteView host_challenge, ByteView card_challenge);
Bytes host_cryptogram(ByteView s_mac, Scp03Mode mode, ByteView host_challenge, ByteView card_challenge);

// KDF(static Key-ENC, 02, 64 or 128 bits, sequence counter (3 bytes) || invoking AID (5..16 bytes)).
// Throws Error(Errc::invalid_argument) for a counter above FFFFFF or an AID of the wrong length.
Bytes pseudo_random_card_challenge(ByteView static_enc, Scp03Mode mode, std::uint32_t sequence_counter,
                                   ByteView invoking_aid);

}  // namespace sefleet::gp

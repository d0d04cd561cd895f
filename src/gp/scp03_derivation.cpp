#include "gp/scp03_derivation.hpp"

#include <string>

#include "core/error.hpp"
#include "crypto/kbkdf.hpp"

namespace sefleet::gp {
namespace {

Bytes context_of(ByteView host_challenge, ByteView card_challenge) {
  return concat({host_challenge, card_challenge});
}

Bytes cryptogram(ByteView s_mac, std::uint8_t constant, Scp03Mode mode, ByteView host_challenge,
                 ByteView card_challenge) {
  return crypto::scp03_kdf(s_mac, constant, half_block_size(mode) * 8, context_of(host_challenge, card_challenge))
      .reveal();
}

}  // namespace

SessionKeys derive_session_keys(const StaticKeySet& keys, ByteView host_challenge, ByteView card_challenge) {
  keys.validate();
  const Bytes context = context_of(host_challenge, card_challenge);
  const std::size_t bits = keys.key_size() * 8;
  crypto::Cmac mac_prf(keys.mac.view());
  SessionKeys session;
  session.s_enc = crypto::scp03_kdf(keys.enc.view(), derivation::kSEnc, bits, context);
  session.s_mac = crypto::scp03_kdf(mac_prf, derivation::kSMac, bits, context);
  session.s_rmac = crypto::scp03_kdf(mac_prf, derivation::kSRMac, bits, context);
  return session;
}

Bytes card_cryptogram(ByteView s_mac, Scp03Mode mode, ByteView host_challenge, ByteView card_challenge) {
  return cryptogram(s_mac, derivation::kCardCryptogram, mode, host_challenge, card_challenge);
}

Bytes host_cryptogram(ByteView s_mac, Scp03Mode mode, ByteView host_challenge, ByteView card_challenge) {
  return cryptogram(s_mac, derivation::kHostCryptogram, mode, host_challenge, card_challenge);
}

Bytes pseudo_random_card_challenge(ByteView static_enc, Scp03Mode mode, std::uint32_t sequence_counter,
                                   ByteView invoking_aid) {
  if (sequence_counter > kMaxSequenceCounter) {
    throw Error(Errc::invalid_argument, "SCP03 sequence counter exceeds 3 bytes");
  }
  if (invoking_aid.size() < 5 || invoking_aid.size() > 16) {
    throw Error(Errc::invalid_argument,
                "SCP03 invoking AID must be 5..16 bytes, got " + std::to_string(invoking_aid.size()));
  }
  Bytes context;
  context.reserve(3 + invoking_aid.size());
  put_be24(context, sequence_counter);
  append(context, invoking_aid);
  return crypto::scp03_kdf(static_enc, derivation::kCardChallenge, half_block_size(mode) * 8, context).reveal();
}

}  // namespace sefleet::gp

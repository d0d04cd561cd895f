#include "gp/broadcast/image_envelope.hpp"

#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::gp::broadcast {

std::size_t envelope_size(std::size_t datasend_size) noexcept {
  return kEnvelopeIvSize + (datasend_size / crypto::kAesBlock + 1) * crypto::kAesBlock;
}

Bytes seal_envelope(ByteView kos, ByteView datasend, crypto::Random& random) {
  crypto::Aes aes(kos);  // checks the key size before anything is drawn
  // The padded copy of the plain image is a secret too: wiped once encrypted.
  Bytes padded_plain = crypto::pad80(datasend);
  const SecretBytes padded = SecretBytes::take(padded_plain);
  Bytes envelope(kEnvelopeIvSize + padded.size());
  random.fill(MutableByteView(envelope.data(), kEnvelopeIvSize));
  aes.cbc_encrypt(ByteView(envelope.data(), kEnvelopeIvSize), padded.view(), envelope.data() + kEnvelopeIvSize);
  return envelope;
}

SecretBytes open_envelope(ByteView kos, ByteView envelope) {
  crypto::Aes aes(kos);
  if (envelope.size() < kEnvelopeIvSize + crypto::kAesBlock || envelope.size() % crypto::kAesBlock != 0) {
    throw Error(Errc::integrity_error, "image envelope: " + std::to_string(envelope.size()) +
                                           " bytes is not IV (16) + a positive multiple of 16");
  }
  const ByteView iv = envelope.first(kEnvelopeIvSize);
  const ByteView ciphertext = envelope.subspan(kEnvelopeIvSize);
  SecretBytes plain(ciphertext.size());
  aes.cbc_decrypt(iv, ciphertext, plain.data());
  std::string reason;
  const auto size = crypto::unpadded_size(plain.view(), crypto::PaddingPolicy::strict, crypto::kAesBlock, &reason);
  if (!size) throw Error(Errc::integrity_error, "image envelope: " + reason);
  plain.resize(*size);
  return plain;
}

}  // namespace sefleet::gp::broadcast

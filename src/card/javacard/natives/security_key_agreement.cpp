// KeyAgreement ALG_EC_SVDP_DH_PLAIN / _PLAIN_XY and the cofactor variants (DHC); the SHA-1 of the
// ALG_EC_SVDP_DH(C)(_KDF) algorithms is taken in Java over the plain x-coordinate.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/ecdh.hpp"

namespace sefleet::card::javacard::natives {
namespace {

// ecdh(byte[] domain, short L, byte[] s, short sOffset, byte[] publicPoint, short publicOffset,
//      short publicLength, boolean cofactor, boolean wholePoint, byte[] out, short outOffset) -> short
void ecdh(vm::NativeCall& call) {
  const vm::Ref domain = call.arg_ref(0);
  const std::int16_t field_length = call.arg_short(1);
  const Bytes peer = copy_in(call, call.arg_ref(4), call.arg_short(5), call.arg_short(6));
  const bool cofactor = call.arg_boolean(7);
  const bool whole_point = call.arg_boolean(8);
  const vm::Ref out = call.arg_ref(9);
  const std::int16_t out_offset = call.arg_short(10);
  // Uncompressed (2L+1 bytes) or compressed (L+1) only; the curve check follows in src/crypto.
  const auto l = static_cast<std::size_t>(field_length);
  const bool encoding_ok =
      (peer.size() == 2 * l + 1 && peer[0] == 0x04) || (peer.size() == l + 1 && (peer[0] == 0x02 || peer[0] == 0x03));
  if (!encoding_ok) throw_crypto(call, CryptoReason::illegal_value);
  const crypto::EcPrivateKey& own = ec_private_key(call, domain, field_length, call.arg_ref(2), call.arg_short(3));
  const SecretBytes secret = refused_as(call, CryptoReason::illegal_value, [&] {
    return crypto::ecdh(own, peer, whole_point ? crypto::EcdhOutput::point : crypto::EcdhOutput::x,
                        cofactor ? crypto::EcdhCofactor::with : crypto::EcdhCofactor::without);
  });
  call.charge(SeOperation::ecdh);
  check_output(call, out, out_offset, static_cast<std::int32_t>(secret.size()));
  write_out(call, out, out_offset, secret.view());
  call.return_short(static_cast<std::int16_t>(secret.size()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.ecdh([BS[BS[BSSZZ[BS)S", ecdh},
};

}  // namespace

vm::NativeTable security_key_agreement_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

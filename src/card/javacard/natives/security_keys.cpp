// Key material for KeyPair and the EC key setters: RSA key pair generation into the Java layouts
// (modulus and private exponent, or the five CRT slots), the NIST curves a new EC key starts with, EC key
// pair generation over any checked domain, and public points checked on the curve.
#include <algorithm>

#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/rsa.hpp"

namespace sefleet::card::javacard::natives {
namespace {

ByteView without_leading_zeros(ByteView number) {
  std::size_t first = 0;
  while (first + 1 < number.size() && number[first] == 0) ++first;
  return number.subspan(first);
}

// `value` right-aligned in `size` bytes; CryptoException ILLEGAL_VALUE when it does not fit.
SecretBytes right_aligned(vm::NativeCall& call, ByteView value, std::size_t size) {
  const ByteView significant = without_leading_zeros(value);
  if (significant.size() > size) throw_crypto(call, CryptoReason::illegal_value);
  SecretBytes out(size);
  std::copy(significant.begin(), significant.end(), out.data() + (size - significant.size()));
  return out;
}

// rsaGenerate(short bits, byte[] exponent, byte[] modulusOut, byte[] privateOut, boolean crt)
void rsa_generate(vm::NativeCall& call) {
  const std::int16_t bits = call.arg_short(0);
  const vm::Ref exponent_array = call.arg_ref(1);
  const vm::Ref modulus_out = call.arg_ref(2);
  const vm::Ref private_out = call.arg_ref(3);
  const bool crt = call.arg_boolean(4);
  if (bits < static_cast<std::int16_t>(crypto::kRsaMinBits) || bits > static_cast<std::int16_t>(crypto::kRsaMaxBits) ||
      bits % 8 != 0) {
    throw_crypto(call, CryptoReason::illegal_value);
  }
  const std::int16_t k = static_cast<std::int16_t>(bits / 8);
  const std::int16_t half = static_cast<std::int16_t>(k / 2);
  const Bytes exponent = copy_in(call, exponent_array, 0, k);
  check_output(call, modulus_out, 0, k);
  check_output(call, private_out, 0, crt ? 5 * half + 4 : k);
  // Below 3 or not below 2^(bits-1) (the generator also wants it odd, which Java checked).
  const ByteView e = without_leading_zeros(exponent);
  if ((e.size() == 1 && e[0] < 3) || (exponent[0] & 0x80) != 0) throw_crypto(call, CryptoReason::illegal_value);
  const auto key = refused_as(call, CryptoReason::illegal_value,
                              [&] { return crypto::RsaPrivateKey::generate(static_cast<std::size_t>(bits), e); });
  call.charge(SeOperation::rsa_keygen, static_cast<std::size_t>(k));
  const Bytes modulus = key.modulus();
  if (crt) {
    const auto parts = *key.crt_parts();
    const SecretBytes* slots[] = {&parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qinv};
    SecretBytes aligned[5];
    for (std::size_t i = 0; i < 5; ++i)
      aligned[i] = right_aligned(call, slots[i]->view(), static_cast<std::size_t>(half));
    write_out(call, modulus_out, 0, modulus);
    for (std::int16_t i = 0; i < 5; ++i) write_out(call, private_out, i * (half + 1), aligned[i].view());
  } else {
    const SecretBytes d = right_aligned(call, key.private_exponent().view(), static_cast<std::size_t>(k));
    write_out(call, modulus_out, 0, modulus);
    write_out(call, private_out, 0, d.view());
  }
}

// ecNamedDomain(short bits, byte[] domain): P, A, B, G, R, K of the NIST curve of that size.
void ec_named_domain(vm::NativeCall& call) {
  const std::int16_t bits = call.arg_short(0);
  const vm::Ref domain = call.arg_ref(1);
  std::optional<crypto::NamedCurve> curve_id;
  switch (bits) {
    case 192:
      curve_id = crypto::NamedCurve::secp192r1;
      break;
    case 224:
      curve_id = crypto::NamedCurve::secp224r1;
      break;
    case 256:
      curve_id = crypto::NamedCurve::secp256r1;
      break;
    case 384:
      curve_id = crypto::NamedCurve::secp384r1;
      break;
    case 521:
      curve_id = crypto::NamedCurve::secp521r1;
      break;
    default:
      throw_crypto(call, CryptoReason::illegal_value);
  }
  const crypto::EcCurve curve = crypto::EcCurve::named(*curve_id);
  const crypto::EcCurveParameters& p = curve.parameters();
  const std::size_t l = curve.field_size();
  Bytes layout;
  layout.reserve(6 * l + 4);
  for (const Bytes* part : {&p.p, &p.a, &p.b, &p.g}) layout.insert(layout.end(), part->begin(), part->end());
  const SecretBytes order = right_aligned(call, p.n, l + 1);
  layout.insert(layout.end(), order.view().begin(), order.view().end());
  put_be16(layout, static_cast<std::uint16_t>(p.cofactor));
  check_output(call, domain, 0, static_cast<std::int32_t>(layout.size()));
  write_out(call, domain, 0, layout);
}

// ecGenerate(byte[] domain, short L, byte[] w, short wOffset, byte[] s, short sOffset)
void ec_generate(vm::NativeCall& call) {
  const std::int16_t field_length = call.arg_short(1);
  const vm::Ref w = call.arg_ref(2);
  const std::int16_t w_offset = call.arg_short(3);
  const vm::Ref s = call.arg_ref(4);
  const std::int16_t s_offset = call.arg_short(5);
  const crypto::EcCurve& curve = ec_curve(call, call.arg_ref(0), field_length);
  check_output(call, w, w_offset, 2 * field_length + 1);
  check_output(call, s, s_offset, field_length + 1);
  const auto key = refused_as(call, CryptoReason::illegal_value,
                              [&] { return crypto::EcPrivateKey::generate(curve, call.random()); });
  call.charge(SeOperation::ec_keygen);
  const SecretBytes scalar = right_aligned(call, key.scalar().view(), static_cast<std::size_t>(field_length) + 1);
  write_out(call, w, w_offset, key.public_point());
  write_out(call, s, s_offset, scalar.view());
}

// ecDecodePoint(byte[] domain, short L, byte[] in, short inOffset, short inLength, byte[] out, short outOffset)
// -> short: the point checked on y^2 = x^3 + Ax + B mod P (only P, A, B are read), written uncompressed.
void ec_decode_point(vm::NativeCall& call) {
  const std::int16_t field_length = call.arg_short(1);
  if (field_length <= 0) throw_crypto(call, CryptoReason::illegal_value);
  const Bytes field = copy_in(call, call.arg_ref(0), 0, 3 * field_length);
  const Bytes encoded = copy_in(call, call.arg_ref(2), call.arg_short(3), call.arg_short(4));
  const vm::Ref out = call.arg_ref(5);
  const std::int16_t out_offset = call.arg_short(6);
  if (field[0] == 0) throw_crypto(call, CryptoReason::illegal_value);  // P must fill its L bytes
  const auto l = static_cast<std::size_t>(field_length);
  const Bytes point = refused_as(call, CryptoReason::illegal_value, [&] {
    const ByteView bytes(field);
    return crypto::ec_decode_point(bytes.first(l), bytes.subspan(l, l), bytes.subspan(2 * l, l), encoded);
  });
  check_output(call, out, out_offset, static_cast<std::int32_t>(point.size()));
  write_out(call, out, out_offset, point);
  call.return_short(static_cast<std::int16_t>(point.size()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.rsaGenerate(S[B[B[BZ)V", rsa_generate},
    {"org/sefleet/jcre/security/Primitives.ecNamedDomain(S[B)V", ec_named_domain},
    {"org/sefleet/jcre/security/Primitives.ecGenerate([BS[BS[BS)V", ec_generate},
    {"org/sefleet/jcre/security/Primitives.ecDecodePoint([BS[BSS[BS)S", ec_decode_point},
};

}  // namespace

vm::NativeTable security_key_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

#include "card/javacard/natives/crypto_support.hpp"

#include <algorithm>
#include <string>

namespace sefleet::card::javacard::natives {
namespace {

constexpr std::string_view kCryptoException = "javacard/security/CryptoException";

// ---- side-table entries ----

struct RsaPrivateEntry final : vm::NativeCacheEntry {
  RsaPrivateEntry(std::int8_t form_in, SecretBytes source_in, crypto::RsaPrivateKey key_in)
      : form(form_in), source(std::move(source_in)), key(std::move(key_in)) {}
  std::int8_t form;
  SecretBytes source;  // the component bytes the key was parsed from
  crypto::RsaPrivateKey key;
};

struct RsaPublicEntry final : vm::NativeCacheEntry {
  RsaPublicEntry(Bytes source_in, crypto::RsaPublicKey key_in) : source(std::move(source_in)), key(std::move(key_in)) {}
  Bytes source;
  crypto::RsaPublicKey key;
};

struct EcCurveEntry final : vm::NativeCacheEntry {
  EcCurveEntry(Bytes source_in, crypto::EcCurve curve_in) : source(std::move(source_in)), curve(std::move(curve_in)) {}
  Bytes source;  // the domain bytes
  crypto::EcCurve curve;
};

struct EcPrivateEntry final : vm::NativeCacheEntry {
  EcPrivateEntry(Bytes domain_in, std::int16_t offset_in, SecretBytes scalar_in, crypto::EcPrivateKey key_in)
      : domain(std::move(domain_in)), offset(offset_in), scalar(std::move(scalar_in)), key(std::move(key_in)) {}
  Bytes domain;
  std::int16_t offset;
  SecretBytes scalar;
  crypto::EcPrivateKey key;
};

struct EcPublicEntry final : vm::NativeCacheEntry {
  EcPublicEntry(Bytes domain_in, std::int16_t offset_in, Bytes point_in, std::optional<crypto::EcPublicKey> key_in)
      : domain(std::move(domain_in)), offset(offset_in), point(std::move(point_in)), key(std::move(key_in)) {}
  Bytes domain;
  std::int16_t offset;
  Bytes point;
  std::optional<crypto::EcPublicKey> key;  // nullopt: not a point of the curve
};

ByteView strip_leading_zeros(ByteView number) {
  std::size_t first = 0;
  while (first + 1 < number.size() && number[first] == 0) ++first;
  return number.subspan(first);
}

// The RSA component bytes of form 2 (modulus || private exponent) or 3 (the CRT array).
SecretBytes rsa_source(vm::NativeCall& call, std::int8_t form, vm::Ref a, vm::Ref b, std::int16_t k) {
  if (form == kRsaCrt) {
    const std::int32_t half = k / 2;
    return copy_secret(call, a, 0, 5 * half + 4);  // five slots of half + 1 bytes, without the last flag
  }
  SecretBytes source = copy_secret(call, a, 0, k);
  source.append(copy_secret(call, b, 0, k).view());
  return source;
}

crypto::RsaPrivateKey parse_rsa_private(std::int8_t form, ByteView source, std::int16_t k) {
  if (form == kRsaCrt) {
    const std::size_t half = static_cast<std::size_t>(k / 2);
    const auto slot = [&](std::size_t index) {
      return SecretBytes(strip_leading_zeros(source.subspan(index * (half + 1), half)));
    };
    return crypto::RsaPrivateKey::from_crt(crypto::RsaCrtParts{slot(0), slot(1), slot(2), slot(3), slot(4)});
  }
  const auto size = static_cast<std::size_t>(k);
  return crypto::RsaPrivateKey::from_modulus_and_private_exponent(source.first(size), source.subspan(size, size));
}

}  // namespace

void throw_crypto(vm::NativeCall& call, CryptoReason reason) {
  call.throw_exception(kCryptoException, static_cast<std::int16_t>(reason));
}

Bytes copy_in(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length) {
  const ByteView view = call.bytes(array, offset, length);
  return Bytes(view.begin(), view.end());
}

SecretBytes copy_secret(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length) {
  return SecretBytes(call.bytes(array, offset, length));
}

void check_output(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length) {
  (void)call.bytes(array, offset, length);
}

void write_out(vm::NativeCall& call, vm::Ref array, std::int32_t offset, ByteView data) {
  call.write_bytes(array, offset, data, vm::Atomicity::non_atomic);
}

std::optional<crypto::DigestAlgorithm> digest_of_code(std::int8_t code) noexcept {
  switch (code) {
    case 1:
      return crypto::DigestAlgorithm::sha1;
    case 4:
      return crypto::DigestAlgorithm::sha256;
    case 5:
      return crypto::DigestAlgorithm::sha384;
    case 6:
      return crypto::DigestAlgorithm::sha512;
    case 7:
      return crypto::DigestAlgorithm::sha224;
    default:
      return std::nullopt;
  }
}

SeOperation digest_operation(crypto::DigestAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case crypto::DigestAlgorithm::sha1:
      return SeOperation::sha1;
    case crypto::DigestAlgorithm::sha224:
    case crypto::DigestAlgorithm::sha256:
      return SeOperation::sha256;
    case crypto::DigestAlgorithm::sha384:
    case crypto::DigestAlgorithm::sha512:
      return SeOperation::sha512;
  }
  return SeOperation::sha256;
}

const crypto::RsaPrivateKey& rsa_private_key(vm::NativeCall& call, std::int8_t form, vm::Ref a, vm::Ref b,
                                             std::int16_t k) {
  if ((form != kRsaPrivate && form != kRsaCrt) || k <= 0) throw_crypto(call, CryptoReason::illegal_value);
  SecretBytes source = rsa_source(call, form, a, b, k);
  if (const auto* entry = call.cached<RsaPrivateEntry>(a);
      entry != nullptr && entry->form == form && entry->source == source) {
    return entry->key;
  }
  auto key = refused_as(call, CryptoReason::illegal_value, [&] { return parse_rsa_private(form, source.view(), k); });
  return call.cache<RsaPrivateEntry>(a, form, std::move(source), std::move(key)).key;
}

const crypto::RsaPublicKey& rsa_public_key(vm::NativeCall& call, vm::Ref modulus, vm::Ref exponent, std::int16_t k) {
  if (k <= 0) throw_crypto(call, CryptoReason::illegal_value);
  Bytes source = copy_in(call, modulus, 0, k);
  const Bytes e = copy_in(call, exponent, 0, k);
  source.insert(source.end(), e.begin(), e.end());
  if (const auto* entry = call.cached<RsaPublicEntry>(modulus); entry != nullptr && entry->source == source) {
    return entry->key;
  }
  const auto size = static_cast<std::size_t>(k);
  auto key = refused_as(call, CryptoReason::illegal_value, [&] {
    return crypto::RsaPublicKey::from_components(ByteView(source).first(size),
                                                 strip_leading_zeros(ByteView(source).subspan(size)));
  });
  return call.cache<RsaPublicEntry>(modulus, std::move(source), std::move(key)).key;
}

SeOperation rsa_private_operation(std::int8_t form) noexcept {
  return form == kRsaCrt ? SeOperation::rsa_private_crt : SeOperation::rsa_private;
}

const crypto::EcCurve& ec_curve(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length) {
  if (field_length <= 0) throw_crypto(call, CryptoReason::illegal_value);
  const std::size_t l = static_cast<std::size_t>(field_length);
  Bytes source = copy_in(call, domain, 0, 6 * field_length + 4);
  if (const auto* entry = call.cached<EcCurveEntry>(domain); entry != nullptr && entry->source == source) {
    return entry->curve;
  }
  // P must fill its L bytes: the Java layouts (W in 2L+1 bytes, S in L+1) are sized from it.
  if (source[0] == 0) throw_crypto(call, CryptoReason::illegal_value);
  auto curve = refused_as(call, CryptoReason::illegal_value, [&] {
    const ByteView bytes(source);
    crypto::EcCurveParameters parameters;
    parameters.p.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(l));
    const ByteView a = bytes.subspan(l, l), b = bytes.subspan(2 * l, l), g = bytes.subspan(3 * l, 2 * l + 1);
    parameters.a.assign(a.begin(), a.end());
    parameters.b.assign(b.begin(), b.end());
    parameters.g.assign(g.begin(), g.end());
    const ByteView r = strip_leading_zeros(bytes.subspan(5 * l + 1, l + 1));
    parameters.n.assign(r.begin(), r.end());
    parameters.cofactor = static_cast<std::uint32_t>(read_be16(bytes, 6 * l + 2));
    return crypto::EcCurve::from_parameters(parameters);
  });
  return call.cache<EcCurveEntry>(domain, std::move(source), std::move(curve)).curve;
}

const crypto::EcPrivateKey& ec_private_key(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length, vm::Ref s,
                                           std::int16_t offset) {
  const crypto::EcCurve& curve = ec_curve(call, domain, field_length);
  Bytes domain_bytes = copy_in(call, domain, 0, 6 * field_length + 4);
  SecretBytes scalar = copy_secret(call, s, offset, field_length + 1);
  if (const auto* entry = call.cached<EcPrivateEntry>(s);
      entry != nullptr && entry->offset == offset && entry->scalar == scalar && entry->domain == domain_bytes) {
    return entry->key;
  }
  auto key = refused_as(call, CryptoReason::illegal_value,
                        [&] { return crypto::EcPrivateKey::from_scalar(curve, strip_leading_zeros(scalar.view())); });
  return call.cache<EcPrivateEntry>(s, std::move(domain_bytes), offset, std::move(scalar), std::move(key)).key;
}

const crypto::EcPublicKey* ec_public_key(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length, vm::Ref w,
                                         std::int16_t offset) {
  const crypto::EcCurve& curve = ec_curve(call, domain, field_length);
  Bytes domain_bytes = copy_in(call, domain, 0, 6 * field_length + 4);
  Bytes point = copy_in(call, w, offset, 2 * field_length + 1);
  if (const auto* entry = call.cached<EcPublicEntry>(w);
      entry != nullptr && entry->offset == offset && entry->point == point && entry->domain == domain_bytes) {
    return entry->key ? &*entry->key : nullptr;
  }
  std::optional<crypto::EcPublicKey> key;
  try {
    key = crypto::EcPublicKey::from_point(curve, point);
  } catch (const Error&) {
    key.reset();  // not a point of the curve: verification fails, as the contract asks
  }
  const auto& entry = call.cache<EcPublicEntry>(w, std::move(domain_bytes), offset, std::move(point), std::move(key));
  return entry.key ? &*entry.key : nullptr;
}

}  // namespace sefleet::card::javacard::natives

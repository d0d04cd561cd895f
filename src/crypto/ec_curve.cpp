#include "crypto/ec_curve.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>

#include <array>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {

struct EcCurve::State {
  EcCurveParameters parameters;
  std::optional<NamedCurve> name;
  detail::EcGroup group;
  std::size_t field_bits = 0;
  std::size_t order_bits = 0;
  // The domain as numbers, for push_domain(): OSSL_PARAM_BLD keeps pointers until it builds the array.
  detail::Bn p, a, b, n, cofactor;
};

namespace {

using detail::Bn;

struct CurveEntry {
  NamedCurve curve;
  const char* name;
  int nid;
};

constexpr std::array<CurveEntry, 11> kCurves{{
    {NamedCurve::secp192r1, "secp192r1", NID_X9_62_prime192v1},
    {NamedCurve::secp224r1, "secp224r1", NID_secp224r1},
    {NamedCurve::secp256r1, "secp256r1", NID_X9_62_prime256v1},
    {NamedCurve::secp384r1, "secp384r1", NID_secp384r1},
    {NamedCurve::secp521r1, "secp521r1", NID_secp521r1},
    {NamedCurve::brainpoolP192r1, "brainpoolP192r1", NID_brainpoolP192r1},
    {NamedCurve::brainpoolP224r1, "brainpoolP224r1", NID_brainpoolP224r1},
    {NamedCurve::brainpoolP256r1, "brainpoolP256r1", NID_brainpoolP256r1},
    {NamedCurve::brainpoolP320r1, "brainpoolP320r1", NID_brainpoolP320r1},
    {NamedCurve::brainpoolP384r1, "brainpoolP384r1", NID_brainpoolP384r1},
    {NamedCurve::brainpoolP512r1, "brainpoolP512r1", NID_brainpoolP512r1},
}};

const CurveEntry& entry(NamedCurve curve) {
  for (const auto& e : kCurves) {
    if (e.curve == curve) return e;
  }
  throw Error(Errc::invalid_argument, "unknown named curve");
}

[[noreturn]] void refuse(const std::string& why) {
  throw Error(Errc::invalid_argument, "EC curve: " + why);
}

BN_CTX* bn_ctx(detail::BnCtx& holder) {
  holder.reset(BN_CTX_new());
  if (!holder) detail::throw_openssl("BN_CTX_new");
  return holder.get();
}

// The canonical parameters and sizes of a finished group.
std::shared_ptr<EcCurve::State> describe(detail::EcGroup group) {
  detail::BnCtx ctx_holder;
  BN_CTX* ctx = bn_ctx(ctx_holder);
  Bn p = detail::bn_new(), a = detail::bn_new(), b = detail::bn_new();
  if (EC_GROUP_get_curve(group.get(), p.get(), a.get(), b.get(), ctx) != 1)
    detail::throw_openssl("EC curve parameters");
  auto state = std::make_shared<EcCurve::State>();
  state->field_bits = static_cast<std::size_t>(BN_num_bits(p.get()));
  state->order_bits = static_cast<std::size_t>(BN_num_bits(EC_GROUP_get0_order(group.get())));
  const std::size_t field_size = (state->field_bits + 7) / 8;
  state->parameters.p = detail::bytes_of_bn(p.get(), field_size);
  state->parameters.a = detail::bytes_of_bn(a.get(), field_size);
  state->parameters.b = detail::bytes_of_bn(b.get(), field_size);
  state->parameters.n = detail::bytes_of_bn(EC_GROUP_get0_order(group.get()), (state->order_bits + 7) / 8);
  Bytes g(1 + 2 * field_size);
  if (EC_POINT_point2oct(group.get(), EC_GROUP_get0_generator(group.get()), POINT_CONVERSION_UNCOMPRESSED, g.data(),
                         g.size(), ctx) != g.size()) {
    detail::throw_openssl("EC curve generator");
  }
  state->parameters.g = std::move(g);
  const BIGNUM* cofactor = EC_GROUP_get0_cofactor(group.get());
  state->parameters.cofactor = cofactor == nullptr ? 1 : static_cast<std::uint32_t>(BN_get_word(cofactor));
  state->cofactor = detail::bn_new();
  if (BN_set_word(state->cofactor.get(), state->parameters.cofactor) != 1) detail::throw_openssl("EC cofactor");
  state->n.reset(BN_dup(EC_GROUP_get0_order(group.get())));
  if (!state->n) detail::throw_openssl("BN_dup");
  state->p = std::move(p);
  state->a = std::move(a);
  state->b = std::move(b);
  const int nid = EC_GROUP_get_curve_name(group.get());
  for (const auto& e : kCurves) {
    if (e.nid == nid) state->name = e.curve;
  }
  state->group = std::move(group);
  return state;
}

// Hasse: the curve has h n points, and | #E - (p + 1) | <= 2 sqrt(p), i.e. (h n - p - 1)^2 <= 4 p.
bool cofactor_fits_hasse(const BIGNUM* p, const BIGNUM* n, std::uint32_t cofactor, BN_CTX* ctx) {
  Bn t = detail::bn_new(), square = detail::bn_new(), four_p = detail::bn_new();
  if (BN_copy(t.get(), n) == nullptr || BN_mul_word(t.get(), cofactor) != 1 || BN_sub(t.get(), t.get(), p) != 1 ||
      BN_sub_word(t.get(), 1) != 1 || BN_sqr(square.get(), t.get(), ctx) != 1 || BN_copy(four_p.get(), p) == nullptr ||
      BN_lshift(four_p.get(), four_p.get(), 2) != 1) {
    detail::throw_openssl("EC curve arithmetic");
  }
  return BN_cmp(square.get(), four_p.get()) <= 0;
}

}  // namespace

std::optional<NamedCurve> parse_curve_name(std::string_view name) noexcept {
  for (const auto& e : kCurves) {
    if (name == e.name) return e.curve;
  }
  if (name == "P-192" || name == "prime192v1") return NamedCurve::secp192r1;
  if (name == "P-224") return NamedCurve::secp224r1;
  if (name == "P-256" || name == "prime256v1") return NamedCurve::secp256r1;
  if (name == "P-384") return NamedCurve::secp384r1;
  if (name == "P-521") return NamedCurve::secp521r1;
  return std::nullopt;
}

std::string_view curve_name(NamedCurve curve) noexcept {
  for (const auto& e : kCurves) {
    if (e.curve == curve) return e.name;
  }
  return "unknown";
}

EcCurve EcCurve::named(NamedCurve curve) {
  detail::EcGroup group(EC_GROUP_new_by_curve_name(entry(curve).nid));
  if (!group) detail::throw_openssl("EC curve " + std::string(entry(curve).name));
  return EcCurve(describe(std::move(group)));
}

EcCurve EcCurve::from_parameters(const EcCurveParameters& parameters) {
  detail::BnCtx ctx_holder;
  BN_CTX* ctx = bn_ctx(ctx_holder);
  const Bn p = detail::bn_from(parameters.p), a = detail::bn_from(parameters.a), b = detail::bn_from(parameters.b);
  const Bn n = detail::bn_from(parameters.n);
  const auto field_bits = static_cast<std::size_t>(BN_num_bits(p.get()));
  if (field_bits < kEcMinFieldBits || field_bits > kEcMaxFieldBits) {
    refuse("a field of " + std::to_string(field_bits) + " bits is outside " + std::to_string(kEcMinFieldBits) + ".." +
           std::to_string(kEcMaxFieldBits));
  }
  if (BN_check_prime(p.get(), ctx, nullptr) != 1) refuse("p is not prime");
  if (BN_cmp(a.get(), p.get()) >= 0 || BN_cmp(b.get(), p.get()) >= 0) refuse("a and b must be less than p");
  if (parameters.cofactor == 0) refuse("the cofactor is zero");
  if (BN_check_prime(n.get(), ctx, nullptr) != 1) refuse("the order n is not prime");
  if (!cofactor_fits_hasse(p.get(), n.get(), parameters.cofactor, ctx)) {
    refuse("h n is not a possible number of points (Hasse's bound)");
  }

  // The curve alone first, so that each failed check can be named.
  detail::EcGroup bare(EC_GROUP_new_curve_GFp(p.get(), a.get(), b.get(), ctx));
  if (!bare) detail::throw_openssl("EC curve");
  if (EC_GROUP_check_discriminant(bare.get(), ctx) != 1) {
    ERR_clear_error();
    refuse("4a^3 + 27b^2 = 0 mod p: the curve is singular");
  }
  detail::EcPoint g(EC_POINT_new(bare.get()));
  if (!g || EC_POINT_oct2point(bare.get(), g.get(), parameters.g.data(), parameters.g.size(), ctx) != 1) {
    ERR_clear_error();
    refuse("G is not an encoded point of the curve");
  }
  if (EC_POINT_is_at_infinity(bare.get(), g.get()) == 1) refuse("G is the point at infinity");
  detail::EcPoint check(EC_POINT_new(bare.get()));
  if (!check || EC_POINT_mul(bare.get(), check.get(), nullptr, g.get(), n.get(), ctx) != 1) {
    detail::throw_openssl("EC curve arithmetic");
  }
  if (EC_POINT_is_at_infinity(bare.get(), check.get()) != 1) refuse("n G is not the point at infinity");

  // The group for use: from OSSL_PARAMs, as EVP builds it, so that a named curve's parameters become it.
  Bn h = detail::bn_new();
  if (BN_set_word(h.get(), parameters.cofactor) != 1) detail::throw_openssl("EC cofactor");
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  char prime_field[] = SN_X9_62_prime_field;
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_EC_FIELD_TYPE, prime_field, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_EC_P, p.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_EC_A, a.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_EC_B, b.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_EC_GENERATOR, parameters.g.data(),
                                       parameters.g.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_EC_ORDER, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_EC_COFACTOR, h.get()) != 1) {
    detail::throw_openssl("EC curve parameters");
  }
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  detail::EcGroup group(EC_GROUP_new_from_params(params.get(), nullptr, nullptr));
  if (!group || EC_GROUP_check(group.get(), ctx) != 1) detail::throw_openssl("EC curve from parameters");
  return EcCurve(describe(std::move(group)));
}

const EcCurveParameters& EcCurve::parameters() const noexcept {
  return state_->parameters;
}
std::optional<NamedCurve> EcCurve::name() const noexcept {
  return state_->name;
}
std::size_t EcCurve::field_bits() const noexcept {
  return state_->field_bits;
}
std::size_t EcCurve::order_bits() const noexcept {
  return state_->order_bits;
}
const EC_GROUP* EcCurve::group() const noexcept {
  return state_->group.get();
}

bool operator==(const EcCurve& a, const EcCurve& b) noexcept {
  if (a.state_ == b.state_) return true;
  const auto& x = a.parameters();
  const auto& y = b.parameters();
  return x.p == y.p && x.a == y.a && x.b == y.b && x.g == y.g && x.n == y.n && x.cofactor == y.cofactor;
}

void EcCurve::push_domain(OSSL_PARAM_BLD* builder) const {
  if (state_->name) {
    // OpenSSL's short name of the curve: static storage, as the builder keeps the pointer.
    const char* group_name = OBJ_nid2sn(entry(*state_->name).nid);
    if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) != 1) {
      detail::throw_openssl("EC group name");
    }
    return;
  }
  static char prime_field[] = SN_X9_62_prime_field;
  // Everything pushed lives in the shared state, so it outlives the builder.
  const auto& g = state_->parameters.g;
  if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_EC_FIELD_TYPE, prime_field, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_EC_P, state_->p.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_EC_A, state_->a.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_EC_B, state_->b.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_EC_GENERATOR, g.data(), g.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_EC_ORDER, state_->n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_EC_COFACTOR, state_->cofactor.get()) != 1) {
    detail::throw_openssl("EC curve parameters");
  }
}

}  // namespace sefleet::crypto

#include "gp/scp11/scp11_keys.hpp"

#include "core/error.hpp"
#include "crypto/kdf.hpp"

namespace sefleet::gp::scp11 {
namespace {

SecretBytes slice(const SecretBytes& all, std::size_t index, std::size_t length) {
  return SecretBytes(all.view().subspan(index * length, length));
}

crypto::P256PublicKey parse_point(ByteView point) {
  return crypto::P256PublicKey::from_uncompressed(point);
}

SecretBytes join(const SecretBytes& first, const SecretBytes& second) {
  SecretBytes z(first.size() + second.size());
  std::copy(first.data(), first.data() + first.size(), z.data());
  std::copy(second.data(), second.data() + second.size(), z.data() + first.size());
  return z;
}

}  // namespace

Bytes shared_info(const KeyAgreementParams& params) {
  Bytes info{params.key_usage, params.key_type, params.key_length};
  if (!params.host_id.empty()) {
    info.push_back(static_cast<std::uint8_t>(params.host_id.size()));
    append(info, params.host_id);
  }
  return info;
}

Scp11SessionKeys derive_session_keys(ByteView shared_secret, const KeyAgreementParams& params) {
  check_supported(params);
  const std::size_t length = params.key_length;
  const SecretBytes all = crypto::x963_kdf_sha256(shared_secret, shared_info(params), 5 * length);
  Scp11SessionKeys keys;
  keys.receipt_key = slice(all, 0, length);
  keys.session.s_enc = slice(all, 1, length);
  keys.session.s_mac = slice(all, 2, length);
  keys.session.s_rmac = slice(all, 3, length);
  keys.s_dek = slice(all, 4, length);
  return keys;
}

crypto::Mac16 compute_receipt(ByteView receipt_key, ByteView authenticate_data, ByteView sd_key_point) {
  crypto::Cmac cmac(receipt_key);
  const Bytes key_tlv = ephemeral_key_tlv(sd_key_point);
  return cmac.compute({authenticate_data, key_tlv});
}

SecretBytes host_shared_secret(Variant variant, const crypto::P256PrivateKey& ephemeral_oce_key,
                               const crypto::P256PrivateKey* static_oce_key, ByteView sd_response_key,
                               ByteView static_sd_key) {
  return host_shared_secret(variant, ephemeral_oce_key, static_oce_key, parse_point(sd_response_key),
                            parse_point(static_sd_key));
}

SecretBytes host_shared_secret(Variant variant, const crypto::P256PrivateKey& ephemeral_oce_key,
                               const crypto::P256PrivateKey* static_oce_key,
                               const crypto::P256PublicKey& sd_response_key,
                               const crypto::P256PublicKey& static_sd_key) {
  const SecretBytes first = crypto::ecdh_p256(ephemeral_oce_key, sd_response_key);
  if (!authenticates_oce(variant)) return join(first, crypto::ecdh_p256(ephemeral_oce_key, static_sd_key));
  if (static_oce_key == nullptr) {
    throw Error(Errc::invalid_argument, variant_name(variant) + " needs the OCE's static key");
  }
  return join(first, crypto::ecdh_p256(*static_oce_key, static_sd_key));
}

SecretBytes host_shared_secret(Variant variant, const SecretBytes& ephemeral_oce_scalar, ByteView sd_response_key,
                               ByteView static_sd_key) {
  if (authenticates_oce(variant)) {
    throw Error(Errc::invalid_argument, variant_name(variant) + " needs the OCE's static key");
  }
  const ByteView scalar = ephemeral_oce_scalar.view();
  return join(crypto::ecdh_p256(scalar, sd_response_key), crypto::ecdh_p256(scalar, static_sd_key));
}

SecretBytes card_shared_secret(Variant variant, const crypto::P256PrivateKey& answer_key,
                               const crypto::P256PrivateKey& static_sd_key, ByteView ephemeral_oce_key,
                               const std::optional<Bytes>& static_oce_key) {
  // ePK.OCE.ECKA is parsed (and checked) once for both of SCP11b's ECDH.
  const crypto::P256PublicKey ephemeral = parse_point(ephemeral_oce_key);
  const SecretBytes first = crypto::ecdh_p256(answer_key, ephemeral);
  if (!authenticates_oce(variant)) return join(first, crypto::ecdh_p256(static_sd_key, ephemeral));
  if (!static_oce_key) throw Error(Errc::state_error, variant_name(variant) + " needs the OCE's certified key");
  return join(first, crypto::ecdh_p256(static_sd_key, parse_point(*static_oce_key)));
}

SecretBytes card_shared_secret(Variant variant, const SecretBytes& ephemeral_sd_scalar,
                               const crypto::P256PrivateKey& static_sd_key, ByteView ephemeral_oce_key,
                               const std::optional<Bytes>& static_oce_key) {
  if (variant == Variant::c) throw Error(Errc::invalid_argument, "SCP11c answers with the SD's static key");
  const SecretBytes first = crypto::ecdh_p256(ephemeral_sd_scalar.view(), ephemeral_oce_key);
  if (!authenticates_oce(variant)) return join(first, crypto::ecdh_p256(static_sd_key, parse_point(ephemeral_oce_key)));
  if (!static_oce_key) throw Error(Errc::state_error, variant_name(variant) + " needs the OCE's certified key");
  return join(first, crypto::ecdh_p256(static_sd_key, parse_point(*static_oce_key)));
}

}  // namespace sefleet::gp::scp11

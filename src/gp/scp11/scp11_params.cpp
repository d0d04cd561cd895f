#include "gp/scp11/scp11_params.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::scp11 {
namespace {

using iso7816::Tlv;

// The single byte value of a primitive object, or a parse error naming it.
std::uint8_t single_byte(const Tlv& parent, iso7816::Tag tag) {
  const Tlv* object = parent.find(tag);
  if (object == nullptr || object->is_constructed() || object->value().size() != 1) {
    throw Error(Errc::parse_error, "SCP11: tag " + iso7816::tag_hex(tag) + " missing or not one byte");
  }
  return object->value()[0];
}

std::string hex_byte(std::uint8_t value) {
  return to_hex(ByteView(&value, 1));
}

void check_point(ByteView point, const char* what) {
  if (point.size() != crypto::kP256PointSize || point[0] != 0x04) {
    throw Error(Errc::parse_error, std::string("SCP11: ") + what + " is not an uncompressed P-256 point");
  }
  if (!crypto::is_p256_point(point)) {
    throw Error(Errc::parse_error, std::string("SCP11: ") + what + " is not on P-256");
  }
}

}  // namespace

std::uint8_t key_id(Variant variant) noexcept {
  switch (variant) {
    case Variant::a:
      return kKidScp11a;
    case Variant::b:
      return kKidScp11b;
    case Variant::c:
      return kKidScp11c;
  }
  return kKidScp11b;
}

std::optional<Variant> variant_of_key_id(std::uint8_t kid) noexcept {
  switch (kid) {
    case kKidScp11a:
      return Variant::a;
    case kKidScp11b:
      return Variant::b;
    case kKidScp11c:
      return Variant::c;
    default:
      return std::nullopt;
  }
}

std::uint8_t scp_parameter(Variant variant) noexcept {
  switch (variant) {
    case Variant::a:
      return 0x01;
    case Variant::b:
      return 0x00;
    case Variant::c:
      return 0x03;
  }
  return 0x00;
}

std::optional<Variant> variant_of_parameter(std::uint8_t parameter) noexcept {
  switch (parameter) {
    case 0x01:
      return Variant::a;
    case 0x00:
      return Variant::b;
    case 0x03:
      return Variant::c;
    default:
      return std::nullopt;
  }
}

std::string variant_name(Variant variant) {
  switch (variant) {
    case Variant::a:
      return "SCP11a";
    case Variant::b:
      return "SCP11b";
    case Variant::c:
      return "SCP11c";
  }
  return "SCP11";
}

std::optional<Variant> parse_variant(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.rfind("scp", 0) == 0) lower.erase(0, 3);
  if (lower.rfind("11", 0) == 0) lower.erase(0, 2);
  if (lower == "a") return Variant::a;
  if (lower == "b") return Variant::b;
  if (lower == "c") return Variant::c;
  return std::nullopt;
}

void check_supported(const KeyAgreementParams& params) {
  if (params.key_usage != kKeyUsageSecureMessaging) {
    throw Error(Errc::unsupported, "SCP11: key usage " + hex_byte(params.key_usage) + " (only 3C)");
  }
  if (params.key_type != kKeyTypeAes) {
    throw Error(Errc::unsupported, "SCP11: key type " + hex_byte(params.key_type) + " (only 88, AES)");
  }
  if (params.key_length != 16 && params.key_length != 24 && params.key_length != 32) {
    throw Error(Errc::unsupported, "SCP11: key length " + std::to_string(params.key_length) + " (16, 24 or 32)");
  }
  if (params.host_id.size() > 0x7F) throw Error(Errc::unsupported, "SCP11: host identifier longer than 127 bytes");
}

Bytes encode_authenticate_data(const AuthenticateRequest& request) {
  check_supported(request.params);
  const KeyAgreementParams& p = request.params;
  Tlv crt = Tlv::constructed(kTagControlReference);
  crt.add(Tlv::primitive(kTagScpParameters, Bytes{kScpIdentifier, scp_parameter(p.variant)}))
      .add(Tlv::primitive(kTagKeyUsage, Bytes{p.key_usage}))
      .add(Tlv::primitive(kTagKeyType, Bytes{p.key_type}))
      .add(Tlv::primitive(kTagKeyLength, Bytes{p.key_length}));
  if (!p.host_id.empty()) crt.add(Tlv::primitive(kTagHostId, p.host_id));
  Bytes out = crt.encode();
  append(out, ephemeral_key_tlv(request.ephemeral_oce_key));
  return out;
}

AuthenticateRequest parse_authenticate_data(ByteView data) {
  const auto objects = iso7816::parse_tlv_sequence(data);
  if (objects.size() != 2 || objects[0].tag() != kTagControlReference || objects[1].tag() != kTagEphemeralKey) {
    throw Error(Errc::parse_error, "SCP11: authenticate data is not A6 {..} 5F49 {..}");
  }
  const Tlv& crt = objects[0];
  const Tlv* scp = crt.find(kTagScpParameters);
  if (scp == nullptr || scp->is_constructed() || scp->value().size() != 2) {
    throw Error(Errc::parse_error, "SCP11: tag 90 missing or not two bytes");
  }
  if (scp->value()[0] != kScpIdentifier) throw Error(Errc::parse_error, "SCP11: tag 90 does not name SCP11");
  const auto variant = variant_of_parameter(scp->value()[1]);
  if (!variant) throw Error(Errc::unsupported, "SCP11: unknown SCP11 parameter " + hex_byte(scp->value()[1]));

  AuthenticateRequest request;
  request.params.variant = *variant;
  request.params.key_usage = single_byte(crt, kTagKeyUsage);
  request.params.key_type = single_byte(crt, kTagKeyType);
  request.params.key_length = single_byte(crt, kTagKeyLength);
  if (const Tlv* host_id = crt.find(kTagHostId)) {
    if (host_id->is_constructed() || host_id->value().empty()) {
      throw Error(Errc::parse_error, "SCP11: empty or constructed host identifier");
    }
    request.params.host_id = host_id->value();
  }
  for (const Tlv& child : crt.children()) {
    const auto tag = child.tag();
    if (tag != kTagScpParameters && tag != kTagKeyUsage && tag != kTagKeyType && tag != kTagKeyLength &&
        tag != kTagHostId) {
      throw Error(Errc::parse_error, "SCP11: unexpected tag " + iso7816::tag_hex(tag) + " in A6");
    }
  }
  check_point(objects[1].value(), "ePK.OCE.ECKA");
  request.ephemeral_oce_key = objects[1].value();
  check_supported(request.params);
  return request;
}

Bytes encode_authenticate_response(const AuthenticateResponse& response) {
  Bytes out = ephemeral_key_tlv(response.ephemeral_sd_key);
  Tlv::primitive(kTagReceipt, response.receipt).encode_to(out);
  return out;
}

AuthenticateResponse parse_authenticate_response(ByteView data) {
  std::string reason;
  const auto objects = iso7816::try_parse_tlv_sequence(data, {}, &reason);
  if (!objects || objects->size() != 2 || (*objects)[0].tag() != kTagEphemeralKey ||
      (*objects)[1].tag() != kTagReceipt || (*objects)[1].value().size() != kReceiptSize) {
    throw Error(Errc::protocol_error, "SCP11: authenticate response is not 5F49 {point} 86 {16-byte receipt}");
  }
  try {
    check_point((*objects)[0].value(), "ePK.SD.ECKA");
  } catch (const Error& error) {
    throw Error(Errc::protocol_error, error.what());
  }
  return AuthenticateResponse{(*objects)[0].value(), (*objects)[1].value()};
}

Bytes ephemeral_key_tlv(ByteView point) {
  return Tlv::primitive(kTagEphemeralKey, Bytes(point.begin(), point.end())).encode();
}

}  // namespace sefleet::gp::scp11

#include "gp/broadcast/campaign_messages.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/tlv_fields.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::broadcast {

namespace {

constexpr iso7816::Tag kTagProfile = 0xC0;
constexpr iso7816::Tag kTagCampaignId = 0xC1;
constexpr iso7816::Tag kTagBroadcastKeys = 0xC2;
constexpr iso7816::Tag kTagCounter = 0xC3;
constexpr iso7816::Tag kTagChainingValue = 0xC4;
constexpr iso7816::Tag kTagKeyVersion = 0xC5;
constexpr iso7816::Tag kTagTotalLength = 0xC6;
constexpr iso7816::Tag kTagIntegrityCode = 0xC8;
constexpr iso7816::Tag kTagAction = 0xC9;
constexpr iso7816::Tag kTagStatus = 0xE1;
constexpr iso7816::Tag kTagResult = 0xCA;
constexpr iso7816::Tag kTagActiveVersion = 0xCB;
constexpr iso7816::Tag kTagActiveSha256 = 0xCC;

const std::string kChangeMode = "CHANGE MODE data";
const std::string kAuthorize = "AUTHORIZE ACTION data";
const std::string kStatus = "status object";

bool is_known_profile(std::uint8_t value) noexcept {
  return value == 0x03 || value == 0x04;
}
bool is_known_action(std::uint8_t value) noexcept {
  return value == 0x01 || value == 0x02;
}
bool is_valid_integrity_field_size(std::size_t size) noexcept {
  return size == kIntegrityCodeSize || size == kWrappedIntegrityCodeSize;
}

template <std::size_t N>
void copy_to(std::array<std::uint8_t, N>& out, ByteView value) {
  std::copy(value.begin(), value.end(), out.begin());
}

template <std::size_t N>
void put(Bytes& out, iso7816::Tag tag, const std::array<std::uint8_t, N>& value) {
  iso7816::Tlv::primitive(tag, Bytes(value.begin(), value.end())).encode_to(out);
}

void put(Bytes& out, iso7816::Tag tag, ByteView value) {
  iso7816::Tlv::primitive(tag, Bytes(value.begin(), value.end())).encode_to(out);
}

void put_byte(Bytes& out, iso7816::Tag tag, std::uint8_t value) {
  iso7816::Tlv::primitive(tag, Bytes{value}).encode_to(out);
}

void put_be32_field(Bytes& out, iso7816::Tag tag, std::uint32_t value) {
  Bytes field;
  put_be32(field, value);
  iso7816::Tlv::primitive(tag, std::move(field)).encode_to(out);
}

}  // namespace

bool is_known_result(std::uint8_t code) noexcept {
  return code == result::kActivated || code == result::kVerifiedKeptStaged || code == result::kIntegrityMismatch ||
         code == result::kManifestRefused;
}

bool is_valid_broadcast_keys_size(Profile profile, std::size_t size) noexcept {
  // Two AES keys of one length: 32/48/64 bytes in clear, 8 more when AES-KW wrapped.
  if (profile == Profile::campaign_key && size < 8) return false;
  const std::size_t joined = profile == Profile::campaign_key ? size - 8 : size;
  return joined % 2 == 0 && crypto::is_aes_key_size(joined / 2);
}

Bytes encode_change_mode_to_broadcast(const ChangeModeToBroadcast& message) {
  const auto profile = static_cast<std::uint8_t>(message.profile);
  if (!is_known_profile(profile)) {
    throw Error(Errc::invalid_argument, kChangeMode + ": unknown profile " + detail::hex_byte(profile));
  }
  if (!is_valid_broadcast_keys_size(message.profile, message.broadcast_keys.size())) {
    throw Error(Errc::invalid_argument, kChangeMode + ": tag C2 of " + std::to_string(message.broadcast_keys.size()) +
                                            " bytes does not fit profile " + detail::hex_byte(profile));
  }
  Bytes out;
  put_byte(out, kTagProfile, profile);
  put(out, kTagCampaignId, message.campaign_id);
  // The clear keys of profile 4 pass through this buffer; the caller encrypts it (C-DECRYPTION) and
  // should wipe it (SecretBytes::take) once sent.
  put(out, kTagBroadcastKeys, message.broadcast_keys.view());
  put(out, kTagCounter, message.counter);
  put(out, kTagChainingValue, message.chaining_value);
  put_byte(out, kTagKeyVersion, message.key_version);
  put_be32_field(out, kTagTotalLength, message.total_length);
  return out;
}

ChangeModeToBroadcast parse_change_mode_to_broadcast(ByteView data) {
  const detail::TlvFields fields(
      data,
      {kTagProfile, kTagCampaignId, kTagBroadcastKeys, kTagCounter, kTagChainingValue, kTagKeyVersion, kTagTotalLength},
      kChangeMode);
  ChangeModeToBroadcast message;
  const std::uint8_t profile = fields.exact(kTagProfile, 1)[0];
  if (!is_known_profile(profile)) fields.refuse(kTagProfile, "profile " + detail::hex_byte(profile) + " is unknown");
  message.profile = static_cast<Profile>(profile);
  copy_to(message.campaign_id, fields.exact(kTagCampaignId, 16));
  const ByteView keys = fields.any(kTagBroadcastKeys);
  if (!is_valid_broadcast_keys_size(message.profile, keys.size())) {
    fields.refuse(kTagBroadcastKeys,
                  "of " + std::to_string(keys.size()) + " bytes does not fit profile " + detail::hex_byte(profile) +
                      (message.profile == Profile::campaign_key ? " (40, 56 or 72 bytes)" : " (32, 48 or 64 bytes)"));
  }
  message.broadcast_keys = SecretBytes(keys);
  copy_to(message.counter, fields.exact(kTagCounter, 16));
  copy_to(message.chaining_value, fields.exact(kTagChainingValue, 16));
  message.key_version = fields.exact(kTagKeyVersion, 1)[0];
  message.total_length = read_be32(fields.exact(kTagTotalLength, 4), 0);
  return message;
}

Bytes encode_authorize_action(const AuthorizeAction& message) {
  const auto action = static_cast<std::uint8_t>(message.action);
  if (!is_known_action(action)) {
    throw Error(Errc::invalid_argument, kAuthorize + ": unknown action " + detail::hex_byte(action));
  }
  if (!is_valid_integrity_field_size(message.integrity_code.size())) {
    throw Error(Errc::invalid_argument,
                kAuthorize + ": tag C8 must be 16 or 24 bytes, got " + std::to_string(message.integrity_code.size()));
  }
  Bytes out;
  put(out, kTagCampaignId, message.campaign_id);
  put(out, kTagIntegrityCode, message.integrity_code);
  put_byte(out, kTagAction, action);
  return out;
}

AuthorizeAction parse_authorize_action(ByteView data) {
  const detail::TlvFields fields(data, {kTagCampaignId, kTagIntegrityCode, kTagAction}, kAuthorize);
  AuthorizeAction message;
  copy_to(message.campaign_id, fields.exact(kTagCampaignId, 16));
  const ByteView code = fields.any(kTagIntegrityCode);
  if (!is_valid_integrity_field_size(code.size())) {
    fields.refuse(kTagIntegrityCode, "must be 16 (clear) or 24 (wrapped) bytes, got " + std::to_string(code.size()));
  }
  message.integrity_code.assign(code.begin(), code.end());
  const std::uint8_t action = fields.exact(kTagAction, 1)[0];
  if (!is_known_action(action)) fields.refuse(kTagAction, "action " + detail::hex_byte(action) + " is unknown");
  message.action = static_cast<Action>(action);
  return message;
}

Bytes encode_image_status(const ImageStatus& status) {
  if (!is_known_result(status.result)) {
    throw Error(Errc::invalid_argument, kStatus + ": unknown result " + detail::hex_byte(status.result));
  }
  Bytes value;
  put(value, kTagCampaignId, status.campaign_id);
  put_byte(value, kTagResult, status.result);
  put_be32_field(value, kTagActiveVersion, status.active_version);
  put(value, kTagActiveSha256, status.active_sha256);
  Bytes out;
  iso7816::encode_tag(out, kTagStatus);
  iso7816::encode_length(out, value.size());
  append(out, value);
  return out;
}

ImageStatus parse_image_status(ByteView data) {
  const ByteView value = detail::single_constructed_value(data, kTagStatus, kStatus);
  const detail::TlvFields fields(value, {kTagCampaignId, kTagResult, kTagActiveVersion, kTagActiveSha256}, kStatus);
  ImageStatus status;
  copy_to(status.campaign_id, fields.exact(kTagCampaignId, 16));
  status.result = fields.exact(kTagResult, 1)[0];
  if (!is_known_result(status.result)) {
    fields.refuse(kTagResult, "result " + detail::hex_byte(status.result) + " is unknown");
  }
  status.active_version = read_be32(fields.exact(kTagActiveVersion, 4), 0);
  copy_to(status.active_sha256, fields.exact(kTagActiveSha256, 32));
  return status;
}

}  // namespace sefleet::gp::broadcast

#include "gp/host/scp11_keys.hpp"

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/p256.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::host {
namespace {

// F0 01 00: key parameter reference P-256 (GPCS Amd F Table 4-2); then 00, the length of an absent KCV.
constexpr std::uint8_t kP256Parameters[] = {0xF0, 0x01, 0x00, 0x00};

void check_version(const EcKeyReference& where) {
  if (where.kvn == 0 || where.kvn > 0x7F) {
    throw Error(Errc::invalid_argument, "PUT KEY: the new key version must be 01..7F, got " + to_hex(Bytes{where.kvn}));
  }
  if (where.replace_kvn > 0x7F)
    throw Error(Errc::invalid_argument, "PUT KEY: the key version to replace must be 00..7F");
}

iso7816::CommandApdu put_key(const EcKeyReference& where, Bytes data) {
  data.insert(data.end(), std::begin(kP256Parameters), std::end(kP256Parameters));
  return iso7816::CommandApdu(0x80, 0xD8, where.replace_kvn, where.kid, std::move(data), 256);
}

// A6 {83 {KID KVN}}: the control reference template naming the key a STORE DATA object belongs to.
Bytes key_reference_template(std::uint8_t kid, std::uint8_t kvn) {
  return Bytes{0xA6, 0x04, 0x83, 0x02, kid, kvn};
}

void append_tlv(Bytes& out, iso7816::Tag tag, ByteView value) {
  iso7816::encode_tag(out, tag);
  iso7816::encode_length(out, value.size());
  append(out, value);
}

iso7816::CommandApdu store_data(Bytes data) {
  // P1 90: last block, BER-TLV data (GPCS §11.11.2.1); one block, sent extended when long.
  return iso7816::CommandApdu(0x00, 0xE2, 0x90, 0x00, std::move(data));
}

}  // namespace

bool is_scp11_sd_kid(std::uint8_t kid) noexcept {
  return kid == 0x11 || kid == 0x13 || kid == 0x15;
}

bool is_scp11_ca_kid(std::uint8_t kid) noexcept {
  return kid == 0x10 || (kid >= 0x20 && kid <= 0x2F);
}

iso7816::CommandApdu make_put_sd_key_pair(const EcKeyReference& where, const SecretBytes& scalar,
                                          const SecretBytes& dek) {
  if (!is_scp11_sd_kid(where.kid)) {
    throw Error(Errc::invalid_argument,
                "PUT KEY: an SD key pair has KID 11, 13 or 15, got " + to_hex(Bytes{where.kid}));
  }
  check_version(where);
  if (scalar.size() != crypto::kP256ScalarSize) {
    throw Error(Errc::invalid_argument, "PUT KEY: a P-256 private key is a 32-byte scalar");
  }
  if (!crypto::is_aes_key_size(dek.size())) throw Error(Errc::invalid_argument, "PUT KEY: the DEK must be an AES key");
  crypto::Aes aes(dek.view());
  const Bytes iv(crypto::kAesBlock, 0x00);
  Bytes data{where.kvn, 0xB1, static_cast<std::uint8_t>(crypto::kP256ScalarSize)};
  data.resize(data.size() + crypto::kP256ScalarSize);
  // 32 bytes are two whole blocks: no padding.
  aes.cbc_encrypt(iv, scalar.view(), data.data() + 3);
  return put_key(where, std::move(data));
}

iso7816::CommandApdu make_put_ca_key(const EcKeyReference& where, ByteView point) {
  if (!is_scp11_ca_kid(where.kid)) {
    throw Error(Errc::invalid_argument,
                "PUT KEY: a CA / OCE public key has KID 10 or 20..2F, got " + to_hex(Bytes{where.kid}));
  }
  check_version(where);
  if (!crypto::is_p256_point(point)) {
    throw Error(Errc::invalid_argument, "PUT KEY: not an uncompressed P-256 point (04 || x || y, 65 bytes)");
  }
  Bytes data{where.kvn, 0xB0, static_cast<std::uint8_t>(point.size())};
  append(data, point);
  return put_key(where, std::move(data));
}

void verify_put_ec_key_response(const EcKeyReference& where, ByteView response_data) {
  if (response_data.size() != 1 || response_data[0] != where.kvn) {
    throw Error(Errc::protocol_error, "PUT KEY: the card answered " + to_hex(response_data) +
                                          ", expected the key version " + to_hex(Bytes{where.kvn}));
  }
}

iso7816::CommandApdu make_delete_keys(std::optional<std::uint8_t> kid, std::optional<std::uint8_t> kvn,
                                      bool delete_last) {
  if (!kid && !kvn) throw Error(Errc::invalid_argument, "DELETE key: give the KID, the KVN or both");
  Bytes data;
  if (kid) append(data, Bytes{0xD0, 0x01, *kid});
  if (kvn) append(data, Bytes{0xD2, 0x01, *kvn});
  return iso7816::CommandApdu(0x80, 0xE4, 0x00, delete_last ? 0x01 : 0x00, std::move(data));
}

iso7816::CommandApdu make_store_certificates(std::uint8_t kid, std::uint8_t kvn,
                                             const std::vector<Bytes>& certificates) {
  Bytes chain;
  for (const Bytes& certificate : certificates) append(chain, certificate);
  Bytes data = key_reference_template(kid, kvn);
  append_tlv(data, 0xBF21, chain);
  return store_data(std::move(data));
}

iso7816::CommandApdu make_store_allowlist(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& serials) {
  Bytes list;
  for (const Bytes& serial : serials) {
    if (serial.empty()) throw Error(Errc::invalid_argument, "STORE DATA allowlist: an empty serial number");
    Bytes value;
    if (serial[0] & 0x80) value.push_back(0x00);
    append(value, serial);
    append_tlv(list, 0x93, value);
  }
  Bytes data = key_reference_template(kid, kvn);
  append_tlv(data, 0x70, list);
  return store_data(std::move(data));
}

iso7816::CommandApdu make_store_ca_issuer(std::uint8_t kid, std::uint8_t kvn, ByteView identifier) {
  // The identifier and the key reference go inside A6, whose length is one byte here.
  constexpr std::size_t kLongestIdentifier = 0x7F;
  if (identifier.empty() || identifier.size() > kLongestIdentifier) {
    throw Error(Errc::invalid_argument, "STORE DATA CA issuer: the identifier is 1..127 bytes");
  }
  Bytes control;
  append_tlv(control, 0x80, Bytes{static_cast<std::uint8_t>(is_scp11_sd_kid(kid) ? 0x01 : 0x00)});
  append_tlv(control, 0x42, identifier);
  append_tlv(control, 0x83, Bytes{kid, kvn});
  Bytes data;
  append_tlv(data, 0xA6, control);
  return store_data(std::move(data));
}

}  // namespace sefleet::gp::host

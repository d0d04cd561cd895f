#include "gp/host/put_key.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"

namespace sefleet::gp::host {

Bytes encode_aes_key_component(ByteView key, ByteView dek) {
  if (!crypto::is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument,
                "PUT KEY: an AES key has 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  // AES-192 keys are padded to 32 bytes; the card truncates to the length byte after decryption.
  SecretBytes block(key.size() <= 16 ? 16 : 32);
  std::copy(key.begin(), key.end(), block.data());
  crypto::Aes aes(dek);
  const Bytes iv(crypto::kAesBlock, 0x00);
  const Bytes cipher = aes.cbc_encrypt(iv, block.view());
  Bytes out{0x88, static_cast<std::uint8_t>(1 + cipher.size()), static_cast<std::uint8_t>(key.size())};
  append(out, cipher);
  out.push_back(0x03);
  append(out, key_check_value(key));
  return out;
}

iso7816::CommandApdu make_put_key(const PutKeyRequest& request, const SecretBytes& dek) {
  request.new_keys.validate();
  if (request.new_keys.kvn == 0 || request.new_keys.kvn > 0x7F) {
    throw Error(Errc::invalid_argument,
                "PUT KEY: the new key version must be 01..7F, got " + to_hex(Bytes{request.new_keys.kvn}));
  }
  if (request.replace_kvn > 0x7F) {
    throw Error(Errc::invalid_argument, "PUT KEY: the key version to replace must be 00..7F");
  }
  if (!crypto::is_aes_key_size(dek.size())) {
    throw Error(Errc::invalid_argument, "PUT KEY: the DEK must be an AES key");
  }
  Bytes data{request.new_keys.kvn};
  for (const SecretBytes* key : {&request.new_keys.enc, &request.new_keys.mac, &request.new_keys.dek}) {
    append(data, encode_aes_key_component(key->view(), dek.view()));
  }
  // P2 = 81: several keys, the first with key id 01 (ENC, MAC, DEK follow as 01, 02, 03).
  return iso7816::CommandApdu(0x80, 0xD8, request.replace_kvn, 0x81, std::move(data), 256);
}

std::vector<Bytes> expected_kcvs(const StaticKeySet& keys) {
  return {key_check_value(keys.enc.view()), key_check_value(keys.mac.view()), key_check_value(keys.dek.view())};
}

void verify_put_key_response(const PutKeyRequest& request, ByteView response_data) {
  if (response_data.size() != 1 + 3 * 3) {
    throw Error(Errc::protocol_error, "PUT KEY response of " + std::to_string(response_data.size()) +
                                          " bytes (expected KVN + 3 KCVs = 10): " + to_hex(response_data));
  }
  if (response_data[0] != request.new_keys.kvn) {
    throw Error(Errc::protocol_error, "PUT KEY response names key version " + to_hex(response_data.first(1)) +
                                          ", expected " + to_hex(Bytes{request.new_keys.kvn}));
  }
  const auto expected = expected_kcvs(request.new_keys);
  const char* names[] = {"ENC", "MAC", "DEK"};
  for (std::size_t k = 0; k < 3; ++k) {
    const ByteView got = response_data.subspan(1 + 3 * k, 3);
    if (!std::equal(got.begin(), got.end(), expected[k].begin())) {
      throw Error(Errc::protocol_error, std::string("PUT KEY: the card's KCV of ") + names[k] + " is " + to_hex(got) +
                                            ", expected " + to_hex(expected[k]));
    }
  }
}

}  // namespace sefleet::gp::host

// PUT KEY for an SCP03 key set (GPCS v2.3.1 §11.8, Amd D §7.2): the three AES keys of the new set
// (ENC, MAC, DEK; key ids 01..03, P2 = 81) each encrypted under the current static Key-DEK:
//   new KVN || 3 x ( 88 | LL | key length | AES-CBC(DEK, IV 0, key || 00-padding to 16) | 03 | KCV )
// and the check of the card's answer, new KVN || 3 KCVs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

struct PutKeyRequest {
  // The new key set; new_keys.kvn (01..7F) is the version it gets.
  StaticKeySet new_keys;
  // 00: add a new key set; otherwise the KVN of the set to replace.
  std::uint8_t replace_kvn = 0x00;
};

// One AES key data field (Amd D Table 7-10). Throws Error(Errc::invalid_argument) for a key that is
// not 16, 24 or 32 bytes.
Bytes encode_aes_key_component(ByteView key, ByteView dek);

// The PUT KEY command (CLA 80, to be wrapped by the secure channel). `dek` is the static Key-DEK of
// the key set the session was opened with. Throws Error(Errc::invalid_argument) for an invalid set or
// KVN.
iso7816::CommandApdu make_put_key(const PutKeyRequest& request, const SecretBytes& dek);

// The KCVs the card must answer with, in key-id order.
std::vector<Bytes> expected_kcvs(const StaticKeySet& keys);

// Checks the response data (KVN || KCV x 3) against the request. Throws Error(Errc::protocol_error)
// naming the first mismatch (KVN, or the KCV of ENC/MAC/DEK) or a wrong length.
void verify_put_key_response(const PutKeyRequest& request, ByteView response_data);

}  // namespace sefleet::gp::host

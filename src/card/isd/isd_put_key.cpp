// PUT KEY (GPCS §11.8, Amd D §7.2): adds a new SCP03 key set (P1 = 00) or replaces the whole set
// P1 by the new one, in one transaction. Only the full-set form is supported: P2 = 81 (multiple keys,
// first key id 01), three AES key blocks ENC, MAC, DEK, each encrypted under the session key set's
// static Key-DEK (AES-CBC, zero ICV) with its clear length byte and a 3-byte KCV.
#include <array>

#include "card/isd/isd_command.hpp"
#include "core/secret.hpp"
#include "crypto/aes.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kKeyTypeAes = 0x88;
constexpr std::uint8_t kKcvLength = 3;

[[noreturn]] void wrong_data(const char* why) {
  throw StatusWordError(sw::kWrongData, why);
}

struct KeyBlocks {
  std::array<SecretBytes, 3> keys;
  Bytes kcvs;  // the 9 KCV bytes, as the response returns them
};

// Parses and decrypts the three key blocks after the new KVN, checking each KCV.
KeyBlocks decode_keys(ByteView blocks, crypto::Aes& dek) {
  KeyBlocks out;
  std::size_t at = 0;
  for (SecretBytes& key : out.keys) {
    if (blocks.size() - at < 3) wrong_data("PUT KEY: key block truncated");
    if (blocks[at] != kKeyTypeAes) wrong_data("PUT KEY: only AES (88) keys are supported");
    const std::size_t block_length = blocks[at + 1];
    const std::size_t key_length = blocks[at + 2];
    if (!crypto::is_aes_key_size(key_length)) wrong_data("PUT KEY: AES key length must be 16, 24 or 32");
    const std::size_t cipher_length = (key_length + 15) / 16 * 16;
    if (block_length != 1 + cipher_length) wrong_data("PUT KEY: key block length does not match the key length");
    if (blocks.size() - at < 2 + block_length + 1 + kKcvLength) wrong_data("PUT KEY: key block truncated");
    const ByteView cipher = blocks.subspan(at + 3, cipher_length);
    const std::size_t kcv_at = at + 2 + block_length;
    if (blocks[kcv_at] != kKcvLength) wrong_data("PUT KEY: KCV must be 3 bytes");
    const ByteView kcv = blocks.subspan(kcv_at + 1, kKcvLength);

    SecretBytes plain(cipher_length);
    const std::array<std::uint8_t, 16> zero_iv{};
    dek.cbc_decrypt(zero_iv, cipher, plain.data());
    key = SecretBytes(plain.view().first(key_length));
    if (!constant_time_equal(gp::key_check_value(key.view()), kcv)) {
      throw StatusWordError(sw::kSecurityStatusNotSatisfied, "PUT KEY: key check value mismatch");  // GPCS 2.3.1
    }
    append(out.kcvs, kcv);
    at = kcv_at + 1 + kKcvLength;
  }
  if (at != blocks.size()) wrong_data("PUT KEY: data after the third key block");
  return out;
}

}  // namespace

iso7816::ResponseApdu put_key(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  if ((cmd.p1 & 0x80) != 0) throw StatusWordError(sw::kIncorrectP1P2, "PUT KEY: multi-command sequences unsupported");
  if (cmd.p2 != 0x81) throw StatusWordError(sw::kIncorrectP1P2, "PUT KEY: only P2 = 81 (ENC, MAC, DEK) supported");
  if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "PUT KEY: no data");
  CardState& state = call.state;

  const std::uint8_t replaced = cmd.p1;
  if (replaced != 0 && state.find_key_set(replaced) == nullptr) {
    throw StatusWordError(sw::kReferencedDataNotFound, "PUT KEY: no key set to replace");
  }
  const std::uint8_t new_kvn = cmd.data[0];
  if (new_kvn == 0 || new_kvn > 0x7F) wrong_data("PUT KEY: new KVN must be 01..7F");
  if (new_kvn != replaced && state.find_key_set(new_kvn) != nullptr) wrong_data("PUT KEY: new KVN already in use");
  if (replaced == 0 && state.key_sets().size() >= kMaxKeySets) {
    throw StatusWordError(sw::kNotEnoughMemory, "PUT KEY: key set table full");
  }

  const gp::Scp03Card* channel = call.ctx.secure_channel();
  const StoredKeySet* session_set = channel == nullptr ? nullptr : state.find_key_set(channel->key_version());
  if (session_set == nullptr) throw StatusWordError(sw::kSecurityStatusNotSatisfied, "PUT KEY: no session key set");
  crypto::Aes dek(session_set->keys.dek.view());
  KeyBlocks decoded = decode_keys(ByteView(cmd.data).subspan(1), dek);

  if (decoded.keys[1].size() != decoded.keys[0].size() || decoded.keys[2].size() != decoded.keys[0].size()) {
    wrong_data("PUT KEY: ENC, MAC and DEK must have the same length");  // Amd D §6.1
  }
  gp::StaticKeySet keys(new_kvn, std::move(decoded.keys[0]), std::move(decoded.keys[1]), std::move(decoded.keys[2]));
  // GPCS §11.8.2.3.3: a replaced key keeps its algorithm and length.
  if (replaced != 0 && state.find_key_set(replaced)->keys.key_size() != keys.key_size()) {
    wrong_data("PUT KEY: a replacement must keep the key length");
  }
  state.put_key_set(keys, replaced == 0 ? std::nullopt : std::optional<std::uint8_t>(replaced));

  Bytes response{new_kvn};
  append(response, decoded.kcvs);
  return iso7816::ResponseApdu(std::move(response), sw::kOk);
}

}  // namespace sefleet::card::isd

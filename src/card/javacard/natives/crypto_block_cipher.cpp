// The block-cipher primitives of the Java Card engines (Cipher AES/DES/3DES in every padding, the
// CBC-MACs and CMAC of Signature, AES-CTR): one stateless call per run of
// whole blocks, the chaining value or counter carried by the Java engine in its `iv` array.
#include <algorithm>
#include <array>

#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/aes.hpp"
#include "crypto/aes_ctr.hpp"
#include "crypto/des.hpp"

namespace sefleet::card::javacard::natives {
namespace {

enum Mode : std::int8_t { kAesEcb = 1, kAesCbc = 2, kAesCtr = 3, kDesEcb = 4, kDesCbc = 5 };

// The counter block after `blocks` increments, as one 128-bit big-endian integer (wrapping).
Bytes advance_counter(ByteView counter, std::size_t blocks) {
  Bytes next(counter.begin(), counter.end());
  std::uint64_t carry = blocks;
  for (std::size_t i = next.size(); i-- > 0 && carry != 0;) {
    const std::uint64_t sum = next[i] + (carry & 0xFF);
    next[i] = static_cast<std::uint8_t>(sum);
    carry = (carry >> 8) + (sum >> 8);
  }
  return next;
}

struct BlockRun {
  Bytes output;
  Bytes next_iv;  // empty for ECB
};

BlockRun run_cipher(std::int8_t mode, bool encrypt, ByteView key, ByteView iv, ByteView in) {
  BlockRun run;
  switch (mode) {
    case kAesEcb: {
      crypto::Aes aes(key);
      run.output = encrypt ? aes.ecb_encrypt(in) : aes.ecb_decrypt(in);
      break;
    }
    case kAesCbc: {
      crypto::Aes aes(key);
      run.output = encrypt ? aes.cbc_encrypt(iv, in) : aes.cbc_decrypt(iv, in);
      break;
    }
    case kAesCtr: {
      crypto::AesCtr ctr(key, iv);
      run.output = ctr.apply(in);
      run.next_iv = advance_counter(iv, (in.size() + crypto::kAesBlock - 1) / crypto::kAesBlock);
      return run;
    }
    case kDesEcb: {
      crypto::Des des(key);
      run.output = encrypt ? des.ecb_encrypt(in) : des.ecb_decrypt(in);
      break;
    }
    case kDesCbc: {
      crypto::Des des(key);
      run.output = encrypt ? des.cbc_encrypt(iv, in) : des.cbc_decrypt(iv, in);
      break;
    }
    default:
      break;
  }
  if (mode == kAesCbc || mode == kDesCbc) {
    // The next chaining value: the last ciphertext block (output when encrypting, input when decrypting).
    const ByteView ciphertext = encrypt ? ByteView(run.output) : in;
    run.next_iv.assign(ciphertext.end() - static_cast<std::ptrdiff_t>(iv.size()), ciphertext.end());
  }
  return run;
}

// blockCipher(byte mode, boolean encrypt, byte[] key, short keyOffset, short keyLength, byte[] iv,
//             short ivOffset, byte[] in, short inOffset, short length, byte[] out, short outOffset)
void block_cipher(vm::NativeCall& call) {
  const std::int8_t mode = call.arg_byte(0);
  const bool encrypt = call.arg_boolean(1);
  const std::int16_t length = call.arg_short(9);
  if (mode < kAesEcb || mode > kDesCbc) throw_crypto(call, CryptoReason::illegal_value);
  const bool aes = mode <= kAesCtr;
  const bool chained = mode == kAesCbc || mode == kAesCtr || mode == kDesCbc;
  const std::size_t block = aes ? crypto::kAesBlock : crypto::kDesBlock;
  const SecretBytes key = copy_secret(call, call.arg_ref(2), call.arg_short(3), call.arg_short(4));
  if (aes ? !crypto::is_aes_key_size(key.size()) : !crypto::is_des_key_size(key.size())) {
    throw_crypto(call, CryptoReason::illegal_value);
  }
  if (length == 0) return;
  const Bytes in = copy_in(call, call.arg_ref(7), call.arg_short(8), length);  // a negative length fails here
  if (mode != kAesCtr && in.size() % block != 0) throw_crypto(call, CryptoReason::illegal_use);
  const vm::Ref iv_array = call.arg_ref(5);
  const std::int16_t iv_offset = call.arg_short(6);
  const Bytes iv = chained ? copy_in(call, iv_array, iv_offset, static_cast<std::int32_t>(block)) : Bytes();
  const vm::Ref out = call.arg_ref(10);
  const std::int16_t out_offset = call.arg_short(11);
  // A null output is a CBC-MAC step: only the chaining value is kept.
  const bool mac_step = out == vm::kNull && (mode == kAesCbc || mode == kDesCbc) && encrypt;
  if (!mac_step) check_output(call, out, out_offset, length);
  if (chained) check_output(call, iv_array, iv_offset, static_cast<std::int32_t>(block));

  const BlockRun run =
      refused_as(call, CryptoReason::illegal_value, [&] { return run_cipher(mode, encrypt, key.view(), iv, in); });
  call.charge(aes ? SeOperation::aes_block : SeOperation::des_block, in.size());
  if (!mac_step) write_out(call, out, out_offset, run.output);
  if (chained) write_out(call, iv_array, iv_offset, run.next_iv);
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.blockCipher(BZ[BSS[BS[BSS[BS)V", block_cipher},
};

}  // namespace

vm::NativeTable crypto_block_cipher_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

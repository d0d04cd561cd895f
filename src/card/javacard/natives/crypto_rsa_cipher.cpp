// javacardx.crypto.Cipher ALG_RSA_NOPAD, ALG_RSA_PKCS1 (with a private key: a PKCS#1 type-1 block, as
// real cards do) and ALG_RSA_PKCS1_OAEP with SHA-1 or SHA-2.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/rsa.hpp"

namespace sefleet::card::javacard::natives {
namespace {

// javacardx.crypto.Cipher padding codes.
constexpr std::int8_t kPadNoPad = 1;
constexpr std::int8_t kPadPkcs1 = 7;

// OAEP padding codes: PAD_PKCS1_OAEP (SHA-1) and PAD_PKCS1_OAEP_SHA224 .. SHA512.
std::optional<crypto::DigestAlgorithm> oaep_digest(std::int8_t padding) noexcept {
  switch (padding) {
    case 9:
      return crypto::DigestAlgorithm::sha1;
    case 13:
      return crypto::DigestAlgorithm::sha224;
    case 14:
      return crypto::DigestAlgorithm::sha256;
    case 15:
      return crypto::DigestAlgorithm::sha384;
    case 16:
      return crypto::DigestAlgorithm::sha512;
    default:
      return std::nullopt;
  }
}

// The result of one operation with the public key `key`.
Bytes public_operation(vm::NativeCall& call, const crypto::RsaPublicKey& key, std::int8_t padding, bool encrypt,
                       ByteView in) {
  if (padding == kPadNoPad) return crypto::rsa_public_raw(key, in);
  if (padding == kPadPkcs1) {
    if (encrypt) return crypto::rsa_pkcs1_encrypt(key, in);
    auto data = crypto::rsa_pkcs1_type1_recover(key, in);
    if (!data) throw_crypto(call, CryptoReason::illegal_use);
    return std::move(*data);
  }
  const auto digest = oaep_digest(padding);
  if (!digest) throw_crypto(call, CryptoReason::illegal_value);
  if (!encrypt) throw_crypto(call, CryptoReason::illegal_use);  // OAEP decrypts with the private key only
  return crypto::rsa_oaep_encrypt(key, *digest, in);
}

SecretBytes private_operation(vm::NativeCall& call, const crypto::RsaPrivateKey& key, std::int8_t padding, bool encrypt,
                              ByteView in) {
  if (padding == kPadNoPad) return crypto::rsa_private_raw(key, in);
  if (padding == kPadPkcs1) {
    if (!encrypt) return crypto::rsa_pkcs1_decrypt(key, in);
    Bytes block = crypto::rsa_pkcs1_type1_encrypt(key, in);
    return SecretBytes::take(block);
  }
  const auto digest = oaep_digest(padding);
  if (!digest) throw_crypto(call, CryptoReason::illegal_value);
  if (encrypt) throw_crypto(call, CryptoReason::illegal_use);  // OAEP encrypts with the public key only
  return crypto::rsa_oaep_decrypt(key, *digest, in);
}

// rsaCipher(byte keyForm, byte[] a, byte[] b, short k, byte padding, boolean encrypt, byte[] in,
//           short inOffset, short inLength, byte[] out, short outOffset) -> short
void rsa_cipher(vm::NativeCall& call) {
  const std::int8_t form = call.arg_byte(0);
  const vm::Ref a = call.arg_ref(1);
  const vm::Ref b = call.arg_ref(2);
  const std::int16_t k = call.arg_short(3);
  const std::int8_t padding = call.arg_byte(4);
  const bool encrypt = call.arg_boolean(5);
  const SecretBytes in = copy_secret(call, call.arg_ref(6), call.arg_short(7), call.arg_short(8));
  const vm::Ref out = call.arg_ref(9);
  const std::int16_t out_offset = call.arg_short(10);
  // Raw RSA and every decryption take exactly one block (decided before any key work).
  if ((padding == kPadNoPad || !encrypt) && in.size() != static_cast<std::size_t>(k)) {
    throw_crypto(call, CryptoReason::illegal_use);
  }

  SecretBytes result;
  if (form == kRsaPublic) {
    const crypto::RsaPublicKey& key = rsa_public_key(call, a, b, k);
    Bytes plain = refused_as(call, CryptoReason::illegal_use,
                             [&] { return public_operation(call, key, padding, encrypt, in.view()); });
    result = SecretBytes::take(plain);
    call.charge(SeOperation::rsa_public, static_cast<std::size_t>(k));
  } else {
    const crypto::RsaPrivateKey& key = rsa_private_key(call, form, a, b, k);
    result = refused_as(call, CryptoReason::illegal_use,
                        [&] { return private_operation(call, key, padding, encrypt, in.view()); });
    call.charge(rsa_private_operation(form), static_cast<std::size_t>(k));
  }
  check_output(call, out, out_offset, static_cast<std::int32_t>(result.size()));
  write_out(call, out, out_offset, result.view());
  call.return_short(static_cast<std::int16_t>(result.size()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.rsaCipher(B[B[BSBZ[BSS[BS)S", rsa_cipher},
};

}  // namespace

vm::NativeTable crypto_rsa_cipher_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

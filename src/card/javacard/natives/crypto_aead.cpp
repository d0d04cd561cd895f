// The running message of org.sefleet.jcre.security.AeadImpl (AEADCipher AES-GCM and AES-CCM) over
// crypto/aes_aead.hpp (OpenSSL EVP): an entry of the VM's side table keyed by the AeadImpl object,
// created by start() from the parameters of init() the Java object keeps, and dropped by abandon().
// RAM only: a card reset drops it, which returns the engine to the state right after init(). GCM
// streams through an OpenSSL context; CCM keeps the associated data and the message until doFinal(),
// since its first block carries their lengths.
#include <optional>

#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/aes.hpp"
#include "crypto/aes_aead.hpp"

namespace sefleet::card::javacard::natives {
namespace {

struct AeadRun final : vm::NativeCacheEntry {
  bool ccm = false;
  bool encrypt = false;
  bool finished = false;
  std::optional<crypto::AesGcmStream> gcm;
  // CCM: the parameters and what was given so far.
  SecretBytes key;
  Bytes nonce;
  std::size_t tag_size = 0;
  std::size_t aad_length = 0;
  std::size_t message_length = 0;
  Bytes aad;
  SecretBytes message;
  // After doFinal(): the encryption's tag, or the tag a CCM decryption must carry.
  Bytes tag;
};

AeadRun& run_of(vm::NativeCall& call, vm::Ref self) {
  auto* run = call.cached<AeadRun>(self);
  if (run == nullptr) throw_crypto(call, CryptoReason::illegal_use);
  return *run;
}

// start(boolean ccm, boolean encrypt, byte[] key, short keyLength, byte[] config, short nonceOffset,
//       short nonceLength, short tagSize, short aadLength, short messageLength)
void start(vm::NativeCall& call) {
  const vm::Ref self = call.arg_ref(0);
  const bool ccm = call.arg_boolean(1);
  const bool encrypt = call.arg_boolean(2);
  SecretBytes key = copy_secret(call, call.arg_ref(3), 0, call.arg_short(4));
  const Bytes nonce = copy_in(call, call.arg_ref(5), call.arg_short(6), call.arg_short(7));
  const std::int16_t tag_size = call.arg_short(8);
  const std::int16_t aad_length = call.arg_short(9);
  const std::int16_t message_length = call.arg_short(10);
  if (!crypto::is_aes_key_size(key.size()) || tag_size <= 0 || aad_length < 0 || message_length < 0) {
    throw_crypto(call, CryptoReason::illegal_value);
  }
  call.drop_cache(self);
  AeadRun& run = call.cache<AeadRun>(self);
  run.ccm = ccm;
  run.encrypt = encrypt;
  if (ccm) {
    run.key = std::move(key);
    run.nonce = nonce;
    run.tag_size = static_cast<std::size_t>(tag_size);
    run.aad_length = static_cast<std::size_t>(aad_length);
    run.message_length = static_cast<std::size_t>(message_length);
  } else {
    refused_as(call, CryptoReason::illegal_value, [&] { run.gcm.emplace(key.view(), nonce, encrypt); });
  }
}

// aad(byte[] in, short offset, short length)
void aad(vm::NativeCall& call) {
  AeadRun& run = run_of(call, call.arg_ref(0));
  const Bytes in = copy_in(call, call.arg_ref(1), call.arg_short(2), call.arg_short(3));
  if (run.finished) throw_crypto(call, CryptoReason::illegal_use);
  if (run.ccm) {
    if (!run.message.empty() || run.aad.size() + in.size() > run.aad_length) {
      throw_crypto(call, CryptoReason::illegal_use);
    }
    append(run.aad, in);
    return;
  }
  refused_as(call, CryptoReason::illegal_use, [&] { run.gcm->add_aad(in); });
  call.charge(SeOperation::ghash, in.size());
}

// The CCM message once complete: its output, and the tag kept for tag() or verify().
Bytes finish_ccm(vm::NativeCall& call, AeadRun& run) {
  if (run.aad.size() != run.aad_length || run.message.size() != run.message_length) {
    throw_crypto(call, CryptoReason::illegal_use);
  }
  const auto out = refused_as(call, CryptoReason::illegal_value, [&] {
    return run.encrypt ? crypto::aes_ccm_encrypt(run.key.view(), run.nonce, run.aad, run.message.view(), run.tag_size)
                       : crypto::aes_ccm_decrypt_unchecked(run.key.view(), run.nonce, run.aad, run.message.view(),
                                                           run.tag_size);
  });
  // A card runs CBC-MAC and CTR once each over the message, the MAC over the associated data too.
  call.charge(SeOperation::aes_block, run.aad.size() + 2 * run.message.size());
  run.tag = out.tag;
  return out.data;
}

// data(byte[] in, short offset, short length, byte[] out, short outOffset, boolean last) -> short
void data(vm::NativeCall& call) {
  AeadRun& run = run_of(call, call.arg_ref(0));
  const Bytes in = copy_in(call, call.arg_ref(1), call.arg_short(2), call.arg_short(3));
  const vm::Ref out = call.arg_ref(4);
  const std::int16_t out_offset = call.arg_short(5);
  const bool last = call.arg_boolean(6);
  if (run.finished) throw_crypto(call, CryptoReason::illegal_use);
  Bytes output;
  if (run.ccm) {
    if (run.aad.size() != run.aad_length || run.message.size() + in.size() > run.message_length) {
      throw_crypto(call, CryptoReason::illegal_use);
    }
    SecretBytes joined(run.message.size() + in.size());
    std::copy(run.message.view().begin(), run.message.view().end(), joined.mutable_view().begin());
    std::copy(in.begin(), in.end(), joined.mutable_view().begin() + static_cast<std::ptrdiff_t>(run.message.size()));
    run.message = std::move(joined);
    if (!last) {
      call.return_short(0);
      return;
    }
    check_output(call, out, out_offset, static_cast<std::int32_t>(run.message_length));
    output = finish_ccm(call, run);
  } else {
    check_output(call, out, out_offset, static_cast<std::int32_t>(in.size()));
    output = refused_as(call, CryptoReason::illegal_use, [&] { return run.gcm->update(in); });
    call.charge(SeOperation::aes_block, in.size());
    call.charge(SeOperation::ghash, in.size());
    if (last && run.encrypt)
      run.tag = refused_as(call, CryptoReason::illegal_use, [&] { return run.gcm->finish_encryption(); });
  }
  run.finished = last;
  write_out(call, out, out_offset, output);
  call.return_short(static_cast<std::int16_t>(output.size()));
}

// tag(byte[] out, short offset, short length) -> short: the leading bytes of an encryption's tag.
void tag(vm::NativeCall& call) {
  AeadRun& run = run_of(call, call.arg_ref(0));
  const vm::Ref out = call.arg_ref(1);
  const std::int16_t offset = call.arg_short(2);
  const std::int16_t length = call.arg_short(3);
  if (!run.finished || !run.encrypt) throw_crypto(call, CryptoReason::illegal_use);
  if (length < 1 || static_cast<std::size_t>(length) > run.tag.size()) throw_crypto(call, CryptoReason::illegal_value);
  check_output(call, out, offset, length);
  write_out(call, out, offset, ByteView(run.tag).first(static_cast<std::size_t>(length)));
  call.return_short(length);
}

// verify(byte[] tag, short offset, short length) -> boolean: whether the tag's leading `length` bytes
// are the decrypted message's.
void verify(vm::NativeCall& call) {
  AeadRun& run = run_of(call, call.arg_ref(0));
  const Bytes received = copy_in(call, call.arg_ref(1), call.arg_short(2), call.arg_short(3));
  if (!run.finished || run.encrypt) throw_crypto(call, CryptoReason::illegal_use);
  if (run.ccm) {
    call.return_boolean(received.size() <= run.tag.size() &&
                        constant_time_equal(received, ByteView(run.tag).first(received.size())));
    return;
  }
  call.return_boolean(refused_as(call, CryptoReason::illegal_use, [&] { return run.gcm->verify(received); }));
}

// abandon()
void abandon(vm::NativeCall& call) {
  call.drop_cache(call.arg_ref(0));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/AeadImpl.start(ZZ[BS[BSSSSS)V", start},
    {"org/sefleet/jcre/security/AeadImpl.aad([BSS)V", aad},
    {"org/sefleet/jcre/security/AeadImpl.data([BSS[BSZ)S", data},
    {"org/sefleet/jcre/security/AeadImpl.tag([BSS)S", tag},
    {"org/sefleet/jcre/security/AeadImpl.verify([BSS)Z", verify},
    {"org/sefleet/jcre/security/AeadImpl.abandon()V", abandon},
};

}  // namespace

vm::NativeTable crypto_aead_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

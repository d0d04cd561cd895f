// The running hash of org.sefleet.jcre.security.DigestImpl (MessageDigest SHA-1/224/256/384/512 and
// the HMAC and signature engines built on it): an OpenSSL digest context in the VM's side table, keyed
// by the DigestImpl object. RAM only: a card reset drops it, which is the API's "reset to the initial
// state", and it never takes part in a transaction.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"

namespace sefleet::card::javacard::natives {
namespace {

struct RunningDigest final : vm::NativeCacheEntry {
  explicit RunningDigest(crypto::DigestAlgorithm algorithm) : digest(algorithm) {}
  crypto::MessageDigest digest;
};

crypto::DigestAlgorithm algorithm_argument(vm::NativeCall& call, std::size_t index) {
  const auto algorithm = digest_of_code(call.arg_byte(index));
  if (!algorithm) throw_crypto(call, CryptoReason::no_such_algorithm);
  return *algorithm;
}

// The running hash of `self`, started when there is none (or it is of another algorithm).
crypto::MessageDigest& running(vm::NativeCall& call, vm::Ref self, crypto::DigestAlgorithm algorithm) {
  auto* entry = call.cached<RunningDigest>(self);
  if (entry == nullptr || entry->digest.algorithm() != algorithm) entry = &call.cache<RunningDigest>(self, algorithm);
  return entry->digest;
}

// absorb(byte algorithm, byte[] in, short offset, short length)
void absorb(vm::NativeCall& call) {
  const vm::Ref self = call.arg_ref(0);
  const auto algorithm = algorithm_argument(call, 1);
  crypto::MessageDigest& digest = running(call, self, algorithm);
  const ByteView in = call.bytes(call.arg_ref(2), call.arg_short(3), call.arg_short(4));
  digest.update(in);
  call.charge(digest_operation(algorithm), in.size());
}

// finish(byte algorithm, byte[] in, short offset, short length, byte[] out, short outOffset) -> short
void finish(vm::NativeCall& call) {
  const vm::Ref self = call.arg_ref(0);
  const auto algorithm = algorithm_argument(call, 1);
  const vm::Ref out = call.arg_ref(5);
  const std::int16_t out_offset = call.arg_short(6);
  check_output(call, out, out_offset, static_cast<std::int32_t>(crypto::digest_size(algorithm)));
  crypto::MessageDigest& digest = running(call, self, algorithm);
  const ByteView in = call.bytes(call.arg_ref(2), call.arg_short(3), call.arg_short(4));
  digest.update(in);
  call.charge(digest_operation(algorithm), in.size());
  const Bytes result = digest.finish();
  call.drop_cache(self);
  write_out(call, out, out_offset, result);
  call.return_short(static_cast<std::int16_t>(result.size()));
}

// abandon()
void abandon(vm::NativeCall& call) {
  call.drop_cache(call.arg_ref(0));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/DigestImpl.absorb(B[BSS)V", absorb},
    {"org/sefleet/jcre/security/DigestImpl.finish(B[BSS[BS)S", finish},
    {"org/sefleet/jcre/security/DigestImpl.abandon()V", abandon},
};

}  // namespace

vm::NativeTable security_digest_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

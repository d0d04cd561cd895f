// RandomData (ALG_SECURE_RANDOM, ALG_TRNG, ALG_KEYGENERATION, ALG_PSEUDO_RANDOM) and every random value
// the Java engines draw (IVs, salts): the card's random source, the one the C++ applets use.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/random.hpp"

namespace sefleet::card::javacard::natives {
namespace {

// randomBytes(byte[] out, short offset, short length)
void random_bytes(vm::NativeCall& call) {
  const vm::Ref out = call.arg_ref(0);
  const std::int16_t offset = call.arg_short(1);
  const std::int16_t length = call.arg_short(2);
  check_output(call, out, offset, length);
  Bytes random(static_cast<std::size_t>(length));
  call.random().fill(random);
  call.charge(SeOperation::random, random.size());
  write_out(call, out, offset, random);
  secure_zero(random.data(), random.size());
}

// randomSeed(byte[] in, short offset, short length): additional input, never a replacement of the
// state (the system generator mixes it in with RAND_add; the deterministic test source ignores it).
void random_seed(vm::NativeCall& call) {
  const SecretBytes material = copy_secret(call, call.arg_ref(0), call.arg_short(1), call.arg_short(2));
  (void)call.random().add_input(material.view());
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.randomBytes([BSS)V", random_bytes},
    {"org/sefleet/jcre/security/Primitives.randomSeed([BSS)V", random_seed},
};

}  // namespace

vm::NativeTable security_random_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

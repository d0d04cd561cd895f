// javacard.security.CryptoException.throwIt: throws the Java Card runtime environment's instance of
// CryptoException (a temporary entry point object) with the reason set, as the framework's throwIt do.
#include "card/javacard/natives/security_natives.hpp"

namespace sefleet::card::javacard::natives {
namespace {

void throw_it(vm::NativeCall& call) {
  call.throw_exception("javacard/security/CryptoException", call.arg_short(0));
}

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/security/CryptoException.throwIt(S)V", throw_it},
};

}  // namespace

vm::NativeTable security_exception_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

// throwIt(short) of the javacard.framework exceptions: each throws the Java Card runtime
// environment's instance of its class (a temporary entry point object) with the reason set.
#include "card/javacard/natives/native_tables.hpp"

namespace sefleet::card::javacard::natives {
namespace {

template <const char* ClassName>
void throw_it(vm::NativeCall& call) {
  call.throw_exception(ClassName, call.arg_short(0));
}

constexpr char kCardException[] = "javacard/framework/CardException";
constexpr char kCardRuntimeException[] = "javacard/framework/CardRuntimeException";
constexpr char kUserException[] = "javacard/framework/UserException";
constexpr char kIsoException[] = "javacard/framework/ISOException";
constexpr char kApduException[] = "javacard/framework/APDUException";
constexpr char kPinException[] = "javacard/framework/PINException";
constexpr char kSystemException[] = "javacard/framework/SystemException";
constexpr char kTransactionException[] = "javacard/framework/TransactionException";

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/framework/CardException.throwIt(S)V", throw_it<kCardException>},
    {"javacard/framework/CardRuntimeException.throwIt(S)V", throw_it<kCardRuntimeException>},
    {"javacard/framework/UserException.throwIt(S)V", throw_it<kUserException>},
    {"javacard/framework/ISOException.throwIt(S)V", throw_it<kIsoException>},
    {"javacard/framework/APDUException.throwIt(S)V", throw_it<kApduException>},
    {"javacard/framework/PINException.throwIt(S)V", throw_it<kPinException>},
    {"javacard/framework/SystemException.throwIt(S)V", throw_it<kSystemException>},
    {"javacard/framework/TransactionException.throwIt(S)V", throw_it<kTransactionException>},
};

}  // namespace

vm::NativeTable framework_exception_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

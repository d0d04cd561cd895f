// Checksum ALG_ISO3309_CRC16 and ALG_ISO3309_CRC32: the Java engine keeps the register (and its
// initial value from init()) and complements it on output; the native runs the register over the input.
#include "card/javacard/natives/crypto_support.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "crypto/crc.hpp"

namespace sefleet::card::javacard::natives {
namespace {

// crc(byte algorithm, int register, byte[] in, short offset, short length) -> int
void crc(vm::NativeCall& call) {
  const std::int8_t algorithm = call.arg_byte(0);
  if (algorithm != 1 && algorithm != 2) throw_crypto(call, CryptoReason::no_such_algorithm);
  const bool crc16 = algorithm == 1;
  const auto initial = static_cast<std::uint32_t>(call.arg_int(1));
  const ByteView in = call.bytes(call.arg_ref(2), call.arg_short(3), call.arg_short(4));
  crypto::Crc checksum(crc16 ? crypto::CrcAlgorithm::iso3309_crc16 : crypto::CrcAlgorithm::iso3309_crc32, initial);
  checksum.update(in);
  call.charge(crc16 ? SeOperation::crc16 : SeOperation::crc32, in.size());
  call.return_int(static_cast<std::int32_t>(checksum.register_value()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/security/Primitives.crc(BI[BSS)I", crc},
};

}  // namespace

vm::NativeTable security_checksum_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

// javacard.framework.Util: the array helpers. arrayCopy is atomic (journalled inside a transaction,
// one NVM update outside); arrayCopyNonAtomic and arrayFillNonAtomic never use the transaction
// facility; setShort writes both bytes in one atomic update.
#include <algorithm>

#include "card/javacard/natives/native_tables.hpp"

namespace sefleet::card::javacard::natives {
namespace {

// Checks both ranges before copying anything, so a refused copy changes nothing (Java Card: the
// exceptions are thrown before the destination is touched).
void copy(vm::NativeCall& call, vm::Atomicity atomicity) {
  const vm::Ref src = call.arg_ref(0);
  const std::int16_t src_off = call.arg_short(1);
  const vm::Ref dest = call.arg_ref(2);
  const std::int16_t dest_off = call.arg_short(3);
  const std::int16_t length = call.arg_short(4);
  const ByteView source = call.bytes(src, src_off, length);
  const Bytes data(source.begin(), source.end());
  (void)call.bytes(dest, dest_off, length);  // destination range check before any write
  call.write_bytes(dest, dest_off, data, atomicity);
  call.return_short(static_cast<std::int16_t>(dest_off + length));
}

void array_copy(vm::NativeCall& call) {
  copy(call, vm::Atomicity::atomic);
}

void array_copy_non_atomic(vm::NativeCall& call) {
  copy(call, vm::Atomicity::non_atomic);
}

void array_fill_non_atomic(vm::NativeCall& call) {
  const vm::Ref array = call.arg_ref(0);
  const std::int16_t offset = call.arg_short(1);
  const std::int16_t length = call.arg_short(2);
  const auto value = static_cast<std::uint8_t>(call.arg_byte(3));
  call.fill_bytes(array, offset, length, value, vm::Atomicity::non_atomic);
  call.return_short(static_cast<std::int16_t>(offset + length));
}

// Unsigned byte comparison of the two ranges: 0 when equal, -1 when src is smaller, 1 when greater.
void array_compare(vm::NativeCall& call) {
  const std::int16_t length = call.arg_short(4);
  const ByteView src = call.bytes(call.arg_ref(0), call.arg_short(1), length);
  const ByteView dest = call.bytes(call.arg_ref(2), call.arg_short(3), length);
  const auto mismatch = std::ranges::mismatch(src, dest);
  if (mismatch.in1 == src.end()) {
    call.return_byte(0);
  } else {
    call.return_byte(*mismatch.in1 < *mismatch.in2 ? -1 : 1);
  }
}

void set_short(vm::NativeCall& call) {
  const std::int16_t offset = call.arg_short(1);
  const auto value = static_cast<std::uint16_t>(call.arg_short(2));
  const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value & 0xFF)};
  call.write_bytes(call.arg_ref(0), offset, bytes, vm::Atomicity::atomic);
  call.return_short(static_cast<std::int16_t>(offset + 2));
}

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/framework/Util.arrayCopy([BS[BSS)S", array_copy},
    {"javacard/framework/Util.arrayCopyNonAtomic([BS[BSS)S", array_copy_non_atomic},
    {"javacard/framework/Util.arrayFillNonAtomic([BSSB)S", array_fill_non_atomic},
    {"javacard/framework/Util.arrayCompare([BS[BSS)B", array_compare},
    {"javacard/framework/Util.setShort([BSS)S", set_short},
};

}  // namespace

vm::NativeTable framework_util_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

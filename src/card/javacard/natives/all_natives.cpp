#include "card/javacard/natives/native_tables.hpp"

namespace sefleet::card::javacard::natives {

std::vector<vm::NativeTable> all_native_tables() {
  return {
      framework_exception_natives(),
      framework_util_natives(),
  };
}

}  // namespace sefleet::card::javacard::natives

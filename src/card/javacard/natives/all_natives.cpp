#include "card/javacard/natives/native_tables.hpp"
#include "card/javacard/natives/services_natives.hpp"

namespace sefleet::card::javacard::natives {

std::vector<vm::NativeTable> all_native_tables() {
  return {
      framework_exception_natives(),
      framework_util_natives(),
      globalplatform_card_manager_natives(),
      globalplatform_secure_channel_natives(),
      deferred_natives(),
  };
}

}  // namespace sefleet::card::javacard::natives

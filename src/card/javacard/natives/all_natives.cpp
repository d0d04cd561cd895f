#include "card/javacard/natives/native_tables.hpp"
#include "card/javacard/natives/security_natives.hpp"
#include "card/javacard/natives/services_natives.hpp"

namespace sefleet::card::javacard::natives {

std::vector<vm::NativeTable> all_native_tables() {
  return {
      framework_exception_natives(),
      framework_util_natives(),
      framework_jcsystem_natives(),
      framework_applet_natives(),
      framework_apdu_natives(),
      security_exception_natives(),
      security_digest_natives(),
      crypto_block_cipher_natives(),
      crypto_aead_natives(),
      crypto_rsa_cipher_natives(),
      security_signature_natives(),
      security_key_agreement_natives(),
      security_key_natives(),
      security_random_natives(),
      security_checksum_natives(),
      globalplatform_card_manager_natives(),
      globalplatform_secure_channel_natives(),
      deferred_natives(),
  };
}

}  // namespace sefleet::card::javacard::natives

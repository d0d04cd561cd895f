#include "offcard/server/tokens.hpp"

#include "core/bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "offcard/server/json_input.hpp"

namespace sefleet::offcard::server {

std::string generate_token() {
  crypto::SystemRandom random;
  return "sft_" + lower_hex(random.bytes(32));
}

std::string token_hash(std::string_view token) { return lower_hex(crypto::sha256(bytes_of(token))); }

}  // namespace sefleet::offcard::server

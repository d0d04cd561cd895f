#include "offcard/server/tokens.hpp"

#include "core/bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "offcard/api/json_reader.hpp"

namespace sefleet::offcard::server {

std::string generate_token() {
  crypto::SystemRandom random;
  return "sft_" + api::lower_hex(random.bytes(32));
}

std::string token_hash(std::string_view token) {
  return api::lower_hex(crypto::sha256(bytes_of(token)));
}

}  // namespace sefleet::offcard::server

// Bearer tokens (docs/api.md "Tokens"): random, shown once, stored only as SHA-256 so a database leak
// does not hand out working tokens.
#pragma once

#include <string>
#include <string_view>

namespace sefleet::offcard::server {

// "sft_" + 64 lower-case hex digits from the system random generator (256 bits).
std::string generate_token();
// SHA-256 of the token text, lower-case hex: what the database and the server keep.
std::string token_hash(std::string_view token);

}  // namespace sefleet::offcard::server

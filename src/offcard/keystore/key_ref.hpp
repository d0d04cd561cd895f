// The one text form of a KeyRef, used on command lines, in the server's API and in its database:
// "label" (the current version) or "label@vN" (version N >= 1). "label@N" is accepted as well, since
// earlier releases stored and printed that form; KeyRef::text() always prints "label@vN".
#pragma once

#include <string_view>

#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

// Throws Error(invalid_argument) naming the rule for an invalid label or version.
KeyRef parse_key_ref(std::string_view text);

}  // namespace sefleet::offcard

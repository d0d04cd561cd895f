// The "modified UTF-8" of CONSTANT_Utf8 entries (JVM specification 4.4.7): one to three bytes per UTF-16
// code unit, NUL written as C0 80, no four-byte forms (a supplementary character is a surrogate pair,
// three bytes each).
#pragma once

#include <string>

#include "core/bytes.hpp"

namespace sefleet::card::javacard::classfile {

// Decodes to standard UTF-8: a surrogate pair becomes one four-byte character, C0 80 becomes a NUL
// character; a lone surrogate keeps its three-byte form (Java strings may hold one; names never do
// once names are checked). Throws LoadError naming the offset for what the format does not allow: a
// zero byte, a byte F0-FF, a stray or missing continuation byte, a longer form than needed.
std::string decode_modified_utf8(ByteView bytes);

}  // namespace sefleet::card::javacard::classfile

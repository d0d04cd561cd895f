// Reading and checking the constant pool of a class file (JVM specification 4.4), in two steps so that
// errors in cross references can name the class: read_constant_pool() reads the entries (tags, sizes,
// modified UTF-8); check_constant_pool() checks that every reference points to an entry of the right
// kind and that names and descriptors are well formed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "card/javacard/classfile/byte_reader.hpp"
#include "card/javacard/classfile/class_file.hpp"

namespace sefleet::card::javacard::classfile {

// "Utf8", "Integer", "Methodref", ... as the JVM specification names the kinds ("unused" for slot 0
// and the slot after a Long or Double).
std::string_view constant_kind_name(ConstantKind kind);
// The name with "a" or "an": "a Methodref", "an Integer".
std::string with_article(ConstantKind kind);

// Reads constant_pool_count and the entries. Throws LoadError for truncation, an unknown tag, a tag
// the class-file version does not allow, or text that is not modified UTF-8.
ConstantPool read_constant_pool(ByteReader& in, std::uint16_t major_version);

// Throws LoadError ("constant #12 (Fieldref): ...") for the first entry whose references or text are
// wrong: an index out of range or of the wrong kind, an invalid class/member name or descriptor.
void check_constant_pool(const ConstantPool& pool, std::uint16_t major_version);

}  // namespace sefleet::card::javacard::classfile

// The class files javac compiled from tests/card/javacard_classfile/ for the class-file tests (the
// build passes their folder as SEFLEET_JAVACARD_CLASSFILE_TEST_CLASSES). A missing file fails the test.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::test {

// The bytes of the class `internal_name`, e.g. "classfiletest/accepted/Shapes".
Bytes javac_class(std::string_view internal_name);
// The internal names of every class compiled into `package` (e.g. "classfiletest/accepted"), sorted.
std::vector<std::string> javac_classes_of(std::string_view package);

}  // namespace sefleet::test

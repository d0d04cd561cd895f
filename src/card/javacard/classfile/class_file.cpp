// ClassFile member lookup; parsing lives in class_file_parser.cpp.
#include "card/javacard/classfile/class_file.hpp"

namespace sefleet::card::javacard::classfile {

const Method* ClassFile::find_method(std::string_view method_name, std::string_view method_descriptor) const {
  for (const Method& method : methods) {
    if (method.name == method_name && method.descriptor == method_descriptor) return &method;
  }
  return nullptr;
}

// The reader refuses two fields with the same name (stricter than the JVM, which only refuses the same
// name and descriptor; Java source cannot declare both), so the name alone finds the field.
const Field* ClassFile::find_field(std::string_view field_name) const {
  for (const Field& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

}  // namespace sefleet::card::javacard::classfile

// Hand-made class files for the class-file reader and verifier tests: a constant pool built entry by
// entry (deduplicated), fields, methods with code, and raw bytes wherever a test needs a malformed part.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "core/bytes.hpp"

namespace sefleet::test {

struct HandCode {
  HandCode(std::uint16_t stack, std::uint16_t locals, Bytes code,
           std::vector<card::javacard::classfile::ExceptionHandler> exception_table = {},
           std::vector<Bytes> code_attributes = {})
      : max_stack(stack),
        max_locals(locals),
        bytecode(std::move(code)),
        handlers(std::move(exception_table)),
        attributes(std::move(code_attributes)) {}

  std::uint16_t max_stack;
  std::uint16_t max_locals;
  Bytes bytecode;
  std::vector<card::javacard::classfile::ExceptionHandler> handlers;
  std::vector<Bytes> attributes;  // attributes of the Code attribute (built with ClassBuilder::attribute)
};

class ClassBuilder {
 public:
  explicit ClassBuilder(std::string_view name = "test/Hand", std::string_view super_name = "java/lang/Object");

  // Constant pool entries; the same entry is added once and its index returned again.
  std::uint16_t utf8(std::string_view text);
  std::uint16_t class_ref(std::string_view name);
  std::uint16_t string(std::string_view text);
  std::uint16_t integer(std::int32_t value);
  std::uint16_t long_constant(std::int64_t value);
  std::uint16_t name_and_type(std::string_view name, std::string_view descriptor);
  std::uint16_t fieldref(std::string_view owner, std::string_view name, std::string_view descriptor);
  std::uint16_t methodref(std::string_view owner, std::string_view name, std::string_view descriptor);
  std::uint16_t interface_methodref(std::string_view owner, std::string_view name, std::string_view descriptor);
  // An entry written as given (tag and body); `slots` is 2 for a Long or Double.
  std::uint16_t raw_constant(const Bytes& entry, int slots = 1);

  // An attribute: name index, length, body.
  Bytes attribute(std::string_view name, ByteView body);
  Bytes code_attribute(const HandCode& code);

  void add_field(std::uint16_t access, std::string_view name, std::string_view descriptor,
                 const std::vector<Bytes>& attributes = {});
  // A method with a Code attribute when `code` is given, plus `attributes`.
  void add_method(std::uint16_t access, std::string_view name, std::string_view descriptor,
                  const std::optional<HandCode>& code, const std::vector<Bytes>& attributes = {});

  std::uint16_t minor_version = 0;
  std::uint16_t major_version = 52;
  std::uint16_t access = card::javacard::classfile::access::kPublic | card::javacard::classfile::access::kSuper;
  std::uint16_t this_class = 0;   // set by the constructor; tests may point it elsewhere
  std::uint16_t super_class = 0;  // 0 when super_name is empty
  std::vector<std::uint16_t> interfaces;
  std::vector<Bytes> class_attributes;

  Bytes build() const;

 private:
  std::uint16_t add_entry(const Bytes& entry, int slots);

  std::vector<Bytes> entries_;
  std::uint16_t next_index_ = 1;
  std::map<Bytes, std::uint16_t> index_of_;
  std::vector<Bytes> fields_;
  std::vector<Bytes> methods_;
};

// A class test/Hand with one static method m`descriptor` holding `code` (and the default constructor
// left out: the verifier needs none).
Bytes class_with_static_method(const HandCode& code, std::string_view descriptor = "()V");

// The findings of verify_class on `bytes`, as Finding::to_string writes them.
std::vector<std::string> verify_findings(ByteView bytes, bool allow_native = false);

}  // namespace sefleet::test

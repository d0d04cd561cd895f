// The in-memory model of one Java class file (JVM specification chapter 4), as javac writes it for
// Java Card: bytes in, a checked model out, no execution. The reader (parse_class_file) checks the
// format (magic, versions <= 52, constant pool indices and kinds, attribute lengths); what the
// interpreter may run (the Java Card subset, the structure of each method's code) is checked by
// classfile/verifier.hpp. Every refusal is a LoadError whose message names the class, and where it
// applies the method, the pc and the instruction.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card::javacard {

// A class file, load file or package that cannot be loaded, with a message for the applet developer
// (e.g. "com/example/Foo.bar(S)V pc 12 (ldc): run-time String use is not part of Java Card").
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace classfile {

// JVMS table 4.4-B.
enum class ConstantKind : std::uint8_t {
  unused = 0,  // index 0 and the slot after a long/double
  utf8 = 1,
  integer = 3,
  float_ = 4,
  long_ = 5,
  double_ = 6,
  class_ = 7,
  string = 8,
  fieldref = 9,
  methodref = 10,
  interface_methodref = 11,
  name_and_type = 12,
  method_handle = 15,
  method_type = 16,
  dynamic = 17,
  invoke_dynamic = 18,
  module = 19,
  package = 20,
};

struct Constant {
  ConstantKind kind = ConstantKind::unused;
  std::string text;          // utf8: the decoded text (modified UTF-8 accepted as javac writes it)
  std::int32_t integer = 0;  // integer (and the raw bits of float)
  std::uint16_t first = 0;   // class/string/method_type: utf8 index; *ref: class index;
                             // name_and_type: name index; method_handle: reference index
  std::uint16_t second = 0;  // *ref: name_and_type index; name_and_type: descriptor index;
                             // method_handle: reference kind
};

// A field or method reference resolved to names (from a fieldref, methodref or interface_methodref).
struct MemberRef {
  ConstantKind kind = ConstantKind::unused;
  std::string_view class_name;  // internal form, e.g. "javacard/framework/APDU" (or an array "[B")
  std::string_view name;
  std::string_view descriptor;
};

class ConstantPool {
 public:
  std::vector<Constant> entries;  // entries[0] is unused, as in the file

  std::size_t size() const noexcept { return entries.size(); }
  // Each accessor throws LoadError when `index` is out of range or not of the expected kind.
  const Constant& at(std::uint16_t index, ConstantKind expected) const;
  std::string_view utf8(std::uint16_t index) const;
  std::string_view class_name(std::uint16_t index) const;  // a class_ entry's name
  MemberRef member(std::uint16_t index) const;             // fieldref, methodref or interface_methodref
};

namespace access {
inline constexpr std::uint16_t kPublic = 0x0001;
inline constexpr std::uint16_t kPrivate = 0x0002;
inline constexpr std::uint16_t kProtected = 0x0004;
inline constexpr std::uint16_t kStatic = 0x0008;
inline constexpr std::uint16_t kFinal = 0x0010;
inline constexpr std::uint16_t kSuper = 0x0020;         // classes
inline constexpr std::uint16_t kSynchronized = 0x0020;  // methods
inline constexpr std::uint16_t kVolatile = 0x0040;      // fields
inline constexpr std::uint16_t kBridge = 0x0040;        // methods
inline constexpr std::uint16_t kTransient = 0x0080;     // fields
inline constexpr std::uint16_t kVarargs = 0x0080;       // methods
inline constexpr std::uint16_t kNative = 0x0100;
inline constexpr std::uint16_t kInterface = 0x0200;
inline constexpr std::uint16_t kAbstract = 0x0400;
inline constexpr std::uint16_t kStrict = 0x0800;
inline constexpr std::uint16_t kSynthetic = 0x1000;
inline constexpr std::uint16_t kAnnotation = 0x2000;
inline constexpr std::uint16_t kEnum = 0x4000;
}  // namespace access

struct ExceptionHandler {
  std::uint16_t start_pc = 0;
  std::uint16_t end_pc = 0;  // exclusive
  std::uint16_t handler_pc = 0;
  std::uint16_t catch_type = 0;  // constant pool index of a class_, 0 = any (finally)
};

struct LineNumber {
  std::uint16_t start_pc = 0;
  std::uint16_t line = 0;
};

struct Code {
  std::uint16_t max_stack = 0;
  std::uint16_t max_locals = 0;
  Bytes bytecode;  // 1..65535 bytes
  std::vector<ExceptionHandler> handlers;
  std::vector<LineNumber> lines;  // LineNumberTable, when present (for diagnostics)
};

struct Field {
  std::uint16_t access = 0;
  std::string name;
  std::string descriptor;                       // e.g. "S", "[B", "Ljavacard/framework/OwnerPIN;"
  std::optional<std::uint16_t> constant_value;  // ConstantValue attribute: a constant pool index
};

struct Method {
  std::uint16_t access = 0;
  std::string name;          // "<init>", "<clinit>" or an identifier
  std::string descriptor;    // e.g. "([BSB)V"
  std::optional<Code> code;  // absent exactly for abstract and native methods
};

struct ClassFile {
  std::uint16_t minor_version = 0;
  std::uint16_t major_version = 0;  // <= 52 (Java 8)
  ConstantPool constants;
  std::uint16_t access = 0;
  std::string name;        // internal form, e.g. "com/example/oath/OathApplet"
  std::string super_name;  // empty only for java/lang/Object
  std::vector<std::string> interfaces;
  std::vector<Field> fields;
  std::vector<Method> methods;
  std::string source_file;  // SourceFile attribute, when present

  bool is_interface() const noexcept { return (access & access::kInterface) != 0; }
  const Method* find_method(std::string_view method_name, std::string_view method_descriptor) const;
  const Field* find_field(std::string_view field_name) const;
};

// The highest class-file major version accepted: 52 (javac --release 8, or -source 8 -target 8).
inline constexpr std::uint16_t kMaxMajorVersion = 52;

// Reads one class file. Throws LoadError for anything malformed: wrong magic, a version above 52,
// truncation, trailing bytes, constant pool indices out of range or of the wrong kind, inconsistent
// attribute lengths, duplicate fields or methods, code on an abstract/native method or none on another.
ClassFile parse_class_file(ByteView bytes);

}  // namespace classfile
}  // namespace sefleet::card::javacard

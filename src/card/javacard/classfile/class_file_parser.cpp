// parse_class_file: the strict reader of JVM specification chapter 4 for class files up to version 52.
// Each refusal is a LoadError whose message starts with where the reader was: "class file" before the
// class name is known, then "com/example/Foo", "com/example/Foo.field" or "com/example/Foo.bar(S)V".
#include <cstddef>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "card/javacard/classfile/access_rules.hpp"
#include "card/javacard/classfile/byte_reader.hpp"
#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/constant_pool_reader.hpp"
#include "card/javacard/classfile/descriptors.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

constexpr std::uint32_t kMagic = 0xCAFEBABE;
constexpr std::uint16_t kMinMajorVersion = 45;
constexpr std::uint32_t kMaxCodeLength = 65535;

constexpr std::string_view kJavaLangObject = "java/lang/Object";

class ClassFileParser {
 public:
  explicit ClassFileParser(ByteView bytes) : in_(bytes) {}

  ClassFile parse();
  // Where the reader is, for the message of a refusal.
  std::string location() const {
    if (class_name_.empty()) return "class file";
    return member_.empty() ? class_name_ : class_name_ + "." + member_;
  }

 private:
  void read_header();
  void read_class_names();
  void read_fields();
  void read_methods();
  void read_class_attributes();

  Field read_field();
  Method read_method();
  Code read_code(ByteView body);
  void read_line_numbers(ByteView body, Code& code);

  // The name of the attribute at the reader and its body (length checked against what remains).
  std::pair<std::string_view, ByteView> read_attribute(ByteReader& in);
  // Fails unless `reader` is at its end: an attribute's stated length must match its contents.
  static void require_consumed(const ByteReader& reader, std::string_view attribute);

  // Constant pool accesses that add what the index was for.
  std::string_view utf8(std::uint16_t index, std::string_view what) const;
  std::string_view class_name(std::uint16_t index, std::string_view what) const;

  ByteReader in_;
  ClassFile cls_;
  std::string class_name_;
  std::string member_;
};

ClassFile ClassFileParser::parse() {
  read_header();
  cls_.constants = read_constant_pool(in_, cls_.major_version);
  read_class_names();
  read_fields();
  read_methods();
  read_class_attributes();
  if (in_.remaining() != 0) {
    throw LoadError(fmt::format("{} trailing byte{} after the last attribute (at byte {})", in_.remaining(),
                                in_.remaining() == 1 ? "" : "s", in_.offset()));
  }
  return std::move(cls_);
}

void ClassFileParser::read_header() {
  const std::uint32_t magic = in_.u4("magic");
  if (magic != kMagic) throw LoadError(fmt::format("not a class file (magic {:08X}, expected CAFEBABE)", magic));
  cls_.minor_version = in_.u2("minor version");
  cls_.major_version = in_.u2("major version");
  if (cls_.major_version < kMinMajorVersion) {
    throw LoadError(fmt::format("version {}.{} is not a class-file version", cls_.major_version, cls_.minor_version));
  }
  if (cls_.major_version > kMaxMajorVersion) {
    throw LoadError(fmt::format("class-file version {}.{} is above {} (Java 8): compile with javac --release 8",
                                cls_.major_version, cls_.minor_version, kMaxMajorVersion));
  }
}

void ClassFileParser::read_class_names() {
  cls_.access = in_.u2("access flags");
  const std::string_view name = class_name(in_.u2("this_class"), "this_class");
  if (name.front() == '[') throw LoadError(fmt::format("this_class is the array type {}", name));
  cls_.name = std::string(name);
  class_name_ = cls_.name;  // from here on, refusals name the class
  check_constant_pool(cls_.constants, cls_.major_version);
  if (const std::string problem = class_access_problem(cls_.access); !problem.empty()) {
    throw LoadError("class access flags: " + problem);
  }
  const std::uint16_t super_index = in_.u2("super_class");
  if (super_index == 0) {
    if (cls_.name != kJavaLangObject) throw LoadError("no superclass (only java/lang/Object has none)");
  } else {
    if (cls_.name == kJavaLangObject) throw LoadError("java/lang/Object cannot have a superclass");
    cls_.super_name = std::string(class_name(super_index, "super_class"));
    if (cls_.super_name.front() == '[') throw LoadError(fmt::format("the superclass is an array type"));
    if (cls_.is_interface() && cls_.super_name != kJavaLangObject) {
      throw LoadError(fmt::format("the superclass of an interface must be java/lang/Object, not {}", cls_.super_name));
    }
  }
  const std::uint16_t interface_count = in_.u2("interfaces count");
  std::set<std::string_view> seen;
  for (std::uint16_t i = 0; i < interface_count; ++i) {
    const std::string_view interface_name = class_name(in_.u2("interface index"), "interface");
    if (interface_name.front() == '[')
      throw LoadError(fmt::format("the interface {} is an array type", interface_name));
    if (!seen.insert(interface_name).second) throw LoadError(fmt::format("interface {} listed twice", interface_name));
    cls_.interfaces.emplace_back(interface_name);
  }
}

void ClassFileParser::read_fields() {
  const std::uint16_t count = in_.u2("fields count");
  std::set<std::string_view> names;
  cls_.fields.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    member_ = fmt::format("field #{}", i);
    cls_.fields.push_back(read_field());
  }
  member_.clear();
  for (const Field& field : cls_.fields) {
    if (!names.insert(field.name).second) throw LoadError(fmt::format("two fields named {}", field.name));
  }
}

Field ClassFileParser::read_field() {
  Field field;
  field.access = in_.u2("field access flags");
  field.name = std::string(utf8(in_.u2("field name index"), "field name"));
  if (!is_valid_field_name(field.name)) throw LoadError(fmt::format("invalid field name \"{}\"", field.name));
  member_ = field.name;
  field.descriptor = std::string(utf8(in_.u2("field descriptor index"), "field descriptor"));
  const std::optional<FieldType> type = parse_field_descriptor(field.descriptor);
  if (!type) throw LoadError(fmt::format("invalid field descriptor \"{}\"", field.descriptor));
  if (const std::string problem = field_access_problem(field.access, cls_.is_interface()); !problem.empty()) {
    throw LoadError("access flags: " + problem);
  }
  const std::uint16_t attribute_count = in_.u2("field attributes count");
  bool has_constant_value = false;
  for (std::uint16_t i = 0; i < attribute_count; ++i) {
    const auto [name, body] = read_attribute(in_);
    if (name != "ConstantValue") continue;
    if (has_constant_value) throw LoadError("two ConstantValue attributes");
    has_constant_value = true;
    ByteReader reader(body);
    const std::uint16_t index = reader.u2("ConstantValue index");
    require_consumed(reader, name);
    ConstantKind expected = ConstantKind::integer;
    if (type->is_reference()) {
      if (type->dimensions != 0 || type->class_name != "java/lang/String") {
        throw LoadError(fmt::format("ConstantValue on a field of type {}", field.descriptor));
      }
      expected = ConstantKind::string;
    } else if (type->base == 'J') {
      expected = ConstantKind::long_;
    } else if (type->base == 'F') {
      expected = ConstantKind::float_;
    } else if (type->base == 'D') {
      expected = ConstantKind::double_;
    }
    try {
      cls_.constants.at(index, expected);
    } catch (const LoadError& error) {
      throw LoadError(fmt::format("ConstantValue of type {}: {}", field.descriptor, error.what()));
    }
    // The JVM uses ConstantValue only for static fields (javac also writes it on final instance fields).
    if ((field.access & access::kStatic) != 0) field.constant_value = index;
  }
  return field;
}

void ClassFileParser::read_methods() {
  const std::uint16_t count = in_.u2("methods count");
  std::set<std::pair<std::string_view, std::string_view>> signatures;
  cls_.methods.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    member_ = fmt::format("method #{}", i);
    cls_.methods.push_back(read_method());
  }
  member_.clear();
  for (const Method& method : cls_.methods) {
    if (!signatures.emplace(method.name, method.descriptor).second) {
      throw LoadError(fmt::format("two methods {}{}", method.name, method.descriptor));
    }
  }
}

Method ClassFileParser::read_method() {
  Method method;
  method.access = in_.u2("method access flags");
  method.name = std::string(utf8(in_.u2("method name index"), "method name"));
  if (!is_valid_method_name(method.name)) throw LoadError(fmt::format("invalid method name \"{}\"", method.name));
  method.descriptor = std::string(utf8(in_.u2("method descriptor index"), "method descriptor"));
  const std::optional<MethodType> type = parse_method_descriptor(method.descriptor);
  if (!type) throw LoadError(fmt::format("invalid method descriptor \"{}\" of {}", method.descriptor, method.name));
  member_ = method.name + method.descriptor;
  if (method.name == kClassInitializerName && method.descriptor != "()V") throw LoadError("<clinit> must be ()V");
  if (method.name == kConstructorName && type->result) throw LoadError("<init> must return void");
  const std::string problem =
      method_access_problem(method.access, method.name, cls_.is_interface(), cls_.major_version);
  if (!problem.empty()) throw LoadError("access flags: " + problem);

  const std::uint16_t attribute_count = in_.u2("method attributes count");
  for (std::uint16_t i = 0; i < attribute_count; ++i) {
    const auto [name, body] = read_attribute(in_);
    if (name != "Code") continue;
    if (method.code) throw LoadError("two Code attributes");
    method.code = read_code(body);
  }
  const bool needs_code = (method.access & (access::kAbstract | access::kNative)) == 0;
  if (needs_code && !method.code) throw LoadError("no Code attribute (only abstract and native methods have none)");
  if (!needs_code && method.code) {
    throw LoadError((method.access & access::kNative) != 0 ? "a Code attribute on a native method"
                                                           : "a Code attribute on an abstract method");
  }
  return method;
}

Code ClassFileParser::read_code(ByteView body) {
  ByteReader reader(body);
  Code code;
  code.max_stack = reader.u2("Code max_stack");
  code.max_locals = reader.u2("Code max_locals");
  const std::uint32_t length = reader.u4("Code code_length");
  if (length == 0 || length > kMaxCodeLength) {
    throw LoadError(fmt::format("code length {} (a method's code has 1 to {} bytes)", length, kMaxCodeLength));
  }
  const ByteView bytecode = reader.take(length, "Code bytes");
  code.bytecode.assign(bytecode.begin(), bytecode.end());
  const std::uint16_t handler_count = reader.u2("exception table length");
  code.handlers.reserve(handler_count);
  for (std::uint16_t i = 0; i < handler_count; ++i) {
    ExceptionHandler handler;
    handler.start_pc = reader.u2("exception handler start_pc");
    handler.end_pc = reader.u2("exception handler end_pc");
    handler.handler_pc = reader.u2("exception handler handler_pc");
    handler.catch_type = reader.u2("exception handler catch_type");
    if (handler.start_pc >= handler.end_pc || handler.end_pc > length || handler.handler_pc >= length) {
      throw LoadError(
          fmt::format("exception handler {} covers {}..{} with its handler at {}, outside the {} bytes "
                      "of code (start < end <= code length, handler < code length)",
                      i, handler.start_pc, handler.end_pc, handler.handler_pc, length));
    }
    if (handler.catch_type != 0) {
      const std::string_view caught = class_name(handler.catch_type, "exception handler catch_type");
      if (caught.front() == '[') throw LoadError(fmt::format("exception handler {} catches an array type", i));
    }
    code.handlers.push_back(handler);
  }
  const std::uint16_t attribute_count = reader.u2("Code attributes count");
  for (std::uint16_t i = 0; i < attribute_count; ++i) {
    const auto [name, attribute_body] = read_attribute(reader);
    if (name == "LineNumberTable") read_line_numbers(attribute_body, code);
  }
  require_consumed(reader, "Code");
  return code;
}

void ClassFileParser::read_line_numbers(ByteView body, Code& code) {
  ByteReader reader(body);
  const std::uint16_t count = reader.u2("LineNumberTable length");
  for (std::uint16_t i = 0; i < count; ++i) {
    LineNumber line;
    line.start_pc = reader.u2("LineNumberTable start_pc");
    line.line = reader.u2("LineNumberTable line_number");
    if (line.start_pc >= code.bytecode.size()) {
      throw LoadError(fmt::format("LineNumberTable entry at pc {}, beyond the {} bytes of code", line.start_pc,
                                  code.bytecode.size()));
    }
    code.lines.push_back(line);
  }
  require_consumed(reader, "LineNumberTable");
}

void ClassFileParser::read_class_attributes() {
  const std::uint16_t count = in_.u2("class attributes count");
  bool has_source_file = false;
  for (std::uint16_t i = 0; i < count; ++i) {
    const auto [name, body] = read_attribute(in_);
    if (name != "SourceFile") continue;
    if (has_source_file) throw LoadError("two SourceFile attributes");
    has_source_file = true;
    ByteReader reader(body);
    cls_.source_file = std::string(utf8(reader.u2("SourceFile index"), "SourceFile"));
    require_consumed(reader, name);
  }
}

std::pair<std::string_view, ByteView> ClassFileParser::read_attribute(ByteReader& in) {
  const std::string_view name = utf8(in.u2("attribute name index"), "attribute name");
  const std::uint32_t length = in.u4("attribute length");
  if (length > in.remaining()) {
    throw LoadError(fmt::format("truncated: attribute {} at byte {} has length {}, only {} bytes remain", name,
                                in.offset() - 6, length, in.remaining()));
  }
  return {name, in.take(length, "attribute")};
}

void ClassFileParser::require_consumed(const ByteReader& reader, std::string_view attribute) {
  if (reader.remaining() != 0) {
    throw LoadError(fmt::format("attribute {} has {} byte{} after its contents (its length is {})", attribute,
                                reader.remaining(), reader.remaining() == 1 ? "" : "s",
                                reader.offset() + reader.remaining()));
  }
}

std::string_view ClassFileParser::utf8(std::uint16_t index, std::string_view what) const {
  try {
    return cls_.constants.utf8(index);
  } catch (const LoadError& error) {
    throw LoadError(fmt::format("{}: {}", what, error.what()));
  }
}

std::string_view ClassFileParser::class_name(std::uint16_t index, std::string_view what) const {
  try {
    const std::string_view name = cls_.constants.class_name(index);
    if (!is_valid_class_reference(name)) throw LoadError(fmt::format("invalid class name \"{}\"", name));
    return name;
  } catch (const LoadError& error) {
    throw LoadError(fmt::format("{}: {}", what, error.what()));
  }
}

}  // namespace

ClassFile parse_class_file(ByteView bytes) {
  ClassFileParser parser(bytes);
  try {
    return parser.parse();
  } catch (const LoadError& error) {
    throw LoadError(fmt::format("{}: {}", parser.location(), error.what()));
  }
}

}  // namespace sefleet::card::javacard::classfile

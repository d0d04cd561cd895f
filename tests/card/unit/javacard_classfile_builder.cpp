#include "javacard_classfile_builder.hpp"

#include "card/javacard/classfile/verifier.hpp"

namespace sefleet::test {

namespace classfile = card::javacard::classfile;

ClassBuilder::ClassBuilder(std::string_view name, std::string_view super_name) {
  this_class = class_ref(name);
  if (!super_name.empty()) super_class = class_ref(super_name);
}

std::uint16_t ClassBuilder::add_entry(const Bytes& entry, int slots) {
  if (const auto found = index_of_.find(entry); found != index_of_.end()) return found->second;
  const std::uint16_t index = next_index_;
  entries_.push_back(entry);
  next_index_ = static_cast<std::uint16_t>(next_index_ + slots);
  index_of_.emplace(entry, index);
  return index;
}

std::uint16_t ClassBuilder::raw_constant(const Bytes& entry, int slots) {
  const std::uint16_t index = next_index_;
  entries_.push_back(entry);
  next_index_ = static_cast<std::uint16_t>(next_index_ + slots);
  return index;
}

std::uint16_t ClassBuilder::utf8(std::string_view text) {
  Bytes entry{1};
  put_be16(entry, static_cast<std::uint16_t>(text.size()));
  append(entry, bytes_of(text));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::class_ref(std::string_view name) {
  Bytes entry{7};
  put_be16(entry, utf8(name));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::string(std::string_view text) {
  Bytes entry{8};
  put_be16(entry, utf8(text));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::integer(std::int32_t value) {
  Bytes entry{3};
  put_be32(entry, static_cast<std::uint32_t>(value));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::long_constant(std::int64_t value) {
  Bytes entry{5};
  put_be64(entry, static_cast<std::uint64_t>(value));
  return add_entry(entry, 2);
}

std::uint16_t ClassBuilder::name_and_type(std::string_view name, std::string_view descriptor) {
  Bytes entry{12};
  put_be16(entry, utf8(name));
  put_be16(entry, utf8(descriptor));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::fieldref(std::string_view owner, std::string_view name, std::string_view descriptor) {
  Bytes entry{9};
  put_be16(entry, class_ref(owner));
  put_be16(entry, name_and_type(name, descriptor));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::methodref(std::string_view owner, std::string_view name, std::string_view descriptor) {
  Bytes entry{10};
  put_be16(entry, class_ref(owner));
  put_be16(entry, name_and_type(name, descriptor));
  return add_entry(entry, 1);
}

std::uint16_t ClassBuilder::interface_methodref(std::string_view owner, std::string_view name,
                                                std::string_view descriptor) {
  Bytes entry{11};
  put_be16(entry, class_ref(owner));
  put_be16(entry, name_and_type(name, descriptor));
  return add_entry(entry, 1);
}

Bytes ClassBuilder::attribute(std::string_view name, ByteView body) {
  Bytes out;
  put_be16(out, utf8(name));
  put_be32(out, static_cast<std::uint32_t>(body.size()));
  append(out, body);
  return out;
}

Bytes ClassBuilder::code_attribute(const HandCode& code) {
  Bytes body;
  put_be16(body, code.max_stack);
  put_be16(body, code.max_locals);
  put_be32(body, static_cast<std::uint32_t>(code.bytecode.size()));
  append(body, code.bytecode);
  put_be16(body, static_cast<std::uint16_t>(code.handlers.size()));
  for (const classfile::ExceptionHandler& handler : code.handlers) {
    put_be16(body, handler.start_pc);
    put_be16(body, handler.end_pc);
    put_be16(body, handler.handler_pc);
    put_be16(body, handler.catch_type);
  }
  put_be16(body, static_cast<std::uint16_t>(code.attributes.size()));
  for (const Bytes& attribute : code.attributes) append(body, attribute);
  return attribute("Code", body);
}

void ClassBuilder::add_field(std::uint16_t field_access, std::string_view name, std::string_view descriptor,
                             const std::vector<Bytes>& attributes) {
  Bytes field;
  put_be16(field, field_access);
  put_be16(field, utf8(name));
  put_be16(field, utf8(descriptor));
  put_be16(field, static_cast<std::uint16_t>(attributes.size()));
  for (const Bytes& attribute : attributes) append(field, attribute);
  fields_.push_back(field);
}

void ClassBuilder::add_method(std::uint16_t method_access, std::string_view name, std::string_view descriptor,
                              const std::optional<HandCode>& code, const std::vector<Bytes>& attributes) {
  Bytes method;
  put_be16(method, method_access);
  put_be16(method, utf8(name));
  put_be16(method, utf8(descriptor));
  put_be16(method, static_cast<std::uint16_t>(attributes.size() + (code ? 1 : 0)));
  if (code) append(method, code_attribute(*code));
  for (const Bytes& attribute : attributes) append(method, attribute);
  methods_.push_back(method);
}

Bytes ClassBuilder::build() const {
  Bytes out;
  put_be32(out, 0xCAFEBABE);
  put_be16(out, minor_version);
  put_be16(out, major_version);
  put_be16(out, next_index_);
  for (const Bytes& entry : entries_) append(out, entry);
  put_be16(out, access);
  put_be16(out, this_class);
  put_be16(out, super_class);
  put_be16(out, static_cast<std::uint16_t>(interfaces.size()));
  for (const std::uint16_t interface_index : interfaces) put_be16(out, interface_index);
  put_be16(out, static_cast<std::uint16_t>(fields_.size()));
  for (const Bytes& field : fields_) append(out, field);
  put_be16(out, static_cast<std::uint16_t>(methods_.size()));
  for (const Bytes& method : methods_) append(out, method);
  put_be16(out, static_cast<std::uint16_t>(class_attributes.size()));
  for (const Bytes& attribute : class_attributes) append(out, attribute);
  return out;
}

Bytes class_with_static_method(const HandCode& code, std::string_view descriptor) {
  ClassBuilder builder;
  builder.add_method(classfile::access::kPublic | classfile::access::kStatic, "m", descriptor, code);
  return builder.build();
}

std::vector<std::string> verify_findings(ByteView bytes, bool allow_native) {
  const classfile::ClassFile cls = classfile::parse_class_file(bytes);
  std::vector<std::string> lines;
  for (const classfile::Finding& finding : classfile::verify_class(cls, classfile::VerifyOptions{allow_native})) {
    lines.push_back(finding.to_string());
  }
  return lines;
}

}  // namespace sefleet::test

// The class-file reader (parse_class_file): javac output read into the model, and every malformed
// input refused with a message naming the class (once known), the member and what is wrong.
#include <gtest/gtest.h>

#include <string>

#include "card/javacard/classfile/class_file.hpp"
#include "javacard_classfile_builder.hpp"
#include "javacard_classfile_javac_classes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

using sefleet::test::ClassBuilder;
using sefleet::test::HandCode;
using sefleet::test::javac_class;

// The LoadError message of parsing `bytes` (fails the test when it parses).
std::string refusal(ByteView bytes) {
  try {
    parse_class_file(bytes);
  } catch (const LoadError& error) {
    return error.what();
  }
  ADD_FAILURE() << "the class file was accepted";
  return {};
}

HandCode returning_code() {
  return HandCode{0, 1, Bytes{0xB1}};
}  // return

TEST(JavacardClassfileReader, ReadsJavacOutput) {
  const ClassFile cls = parse_class_file(javac_class("classfiletest/accepted/Shapes"));
  EXPECT_EQ(cls.name, "classfiletest/accepted/Shapes");
  EXPECT_EQ(cls.super_name, "java/lang/Object");
  EXPECT_EQ(cls.major_version, 52);
  EXPECT_EQ(cls.source_file, "Shapes.java");
  EXPECT_FALSE(cls.is_interface());
  ASSERT_NE(cls.find_field("buffer"), nullptr);
  EXPECT_EQ(cls.find_field("buffer")->descriptor, "[B");
  EXPECT_EQ(cls.find_field("counter")->access, access::kPrivate | access::kStatic);
  EXPECT_EQ(cls.find_field("missing"), nullptr);

  const Method* sum = cls.find_method("sum", "([BSS)S");
  ASSERT_NE(sum, nullptr);
  ASSERT_TRUE(sum->code.has_value());
  EXPECT_EQ(sum->code->max_locals, 6);  // this, data, offset, length, result, i
  EXPECT_FALSE(sum->code->lines.empty());
  EXPECT_EQ(cls.find_method("sum", "([BII)S"), nullptr);

  const Method* guarded = cls.find_method("guarded", "(S)S");
  ASSERT_NE(guarded, nullptr);
  ASSERT_FALSE(guarded->code->handlers.empty());
  EXPECT_EQ(cls.constants.class_name(guarded->code->handlers.front().catch_type), "java/lang/ArithmeticException");
  EXPECT_TRUE(std::any_of(guarded->code->handlers.begin(), guarded->code->handlers.end(),
                          [](const ExceptionHandler& handler) { return handler.catch_type == 0; }));  // finally
}

TEST(JavacardClassfileReader, ReadsInterfacesAbstractMethodsAndConstants) {
  const ClassFile counter = parse_class_file(javac_class("classfiletest/accepted/Counter"));
  EXPECT_TRUE(counter.is_interface());
  ASSERT_NE(counter.find_method("next", "()S"), nullptr);
  EXPECT_FALSE(counter.find_method("next", "()S")->code.has_value());

  const ClassFile base = parse_class_file(javac_class("classfiletest/accepted/Base"));
  EXPECT_EQ(base.interfaces, std::vector<std::string>{"classfiletest/accepted/Counter"});
  EXPECT_FALSE(base.find_method("step", "()S")->code.has_value());

  const ClassFile by_two = parse_class_file(javac_class("classfiletest/accepted/ByTwo"));
  const Field* step = by_two.find_field("STEP");
  ASSERT_NE(step, nullptr);
  ASSERT_TRUE(step->constant_value.has_value());
  EXPECT_EQ(by_two.constants.at(*step->constant_value, ConstantKind::integer).integer, 2);
}

TEST(JavacardClassfileReader, ConstantPoolAccessorsCheckIndexAndKind) {
  const ClassFile cls = parse_class_file(javac_class("classfiletest/accepted/Shapes$Inner"));
  const ConstantPool& pool = cls.constants;
  // javac's pool of Shapes$Inner: #1 Methodref Shapes$Inner.<init>, #2 Class Shapes$Inner, #4 its Utf8 name.
  EXPECT_EQ(pool.class_name(2), "classfiletest/accepted/Shapes$Inner");
  EXPECT_EQ(pool.utf8(4), "classfiletest/accepted/Shapes$Inner");
  const MemberRef init = pool.member(1);
  EXPECT_EQ(init.kind, ConstantKind::methodref);
  EXPECT_EQ(init.class_name, "classfiletest/accepted/Shapes$Inner");
  EXPECT_EQ(init.name, "<init>");
  EXPECT_EQ(init.descriptor, "(Lclassfiletest/accepted/Shapes;)V");

  const auto message = [](auto&& call) {
    try {
      call();
    } catch (const LoadError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string last = std::to_string(pool.size() - 1);
  EXPECT_EQ(message([&] { pool.at(0, ConstantKind::utf8); }), "constant pool index 0 is outside 1.." + last);
  EXPECT_EQ(message([&] { pool.utf8(60000); }), "constant pool index 60000 is outside 1.." + last);
  EXPECT_EQ(message([&] { pool.utf8(2); }), "constant #2 is a Class, expected a Utf8");
  EXPECT_EQ(message([&] { pool.class_name(1); }), "constant #1 is a Methodref, expected a Class");
  EXPECT_EQ(message([&] { pool.member(2); }),
            "constant #2 is a Class, expected a Fieldref, Methodref or InterfaceMethodref");
}

TEST(JavacardClassfileReader, RefusesTruncationAtEveryByte) {
  const Bytes bytes = javac_class("classfiletest/accepted/Shapes$Inner");
  parse_class_file(bytes);
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const std::string message = refusal(ByteView(bytes).first(length));
    EXPECT_NE(message.find("truncated"), std::string::npos) << "length " << length << ": " << message;
  }
  EXPECT_EQ(refusal(Bytes{}), "class file: truncated: magic at byte 0 needs 4 bytes, 0 left");
  EXPECT_EQ(refusal(ByteView(bytes).first(8)),
            "class file: truncated: constant pool count at byte 8 needs 2 bytes, 0 left");
}

TEST(JavacardClassfileReader, RefusesTrailingBytes) {
  Bytes bytes = javac_class("classfiletest/accepted/Shapes$Inner");
  const std::size_t size = bytes.size();
  bytes.push_back(0);
  EXPECT_EQ(refusal(bytes), "classfiletest/accepted/Shapes$Inner: 1 trailing byte after the last attribute (at byte " +
                                std::to_string(size) + ")");
}

TEST(JavacardClassfileReader, RefusesWrongMagicAndVersions) {
  Bytes bytes = javac_class("classfiletest/accepted/Shapes$Inner");
  Bytes wrong_magic = bytes;
  wrong_magic[3] = 0xBF;
  EXPECT_EQ(refusal(wrong_magic), "class file: not a class file (magic CAFEBABF, expected CAFEBABE)");

  Bytes version_53 = bytes;
  version_53[7] = 53;
  EXPECT_EQ(refusal(version_53),
            "class file: class-file version 53.0 is above 52 (Java 8): compile with javac --release 8");
  Bytes version_44 = bytes;
  version_44[7] = 44;
  EXPECT_EQ(refusal(version_44), "class file: version 44.0 is not a class-file version");

  ClassBuilder old_class;  // the oldest accepted version
  old_class.major_version = 45;
  old_class.minor_version = 3;
  EXPECT_EQ(parse_class_file(old_class.build()).major_version, 45);
}

TEST(JavacardClassfileReader, RefusesUnknownAndLaterConstantKinds) {
  ClassBuilder unknown;
  const std::uint16_t index = unknown.raw_constant(Bytes{2, 0, 0});
  EXPECT_EQ(refusal(unknown.build()), "class file: constant #" + std::to_string(index) + ": unknown tag 2");

  ClassBuilder dynamic;
  const std::uint16_t dynamic_index = dynamic.raw_constant(Bytes{17, 0, 0, 0, 1});
  EXPECT_EQ(refusal(dynamic.build()),
            "class file: constant #" + std::to_string(dynamic_index) +
                ": a Dynamic entry is not allowed in a class file of version 52 (at most 52)");

  ClassBuilder handle_in_50;
  handle_in_50.major_version = 50;
  const std::uint16_t handle_index = handle_in_50.raw_constant(Bytes{15, 6, 0, 1});
  EXPECT_EQ(refusal(handle_in_50.build()),
            "class file: constant #" + std::to_string(handle_index) +
                ": a MethodHandle entry needs class-file version 51 or above, this one is 50");

  ClassBuilder last_long;
  last_long.raw_constant(Bytes{5, 0, 0, 0, 0, 0, 0, 0, 1}, 1);  // counted as one slot: the pool ends after it
  const Bytes bytes = last_long.build();
  EXPECT_NE(refusal(bytes).find(": a Long or Double in the last entry (it takes two)"), std::string::npos);

  ClassBuilder zero_count;
  Bytes no_pool = zero_count.build();
  no_pool[8] = 0;
  no_pool[9] = 0;
  EXPECT_EQ(refusal(no_pool), "class file: constant pool count 0 (it counts the unused entry 0, so at least 1)");
}

TEST(JavacardClassfileReader, RefusesReferencesOfTheWrongKind) {
  ClassBuilder class_to_integer;
  const std::uint16_t number = class_to_integer.integer(7);
  Bytes entry{7};
  put_be16(entry, number);
  const std::uint16_t bad_class = class_to_integer.raw_constant(entry);
  EXPECT_EQ(refusal(class_to_integer.build()), "test/Hand: constant #" + std::to_string(bad_class) +
                                                   " (Class): constant #" + std::to_string(number) +
                                                   " is an Integer, expected a Utf8");

  ClassBuilder field_to_utf8;
  const std::uint16_t text = field_to_utf8.utf8("x");
  const std::uint16_t name_and_type = field_to_utf8.name_and_type("x", "S");
  Bytes fieldref{9};
  put_be16(fieldref, text);
  put_be16(fieldref, name_and_type);
  const std::uint16_t bad_field = field_to_utf8.raw_constant(fieldref);
  EXPECT_EQ(refusal(field_to_utf8.build()), "test/Hand: constant #" + std::to_string(bad_field) +
                                                " (Fieldref): constant #" + std::to_string(text) +
                                                " is a Utf8, expected a Class");

  ClassBuilder out_of_range;
  const std::uint16_t string_index = out_of_range.raw_constant(Bytes{8, 0x01, 0x00});
  EXPECT_EQ(refusal(out_of_range.build()), "test/Hand: constant #" + std::to_string(string_index) +
                                               " (String): constant pool index 256 is outside 1.." +
                                               std::to_string(string_index));

  ClassBuilder this_not_class;
  this_not_class.this_class = this_not_class.utf8("test/Hand");
  EXPECT_EQ(refusal(this_not_class.build()), "class file: this_class: constant #" +
                                                 std::to_string(this_not_class.this_class) +
                                                 " is a Utf8, expected a Class");
}

TEST(JavacardClassfileReader, RefusesInvalidNamesAndDescriptors) {
  const auto with = [](auto&& add) {
    ClassBuilder builder;
    add(builder);
    return refusal(builder.build());
  };
  EXPECT_NE(with([](ClassBuilder& b) { b.class_ref("a//b"); }).find("(Class): invalid class name \"a//b\""),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.class_ref("a.b"); }).find("invalid class name \"a.b\""), std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.class_ref("[Q"); }).find("invalid class name \"[Q\""), std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.fieldref("test/Hand", "x", "Q"); }).find("invalid field descriptor \"Q\""),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.fieldref("test/Hand", "a;b", "I"); }).find("invalid field name \"a;b\""),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.methodref("test/Hand", "m", "(I"); }).find("invalid method descriptor \"(I\""),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.methodref("test/Hand", "a<b", "()V"); }).find("invalid method name \"a<b\""),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.methodref("test/Hand", "<init>", "()I"); }).find("<init> must return void"),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.methodref("test/Hand", "<clinit>", "()V"); }).find("a reference to <clinit>"),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) {
              b.interface_methodref("test/I", "<init>", "()V");
            }).find("an interface method named <init>"),
            std::string::npos);
  EXPECT_NE(with([](ClassBuilder& b) { b.fieldref("[B", "length", "I"); }).find("a field of the array type [B"),
            std::string::npos);
  EXPECT_EQ(with([](ClassBuilder& b) { b.add_field(access::kPrivate, "x", "V"); }),
            "test/Hand.x: invalid field descriptor \"V\"");
  EXPECT_EQ(with([](ClassBuilder& b) { b.add_method(access::kPublic, "m", "(V)V", returning_code()); }),
            "test/Hand.method #0: invalid method descriptor \"(V)V\" of m");
  EXPECT_EQ(with([](ClassBuilder& b) { b.add_method(access::kStatic, "<clinit>", "(I)V", returning_code()); }),
            "test/Hand.<clinit>(I)V: <clinit> must be ()V");
}

TEST(JavacardClassfileReader, DecodesModifiedUtf8AndRefusesInvalidSequences) {
  const auto class_named = [](const Bytes& utf8_bytes) {
    ClassBuilder builder;
    Bytes entry{1};
    put_be16(entry, static_cast<std::uint16_t>(utf8_bytes.size()));
    append(entry, utf8_bytes);
    const std::uint16_t name = builder.raw_constant(entry);
    Bytes class_entry{7};
    put_be16(class_entry, name);
    builder.this_class = builder.raw_constant(class_entry);
    return builder.build();
  };
  // C0 80 is NUL (refused later as a class name? no: NUL is a valid identifier character for the JVM).
  EXPECT_EQ(parse_class_file(class_named(Bytes{'a', 0xC0, 0x80})).name, std::string("a\0", 2));
  // U+00E9 in two bytes, U+20AC in three, U+1F600 as a surrogate pair of two three-byte units.
  EXPECT_EQ(parse_class_file(class_named(Bytes{0xC3, 0xA9, 0xE2, 0x82, 0xAC})).name, "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(parse_class_file(class_named(Bytes{0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})).name, "\xF0\x9F\x98\x80");

  const auto refused = [&](const Bytes& utf8_bytes) { return refusal(class_named(utf8_bytes)); };
  EXPECT_NE(refused(Bytes{'a', 0x00})
                .find("invalid modified UTF-8 at byte 1 of the text: a zero byte (NUL is "
                      "written C0 80)"),
            std::string::npos);
  EXPECT_NE(refused(Bytes{0xC3, 'a'}).find("at byte 1 of the text: a missing continuation byte"), std::string::npos);
  EXPECT_NE(refused(Bytes{0xE2, 0x82}).find("at byte 2 of the text: a missing continuation byte"), std::string::npos);
  EXPECT_NE(refused(Bytes{0x80}).find("at byte 0 of the text: a continuation byte without a lead byte"),
            std::string::npos);
  EXPECT_NE(refused(Bytes{0xF0, 0x9F, 0x98, 0x80}).find("byte F0 (four-byte forms are written as surrogate pairs)"),
            std::string::npos);
  EXPECT_NE(refused(Bytes{0xC1, 0x81}).find("a longer form than the character needs"), std::string::npos);
  EXPECT_NE(refused(Bytes{0xE0, 0x81, 0x81}).find("a longer form than the character needs"), std::string::npos);
  EXPECT_EQ(refused(Bytes{'a', 0xFF}).rfind("class file: constant #", 0), 0u);
}

TEST(JavacardClassfileReader, RefusesDuplicateMembers) {
  ClassBuilder fields;
  fields.add_field(access::kPrivate, "x", "S");
  fields.add_field(access::kPrivate, "x", "B");  // the JVM would allow it; Java cannot write it
  EXPECT_EQ(refusal(fields.build()), "test/Hand: two fields named x");

  ClassBuilder methods;
  methods.add_method(access::kStatic, "m", "()V", returning_code());
  methods.add_method(access::kStatic, "m", "()V", returning_code());
  EXPECT_EQ(refusal(methods.build()), "test/Hand: two methods m()V");

  ClassBuilder overloads;  // same name, other descriptor: fine
  overloads.add_method(access::kStatic, "m", "()V", returning_code());
  overloads.add_method(access::kStatic, "m", "(S)V", returning_code());
  EXPECT_EQ(parse_class_file(overloads.build()).methods.size(), 2u);

  ClassBuilder interfaces;
  const std::uint16_t shareable = interfaces.class_ref("javacard/framework/Shareable");
  interfaces.interfaces = {shareable, shareable};
  EXPECT_EQ(refusal(interfaces.build()), "test/Hand: interface javacard/framework/Shareable listed twice");
}

TEST(JavacardClassfileReader, RequiresCodeOnExactlyTheConcreteMethods) {
  ClassBuilder missing;
  missing.add_method(access::kPublic, "m", "()V", std::nullopt);
  EXPECT_EQ(refusal(missing.build()), "test/Hand.m()V: no Code attribute (only abstract and native methods have none)");

  ClassBuilder on_abstract;
  on_abstract.access |= access::kAbstract;
  on_abstract.add_method(access::kPublic | access::kAbstract, "m", "()V", returning_code());
  EXPECT_EQ(refusal(on_abstract.build()), "test/Hand.m()V: a Code attribute on an abstract method");

  ClassBuilder on_native;
  on_native.add_method(access::kPublic | access::kNative, "m", "()V", returning_code());
  EXPECT_EQ(refusal(on_native.build()), "test/Hand.m()V: a Code attribute on a native method");

  ClassBuilder twice;
  const Bytes second_code = twice.code_attribute(returning_code());
  twice.add_method(access::kStatic, "m", "()V", returning_code(), {second_code});
  EXPECT_EQ(refusal(twice.build()), "test/Hand.m()V: two Code attributes");

  ClassBuilder native_without;  // the reader accepts it; the verifier refuses native in applet code
  native_without.add_method(access::kPublic | access::kNative, "m", "()V", std::nullopt);
  EXPECT_FALSE(parse_class_file(native_without.build()).methods.front().code.has_value());
}

TEST(JavacardClassfileReader, ChecksTheCodeAttribute) {
  ClassBuilder empty;
  empty.add_method(access::kStatic, "m", "()V", HandCode{0, 0, Bytes{}});
  EXPECT_EQ(refusal(empty.build()), "test/Hand.m()V: code length 0 (a method's code has 1 to 65535 bytes)");

  ClassBuilder handler_outside;
  handler_outside.add_method(access::kStatic, "m", "()V", HandCode{1, 0, Bytes{0x00, 0xB1}, {{0, 5, 1, 0}}, {}});
  EXPECT_EQ(refusal(handler_outside.build()),
            "test/Hand.m()V: exception handler 0 covers 0..5 with its handler at 1, outside the 2 bytes of code "
            "(start < end <= code length, handler < code length)");

  ClassBuilder handler_empty_range;
  handler_empty_range.add_method(access::kStatic, "m", "()V", HandCode{1, 0, Bytes{0x00, 0xB1}, {{1, 1, 1, 0}}, {}});
  EXPECT_NE(refusal(handler_empty_range.build()).find("exception handler 0 covers 1..1"), std::string::npos);

  ClassBuilder catch_not_class;
  const std::uint16_t text = catch_not_class.utf8("java/lang/Exception");
  catch_not_class.add_method(access::kStatic, "m", "()V", HandCode{1, 0, Bytes{0x00, 0xB1}, {{0, 1, 1, text}}, {}});
  EXPECT_EQ(refusal(catch_not_class.build()), "test/Hand.m()V: exception handler catch_type: constant #" +
                                                  std::to_string(text) + " is a Utf8, expected a Class");

  ClassBuilder lines_beyond;
  Bytes table;
  put_be16(table, 1);
  put_be16(table, 7);  // start_pc 7 of a 1-byte method
  put_be16(table, 12);
  HandCode with_lines = returning_code();
  with_lines.attributes.push_back(lines_beyond.attribute("LineNumberTable", table));
  lines_beyond.add_method(access::kStatic, "m", "()V", with_lines);
  EXPECT_EQ(refusal(lines_beyond.build()), "test/Hand.m()V: LineNumberTable entry at pc 7, beyond the 1 bytes of code");
}

TEST(JavacardClassfileReader, RefusesInconsistentAttributeLengths) {
  ClassBuilder builder;
  builder.add_method(access::kStatic, "m", "()V", returning_code());
  Bytes bytes = builder.build();
  // The Code attribute is the last method's only attribute: lengthen its stated length by one and add a
  // byte at the end of the file, which the Code attribute then claims.
  const Bytes code = builder.code_attribute(returning_code());
  const std::size_t code_at = bytes.size() - 2 - code.size();  // class attributes count follows
  bytes[code_at + 5] = static_cast<std::uint8_t>(bytes[code_at + 5] + 1);
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(code_at + code.size()), 0x00);
  EXPECT_EQ(refusal(bytes), "test/Hand.m()V: attribute Code has 1 byte after its contents (its length is " +
                                std::to_string(code.size() - 5) + ")");

  ClassBuilder source;
  source.class_attributes.push_back(source.attribute("SourceFile", Bytes{0x00}));
  EXPECT_EQ(refusal(source.build()), "test/Hand: truncated: SourceFile index at byte 0 needs 2 bytes, 1 left");

  ClassBuilder overlong;
  Bytes attribute = overlong.attribute("Whatever", Bytes{1, 2, 3});
  attribute[5] = 9;  // claims 9 bytes, 3 follow
  overlong.class_attributes.push_back(attribute);
  const Bytes overlong_bytes = overlong.build();
  EXPECT_EQ(refusal(overlong_bytes), "test/Hand: truncated: attribute Whatever at byte " +
                                         std::to_string(overlong_bytes.size() - 9) +
                                         " has length 9, only 3 bytes remain");

  ClassBuilder unknown;  // attributes the VM does not need are skipped
  unknown.class_attributes.push_back(unknown.attribute("Whatever", Bytes{1, 2, 3}));
  EXPECT_EQ(parse_class_file(unknown.build()).name, "test/Hand");
}

TEST(JavacardClassfileReader, ChecksConstantValueKinds) {
  ClassBuilder matching;
  const std::uint16_t five = matching.integer(5);
  Bytes index;
  put_be16(index, five);
  matching.add_field(access::kStatic | access::kFinal, "X", "S", {matching.attribute("ConstantValue", index)});
  matching.add_field(access::kFinal, "y", "S", {matching.attribute("ConstantValue", index)});
  const ClassFile cls = parse_class_file(matching.build());
  EXPECT_EQ(cls.find_field("X")->constant_value, five);
  EXPECT_FALSE(cls.find_field("y")->constant_value.has_value());  // the JVM uses it on static fields only

  ClassBuilder wrong_kind;
  const std::uint16_t text = wrong_kind.string("five");
  Bytes text_index;
  put_be16(text_index, text);
  wrong_kind.add_field(access::kStatic | access::kFinal, "X", "S", {wrong_kind.attribute("ConstantValue", text_index)});
  EXPECT_EQ(refusal(wrong_kind.build()), "test/Hand.X: ConstantValue of type S: constant #" + std::to_string(text) +
                                             " is a String, expected an Integer");

  ClassBuilder on_array;
  Bytes array_index;
  put_be16(array_index, on_array.integer(1));
  on_array.add_field(access::kStatic | access::kFinal, "X", "[B", {on_array.attribute("ConstantValue", array_index)});
  EXPECT_EQ(refusal(on_array.build()), "test/Hand.X: ConstantValue on a field of type [B");

  ClassBuilder long_body;
  Bytes three{0, 1, 0};
  long_body.add_field(access::kStatic | access::kFinal, "X", "S", {long_body.attribute("ConstantValue", three)});
  EXPECT_EQ(refusal(long_body.build()),
            "test/Hand.X: attribute ConstantValue has 1 byte after its contents (its "
            "length is 3)");
}

TEST(JavacardClassfileReader, ChecksAccessFlags) {
  ClassBuilder interface_not_abstract;
  interface_not_abstract.access = access::kPublic | access::kInterface;
  EXPECT_EQ(refusal(interface_not_abstract.build()),
            "test/Hand: class access flags: an interface without ACC_ABSTRACT");

  ClassBuilder final_abstract;
  final_abstract.access = access::kPublic | access::kFinal | access::kAbstract;
  EXPECT_EQ(refusal(final_abstract.build()), "test/Hand: class access flags: both ACC_FINAL and ACC_ABSTRACT");

  ClassBuilder module;
  module.access = 0x8000;
  EXPECT_EQ(refusal(module.build()), "test/Hand: class access flags: a module-info class (ACC_MODULE) is not a class");

  ClassBuilder two_visibilities;
  two_visibilities.add_field(access::kPublic | access::kPrivate, "x", "S");
  EXPECT_EQ(refusal(two_visibilities.build()),
            "test/Hand.x: access flags: more than one of ACC_PUBLIC, ACC_PRIVATE and ACC_PROTECTED");

  ClassBuilder interface_field;
  interface_field.access = access::kPublic | access::kInterface | access::kAbstract;
  interface_field.add_field(access::kPublic | access::kStatic, "X", "S");
  EXPECT_EQ(refusal(interface_field.build()),
            "test/Hand.X: access flags: an interface field must be public static final (and nothing else)");

  ClassBuilder abstract_final;
  abstract_final.access |= access::kAbstract;
  abstract_final.add_method(access::kPublic | access::kAbstract | access::kFinal, "m", "()V", std::nullopt);
  EXPECT_EQ(refusal(abstract_final.build()),
            "test/Hand.m()V: access flags: an abstract method cannot be private, static, final, synchronized, "
            "native or strictfp");

  ClassBuilder static_init;
  static_init.add_method(access::kStatic, "<init>", "()V", returning_code());
  EXPECT_EQ(refusal(static_init.build()),
            "test/Hand.<init>()V: access flags: <init> may only be public, private or protected (and varargs, "
            "strictfp, synthetic)");

  ClassBuilder instance_clinit;
  instance_clinit.add_method(0, "<clinit>", "()V", returning_code());
  EXPECT_EQ(refusal(instance_clinit.build()), "test/Hand.<clinit>()V: access flags: <clinit> must be static");

  ClassBuilder old_interface_method;  // before version 52 interface methods are public abstract
  old_interface_method.major_version = 51;
  old_interface_method.access = access::kPublic | access::kInterface | access::kAbstract;
  old_interface_method.add_method(access::kPublic | access::kStatic, "m", "()V", returning_code());
  EXPECT_EQ(refusal(old_interface_method.build()),
            "test/Hand.m()V: access flags: an interface method must be public abstract in a class file of version 51");
}

TEST(JavacardClassfileReader, ChecksTheClassHierarchyNames) {
  ClassBuilder no_super("test/Hand", "");
  EXPECT_EQ(refusal(no_super.build()), "test/Hand: no superclass (only java/lang/Object has none)");

  ClassBuilder object_with_super("java/lang/Object", "test/Base");
  EXPECT_EQ(refusal(object_with_super.build()), "java/lang/Object: java/lang/Object cannot have a superclass");
  EXPECT_TRUE(parse_class_file(ClassBuilder("java/lang/Object", "").build()).super_name.empty());

  ClassBuilder array_class("[B");
  EXPECT_EQ(refusal(array_class.build()), "class file: this_class is the array type [B");

  ClassBuilder interface_super("test/Hand", "test/Base");
  interface_super.access = access::kPublic | access::kInterface | access::kAbstract;
  EXPECT_EQ(refusal(interface_super.build()),
            "test/Hand: the superclass of an interface must be java/lang/Object, not test/Base");

  ClassBuilder interface_array;
  interface_array.interfaces = {interface_array.class_ref("[B")};
  EXPECT_EQ(refusal(interface_array.build()), "test/Hand: the interface [B is an array type");
}

}  // namespace
}  // namespace sefleet::card::javacard::classfile

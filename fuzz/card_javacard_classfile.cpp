// Fuzzes the class-file reader and the verifier (src/card/javacard/classfile), which the card runs on
// every class of a LOAD. The first input byte picks what the rest is:
//   even: a whole class file (the seeds are javac output, so mutations reach every part of the reader);
//   odd:  the code of one method placed in a fixed, valid class with a constant pool of every kind the
//         instructions use: [max_stack] [max_locals] [shape] [handler count] [8 bytes per handler]
//         [bytecode...], so that the fuzzer spends its time in the decoder and the data-flow verifier.
// Invariants (abort otherwise):
//  - parse_class_file returns or throws LoadError, nothing else; verify_class never throws for a parsed
//    class and gives the same findings twice; require_verified throws exactly when there are findings;
//  - a class without findings has none of what the Java Card subset refuses, re-checked here without the
//    verifier's code: no long/float/double, monitor, jsr/ret, invokedynamic or multianewarray
//    instruction, no ldc of anything but an Integer, no synchronized or native method, no long, float or
//    double in a descriptor, frames within 255 slots, branch targets inside the code.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/opcodes.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "core/bytes.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card::javacard;
using namespace sefleet::card::javacard::classfile;

void require(bool condition) {
  if (!condition) std::abort();
}

// ---- the fixed class around a fuzzed method ----

class PoolWriter {
 public:
  std::uint16_t utf8(std::string_view text) {
    Bytes entry{1};
    put_be16(entry, static_cast<std::uint16_t>(text.size()));
    append(entry, bytes_of(text));
    return add(entry, 1);
  }
  std::uint16_t reference(std::uint8_t tag, std::uint16_t first) {
    Bytes entry{tag};
    put_be16(entry, first);
    return add(entry, 1);
  }
  std::uint16_t reference(std::uint8_t tag, std::uint16_t first, std::uint16_t second) {
    Bytes entry{tag};
    put_be16(entry, first);
    put_be16(entry, second);
    return add(entry, 1);
  }
  std::uint16_t class_ref(std::string_view name) { return reference(7, utf8(name)); }
  std::uint16_t member(std::uint8_t tag, std::string_view owner, std::string_view name, std::string_view descriptor) {
    return reference(tag, class_ref(owner), reference(12, utf8(name), utf8(descriptor)));
  }
  std::uint16_t number(std::uint8_t tag, std::uint64_t value) {  // Integer, Float (4 bytes), Long (8 bytes)
    Bytes entry{tag};
    if (tag == 5) {
      put_be64(entry, value);
      return add(entry, 2);
    }
    put_be32(entry, static_cast<std::uint32_t>(value));
    return add(entry, 1);
  }
  std::uint16_t count() const { return count_; }
  const Bytes& bytes() const { return bytes_; }

 private:
  std::uint16_t add(const Bytes& entry, std::uint16_t slots) {
    append(bytes_, entry);
    const std::uint16_t index = count_;
    count_ = static_cast<std::uint16_t>(count_ + slots);
    return index;
  }
  Bytes bytes_;
  std::uint16_t count_ = 1;
};

constexpr std::array<std::string_view, 6> kDescriptors = {
    "()V", "(S)S", "([BS)V", "(Ljava/lang/Object;I)Ljava/lang/Object;", "()[B", "(J)V"};

// The class file around the method described by `input` (see the top of the file); empty when the
// input is too short.
Bytes class_around_method(ByteView input) {
  if (input.size() < 4) return {};
  const std::uint8_t max_stack = input[0];
  const std::uint8_t max_locals = input[1];
  const std::uint8_t shape = input[2];
  const std::size_t handler_count = input[3] % 4;
  input = input.subspan(4);
  if (input.size() < handler_count * 8) return {};
  const ByteView handlers = input.first(handler_count * 8);
  const ByteView bytecode = input.subspan(handler_count * 8);

  // Small indices, so that random operands often name a valid entry of each kind.
  PoolWriter pool;
  const std::uint16_t this_class = pool.class_ref("test/Fuzz");
  const std::uint16_t super_class = pool.class_ref("java/lang/Object");
  pool.class_ref("test/Other");
  pool.class_ref("[B");
  pool.class_ref("java/lang/Exception");
  pool.class_ref("java/lang/String");
  pool.member(9, "test/Fuzz", "s", "S");
  pool.member(9, "test/Fuzz", "b", "[B");
  pool.member(9, "test/Fuzz", "o", "Ljava/lang/Object;");
  pool.member(9, "test/Other", "x", "I");
  pool.member(10, "java/lang/Object", "<init>", "()V");
  pool.member(10, "test/Fuzz", "<init>", "()V");
  pool.member(10, "test/Other", "<init>", "(S)V");
  pool.member(10, "test/Fuzz", "f", "(SB)S");
  pool.member(10, "test/Fuzz", "g", "([B)V");
  pool.member(10, "test/Other", "h", "()Ljava/lang/Object;");
  pool.member(11, "test/I", "run", "(S)S");
  pool.member(10, "test/Fuzz", "l", "(J)J");
  pool.number(3, 7);
  pool.number(3, 0xFFFFFFFF);
  pool.number(4, 0x3F800000);
  pool.number(5, 1);
  pool.reference(8, pool.utf8("text"));
  const bool constructor = (shape & 0x10) != 0;
  const std::uint16_t method_name = pool.utf8(constructor ? "<init>" : "m");
  const std::uint16_t method_descriptor = pool.utf8(constructor ? "()V" : kDescriptors[shape % kDescriptors.size()]);
  const std::uint16_t code_name = pool.utf8("Code");
  const std::array<std::pair<std::uint16_t, std::uint16_t>, 3> fields = {
      std::pair{pool.utf8("s"), pool.utf8("S")}, std::pair{pool.utf8("b"), pool.utf8("[B")},
      std::pair{pool.utf8("o"), pool.utf8("Ljava/lang/Object;")}};

  Bytes code;
  put_be16(code, max_stack);
  put_be16(code, max_locals);
  put_be32(code, static_cast<std::uint32_t>(bytecode.size()));
  append(code, bytecode);
  put_be16(code, static_cast<std::uint16_t>(handler_count));
  append(code, handlers);
  put_be16(code, 0);

  Bytes out;
  put_be32(out, 0xCAFEBABE);
  put_be16(out, 0);
  put_be16(out, (shape & 0x20) != 0 ? 49 : 52);
  put_be16(out, pool.count());
  append(out, pool.bytes());
  put_be16(out, access::kPublic | access::kSuper);
  put_be16(out, this_class);
  put_be16(out, super_class);
  put_be16(out, 0);  // interfaces
  put_be16(out, static_cast<std::uint16_t>(fields.size()));
  for (const auto& [name, type] : fields) {
    put_be16(out, access::kStatic);
    put_be16(out, name);
    put_be16(out, type);
    put_be16(out, 0);
  }
  put_be16(out, 1);  // methods
  put_be16(out, static_cast<std::uint16_t>(constructor ? access::kPublic : (access::kPublic | access::kStatic)));
  put_be16(out, method_name);
  put_be16(out, method_descriptor);
  put_be16(out, 1);
  put_be16(out, code_name);
  put_be32(out, static_cast<std::uint32_t>(code.size()));
  append(out, code);
  put_be16(out, 0);  // class attributes
  return out;
}

// ---- the independent re-check of what an accepted class may not contain ----

bool has_wide_primitive(std::string_view descriptor) {
  for (std::size_t i = 0; i < descriptor.size(); ++i) {
    if (descriptor[i] == 'L') {
      i = descriptor.find(';', i);
      if (i == std::string_view::npos) return false;
    } else if (descriptor[i] == 'J' || descriptor[i] == 'F' || descriptor[i] == 'D') {
      return true;
    }
  }
  return false;
}

bool is_refused_opcode(std::uint8_t opcode) {
  static constexpr std::array<std::pair<std::uint8_t, std::uint8_t>, 19> kRanges = {{
      {0x09, 0x0F},  // lconst, fconst, dconst
      {0x14, 0x14},  // ldc2_w
      {0x16, 0x18},  // lload, fload, dload
      {0x1E, 0x29},  // lload_n .. dload_n
      {0x2F, 0x31},  // laload, faload, daload
      {0x37, 0x39},  // lstore, fstore, dstore
      {0x3F, 0x4A},  // lstore_n .. dstore_n
      {0x50, 0x52},  // lastore, fastore, dastore
      {0x85, 0x90},  // conversions to and from long, float, double
      {0x94, 0x98},  // lcmp, fcmpl, fcmpg, dcmpl, dcmpg
      {0xA8, 0xA9},  // jsr, ret
      {0xAD, 0xAF},  // lreturn, freturn, dreturn
      {0xBA, 0xBA},  // invokedynamic
      {0xC2, 0xC3},  // monitorenter, monitorexit
      {0xC5, 0xC5},  // multianewarray
      {0xC9, 0xC9},  // jsr_w
      {0x61, 0x63},  // ladd, fadd, dadd (the other long/float/double arithmetic below)
      {0x79, 0x79},  // lshl
      {0x7B, 0x7B},  // lshr
  }};
  for (const auto& [first, last] : kRanges) {
    if (opcode >= first && opcode <= last) return true;
  }
  // lsub..dneg: every opcode of 0x64..0x77 whose position in its group of four is not the int one;
  // lushr, land, lor, lxor.
  if (opcode >= 0x64 && opcode <= 0x77 && (opcode - 0x60) % 4 != 0) return true;
  return opcode == 0x7D || opcode == 0x7F || opcode == 0x81 || opcode == 0x83;
}

std::int32_t s4(ByteView code, std::size_t at) {
  return static_cast<std::int32_t>(read_be32(code, at));
}

void check_accepted_code(const ClassFile& cls, const Code& code) {
  require(code.max_stack <= 255 && code.max_locals <= 255);
  const Bytes& bytes = code.bytecode;
  const auto in_code = [&](std::int64_t target) {
    return target >= 0 && target < static_cast<std::int64_t>(bytes.size());
  };
  std::size_t pc = 0;
  while (pc < bytes.size()) {
    const std::uint8_t opcode = bytes[pc];
    require(!is_refused_opcode(opcode));
    if (opcode == op::ldc) require(cls.constants.entries[bytes[pc + 1]].kind == ConstantKind::integer);
    if (opcode == op::ldc_w) require(cls.constants.entries[read_be16(bytes, pc + 1)].kind == ConstantKind::integer);
    if (opcode == op::newarray) require(bytes[pc + 1] != 6 && bytes[pc + 1] != 7 && bytes[pc + 1] != 11);
    if ((opcode >= op::ifeq && opcode <= op::goto_) || opcode == op::ifnull || opcode == op::ifnonnull) {
      require(in_code(static_cast<std::int64_t>(pc) + static_cast<std::int16_t>(read_be16(bytes, pc + 1))));
    }
    if (opcode == op::goto_w) require(in_code(static_cast<std::int64_t>(pc) + s4(bytes, pc + 1)));
    std::size_t length = 0;
    if (opcode == op::wide) {
      length = bytes[pc + 1] == op::iinc ? 6 : 4;
    } else if (opcode == op::tableswitch || opcode == op::lookupswitch) {
      const std::size_t base = (pc + 4) & ~std::size_t{3};
      require(in_code(static_cast<std::int64_t>(pc) + s4(bytes, base)));
      if (opcode == op::tableswitch) {
        const std::int64_t cases = std::int64_t{s4(bytes, base + 8)} - s4(bytes, base + 4) + 1;
        for (std::int64_t i = 0; i < cases; ++i) {
          require(in_code(static_cast<std::int64_t>(pc) + s4(bytes, base + 12 + static_cast<std::size_t>(i) * 4)));
        }
        length = base + 12 + static_cast<std::size_t>(cases) * 4 - pc;
      } else {
        const auto pairs = static_cast<std::size_t>(s4(bytes, base + 4));
        for (std::size_t i = 0; i < pairs; ++i) {
          require(in_code(static_cast<std::int64_t>(pc) + s4(bytes, base + 12 + i * 8)));
        }
        length = base + 8 + pairs * 8 - pc;
      }
    } else {
      length = opcode_info(opcode)->length;
    }
    pc += length;
  }
  require(pc == bytes.size());
}

void check_accepted(const ClassFile& cls) {
  require(cls.major_version <= kMaxMajorVersion);
  for (const Field& field : cls.fields) require(!has_wide_primitive(field.descriptor));
  for (const Method& method : cls.methods) {
    require((method.access & (access::kSynchronized | access::kNative)) == 0);
    require(!has_wide_primitive(method.descriptor));
    if (method.code) check_accepted_code(cls, *method.code);
  }
}

void run(ByteView class_bytes) {
  ClassFile cls;
  try {
    cls = parse_class_file(class_bytes);
  } catch (const LoadError&) {
    return;
  } catch (...) {
    std::abort();  // only LoadError may leave the reader
  }
  std::vector<Finding> findings;
  std::vector<Finding> again;
  try {
    findings = verify_class(cls);
    again = verify_class(cls);
  } catch (...) {
    std::abort();
  }
  require(findings.size() == again.size());
  for (std::size_t i = 0; i < findings.size(); ++i) require(findings[i].to_string() == again[i].to_string());
  bool refused = false;
  try {
    require_verified(cls);
  } catch (const LoadError&) {
    refused = true;
  }
  require(refused == !findings.empty());
  if (findings.empty()) check_accepted(cls);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    run(input);
  } else if (const Bytes cls = class_around_method(input); !cls.empty()) {
    run(cls);
  }
  return 0;
}

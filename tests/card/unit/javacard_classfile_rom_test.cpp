// Real Java Card code through the reader and the verifier: every class of the VM's ROM (the API stubs
// and the VM's implementation classes, native methods allowed) and every class of the Java test applets
// (compiled against the public API jar as a user's applet is) verifies without a finding.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "card/javacard/classfile/verifier.hpp"
#include "card/javacard/vm/rom_image.hpp"
#include "javacard_classfile_builder.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

using Lines = std::vector<std::string>;

TEST(JavacardClassfileRom, EveryRomClassVerifies) {
  const auto files = vm::rom_class_files();
  ASSERT_GT(files.size(), 50u);
  std::size_t natives = 0;
  for (const auto& file : files) {
    const ByteView bytes(file.data, file.size);
    const ClassFile cls = parse_class_file(bytes);
    EXPECT_EQ(cls.name + ".class", file.name);
    EXPECT_EQ(sefleet::test::verify_findings(bytes, /*allow_native=*/true), Lines{}) << file.name;
    for (const Method& method : cls.methods) natives += (method.access & access::kNative) != 0 ? 1 : 0;
  }
  EXPECT_GT(natives, 0u);  // the ROM's natives are what VerifyOptions::allow_native lets through
}

TEST(JavacardClassfileRom, RomNativesAreRefusedInAppletCode) {
  for (const auto& file : vm::rom_class_files()) {
    if (file.name != "javacard/framework/Util.class") continue;
    const Lines findings = sefleet::test::verify_findings(ByteView(file.data, file.size));
    ASSERT_FALSE(findings.empty());
    for (const std::string& finding : findings) {
      EXPECT_NE(finding.find(": native methods are not allowed in applet code"), std::string::npos) << finding;
    }
    return;
  }
  FAIL() << "javacard/framework/Util.class is not in the ROM";
}

TEST(JavacardClassfileRom, EveryTestAppletClassVerifies) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SEFLEET_JAVACARD_APPLETS_DIR)) {
    if (entry.path().extension() != ".class") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
    EXPECT_EQ(sefleet::test::verify_findings(bytes), Lines{}) << entry.path();
    ++count;
  }
  EXPECT_GT(count, 0u);
}

}  // namespace
}  // namespace sefleet::card::javacard::classfile

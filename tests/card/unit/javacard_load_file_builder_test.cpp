// build_load_file over javac output (the gp test applets, tests/card/javacard/gp): the one-package
// rule, the applet entry point, and refusals naming the file or class at fault.
#include "card/javacard/loadfile/load_file_builder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/hex.hpp"

namespace sefleet::card::javacard {
namespace {

std::vector<ClassFileSource> classes_of(const std::string& package) {
  const auto dir =
      std::filesystem::path(SEFLEET_JAVACARD_APPLETS_DIR) / "gp" / "classes" / "org" / "sefleet" / "test" / package;
  std::vector<ClassFileSource> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    out.push_back({entry.path().string(), Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
  }
  return out;
}

PackageSpec gp_spec() {
  PackageSpec spec;
  spec.package_aid = from_hex("F053464A4301");
  spec.major_version = 2;
  spec.minor_version = 3;
  spec.applets = {{"org/sefleet/test/gp/GpApplet", from_hex("F053464A430101")}};
  return spec;
}

std::string builder_refusal(const std::vector<ClassFileSource>& classes, const PackageSpec& spec) {
  try {
    (void)build_load_file(classes, spec);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(JavaCardLoadFileBuilder, BuildsTheSortedPackageFromJavacOutput) {
  const LoadFile file = build_load_file(classes_of("gp"), gp_spec());
  EXPECT_EQ(file.package_name, "org/sefleet/test/gp");
  EXPECT_EQ(file.major_version, 2);
  EXPECT_EQ(file.minor_version, 3);
  ASSERT_EQ(file.classes.size(), 2u);
  EXPECT_EQ(file.classes[0].name, "org/sefleet/test/gp/Counter");
  EXPECT_EQ(file.classes[1].name, "org/sefleet/test/gp/GpApplet");
  EXPECT_EQ(decode_load_file(encode_load_file(file)).classes[1].bytes, file.classes[1].bytes);
  PackageSpec library;
  library.package_aid = from_hex("F053464A4302");
  EXPECT_EQ(build_load_file(classes_of("gplib"), library).package_name, "org/sefleet/test/gplib");
}

TEST(JavaCardLoadFileBuilder, Refusals) {
  auto both = classes_of("gp");
  for (auto& cls : classes_of("gplib")) both.push_back(std::move(cls));
  EXPECT_NE(builder_refusal(both, gp_spec())
                .find("the classes belong to 2 packages (org.sefleet.test.gp, org.sefleet.test.gplib)"),
            std::string::npos);
  auto twice = classes_of("gp");
  twice.push_back(twice[0]);
  twice.back().origin = "copy.class";
  EXPECT_NE(builder_refusal(twice, gp_spec()).find("copy.class"), std::string::npos);
  auto broken = classes_of("gp");
  broken.push_back({"notes.class", from_hex("CAFEBABE0000")});
  EXPECT_EQ(builder_refusal(broken, gp_spec()).rfind("notes.class: ", 0), 0u);
  PackageSpec not_an_applet = gp_spec();
  not_an_applet.applets = {{"org/sefleet/test/gp/Counter", from_hex("F053464A430101")}};
  EXPECT_EQ(builder_refusal(classes_of("gp"), not_an_applet),
            "applet class org.sefleet.test.gp.Counter has no static install(byte[], short, byte) method");
  PackageSpec missing = gp_spec();
  missing.applets = {{"org/sefleet/test/gp/Missing", from_hex("F053464A430101")}};
  EXPECT_NE(builder_refusal(classes_of("gp"), missing)
                .find("applet class org/sefleet/test/gp/Missing is not among the classes"),
            std::string::npos);
  PackageSpec short_aid = gp_spec();
  short_aid.package_aid = from_hex("F053");
  EXPECT_NE(builder_refusal(classes_of("gp"), short_aid).find("the package AID has 2 bytes"), std::string::npos);
  EXPECT_EQ(builder_refusal({}, gp_spec()), "no class file");
}

}  // namespace
}  // namespace sefleet::card::javacard

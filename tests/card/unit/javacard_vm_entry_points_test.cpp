// JCRE entry point objects of the ROM (javacard/rom/NATIVES.md): the OneShot classes are temporary
// entry points (applets call them, may not store them), SecureChannelImpl, RegistryEntryImpl and
// OneShotCache permanent ones (applets may keep them, across a restart too). A call on any of them
// runs in the JCRE's context, so what it allocates belongs to the JCRE.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "card/javacard/heap/heap.hpp"
#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kEntryPointsPackageAid = aid("F000000006");
const Bytes kEntryPointsClassAid = aid("F00000000601");
const Bytes kEntryPointsInstanceAid = aid("F0000000060101");

LoadFile entry_points_package() {
  return load_file_of("applet", "com/sefleet/test/applet", kEntryPointsPackageAid,
                      {AppletDeclaration{"com/sefleet/test/applet/TestApplet", kEntryPointsClassAid}});
}

// The live objects of class `name`.
std::vector<const heap::Object*> objects_of(Card& card, std::string_view name) {
  std::vector<const heap::Object*> found;
  const auto& heap = card.machine().heap();
  for (const vm::Ref ref : heap.live_refs()) {
    const heap::Object* object = heap.find(ref);
    if (object != nullptr && object->kind == heap::ObjectKind::instance && object->cls->name == name) {
      found.push_back(object);
    }
  }
  return found;
}

// The answer of INS_ENTRY_POINTS: channel kept, same object, security level 00, the OneShot refused
// as a field value, SHA-256("") starts with E3B0C442.
std::string entry_points_answer(bool kept) {
  return std::string(kept ? "0101" : "0000") + (kept ? "00" : "7F") + "01" + "E3B0C442" + "9000";
}

class JavaCardEntryPoints : public ::testing::Test {
 protected:
  JavaCardEntryPoints() {
    card_.vm().load(entry_points_package());
    card_.install(kEntryPointsPackageAid, kEntryPointsClassAid, kEntryPointsInstanceAid);
    EXPECT_EQ(card_.select(kEntryPointsInstanceAid), "53009000");
  }

  Card card_;
};

TEST_F(JavaCardEntryPoints, RomObjectsAreMarkedByClass) {
  for (const char* name : {"org/sefleet/jcre/gp/SecureChannelImpl", "org/sefleet/jcre/gp/RegistryEntryImpl",
                           "org/sefleet/jcre/security/OneShotCache"}) {
    SCOPED_TRACE(name);
    const auto objects = objects_of(card_, name);
    ASSERT_FALSE(objects.empty());
    for (const auto* object : objects) {
      EXPECT_EQ(object->context, vm::kJcreContext);
      EXPECT_EQ(object->flags & heap::flag::kPermanentEntryPoint, heap::flag::kPermanentEntryPoint);
      EXPECT_EQ(object->flags & heap::flag::kTemporaryEntryPoint, 0);
    }
  }
  for (const char* name : {"javacard/security/MessageDigest$OneShot", "javacard/security/Signature$OneShot",
                           "javacard/security/RandomData$OneShot", "javacardx/crypto/Cipher$OneShot"}) {
    SCOPED_TRACE(name);
    const auto objects = objects_of(card_, name);
    ASSERT_FALSE(objects.empty());
    for (const auto* object : objects) {
      EXPECT_EQ(object->context, vm::kJcreContext);
      EXPECT_EQ(object->flags & heap::flag::kTemporaryEntryPoint, heap::flag::kTemporaryEntryPoint);
      EXPECT_EQ(object->flags & heap::flag::kPermanentEntryPoint, 0);
    }
  }
}

TEST_F(JavaCardEntryPoints, AppletsCallThemButKeepOnlyPermanentOnes) {
  EXPECT_EQ(card_.send("8017000008"), entry_points_answer(false));
  EXPECT_EQ(card_.send("8017010008"), entry_points_answer(true));
  EXPECT_EQ(card_.send("8017000008"), entry_points_answer(true));
}

TEST_F(JavaCardEntryPoints, EnginesMadeThroughTheCacheBelongToTheJcre) {
  // Before any OneShot use no cache holds an engine; after it, the digest cache holds one, created by
  // OneShotCache.engine, a call on a permanent entry point: the JCRE's context (the calling instance
  // is still recorded: the JCRE's objects are never deleted with an instance).
  const vm::RtClass* cache = card_.machine().find_class("org/sefleet/jcre/security/OneShotCache");
  ASSERT_NE(cache, nullptr);
  const vm::RtField* engines_field = cache->find_field("engines");
  ASSERT_NE(engines_field, nullptr);
  auto engines = [&] {
    std::vector<const heap::Object*> found;
    const auto& heap = card_.machine().heap();
    for (const auto* object : objects_of(card_, "org/sefleet/jcre/security/OneShotCache")) {
      const heap::Object* array = heap.find(static_cast<vm::Ref>(object->slot(engines_field->slot)));
      if (array == nullptr) continue;
      for (std::int32_t i = 0; i < array->length; ++i) {
        if (const heap::Object* engine = heap.find(static_cast<vm::Ref>(array->slot(i)))) found.push_back(engine);
      }
    }
    return found;
  };
  EXPECT_TRUE(engines().empty());
  EXPECT_EQ(card_.send("8017000008"), entry_points_answer(false));
  const auto made = engines();
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0]->context, vm::kJcreContext);
  // Used again, the same engine serves.
  EXPECT_EQ(card_.send("8017000008"), entry_points_answer(false));
  EXPECT_EQ(engines(), made);
}

TEST_F(JavaCardEntryPoints, AKeptPermanentEntryPointSurvivesARestart) {
  EXPECT_EQ(card_.send("8017010008"), entry_points_answer(true));
  Card reopened(card_.medium());
  ASSERT_EQ(reopened.select(kEntryPointsInstanceAid), "53009000");
  EXPECT_EQ(reopened.send("8017000008"), entry_points_answer(true));
}

}  // namespace
}  // namespace sefleet::card::javacard::test

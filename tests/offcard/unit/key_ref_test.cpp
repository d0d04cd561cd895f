// The one text form of a key reference: both accepted spellings, the one printed, and the refusals.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "offcard/keystore/key_ref.hpp"

namespace sefleet::offcard {
namespace {

TEST(KeyRefText, LabelAloneIsTheCurrentVersion) {
  const KeyRef ref = parse_key_ref("master");
  EXPECT_EQ(ref.label, "master");
  EXPECT_EQ(ref.version, 0u);
  EXPECT_EQ(ref.text(), "master");
}

TEST(KeyRefText, BothVersionSpellingsParseAndPrintAsAtV) {
  for (const char* text : {"campaign-kek@v3", "campaign-kek@3"}) {
    const KeyRef ref = parse_key_ref(text);
    EXPECT_EQ(ref.label, "campaign-kek") << text;
    EXPECT_EQ(ref.version, 3u) << text;
    EXPECT_EQ(ref.text(), "campaign-kek@v3") << text;
    EXPECT_EQ(parse_key_ref(ref.text()).version, 3u);
  }
}

TEST(KeyRefText, RefusesBadLabelsAndVersions) {
  for (const char* text : {"", "@v1", "-x", "kos@", "kos@v", "kos@v0", "kos@0", "kos@v1x", "kos@x1", "kos@v-1",
                           "kos@v99999999999", "a b", "kos@v1@v2"}) {
    EXPECT_THROW(parse_key_ref(text), Error) << text;
  }
}

}  // namespace
}  // namespace sefleet::offcard

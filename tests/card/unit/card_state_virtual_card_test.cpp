// VirtualCard: personalization of a state directory, reopening with keys, identity and counters
// intact, and clear refusals of missing, corrupt, truncated or incomplete state files.
#include <gtest/gtest.h>

#include <fstream>

#include "card/nvm/nvm_store.hpp"
#include "card/virtual_card.hpp"
#include "core/error.hpp"
#include "isd_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

Bytes read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Errc open_error(const std::filesystem::path& dir, std::string* message = nullptr) {
  try {
    VirtualCard card = VirtualCard::open(dir);
  } catch (const Error& e) {
    if (message != nullptr) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "opened";
  return Errc::invalid_argument;
}

TEST(VirtualCardState, PersonalizeCreatesTheStateOnceAndItSurvivesRestarts) {
  sefleet::test::TempDir dir;
  const auto state_dir = dir.path() / "new" / "card";
  VirtualCard::personalize(state_dir, test::test_profile());
  EXPECT_TRUE(std::filesystem::exists(VirtualCard::state_file(state_dir)));
  try {
    VirtualCard::personalize(state_dir, test::test_profile());
    FAIL() << "personalized twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::state_error);
  }
  {
    VirtualCard card = VirtualCard::open(state_dir);
    EXPECT_EQ(card.endpoint().atr(), default_atr());
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x33);
    ASSERT_TRUE(session.open());
    EXPECT_EQ(session.host().card_info().key_diversification_data, test::test_profile().kdd);
  }
  VirtualCard card = VirtualCard::open(state_dir);
  card.endpoint().power_on();
  EXPECT_EQ(test::send(card.endpoint(), iso7816::CommandApdu(0x80, 0xCA, 0x00, 0xC1, {}, 256)).data,
            from_hex("C103000001"));
  EXPECT_EQ(test::send(card.endpoint(), iso7816::CommandApdu(0x80, 0xCA, 0x00, 0x45, {}, 256)).data,
            from_hex("450C0102030405060708090A0B0C"));
}

TEST(VirtualCardState, SummaryShowsStateWithoutSecrets) {
  sefleet::test::TempDir dir;
  VirtualCard::personalize(dir.path(), test::test_profile());
  VirtualCard card = VirtualCard::open(dir.path());
  const auto summary = card.summary();
  EXPECT_EQ(summary.at("se_id"), "0102030405060708090A0B0C");
  EXPECT_EQ(summary.at("life_cycle"), "OP_READY");
  EXPECT_EQ(summary.at("key_sets").at(0).at("kvn"), "30");
  EXPECT_EQ(summary.at("key_sets").at(0).at("sequence_counter"), 0);
  const std::string text = summary.dump();
  EXPECT_EQ(text.find(to_hex(test::test_profile().scp03.enc.reveal())), std::string::npos);
  EXPECT_FALSE(card.power_lost());
}

TEST(VirtualCardState, TearAtWriteCutsPowerAndTheCardReportsIt) {
  sefleet::test::TempDir dir;
  VirtualCard::personalize(dir.path(), test::test_profile());
  VirtualCardOptions options;
  options.tear_at_write = 1;  // the first write: the sequence counter of INITIALIZE UPDATE
  {
    VirtualCard card = VirtualCard::open(dir.path(), options);
    card.endpoint().power_on();
    test::HostSession session(card.endpoint(), test::test_profile().scp03, 0x01);
    EXPECT_FALSE(session.open());
    EXPECT_EQ(session.last_sw(), 0x6F00);
    EXPECT_TRUE(card.power_lost());
  }  // the pulled card lets go of its state before the next one opens it
  VirtualCard again = VirtualCard::open(dir.path());
  EXPECT_EQ(again.state().find_key_set(0x30)->sequence_counter, 0u);  // exactly before
}

TEST(VirtualCardState, BadProfileLeavesNoFile) {
  sefleet::test::TempDir dir;
  CardProfile profile = test::test_profile();
  profile.kdd.resize(3);
  EXPECT_THROW(VirtualCard::personalize(dir.path(), profile), Error);
  EXPECT_FALSE(std::filesystem::exists(VirtualCard::state_file(dir.path())));
  VirtualCard::personalize(dir.path(), test::test_profile());  // and a good one still can be made
}

TEST(VirtualCardState, RefusesMissingCorruptTruncatedAndIncompleteState) {
  sefleet::test::TempDir dir;
  EXPECT_EQ(open_error(dir.path()), Errc::io_error);
  VirtualCard::personalize(dir.path(), test::test_profile());
  const auto file = VirtualCard::state_file(dir.path());
  const Bytes good = read_all(file);

  std::string message;
  Bytes flipped = good;
  flipped[good.size() - 20] ^= 0x40;  // inside the committed personalization record
  write_all(file, flipped);
  EXPECT_EQ(open_error(dir.path(), &message), Errc::integrity_error);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;

  write_all(file, Bytes(good.begin(), good.end() - 10));
  EXPECT_EQ(open_error(dir.path(), &message), Errc::integrity_error);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  write_all(file, Bytes(good.begin(), good.begin() + 100));
  EXPECT_EQ(open_error(dir.path()), Errc::integrity_error);

  // A well-formed store whose card state lacks an object.
  write_all(file, good);
  {
    auto store = nvm::NvmStore::open_file(file, false);
    store.begin();
    store.erase("isd/se_id");
    store.commit();
  }
  EXPECT_EQ(open_error(dir.path(), &message), Errc::integrity_error);
  EXPECT_NE(message.find("isd/se_id"), std::string::npos) << message;
}

}  // namespace
}  // namespace sefleet::card

// SoftwareKeystore with its encrypted file: round trip, refusals of a wrong passphrase, a truncated,
// altered or extended file and loose permissions, atomic replacement and changes from two objects.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "crypto/cmac.hpp"
#include "offcard/keystore/sealed_file.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::offcard {
namespace {

namespace fs = std::filesystem;

// The smallest cost the format accepts: keeps each open() in the millisecond range.
constexpr KeystoreKdf kTestKdf{10, 1, 1};

SecretBytes passphrase(const char* text) {
  return SecretBytes(bytes_of(text));
}

Bytes read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no Error thrown";
  return Error(Errc::unsupported, "none");
}

class SoftwareKeystoreFile : public ::testing::Test {
 protected:
  fs::path path() const { return dir_.path() / "keys.sfks"; }
  std::unique_ptr<SoftwareKeystore> create() {
    return SoftwareKeystore::create(path(), passphrase("correct horse"), kTestKdf);
  }
  std::unique_ptr<SoftwareKeystore> open() { return SoftwareKeystore::open(path(), passphrase("correct horse")); }
  test::TempDir dir_;
};

TEST_F(SoftwareKeystoreFile, CreatedPrivateAndReopensWithItsKeys) {
  auto store = create();
  EXPECT_NE(store->location().find(path().string()), std::string::npos);
  const Bytes value(16, 0x42);
  store->import_key("master", SecretBytes(value), KeyUsage::mac);
  store->generate("kek", 32, KeyUsage::wrap);
  store->rotate("kek");
  const Bytes wrapped = store->wrap(KeyRef::at("kek", 1), Bytes(32, 7));

  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Encrypted at rest: the key value does not appear in the file.
  const Bytes file = read_all(path());
  EXPECT_EQ(std::search(file.begin(), file.end(), value.begin(), value.end()), file.end());
  EXPECT_EQ(std::string(file.begin(), file.begin() + 4), "SFKS");

  auto reopened = open();
  const auto keys = reopened->list();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].label, "kek");
  EXPECT_EQ(keys[0].versions.size(), 2u);
  EXPECT_EQ(keys[0].versions[0].kcv, store->info("kek").versions[0].kcv);
  EXPECT_EQ(reopened->cmac(KeyRef::current("master"), value), crypto::aes_cmac(value, value));
  EXPECT_EQ(reopened->unwrap(KeyRef::at("kek", 1), wrapped).reveal(), Bytes(32, 7));
}

TEST_F(SoftwareKeystoreFile, RefusesCreatingOverAnExistingFile) {
  create()->generate("k", 16, KeyUsage::mac);
  EXPECT_EQ(error_of([&] { create(); }).code(), Errc::state_error);
  EXPECT_TRUE(open()->contains("k"));  // the existing keystore is untouched
}

TEST_F(SoftwareKeystoreFile, RefusesEmptyPassphraseAndWeakOrHugeKdf) {
  EXPECT_EQ(error_of([&] { SoftwareKeystore::create(path(), SecretBytes(), kTestKdf); }).code(),
            Errc::invalid_argument);
  EXPECT_EQ(error_of([&] {
              SoftwareKeystore::create(path(), passphrase("x"), KeystoreKdf{9, 1, 1});
            }).code(),
            Errc::invalid_argument);
  EXPECT_EQ(error_of([&] {
              SoftwareKeystore::create(path(), passphrase("x"), KeystoreKdf{20, 32, 1});
            }).code(),
            Errc::invalid_argument);
  EXPECT_FALSE(fs::exists(path()));
}

TEST_F(SoftwareKeystoreFile, WrongPassphraseIsAClearIntegrityError) {
  create()->generate("k", 16, KeyUsage::mac);
  const Error e = error_of([&] { SoftwareKeystore::open(path(), passphrase("wrong")); });
  EXPECT_EQ(e.code(), Errc::integrity_error);
  EXPECT_NE(std::string(e.what()).find("wrong passphrase"), std::string::npos);
}

TEST_F(SoftwareKeystoreFile, MissingFileIsNotFound) {
  EXPECT_EQ(error_of([&] { open(); }).code(), Errc::not_found);
}

TEST_F(SoftwareKeystoreFile, RefusesGroupOrOtherAccess) {
  create()->generate("k", 16, KeyUsage::mac);
  for (const fs::perms extra : {fs::perms::group_read, fs::perms::others_read, fs::perms::group_write}) {
    fs::permissions(path(), fs::perms::owner_read | fs::perms::owner_write | extra);
    const Error e = error_of([&] { open(); });
    EXPECT_EQ(e.code(), Errc::io_error);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  fs::permissions(path(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(open()->contains("k"));
}

TEST_F(SoftwareKeystoreFile, EveryTruncationIsRefused) {
  create()->import_key("k", SecretBytes(Bytes(16, 1)), KeyUsage::mac);
  const Bytes good = read_all(path());
  for (std::size_t size = 0; size < good.size(); size += (size < 64 ? 1 : 17)) {
    write_all(path(), Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size)));
    const Errc code = error_of([&] { open(); }).code();
    EXPECT_TRUE(code == Errc::parse_error || code == Errc::integrity_error) << "size " << size;
  }
  Bytes longer = good;
  longer.push_back(0);
  write_all(path(), longer);
  EXPECT_EQ(error_of([&] { open(); }).code(), Errc::parse_error);
}

TEST_F(SoftwareKeystoreFile, EveryAlteredByteIsRefused) {
  create()->import_key("k", SecretBytes(Bytes(16, 1)), KeyUsage::mac);
  const Bytes good = read_all(path());
  // Header bytes are authenticated as associated data; ciphertext bytes by the tag. Flipping scrypt
  // parameters may give a parse error (out of range) or an integrity error: both refuse.
  for (std::size_t i = 0; i < good.size(); i += (i < 80 ? 1 : 23)) {
    Bytes altered = good;
    altered[i] ^= 0x01;
    write_all(path(), altered);
    const Errc code = error_of([&] { open(); }).code();
    EXPECT_TRUE(code == Errc::parse_error || code == Errc::integrity_error) << "byte " << i;
  }
  write_all(path(), good);
  EXPECT_TRUE(open()->contains("k"));
}

TEST_F(SoftwareKeystoreFile, ChangesFromTwoObjectsAreNotLost) {
  auto a = create();
  auto b = open();
  a->generate("from-a", 16, KeyUsage::mac);
  b->generate("from-b", 16, KeyUsage::wrap);  // reloads under the lock: keeps from-a
  EXPECT_TRUE(b->contains("from-a"));
  auto c = open();
  EXPECT_TRUE(c->contains("from-a"));
  EXPECT_TRUE(c->contains("from-b"));
  EXPECT_EQ(error_of([&] { a->generate("from-b", 16, KeyUsage::mac); }).code(), Errc::state_error);
}

TEST_F(SoftwareKeystoreFile, WritesLeaveNoTemporaryFiles) {
  auto store = create();
  store->generate("k", 16, KeyUsage::mac);
  store->rotate("k");
  store->delete_version("k", 1);
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "keys.sfks" || name == "keys.sfks.lock") << name;
  }
}

TEST_F(SoftwareKeystoreFile, RefusesAFileThatIsNotAKeystore) {
  write_all(path(), bytes_of("{\"format\": 1, \"keys\": []}"));
  fs::permissions(path(), fs::perms::owner_read | fs::perms::owner_write);
  const Error e = error_of([&] { open(); });
  EXPECT_EQ(e.code(), Errc::parse_error);
  EXPECT_NE(std::string(e.what()).find("not a sefleet keystore"), std::string::npos);
}

}  // namespace
}  // namespace sefleet::offcard

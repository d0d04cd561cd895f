// SoftwareKeystore without a file: key management, every operation against the crypto layer computed
// directly, usage and reference refusals, and concurrent use.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/keywrap.hpp"
#include "gp/kdf3.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "support/counting_bytes.hpp"

namespace sefleet::offcard {
namespace {

using sefleet::test::counting_bytes;

template <typename F>
Errc keystore_error_code_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no Error thrown";
  return Errc::unsupported;
}

TEST(SoftwareKeystoreMemory, GenerateImportListInfo) {
  auto store = SoftwareKeystore::in_memory();
  EXPECT_EQ(store->kind(), "software");
  EXPECT_TRUE(store->list().empty());
  const KeyInfo generated = store->generate("zeta", 32, KeyUsage::wrap);
  EXPECT_EQ(generated.size, 32u);
  EXPECT_EQ(generated.usage, KeyUsage::wrap);
  ASSERT_EQ(generated.versions.size(), 1u);
  EXPECT_EQ(generated.current().version, 1u);
  EXPECT_EQ(generated.current().origin, KeyOrigin::generated);
  EXPECT_FALSE(generated.extractable);

  const Bytes value = counting_bytes(16, 0x40);
  const KeyInfo imported = store->import_key("alpha", SecretBytes(value), KeyUsage::mac | KeyUsage::encrypt);
  EXPECT_EQ(imported.current().origin, KeyOrigin::imported);
  EXPECT_EQ(imported.current().kcv, aes_kcv(value));

  const auto keys = store->list();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].label, "alpha");  // sorted
  EXPECT_EQ(keys[1].label, "zeta");
  EXPECT_TRUE(store->contains("alpha"));
  EXPECT_FALSE(store->contains("beta"));
  EXPECT_EQ(keystore_error_code_of([&] { store->info("beta"); }), Errc::not_found);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("alpha", 16, KeyUsage::mac); }), Errc::state_error);
}

TEST(SoftwareKeystoreMemory, RefusesBadLabelsSizesAndUsages) {
  auto store = SoftwareKeystore::in_memory();
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("", 16, KeyUsage::mac); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("-dash", 16, KeyUsage::mac); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("sp ace", 16, KeyUsage::mac); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate(std::string(65, 'a'), 16, KeyUsage::mac); }),
            Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("k", 20, KeyUsage::mac); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->generate("k", 16, KeyUsage::none); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->import_key("k", SecretBytes(Bytes(15, 1)), KeyUsage::mac); }),
            Errc::invalid_argument);
  EXPECT_TRUE(store->list().empty());  // nothing half-created
}

TEST(SoftwareKeystoreMemory, OperationsMatchTheCryptoLayer) {
  auto store = SoftwareKeystore::in_memory();
  const Bytes value = counting_bytes(16, 0x40);
  store->import_key("k", SecretBytes(value), KeyUsage::all);
  const Bytes data = counting_bytes(37, 0x01);

  EXPECT_EQ(store->cmac(KeyRef::current("k"), data), crypto::aes_cmac(value, data));
  // A second call reuses the pooled CMAC object and must give the same answer.
  EXPECT_EQ(store->cmac(KeyRef::current("k"), data), crypto::aes_cmac(value, data));

  const Bytes kdd = from_hex("00112233445566778899");
  const gp::StaticKeySet derived = store->derive_kdf3(KeyRef::current("k"), kdd, 0x30);
  const gp::StaticKeySet expected = gp::kdf3_diversify(value, kdd, 0x30);
  EXPECT_EQ(derived.kvn, 0x30);
  EXPECT_TRUE(derived.enc == expected.enc);
  EXPECT_TRUE(derived.mac == expected.mac);
  EXPECT_TRUE(derived.dek == expected.dek);

  const Bytes secret = counting_bytes(32, 0x80);
  const Bytes wrapped = store->wrap(KeyRef::current("k"), secret);
  EXPECT_EQ(wrapped, crypto::aes_key_wrap(value, secret));
  EXPECT_EQ(store->unwrap(KeyRef::current("k"), wrapped).reveal(), secret);
  Bytes altered = wrapped;
  altered[3] ^= 0x01;
  EXPECT_EQ(keystore_error_code_of([&] { store->unwrap(KeyRef::current("k"), altered); }), Errc::integrity_error);

  const Bytes iv = counting_bytes(16, 0xA0);
  crypto::Aes aes(value);
  EXPECT_EQ(store->encrypt(KeyRef::current("k"), BlockMode::cbc, iv, secret), aes.cbc_encrypt(iv, secret));
  EXPECT_EQ(store->encrypt(KeyRef::current("k"), BlockMode::ecb, {}, secret), aes.ecb_encrypt(secret));
  EXPECT_EQ(store->decrypt(KeyRef::current("k"), BlockMode::cbc, iv, aes.cbc_encrypt(iv, secret)).reveal(), secret);
  EXPECT_EQ(keystore_error_code_of([&] { store->encrypt(KeyRef::current("k"), BlockMode::cbc, {}, secret); }),
            Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->encrypt(KeyRef::current("k"), BlockMode::ecb, {}, Bytes(15)); }),
            Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->wrap(KeyRef::current("k"), Bytes(12)); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->derive_kdf3(KeyRef::current("k"), Bytes(9), 1); }),
            Errc::invalid_argument);

  EXPECT_EQ(store->random(0).size(), 0u);
  EXPECT_EQ(store->random(33).size(), 33u);
  EXPECT_NE(store->random(16), store->random(16));
}

TEST(SoftwareKeystoreMemory, KeyUsageIsEnforced) {
  auto store = SoftwareKeystore::in_memory();
  store->generate("mac-only", 16, KeyUsage::mac);
  store->generate("wrap-only", 16, KeyUsage::wrap);
  const Bytes block(16, 0x11);
  EXPECT_EQ(keystore_error_code_of([&] { store->wrap(KeyRef::current("mac-only"), block); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->encrypt(KeyRef::current("mac-only"), BlockMode::ecb, {}, block); }),
            Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->cmac(KeyRef::current("wrap-only"), block); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->derive_kdf3(KeyRef::current("wrap-only"), Bytes(10), 1); }),
            Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([&] { store->cmac(KeyRef::current("absent"), block); }), Errc::not_found);
  EXPECT_EQ(keystore_error_code_of([&] { store->cmac(KeyRef::at("mac-only", 2), block); }), Errc::not_found);
}

TEST(SoftwareKeystoreMemory, RotationKeepsRetiredVersionsUsable) {
  auto store = SoftwareKeystore::in_memory();
  const Bytes v1 = counting_bytes(16, 0x10);
  const Bytes v2 = counting_bytes(16, 0x20);
  store->import_key("kek", SecretBytes(v1), KeyUsage::wrap | KeyUsage::mac);
  const Bytes wrapped_v1 = store->wrap(KeyRef::current("kek"), Bytes(16, 0x33));
  const KeyInfo rotated = store->rotate_import("kek", SecretBytes(v2));
  ASSERT_EQ(rotated.versions.size(), 2u);
  EXPECT_TRUE(rotated.versions[0].retired);
  EXPECT_FALSE(rotated.versions[1].retired);
  EXPECT_EQ(rotated.current().version, 2u);
  EXPECT_EQ(rotated.current().kcv, aes_kcv(v2));

  EXPECT_EQ(store->cmac(KeyRef::current("kek"), v1), crypto::aes_cmac(v2, v1));  // current = v2
  EXPECT_EQ(store->cmac(KeyRef::at("kek", 1), v1), crypto::aes_cmac(v1, v1));
  EXPECT_EQ(store->unwrap(KeyRef::at("kek", 1), wrapped_v1).reveal(), Bytes(16, 0x33));
  EXPECT_EQ(keystore_error_code_of([&] { store->unwrap(KeyRef::current("kek"), wrapped_v1); }), Errc::integrity_error);
  EXPECT_EQ(keystore_error_code_of([&] { store->rotate_import("kek", SecretBytes(Bytes(32, 1))); }),
            Errc::invalid_argument);

  EXPECT_EQ(store->rotate("kek").current().version, 3u);
  EXPECT_EQ(keystore_error_code_of([&] { store->delete_version("kek", 3); }), Errc::state_error);  // current
  EXPECT_EQ(keystore_error_code_of([&] { store->delete_version("kek", 9); }), Errc::not_found);
  const KeyInfo after = store->delete_version("kek", 1);
  ASSERT_EQ(after.versions.size(), 2u);
  EXPECT_EQ(after.versions[0].version, 2u);
  EXPECT_EQ(keystore_error_code_of([&] { store->cmac(KeyRef::at("kek", 1), v1); }), Errc::not_found);
  EXPECT_EQ(store->cmac(KeyRef::at("kek", 2), v1), crypto::aes_cmac(v2, v1));

  store->delete_key("kek");
  EXPECT_FALSE(store->contains("kek"));
  EXPECT_EQ(keystore_error_code_of([&] { store->cmac(KeyRef::at("kek", 2), v1); }), Errc::not_found);
  EXPECT_EQ(keystore_error_code_of([&] { store->delete_key("kek"); }), Errc::not_found);
}

TEST(SoftwareKeystoreMemory, ConcurrentOperationsGiveTheSameResults) {
  auto store = SoftwareKeystore::in_memory();
  const Bytes value = counting_bytes(16, 0x40);
  store->import_key("master", SecretBytes(value), KeyUsage::mac);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        Bytes kdd = counting_bytes(10, static_cast<std::uint8_t>(t * 16 + n));
        const auto keys = store->derive_kdf3(KeyRef::current("master"), kdd, 1);
        if (!(keys.enc == gp::kdf3_diversify(value, kdd, 1).enc)) ++mismatches[static_cast<std::size_t>(t)];
        if (t == 0 && n % 50 == 0) store->generate("extra" + std::to_string(n), 16, KeyUsage::wrap);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_EQ(store->list().size(), 5u);
}

TEST(KeystoreVocabulary, UsageTextAndKcv) {
  EXPECT_EQ(key_usage_text(KeyUsage::mac | KeyUsage::encrypt), "mac,encrypt");
  EXPECT_EQ(key_usage_text(KeyUsage::none), "none");
  EXPECT_EQ(parse_key_usage("wrap,mac"), KeyUsage::mac | KeyUsage::wrap);
  EXPECT_EQ(parse_key_usage("all"), KeyUsage::all);
  EXPECT_EQ(keystore_error_code_of([] { parse_key_usage("mac,sign"); }), Errc::invalid_argument);
  EXPECT_EQ(keystore_error_code_of([] { parse_key_usage(""); }), Errc::invalid_argument);
  EXPECT_EQ(KeyRef::at("k", 3).text(), "k@v3");
  EXPECT_EQ(KeyRef::current("k").text(), "k");
  // KCV = AES-ECB(key, 16 x 01)[0:3], the GlobalPlatform definition.
  const Bytes key = counting_bytes(16, 0x40);
  crypto::Aes aes(key);
  const Bytes block = aes.ecb_encrypt(Bytes(16, 0x01));
  EXPECT_EQ(aes_kcv(key), (Kcv{block[0], block[1], block[2]}));
}

}  // namespace
}  // namespace sefleet::offcard

// The keystore behaviour suite, run on the in-memory SoftwareKeystore and on a Pkcs11Keystore over a
// real SoftHSM2 token made per test (same test bodies, parameterized by store kind); then what only a
// token can show: non-extractability checked through the token itself, usage enforced by the token's
// attributes, PIN/token/module refusals, equal results across both stores, and PautIssuer over PKCS#11.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/keywrap.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/kdf3.hpp"
#include "keystore_fixture.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "softhsm_token.hpp"

namespace sefleet::offcard {
namespace {

using testing::error_of;
using testing::kSoftHsmModule;
using testing::kTokenPin;
using testing::open_token;
using testing::SoftHsmToken;

Bytes pattern(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

SecretBytes pin_of(const char* text) {
  return SecretBytes(bytes_of(text));
}

// --- the shared behaviour suite --------------------------------------------------------------------

class KeystoreBehaviour : public testing::EitherKeystore {};

TEST_P(KeystoreBehaviour, GenerateImportListInfo) {
  EXPECT_EQ(store().kind(), GetParam());
  EXPECT_TRUE(store().list().empty());
  const KeyInfo generated = store().generate("zeta", 32, KeyUsage::wrap);
  EXPECT_EQ(generated.size, 32u);
  EXPECT_EQ(generated.usage, KeyUsage::wrap);
  ASSERT_EQ(generated.versions.size(), 1u);
  EXPECT_EQ(generated.current().version, 1u);
  EXPECT_EQ(generated.current().origin, KeyOrigin::generated);
  EXPECT_FALSE(generated.extractable);

  const Bytes value = pattern(16, 0x40);
  const KeyInfo imported = store().import_key("alpha", SecretBytes(value), KeyUsage::mac | KeyUsage::encrypt);
  EXPECT_EQ(imported.current().origin, KeyOrigin::imported);
  EXPECT_EQ(imported.current().kcv, aes_kcv(value));
  EXPECT_EQ(imported.usage, KeyUsage::mac | KeyUsage::encrypt);

  const auto keys = store().list();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].label, "alpha");
  EXPECT_EQ(keys[1].label, "zeta");
  EXPECT_TRUE(store().contains("alpha"));
  EXPECT_FALSE(store().contains("beta"));
  error_of([&] { store().info("beta"); }, Errc::not_found);
  error_of([&] { store().generate("alpha", 16, KeyUsage::mac); }, Errc::state_error);
  error_of([&] { store().import_key("alpha", SecretBytes(value), KeyUsage::mac); }, Errc::state_error);
}

TEST_P(KeystoreBehaviour, GeneratedKeyHasTheRightKcv) {
  // The KCV of a generated key is checked with the key itself, through the store (ECB of 01 × 16).
  const KeyInfo info = store().generate("g", 24, KeyUsage::encrypt | KeyUsage::mac);
  const Bytes block = store().encrypt(KeyRef::current("g"), BlockMode::ecb, {}, Bytes(16, 0x01));
  EXPECT_EQ(info.current().kcv, (Kcv{block[0], block[1], block[2]}));
  // And a mac-only generated key does not gain encrypt usage from the KCV computation.
  store().generate("m", 16, KeyUsage::mac);
  error_of([&] { store().encrypt(KeyRef::current("m"), BlockMode::ecb, {}, Bytes(16, 0x01)); }, Errc::invalid_argument);
}

TEST_P(KeystoreBehaviour, RefusesBadLabelsSizesAndUsages) {
  error_of([&] { store().generate("", 16, KeyUsage::mac); }, Errc::invalid_argument);
  error_of([&] { store().generate("-dash", 16, KeyUsage::mac); }, Errc::invalid_argument);
  error_of([&] { store().generate("sp ace", 16, KeyUsage::mac); }, Errc::invalid_argument);
  error_of([&] { store().generate(std::string(65, 'a'), 16, KeyUsage::mac); }, Errc::invalid_argument);
  error_of([&] { store().generate("k", 20, KeyUsage::mac); }, Errc::invalid_argument);
  error_of([&] { store().generate("k", 16, KeyUsage::none); }, Errc::invalid_argument);
  error_of([&] { store().import_key("k", SecretBytes(Bytes(15, 1)), KeyUsage::mac); }, Errc::invalid_argument);
  EXPECT_TRUE(store().list().empty());  // nothing half-created
}

TEST_P(KeystoreBehaviour, OperationsMatchTheCryptoLayer) {
  for (const std::size_t size : {std::size_t{16}, std::size_t{24}, std::size_t{32}}) {
    const std::string label = "k" + std::to_string(size);
    const Bytes value = pattern(size, 0x40);
    store().import_key(label, SecretBytes(value), KeyUsage::all);
    const KeyRef ref = KeyRef::current(label);
    const Bytes data = pattern(37, 0x01);

    EXPECT_EQ(store().cmac(ref, data), crypto::Cmac(value).compute(data)) << size;
    EXPECT_EQ(store().cmac(ref, {}), crypto::Cmac(value).compute({})) << size;

    const Bytes kdd = pattern(10, 0xD0);
    const gp::StaticKeySet derived = store().derive_kdf3(ref, kdd, 0x30);
    const gp::StaticKeySet expected = gp::kdf3_diversify(value, kdd, 0x30);
    EXPECT_EQ(derived.enc, expected.enc) << size;
    EXPECT_EQ(derived.mac, expected.mac) << size;
    EXPECT_EQ(derived.dek, expected.dek) << size;

    const Bytes secret = pattern(32, 0x90);
    const Bytes wrapped = store().wrap(ref, secret);
    EXPECT_EQ(wrapped, crypto::aes_key_wrap(value, secret)) << size;
    EXPECT_EQ(store().unwrap(ref, wrapped).view().size(), secret.size());
    EXPECT_TRUE(store().unwrap(ref, wrapped) == SecretBytes(secret));
    Bytes altered = wrapped;
    altered[5] ^= 0x01;
    error_of([&] { store().unwrap(ref, altered); }, Errc::integrity_error);

    const Bytes plain = pattern(48, 0x07);
    const Bytes iv = pattern(16, 0xA0);
    crypto::Aes aes(value);
    EXPECT_EQ(store().encrypt(ref, BlockMode::ecb, {}, plain), aes.ecb_encrypt(plain)) << size;
    EXPECT_EQ(store().encrypt(ref, BlockMode::cbc, iv, plain), aes.cbc_encrypt(iv, plain)) << size;
    EXPECT_TRUE(store().decrypt(ref, BlockMode::cbc, iv, aes.cbc_encrypt(iv, plain)) == SecretBytes(plain));
    EXPECT_TRUE(store().decrypt(ref, BlockMode::ecb, {}, aes.ecb_encrypt(plain)) == SecretBytes(plain));
  }
  const Bytes r1 = store().random(32);
  const Bytes r2 = store().random(32);
  EXPECT_EQ(r1.size(), 32u);
  EXPECT_NE(r1, r2);
  error_of([&] { store().derive_kdf3(KeyRef::current("k16"), Bytes(9, 0), 0x30); }, Errc::invalid_argument);
  error_of([&] { store().encrypt(KeyRef::current("k16"), BlockMode::cbc, Bytes(8, 0), Bytes(16, 0)); },
           Errc::invalid_argument);
  error_of([&] { store().wrap(KeyRef::current("k16"), Bytes(12, 0)); }, Errc::invalid_argument);
}

TEST_P(KeystoreBehaviour, KeyUsageIsEnforced) {
  store().import_key("mac-only", SecretBytes(pattern(16, 1)), KeyUsage::mac);
  store().import_key("wrap-only", SecretBytes(pattern(16, 2)), KeyUsage::wrap);
  store().import_key("enc-only", SecretBytes(pattern(16, 3)), KeyUsage::encrypt);
  const Bytes block(16, 0);
  error_of([&] { store().wrap(KeyRef::current("mac-only"), block); }, Errc::invalid_argument);
  error_of([&] { store().encrypt(KeyRef::current("mac-only"), BlockMode::ecb, {}, block); }, Errc::invalid_argument);
  error_of([&] { store().cmac(KeyRef::current("wrap-only"), block); }, Errc::invalid_argument);
  error_of([&] { store().derive_kdf3(KeyRef::current("enc-only"), Bytes(10, 0), 1); }, Errc::invalid_argument);
  error_of([&] { store().wrap(KeyRef::current("enc-only"), block); }, Errc::invalid_argument);
  error_of([&] { store().cmac(KeyRef::current("nope"), block); }, Errc::not_found);
  error_of([&] { store().cmac(KeyRef::at("mac-only", 2), block); }, Errc::not_found);
  EXPECT_NO_THROW(store().cmac(KeyRef::current("mac-only"), block));
}

TEST_P(KeystoreBehaviour, RotationKeepsRetiredVersionsUsable) {
  const Bytes v1 = pattern(16, 0x10);
  const Bytes v2 = pattern(16, 0x20);
  store().import_key("kek", SecretBytes(v1), KeyUsage::wrap | KeyUsage::mac);
  const KeyInfo rotated = store().rotate_import("kek", SecretBytes(v2));
  ASSERT_EQ(rotated.versions.size(), 2u);
  EXPECT_TRUE(rotated.versions[0].retired);
  EXPECT_FALSE(rotated.versions[1].retired);
  EXPECT_EQ(rotated.current().version, 2u);
  EXPECT_EQ(rotated.current().kcv, aes_kcv(v2));
  EXPECT_EQ(rotated.usage, KeyUsage::wrap | KeyUsage::mac);  // usage carries over
  const Bytes data = pattern(16, 0);
  EXPECT_EQ(store().cmac(KeyRef::current("kek"), data), crypto::Cmac(v2).compute(data));
  EXPECT_EQ(store().cmac(KeyRef::at("kek", 1), data), crypto::Cmac(v1).compute(data));
  error_of([&] { store().rotate_import("kek", SecretBytes(pattern(32, 0))); }, Errc::invalid_argument);
  const KeyInfo third = store().rotate("kek");
  EXPECT_EQ(third.current().version, 3u);
  EXPECT_EQ(third.current().origin, KeyOrigin::generated);
  EXPECT_EQ(third.size, 16u);
  error_of([&] { store().delete_version("kek", 3); }, Errc::state_error);
  error_of([&] { store().delete_version("kek", 9); }, Errc::not_found);
  const KeyInfo after = store().delete_version("kek", 1);
  ASSERT_EQ(after.versions.size(), 2u);
  EXPECT_EQ(after.versions[0].version, 2u);
  error_of([&] { store().cmac(KeyRef::at("kek", 1), data); }, Errc::not_found);
  error_of([&] { store().rotate("missing"); }, Errc::not_found);
  store().delete_key("kek");
  EXPECT_FALSE(store().contains("kek"));
  error_of([&] { store().delete_key("kek"); }, Errc::not_found);
}

TEST_P(KeystoreBehaviour, ConcurrentOperationsGiveTheSameResults) {
  const Bytes value = pattern(16, 0x55);
  store().import_key("master", SecretBytes(value), KeyUsage::mac);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint8_t n = 0; n < 25; ++n) {
        const Bytes kdd = Bytes{0x5E, 0xF1, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(t), n};
        const auto keys = store().derive_kdf3(KeyRef::current("master"), kdd, 0x30);
        if (!(keys.mac == gp::kdf3_diversify(value, kdd, 0x30).mac)) ++failures[t];
        if (store().random(8).size() != 8) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int f : failures) EXPECT_EQ(f, 0);
}

INSTANTIATE_TEST_SUITE_P(BothStores, KeystoreBehaviour, ::testing::Values("software", "pkcs11"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

// --- what only the token shows ----------------------------------------------------------------------

// Reads attributes straight from the token with the module's own functions (not through the keystore).
struct TokenProbe {
  CK_FUNCTION_LIST_PTR p11 = nullptr;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;

  explicit TokenProbe(const std::string& token_label) {
    auto module = Pkcs11Module::load(kSoftHsmModule);
    p11 = module->functions();
    check_ckr(p11->C_OpenSession(module->find_token(token_label), CKF_SERIAL_SESSION, nullptr, nullptr, &session),
              "probe session");
    module_ = std::move(module);
  }
  ~TokenProbe() { p11->C_CloseSession(session); }
  TokenProbe(const TokenProbe&) = delete;
  TokenProbe& operator=(const TokenProbe&) = delete;

  std::vector<CK_OBJECT_HANDLE> objects_labelled(const std::string& label) {
    CK_ATTRIBUTE search{CKA_LABEL, const_cast<char*>(label.data()), label.size()};
    EXPECT_EQ(p11->C_FindObjectsInit(session, &search, 1), CKR_OK);
    CK_OBJECT_HANDLE handles[16];
    CK_ULONG count = 0;
    EXPECT_EQ(p11->C_FindObjects(session, handles, 16, &count), CKR_OK);
    p11->C_FindObjectsFinal(session);
    return {handles, handles + count};
  }
  CK_BBOOL flag(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_BBOOL value = CK_FALSE;
    CK_ATTRIBUTE attribute{type, &value, sizeof value};
    EXPECT_EQ(p11->C_GetAttributeValue(session, object, &attribute, 1), CKR_OK);
    return value;
  }

 private:
  std::shared_ptr<Pkcs11Module> module_;
};

TEST(Pkcs11Keystore, KeysAreSensitiveAndNonExtractableOnTheToken) {
  SoftHsmToken token;
  auto store = open_token(token);
  store->generate("gen", 16, KeyUsage::mac);
  store->import_key("imp", SecretBytes(pattern(32, 0x33)), KeyUsage::wrap);
  store->rotate("imp");
  TokenProbe probe(token.label());
  for (const std::string label : {"gen", "imp"}) {
    const auto objects = probe.objects_labelled(label);
    ASSERT_EQ(objects.size(), label == "gen" ? 1u : 2u);
    for (const CK_OBJECT_HANDLE object : objects) {
      std::uint8_t value[32];
      CK_ATTRIBUTE read{CKA_VALUE, value, sizeof value};
      EXPECT_EQ(probe.p11->C_GetAttributeValue(probe.session, object, &read, 1), CKR_ATTRIBUTE_SENSITIVE) << label;
      EXPECT_EQ(read.ulValueLen, CK_UNAVAILABLE_INFORMATION);
      EXPECT_EQ(probe.flag(object, CKA_SENSITIVE), CK_TRUE);
      EXPECT_EQ(probe.flag(object, CKA_EXTRACTABLE), CK_FALSE);
      if (label == "gen") {  // C_CreateObject makes CKA_NEVER_EXTRACTABLE false, by spec
        EXPECT_EQ(probe.flag(object, CKA_NEVER_EXTRACTABLE), CK_TRUE);
      }
      EXPECT_EQ(probe.flag(object, CKA_TOKEN), CK_TRUE);
      // The usage mapping as the token enforces it.
      EXPECT_EQ(probe.flag(object, CKA_SIGN), label == "gen" ? CK_TRUE : CK_FALSE);
      EXPECT_EQ(probe.flag(object, CKA_WRAP), label == "imp" ? CK_TRUE : CK_FALSE);
      EXPECT_EQ(probe.flag(object, CKA_ENCRYPT), CK_FALSE);  // also for the generated key after its KCV
      // And the token itself refuses a mechanism the usage does not grant.
      CK_MECHANISM ecb{CKM_AES_ECB, nullptr, 0};
      EXPECT_EQ(probe.p11->C_EncryptInit(probe.session, &ecb, object), CKR_KEY_FUNCTION_NOT_PERMITTED);
    }
  }
}

TEST(Pkcs11Keystore, KeysPersistOnTheTokenAcrossOpens) {
  SoftHsmToken token;
  const Bytes value = pattern(16, 0x42);
  {
    auto store = open_token(token);
    store->import_key("master", SecretBytes(value), KeyUsage::mac);
    store->rotate("master");
  }
  auto store = open_token(token);
  const KeyInfo info = store->info("master");
  ASSERT_EQ(info.versions.size(), 2u);
  EXPECT_EQ(info.versions[0].kcv, aes_kcv(value));
  EXPECT_EQ(store->cmac(KeyRef::at("master", 1), Bytes(16, 0)), crypto::Cmac(value).compute(Bytes(16, 0)));
  // A second keystore on the same token (one module, one login) sees changes after its own refresh.
  auto second = open_token(token);
  second->generate("other", 16, KeyUsage::wrap);
  EXPECT_TRUE(store->contains("other"));
  second.reset();
  EXPECT_NO_THROW(store->cmac(KeyRef::current("master"), Bytes(16, 0)));  // still logged in
}

TEST(Pkcs11Keystore, RefusesWrongPinUnknownTokenAndMissingModule) {
  SoftHsmToken token;
  const std::string wrong = error_of(
      [&] {
        Pkcs11Keystore::open(Pkcs11Config{kSoftHsmModule, token.label(), pin_of("not-the-pin")});
      },
      Errc::state_error);
  EXPECT_NE(wrong.find("CKR_PIN_INCORRECT"), std::string::npos) << wrong;
  const std::string unknown = error_of(
      [&] {
        Pkcs11Keystore::open(Pkcs11Config{kSoftHsmModule, "no-such-token", pin_of(kTokenPin)});
      },
      Errc::not_found);
  EXPECT_NE(unknown.find(token.label()), std::string::npos) << unknown;  // lists the tokens seen
  error_of(
      [&] {
        Pkcs11Keystore::open(Pkcs11Config{"/nonexistent/libp11.so", token.label(), pin_of(kTokenPin)});
      },
      Errc::not_found);
  error_of(
      [&] {
        Pkcs11Keystore::open(Pkcs11Config{kSoftHsmModule, token.label(), SecretBytes()});
      },
      Errc::invalid_argument);
  auto store = open_token(token);  // the right PIN still works after the refusals
  EXPECT_TRUE(store->mechanisms().aes_cmac);
  EXPECT_TRUE(store->mechanisms().aes_key_wrap);
  EXPECT_NE(store->mechanism_summary().find("CKM_AES_CMAC yes"), std::string::npos);
}

TEST(Pkcs11Keystore, SameResultsAsTheSoftwareKeystoreForTheSameValues) {
  SoftHsmToken token;
  auto hsm = open_token(token);
  auto soft = SoftwareKeystore::in_memory();
  const Bytes master = pattern(32, 0x61);
  const Bytes kek = pattern(16, 0x71);
  for (Keystore* store : {static_cast<Keystore*>(hsm.get()), static_cast<Keystore*>(soft.get())}) {
    store->import_key("master", SecretBytes(master), KeyUsage::mac);
    store->import_key("kek", SecretBytes(kek), KeyUsage::wrap | KeyUsage::encrypt);
  }
  const Bytes data = pattern(70, 3);
  EXPECT_EQ(hsm->cmac(KeyRef::current("master"), data), soft->cmac(KeyRef::current("master"), data));
  const auto a = hsm->derive_kdf3(KeyRef::current("master"), pattern(10, 1), 0x31);
  const auto b = soft->derive_kdf3(KeyRef::current("master"), pattern(10, 1), 0x31);
  EXPECT_EQ(a.enc, b.enc);
  EXPECT_EQ(a.mac, b.mac);
  EXPECT_EQ(a.dek, b.dek);
  EXPECT_EQ(a.kvn, b.kvn);
  EXPECT_EQ(hsm->wrap(KeyRef::current("kek"), pattern(24, 9)), soft->wrap(KeyRef::current("kek"), pattern(24, 9)));
  EXPECT_TRUE(hsm->unwrap(KeyRef::current("kek"), soft->wrap(KeyRef::current("kek"), pattern(16, 2))) ==
              SecretBytes(pattern(16, 2)));
  EXPECT_EQ(hsm->encrypt(KeyRef::current("kek"), BlockMode::cbc, pattern(16, 0), pattern(32, 5)),
            soft->encrypt(KeyRef::current("kek"), BlockMode::cbc, pattern(16, 0), pattern(32, 5)));
  EXPECT_EQ(hsm->info("master").current().kcv, soft->info("master").current().kcv);
}

TEST(Pkcs11Keystore, PautIssuerWorksOverTheToken) {
  namespace bc = gp::broadcast;
  SoftHsmToken token;
  auto hsm = open_token(token);
  auto soft = SoftwareKeystore::in_memory();
  const Bytes master = pattern(16, 0x40);
  hsm->import_key("master", SecretBytes(master), KeyUsage::mac);
  soft->import_key("master", SecretBytes(master), KeyUsage::mac);

  const Bytes kos = pattern(16, 0x05);
  CampaignTerms terms;
  terms.campaign_id = bc::CampaignId{0xCA, 0xFE};
  terms.profile = bc::Profile::campaign_key;
  terms.platform_key_version = 1;
  terms.total_length = 4096;
  terms.start.counter = bc::Block16{0x10};
  terms.start.chaining_value = bc::Block16{0xC4};
  terms.wrapped_broadcast_keys =
      bc::wrap_broadcast_keys(kos, bc::BroadcastKeys{SecretBytes(pattern(16, 0x90)), SecretBytes(pattern(16, 0xA0))});
  terms.integrity_code = bc::wrap_integrity_code(kos, Bytes(16, 0xCC));

  const PautIssuer on_token(*hsm, KeyRef::current("master"), terms);
  SeAuthorizationRequest request;
  request.se_id = Bytes{'S', 'E', 1};
  request.kdd = pattern(10, 0x20);
  request.kvn = 0x30;
  request.sequence_counter = 7;
  const bc::Paut paut = on_token.issue(request);
  EXPECT_EQ(paut.check.sequence_counter, 8u);
  // The same PAUT, built with the same host challenge from keys derived in software, is identical:
  // everything the token computed (kdf3 through C_Sign) agrees with the reference.
  bc::PautInput input;
  input.sequence_counter = request.sequence_counter;
  input.host_challenge = paut.check.host_challenge;
  input.i = request.i;
  input.security_level = 0x33;
  input.change_mode.profile = terms.profile;
  input.change_mode.campaign_id = terms.campaign_id;
  input.change_mode.broadcast_keys = SecretBytes(terms.wrapped_broadcast_keys);
  input.change_mode.counter = terms.start.counter;
  input.change_mode.chaining_value = terms.start.chaining_value;
  input.change_mode.key_version = terms.platform_key_version;
  input.change_mode.total_length = terms.total_length;
  input.authorize.campaign_id = terms.campaign_id;
  input.authorize.integrity_code = terms.integrity_code;
  input.authorize.action = bc::Action::verify_and_activate;
  const bc::Paut expected = bc::build_paut(gp::kdf3_diversify(master, request.kdd, request.kvn), input);
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_EQ(to_hex(paut.commands[k].encode()), to_hex(expected.commands[k].encode()));
  EXPECT_EQ(paut.check.card_challenge, expected.check.card_challenge);

  // Profile 4: BK generated, wrapped under the token's campaign KEK and unwrapped again by the issuer.
  hsm->generate("campaign-kek", 16, KeyUsage::wrap);
  CampaignTerms p4;
  p4.campaign_id = bc::CampaignId{0xF4};
  p4.profile = bc::Profile::platform_key;
  p4.platform_key_version = 2;
  p4.integrity_code = Bytes(16, 0xD4);
  crypto::Aes kos_aes(kos);
  const Bytes iv = pattern(16, 0x11);
  const Bytes envelope = concat({iv, kos_aes.cbc_encrypt(iv, crypto::pad80(pattern(300, 0x01)))});
  p4.total_length = static_cast<std::uint32_t>(envelope.size());
  const auto prepared = prepare_platform_campaign(*hsm, KeyRef::current("campaign-kek"), p4, envelope, 100, false);
  const PautIssuer p4_issuer(*hsm, KeyRef::current("master"), prepared.terms, KeyRef::current("campaign-kek"));
  EXPECT_EQ(p4_issuer.issue(request).commands.size(), 4u);
}

}  // namespace
}  // namespace sefleet::offcard

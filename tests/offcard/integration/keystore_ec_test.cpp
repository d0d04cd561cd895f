// P-256 key pairs in both keystores: the same behaviour suite on the in-memory SoftwareKeystore and
// on a Pkcs11Keystore over a fresh SoftHSM2 token (key generation and import, public points, ECDH and
// ECDSA checked against the crypto layer, refusals, the AES/EC separation, rotation), then what only
// one store shows: the software file keeps EC keys across opens, and on the token the private key is
// sensitive and not extractable, checked through the token itself.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdh.hpp"
#include "crypto/ecdsa.hpp"
#include "keystore_fixture.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "softhsm_token.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::offcard {
namespace {

using testing::error_of;
using testing::kSoftHsmModule;
using testing::kTokenPin;
using testing::open_token;
using testing::SoftHsmToken;

const crypto::EcCurve& p256() {
  static const crypto::EcCurve curve = crypto::EcCurve::named(crypto::NamedCurve::secp256r1);
  return curve;
}

// A fixed private scalar (any value in [1, n-1]).
const Bytes kScalar = from_hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
// n, the order of P-256: not a valid scalar.
const Bytes kOrder = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

class EcKeystore : public testing::EitherKeystore {};

TEST_P(EcKeystore, GeneratesAP256KeyPair) {
  const KeyInfo info = store().generate_ec("oce");
  EXPECT_EQ(info.label, "oce");
  EXPECT_EQ(info.algorithm, "EC-P256");
  EXPECT_TRUE(info.is_ec());
  EXPECT_EQ(info.size, 32u);
  EXPECT_EQ(info.usage, KeyUsage::ec);
  EXPECT_EQ(key_usage_text(info.usage), "agree,sign");
  EXPECT_FALSE(info.extractable);
  ASSERT_EQ(info.versions.size(), 1u);
  EXPECT_EQ(info.current().version, 1u);
  EXPECT_EQ(info.current().origin, KeyOrigin::generated);
  const Bytes point = store().ec_public_key(KeyRef::current("oce"));
  ASSERT_EQ(point.size(), 65u);
  EXPECT_EQ(point[0], 0x04);
  EXPECT_NO_THROW(crypto::EcPublicKey::from_point(p256(), point));
  EXPECT_EQ(info.current().public_point, point);
  EXPECT_EQ(info.current().kcv, ec_key_check_value(point));
  // Listed with its algorithm, beside AES keys.
  store().generate("master", 16, KeyUsage::mac);
  const auto keys = store().list();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].label, "master");
  EXPECT_EQ(keys[0].algorithm, "AES");
  EXPECT_TRUE(keys[0].versions[0].public_point.empty());
  EXPECT_EQ(keys[1].algorithm, "EC-P256");
  // Two generated keys differ.
  store().generate_ec("oce2");
  EXPECT_NE(store().ec_public_key(KeyRef::current("oce2")), point);
  // A label is taken whatever the algorithm.
  error_of([&] { store().generate_ec("oce"); }, Errc::state_error);
  error_of([&] { store().generate_ec("master"); }, Errc::state_error);
  error_of([&] { store().generate("oce", 16, KeyUsage::mac); }, Errc::state_error);
  error_of([&] { store().generate_ec("bad label"); }, Errc::invalid_argument);
}

TEST_P(EcKeystore, ImportedKeyMatchesTheCryptoLayer) {
  const auto reference = crypto::EcPrivateKey::from_scalar(p256(), kScalar);
  const KeyInfo info = store().import_ec("oce", SecretBytes(kScalar));
  EXPECT_EQ(info.current().origin, KeyOrigin::imported);
  EXPECT_EQ(info.current().public_point, reference.public_point());
  EXPECT_EQ(store().ec_public_key(KeyRef::current("oce")), reference.public_point());

  const auto peer = crypto::EcPrivateKey::generate(p256());
  const SecretBytes shared = store().ecdh(KeyRef::current("oce"), peer.public_point());
  EXPECT_EQ(shared.size(), 32u);
  EXPECT_EQ(shared, crypto::ecdh(reference, peer.public_point(), crypto::EcdhOutput::x));
  EXPECT_EQ(shared, crypto::ecdh(peer, reference.public_point(), crypto::EcdhOutput::x));

  const Bytes message = bytes_of("7F21 fields before 5F37");
  const Bytes signature = store().ecdsa_sign_sha256(KeyRef::current("oce"), message);
  EXPECT_TRUE(crypto::ecdsa_verify(reference.public_key(), crypto::DigestAlgorithm::sha256, message, signature));
  EXPECT_FALSE(
      crypto::ecdsa_verify(reference.public_key(), crypto::DigestAlgorithm::sha256, bytes_of("other"), signature));
  EXPECT_EQ(signature[0], 0x30);  // DER SEQUENCE
  EXPECT_NO_THROW(crypto::ecdsa_der_to_raw(signature, 32));
  // The empty message is signable too.
  EXPECT_TRUE(crypto::ecdsa_verify(reference.public_key(), crypto::DigestAlgorithm::sha256, {},
                                   store().ecdsa_sign_sha256(KeyRef::current("oce"), {})));
}

TEST_P(EcKeystore, RefusesBadScalarsAndPeerPoints) {
  error_of([&] { store().import_ec("k", SecretBytes(Bytes(31, 1))); }, Errc::invalid_argument);
  error_of([&] { store().import_ec("k", SecretBytes(Bytes(33, 1))); }, Errc::invalid_argument);
  error_of([&] { store().import_ec("k", SecretBytes(Bytes(32, 0))); }, Errc::invalid_argument);
  error_of([&] { store().import_ec("k", SecretBytes(kOrder)); }, Errc::invalid_argument);
  EXPECT_FALSE(store().contains("k"));

  store().import_ec("oce", SecretBytes(kScalar));
  const Bytes good = crypto::EcPrivateKey::generate(p256()).public_point();
  Bytes off_curve = good;
  off_curve[64] ^= 0x01;
  Bytes compressed(good.begin(), good.begin() + 33);
  compressed[0] = static_cast<std::uint8_t>(0x02 | (good[64] & 1));
  Bytes wrong_prefix = good;
  wrong_prefix[0] = 0x05;
  const auto refused = [&](const Bytes& peer) {
    return error_of([&] { store().ecdh(KeyRef::current("oce"), peer); }, Errc::invalid_argument);
  };
  EXPECT_NE(refused(off_curve).find("not a point of P-256"), std::string::npos);
  EXPECT_NE(refused(compressed).find("uncompressed"), std::string::npos);
  refused(wrong_prefix);
  refused({});
  refused(Bytes(65, 0x00));
  // Unknown key or version.
  error_of([&] { store().ecdh(KeyRef::current("none"), good); }, Errc::not_found);
  error_of([&] { store().ecdh(KeyRef::at("oce", 2), good); }, Errc::not_found);
  error_of([&] { store().ec_public_key(KeyRef::current("none")); }, Errc::not_found);
}

TEST_P(EcKeystore, AesAndEcKeysAreKeptApart) {
  store().import_ec("oce", SecretBytes(kScalar));
  store().import_key("aes", SecretBytes(Bytes(16, 0x11)), KeyUsage::all);
  const KeyRef ec = KeyRef::current("oce");
  const KeyRef aes = KeyRef::current("aes");
  const Bytes block(16, 0);
  const auto refused = [&](auto&& operation) {
    const std::string message = error_of(operation, Errc::invalid_argument);
    EXPECT_NE(message.find("EC-P256"), std::string::npos) << message;
  };
  refused([&] { store().cmac(ec, block); });
  refused([&] { store().derive_kdf3(ec, Bytes(10, 0), 0x30); });
  refused([&] { store().wrap(ec, block); });
  refused([&] { store().unwrap(ec, Bytes(24, 0)); });
  refused([&] { store().encrypt(ec, BlockMode::ecb, {}, block); });
  refused([&] { store().decrypt(ec, BlockMode::ecb, {}, block); });
  const Bytes peer = crypto::EcPrivateKey::generate(p256()).public_point();
  refused([&] { store().ecdh(aes, peer); });
  refused([&] { store().ecdsa_sign_sha256(aes, block); });
  refused([&] { store().ec_public_key(aes); });
  const std::string message = error_of([&] { store().cmac(ec, block); }, Errc::invalid_argument);
  EXPECT_NE(message.find("'oce@v1' is an EC-P256 key"), std::string::npos) << message;
}

TEST_P(EcKeystore, RotationMakesNewKeyPairsAndKeepsRetiredOnesUsable) {
  store().import_ec("oce", SecretBytes(kScalar));
  const Bytes first = store().ec_public_key(KeyRef::current("oce"));
  const KeyInfo rotated = store().rotate("oce");
  ASSERT_EQ(rotated.versions.size(), 2u);
  EXPECT_TRUE(rotated.is_ec());
  EXPECT_TRUE(rotated.versions[0].retired);
  EXPECT_EQ(rotated.versions[1].origin, KeyOrigin::generated);
  const Bytes second = store().ec_public_key(KeyRef::current("oce"));
  EXPECT_NE(second, first);
  EXPECT_EQ(store().ec_public_key(KeyRef::at("oce", 1)), first);
  const auto peer = crypto::EcPrivateKey::generate(p256());
  EXPECT_EQ(store().ecdh(KeyRef::at("oce", 1), peer.public_point()), crypto::ecdh(peer, first, crypto::EcdhOutput::x));
  EXPECT_EQ(store().ecdh(KeyRef::current("oce"), peer.public_point()),
            crypto::ecdh(peer, second, crypto::EcdhOutput::x));

  const auto third = crypto::EcPrivateKey::generate(p256());
  const KeyInfo imported = store().rotate_import("oce", third.scalar());
  EXPECT_EQ(imported.current().version, 3u);
  EXPECT_EQ(imported.current().origin, KeyOrigin::imported);
  EXPECT_EQ(store().ec_public_key(KeyRef::current("oce")), third.public_point());
  error_of([&] { store().rotate_import("oce", SecretBytes(Bytes(16, 1))); }, Errc::invalid_argument);
  error_of([&] { store().rotate_import("oce", SecretBytes(kOrder)); }, Errc::invalid_argument);
  EXPECT_EQ(store().info("oce").versions.size(), 3u);

  store().delete_version("oce", 1);
  error_of([&] { store().ec_public_key(KeyRef::at("oce", 1)); }, Errc::not_found);
  EXPECT_EQ(store().ec_public_key(KeyRef::at("oce", 2)), second);
  store().delete_key("oce");
  EXPECT_FALSE(store().contains("oce"));
  // The label is free again, for either algorithm.
  EXPECT_NO_THROW(store().generate("oce", 16, KeyUsage::mac));
}

INSTANTIATE_TEST_SUITE_P(BothStores, EcKeystore, ::testing::Values("software", "pkcs11"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

TEST(SoftwareKeystoreEc, KeysPersistInTheFile) {
  test::TempDir dir;
  const auto path = dir.path() / "keys.sfks";
  const SecretBytes passphrase(bytes_of("correct horse"));
  const KeystoreKdf cheap{10, 1, 1};
  const auto peer = crypto::EcPrivateKey::generate(p256());
  SecretBytes shared;
  Bytes generated_point;
  {
    auto store = SoftwareKeystore::create(path, passphrase, cheap);
    store->import_ec("oce", SecretBytes(kScalar));
    generated_point = store->generate_ec("ca").current().public_point;
    shared = store->ecdh(KeyRef::current("oce"), peer.public_point());
  }
  auto store = SoftwareKeystore::open(path, passphrase);
  EXPECT_EQ(store->info("oce").algorithm, "EC-P256");
  EXPECT_EQ(store->ecdh(KeyRef::current("oce"), peer.public_point()), shared);
  EXPECT_EQ(store->ec_public_key(KeyRef::current("ca")), generated_point);
}

// Reads attributes straight from the token (not through the keystore).
struct EcTokenProbe {
  CK_FUNCTION_LIST_PTR p11 = nullptr;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;

  explicit EcTokenProbe(const std::string& token_label) {
    auto module = Pkcs11Module::load(kSoftHsmModule);
    p11 = module->functions();
    check_ckr(p11->C_OpenSession(module->find_token(token_label), CKF_SERIAL_SESSION, nullptr, nullptr, &session),
              "probe session");
    module_ = std::move(module);
  }
  ~EcTokenProbe() { p11->C_CloseSession(session); }
  EcTokenProbe(const EcTokenProbe&) = delete;
  EcTokenProbe& operator=(const EcTokenProbe&) = delete;

  std::vector<CK_OBJECT_HANDLE> objects(const std::string& label, CK_OBJECT_CLASS object_class) {
    CK_ATTRIBUTE search[] = {{CKA_LABEL, const_cast<char*>(label.data()), label.size()},
                             {CKA_CLASS, &object_class, sizeof object_class}};
    EXPECT_EQ(p11->C_FindObjectsInit(session, search, 2), CKR_OK);
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

TEST(Pkcs11KeystoreEc, PrivateKeysAreSensitiveAndNonExtractableOnTheToken) {
  SoftHsmToken token;
  auto store = open_token(token);
  store->generate_ec("gen");
  store->import_ec("imp", SecretBytes(kScalar));
  EcTokenProbe probe(token.label());
  for (const std::string label : {"gen", "imp"}) {
    const auto private_keys = probe.objects(label, CKO_PRIVATE_KEY);
    ASSERT_EQ(private_keys.size(), 1u) << label;
    const CK_OBJECT_HANDLE key = private_keys[0];
    std::uint8_t value[32];
    CK_ATTRIBUTE read{CKA_VALUE, value, sizeof value};
    EXPECT_EQ(probe.p11->C_GetAttributeValue(probe.session, key, &read, 1), CKR_ATTRIBUTE_SENSITIVE) << label;
    EXPECT_EQ(probe.flag(key, CKA_SENSITIVE), CK_TRUE);
    EXPECT_EQ(probe.flag(key, CKA_EXTRACTABLE), CK_FALSE);
    EXPECT_EQ(probe.flag(key, CKA_TOKEN), CK_TRUE);
    EXPECT_EQ(probe.flag(key, CKA_DERIVE), CK_TRUE);
    EXPECT_EQ(probe.flag(key, CKA_SIGN), CK_TRUE);
    if (label == "gen") {
      EXPECT_EQ(probe.flag(key, CKA_NEVER_EXTRACTABLE), CK_TRUE);
    }
    EXPECT_EQ(probe.objects(label, CKO_PUBLIC_KEY).size(), 1u) << label;
    // Nothing else under the label: the ECDH results were session objects, destroyed after use.
    EXPECT_EQ(probe.objects(label, CKO_SECRET_KEY).size(), 0u) << label;
  }
  const auto peer = crypto::EcPrivateKey::generate(p256());
  store->ecdh(KeyRef::current("imp"), peer.public_point());
  store->delete_key("gen");
  EXPECT_TRUE(probe.objects("gen", CKO_PRIVATE_KEY).empty());
  EXPECT_TRUE(probe.objects("gen", CKO_PUBLIC_KEY).empty());
}

TEST(Pkcs11KeystoreEc, KeysPersistAndMatchTheSoftwareStore) {
  SoftHsmToken token;
  const auto peer = crypto::EcPrivateKey::generate(p256());
  Bytes generated_point;
  {
    auto store = open_token(token);
    store->import_ec("oce", SecretBytes(kScalar));
    generated_point = store->generate_ec("ca").current().public_point;
  }
  auto token_store = open_token(token);
  auto software = SoftwareKeystore::in_memory();
  software->import_ec("oce", SecretBytes(kScalar));
  EXPECT_EQ(token_store->info("oce").current().kcv, software->info("oce").current().kcv);
  EXPECT_EQ(token_store->ecdh(KeyRef::current("oce"), peer.public_point()),
            software->ecdh(KeyRef::current("oce"), peer.public_point()));
  EXPECT_EQ(token_store->ec_public_key(KeyRef::current("ca")), generated_point);
  const Bytes signature = token_store->ecdsa_sign_sha256(KeyRef::current("ca"), bytes_of("certificate body"));
  EXPECT_TRUE(crypto::ecdsa_verify(crypto::EcPublicKey::from_point(p256(), generated_point),
                                   crypto::DigestAlgorithm::sha256, bytes_of("certificate body"), signature));
  EXPECT_NE(token_store->mechanism_summary().find("CKM_ECDH1_DERIVE yes"), std::string::npos);
}

}  // namespace
}  // namespace sefleet::offcard

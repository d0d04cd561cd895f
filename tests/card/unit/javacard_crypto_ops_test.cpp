// The Java Card crypto API through the VM on inputs chosen by the test, compared with OpenSSL (through
// src/crypto, itself cross-checked against python3-cryptography) computed here: the applet
// tests/card/javacard/cryptoops runs MessageDigest, Cipher, Signature, KeyPair, KeyAgreement, Checksum and
// RandomData on the command data. Known answers of RFC 5114 / RFC 7027 go through the card as well, and
// the natives' charges on the card's virtual clock are checked per operation.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "crypto/aead.hpp"
#include "crypto/aes.hpp"
#include "crypto/aes_aead.hpp"
#include "crypto/aes_ctr.hpp"
#include "crypto/cbc_mac.hpp"
#include "crypto/cmac.hpp"
#include "crypto/crc.hpp"
#include "crypto/des.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdh.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hmac.hpp"
#include "crypto/padding.hpp"
#include "crypto/rsa.hpp"
#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kCryptoOpsPackage = aid("F05345464C45540C01");
const Bytes kCryptoOpsClass = aid("F05345464C45540C0101");
const Bytes kCryptoOpsInstance = aid("F05345464C45540C010101");

struct Answer {
  Bytes data;
  std::uint16_t sw = 0;
};

Bytes random_bytes(std::size_t size) {
  return crypto::system_random().bytes(size);
}

class CryptoOps : public ::testing::Test {
 protected:
  void SetUp() override {
    card_.vm().load(load_file_of("cryptoops", "sefleet/test/cryptoops", kCryptoOpsPackage,
                                 {AppletDeclaration{"sefleet/test/cryptoops/CryptoOpsApplet", kCryptoOpsClass}}));
    card_.install(kCryptoOpsPackage, kCryptoOpsClass, kCryptoOpsInstance);
    ASSERT_EQ(card_.select(kCryptoOpsInstance), "9000");
  }

  // CLA 80, short APDU with Le = 00 (up to 256 bytes back).
  Answer command(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data = {}) {
    EXPECT_LE(data.size(), 255u);
    Bytes apdu{0x80, ins, p1, p2};
    if (!data.empty()) {
      apdu.push_back(static_cast<std::uint8_t>(data.size()));
      append(apdu, data);
    }
    apdu.push_back(0x00);
    const Bytes response = card_.runtime().transmit(apdu);
    EXPECT_GE(response.size(), 2u);
    Answer answer;
    answer.sw = read_be16(response, response.size() - 2);
    answer.data.assign(response.begin(), response.end() - 2);
    return answer;
  }

  // The data of a command that must answer 9000.
  Bytes ok(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data = {}) {
    const Answer answer = command(ins, p1, p2, data);
    EXPECT_EQ(answer.sw, 0x9000) << "INS " << int(ins) << " P1 " << int(p1) << " P2 " << int(p2);
    return answer.data;
  }

  // EC BEGIN + every domain parameter of `curve` set explicitly (as applets do).
  void set_curve(const crypto::EcCurve& curve) {
    const auto bits = static_cast<std::uint16_t>(curve.field_bits());
    ok(0x40, static_cast<std::uint8_t>(bits >> 8), static_cast<std::uint8_t>(bits));
    const auto& p = curve.parameters();
    ok(0x41, 1, 0, p.p);
    ok(0x41, 2, 0, p.a);
    ok(0x41, 3, 0, p.b);
    ok(0x41, 4, 0, p.g);
    ok(0x41, 5, 0, p.n);
    Bytes k;
    put_be16(k, static_cast<std::uint16_t>(p.cofactor));
    ok(0x41, 6, 0, k);
  }

  Card card_;
};

Bytes with_length(ByteView value) {
  Bytes out{static_cast<std::uint8_t>(value.size())};
  append(out, value);
  return out;
}

TEST_F(CryptoOps, MessageDigestEveryAlgorithm) {
  const std::pair<std::uint8_t, crypto::DigestAlgorithm> algorithms[] = {{1, crypto::DigestAlgorithm::sha1},
                                                                         {7, crypto::DigestAlgorithm::sha224},
                                                                         {4, crypto::DigestAlgorithm::sha256},
                                                                         {5, crypto::DigestAlgorithm::sha384},
                                                                         {6, crypto::DigestAlgorithm::sha512}};
  for (const auto& [code, algorithm] : algorithms) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{111}, std::size_t{255}}) {
      const Bytes message = random_bytes(size);
      EXPECT_EQ(ok(0x20, code, 0, message), crypto::digest(algorithm, message)) << int(code) << " " << size;
    }
  }
  // MD5 is not on this card: the uncaught CryptoException NO_SUCH_ALGORITHM answers 6F00.
  EXPECT_EQ(command(0x20, 2, 0, bytes_of("abc")).sw, 0x6F00);
}

TEST_F(CryptoOps, AesEveryKeySizeModeAndPadding) {
  struct Case {
    std::uint8_t algorithm;
    std::size_t key_size;
    bool cbc;
    crypto::BlockPadding padding;
  };
  const Case cases[] = {
      // ALG_AES_BLOCK_128_CBC_NOPAD / _ECB_NOPAD: a 128-bit block, any AES key size.
      {13, 16, true, crypto::BlockPadding::none},       {13, 24, true, crypto::BlockPadding::none},
      {13, 32, true, crypto::BlockPadding::none},       {14, 16, false, crypto::BlockPadding::none},
      {14, 24, false, crypto::BlockPadding::none},      {14, 32, false, crypto::BlockPadding::none},
      {22, 16, true, crypto::BlockPadding::iso9797_m1}, {23, 32, true, crypto::BlockPadding::iso9797_m2},
      {24, 24, true, crypto::BlockPadding::pkcs5},      {27, 16, false, crypto::BlockPadding::pkcs5},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.algorithm) + " key " + std::to_string(c.key_size));
    const Bytes key = random_bytes(c.key_size);
    const Bytes iv = c.cbc ? random_bytes(16) : Bytes();
    const Bytes plain = random_bytes(c.padding == crypto::BlockPadding::none ? 96 : 77);
    const Bytes padded = crypto::pad(c.padding, plain, 16);
    crypto::Aes aes(key);
    const Bytes expected = c.cbc ? aes.cbc_encrypt(iv, padded) : aes.ecb_encrypt(padded);
    const Bytes request = concat({with_length(key), with_length(iv), plain});
    EXPECT_EQ(ok(0x21, c.algorithm, 2, request), expected);
    const Bytes back = ok(0x21, c.algorithm, 1, concat({with_length(key), with_length(iv), expected}));
    // M1 cannot be removed: the card gives the zeros back.
    EXPECT_EQ(back, c.padding == crypto::BlockPadding::iso9797_m1 ? padded : plain);
  }
}

TEST_F(CryptoOps, AesCtrAnyLength) {
  for (const std::size_t size : {std::size_t{1}, std::size_t{16}, std::size_t{100}}) {
    const Bytes key = random_bytes(32);
    const Bytes counter = random_bytes(16);
    const Bytes plain = random_bytes(size);
    const Bytes request = concat({with_length(key), with_length(counter), plain});
    EXPECT_EQ(ok(0x21, 0xF0, 2, request), crypto::AesCtr(key, counter).apply(plain)) << size;
  }
}

TEST_F(CryptoOps, AeadGcmAndCcm) {
  const auto request = [](ByteView key, ByteView nonce, ByteView aad, std::size_t tag_size, ByteView in) {
    return concat(
        {with_length(key), with_length(nonce), with_length(aad), Bytes{static_cast<std::uint8_t>(tag_size)}, in});
  };
  constexpr std::uint8_t kGcm = 0xF3, kCcm = 0xF4;  // AEADCipher.ALG_AES_GCM (-13), ALG_AES_CCM (-12)
  for (const std::size_t key_size : {std::size_t{16}, std::size_t{24}, std::size_t{32}}) {
    SCOPED_TRACE("key " + std::to_string(key_size));
    const Bytes key = random_bytes(key_size), aad = random_bytes(33), plain = random_bytes(77);
    // GCM with a 12-byte nonce and a 16-byte tag: OpenSSL's one-shot GCM.
    const Bytes nonce = random_bytes(crypto::kGcmIvSize);
    const Bytes sealed = crypto::aes_gcm_encrypt(key, nonce, aad, plain);
    EXPECT_EQ(ok(0x23, kGcm, 2, request(key, nonce, aad, 16, plain)), sealed);
    EXPECT_EQ(ok(0x23, kGcm, 1, request(key, nonce, aad, 16, sealed)), concat({plain, Bytes{0x01}}));
    Bytes forged = sealed;
    forged[3] ^= 0x40;
    const Bytes refused = ok(0x23, kGcm, 1, request(key, nonce, aad, 16, forged));
    EXPECT_EQ(refused.back(), 0x00) << "a changed ciphertext fails the tag";
    // GCM with an 8-byte nonce and a 12-byte tag: the leading bytes of OpenSSL's tag.
    const Bytes short_nonce = random_bytes(8);
    crypto::AesGcmStream gcm(key, short_nonce, true);
    gcm.add_aad(aad);
    const Bytes ciphertext = gcm.update(plain);
    const Bytes tag = gcm.finish_encryption();
    EXPECT_EQ(ok(0x23, kGcm, 2, request(key, short_nonce, aad, 12, plain)),
              concat({ciphertext, ByteView(tag).first(12)}));
    // CCM with a 13-byte and a 7-byte nonce.
    for (const auto& [nonce_size, tag_size] : {std::pair<std::size_t, std::size_t>{13, 8}, {7, 16}}) {
      const Bytes ccm_nonce = random_bytes(nonce_size);
      const auto expected = crypto::aes_ccm_encrypt(key, ccm_nonce, aad, plain, tag_size);
      const Bytes both = concat({expected.data, expected.tag});
      EXPECT_EQ(ok(0x23, kCcm, 2, request(key, ccm_nonce, aad, tag_size, plain)), both) << nonce_size;
      EXPECT_EQ(ok(0x23, kCcm, 1, request(key, ccm_nonce, aad, tag_size, both)), concat({plain, Bytes{0x01}}));
      Bytes bad_tag = both;
      bad_tag.back() ^= 0x01;
      EXPECT_EQ(ok(0x23, kCcm, 1, request(key, ccm_nonce, aad, tag_size, bad_tag)).back(), 0x00);
    }
  }
  // CCM refuses a 5-byte nonce and an odd tag (CryptoException ILLEGAL_VALUE, uncaught: 6F00).
  EXPECT_EQ(command(0x23, kCcm, 2, request(Bytes(16, 1), Bytes(5, 2), {}, 8, Bytes(4, 3))).sw, 0x6F00);
  EXPECT_EQ(command(0x23, kCcm, 2, request(Bytes(16, 1), Bytes(12, 2), {}, 7, Bytes(4, 3))).sw, 0x6F00);
}

TEST_F(CryptoOps, DesAndTripleDes) {
  for (const std::size_t key_size : {std::size_t{8}, std::size_t{16}, std::size_t{24}}) {
    const Bytes key = random_bytes(key_size);
    const Bytes iv = random_bytes(8);
    const Bytes plain = random_bytes(45);
    crypto::Des des(key);
    const Bytes padded = crypto::pad(crypto::BlockPadding::pkcs5, plain, 8);
    EXPECT_EQ(ok(0x21, 4, 2, concat({with_length(key), with_length(iv), plain})), des.cbc_encrypt(iv, padded))
        << key_size;  // ALG_DES_CBC_PKCS5
    const Bytes aligned = random_bytes(48);
    EXPECT_EQ(ok(0x21, 5, 2, concat({with_length(key), with_length({}), aligned})), des.ecb_encrypt(aligned));
    EXPECT_EQ(ok(0x21, 1, 1, concat({with_length(key), with_length(iv), aligned})), des.cbc_decrypt(iv, aligned));
  }
}

TEST_F(CryptoOps, MacsAndHmac) {
  const Bytes message = random_bytes(150);
  const Bytes aes_key = random_bytes(16);
  const crypto::Mac16 cmac = crypto::aes_cmac(aes_key, message);
  EXPECT_EQ(ok(0x22, 49, 0, concat({with_length(aes_key), message})), Bytes(cmac.begin(), cmac.end()));
  const Bytes aligned = random_bytes(64);
  EXPECT_EQ(ok(0x22, 18, 0, concat({with_length(aes_key), aligned})),
            crypto::CbcMac(crypto::BlockCipherAlgorithm::aes, aes_key, crypto::BlockPadding::none).compute(aligned));
  const Bytes des_key = random_bytes(16);
  EXPECT_EQ(
      ok(0x22, 6, 0, concat({with_length(des_key), message})),  // ALG_DES_MAC8_ISO9797_M2
      crypto::CbcMac(crypto::BlockCipherAlgorithm::des, des_key, crypto::BlockPadding::iso9797_m2).compute(message));
  EXPECT_EQ(ok(0x22, 20, 0, concat({with_length(des_key), message})),  // ALG_DES_MAC8_ISO9797_1_M2_ALG3
            crypto::RetailMac(des_key, crypto::BlockPadding::iso9797_m2).compute(message));
  const std::pair<std::uint8_t, crypto::DigestAlgorithm> hmacs[] = {{24, crypto::DigestAlgorithm::sha1},
                                                                    {25, crypto::DigestAlgorithm::sha256},
                                                                    {26, crypto::DigestAlgorithm::sha384},
                                                                    {27, crypto::DigestAlgorithm::sha512}};
  for (const auto& [code, algorithm] : hmacs) {
    for (const std::size_t key_size : {std::size_t{20}, std::size_t{64}}) {
      const Bytes key = random_bytes(key_size);
      EXPECT_EQ(ok(0x22, code, 0, concat({with_length(key), message})), crypto::hmac(algorithm, key, message))
          << int(code) << " " << key_size;
    }
  }
}

TEST_F(CryptoOps, RsaGeneratedOnCardVerifiesWithOpenSsl) {
  const Bytes modulus = ok(0x30, 0x08, 0x00);  // 2048 bits, e = 65537
  ASSERT_EQ(modulus.size(), 256u);
  const auto pub = crypto::RsaPublicKey::from_components(modulus, crypto::kRsaF4);
  const Bytes message = random_bytes(100);
  EXPECT_TRUE(crypto::rsa_verify(pub, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha256, message,
                                 ok(0x32, 40, 0, message)));  // ALG_RSA_SHA_256_PKCS1
  EXPECT_TRUE(crypto::rsa_verify(pub, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha1, message,
                                 ok(0x32, 10, 0, message)));  // ALG_RSA_SHA_PKCS1
  EXPECT_TRUE(crypto::rsa_verify(pub, crypto::RsaSignaturePadding::pss, crypto::DigestAlgorithm::sha256, message,
                                 ok(0x32, 44, 0, message)));  // ALG_RSA_SHA_256_PKCS1_PSS
  // Raw RSA takes exactly one block: 255 bytes for a 2048-bit key is ILLEGAL_USE (uncaught: 6F00).
  EXPECT_EQ(command(0x33, 1, 2, random_bytes(255)).sw, 0x6F00);
}

TEST_F(CryptoOps, RsaPublicExponentOfTheGenerationIsKept) {
  const Bytes modulus = ok(0x30, 0x04, 0x00, Bytes{0x03});  // 1024 bits, e = 3
  const auto pub = crypto::RsaPublicKey::from_components(modulus, Bytes{0x03});
  const Bytes message = random_bytes(20);
  EXPECT_TRUE(crypto::rsa_verify(pub, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha256, message,
                                 ok(0x32, 40, 0, message)));
  // Raw RSA with the public key (P2 2): m^e mod n.
  Bytes block = random_bytes(128);
  block[0] = 0x00;
  EXPECT_EQ(ok(0x33, 1, 2, block), crypto::rsa_public_raw(pub, block));
}

TEST_F(CryptoOps, RsaImportedCrtKeyMatchesOpenSslByteForByte) {
  const auto key = crypto::RsaPrivateKey::generate(1024);
  const auto parts = *key.crt_parts();
  ok(0x31, 0x04, 0x00);
  const SecretBytes* values[] = {&parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qinv};
  for (std::uint8_t i = 0; i < 5; ++i) ok(0x34, i, 0, values[i]->view());
  const auto pub = key.public_key();
  const Bytes message = random_bytes(70);
  // PKCS#1 v1.5 is deterministic: the card's signature is OpenSSL's.
  EXPECT_EQ(ok(0x32, 40, 0, message),
            crypto::rsa_sign(key, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha256, message));
  EXPECT_EQ(ok(0x32, 42, 0, message),  // ALG_RSA_SHA_512_PKCS1
            crypto::rsa_sign(key, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha512, message));
  // Cipher ALG_RSA_PKCS1 with the private key: a type-1 block (P2 3), as cards do.
  const Bytes digest_info = random_bytes(51);
  EXPECT_EQ(ok(0x33, 7, 3, digest_info), crypto::rsa_pkcs1_type1_encrypt(key, digest_info));
  // Decryption with the private key: PKCS#1 type 2, OAEP SHA-1 and SHA-256, raw.
  const Bytes secret = random_bytes(32);
  EXPECT_EQ(ok(0x33, 7, 1, crypto::rsa_pkcs1_encrypt(pub, secret)), secret);
  EXPECT_EQ(ok(0x33, 9, 1, crypto::rsa_oaep_encrypt(pub, crypto::DigestAlgorithm::sha1, secret)), secret);
  EXPECT_EQ(ok(0x33, 14, 1, crypto::rsa_oaep_encrypt(pub, crypto::DigestAlgorithm::sha256, secret)), secret);
  Bytes block = random_bytes(128);
  block[0] = 0x00;
  EXPECT_EQ(ok(0x33, 1, 1, block), crypto::rsa_private_raw(key, block).reveal());
  // A ciphertext whose padding does not check: CryptoException ILLEGAL_USE, uncaught: 6F00.
  Bytes bad = crypto::rsa_pkcs1_encrypt(pub, secret);
  bad[5] ^= 0x01;
  EXPECT_EQ(command(0x33, 7, 1, bad).sw, 0x6F00);
}

TEST_F(CryptoOps, RsaPrivateKeyWithoutCrtPartsNeedsACommonPublicExponent) {
  const auto set_key = [&](const crypto::RsaPrivateKey& key) {
    ok(0x35, 0x04, 0x00);
    ok(0x36, 0, 0, key.modulus());
    ok(0x36, 1, 0, key.private_exponent().view());
  };
  const Bytes message = random_bytes(40);
  const auto f4 = crypto::RsaPrivateKey::generate(1024);
  set_key(f4);
  EXPECT_EQ(ok(0x32, 40, 0, message),
            crypto::rsa_sign(f4, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha256, message));
  const auto three = crypto::RsaPrivateKey::generate(1024, Bytes{0x03});
  set_key(three);
  EXPECT_EQ(ok(0x32, 40, 0, message),
            crypto::rsa_sign(three, crypto::RsaSignaturePadding::pkcs1_v1_5, crypto::DigestAlgorithm::sha256, message));
  // e = 19 is not among the exponents the card recovers: CryptoException ILLEGAL_VALUE (uncaught: 6F00).
  set_key(crypto::RsaPrivateKey::generate(1024, Bytes{0x13}));
  EXPECT_EQ(command(0x32, 40, 0, message).sw, 0x6F00);
}

struct EcVector {
  crypto::NamedCurve curve;
  const char *da, *qb, *zx, *zy;
};

// RFC 5114 A.8 (P-256) and RFC 7027 A.1 (brainpoolP256r1): Alice's private key, Bob's point, Z.
const EcVector kEcVectors[] = {
    {crypto::NamedCurve::secp256r1, "814264145F2F56F2E96A8E337A1284993FAF432A5ABCE59E867B7291D507A3AF",
     "04B120DE4AA36492795346E8DE6C2C8646AE06AAEA279FA775B3AB0715F6CE51B09F1B7EECE20D7B5ED8EC685FA3F071D83727027092A8411"
     "3"
     "85C34DDE5708B2B6",
     "DD0F5396219D1EA393310412D19A08F1F5811E9DC8EC8EEA7F80D21C820C2788",
     "0357DCCD4C804D0D8D33AA42B848834AA5605F9AB0D37239A115BBB647936F50"},
    {crypto::NamedCurve::brainpoolP256r1, "81DB1EE100150FF2EA338D708271BE38300CB54241D79950F77B063039804F1D",
     "048D2D688C6CF93E1160AD04CC4429117DC2C41825E1E9FCA0ADDD34E6F1B39F7B990C57520812BE512641E47034832106BC7D3E8DD0E4C7F"
     "1"
     "136D7006547CEC6A",
     "89AFC39D41D3B327814B80940B042590F96556EC91E6AE7939BCE31F3A18BF2B",
     "49C27868F4ECA2179BFD7D59B1E3BF34C1DBDE61AE12931648F43E59632504DE"},
};

TEST_F(CryptoOps, EcdhKnownAnswersThroughTheCard) {
  for (const auto& v : kEcVectors) {
    SCOPED_TRACE(std::string(crypto::curve_name(v.curve)));
    set_curve(crypto::EcCurve::named(v.curve));
    ok(0x41, 8, 0, from_hex(v.da));                             // S
    EXPECT_EQ(ok(0x45, 3, 0, from_hex(v.qb)), from_hex(v.zx));  // ALG_EC_SVDP_DH_PLAIN
    EXPECT_EQ(ok(0x45, 4, 0, from_hex(v.qb)), from_hex(v.zx));  // ALG_EC_SVDP_DHC_PLAIN (cofactor 1)
    EXPECT_EQ(ok(0x45, 6, 0, from_hex(v.qb)), concat({Bytes{0x04}, from_hex(v.zx), from_hex(v.zy)}));  // PLAIN_XY
    EXPECT_EQ(ok(0x45, 1, 0, from_hex(v.qb)), crypto::digest(crypto::DigestAlgorithm::sha1, from_hex(v.zx)));
    // A point off the curve: CryptoException ILLEGAL_VALUE, uncaught: 6F00.
    Bytes off_curve = from_hex(v.qb);
    off_curve.back() ^= 0x01;
    EXPECT_EQ(command(0x45, 3, 0, off_curve).sw, 0x6F00);
  }
}

TEST_F(CryptoOps, EcdsaAndEcdhBothWaysOnManyCurves) {
  const Bytes message = random_bytes(90);
  for (const auto id : {crypto::NamedCurve::secp192r1, crypto::NamedCurve::secp224r1, crypto::NamedCurve::secp256r1,
                        crypto::NamedCurve::secp384r1, crypto::NamedCurve::secp521r1,
                        crypto::NamedCurve::brainpoolP192r1, crypto::NamedCurve::brainpoolP256r1,
                        crypto::NamedCurve::brainpoolP320r1, crypto::NamedCurve::brainpoolP512r1}) {
    SCOPED_TRACE(std::string(crypto::curve_name(id)));
    const crypto::EcCurve curve = crypto::EcCurve::named(id);
    set_curve(curve);
    // A key pair generated on card: its signatures verify with OpenSSL.
    const auto card_public = crypto::EcPublicKey::from_point(curve, ok(0x42, 0, 0));
    EXPECT_TRUE(crypto::ecdsa_verify(card_public, crypto::DigestAlgorithm::sha256, message, ok(0x43, 33, 0, message)));
    EXPECT_TRUE(crypto::ecdsa_verify(card_public, crypto::DigestAlgorithm::sha1, message, ok(0x43, 17, 0, message)));
    EXPECT_TRUE(crypto::ecdsa_verify(card_public, crypto::DigestAlgorithm::sha512, message, ok(0x43, 38, 0, message)));
    const Bytes plain = ok(0x43, 33, 1, message);
    ASSERT_EQ(plain.size(), 2 * curve.order_size());
    EXPECT_TRUE(
        crypto::ecdsa_verify(card_public, crypto::DigestAlgorithm::sha256, message, crypto::ecdsa_raw_to_der(plain)));
    // ECDH with a key of the test.
    const auto ours = crypto::EcPrivateKey::generate(curve);
    EXPECT_EQ(ok(0x45, 3, 0, ours.public_point()),
              crypto::ecdh(ours, card_public.point(), crypto::EcdhOutput::x).reveal());
    // The test's key set on card (S and W): the card verifies the test's signatures.
    ok(0x41, 8, 0, ours.scalar().view());
    ok(0x41, 7, 0, ours.public_point());
    const Bytes der = crypto::ecdsa_sign(ours, crypto::DigestAlgorithm::sha384, message);
    EXPECT_EQ(ok(0x44, 34, 0, concat({with_length(der), message})), Bytes{0x01});
    Bytes tampered = der;
    tampered[tampered.size() - 3] ^= 0x20;
    EXPECT_EQ(ok(0x44, 34, 0, concat({with_length(tampered), message})), Bytes{0x00});
  }
}

TEST_F(CryptoOps, ChecksumsAndRandomData) {
  for (const std::uint16_t initial : {std::uint16_t{0}, std::uint16_t{0xFFFF}, std::uint16_t{0x1D0F}}) {
    const Bytes message = random_bytes(200);
    Bytes init16;
    put_be16(init16, initial);
    crypto::Crc crc16(crypto::CrcAlgorithm::iso3309_crc16, initial);
    crc16.update(message);
    EXPECT_EQ(ok(0x50, 1, 0, concat({with_length(initial == 0 ? Bytes() : init16), message})), crc16.finish());
    Bytes init32;
    put_be32(init32, initial * 0x10001u);
    crypto::Crc crc32(crypto::CrcAlgorithm::iso3309_crc32, initial * 0x10001u);
    crc32.update(message);
    EXPECT_EQ(ok(0x50, 2, 0, concat({with_length(initial == 0 ? Bytes() : init32), message})), crc32.finish());
  }
  const Bytes first = ok(0x51, 2, 32);   // ALG_SECURE_RANDOM
  const Bytes second = ok(0x51, 6, 32);  // ALG_KEYGENERATION
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, second);
}

// A cost model that prices one operation only, to see which operation a command charged.
class OneOperationCost final : public CostModel {
 public:
  explicit OneOperationCost(SeOperation op) : op_(op) {}
  std::uint64_t cost_ns(SeOperation op, std::size_t bytes) const override {
    return op == op_ ? 1'000'000'000ULL + bytes : 0;
  }

 private:
  SeOperation op_;
};

TEST_F(CryptoOps, EachNativeChargesItsOperation) {
  const auto charged = [&](SeOperation op, auto&& run) {
    OneOperationCost model(op);
    card_.clock().set_model(&model);
    const std::uint64_t before = card_.clock().now_ns();
    run();
    const std::uint64_t spent = card_.clock().now_ns() - before;
    card_.clock().set_model(nullptr);
    return spent;
  };
  EXPECT_EQ(charged(SeOperation::sha512, [&] { ok(0x20, 6, 0, Bytes(100, 1)); }), 2'000'000'000ULL + 100);
  EXPECT_EQ(charged(SeOperation::sha1, [&] { ok(0x20, 6, 0, Bytes(100, 1)); }), 0u);
  EXPECT_EQ(charged(SeOperation::aes_block,
                    [&] {
                      ok(0x21, 14, 2, concat({with_length(Bytes(16, 1)), Bytes{0}, Bytes(64, 2)}));
                    }) %
                1'000'000'000ULL,
            64u);
  EXPECT_GE(charged(SeOperation::rsa_keygen, [&] { ok(0x30, 0x02, 0x00); }), 1'000'000'000ULL + 64);
  EXPECT_GE(charged(SeOperation::rsa_private_crt, [&] { ok(0x32, 40, 0, Bytes(10, 3)); }), 1'000'000'000ULL);
  set_curve(crypto::EcCurve::named(crypto::NamedCurve::secp256r1));
  EXPECT_GE(charged(SeOperation::ec_keygen, [&] { ok(0x42, 0, 0); }), 1'000'000'000ULL);
  EXPECT_GE(charged(SeOperation::ecdsa_sign, [&] { ok(0x43, 33, 0, Bytes(10, 3)); }), 1'000'000'000ULL);
  EXPECT_GE(charged(SeOperation::crc32,
                    [&] {
                      ok(0x50, 2, 0, concat({Bytes{0}, Bytes(50, 4)}));
                    }),
            1'000'000'000ULL + 50);
}

}  // namespace
}  // namespace sefleet::card::javacard::test

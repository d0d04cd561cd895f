// RSA keys and operations: the PKCS #1 v2.1 RSASSA-PSS examples (RSA Laboratories' pss-vect.txt,
// examples 1 and 2: full keys with CRT parts, SHA-1 signatures with 20-byte salts), NIST CAVP
// SigGen15_186-3 (PKCS#1 v1.5, 1024-bit key, e = 0x1001), and round trips and refusals of every form.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/rsa.hpp"

namespace sefleet::crypto {
namespace {

struct CrtKeyVector {
  const char *n, *d, *p, *q, *dp, *dq, *qinv;
};

// pss-vect.txt Example 1 (1024 bits) and Example 2 (1025 bits); e = 65537 for both.
const CrtKeyVector kExample1 = {
    "A56E4A0E701017589A5187DC7EA841D156F2EC0E36AD52A44DFEB1E61F7AD991D8C51056FFEDB162B4C0F283A12A88A394DFF526AB7291CBB3"
    "07CEABFCE0B1DFD5CD9508096D5B2B8B6DF5D671EF6377C0921CB23C270A70E2598E6FF89D19F105ACC2D3F0CB35F29280E1386B6F64C4EF22"
    "E1E1F20D0CE8CFFB2249BD9A2137",
    "33A5042A90B27D4F5451CA9BBBD0B44771A101AF884340AEF9885F2A4BBE92E894A724AC3C568C8F97853AD07C0266C8C6A3CA0929F1E8F112"
    "31884429FC4D9AE55FEE896A10CE707C3ED7E734E44727A39574501A532683109C2ABACABA283C31B4BD2F53C3EE37E352CEE34F9E503BD80C"
    "0622AD79C6DCEE883547C6A3B325",
    "E7E8942720A877517273A356053EA2A1BC0C94AA72D55C6E86296B2DFC967948C0A72CBCCCA7EACB35706E09A1DF55A1535BD9B3CC34160B3B"
    "6DCD3EDA8E6443",
    "B69DCA1CF7D4D7EC81E75B90FCCA874ABCDE123FD2700180AA90479B6E48DE8D67ED24F9F19D85BA275874F542CD20DC723E6963364A1F9425"
    "452B269A6799FD",
    "28FA13938655BE1F8A159CBACA5A72EA190C30089E19CD274A556F36C4F6E19F554B34C077790427BBDD8DD3EDE2448328F385D81B30E8E43B"
    "2FFFA027861979",
    "1A8B38F398FA712049898D7FB79EE0A77668791299CDFA09EFC0E507ACB21ED74301EF5BFD48BE455EAEB6E1678255827580A8E4E8E14151D1"
    "510A82A3F2E729",
    "27156ABA4126D24A81F3A528CBFB27F56886F840A9F6E86E17A44B94FE9319584B8E22FDDE1E5A2E3BD8AA5BA8D8584194EB2190ACF832B847"
    "F13A3D24A79F4D"};

const CrtKeyVector kExample2 = {
    "01D40C1BCF97A68AE7CDBD8A7BF3E34FA19DCCA4EF75A47454375F94514D88FED006FB829F8419FF87D6315DA68A1FF3A0938E9ABB3464011C"
    "303AD99199CF0C7C7A8B477DCE829E8844F625B115E5E9C4A59CF8F8113B6834336A2FD2689B472CBB5E5CABE674350C59B6C17E176874FB42"
    "F8FC3D176A017EDC61FD326C4B33C9",
    "027D147E4673057377FD1EA201565772176A7DC38358D376045685A2E787C23C15576BC16B9F444402D6BFC5D98A3E88EA13EF67C353ECA0C0"
    "DDBA9255BD7B8BB50A644AFDFD1DD51695B252D22E7318D1B6687A1C10FF75545F3DB0FE602D5F2B7F294E3601EAB7B9D1CECD767F64692E3E"
    "536CA2846CB0C2DD486A39FA75B1",
    "016601E926A0F8C9E26ECAB769EA65A5E7C52CC9E080EF519457C644DA6891C5A104D3EA7955929A22E7C68A7AF9FCAD777C3CCC2B9E3D3650"
    "BCE404399B7E59D1",
    "014EAFA1D4D0184DA7E31F877D1281DDDA625664869E8379E67AD3B75EAE74A580E9827ABD6EB7A002CB5411F5266797768FB8E95AE40E3E8A"
    "01F35FF89E56C079",
    "E247CCE504939B8F0A36090DE200938755E2444B29539A7DA7A902F6056835C0DB7B52559497CFE2C61A8086D0213C472C78851800B171F640"
    "1DE2E9C2756F31",
    "B12FBA757855E586E46F64C38A70C68B3F548D93D787B399999D4C8F0BBD2581C21E19ED0018A6D5D3DF86424B3ABCAD40199D31495B61309F"
    "27C1BF55D487C1",
    "564B1E1FA003BDA91E89090425AAC05B91DA9EE25061E7628D5F51304A84992FDC33762BD378A59F030A334D532BD0DAE8F298EA9ED844636A"
    "D5FB8CBDC03CAD"};

Bytes left_padded(const char* hex, std::size_t size) {
  const Bytes value = from_hex(hex);
  return concat({Bytes(size - value.size(), 0x00), value});
}

RsaCrtParts parts_of(const CrtKeyVector& v) {
  return RsaCrtParts{SecretBytes(from_hex(v.p)), SecretBytes(from_hex(v.q)), SecretBytes(from_hex(v.dp)),
                     SecretBytes(from_hex(v.dq)), SecretBytes(from_hex(v.qinv))};
}

TEST(RsaKey, CrtImportRecoversModulusExponentsAndParts) {
  for (const auto* v : {&kExample1, &kExample2}) {
    const auto key = RsaPrivateKey::from_crt(parts_of(*v));
    EXPECT_EQ(key.modulus(), from_hex(v->n));
    EXPECT_EQ(to_hex(key.public_exponent()), "010001");
    // d = e^-1 mod lcm(p-1, q-1), as the vectors have it.
    EXPECT_EQ(key.private_exponent().reveal(), left_padded(v->d, key.size()));
    const auto parts = key.crt_parts();
    ASSERT_TRUE(parts.has_value());
    const std::size_t half = (key.bits() + 15) / 16;
    EXPECT_EQ(parts->p.reveal(), left_padded(v->p, half));
    EXPECT_EQ(parts->dq.reveal(), left_padded(v->dq, half));
    EXPECT_EQ(parts->qinv.reveal(), left_padded(v->qinv, half));
  }
  const auto key1 = RsaPrivateKey::from_crt(parts_of(kExample1));
  EXPECT_EQ(key1.bits(), 1024u);
  EXPECT_EQ(key1.size(), 128u);
  EXPECT_EQ(key1.crt_parts()->p.size(), 64u);
  const auto key2 = RsaPrivateKey::from_crt(parts_of(kExample2));
  EXPECT_EQ(key2.bits(), 1025u);
  EXPECT_EQ(key2.size(), 129u);
  EXPECT_EQ(key2.modulus().size(), 129u);
}

TEST(RsaKey, ComponentImportMatchesTheCrtKey) {
  const auto crt = RsaPrivateKey::from_crt(parts_of(kExample1));
  const auto plain = RsaPrivateKey::from_components(from_hex(kExample1.n), from_hex("010001"), from_hex(kExample1.d));
  EXPECT_FALSE(plain.crt_parts().has_value());
  const Bytes block(128, 0x5A);
  EXPECT_EQ(rsa_private_raw(plain, block), rsa_private_raw(crt, block));
  EXPECT_EQ(rsa_public_raw(plain.public_key(), rsa_private_raw(plain, block).view()), block);
}

TEST(RsaKey, ModulusAndPrivateExponentAloneRecoverCommonExponents) {
  const auto key = RsaPrivateKey::from_modulus_and_private_exponent(from_hex(kExample1.n), from_hex(kExample1.d));
  EXPECT_EQ(to_hex(key.public_exponent()), "010001");
  const auto three = RsaPrivateKey::generate(768, from_hex("03"));
  const auto recovered =
      RsaPrivateKey::from_modulus_and_private_exponent(three.modulus(), three.private_exponent().view());
  EXPECT_EQ(to_hex(recovered.public_exponent()), "03");
  EXPECT_EQ(rsa_sign(recovered, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, bytes_of("m")),
            rsa_sign(three, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, bytes_of("m")));
  const auto nineteen = RsaPrivateKey::generate(768, from_hex("13"));
  try {
    (void)RsaPrivateKey::from_modulus_and_private_exponent(nineteen.modulus(), nineteen.private_exponent().view());
    ADD_FAILURE() << "e = 19 recovered";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unsupported);
  }
  EXPECT_THROW(RsaPrivateKey::from_modulus_and_private_exponent(from_hex(kExample1.n), from_hex("01")), Error);
}

TEST(RsaKey, ImportRefusals) {
  const Bytes n = from_hex(kExample1.n);
  const Bytes d = from_hex(kExample1.d);
  const Bytes e = from_hex("010001");
  EXPECT_THROW(RsaPrivateKey::from_components(n, from_hex("010003"), d), Error);  // d does not invert e
  EXPECT_THROW(RsaPrivateKey::from_components(n, from_hex("010000"), d), Error);  // even e
  EXPECT_THROW(RsaPrivateKey::from_components(n, e, n), Error);                   // d >= n
  Bytes even = n;
  even.back() ^= 0x01;
  EXPECT_THROW(RsaPublicKey::from_components(even, e), Error);
  EXPECT_THROW(RsaPublicKey::from_components(Bytes(63, 0xFF), e), Error);   // 504 bits
  EXPECT_THROW(RsaPublicKey::from_components(Bytes(513, 0xFF), e), Error);  // 4104 bits
  EXPECT_THROW(RsaPublicKey::from_components(n, from_hex("01")), Error);
  auto parts = parts_of(kExample1);
  parts.qinv = SecretBytes(from_hex(kExample2.qinv));
  EXPECT_THROW(RsaPrivateKey::from_crt(parts), Error);  // q qinv != 1 mod p
  parts = parts_of(kExample1);
  parts.dp = SecretBytes(from_hex("02"));
  EXPECT_THROW(RsaPrivateKey::from_crt(parts), Error);  // no inverse modulo p-1 (both even)
  parts.dp = SecretBytes(from_hex("00"));
  EXPECT_THROW(RsaPrivateKey::from_crt(parts), Error);
  parts = parts_of(kExample1);
  parts.q = parts.p;
  EXPECT_THROW(RsaPrivateKey::from_crt(parts), Error);
}

TEST(RsaKey, GenerationSizesAndExponents) {
  for (const std::size_t bits : {std::size_t{512}, std::size_t{736}, std::size_t{1024}}) {
    const auto key = RsaPrivateKey::generate(bits);
    EXPECT_EQ(key.bits(), bits);
    EXPECT_EQ(key.modulus().size(), (bits + 7) / 8);
    EXPECT_EQ(to_hex(key.public_exponent()), "010001");
    ASSERT_TRUE(key.crt_parts().has_value());
    // The exported CRT parts rebuild the same key (d may differ by a multiple of lcm(p-1, q-1): OpenSSL
    // generates d modulo (p-1)(q-1)); PKCS#1 v1.5 signatures are deterministic, so they must match.
    const auto rebuilt = RsaPrivateKey::from_crt(*key.crt_parts());
    EXPECT_EQ(rebuilt.modulus(), key.modulus());
    EXPECT_EQ(rebuilt.public_exponent(), key.public_exponent());
    EXPECT_EQ(rsa_sign(rebuilt, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha1, bytes_of("x")),
              rsa_sign(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha1, bytes_of("x")));
  }
  const auto three = RsaPrivateKey::generate(768, from_hex("03"));
  EXPECT_EQ(to_hex(three.public_exponent()), "03");
  EXPECT_EQ(to_hex(RsaPrivateKey::from_crt(*three.crt_parts()).public_exponent()), "03");
  EXPECT_THROW(RsaPrivateKey::generate(511), Error);
  EXPECT_THROW(RsaPrivateKey::generate(4097), Error);
  EXPECT_THROW(RsaPrivateKey::generate(1024, from_hex("010000")), Error);
  EXPECT_THROW(RsaPrivateKey::generate(1024, from_hex("01")), Error);
}

TEST(RsaPss, Pkcs1v21ExamplesVerify) {
  const auto key1 = RsaPublicKey::from_components(from_hex(kExample1.n), from_hex("010001"));
  // Example 1.2 and 1.4.
  const Bytes m12 = from_hex(
      "851384CDFE819C22ED6C4CCB30DAEB5CF059BC8E1166B7E3530C4C233E2B5F8F71A1CCA582D43ECC72B1BCA16DFC7013226B9E");
  const Bytes s12 = from_hex(
      "3EF7F46E831BF92B32274142A585FFCEFBDCA7B32AE90D10FB0F0C729984F04EF29A9DF0780775CE43739B97838390DB0A5505E63DE92702"
      "8D"
      "9D29B219CA2C4517832558A55D694A6D25B9DAB66003C4CCCD907802193BE5170D26147D37B93590241BE51C25055F47EF62752CFBE21418"
      "FA"
      "FE98C22C4D4D47724FDB5669E843");
  const Bytes m14 = from_hex("BC656747FA9EAFB3F0");
  const Bytes s14 = from_hex(
      "4609793B23E9D09362DC21BB47DA0B4F3A7622649A47D464019B9AEAFE53359C178C91CD58BA6BCB78BE0346A7BC637F4B873D4BAB38EE66"
      "1F"
      "199634C547A1AD8442E03DA015B136E543F7AB07C0C13E4225B8DE8CCE25D4F6EB8400F81F7E1833B7EE6E334D370964CA79FDB872B4D752"
      "23"
      "B5EEB08101591FB532D155A6DE87");
  EXPECT_TRUE(rsa_verify(key1, RsaSignaturePadding::pss, DigestAlgorithm::sha1, m12, s12));
  EXPECT_TRUE(rsa_verify(key1, RsaSignaturePadding::pss, DigestAlgorithm::sha1, m14, s14));
  EXPECT_TRUE(
      rsa_verify_hash(key1, RsaSignaturePadding::pss, DigestAlgorithm::sha1, digest(DigestAlgorithm::sha1, m14), s14));
  EXPECT_FALSE(rsa_verify(key1, RsaSignaturePadding::pss, DigestAlgorithm::sha1, m12, s14));
  EXPECT_FALSE(rsa_verify(key1, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha1, m14, s14));
  // Example 2.4: a 1025-bit key, the signature with a leading zero byte.
  const auto key2 = RsaPublicKey::from_components(from_hex(kExample2.n), from_hex("010001"));
  const Bytes m24 = from_hex("A7182C83AC18BE6570A106AA9D5C4E3DBBD4AFAEB0C60C4A23E1969D79FF");
  const Bytes s24 = from_hex(
      "009CD2F4EDBE23E12346AE8C76DD9AD3230A62076141F16C152BA18513A48EF6F010E0E37FD3DF10A1EC629A0CB5A3B5D2893007298C3093"
      "6A"
      "95903B6BA85555D9EC3673A06108FD62A2FDA56D1CE2E85C4DB6B24A81CA3B496C36D4FD06EB7C9166D8E94877C42BEA622B3BFE9251FDC2"
      "1D"
      "8D5371BADAD78A488214796335B40B");
  EXPECT_TRUE(rsa_verify(key2, RsaSignaturePadding::pss, DigestAlgorithm::sha1, m24, s24));
  Bytes tampered = s24;
  tampered[60] ^= 0x04;
  EXPECT_FALSE(rsa_verify(key2, RsaSignaturePadding::pss, DigestAlgorithm::sha1, m24, tampered));
}

TEST(RsaPkcs1, CavpSigGen15Verifies) {
  // SigGen15_186-3.rsp, [mod = 1024], e = 0x1001: the first SHA-1 and the first SHA-256 case.
  const auto key = RsaPublicKey::from_components(
      from_hex(
          "A3ECF80FF1804833C36A89A1583F58EF3332476A50A153E73CED17796139636045C131A6B17222BA8848F70150B18DFA390BFB16"
          "70AE982DFBC311FD0EDE055564687AF3805CA883944BB5AC9EC19B0E0CFBD9A314D70B17080C3D49B50CBF417062EB41BD639D67"
          "A5FB330EC55A0489FEE08EEEC97ED487C114B20393FE0AEF"),
      from_hex("1001"));
  const Bytes m_sha1 = from_hex(
      "1018469FDA81F41922CFDB2DCA679F7F3A286F11BA448AB71E4E02CCA994C0242CAEC9416E57C0CAD07CAB383193FAD3102EC5DDF0D0550D"
      "01FFE63FFC9AAB694F6D13D17A034B7DB9BB04EBE31E76039270A44A8485E25841D7958CFED53BFEC27DABB5C72C9D1B23B56CADA7B11BF7"
      "081797C03C0D3B8227FD991D77EA78CB");
  const Bytes s_sha1 = from_hex(
      "147A8797D9D653F52D210135F61BBDFE59698D755B076230F2B252E7792C86121469FAB7B410789DF4F193A76E8BE99A2162E422C6A56106"
      "FA4E2FE5ABAFC542FF1A899D8580F9F6B4CD29A8310CD34964CE22BBAD9618D97E4C36695B246BDD0C0D5D0C75D044265E6F275A272718B0"
      "C2B93974DC76DDCCA985BEF994CE67BD");
  const Bytes m_sha256 = from_hex(
      "DFCE08B64B9EA4014947012670548DA4CEEEE084DBFE509AAC92BF096982B8050153BBDD1C5BD4385226729E9A19773B05558CE0ACDFB74B"
      "E6FD2FA8BFE36F58A68E89F066F1BD85584F4A27D6E884ABF2D727AE683BEBD6D295585B1B71DCC636491BF910A68670C3882FC60C08DB7B"
      "FF3C59F4F95B13C3D721E329657528D9");
  const Bytes s_sha256 = from_hex(
      "8D9D30A87DF0C2F6CD651FCAF2B9AC1296287AD3D4B03132E330F08AB701FC197040D0A261F631E7E34478B592551E1F682395C9E2B54C8C"
      "E8B0C72C1B5A79748CC34F9152730A7F67FAE1225A4CE750F1D5D4E288176DF197E7503C88B5BAECEF3ABCF2875F111E6D7F7B4DC8AFA2ED"
      "3C1D7AD8E7CF45A77F0B1CB178518402");
  EXPECT_TRUE(rsa_verify(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha1, m_sha1, s_sha1));
  EXPECT_TRUE(rsa_verify(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, m_sha256, s_sha256));
  EXPECT_FALSE(rsa_verify(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, m_sha1, s_sha256));
  EXPECT_FALSE(rsa_verify(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha1, m_sha256, s_sha256));
  // The signature opened with the public key is the type-1 block around the SHA-256 DigestInfo.
  const auto recovered = rsa_pkcs1_type1_recover(key, s_sha256);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ(*recovered,
            concat({from_hex("3031300d060960864801650304020105000420"), digest(DigestAlgorithm::sha256, m_sha256)}));
  EXPECT_FALSE(rsa_verify(key, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, m_sha256, Bytes(127, 1)));
}

class RsaOperations : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { key_ = new RsaPrivateKey(RsaPrivateKey::from_crt(parts_of(kExample1))); }
  static void TearDownTestSuite() {
    delete key_;
    key_ = nullptr;
  }
  static RsaPrivateKey* key_;
};
RsaPrivateKey* RsaOperations::key_ = nullptr;

TEST_F(RsaOperations, SignaturesRoundTripAndPkcs1IsDeterministic) {
  const auto pub = key_->public_key();
  const Bytes message = bytes_of("java card signature");
  for (const auto algorithm : {DigestAlgorithm::sha1, DigestAlgorithm::sha224, DigestAlgorithm::sha256,
                               DigestAlgorithm::sha384, DigestAlgorithm::sha512}) {
    const Bytes sig = rsa_sign(*key_, RsaSignaturePadding::pkcs1_v1_5, algorithm, message);
    EXPECT_EQ(sig.size(), 128u);
    EXPECT_TRUE(rsa_verify(pub, RsaSignaturePadding::pkcs1_v1_5, algorithm, message, sig));
    EXPECT_EQ(rsa_sign_hash(*key_, RsaSignaturePadding::pkcs1_v1_5, algorithm, digest(algorithm, message)), sig);
    if (algorithm != DigestAlgorithm::sha512) {  // PSS-SHA-512 needs 64 + 64 + 2 bytes: more than 1024 bits
      const Bytes pss = rsa_sign(*key_, RsaSignaturePadding::pss, algorithm, message);
      EXPECT_TRUE(rsa_verify(pub, RsaSignaturePadding::pss, algorithm, message, pss));
      EXPECT_NE(rsa_sign(*key_, RsaSignaturePadding::pss, algorithm, message), pss);  // random salt
    }
  }
  EXPECT_THROW(rsa_sign(*key_, RsaSignaturePadding::pss, DigestAlgorithm::sha512, message), Error);
  EXPECT_THROW(rsa_sign_hash(*key_, RsaSignaturePadding::pkcs1_v1_5, DigestAlgorithm::sha256, Bytes(20, 1)), Error);
}

TEST_F(RsaOperations, RawOperations) {
  const auto pub = key_->public_key();
  Bytes block(128, 0x00);
  block[1] = 0x42;
  block[127] = 0x17;
  const Bytes opened = rsa_public_raw(pub, rsa_private_raw(*key_, block).view());
  EXPECT_EQ(opened, block);
  EXPECT_THROW(rsa_public_raw(pub, Bytes(127, 0)), Error);
  EXPECT_THROW(rsa_private_raw(*key_, Bytes(129, 0)), Error);
  EXPECT_THROW(rsa_public_raw(pub, Bytes(128, 0xFF)), Error);  // not below the modulus
  EXPECT_THROW(rsa_public_raw(pub, pub.modulus()), Error);
}

TEST_F(RsaOperations, Type1BlocksAsJavaCardCipherWithAPrivateKey) {
  const auto pub = key_->public_key();
  const Bytes data = bytes_of("digest info or anything");
  const Bytes block = rsa_pkcs1_type1_encrypt(*key_, data);
  EXPECT_EQ(block.size(), 128u);
  EXPECT_EQ(block, rsa_pkcs1_type1_encrypt(*key_, data));  // deterministic
  // Opened raw, the block is 00 01 FF .. FF 00 || data.
  const Bytes raw = rsa_public_raw(pub, block);
  EXPECT_EQ(raw[0], 0x00);
  EXPECT_EQ(raw[1], 0x01);
  EXPECT_EQ(raw[127 - data.size()], 0x00);
  EXPECT_EQ(Bytes(raw.end() - static_cast<std::ptrdiff_t>(data.size()), raw.end()), data);
  EXPECT_EQ(rsa_pkcs1_type1_recover(pub, block), data);
  Bytes tampered = block;
  tampered[5] ^= 0x01;
  EXPECT_FALSE(rsa_pkcs1_type1_recover(pub, tampered).has_value());
  EXPECT_FALSE(rsa_pkcs1_type1_recover(pub, Bytes(10, 1)).has_value());
  EXPECT_NO_THROW(rsa_pkcs1_type1_encrypt(*key_, Bytes(117, 1)));
  EXPECT_THROW(rsa_pkcs1_type1_encrypt(*key_, Bytes(118, 1)), Error);
}

TEST_F(RsaOperations, Pkcs1AndOaepEncryption) {
  const auto pub = key_->public_key();
  const Bytes secret = bytes_of("session key material");
  const Bytes ciphertext = rsa_pkcs1_encrypt(pub, secret);
  EXPECT_NE(ciphertext, rsa_pkcs1_encrypt(pub, secret));  // random padding
  EXPECT_EQ(rsa_pkcs1_decrypt(*key_, ciphertext).reveal(), secret);
  // A type-1 block is not a type-2 block.
  EXPECT_THROW(rsa_pkcs1_decrypt(*key_, rsa_pkcs1_type1_encrypt(*key_, secret)), Error);
  try {
    (void)rsa_pkcs1_decrypt(*key_, Bytes(128, 0x01));
    ADD_FAILURE() << "decrypted garbage";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::integrity_error);
  }
  EXPECT_THROW(rsa_pkcs1_encrypt(pub, Bytes(118, 1)), Error);
  const Bytes oaep = rsa_oaep_encrypt(pub, DigestAlgorithm::sha1, secret);
  EXPECT_EQ(rsa_oaep_decrypt(*key_, DigestAlgorithm::sha1, oaep).reveal(), secret);
  EXPECT_THROW(rsa_oaep_decrypt(*key_, DigestAlgorithm::sha1, ciphertext), Error);
  EXPECT_NO_THROW(rsa_oaep_encrypt(pub, DigestAlgorithm::sha1, Bytes(86, 1)));
  EXPECT_THROW(rsa_oaep_encrypt(pub, DigestAlgorithm::sha1, Bytes(87, 1)), Error);
  const Bytes oaep256 = rsa_oaep_encrypt(pub, DigestAlgorithm::sha256, secret);
  EXPECT_EQ(rsa_oaep_decrypt(*key_, DigestAlgorithm::sha256, oaep256).reveal(), secret);
  EXPECT_THROW(rsa_oaep_decrypt(*key_, DigestAlgorithm::sha1, oaep256), Error);
  EXPECT_THROW(rsa_oaep_encrypt(pub, DigestAlgorithm::sha512, Bytes(1, 1)), Error);  // needs 130 of 128 bytes
}

}  // namespace
}  // namespace sefleet::crypto

// EC over named and explicit prime curves: ECDH known answers of RFC 5114 Appendix A (P-192..P-521,
// with the y-coordinate of the shared point) and RFC 7027 Appendix A (brainpoolP256r1/384r1/512r1),
// ECDSA signatures of RFC 6979 A.2.5-A.2.7 in DER, curve checks on explicit parameters, key refusals.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_curve.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdh.hpp"
#include "crypto/ecdsa.hpp"

namespace sefleet::crypto {
namespace {

struct EcdhVector {
  NamedCurve curve;
  const char *da, *qa_x, *qa_y, *db, *qb_x, *qb_y, *z_x, *z_y;
};

const EcdhVector kEcdhVectors[] = {
    // RFC 5114 A.6 .. A.10
    {NamedCurve::secp192r1, "323FA3169D8E9C6593F59476BC142000AB5BE0E249C43426",
     "CD46489ECFD6C105E7B3D32566E2B122E249ABAADD870612", "68887B4877DF51DD4DC3D6FD11F0A26F8FD3844317916E9A",
     "631F95BB4A67632C9C476EEE9AB695AB240A0499307FCF62", "519A121680E0045466BA21DF2EEE47F5973B500577EF13D5",
     "FF613AB4D64CEE3A20875BDB10F953F6B30CA072C60AA57F", "AD420182633F8526BFE954ACDA376F05E5FF4F837F54FEBE",
     "4371545ED772A59741D0EDA32C671112B7FDDD51461FCF32"},
    {NamedCurve::secp224r1, "B558EB6C288DA707BBB4F8FBAE2AB9E9CB62E3BC5C7573E22E26D37F",
     "49DFEF309F81488C304CFF5AB3EE5A2154367DC7833150E0A51F3EEB",
     "4F2B5EE45762C4F654C1A0C67F54CF88B016B51BCE3D7C228D57ADB4",
     "AC3B1ADD3D9770E6F6A708EE9F3B8E0AB3B480E9F27F85C88B5E6D18",
     "6B3AC96A8D0CDE6A5599BE8032EDF10C162D0A8AD219506DCD42A207",
     "D491BE99C213A7D1CA3706DEBFE305F361AFCBB33E2609C8B1618AD5",
     "52272F50F46F4EDC9151569092F46DF2D96ECC3B6DC1714A4EA949FA",
     "5F30C6AA36DDC403C0ACB712BB88F1763C3046F6D919BD9C524322BF"},
    {NamedCurve::secp256r1, "814264145F2F56F2E96A8E337A1284993FAF432A5ABCE59E867B7291D507A3AF",
     "2AF502F3BE8952F2C9B5A8D4160D09E97165BE50BC42AE4A5E8D3B4BA83AEB15",
     "EB0FAF4CA986C4D38681A0F9872D79D56795BD4BFF6E6DE3C0F5015ECE5EFD85",
     "2CE1788EC197E096DB95A200CC0AB26A19CE6BCCAD562B8EEE1B593761CF7F41",
     "B120DE4AA36492795346E8DE6C2C8646AE06AAEA279FA775B3AB0715F6CE51B0",
     "9F1B7EECE20D7B5ED8EC685FA3F071D83727027092A8411385C34DDE5708B2B6",
     "DD0F5396219D1EA393310412D19A08F1F5811E9DC8EC8EEA7F80D21C820C2788",
     "0357DCCD4C804D0D8D33AA42B848834AA5605F9AB0D37239A115BBB647936F50"},
    {NamedCurve::secp384r1,
     "D27335EA71664AF244DD14E9FD1260715DFD8A7965571C48D709EE7A7962A156D706A90CBCB5DF2986F05FEADB9376F1",
     "793148F1787634D5DA4C6D9074417D05E057AB62F82054D10EE6B0403D6279547E6A8EA9D1FD77427D016FE27A8B8C66",
     "C6C41294331D23E6F480F4FB4CD40504C947392E94F4C3F06B8F398BB29E42368F7A685923DE3B67BACED214A1A1D128",
     "52D1791FDB4B70F89C0F00D456C2F7023B6125262C36A7DF1F80231121CCE3D39BE52E00C194A4132C4A6C768BCD94D2",
     "5CD42AB9C41B5347F74B8D4EFB708B3D5B36DB65915359B44ABC17647B6B9999789D72A84865AE2F223F12B5A1ABC120",
     "E171458FEAA939AAA3A8BFAC46B404BD8F6D5B348C0FA4D80CECA16356CA933240BDE8723415A8ECE035B0EDF36755DE",
     "5EA1FC4AF7256D2055981B110575E0A8CAE53160137D904C59D926EB1B8456E427AA8A4540884C37DE159A58028ABC0E",
     "0CC59E4B046414A81C8A3BDFDCA92526C48769DD8D3127CAA99B3632D1913942DE362EAFAA962379374D9F3F066841CA"},
    {NamedCurve::secp521r1,
     "0113F82DA825735E3D97276683B2B74277BAD27335EA71664AF2430CC4F33459B9669EE78B3FFB9B8683015D344DCBFEF6FB9AF4C6C470BE2"
     "545"
     "16CD3C1A1FB47362",
     "01EBB34DD75721ABF8ADC9DBED17889CBB9765D90A7C60F2CEF007BB0F2B26E14881FD4442E689D61CB2DD046EE30E3FFD20F9A45BBDF6413"
     "D58"
     "3A2DBF59924FD35C",
     "00F6B632D194C0388E22D8437E558C552AE195ADFD153F92D74908351B2F8C4EDA94EDB0916D1B53C020B5EECAED1A5FC38A233E4830587BB"
     "2EE"
     "3489B3B42A5A86A4",
     "00CEE3480D8645A17D249F2776D28BAE616952D1791FDB4B70F7C3378732AA1B22928448BCD1DC2496D435B01048066EBE4F72903C361B1A9"
     "DC1"
     "193DC2C9D0891B96",
     "010EBFAFC6E85E08D24BFFFCC1A4511DB0E634BEEB1B6DEC8C5939AE44766201AF6200430BA97C8AC6A0E9F08B33CE7E9FEEB5BA4EE5E0D81"
     "510"
     "C24295B8A08D0235",
     "00A4A6EC300DF9E257B0372B5E7ABFEF093436719A77887EBB0B18CF8099B9F4212B6E30A1419C18E029D36863CC9D448F4DBA4D2A0E60711"
     "BE5"
     "72915FBD4FEF2695",
     "00CDEA89621CFA46B132F9E4CFE2261CDE2D4368EB5656634C7CC98C7A00CDE54ED1866A0DD3E6126C9D2F845DAFF82CEB1DA08F5D87521BB"
     "0EB"
     "ECA77911169C20CC",
     "00F9A71641029B7FC1A808AD07CD4861E868614B865AFBECAB1F2BD4D8B55EBCB5E3A53143CEB2C511B1AE0AF5AC827F60F2FD872565AC5CA"
     "0A1"
     "64038FE980A7E4BD"},
    // RFC 7027 A.1 .. A.3
    {NamedCurve::brainpoolP256r1, "81DB1EE100150FF2EA338D708271BE38300CB54241D79950F77B063039804F1D",
     "44106E913F92BC02A1705D9953A8414DB95E1AAA49E81D9E85F929A8E3100BE5",
     "8AB4846F11CACCB73CE49CBDD120F5A900A69FD32C272223F789EF10EB089BDC",
     "55E40BC41E37E3E2AD25C3C6654511FFA8474A91A0032087593852D3E7D76BD3",
     "8D2D688C6CF93E1160AD04CC4429117DC2C41825E1E9FCA0ADDD34E6F1B39F7B",
     "990C57520812BE512641E47034832106BC7D3E8DD0E4C7F1136D7006547CEC6A",
     "89AFC39D41D3B327814B80940B042590F96556EC91E6AE7939BCE31F3A18BF2B",
     "49C27868F4ECA2179BFD7D59B1E3BF34C1DBDE61AE12931648F43E59632504DE"},
    {NamedCurve::brainpoolP384r1,
     "1E20F5E048A5886F1F157C74E91BDE2B98C8B52D58E5003D57053FC4B0BD65D6F15EB5D1EE1610DF870795143627D042",
     "68B665DD91C195800650CDD363C625F4E742E8134667B767B1B476793588F885AB698C852D4A6E77A252D6380FCAF068",
     "55BC91A39C9EC01DEE36017B7D673A931236D2F1F5C83942D049E3FA20607493E0D038FF2FD30C2AB67D15C85F7FAA59",
     "032640BC6003C59260F7250C3DB58CE647F98E1260ACCE4ACDA3DD869F74E01F8BA5E0324309DB6A9831497ABAC96670",
     "4D44326F269A597A5B58BBA565DA5556ED7FD9A8A9EB76C25F46DB69D19DC8CE6AD18E404B15738B2086DF37E71D1EB4",
     "62D692136DE56CBE93BF5FA3188EF58BC8A3A0EC6C1E151A21038A42E9185329B5B275903D192F8D4E1F32FE9CC78C48",
     "0BD9D3A7EA0B3D519D09D8E48D0785FB744A6B355E6304BC51C229FBBCE239BBADF6403715C35D4FB2A5444F575D4F42",
     "0DF213417EBE4D8E40A5F76F66C56470C489A3478D146DECF6DF0D94BAE9E598157290F8756066975F1DB34B2324B7BD"},
    {NamedCurve::brainpoolP512r1,
     "16302FF0DBBB5A8D733DAB7141C1B45ACBC8715939677F6A56850A38BD87BD59B09E80279609FF333EB9D4C061231FB26F92EEB04982A5F1D"
     "176"
     "4CAD57665422",
     "0A420517E406AAC0ACDCE90FCD71487718D3B953EFD7FBEC5F7F27E28C6149999397E91E029E06457DB2D3E640668B392C2A7E737A7F0BF04"
     "4"
     "36D11640FD09FD",
     "72E6882E8DB28AAD36237CD25D580DB23783961C8DC52DFA2EC138AD472A0FCEF3887CF62B623B2A87DE5C588301EA3E5FC269B373B60724F"
     "5"
     "E82A6AD147FDE7",
     "230E18E1BCC88A362FA54E4EA3902009292F7F8033624FD471B5D8ACE49D12CFABBC19963DAB8E2F1EBA00BFFB29E4D72D13F2224562F405C"
     "B"
     "80503666B25429",
     "9D45F66DE5D67E2E6DB6E93A59CE0BB48106097FF78A081DE781CDB31FCE8CCBAAEA8DD4320C4119F1E9CD437A2EAB3731FA9668AB268D871"
     "D"
     "EDA55A5473199F",
     "2FDC313095BCDD5FB3A91636F07A959C8E86B5636A1E930E8396049CB481961D365CC11453A06C719835475B12CB52FC3C383BCE35E27EF19"
     "4"
     "512B71876285FA",
     "A7927098655F1F9976FA50A9D566865DC530331846381C87256BAF3226244B76D36403C024D7BBF0AA0803EAFF405D3D24F11A9B5C0BEF679"
     "F"
     "E1454B21C4CD1F",
     "7DB71C3DEF63212841C463E881BDCF055523BD368240E6C3143BD8DEF8B3B3223B95E0F53082FF5E412F4222537A43DF1C6D25729DDB51620"
     "A"
     "832BE6A26680A2"},
};

Bytes point(const char* x, const char* y) {
  return concat({from_hex("04"), from_hex(x), from_hex(y)});
}

TEST(Ecdh, Rfc5114AndRfc7027KnownAnswers) {
  for (const auto& v : kEcdhVectors) {
    SCOPED_TRACE(std::string(curve_name(v.curve)));
    const EcCurve curve = EcCurve::named(v.curve);
    const auto a = EcPrivateKey::from_scalar(curve, from_hex(v.da));
    const auto b = EcPrivateKey::from_scalar(curve, from_hex(v.db));
    EXPECT_EQ(a.public_point(), point(v.qa_x, v.qa_y));
    EXPECT_EQ(b.public_point(), point(v.qb_x, v.qb_y));
    EXPECT_EQ(ecdh(a, b.public_point(), EcdhOutput::x).reveal(), from_hex(v.z_x));
    EXPECT_EQ(ecdh(b, a.public_point(), EcdhOutput::x).reveal(), from_hex(v.z_x));
    EXPECT_EQ(ecdh(a, b.public_point(), EcdhOutput::point).reveal(), point(v.z_x, v.z_y));
    EXPECT_EQ(ecdh(a, b.public_point(), EcdhOutput::sha1_of_x).reveal(),
              digest(DigestAlgorithm::sha1, from_hex(v.z_x)));
    // Cofactor 1: the cofactor variant gives the same secret.
    EXPECT_EQ(ecdh(a, b.public_point(), EcdhOutput::x, EcdhCofactor::with).reveal(), from_hex(v.z_x));
    EXPECT_EQ(ecdh(a, b.public_point(), EcdhOutput::point, EcdhCofactor::with).reveal(), point(v.z_x, v.z_y));
    // The same curve given by its explicit parameters.
    const EcCurve explicit_curve = EcCurve::from_parameters(curve.parameters());
    EXPECT_TRUE(explicit_curve == curve);
    const auto a_explicit = EcPrivateKey::from_scalar(explicit_curve, from_hex(v.da));
    EXPECT_EQ(ecdh(a_explicit, b.public_point(), EcdhOutput::x).reveal(), from_hex(v.z_x));
  }
}

TEST(Ecdh, CompressedPeerPointsAndRefusals) {
  const auto& v = kEcdhVectors[2];  // P-256
  const EcCurve curve = EcCurve::named(NamedCurve::secp256r1);
  const auto a = EcPrivateKey::from_scalar(curve, from_hex(v.da));
  // y of Q_B ends in B6 (even): 02 || x.
  EXPECT_EQ(ecdh(a, concat({from_hex("02"), from_hex(v.qb_x)}), EcdhOutput::x).reveal(), from_hex(v.z_x));
  Bytes off_curve = point(v.qb_x, v.qb_y);
  off_curve.back() ^= 0x01;
  EXPECT_THROW(ecdh(a, off_curve, EcdhOutput::x), Error);
  EXPECT_THROW(ecdh(a, from_hex("00"), EcdhOutput::x), Error);  // the point at infinity
  EXPECT_THROW(ecdh(a, {}, EcdhOutput::x), Error);
  EXPECT_THROW(ecdh(a, ByteView(point(v.qb_x, v.qb_y)).first(64), EcdhOutput::x), Error);
  // A point of another curve.
  EXPECT_THROW(ecdh(a, point(kEcdhVectors[5].qb_x, kEcdhVectors[5].qb_y), EcdhOutput::x), Error);
}

struct EcdsaVector {
  NamedCurve curve;
  DigestAlgorithm digest;
  const char* d;
  const char* q;  // uncompressed
  const char* message;
  const char* der;
};

const EcdsaVector kEcdsaVectors[] = {
    // RFC 6979 A.2.5 (P-256, SHA-256), A.2.6 (P-384, SHA-384), A.2.7 (P-521, SHA-512); r and s in DER.
    {NamedCurve::secp256r1, DigestAlgorithm::sha256, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
     "0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB67903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5"
     "1"
     "77A3C294D4462299",
     "sample",
     "3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716022100F7CB1C942D657C41D436C7A1B6E29F65F"
     "3"
     "E900DBB9AFF4064DC4AB2F843ACDA8"},
    {NamedCurve::secp384r1, DigestAlgorithm::sha384,
     "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
     "04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC138015D9B72D7D572"
     "4"
     "4EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
     "sample",
     "306602310094EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE460231009"
     "9"
     "EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"},
    {NamedCurve::secp384r1, DigestAlgorithm::sha384,
     "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
     "04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC138015D9B72D7D572"
     "4"
     "4EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
     "test",
     "30660231008203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB023100D"
     "D"
     "D0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"},
    {NamedCurve::secp521r1, DigestAlgorithm::sha512,
     "00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB8"
     "9"
     "EC0C08B0E996B83538",
     "0401894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD"
     "7"
     "61DCAC474B9A2F5023A400493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC"
     "2"
     "3F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
     "sample",
     "308187024200C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D"
     "4"
     "E8455CC91F9B15BF05EC36E377FA0241617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C072"
     "3"
     "D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A"},
};

TEST(Ecdsa, Rfc6979SignaturesVerify) {
  for (const auto& v : kEcdsaVectors) {
    SCOPED_TRACE(std::string(curve_name(v.curve)) + " " + v.message);
    const EcCurve curve = EcCurve::named(v.curve);
    const auto key = EcPrivateKey::from_scalar(curve, from_hex(v.d));
    EXPECT_EQ(to_hex(key.public_point()), v.q);
    const auto pub = EcPublicKey::from_point(curve, from_hex(v.q));
    const Bytes der = from_hex(v.der);
    EXPECT_TRUE(ecdsa_verify(pub, v.digest, bytes_of(v.message), der));
    EXPECT_TRUE(ecdsa_verify_hash(pub, digest(v.digest, bytes_of(v.message)), der));
    EXPECT_FALSE(ecdsa_verify(pub, v.digest, bytes_of("other"), der));
    EXPECT_FALSE(ecdsa_verify(pub, DigestAlgorithm::sha1, bytes_of(v.message), der));
    Bytes tampered = der;
    tampered[tampered.size() - 1] ^= 0x01;
    EXPECT_FALSE(ecdsa_verify(pub, v.digest, bytes_of(v.message), tampered));
    EXPECT_FALSE(ecdsa_verify(pub, v.digest, bytes_of(v.message), ByteView(der).first(der.size() - 1)));
    EXPECT_FALSE(ecdsa_verify(pub, v.digest, bytes_of(v.message), {}));
    EXPECT_LE(der.size(), ecdsa_max_der_size(curve));
    // DER <-> r || s.
    const Bytes raw = ecdsa_der_to_raw(der, curve.order_size());
    EXPECT_EQ(raw.size(), 2 * curve.order_size());
    EXPECT_EQ(ecdsa_raw_to_der(raw), der);
  }
}

TEST(Ecdsa, SignVerifyEveryHashOnEveryCurve) {
  const Bytes message = bytes_of("java card ecdsa");
  for (const auto curve_id :
       {NamedCurve::secp192r1, NamedCurve::secp224r1, NamedCurve::secp256r1, NamedCurve::secp384r1,
        NamedCurve::secp521r1, NamedCurve::brainpoolP192r1, NamedCurve::brainpoolP224r1, NamedCurve::brainpoolP256r1,
        NamedCurve::brainpoolP320r1, NamedCurve::brainpoolP384r1, NamedCurve::brainpoolP512r1}) {
    const EcCurve curve = EcCurve::named(curve_id);
    const auto key = EcPrivateKey::generate(curve);
    for (const auto algorithm : {DigestAlgorithm::sha1, DigestAlgorithm::sha224, DigestAlgorithm::sha256,
                                 DigestAlgorithm::sha384, DigestAlgorithm::sha512}) {
      const Bytes der = ecdsa_sign(key, algorithm, message);
      EXPECT_LE(der.size(), ecdsa_max_der_size(curve));
      EXPECT_TRUE(ecdsa_verify(key.public_key(), algorithm, message, der))
          << curve_name(curve_id) << " " << digest_name(algorithm);
      EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), digest(algorithm, message), der));
    }
    // A precomputed hash of any length (truncated to the order).
    const Bytes hash(20, 0x5A);
    EXPECT_TRUE(ecdsa_verify_hash(key.public_key(), hash, ecdsa_sign_hash(key, hash)));
  }
}

TEST(EcCurve, NamedCurvesAndTheirSizes) {
  EXPECT_EQ(EcCurve::named(NamedCurve::secp521r1).field_bits(), 521u);
  EXPECT_EQ(EcCurve::named(NamedCurve::secp521r1).field_size(), 66u);
  EXPECT_EQ(EcCurve::named(NamedCurve::secp521r1).point_size(), 133u);
  EXPECT_EQ(EcCurve::named(NamedCurve::brainpoolP320r1).order_size(), 40u);
  EXPECT_EQ(ecdsa_max_der_size(EcCurve::named(NamedCurve::secp256r1)), 72u);
  EXPECT_EQ(ecdsa_max_der_size(EcCurve::named(NamedCurve::secp521r1)), 141u);
  EXPECT_EQ(parse_curve_name("P-256"), NamedCurve::secp256r1);
  EXPECT_EQ(parse_curve_name("brainpoolP384r1"), NamedCurve::brainpoolP384r1);
  EXPECT_FALSE(parse_curve_name("secp256k1").has_value());
  const EcCurve curve = EcCurve::named(NamedCurve::secp256r1);
  const auto& p256 = curve.parameters();
  EXPECT_EQ(to_hex(p256.p), "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
  EXPECT_EQ(p256.g.size(), 65u);
  EXPECT_EQ(p256.cofactor, 1u);
  EXPECT_FALSE(EcCurve::named(NamedCurve::secp256r1) == EcCurve::named(NamedCurve::brainpoolP256r1));
}

TEST(EcCurve, ExplicitParametersBecomeTheNamedCurve) {
  for (const auto id : {NamedCurve::secp256r1, NamedCurve::brainpoolP320r1}) {
    EcCurveParameters parameters = EcCurve::named(id).parameters();
    // A compressed generator is accepted too.
    const Bytes g = parameters.g;
    parameters.g =
        concat({Bytes{static_cast<std::uint8_t>(0x02 | (g.back() & 1))}, ByteView(g).subspan(1, (g.size() - 1) / 2)});
    const EcCurve curve = EcCurve::from_parameters(parameters);
    EXPECT_EQ(curve.name(), id);
    EXPECT_EQ(curve.parameters().g, g);
  }
}

TEST(EcCurve, ExplicitParametersAreChecked) {
  const EcCurveParameters good = EcCurve::named(NamedCurve::secp256r1).parameters();
  const auto refused = [](const EcCurveParameters& parameters, const std::string& why) {
    try {
      (void)EcCurve::from_parameters(parameters);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  EcCurveParameters p = good;
  p.p.back() ^= 0x02;  // ...FD: odd, but not prime
  refused(p, "p is not prime");
  p = good;
  p.p = from_hex("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");  // 2^127 - 1: prime, too small
  refused(p, "outside 160..521");
  p = good;
  p.a = p.p;
  refused(p, "less than p");
  p = good;
  p.g.back() ^= 0x01;
  refused(p, "G is not an encoded point");
  p = good;
  p.n = from_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632553");
  refused(p, "not prime");
  p = good;
  p.n = from_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632503");  // the prime just below n
  refused(p, "n G is not the point at infinity");
  p = good;
  p.cofactor = 2;
  refused(p, "Hasse");
  p = good;
  p.cofactor = 0;
  refused(p, "cofactor");
  p = good;
  p.a = Bytes(32, 0x00);
  p.b = Bytes(32, 0x00);  // y^2 = x^3: singular
  refused(p, "singular");
}

TEST(EcKey, ScalarsAndPointsAreChecked) {
  const EcCurve curve = EcCurve::named(NamedCurve::secp256r1);
  const Bytes& n = curve.parameters().n;
  EXPECT_THROW(EcPrivateKey::from_scalar(curve, Bytes(32, 0)), Error);
  EXPECT_THROW(EcPrivateKey::from_scalar(curve, n), Error);
  EXPECT_THROW(EcPrivateKey::from_scalar(curve, Bytes(33, 1)), Error);
  // Short scalars are left-padded.
  const auto one = EcPrivateKey::from_scalar(curve, from_hex("01"));
  EXPECT_EQ(one.public_point(), curve.parameters().g);
  EXPECT_EQ(one.scalar().size(), 32u);
  EXPECT_THROW(EcPublicKey::from_point(curve, from_hex("00")), Error);
  EXPECT_THROW(EcPublicKey::from_point(curve, Bytes(65, 0x04)), Error);
}

TEST(EcCurve, A160BitCurveWhoseOrderIsLongerThanTheField) {
  // secp160r1 (SEC 2): n has 161 bits, one byte more than p.
  EcCurveParameters parameters;
  parameters.p = from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFF");
  parameters.a = from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFC");
  parameters.b = from_hex("1C97BEFC54BD7A8B65ACF89F81D4D4ADC565FA45");
  parameters.g = from_hex("044A96B5688EF573284664698968C38BB913CBFC8223A628553168947D59DCC912042351377AC5FB32");
  parameters.n = from_hex("0100000000000000000001F4C8F927AED3CA752257");
  const EcCurve curve = EcCurve::from_parameters(parameters);
  EXPECT_EQ(curve.field_bits(), 160u);
  EXPECT_EQ(curve.order_bits(), 161u);
  EXPECT_EQ(curve.order_size(), 21u);
  const auto key = EcPrivateKey::generate(curve);
  const Bytes message = bytes_of("160");
  const Bytes der = ecdsa_sign(key, DigestAlgorithm::sha1, message);
  EXPECT_TRUE(ecdsa_verify(key.public_key(), DigestAlgorithm::sha1, message, der));
  EXPECT_EQ(ecdsa_der_to_raw(der, curve.order_size()).size(), 42u);
}

TEST(EcKey, PointsDecodeOnTheFieldAndCoefficientsAlone) {
  const auto& v = kEcdhVectors[2];  // P-256
  const EcCurve curve = EcCurve::named(NamedCurve::secp256r1);
  const auto& parameters = curve.parameters();
  const Bytes uncompressed = point(v.qb_x, v.qb_y);
  EXPECT_EQ(ec_decode_point(parameters.p, parameters.a, parameters.b, uncompressed), uncompressed);
  EXPECT_EQ(ec_decode_point(parameters.p, parameters.a, parameters.b, concat({from_hex("02"), from_hex(v.qb_x)})),
            uncompressed);
  Bytes off_curve = uncompressed;
  off_curve[10] ^= 0x01;
  EXPECT_THROW(ec_decode_point(parameters.p, parameters.a, parameters.b, off_curve), Error);
  EXPECT_THROW(ec_decode_point(parameters.p, parameters.a, parameters.b, from_hex("00")), Error);
  EXPECT_THROW(ec_decode_point(parameters.p, parameters.a, parameters.b, ByteView(uncompressed).first(64)), Error);
  Bytes hybrid = uncompressed;
  hybrid[0] = 0x06;
  EXPECT_THROW(ec_decode_point(parameters.p, parameters.a, parameters.b, hybrid), Error);
  EXPECT_THROW(ec_decode_point(from_hex("10"), parameters.a, parameters.b, uncompressed), Error);
}

TEST(EcKey, GenerationIsReproducibleFromADeterministicSource) {
  const EcCurve curve = EcCurve::named(NamedCurve::brainpoolP256r1);
  DeterministicRandom first(bytes_of("seed")), second(bytes_of("seed"));
  EXPECT_EQ(EcPrivateKey::generate(curve, first).scalar(), EcPrivateKey::generate(curve, second).scalar());
  EXPECT_FALSE(EcPrivateKey::generate(curve).scalar() == EcPrivateKey::generate(curve).scalar());
}

}  // namespace
}  // namespace sefleet::crypto

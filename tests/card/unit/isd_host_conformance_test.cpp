// The ISD answering the exact command APDUs that independent GlobalPlatform hosts send: PUT KEY as
// GPShell/gpshell3 and yubikit build it (key component blocks without a length byte) and as
// GlobalPlatformPro builds it (with one), single-key PUT KEY, GET STATUS with pySim's tag list, and
// GlobalPlatformPro's GET DATA sequence ("gp -i"). Commands are written as the hosts put them on the
// wire before secure messaging; only the encrypted key blocks are computed here, under the Key-DEK of
// the session's key set, as a host does.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "card/isd/issuer_security_domain.hpp"
#include "card/virtual_card.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "isd_test_support.hpp"
#include "iso7816/tlv.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using test::HostSession;
using test::test_profile;

// Three AES-128 keys whose key check values (AES-ECB(key, 16 x 01), first 3 bytes) are written below.
const std::string kEnc = "000102030405060708090A0B0C0D0E0F";  // KCV C35280
const std::string kMac = "101112131415161718191A1B1C1D1E1F";  // KCV 013808
const std::string kDek = "202122232425262728292A2B2C2D2E2F";  // KCV 840DE5

// Hex of AES-CBC(dek, zero ICV, key || pad): the encrypted key component value.
std::string encrypted(const SecretBytes& dek, const std::string& key_hex) {
  Bytes plain = from_hex(key_hex);
  plain.resize((plain.size() + 15) / 16 * 16, 0xA5);  // arbitrary padding (GPCS §11.8.2.3.2)
  crypto::Aes aes(dek.view());
  const std::array<std::uint8_t, 16> iv{};
  return to_hex(aes.cbc_encrypt(iv, plain));
}

// One key data field as a host writes it: "<key type and block length(s)> <ciphertext> 03 <KCV>".
std::string field(const std::string& header, const SecretBytes& dek, const std::string& key_hex,
                  const std::string& kcv) {
  return " " + header + " " + encrypted(dek, key_hex) + " 03 " + kcv;
}

gp::StaticKeySet keys_from_hex(std::uint8_t kvn, const std::string& enc, const std::string& mac,
                               const std::string& dek) {
  return gp::StaticKeySet(kvn, SecretBytes(from_hex(enc)), SecretBytes(from_hex(mac)), SecretBytes(from_hex(dek)));
}

class IsdHostConformanceTest : public ::testing::Test {
 protected:
  IsdHostConformanceTest() {
    VirtualCard::personalize(dir_.path(), test_profile());
    card_.emplace(VirtualCard::open(dir_.path()));
    card_->endpoint().power_on();
  }
  transport::CardEndpoint& card() { return card_->endpoint(); }
  CardState& state() { return card_->state(); }
  HostSession session(std::uint8_t level, const gp::StaticKeySet& keys = test_profile().scp03, std::uint8_t kvn = 0) {
    HostSession s(card(), keys, level, 0, kvn);
    EXPECT_TRUE(s.open()) << std::hex << s.last_sw();
    return s;
  }
  // One APDU as a host writes it (hex, spaces allowed), sent plain.
  ResponseApdu send_hex(std::string apdu) {
    std::erase(apdu, ' ');
    return test::send(card(), CommandApdu::parse(from_hex(apdu)));
  }
  // One APDU as a host writes it before secure messaging, sent through the session.
  static ResponseApdu send_hex(HostSession& s, std::string apdu) {
    std::erase(apdu, ' ');
    return s.send_plain(CommandApdu::parse(from_hex(apdu)));
  }
  const SecretBytes& session_dek() const { return profile_dek_; }

  sefleet::test::TempDir dir_;
  std::optional<VirtualCard> card_;
  const SecretBytes profile_dek_ = test_profile().scp03.dek;
};

// ---- PUT KEY ----

TEST_F(IsdHostConformanceTest, PutKeyAddAsGpshellAndYubikitSendIt) {
  // 80D80081 43 31 [88 10 <ciphertext> 03 <KCV>] x 3: no length byte in the key component block.
  auto s = session(0x03);
  const std::string apdu = "80 D8 00 81 43 31" + field("88 10", session_dek(), kEnc, "C35280") +
                           field("88 10", session_dek(), kMac, "013808") +
                           field("88 10", session_dek(), kDek, "840DE5");
  const auto rsp = send_hex(s, apdu);
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("31C35280013808840DE5"));  // new KVN, then the KCVs as presented
  HostSession with_new(card(), keys_from_hex(0x31, kEnc, kMac, kDek), 0x33, 0, 0x31);
  EXPECT_TRUE(with_new.open());
}

TEST_F(IsdHostConformanceTest, PutKeyAddAsGlobalPlatformProSendsIt) {
  // 88 11 10 <ciphertext> 03 <KCV>: the length byte of the key before the ciphertext (Amd D Table 7-10).
  auto s = session(0x01);
  const std::string apdu = "80 D8 00 81 46 32" + field("88 11 10", session_dek(), kEnc, "C35280") +
                           field("88 11 10", session_dek(), kMac, "013808") +
                           field("88 11 10", session_dek(), kDek, "840DE5") + " 00";
  const auto rsp = send_hex(s, apdu);
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("32C35280013808840DE5"));
  HostSession with_new(card(), keys_from_hex(0x32, kEnc, kMac, kDek), 0x01, 0, 0x32);
  EXPECT_TRUE(with_new.open());
}

TEST_F(IsdHostConformanceTest, PutKeyReplacesTheSessionSetInTheShortFormAndResetsItsCounter) {
  { auto first = session(0x01); }
  auto s = session(0x01);
  ASSERT_EQ(state().find_key_set(0x30)->sequence_counter, 2u);
  // P1 = 30: the set replaced, new KVN 30 (GPShell put_sc_key / yubikit put_key with replace_kvn).
  const std::string apdu = "80 D8 30 81 43 30" + field("88 10", session_dek(), kEnc, "C35280") +
                           field("88 10", session_dek(), kMac, "013808") +
                           field("88 10", session_dek(), kDek, "840DE5");
  ASSERT_EQ(send_hex(s, apdu).sw, 0x9000);
  EXPECT_EQ(state().find_key_set(0x30)->sequence_counter, 0u);
  HostSession again(card(), keys_from_hex(0x30, kEnc, kMac, kDek), 0x01, 0, 0x30);
  EXPECT_TRUE(again.open());
}

TEST_F(IsdHostConformanceTest, PutKeyAes256InBothForms) {
  const std::string enc = kEnc + kMac, mac = kMac + kDek, dek = kDek + kEnc;  // KCVs computed by the card's rule
  const auto kcv = [](const std::string& key) { return to_hex(gp::key_check_value(from_hex(key))); };
  auto s = session(0x03);
  // yubikit: 88 20 <32-byte ciphertext>.
  std::string short_form = "80 D8 00 81 73 41";
  for (const auto* key : {&enc, &mac, &dek})
    short_form += " 88 20 " + encrypted(session_dek(), *key) + " 03 " + kcv(*key);
  ASSERT_EQ(send_hex(s, short_form).sw, 0x9000);
  // GlobalPlatformPro: 88 21 20 <32-byte ciphertext>.
  std::string long_form = "80 D8 00 81 76 42";
  for (const auto* key : {&enc, &mac, &dek})
    long_form += " 88 21 20 " + encrypted(session_dek(), *key) + " 03 " + kcv(*key);
  ASSERT_EQ(send_hex(s, long_form).sw, 0x9000);
  ASSERT_EQ(state().find_key_set(0x41)->keys.key_size(), 32u);
  ASSERT_EQ(state().find_key_set(0x42)->keys.key_size(), 32u);
  HostSession with_41(card(), keys_from_hex(0x41, enc, mac, dek), 0x33, 0, 0x41);
  EXPECT_TRUE(with_41.open());
}

TEST_F(IsdHostConformanceTest, PutKeyAes192NeedsTheLengthByte) {
  const std::string enc = kEnc + kMac.substr(0, 16), mac = kMac + kDek.substr(0, 16), dek = kDek + kEnc.substr(0, 16);
  const auto kcv = [](const std::string& key) { return to_hex(gp::key_check_value(from_hex(key))); };
  auto s = session(0x03);
  std::string with_length = "80 D8 00 81 76 43";
  for (const auto* key : {&enc, &mac, &dek})
    with_length += " 88 21 18 " + encrypted(session_dek(), *key) + " 03 " + kcv(*key);
  ASSERT_EQ(send_hex(s, with_length).sw, 0x9000);
  EXPECT_EQ(state().find_key_set(0x43)->keys.key_size(), 24u);
  // Without the length byte a 32-byte block is a 32-byte key (GPCS §11.8.2.3.3): the 24-byte key's
  // KCV does not match what that decrypts to.
  std::string without_length = "80 D8 00 81 73 44";
  for (const auto* key : {&enc, &mac, &dek})
    without_length += " 88 20 " + encrypted(session_dek(), *key) + " 03 " + kcv(*key);
  EXPECT_EQ(send_hex(s, without_length).sw, 0x6982);
  EXPECT_EQ(state().find_key_set(0x44), nullptr);
}

TEST_F(IsdHostConformanceTest, PutKeySingleKeysReplaceOneKeyAndKeepTheCounter) {
  { auto first = session(0x01); }
  auto s = session(0x03);
  ASSERT_EQ(state().find_key_set(0x30)->sequence_counter, 2u);
  // P2 = 01 (single key, ENC) of set 30, KVN unchanged, in both block forms.
  EXPECT_EQ(send_hex(s, "80 D8 30 01 17 30 88 10 " + encrypted(session_dek(), kEnc) + " 03 C35280").data,
            from_hex("30C35280"));
  EXPECT_EQ(send_hex(s, "80 D8 30 03 18 30 88 11 10 " + encrypted(session_dek(), kDek) + " 03 840DE5").sw, 0x9000);
  const StoredKeySet* set = state().find_key_set(0x30);
  EXPECT_EQ(set->sequence_counter, 2u);  // not a whole-set replacement
  EXPECT_EQ(set->keys.enc, SecretBytes(from_hex(kEnc)));
  EXPECT_EQ(set->keys.dek, SecretBytes(from_hex(kDek)));
  EXPECT_EQ(set->keys.mac, test_profile().scp03.mac);
  // P2 = 82: MAC and DEK (multiple keys from identifier 02). The Key-DEK is the session set's as it
  // is stored now: the DEK just put, no longer the one the session was opened with.
  const SecretBytes new_dek(from_hex(kDek));
  EXPECT_EQ(send_hex(s, "80 D8 30 82 2D 30 88 10 " + encrypted(session_dek(), kMac) + " 03 013808 88 10 " +
                            encrypted(session_dek(), kDek) + " 03 840DE5")
                .sw,
            0x6982);
  ASSERT_EQ(send_hex(s, "80 D8 30 82 2D 30 88 10 " + encrypted(new_dek, kMac) + " 03 013808 88 10 " +
                            encrypted(new_dek, kDek) + " 03 840DE5")
                .sw,
            0x9000);
  EXPECT_EQ(state().find_key_set(0x30)->sequence_counter, 2u);
  test::select_isd(card());
  HostSession with_new(card(), keys_from_hex(0x30, kEnc, kMac, kDek), 0x33, 0, 0x30);
  ASSERT_TRUE(with_new.open());
  EXPECT_EQ(with_new.host().card_info().sequence_counter, 3u);
}

TEST_F(IsdHostConformanceTest, PutKeyRefusalsWithTheStatusWordsGpcsNames) {
  auto s = session(0x03);
  const std::string enc = " 88 10 " + encrypted(session_dek(), kEnc) + " 03 C35280";
  const std::string mac = " 88 10 " + encrypted(session_dek(), kMac) + " 03 013808";
  const std::string dek = " 88 10 " + encrypted(session_dek(), kDek) + " 03 840DE5";
  // A single key cannot make a new SCP03 key set (ENC, MAC and DEK are used together).
  EXPECT_EQ(send_hex(s, "80 D8 00 01 17 31" + enc).sw, 0x6985);
  EXPECT_EQ(send_hex(s, "80 D8 00 81 2D 31" + enc + mac).sw, 0x6985);
  // Single-key form (P2 b8 = 0) with two key data fields; four keys from identifier 01.
  EXPECT_EQ(send_hex(s, "80 D8 30 01 2D 30" + enc + mac).sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80 D8 00 81 59 31" + enc + mac + dek + enc).sw, 0x6A80);
  // Replacing a key identifier the set does not have; adding one an SCP03 set cannot have.
  EXPECT_EQ(send_hex(s, "80 D8 30 04 17 30" + enc).sw, 0x6A88);
  EXPECT_EQ(send_hex(s, "80 D8 00 84 17 31" + enc).sw, 0x6A80);
  // Replacing some keys under another KVN (this card keeps one KVN per set).
  EXPECT_EQ(send_hex(s, "80 D8 30 01 17 35" + enc).sw, 0x6A80);
  // A replaced key keeps its length: a 32-byte key for a 16-byte one.
  EXPECT_EQ(send_hex(s, "80 D8 30 01 27 30 88 20 " + encrypted(session_dek(), kEnc + kMac) + " 03 " +
                            to_hex(gp::key_check_value(from_hex(kEnc + kMac))))
                .sw,
            0x6A80);
  // DES key type (80), the extended format (FF 88), no key check value, a non-minimal length (81 10).
  EXPECT_EQ(send_hex(s, "80 D8 30 01 17 30 80 10 " + encrypted(session_dek(), kEnc) + " 03 C35280").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80 D8 30 01 1A 30 FF 88 10 " + encrypted(session_dek(), kEnc) + " 03 C35280 00 00").sw,
            0x6A80);
  EXPECT_EQ(send_hex(s, "80 D8 30 01 14 30 88 10 " + encrypted(session_dek(), kEnc) + " 00").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80 D8 30 01 18 30 88 81 10 " + encrypted(session_dek(), kEnc) + " 03 C35280").sw, 0x6A80);
  // Block lengths that are neither 16n nor 1 + 16n with a matching key length.
  EXPECT_EQ(send_hex(s, "80 D8 30 01 16 30 88 0F " + encrypted(session_dek(), kEnc).substr(2) + " 03 C35280").sw,
            0x6A80);
  EXPECT_EQ(send_hex(s, "80 D8 30 01 18 30 88 11 18 " + encrypted(session_dek(), kEnc) + " 03 C35280").sw, 0x6A80);
  // A KCV that does not match: 6982 (GPCS Table 11-78), in both forms.
  EXPECT_EQ(send_hex(s, "80 D8 30 01 17 30 88 10 " + encrypted(session_dek(), kEnc) + " 03 C35281").sw, 0x6982);
  EXPECT_EQ(send_hex(s, "80 D8 30 01 18 30 88 11 10 " + encrypted(session_dek(), kEnc) + " 03 C35281").sw, 0x6982);
  // Nothing changed.
  EXPECT_EQ(state().key_sets().size(), 1u);
  EXPECT_EQ(state().find_key_set(0x30)->keys.enc, test_profile().scp03.enc);
}

// ---- GET STATUS ----

class IsdGetStatusTagListTest : public IsdHostConformanceTest {
 protected:
  IsdGetStatusTagListTest() {
    RegistryEntry app;
    app.kind = RegistryEntry::Kind::application;
    app.aid = from_hex("D276000085010101");
    app.load_file_aid = from_hex("D2760000850101");
    app.associated_sd_aid = from_hex("A000000151000000");
    card_->runtime().registry().add(std::move(app));
  }
};

TEST_F(IsdGetStatusTagListTest, PySimTagListForEveryP1) {
  auto s = session(0x33);
  // 80F2 P1 02 09 4F00 5C05 4F 9F70 C5 CC: pySim's GET STATUS.
  auto rsp = send_hex(s, "80F2 80 02 09 4F00 5C05 4F9F70C5CC 00");
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("E3134F08A0000001510000009F700101C5039C0000"));  // the ISD has no CC
  rsp = send_hex(s, "80F2 40 02 09 4F00 5C05 4F9F70C5CC 00");
  ASSERT_EQ(rsp.sw, 0x9000);  // no C4: it was not asked for
  EXPECT_EQ(rsp.data, from_hex("E31D4F08D2760000850101019F700107C503000000CC08A000000151000000"));
  rsp = send_hex(s, "80F2 20 02 09 4F00 5C05 4F9F70C5CC 00");
  ASSERT_EQ(rsp.sw, 0x9000);  // a load file has no privileges (C5) and its CE was not asked for
  EXPECT_EQ(rsp.data, from_hex("E3154F05F0534600019F700101CC08A000000151000000"));
  rsp = send_hex(s, "80F2 10 02 09 4F00 5C05 4F9F70C5CC 00");
  ASSERT_EQ(rsp.sw, 0x9000);  // nor its modules (84)
  EXPECT_EQ(rsp.data, from_hex("E3154F05F0534600019F700101CC08A000000151000000"));
}

TEST_F(IsdGetStatusTagListTest, ObjectsComeInTheListsOrderAndUnknownTagsAreIgnored) {
  auto s = session(0x01);
  // CC, DF01 (not an E3 object), 84, 4F for load files with modules.
  auto rsp = send_hex(s, "80F2 10 02 0B 4F00 5C07 CC DF01 84 4F 9F70 00");
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("E31DCC08A000000151000000"
                               "8406F05346000101"
                               "4F05F053460001"
                               "9F700101"));
  // A tag list of one multi-byte tag, and an empty tag list (the default content).
  EXPECT_EQ(send_hex(s, "80F2 80 02 07 4F00 5C03 9F8000 00").sw, 0x6A80);  // 9F 80 00: not a valid tag
  EXPECT_EQ(send_hex(s, "80F2 80 02 06 4F00 5C02 9F70 00").data, from_hex("E3049F700101"));
  EXPECT_EQ(send_hex(s, "80F2 80 02 04 4F00 5C00 00").data, from_hex("E3134F08A0000001510000009F700101C5039C0000"));
  // The legacy format (P2 b2 = 0) has no templates: the tag list is ignored.
  EXPECT_EQ(send_hex(s, "80F2 80 00 09 4F00 5C05 4F9F70C5CC 00").data, from_hex("08A000000151000000019C"));
  // A tag list ending inside a tag.
  EXPECT_EQ(send_hex(s, "80F2 80 02 05 4F00 5C01 9F 00").sw, 0x6A80);
}

TEST_F(IsdGetStatusTagListTest, SearchCriteriaTheCardDoesNotSupportAreIgnored) {
  auto s = session(0x01);
  // 9F70 07 (life cycle) and C5 (privileges) as further criteria: ignored, the AID search applies.
  auto rsp = send_hex(s, "80F2 40 02 0F 4F04D2760000 9F700107 C503000000 00");
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(iso7816::parse_tlv(rsp.data).child(0x4F).value(), from_hex("D276000085010101"));
  EXPECT_EQ(send_hex(s, "80F2 40 02 0A 4F04A0000001 9F700107 00").sw, 0x6A88);  // the AID still filters
  // For P1 = 80 the search criteria are ignored altogether (GPCS §11.4.2.1), and "next" is refused.
  EXPECT_EQ(send_hex(s, "80F2 80 02 07 4F05D276000099 00").sw, 0x9000);
  EXPECT_EQ(send_hex(s, "80F2 80 03 02 4F00 00").sw, 0x6A86);
  // Still refused: no 4F, two 4F, two tag lists, a 4F longer than 16 bytes, malformed TLV.
  EXPECT_EQ(send_hex(s, "80F2 40 02 04 9F700107 00").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80F2 40 02 04 4F00 4F00 00").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80F2 40 02 08 4F00 5C014F 5C014F 00").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80F2 40 02 13 4F11 A000000000000000000000000000000000 00").sw, 0x6A80);
  EXPECT_EQ(send_hex(s, "80F2 40 02 03 4F0500 00").sw, 0x6A80);
}

// ---- GET DATA ----

TEST_F(IsdHostConformanceTest, GlobalPlatformProGetDataSequence) {
  // GPPro "gp -i" after SELECT: CPLC, IIN, CIN, KDD, SSC, card data, card capabilities, key information.
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  const auto cplc = send_hex("80CA9F7F00");
  ASSERT_EQ(cplc.sw, 0x9000);
  EXPECT_EQ(Bytes(cplc.data.begin(), cplc.data.begin() + 3), from_hex("9F7F2A"));
  EXPECT_EQ(send_hex("80CA004200").data, from_hex("42085346000000000001"));
  EXPECT_EQ(send_hex("80CA004500").data, from_hex("450C0102030405060708090A0B0C"));
  EXPECT_EQ(send_hex("80CA00CF00").data, from_hex("CF0A00112233445566778899"));
  EXPECT_EQ(send_hex("80CA00C100").data, from_hex("C103000000"));
  EXPECT_EQ(send_hex("80CA006600").data, from_hex("6631732F06072A864886FC6B01600C060A2A864886FC6B02020301"
                                                  "630906072A864886FC6B03640B06092A864886FC6B040370"));
  EXPECT_EQ(send_hex("80CA006700").data, from_hex("670BA009800103810170820107"));
  EXPECT_EQ(send_hex("80CA00E000").data, from_hex("E012C00401308810C00402308810C00403308810"));
}

TEST_F(IsdHostConformanceTest, GetDataInTheIsoClassAnswersTheValueOnly) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  const auto cplc = send_hex("00CA9F7F00");  // GPPro's retry for cards that refuse CPLC in the GP class
  ASSERT_EQ(cplc.sw, 0x9000);
  EXPECT_EQ(cplc.data.size(), 42u);
  EXPECT_EQ(Bytes(cplc.data.begin() + 12, cplc.data.begin() + 18), from_hex("090A0B0C0708"));
  EXPECT_EQ(send_hex("00CA004200").data, from_hex("5346000000000001"));
  EXPECT_EQ(send_hex("00CA00C100").data, from_hex("000000"));
  EXPECT_EQ(send_hex("00CA006700").data, from_hex("A009800103810170820107"));
  EXPECT_EQ(send_hex("00CA004F00").data, from_hex("A000000151000000"));
  EXPECT_EQ(send_hex("00CA00C200").sw, 0x6A88);
}

TEST_F(IsdHostConformanceTest, GetDataOfTheIsdAidAndTheCurrentSecurityLevel) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  EXPECT_EQ(send_hex("80CA004F00").data, from_hex("4F08A000000151000000"));
  EXPECT_EQ(send_hex("80CA00D300").data, from_hex("D30100"));  // no session: NO_SECURITY_LEVEL
  {
    auto s = session(0x33);
    EXPECT_EQ(send_hex(s, "80CA00D300").data, from_hex("D301B3"));  // AUTHENTICATED | 33
  }
  auto s = session(0x01);
  EXPECT_EQ(send_hex(s, "80CA00D300").data, from_hex("D30181"));
}

TEST_F(IsdHostConformanceTest, GetDataOfOptionalObjectsThisCardDoesNotKeepIs6A88) {
  ASSERT_EQ(test::select_isd(card()).sw, 0x9000);
  for (const char* apdu : {"80CA00C200", "80CA5F5000", "80CAFF2100", "80CA2F0000", "80CA00EE00", "80CAFF1F00"}) {
    EXPECT_EQ(send_hex(apdu).sw, 0x6A88) << apdu;
  }
  EXPECT_EQ(send_hex("80CA2F00025C0000").sw, 0x6A88);  // also with the tag list GPCS asks for
  EXPECT_EQ(send_hex("00CB2F00025C0000").sw, 0x6D00);  // the odd GET DATA is not implemented
}

}  // namespace
}  // namespace sefleet::card

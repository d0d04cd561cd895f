// The Issuer Security Domain through the card runtime (VirtualCard): every command's successes and
// refusals, with a gp::Scp03Host as the off-card entity.
#include <gtest/gtest.h>

#include "card/isd/issuer_security_domain.hpp"
#include "card/virtual_card.hpp"
#include "core/error.hpp"
#include "gp/card_life_cycle.hpp"
#include "isd_test_support.hpp"
#include "iso7816/tlv.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using test::HostSession;
using test::key_set;
using test::put_key_data;
using test::send;
using test::test_profile;

class IsdTest : public ::testing::Test {
 protected:
  IsdTest() {
    VirtualCard::personalize(dir_.path(), test_profile());
    reopen();
  }
  void reopen() {
    card_.reset();
    card_.emplace(VirtualCard::open(dir_.path()));
    card().power_on();
  }
  transport::CardEndpoint& card() { return card_->endpoint(); }
  CardState& state() { return card_->state(); }
  HostSession session(std::uint8_t level, const gp::StaticKeySet& keys = test_profile().scp03,
                      std::uint8_t channel = 0) {
    HostSession s(card(), keys, level, channel);
    EXPECT_TRUE(s.open()) << std::hex << s.last_sw();
    return s;
  }
  ResponseApdu plain(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data = {},
                     std::optional<std::size_t> ne = 256) {
    return send(card(), CommandApdu(cla, ins, p1, p2, std::move(data), ne));
  }
  ResponseApdu get_data(std::uint16_t tag) { return plain(0x80, 0xCA, tag >> 8, tag & 0xFF); }

  sefleet::test::TempDir dir_;
  std::optional<VirtualCard> card_;
};

const gp::StaticKeySet& initial_keys() {
  static const gp::StaticKeySet keys = test_profile().scp03;
  return keys;
}

TEST_F(IsdTest, SelectAnswersFciWithSecurityDomainManagementData) {
  const auto rsp = test::select_isd(card());
  ASSERT_EQ(rsp.sw, 0x9000);
  const auto fci = iso7816::parse_tlv(rsp.data);
  EXPECT_EQ(fci.tag(), 0x6Fu);
  EXPECT_EQ(fci.child(0x84).value(), from_hex("A000000151000000"));
  const auto* scp = fci.find_path({0xA5, 0x73, 0x64, 0x06});
  ASSERT_NE(scp, nullptr);
  EXPECT_EQ(scp->value(), from_hex("2A864886FC6B040370"));
  EXPECT_EQ(fci.find_path({0xA5, 0x73, 0x06})->value(), from_hex("2A864886FC6B01"));
  EXPECT_EQ(fci.find_path({0xA5, 0x9F65})->value(), Bytes{0xFF});
}

TEST_F(IsdTest, GetDataAnswersEveryTagWithoutSession) {
  EXPECT_EQ(get_data(0x0066).data, from_hex("6631732F"
                                            "06072A864886FC6B01"
                                            "600C060A2A864886FC6B02020301"
                                            "630906072A864886FC6B03"
                                            "640B06092A864886FC6B040370"));
  EXPECT_EQ(get_data(0x0067).data, from_hex("670BA009800103810170820107"));
  EXPECT_EQ(get_data(0x00E0).data, from_hex("E012C00401308810C00402308810C00403308810"));
  EXPECT_EQ(get_data(0x00C1).data, from_hex("C103000000"));
  EXPECT_EQ(get_data(0x0045).data, from_hex("450C0102030405060708090A0B0C"));
  EXPECT_EQ(get_data(0x0042).data, from_hex("42085346000000000001"));
  const auto cplc = get_data(0x9F7F);
  ASSERT_EQ(cplc.sw, 0x9000);
  ASSERT_EQ(cplc.data.size(), 3u + 42u);
  EXPECT_EQ(Bytes(cplc.data.begin(), cplc.data.begin() + 3), from_hex("9F7F2A"));
  EXPECT_EQ(Bytes(cplc.data.begin() + 3 + 12, cplc.data.begin() + 3 + 18), from_hex("090A0B0C0708"));
  EXPECT_EQ(plain(0x00, 0xCA, 0x00, 0x66).sw, 0x9000);                     // ISO class accepted too
  EXPECT_EQ(get_data(0x00CF).data, from_hex("CF0A00112233445566778899"));  // KDD, for PAUT requests
  EXPECT_EQ(get_data(0x00CE).sw, 0x6A88);
  EXPECT_EQ(get_data(0x9F7E).sw, 0x6A88);
  EXPECT_EQ(plain(0x80, 0xCA, 0x00, 0x66, Bytes{1}).sw, 0x6700);
}

TEST_F(IsdTest, SequenceCounterFollowsInitializeUpdate) {
  { auto s = session(0x01); }
  { auto s = session(0x01); }
  EXPECT_EQ(get_data(0x00C1).sw, 0x6982);  // a plain command inside the open session: refused
  test::select_isd(card());                // re-selection ends the session
  EXPECT_EQ(get_data(0x00C1).data, from_hex("C103000002"));
  reopen();
  EXPECT_EQ(get_data(0x00C1).data, from_hex("C103000002"));  // durable
  auto s = session(0x33);
  EXPECT_EQ(s.host().card_info().sequence_counter, 3u);
}

TEST_F(IsdTest, GetStatusListsTheIsdInBothFormats) {
  EXPECT_EQ(plain(0x80, 0xF2, 0x80, 0x02, from_hex("4F00")).sw, 0x6982);  // no session
  auto s = session(0x33);
  auto rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256));
  ASSERT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("E3134F08A0000001510000009F700101C5039C0000"));
  const auto e3 = iso7816::parse_tlv(rsp.data);
  EXPECT_EQ(e3.child(0x4F).value(), from_hex("A000000151000000"));
  EXPECT_EQ(e3.child(0x9F70).value(), Bytes{0x01});
  EXPECT_EQ(e3.child(0xC5).value(), from_hex("9C0000"));
  rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x00, from_hex("4F00"), 256));
  EXPECT_EQ(rsp.data, from_hex("08A000000151000000019C"));
  rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F03A00000"), 256));
  EXPECT_EQ(rsp.sw, 0x9000);
  // P1 = 80: the search criteria are ignored (GPCS §11.4.2.1), the ISD is always reported.
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F03A00001"), 256)).sw, 0x9000);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x02, from_hex("4F03A00001"), 256)).sw, 0x6A88);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x02, from_hex("4F00"), 256)).sw, 0x6A88);
  // The built-in ROM load file of the applet catalog (no other is loaded), with its module for P1 10.
  rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x20, 0x02, from_hex("4F00"), 256));
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_EQ(rsp.data, from_hex("E3194F05F0534600019F700101CE020100CC08A000000151000000"));
  rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x10, 0x00, from_hex("4F00"), 256));
  EXPECT_EQ(rsp.data, from_hex("05F053460001010001"
                               "06F05346000101"));
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x20, 0x02, from_hex("4F02A000"), 256)).sw, 0x6A88);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x08, 0x02, from_hex("4F00"), 256)).sw, 0x6A86);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x04, from_hex("4F00"), 256)).sw, 0x6A86);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F"), 256)).sw, 0x6A80);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("5C00"), 256)).sw, 0x6A80);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, {}, 256)).sw, 0x6A80);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x03, from_hex("4F00"), 256)).sw, 0x6985);  // next without first
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x03, from_hex("4F00"), 256)).sw, 0x6A86);  // no next of the ISD
}

TEST_F(IsdTest, GetStatusContinuesWith6310WhenTheListIsLong) {
  // 20 applications with 16-byte AIDs (E3 entries of 29 bytes): more than one short response holds.
  std::vector<Bytes> aids;
  for (std::uint8_t i = 0; i < 20; ++i) {
    RegistryEntry entry;
    entry.kind = RegistryEntry::Kind::application;
    entry.aid = from_hex("D2760000850101000000000000000000");
    entry.aid.back() = i;
    aids.push_back(entry.aid);
    card_->runtime().registry().add(std::move(entry));
  }
  auto s = session(0x33);
  Bytes listed;
  auto rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x02, from_hex("4F00"), 256));
  int rounds = 1;
  while (rsp.sw == 0x6310) {
    EXPECT_LE(rsp.data.size(), 239u);
    append(listed, rsp.data);
    rsp = s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x03, from_hex("4F00"), 256));
    ++rounds;
  }
  ASSERT_EQ(rsp.sw, 0x9000);
  append(listed, rsp.data);
  EXPECT_EQ(rounds, 3);
  const auto entries = iso7816::parse_tlv_sequence(listed);
  ASSERT_EQ(entries.size(), aids.size());
  for (std::size_t i = 0; i < aids.size(); ++i) EXPECT_EQ(entries[i].child(0x4F).value(), aids[i]);
  // The continuation is used up.
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x40, 0x03, from_hex("4F00"), 256)).sw, 0x6985);
}

TEST_F(IsdTest, PutKeyAddsAndReplacesWholeKeySets) {
  const auto fresh = key_set(0x31, 0x01);
  {
    auto s = session(0x03);
    auto rsp = s.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x81, put_key_data(fresh, initial_keys().dek.view()), 256));
    ASSERT_EQ(rsp.sw, 0x9000);
    Bytes expected{0x31};
    append(expected, gp::key_check_value(fresh.enc.view()));
    append(expected, gp::key_check_value(fresh.mac.view()));
    append(expected, gp::key_check_value(fresh.dek.view()));
    EXPECT_EQ(rsp.data, expected);
  }
  test::select_isd(card());
  EXPECT_EQ(get_data(0x00E0).data.size(), 2u + 6u * 6u);
  {
    HostSession s(card(), fresh, 0x01, 0, 0x31);  // the new set works (counter 1)
    EXPECT_TRUE(s.open());
  }
  // Replace 31 by 32 (AES-128 again), authenticated with the new set's DEK.
  const auto replacement = key_set(0x32, 0x07);
  {
    HostSession s(card(), fresh, 0x01, 0, 0x31);
    ASSERT_TRUE(s.open());
    auto rsp = s.send_plain(CommandApdu(0x80, 0xD8, 0x31, 0x81, put_key_data(replacement, fresh.dek.view()), 256));
    ASSERT_EQ(rsp.sw, 0x9000);
  }
  reopen();  // survives restarts
  EXPECT_EQ(state().find_key_set(0x31), nullptr);
  ASSERT_NE(state().find_key_set(0x32), nullptr);
  EXPECT_EQ(state().find_key_set(0x32)->sequence_counter, 0u);
  HostSession s(card(), replacement, 0x33, 0, 0x32);
  ASSERT_TRUE(s.open());
  EXPECT_EQ(s.host().card_info().sequence_counter, 1u);
}

TEST_F(IsdTest, PutKeyReplacingTheSessionSetResetsItsCounter) {
  { auto s = session(0x01); }
  auto s = session(0x01);
  EXPECT_EQ(state().find_key_set(0x30)->sequence_counter, 2u);
  const auto same_kvn = key_set(0x30, 0x09);
  ASSERT_EQ(
      s.send_plain(CommandApdu(0x80, 0xD8, 0x30, 0x81, put_key_data(same_kvn, initial_keys().dek.view()), 256)).sw,
      0x9000);
  EXPECT_EQ(state().find_key_set(0x30)->sequence_counter, 0u);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xCA, 0x00, 0xC1, {}, 256)).data, from_hex("C103000000"));
  HostSession again(card(), same_kvn, 0x01);
  EXPECT_TRUE(again.open());
}

TEST_F(IsdTest, PutKeyRefusals) {
  const auto fresh = key_set(0x31, 0x01);
  const Bytes good = put_key_data(fresh, initial_keys().dek.view());
  // Without a session, and in an authenticated-only session.
  EXPECT_EQ(plain(0x80, 0xD8, 0x00, 0x81, good).sw, 0x6982);
  {
    auto s = session(0x00);
    EXPECT_EQ(send(card(), CommandApdu(0x80, 0xD8, 0x00, 0x81, good, 256)).sw, 0x6982);
  }
  auto s = session(0x03);
  auto put = [&](std::uint8_t p1, std::uint8_t p2, Bytes data, std::uint8_t cla = 0x80) {
    return s.send_plain(CommandApdu(cla, 0xD8, p1, p2, std::move(data), 256)).sw;
  };
  EXPECT_EQ(put(0x00, 0x81, good, 0x00), 0x6E00);
  EXPECT_EQ(put(0x80, 0x81, good), 0x6A86);  // "more commands follow"
  EXPECT_EQ(put(0x00, 0x01, good), 0x6A80);  // single key (P2 b8 = 0) with three key data fields
  EXPECT_EQ(put(0x00, 0x81, {}), 0x6700);
  EXPECT_EQ(put(0x35, 0x81, good), 0x6A88);  // nothing to replace
  Bytes clash = good;
  clash[0] = 0x30;
  EXPECT_EQ(put(0x00, 0x81, clash), 0x6A80);  // KVN in use
  Bytes zero = good;
  zero[0] = 0x00;
  EXPECT_EQ(put(0x00, 0x81, zero), 0x6A80);
  Bytes des = good;
  des[1] = 0x80;
  EXPECT_EQ(put(0x00, 0x81, des), 0x6A80);  // key type
  Bytes bad_length = good;
  bad_length[3] = 0x11;
  EXPECT_EQ(put(0x00, 0x81, bad_length), 0x6A80);
  EXPECT_EQ(put(0x00, 0x81, Bytes(good.begin(), good.end() - 1)), 0x6A80);  // truncated
  Bytes extra = good;
  extra.push_back(0x00);
  EXPECT_EQ(put(0x00, 0x81, extra), 0x6A80);
  Bytes bad_kcv = good;
  bad_kcv.back() ^= 0x01;
  EXPECT_EQ(put(0x00, 0x81, bad_kcv), 0x6982);  // GPCS 2.3.1: invalid KCV
  const Bytes wrong_dek = put_key_data(fresh, fresh.dek.view());
  EXPECT_EQ(put(0x00, 0x81, wrong_dek), 0x6982);  // decrypts to garbage: KCV mismatch
  // Mixed key sizes, and a replacement that changes the key length.
  auto mixed = key_set(0x31, 0x01);
  mixed.dek = test::key_of(0x01, 32);
  Bytes mixed_data{0x31};
  append(mixed_data, test::put_key_block(initial_keys().dek.view(), mixed.enc.view()));
  append(mixed_data, test::put_key_block(initial_keys().dek.view(), mixed.mac.view()));
  append(mixed_data, test::put_key_block(initial_keys().dek.view(), mixed.dek.view()));
  EXPECT_EQ(put(0x00, 0x81, mixed_data), 0x6A80);
  EXPECT_EQ(put(0x30, 0x81, put_key_data(key_set(0x30, 0x01, 32), initial_keys().dek.view())), 0x6A80);
  // Nothing changed, and the session is still usable.
  EXPECT_EQ(state().key_sets().size(), 1u);
  EXPECT_EQ(put(0x00, 0x81, good), 0x9000);
  // The table is full at kMaxKeySets.
  for (std::uint8_t kvn = 0x32; state().key_sets().size() < kMaxKeySets; ++kvn) {
    ASSERT_EQ(put(0x00, 0x81, put_key_data(key_set(kvn, kvn), initial_keys().dek.view())), 0x9000);
  }
  EXPECT_EQ(put(0x00, 0x81, put_key_data(key_set(0x50, 0x50), initial_keys().dek.view())), 0x6A84);
}

TEST_F(IsdTest, PutKeyAes256) {
  auto s = session(0x33);
  const auto big = key_set(0x40, 0x11, 32);
  ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x81, put_key_data(big, initial_keys().dek.view()), 256)).sw,
            0x9000);
  HostSession with_big(card(), big, 0x33, 0, 0x40);
  EXPECT_TRUE(with_big.open());
}

TEST_F(IsdTest, DeleteKeySets) {
  const auto fresh = key_set(0x31, 0x01);
  EXPECT_EQ(plain(0x80, 0xE4, 0x00, 0x00, from_hex("D20130")).sw, 0x6982);  // no session
  auto s = session(0x01);
  auto del = [&](Bytes data, std::uint8_t p1 = 0x00, std::uint8_t p2 = 0x00) {
    return s.send_plain(CommandApdu(0x80, 0xE4, p1, p2, std::move(data), 256));
  };
  EXPECT_EQ(del(from_hex("D20130")).sw, 0x6985);  // the last key set
  ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x81, put_key_data(fresh, initial_keys().dek.view()), 256)).sw,
            0x9000);
  EXPECT_EQ(del(from_hex("D20130")).sw, 0x6985);        // the session's key set
  EXPECT_EQ(del(from_hex("D00101D20131")).sw, 0x6985);  // a single key
  EXPECT_EQ(del(from_hex("D20135")).sw, 0x6A88);
  EXPECT_EQ(del(from_hex("D2023131")).sw, 0x6A80);
  EXPECT_EQ(del(from_hex("D00101")).sw, 0x6A80);
  EXPECT_EQ(del(from_hex("D201")).sw, 0x6A80);
  EXPECT_EQ(del(from_hex("C80131")).sw, 0x6A80);
  EXPECT_EQ(del({}).sw, 0x6700);
  EXPECT_EQ(del(from_hex("D20131"), 0x80).sw, 0x6A86);
  EXPECT_EQ(del(from_hex("D20131"), 0x00, 0x02).sw, 0x6A86);
  EXPECT_EQ(del(from_hex("4F08A000000151000000")).sw, 0x6985);
  EXPECT_EQ(del(from_hex("4F05A000000999")).sw, 0x6A88);
  const auto ok = del(from_hex("D20131"));
  EXPECT_EQ(ok.sw, 0x9000);
  EXPECT_EQ(ok.data, Bytes{0x00});
  reopen();
  EXPECT_EQ(state().find_key_set(0x31), nullptr);
  EXPECT_EQ(state().key_sets().size(), 1u);
}

TEST_F(IsdTest, StoreDataDgiAndBerTlvInBlocks) {
  auto s = session(0x03);
  auto store = [&](std::uint8_t p1, std::uint8_t p2, Bytes data) {
    return s.send_plain(CommandApdu(0x80, 0xE2, p1, p2, std::move(data), 256)).sw;
  };
  EXPECT_EQ(store(0x08, 0x00,
                  from_hex("0101020A0B"
                           "0202FF0003010203")),
            0x9000);                                                     // DGI, short and FF-length
  EXPECT_EQ(store(0x08, 0x02, from_hex("010301AA")), 0x6A86);            // skipped block 01
  EXPECT_EQ(store(0x08, 0x01, from_hex("010301AA")), 0x6A86);            // the refusal restarted at 00
  EXPECT_EQ(store(0x10, 0x00, from_hex("5F2002414299020102")), 0x9000);  // BER-TLV
  EXPECT_EQ(store(0x90, 0x01, from_hex("42020102")), 0x9000);            // last block
  EXPECT_EQ(store(0x90, 0x02, from_hex("42020102")), 0x6A86);            // sequence ended: 00 next
  reopen();
  const auto& perso = state().personalization();
  EXPECT_EQ(perso.at("dgi/0101"), from_hex("0A0B"));
  EXPECT_EQ(perso.at("dgi/0202"), from_hex("010203"));
  EXPECT_EQ(perso.at("tlv/5F20"), from_hex("4142"));
  EXPECT_EQ(perso.at("tlv/99"), from_hex("0102"));
  EXPECT_EQ(perso.at("tlv/42"), from_hex("0102"));
}

TEST_F(IsdTest, StoreDataSequencesOnTwoChannelsDoNotDisturbEachOther) {
  auto s0 = session(0x01, initial_keys(), 0);
  ASSERT_EQ(send(card(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // MANAGE CHANNEL open -> 1
  auto s1 = session(0x01, initial_keys(), 1);
  auto store = [](test::HostSession& s, std::uint8_t p1, std::uint8_t p2, Bytes data) {
    return s.send_plain(CommandApdu(0x80, 0xE2, p1, p2, std::move(data), 256)).sw;
  };
  EXPECT_EQ(store(s0, 0x08, 0x00, from_hex("01010100")), 0x9000);
  EXPECT_EQ(store(s1, 0x08, 0x00, from_hex("02010111")), 0x9000);
  EXPECT_EQ(store(s0, 0x88, 0x01, from_hex("01020101")), 0x9000);  // channel 0 continues at block 01
  EXPECT_EQ(store(s1, 0x88, 0x01, from_hex("02020112")), 0x9000);  // and so does channel 1
  EXPECT_EQ(state().personalization().size(), 4u);
}

TEST_F(IsdTest, StoreDataRefusals) {
  EXPECT_EQ(plain(0x80, 0xE2, 0x88, 0x00, from_hex("010101AA")).sw, 0x6982);
  auto s = session(0x01);
  auto store = [&](std::uint8_t p1, Bytes data, std::uint8_t cla = 0x80) {
    return s.send_plain(CommandApdu(cla, 0xE2, p1, 0x00, std::move(data), 256)).sw;
  };
  EXPECT_EQ(store(0x88, from_hex("010101AA"), 0x00), 0x6E00);
  EXPECT_EQ(store(0x80, from_hex("010101AA")), 0x6A86);  // no structure information
  EXPECT_EQ(store(0x98, from_hex("010101AA")), 0x6A86);  // structure 11 (RFU)
  EXPECT_EQ(store(0xE8, from_hex("010101AA")), 0x6A86);  // encrypted: not supported
  EXPECT_EQ(store(0x89, from_hex("010101AA")), 0x6A86);  // RFU bits
  EXPECT_EQ(store(0x88, {}), 0x6700);
  EXPECT_EQ(store(0x88, from_hex("010102AA")), 0x6A80);  // DGI value truncated
  EXPECT_EQ(store(0x88, from_hex("0101")), 0x6A80);
  EXPECT_EQ(store(0x88, from_hex("0101FF00")), 0x6A80);
  EXPECT_EQ(store(0x88, from_hex("010101AA010101BB")), 0x6A80);  // repeated in one command
  EXPECT_EQ(store(0x90, from_hex("5F2003AA")), 0x6A80);          // not BER-TLV
  Bytes huge = from_hex("0101FF0801");
  huge.resize(huge.size() + 0x801, 0x00);
  EXPECT_EQ(store(0x88, huge), 0x6A84);
  EXPECT_TRUE(state().personalization().empty());
}

TEST_F(IsdTest, SetStatusWalksTheCardLifeCycle) {
  EXPECT_EQ(plain(0x80, 0xF0, 0x80, 0x07, {}, std::nullopt).sw, 0x6982);  // no session
  {
    auto level_00 = session(0x00);
    EXPECT_EQ(plain(0x80, 0xF0, 0x80, 0x07, {}, std::nullopt).sw, 0x6982);  // authenticated only
  }
  auto s = session(0x01);
  auto set = [&](std::uint8_t p1, std::uint8_t p2, Bytes data = {}) {
    return s.send_plain(CommandApdu(0x80, 0xF0, p1, p2, std::move(data))).sw;
  };
  EXPECT_EQ(set(0x80, 0x0F), 0x6985);  // OP_READY -> SECURED skips INITIALIZED
  EXPECT_EQ(set(0x80, 0x03), 0x6A80);  // not a card state
  EXPECT_EQ(set(0x40, 0x07), 0x6A80);  // an application is only locked (80) or unlocked (00)
  EXPECT_EQ(set(0x20, 0x07), 0x6A86);
  EXPECT_EQ(set(0x80, 0x07, from_hex("A000000151000001")), 0x6A80);
  EXPECT_EQ(set(0x80, 0x07, from_hex("A000000151000000")), 0x9000);
  EXPECT_EQ(set(0x80, 0x01), 0x6985);  // irreversible
  EXPECT_EQ(set(0x80, 0x07), 0x6985);  // no transition
  EXPECT_EQ(set(0x80, 0x0F), 0x9000);
  EXPECT_EQ(set(0x80, 0x7F), 0x9000);
  EXPECT_EQ(state().life_cycle(), gp::card_life_cycle::kCardLocked);
  auto listed = s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x00, from_hex("4F00"), 256));
  EXPECT_EQ(listed.data, from_hex("08A000000151000000"
                                  "7F"
                                  "9C"));  // the ISD reports the card state
  EXPECT_EQ(set(0x80, 0x0F), 0x9000);      // unlock
  EXPECT_EQ(set(0x80, 0x7F), 0x9000);
  reopen();
  EXPECT_EQ(state().life_cycle(), gp::card_life_cycle::kCardLocked);
  auto again = session(0x01);
  EXPECT_EQ(again.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0xFF)).sw, 0x9000);
  EXPECT_EQ(again.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0x0F)).sw, 0x6985);  // TERMINATED answers GET DATA only
  reopen();
  EXPECT_EQ(state().life_cycle(), gp::card_life_cycle::kTerminated);
}

// A selectable application that answers 9000 to everything.
class EchoApplet final : public Applet {
 public:
  iso7816::ResponseApdu process(const CommandApdu&, AppletContext&) override { return ResponseApdu(0x9000); }
};

TEST_F(IsdTest, LockedCardSelectsOnlyTheIsd) {
  EchoApplet echo;
  RegistryEntry app;
  app.kind = RegistryEntry::Kind::application;
  app.aid = from_hex("D276000085010100");
  app.applet = &echo;
  const RegistryEntry& entry = card_->runtime().registry().add(app);
  EXPECT_EQ(card_->isd().selection_gate(entry), 0x9000);
  EXPECT_EQ(plain(0x00, 0xA4, 0x04, 0x00, from_hex("D276000085010100")).sw, 0x9000);
  {
    auto s = session(0x01);
    ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0x07)).sw, 0x9000);
    ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0x0F)).sw, 0x9000);
    ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0x7F)).sw, 0x9000);
  }
  EXPECT_EQ(card_->isd().selection_gate(entry), 0x6A82);
  EXPECT_EQ(card_->isd().selection_gate(*card_->runtime().registry().issuer_security_domain()), 0x9000);
  EXPECT_EQ(plain(0x00, 0xA4, 0x04, 0x00, from_hex("D276000085010100")).sw, 0x6A82);
  EXPECT_EQ(test::select_isd(card()).sw, 0x9000);
  card_.reset();  // the runtime refers to `echo`: end it first
}

TEST_F(IsdTest, TerminatedCardAnswersGetDataOnly) {
  auto s = session(0x01);
  ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0xFF)).sw, 0x9000);
  // The ISD stays selected on this channel: GET DATA is answered, everything else is refused.
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xCA, 0x00, 0x45, {}, 256)).sw, 0x9000);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x6985);
  EXPECT_EQ(s.send_plain(CommandApdu(0x80, 0xE2, 0x88, 0x00, from_hex("010101AA"))).sw, 0x6985);
  EXPECT_EQ(
      s.send_plain(CommandApdu(0x80, 0xD8, 0x00, 0x81, put_key_data(key_set(0x31, 1), initial_keys().dek.view()))).sw,
      0x6985);
  EXPECT_EQ(card_->isd().selection_gate(*card_->runtime().registry().issuer_security_domain()), 0x9000);
  EXPECT_EQ(state().key_sets().size(), 1u);
}

TEST_F(IsdTest, TerminatedCardStillAnswersGetDataAfterRestartButOpensNoSession) {
  {
    auto s = session(0x01);
    ASSERT_EQ(s.send_plain(CommandApdu(0x80, 0xF0, 0x80, 0xFF)).sw, 0x9000);
  }
  reopen();  // a new power-up: the ISD is selected implicitly even on a TERMINATED card
  EXPECT_EQ(plain(0x80, 0xCA, 0x00, 0x45, {}, 256).sw, 0x9000);
  EXPECT_EQ(test::select_isd(card()).sw, 0x9000);
  const auto counter_before = plain(0x80, 0xCA, 0x00, 0xC1, {}, 256);
  HostSession s(card(), initial_keys(), 0x01);
  EXPECT_FALSE(s.open());
  EXPECT_EQ(s.last_sw(), 0x6A88);  // no usable key set on a terminated card
  EXPECT_EQ(plain(0x80, 0xCA, 0x00, 0xC1, {}, 256).data, counter_before.data) << "the counter must not move";
}

TEST_F(IsdTest, UnknownInstructionAndClass) {
  EXPECT_EQ(plain(0x80, 0x10, 0x00, 0x00).sw, 0x6D00);
  auto s = session(0x01);
  EXPECT_EQ(s.send_plain(CommandApdu(0x00, 0xF0, 0x80, 0x07)).sw, 0x6E00);
}

TEST_F(IsdTest, SecureChannelOnChannelOneIsIndependent) {
  auto s0 = session(0x01, initial_keys(), 0);
  ASSERT_EQ(send(card(), CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1)).sw, 0x9000);  // MANAGE CHANNEL open -> 1
  auto s1 = session(0x33, initial_keys(), 1);
  EXPECT_EQ(s1.send_plain(CommandApdu(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256)).sw, 0x9000);
  EXPECT_EQ(s0.send_plain(CommandApdu(0x80, 0xCA, 0x00, 0xE0, {}, 256)).sw, 0x9000);
  EXPECT_EQ(s1.send_plain(CommandApdu(0x80, 0xCA, 0x00, 0xC1, {}, 256)).data, from_hex("C103000002"));
}

}  // namespace
}  // namespace sefleet::card

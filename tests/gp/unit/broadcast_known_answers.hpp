// Known answers shared by the broadcast_* tests. Every expected value below was computed outside this
// code base with Debian 12's /usr/bin/python3 and python3-cryptography (aes_key_wrap, CMAC, AES-CBC),
// by tests/gp/unit/broadcast_known_answers.py (run it with /usr/bin/python3), and pasted here as hex:
//   kos128 = 000102..0F, kos256 = 404142..5F, BK-ENC = 101112..1F, BK-MAC = 202122..2F,
//   BK256-ENC = 808182..9F, BK256-MAC = A0A1A2..BF, IV = F0F1..FF,
//   DATASEND = E0 manifest (type 02, platform 0102030405060708, version 00010203, body length 40,
//              name "wallet-1.2") ‖ body 00 01 .. 27, the manifest bytes written out by hand in Python.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"

namespace sefleet::gp::broadcast::testing {

inline Bytes counting(std::uint8_t first, std::size_t count) {
  Bytes out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

inline const Bytes kKos128 = counting(0x00, 16);
inline const Bytes kKos256 = counting(0x40, 32);
inline const Bytes kBkEnc = counting(0x10, 16);
inline const Bytes kBkMac = counting(0x20, 16);
inline const Bytes kBk256Enc = counting(0x80, 32);
inline const Bytes kBk256Mac = counting(0xA0, 32);
inline const Bytes kIv = counting(0xF0, 16);

// AES-KW(kos128, BK-ENC ‖ BK-MAC) and AES-KW(kos256, BK256-ENC ‖ BK256-MAC).
inline const Bytes kWrappedBk128 =
    from_hex("68480D1C56EE44AD2D7177280102B967B5956C3E2746433CE95EEF87FCE88B5EBC5D0C04F52D2A8A");
inline const Bytes kWrappedBk256 = from_hex(
    "F1F95AF87922DF532E02C5B068AE2E3D9F9DC9B1B7455377B0753C514BF2649A1076DF9C609F39564487052CAE03170B294B42175F88"
    "7788809ADE6DDCD2F5D7B02731232766886B");

inline const Bytes kDatasend = from_hex(
    "E02E80045345464981010182010283080102030405060708840400010203850400000028860A77616C6C65742D312E32"
    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627");
// AES-CMAC(BK-MAC, DATASEND) and AES-KW(kos128, that code).
inline const Bytes kIntegrityCode = from_hex("1045072DB8EFB1A5EDEA311623927DC7");
inline const Bytes kWrappedIntegrityCode = from_hex("2F6F87D0196F20A0DD8A40BE7D66A54C95AC995CF5578F5F");

// IV ‖ AES-CBC(kos, IV, DATASEND ‖ 80 00..) for kos128 and kos256.
inline const Bytes kEnvelope128 = from_hex(
    "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF9641AFF7F7CA37AAC4681FE4D0B3EB35AFA3543411D5718C94FAD9159B9D4DC8008999B98F"
    "CE567376D45E4CF83606149A9B8423DB82C09E5A5260DBC99DA6570F5BD33039A4E5CB31A4B257550A7C6A0AC5127F2D84EC474AF1"
    "7C0D2F4F8FAC");
inline const Bytes kEnvelope256 = from_hex(
    "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFFAFD47A116216649EA0E77937EABB85BBAA78D678CEC8DF5FD7501E0C2D2FA3C071E03F5806"
    "220AB3888F001872635E7FCA544DCB49ED24A0B321FB9FB64F664768251C283E342053CA54AC33C1EE9434EBB6637C9BB6A8DF6B03"
    "54DAA0D28D2F");
// IV ‖ AES-CBC(kos128, IV, 32 zero bytes ‖ 80 00*15): a block-aligned input gains a whole padding block.
inline const Bytes kEnvelopeFullBlock = from_hex(
    "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF66A7C7E8345231489751DE073316ADAD6E6199BA56D58C520B6E6516F1CA81AAC8AD5B94D6"
    "65A0424CEB6F7C90460747");

// A Random that hands out pre-set bytes, so a sealed envelope can be compared with a known answer.
// Test-only; it refuses to hand out more than it holds.
class ScriptedRandom final : public crypto::Random {
 public:
  explicit ScriptedRandom(Bytes script) : script_(std::move(script)) {}
  void fill(MutableByteView out) override {
    if (out.size() > script_.size() - used_) throw std::logic_error("ScriptedRandom: script exhausted");
    std::copy_n(script_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    used_ += out.size();
  }

 private:
  Bytes script_;
  std::size_t used_ = 0;
};

// Runs `call` and expects Error(code) whose message contains `needle` (refusals are tested by message).
inline void expect_error(Errc code, const std::string& needle, const std::function<void()>& call) {
  try {
    call();
    FAIL() << "accepted; expected an error containing \"" << needle << "\"";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
}

}  // namespace sefleet::gp::broadcast::testing

// The engine enciphers the command ICVs of several counter values at a time. Host and card share the
// code, so a round trip alone could not see a wrong ICV: here every encrypted command is checked
// against AES-CBC computed from AES(S-ENC, counter) directly, across batch boundaries, a resumed
// counter whose low bytes carry over, a counter moved back by begin(), and the wrap of the 16-byte
// counter, and the card decrypts each of them.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "crypto/aes.hpp"
#include "crypto/random.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"
#include "scp03_pair.hpp"

namespace sefleet::gp {
namespace {

using iso7816::CommandApdu;

// The data field the host must send for `plain` under `counter` (the value after the increment).
Bytes expected_field(const SessionKeys& keys, const Scp03Counter& counter, ByteView plain) {
  crypto::Aes s_enc(keys.s_enc.view());
  const Bytes icv = s_enc.ecb_encrypt(ByteView(counter.data(), counter.size()));
  return s_enc.cbc_encrypt(icv, crypto::pad80(plain));
}

class CommandIcvBatch : public ::testing::Test {
 protected:
  CommandIcvBatch() {
    host.begin(crypto::Mac16{});
    card.begin(crypto::Mac16{});
  }

  // Wraps `count` commands and checks each encrypted field and the card's decryption of it.
  void send(int count, const std::string& where) {
    for (int n = 0; n < count; ++n) {
      const Bytes data = random.bytes(static_cast<std::size_t>(1 + n % 40));
      Scp03Counter next = host.full_counter();
      increment(next);
      const CommandApdu wire = host.wrap_command(CommandApdu(0x80, 0xE2, 0x00, 0x00, data));
      const ByteView field(wire.data.data(), wire.data.size() - host.mac_size());
      ASSERT_EQ(Bytes(field.begin(), field.end()), expected_field(keys, next, data)) << where << ", command " << n;
      std::string reason;
      const auto plain = card.unwrap_command(wire, &reason);
      ASSERT_TRUE(plain) << where << ", command " << n << ": " << reason;
      ASSERT_EQ(plain->data, data) << where << ", command " << n;
    }
  }

  // Both engines continue from `counter` and the same MAC chaining value.
  void resume(const Scp03Counter& counter) {
    const crypto::Mac16 mcv = host.mac_chaining_value();
    host.resume(counter, mcv);
    card.resume(counter, mcv);
  }

  SessionKeys keys = testing::random_session_keys(0x4C);
  SecureMessaging host{keys, Scp03Mode::s8, 0x03};
  SecureMessaging card{keys, Scp03Mode::s8, 0x03};
  crypto::DeterministicRandom random{Bytes{0x4D}};
};

TEST_F(CommandIcvBatch, EveryCommandOfALongSessionHasTheIcvOfItsCounter) {
  send(37, "from counter 0");  // several batches and a partial one
}

TEST_F(CommandIcvBatch, AResumedCounterStartsFromItsOwnValue) {
  send(3, "before the resume");
  Scp03Counter counter{};
  for (std::size_t i = 8; i < 16; ++i) counter[i] = 0xFF;
  counter[15] = 0xFB;  // the batch crosses the carry into the high 64 bits
  resume(counter);
  send(12, "across the 64-bit carry");
  resume(scp03_counter(5));  // back into values an earlier batch covered
  send(10, "after moving back");
}

TEST_F(CommandIcvBatch, BeginRestartsTheCounterAndTheCounterWrapsAround) {
  send(5, "first session");
  host.begin(crypto::Mac16{});
  card.begin(crypto::Mac16{});
  send(9, "after begin");
  Scp03Counter last{};
  last.fill(0xFF);
  last[15] = 0xFD;
  resume(last);
  send(6, "through the wrap of 2^128");
}

}  // namespace
}  // namespace sefleet::gp

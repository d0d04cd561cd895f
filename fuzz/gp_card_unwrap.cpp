// Fuzzes the card side of SCP03: for each input, opens a session (mode, level and challenge type
// chosen by the first byte), checks that a host-wrapped command built from the input reaches the
// application unchanged, then feeds the rest of the input to the card as raw APDUs. Invariants: no
// crash or sanitizer report; every refusal of an open session aborts it; an aborted session lets
// nothing through to the application but the start of a new session (INITIALIZE UPDATE, or an SCP11
// setup command, which the security domain answers itself); such a start ends the session that was
// open; every response carries a status word.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_host.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "iso7816/apdu.hpp"

namespace {

using sefleet::Bytes;
using sefleet::ByteView;
using namespace sefleet::gp;
using sefleet::iso7816::CommandApdu;
using sefleet::iso7816::ResponseApdu;

StaticKeySet keys() {
  Bytes key(16);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x40 + i);
  return StaticKeySet(0x30, sefleet::SecretBytes(key), sefleet::SecretBytes(key), sefleet::SecretBytes(key));
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::uint8_t levels[] = {0x00, 0x01, 0x03, 0x11, 0x13, 0x33};
  const std::uint8_t selector = data[0];
  const Scp03Mode mode = (selector & 0x01) != 0 ? Scp03Mode::s16 : Scp03Mode::s8;
  const std::uint8_t level = levels[((selector >> 1) & 0x07) % 6];
  const bool pseudo_random = (selector & 0x10) != 0;

  sefleet::crypto::DeterministicRandom random(Bytes{0x01});
  InMemoryKeyRegistry registry;
  registry.put(keys());
  Scp03CardConfig config;
  config.i = static_cast<std::uint8_t>(0x60 | (pseudo_random ? 0x10 : 0x00) | (mode == Scp03Mode::s16 ? 0x01 : 0x00));
  Scp03Card card(registry, config, random);
  Scp03HostOptions options;
  options.mode = mode;
  options.security_level = level;
  Scp03Host host(keys(), options, random);

  int application_calls = 0;
  CommandApdu seen;
  const auto application = [&](const CommandApdu& cmd) {
    ++application_calls;
    seen = cmd;
    return ResponseApdu(Bytes(cmd.data.begin(), cmd.data.begin() + static_cast<std::ptrdiff_t>(cmd.data.size() / 2)),
                        0x9000);
  };
  const ResponseApdu iu = card.process(host.initialize_update(), application);
  const ResponseApdu ea = card.process(host.external_authenticate(iu), application);
  host.complete(ea);
  check(card.state() == Scp03Card::State::open);

  // A well-formed command made of the input reaches the application byte for byte.
  const std::size_t split = std::min<std::size_t>((size - 1) / 2, 4096);  // one protected command
  const CommandApdu plain(0x80, 0xE2, 0x00, 0x00, Bytes(data + 1, data + 1 + split), 256);
  const ResponseApdu echoed = host.unwrap(card.process(host.wrap(plain), application));
  check(application_calls == 1 && seen.data == plain.data);
  check(echoed.data ==
        Bytes(plain.data.begin(), plain.data.begin() + static_cast<std::ptrdiff_t>(plain.data.size() / 2)));

  // The rest, as raw APDUs of up to 300 bytes each.
  ByteView rest(data + 1 + split, size - 1 - split);
  while (!rest.empty()) {
    const std::size_t length = std::min<std::size_t>(rest.size(), 1 + rest[0] % 300);
    const ByteView raw = rest.subspan(0, length);
    rest = rest.subspan(length);
    const auto before = card.state();
    const int calls_before = application_calls;
    const Bytes response = card.process(raw, application);
    check(response.size() >= 2);
    const std::uint16_t sw = static_cast<std::uint16_t>((response[response.size() - 2] << 8) | response.back());
    const auto after = card.state();
    const auto parsed = CommandApdu::try_parse(raw);
    const bool is_iu = parsed && is_initialize_update(*parsed);
    const bool is_scp11_setup = parsed && scp11::is_setup_command(*parsed);
    if (is_scp11_setup) check(after != Scp03Card::State::open && application_calls == calls_before + 1);
    if (before == Scp03Card::State::aborted && !is_iu && !is_scp11_setup) {
      check(sw == 0x6982 && application_calls == calls_before);
    }
    if (before == Scp03Card::State::open && after == Scp03Card::State::aborted) {
      check((sw == 0x6982 || sw == 0x6700) && application_calls == calls_before);
    }
  }
  return 0;
}

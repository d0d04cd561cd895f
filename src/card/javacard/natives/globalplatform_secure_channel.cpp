// org.globalplatform.SecureChannel (org/sefleet/jcre/gp/SecureChannelImpl): the Issuer Security
// Domain's SCP03 session of the logical channel the current command arrived on (gp::Scp03Card, which
// the runtime creates for a Java applet at selection and ends at deselection: JavaApplet is
// drives_secure_channel()). The runtime never unwraps or wraps a Java applet's commands: the applet
// hands INITIALIZE UPDATE / EXTERNAL AUTHENTICATE to processSecurity(), unwraps commands and wraps
// responses itself, as with a real card's Security Domain. Contracts: javacard/rom/NATIVES.md.
#include <string>

#include "card/javacard/natives/services_natives.hpp"
#include "card/runtime/applet.hpp"
#include "core/error.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;
using vm::Ref;
namespace sw = iso7816::sw;

constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::int32_t kHeaderLength = 4;
constexpr std::int32_t kResponseOffset = 5;  // ISO7816.OFFSET_CDATA

[[noreturn]] void refuse(NativeCall& call, std::uint16_t status) {
  call.throw_exception(kIsoException, static_cast<std::int16_t>(status));
}

AppletContext& context(NativeCall& call) {
  AppletContext* ctx = call.applet_context();
  if (ctx == nullptr) refuse(call, sw::kConditionsNotSatisfied);  // no command: a static initialiser
  return *ctx;
}

// The session of the command's channel; nullptr on a card without key sets (no Security Domain keys).
gp::Scp03Card* session(NativeCall& call) {
  return context(call).secure_channel();
}

// process(byte[] buffer, short dataOffset, short dataLength): INITIALIZE UPDATE or EXTERNAL
// AUTHENTICATE, header in buffer[0..4), data at dataOffset; the response data goes to buffer[5..].
void process(NativeCall& call) {
  const Ref buffer = call.arg_ref(1);
  const ByteView header = call.bytes(buffer, 0, kHeaderLength);
  iso7816::CommandApdu command(header[0], header[1], header[2], header[3]);
  const ByteView data = call.bytes(buffer, call.arg_short(2), call.arg_short(3));
  command.data.assign(data.begin(), data.end());
  gp::Scp03Card* channel = session(call);
  if (channel == nullptr) refuse(call, sw::kConditionsNotSatisfied);
  iso7816::ResponseApdu response;
  if (command.ins == gp::kInsInitializeUpdate) {
    // INITIALIZE UPDATE travels without secure messaging (GPCS 11.1.4 / SCP03 7.1.1).
    if (iso7816::has_secure_messaging(command.cla)) refuse(call, sw::kClaNotSupported);
    response = channel->initialize_update(command);
  } else {
    response = channel->external_authenticate(command);
  }
  if (response.sw != sw::kOk) refuse(call, response.sw);
  call.write_bytes(buffer, kResponseOffset, response.data, vm::Atomicity::non_atomic);
  call.return_short(static_cast<std::int16_t>(response.data.size()));
}

// The command in buffer[offset..offset+length): header, Lc (one byte, or 00 and two bytes) and data.
struct BufferedCommand {
  iso7816::CommandApdu command;
  bool extended_lc = false;
};

BufferedCommand read_command(NativeCall& call, Ref buffer, std::int32_t offset, std::int32_t length) {
  const ByteView raw = call.bytes(buffer, offset, length);  // bounds checked
  BufferedCommand out;
  if (raw.size() < 4) refuse(call, sw::kWrongLength);
  out.command = iso7816::CommandApdu(raw[0], raw[1], raw[2], raw[3]);
  if (raw.size() == 4) return out;  // case 1 or 2: no Lc in the buffer
  std::size_t lc = raw[4];
  std::size_t data_at = 5;
  if (lc == 0 && raw.size() >= 7) {
    out.extended_lc = true;
    lc = (static_cast<std::size_t>(raw[5]) << 8) | raw[6];
    data_at = 7;
  }
  if (raw.size() != data_at + lc) refuse(call, sw::kWrongLength);
  out.command.data.assign(raw.begin() + static_cast<std::ptrdiff_t>(data_at), raw.end());
  out.command.extended = out.extended_lc;
  return out;
}

// unwrap(byte[] buffer, short offset, short length) -> the plain command's length
void unwrap(NativeCall& call) {
  const Ref buffer = call.arg_ref(1);
  const std::int16_t offset = call.arg_short(2);
  const std::int16_t length = call.arg_short(3);
  BufferedCommand wire = read_command(call, buffer, offset, length);
  gp::Scp03Card* channel = session(call);
  if (channel == nullptr) {
    call.return_short(length);  // no session: nothing to remove
    return;
  }
  gp::Scp03Card::Unwrapped unwrapped = channel->unwrap(wire.command);
  if (!unwrapped.command) refuse(call, unwrapped.sw);
  const iso7816::CommandApdu& plain = *unwrapped.command;
  if (plain.cla == wire.command.cla && plain.data == wire.command.data) {
    call.return_short(length);  // passed through unchanged (no session open, or level 00)
    return;
  }
  // Reformatted in the same Lc form; a command left without data keeps an Lc of zero (GP API).
  Bytes out{plain.cla, plain.ins, plain.p1, plain.p2};
  if (wire.extended_lc) {
    out.push_back(0x00);
    out.push_back(static_cast<std::uint8_t>(plain.data.size() >> 8));
  }
  out.push_back(static_cast<std::uint8_t>(plain.data.size() & 0xFF));
  append(out, plain.data);
  call.write_bytes(buffer, offset, out, vm::Atomicity::non_atomic);
  call.return_short(static_cast<std::int16_t>(out.size()));
}

// wrap(byte[] buffer, short offset, short length): response data then SW1 SW2 -> the protected data
// (status word left out), written back at offset.
void wrap(NativeCall& call) {
  const Ref buffer = call.arg_ref(1);
  const std::int16_t offset = call.arg_short(2);
  const std::int16_t length = call.arg_short(3);
  if (length < 2) refuse(call, sw::kWrongLength);
  const ByteView raw = call.bytes(buffer, offset, length);
  iso7816::ResponseApdu plain(Bytes(raw.begin(), raw.end() - 2),
                              static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]));
  gp::Scp03Card* channel = session(call);
  const iso7816::ResponseApdu wire = channel != nullptr ? channel->wrap(plain) : plain;
  call.write_bytes(buffer, offset, wire.data, vm::Atomicity::non_atomic);
  call.return_short(static_cast<std::int16_t>(wire.data.size()));
}

// decryptData / encryptData(byte[] buffer, short offset, short length), in place.
template <bool Encrypt>
void sensitive_data(NativeCall& call) {
  const Ref buffer = call.arg_ref(1);
  const std::int16_t offset = call.arg_short(2);
  const std::int16_t length = call.arg_short(3);
  const ByteView data = call.bytes(buffer, offset, length);
  gp::Scp03Card* channel = session(call);
  if (channel == nullptr || channel->state() != gp::Scp03Card::State::open) {
    refuse(call, sw::kSecurityStatusNotSatisfied);
  }
  if (length % 16 != 0) refuse(call, sw::kWrongLength);
  Bytes result;
  try {
    result = Encrypt ? channel->encrypt_sensitive_data(data) : channel->decrypt_sensitive_data(data);
  } catch (const Error&) {
    refuse(call, sw::kSecurityStatusNotSatisfied);  // the session's key set was replaced meanwhile
  }
  call.charge(SeOperation::aes_block, result.size());
  call.write_bytes(buffer, offset, result, vm::Atomicity::non_atomic);
  call.return_short(length);
}

void reset_security(NativeCall& call) {
  if (gp::Scp03Card* channel = session(call)) channel->terminate();
}

void security_level(NativeCall& call) {
  const gp::Scp03Card* channel = session(call);
  call.return_byte(static_cast<std::int8_t>(channel != nullptr ? channel->current_security_level() : 0x00));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/jcre/gp/SecureChannelImpl.process([BSS)S", process},
    {"org/sefleet/jcre/gp/SecureChannelImpl.wrap([BSS)S", wrap},
    {"org/sefleet/jcre/gp/SecureChannelImpl.unwrap([BSS)S", unwrap},
    {"org/sefleet/jcre/gp/SecureChannelImpl.decryptData([BSS)S", sensitive_data<false>},
    {"org/sefleet/jcre/gp/SecureChannelImpl.encryptData([BSS)S", sensitive_data<true>},
    {"org/sefleet/jcre/gp/SecureChannelImpl.resetSecurity()V", reset_security},
    {"org/sefleet/jcre/gp/SecureChannelImpl.getSecurityLevel()B", security_level},
};

}  // namespace

vm::NativeTable globalplatform_secure_channel_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

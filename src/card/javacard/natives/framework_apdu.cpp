// javacard.framework.APDU over the VM's ApduState: receiving the data field into the APDU buffer,
// the outgoing state machine, the bytes sent (they become the response data), and the CLA helpers.
// The interface behaves as T=1 (block size 254, NAD 0); extended lengths are for applets that
// implement javacardx.apdu.ExtendedLength.
#include <algorithm>
#include <cstring>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/natives/native_tables.hpp"
#include "card/javacard/vm/firewall.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/cla_coding.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;
namespace state = vm::apdu_state;

constexpr std::string_view kApduException = "javacard/framework/APDUException";
constexpr std::int16_t kIllegalUse = 1;
constexpr std::int16_t kBufferBounds = 2;
constexpr std::int16_t kBadLength = 3;
constexpr std::int16_t kBlockSize = 254;
constexpr std::int8_t kProtocolT1 = 1;
constexpr std::int16_t kMaxShort = 0x7FFF;

vm::ApduState& current(NativeCall& call) {
  vm::ApduState* apdu = call.vm().entry().apdu;
  if (apdu == nullptr) call.throw_exception(kApduException, kIllegalUse);
  return *apdu;
}

vm::Ref buffer_ref(NativeCall& call, const vm::ApduState& apdu) {
  return apdu.extended_applet ? call.vm().extended_apdu_buffer() : call.vm().apdu_buffer();
}

heap::Object& buffer_of(NativeCall& call, const vm::ApduState& apdu) {
  return *call.vm().heap().find(buffer_ref(call, apdu));
}

void get_buffer(NativeCall& call) {
  vm::ApduState* apdu = call.vm().entry().apdu;
  call.return_ref(apdu != nullptr ? buffer_ref(call, *apdu) : call.vm().apdu_buffer());
}

void in_block_size(NativeCall& call) {
  call.return_short(kBlockSize);
}

void out_block_size(NativeCall& call) {
  call.return_short(kBlockSize);
}

void protocol(NativeCall& call) {
  call.return_byte(kProtocolT1);
}

void nad(NativeCall& call) {
  call.return_byte(0);
}

// Le as the API reports it: 256 for a short command without Le or with 00, up to 32767 for extended.
std::int16_t expected_length(const vm::ApduState& apdu) {
  if (apdu.ne == 0) return apdu.extended ? kMaxShort : 256;
  return static_cast<std::int16_t>(std::min<std::int32_t>(apdu.ne, kMaxShort));
}

void start_outgoing(NativeCall& call, vm::ApduState& apdu, bool no_chaining) {
  if (apdu.state < state::kInitial || apdu.state >= state::kOutgoing) call.throw_exception(kApduException, kIllegalUse);
  apdu.state = state::kOutgoing;
  apdu.no_chaining = no_chaining;
}

void set_outgoing(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  start_outgoing(call, apdu, false);
  call.return_short(expected_length(apdu));
}

void set_outgoing_no_chaining(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  start_outgoing(call, apdu, true);
  call.return_short(expected_length(apdu));
}

void outgoing_length(NativeCall& call, vm::ApduState& apdu, std::int16_t length) {
  if (apdu.state != state::kOutgoing) call.throw_exception(kApduException, kIllegalUse);
  if (length < 0 || (length > 256 && !apdu.extended_applet)) call.throw_exception(kApduException, kBadLength);
  apdu.state = state::kOutgoingLengthKnown;
  apdu.outgoing_left = length;
}

void set_outgoing_length(NativeCall& call) {
  outgoing_length(call, current(call), call.arg_short(1));
}

std::int16_t receive(NativeCall& call, vm::ApduState& apdu, std::int16_t offset) {
  if (!apdu.incoming || apdu.state >= state::kOutgoing || apdu.state < state::kInitial) {
    call.throw_exception(kApduException, kIllegalUse);
  }
  heap::Object& buffer = buffer_of(call, apdu);
  const std::int32_t remaining = apdu.nc - apdu.received;
  if (offset < 0 || (remaining > 0 && offset >= buffer.length)) call.throw_exception(kApduException, kBufferBounds);
  const std::int32_t count = std::min(remaining, buffer.length - offset);
  if (count > 0) {
    std::memcpy(buffer.bytes() + offset, apdu.command->data.data() + apdu.received, static_cast<std::size_t>(count));
  }
  apdu.received += count;
  apdu.state = apdu.received == apdu.nc ? state::kFullIncoming : state::kPartialIncoming;
  return static_cast<std::int16_t>(count);
}

void receive_bytes(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  call.return_short(receive(call, apdu, call.arg_short(1)));
}

void set_incoming_and_receive(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  if (apdu.incoming || apdu.state != state::kInitial) call.throw_exception(kApduException, kIllegalUse);
  apdu.incoming = true;
  call.return_short(receive(call, apdu, static_cast<std::int16_t>(apdu.offset_cdata())));
}

void send(NativeCall& call, vm::ApduState& apdu, ByteView data) {
  if (apdu.state != state::kOutgoingLengthKnown && apdu.state != state::kPartialOutgoing) {
    call.throw_exception(kApduException, kIllegalUse);
  }
  if (static_cast<std::int32_t>(data.size()) > apdu.outgoing_left) call.throw_exception(kApduException, kIllegalUse);
  apdu.response.insert(apdu.response.end(), data.begin(), data.end());
  apdu.outgoing_left -= static_cast<std::int32_t>(data.size());
  apdu.state = apdu.outgoing_left == 0 ? state::kFullOutgoing : state::kPartialOutgoing;
}

ByteView buffer_range(NativeCall& call, const vm::ApduState& apdu, std::int16_t offset, std::int16_t length) {
  const heap::Object& buffer = buffer_of(call, apdu);
  if (offset < 0 || length < 0 || offset + length > buffer.length) call.throw_exception(kApduException, kBufferBounds);
  return ByteView(buffer.bytes() + offset, static_cast<std::size_t>(length));
}

void send_bytes(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  const std::int16_t offset = call.arg_short(1);
  const std::int16_t length = call.arg_short(2);
  const ByteView data = buffer_range(call, apdu, offset, length);
  send(call, apdu, data);
}

void send_bytes_long(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  vm::Vm& machine = call.vm();
  const vm::Ref array = call.arg_ref(1);
  const std::int16_t offset = call.arg_short(2);
  const std::int16_t length = call.arg_short(3);
  heap::Object* data = machine.heap().find(array);
  if (data == nullptr) call.throw_vm_exception(vm::VmException::null_pointer);
  // The APDU object is the JCRE's, so the native runs in the JCRE context: the array must be one
  // the caller itself may read.
  if (!machine.caller_privileged()) vm::firewall::check_access(machine, *data, machine.caller_context());
  if (data->kind != heap::ObjectKind::array_byte) throw vm::VmAbort("sendBytesLong of a non-byte array");
  if (offset < 0 || length < 0 || offset + length > data->length) {
    call.throw_vm_exception(vm::VmException::array_index_out_of_bounds);
  }
  send(call, apdu, ByteView(data->bytes() + offset, static_cast<std::size_t>(length)));
}

void set_outgoing_and_send(NativeCall& call) {
  vm::ApduState& apdu = current(call);
  const std::int16_t offset = call.arg_short(1);
  const std::int16_t length = call.arg_short(2);
  const ByteView data = buffer_range(call, apdu, offset, length);
  start_outgoing(call, apdu, false);
  outgoing_length(call, apdu, length);
  send(call, apdu, data);
}

void current_state(NativeCall& call) {
  call.return_byte(current(call).state);
}

// Only the selected applet's context may reach the APDU object through these static methods, and
// only while it processes a command (JCRE 6.2.1 / APDU.getCurrentAPDU).
void require_selected_caller(NativeCall& call) {
  vm::Vm& machine = call.vm();
  const vm::Instance* selected = machine.entry().instance;
  if (machine.entry().apdu == nullptr || selected == nullptr) call.throw_vm_exception(vm::VmException::security);
  if (!machine.caller_privileged() && selected->package->context != machine.caller_context()) {
    call.throw_vm_exception(vm::VmException::security);
  }
}

void current_apdu(NativeCall& call) {
  require_selected_caller(call);
  call.return_ref(call.vm().apdu_object());
}

void current_apdu_buffer(NativeCall& call) {
  require_selected_caller(call);
  call.return_ref(buffer_ref(call, *call.vm().entry().apdu));
}

std::optional<ClassByte> class_of(NativeCall& call) {
  return decode_class(current(call).command->cla);
}

void cla_channel(NativeCall& call) {
  const vm::ApduState* apdu = call.vm().entry().apdu;
  const auto cls = apdu != nullptr ? decode_class(apdu->command->cla) : std::nullopt;
  call.return_byte(cls ? static_cast<std::int8_t>(cls->channel) : 0);
}

void wait_extension(NativeCall& call) {
  // The virtual card has no waiting time to extend; after setOutgoingNoChaining() it is refused as
  // the API specifies.
  if (current(call).no_chaining) call.throw_exception(kApduException, kIllegalUse);
}

void is_command_chaining(NativeCall& call) {
  call.return_boolean((current(call).command->cla & 0x10) != 0);
}

void is_secure_messaging(NativeCall& call) {
  const auto cls = class_of(call);
  call.return_boolean(cls && cls->secure_messaging);
}

void is_interindustry(NativeCall& call) {
  call.return_boolean((current(call).command->cla & 0x80) == 0);
}

void is_valid_cla(NativeCall& call) {
  call.return_boolean(class_of(call).has_value());
}

// getIncomingLength / getOffsetCdata: after setIncomingAndReceive(), before setOutgoing().
void require_incoming(NativeCall& call, const vm::ApduState& apdu) {
  if (!apdu.incoming || apdu.state >= state::kOutgoing || apdu.state < state::kInitial) {
    call.throw_exception(kApduException, kIllegalUse);
  }
}

void incoming_length(NativeCall& call) {
  const vm::ApduState& apdu = current(call);
  require_incoming(call, apdu);
  call.return_short(static_cast<std::int16_t>(std::min<std::int32_t>(apdu.nc, kMaxShort)));
}

void offset_cdata(NativeCall& call) {
  const vm::ApduState& apdu = current(call);
  require_incoming(call, apdu);
  call.return_short(static_cast<std::int16_t>(apdu.offset_cdata()));
}

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/framework/APDU.getBuffer()[B", get_buffer},
    {"javacard/framework/APDU.getInBlockSize()S", in_block_size},
    {"javacard/framework/APDU.getOutBlockSize()S", out_block_size},
    {"javacard/framework/APDU.getProtocol()B", protocol},
    {"javacard/framework/APDU.getNAD()B", nad},
    {"javacard/framework/APDU.setOutgoing()S", set_outgoing},
    {"javacard/framework/APDU.setOutgoingNoChaining()S", set_outgoing_no_chaining},
    {"javacard/framework/APDU.setOutgoingLength(S)V", set_outgoing_length},
    {"javacard/framework/APDU.receiveBytes(S)S", receive_bytes},
    {"javacard/framework/APDU.setIncomingAndReceive()S", set_incoming_and_receive},
    {"javacard/framework/APDU.sendBytes(SS)V", send_bytes},
    {"javacard/framework/APDU.sendBytesLong([BSS)V", send_bytes_long},
    {"javacard/framework/APDU.setOutgoingAndSend(SS)V", set_outgoing_and_send},
    {"javacard/framework/APDU.getCurrentState()B", current_state},
    {"javacard/framework/APDU.getCurrentAPDU()Ljavacard/framework/APDU;", current_apdu},
    {"javacard/framework/APDU.getCurrentAPDUBuffer()[B", current_apdu_buffer},
    {"javacard/framework/APDU.getCLAChannel()B", cla_channel},
    {"javacard/framework/APDU.waitExtension()V", wait_extension},
    {"javacard/framework/APDU.isCommandChainingCLA()Z", is_command_chaining},
    {"javacard/framework/APDU.isSecureMessagingCLA()Z", is_secure_messaging},
    {"javacard/framework/APDU.isISOInterindustryCLA()Z", is_interindustry},
    {"javacard/framework/APDU.isValidCLA()Z", is_valid_cla},
    {"javacard/framework/APDU.getIncomingLength()S", incoming_length},
    {"javacard/framework/APDU.getOffsetCdata()S", offset_cdata},
};

}  // namespace

vm::NativeTable framework_apdu_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

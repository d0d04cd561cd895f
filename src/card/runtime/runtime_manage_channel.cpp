// MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2, JCRE §4.5.1 and §4.6.1), handled by the runtime and never
// forwarded to an applet.
#include "card/runtime/response_chaining.hpp"
#include "card/runtime/runtime.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace sw = iso7816::sw;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

namespace {
inline constexpr std::uint8_t kOpen = 0x00;
inline constexpr std::uint8_t kClose = 0x80;
inline constexpr std::uint8_t kCardAssigns = 0x00;
inline constexpr std::uint8_t kHighestChannel = 19;
inline constexpr std::uint16_t kSwExactLengthOne = 0x6C01;  // Le must be 01 (JCRE §4.5.1)
inline constexpr std::uint16_t kSwChannelNotOpen = 0x6200;  // warning, nothing to close (JCRE §4.6.1)

Bytes channel_status(std::uint16_t word) {
  return ResponseApdu(word).encode();
}
}  // namespace

Bytes Runtime::handle_manage_channel(std::uint8_t origin, const CommandApdu& command) {
  if (command.p1 == kOpen) return open_channel(origin, command);
  if (command.p1 == kClose) return close_channel(command);
  return channel_status(sw::kIncorrectP1P2);
}

Bytes Runtime::open_channel(std::uint8_t origin, const CommandApdu& command) {
  if (!command.data.empty()) return channel_status(sw::kWrongLength);
  if (channels_.size() == 1) return channel_status(sw::kLogicalChannelNotSupported);  // basic channel only

  std::size_t target = 0;
  if (command.p2 == kCardAssigns) {
    if (command.ne != std::size_t{1}) return channel_status(kSwExactLengthOne);
    for (std::size_t i = 1; i < channels_.size() && target == 0; ++i) {
      if (!channels_[i].open) target = i;
    }
    if (target == 0) return channel_status(sw::kFunctionNotSupported);  // every channel is in use
  } else {
    target = command.p2;
    if (target >= channels_.size() || channels_[target].open) return channel_status(sw::kIncorrectP1P2);
  }

  const auto number = static_cast<std::uint8_t>(target);
  channels_[number].open = true;
  // ISO/IEC 7816-4 §11.1.2: opened from the basic channel, the new channel gets the default applet;
  // opened from another channel, it gets that channel's applet (which must be multi-selectable).
  const RegistryEntry* candidate = nullptr;
  if (origin == 0) {
    candidate = default_entry();
  } else if (channels_[origin].applet != nullptr) {
    candidate = registry_.find(channels_[origin].aid);
  }
  if (candidate != nullptr) {
    std::uint16_t result = sw::kUnknown;
    try {
      result = select_on_channel(number, *candidate);
    } catch (...) {  // a selection gate that throws: the channel must not stay half-open
      deselect(number);
      channels_[number].open = false;
      throw;
    }
    if (result != sw::kOk) {
      deselect(number);
      channels_[number].open = false;
      return channel_status(result);
    }
  }
  ResponseApdu response;
  if (command.p2 == kCardAssigns) response.data.push_back(number);
  return response.encode();
}

Bytes Runtime::close_channel(const CommandApdu& command) {
  if (!command.data.empty()) return channel_status(sw::kWrongLength);
  if (command.p2 == 0 || command.p2 > kHighestChannel) return channel_status(sw::kFunctionNotSupported);
  if (command.p2 >= channels_.size() || !channels_[command.p2].open) return channel_status(kSwChannelNotOpen);
  deselect(command.p2);
  channels_[command.p2].open = false;
  return channel_status(sw::kOk);
}

}  // namespace sefleet::card

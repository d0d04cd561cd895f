#include "card/runtime/apdu.hpp"

#include <utility>

#include "card/runtime/applet.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

Bytes Apdu::take_incoming() {
  if (owned_ == nullptr) return Bytes(command_->data.begin(), command_->data.end());
  Bytes taken = std::move(owned_->data);
  owned_->data.clear();  // a moved-from vector is valid but unspecified: make it empty
  return taken;
}

void Apdu::set_outgoing(ByteView data) {
  if (data.size() > kMaxOutgoing) throw StatusWordError(iso7816::sw::kWrongLength, "outgoing data over 65536 bytes");
  outgoing_.assign(data.begin(), data.end());
  outgoing_set_ = true;
}

void Apdu::append_outgoing(ByteView data) {
  if (outgoing_.size() + data.size() > kMaxOutgoing) {
    throw StatusWordError(iso7816::sw::kWrongLength, "outgoing data over 65536 bytes");
  }
  outgoing_.insert(outgoing_.end(), data.begin(), data.end());
  outgoing_set_ = true;
}

void Apdu::set_outgoing_no_chaining(ByteView data) {
  if (!data.empty()) {
    if (!has_le()) throw StatusWordError(iso7816::sw::kWrongLength, "the command has no Le field");
    if (data.size() > ne()) {
      if (command_->extended || data.size() > iso7816::kMaxShortNe) {
        throw StatusWordError(iso7816::sw::kWrongLength, "outgoing data longer than Ne");
      }
      // 6Cxx: wrong Le, xx = the exact length (00 = 256), ISO/IEC 7816-3 T=0 convention.
      throw StatusWordError(static_cast<std::uint16_t>(0x6C00 | (data.size() & 0xFF)), "outgoing data longer than Ne");
    }
  }
  set_outgoing(data);
}

Bytes Apdu::take_outgoing() noexcept {
  outgoing_set_ = false;
  return std::exchange(outgoing_, Bytes{});
}

}  // namespace sefleet::card

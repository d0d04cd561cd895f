#include "transport/pcsc_channel.hpp"

#include <winscard.h>

#include <fmt/format.h>
#include <utility>

#include "core/error.hpp"

namespace sefleet::transport {

PcscChannel::PcscChannel(std::shared_ptr<const PcscContext> context, std::string reader)
    : context_(std::move(context)), reader_(std::move(reader)) {
  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  const LONG rv = SCardConnect(context_->handle(), reader_.c_str(), SCARD_SHARE_SHARED,
                               SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rv != SCARD_S_SUCCESS) {
    throw Error(Errc::io_error, fmt::format("connecting to the card in '{}': {}", reader_, pcsc_error_text(rv)));
  }
  card_ = card;
  protocol_ = protocol;
  receive_buffer_.resize(MAX_BUFFER_SIZE_EXTENDED);
}

PcscChannel::~PcscChannel() {
  SCardDisconnect(card_, SCARD_LEAVE_CARD);
}

std::unique_ptr<PcscChannel> PcscChannel::open(std::string_view reader_spec, std::chrono::milliseconds wait_for_card) {
  auto context = std::make_shared<const PcscContext>();
  std::string reader = context->resolve_reader(reader_spec);
  if (!context->wait_for_card(reader, CardPresence::present, wait_for_card)) {
    throw Error(Errc::io_error, wait_for_card.count() > 0
                                    ? fmt::format("no card in '{}' after waiting {} ms", reader, wait_for_card.count())
                                    : fmt::format("no card in '{}'", reader));
  }
  return std::make_unique<PcscChannel>(std::move(context), std::move(reader));
}

void PcscChannel::fail(const char* operation, long rv) const {
  throw Error(Errc::io_error, fmt::format("{} (reader '{}'): {}", operation, reader_, pcsc_error_text(rv)));
}

bool PcscChannel::uses_t1() const noexcept {
  return protocol_ == SCARD_PROTOCOL_T1;
}

Bytes PcscChannel::transmit(ByteView command) {
  if (command.empty() || command.size() > MAX_BUFFER_SIZE_EXTENDED) {
    throw Error(Errc::invalid_argument, fmt::format("{}: a {}-byte command cannot be sent (1..{} bytes)", description(),
                                                    command.size(), MAX_BUFFER_SIZE_EXTENDED));
  }
  DWORD received = receive_buffer_.size();
  const SCARD_IO_REQUEST* pci = uses_t1() ? SCARD_PCI_T1 : SCARD_PCI_T0;
  const LONG rv = SCardTransmit(card_, pci, command.data(), command.size(), nullptr, receive_buffer_.data(), &received);
  if (rv != SCARD_S_SUCCESS) {
    fail("SCardTransmit", rv);
  }
  if (received < 2) {
    throw Error(Errc::protocol_error, fmt::format("{}: card answered with {} bytes, an R-APDU has at least SW1 SW2",
                                                  description(), received));
  }
  return Bytes(receive_buffer_.begin(), receive_buffer_.begin() + static_cast<std::ptrdiff_t>(received));
}

Bytes PcscChannel::atr() {
  char name[MAX_READERNAME] = {};
  DWORD name_length = sizeof name;
  DWORD state = 0;
  DWORD protocol = 0;
  BYTE atr[MAX_ATR_SIZE] = {};
  DWORD atr_length = sizeof atr;
  const LONG rv = SCardStatus(card_, name, &name_length, &state, &protocol, atr, &atr_length);
  if (rv != SCARD_S_SUCCESS) {
    fail("SCardStatus", rv);
  }
  return Bytes(atr, atr + atr_length);
}

void PcscChannel::reset() {
  DWORD protocol = 0;
  const LONG rv =
      SCardReconnect(card_, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &protocol);
  if (rv != SCARD_S_SUCCESS) {
    fail("SCardReconnect (reset)", rv);
  }
  protocol_ = protocol;
}

}  // namespace sefleet::transport

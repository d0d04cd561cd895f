// A CardChannel to a card in a PC/SC reader through pcsc-lite: real cards, or the virtual SE behind
// pcscd + vpcd (`sefleet apdu --reader NAME`). Connects SHARED with T=0 or T=1 (whichever the card
// and reader agree on), so other PC/SC clients can use the card as well between our exchanges.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "transport/card_channel.hpp"
#include "transport/pcsc_context.hpp"

namespace sefleet::transport {

class PcscChannel final : public CardChannel {
 public:
  // Connects to the card in `reader` (an exact reader name). Throws Error(Errc::io_error) with the
  // PC/SC reason and the reader name (no card, reader unknown, card unresponsive ...).
  PcscChannel(std::shared_ptr<const PcscContext> context, std::string reader);
  // Disconnects, leaving the card powered (SCARD_LEAVE_CARD).
  ~PcscChannel() override;
  PcscChannel(const PcscChannel&) = delete;
  PcscChannel& operator=(const PcscChannel&) = delete;

  // Establishes a context, resolves `reader_spec` (name, unique substring or index; a clear error
  // listing the readers otherwise), waits up to `wait_for_card` for a card when none is present yet
  // (zero = do not wait), and connects. Throws Error(Errc::io_error) on timeout.
  static std::unique_ptr<PcscChannel> open(std::string_view reader_spec,
                                           std::chrono::milliseconds wait_for_card = std::chrono::milliseconds{0});

  // Commands up to 65548 bytes (pcsc-lite's MAX_BUFFER_SIZE_EXTENDED), otherwise
  // Error(Errc::invalid_argument). Error(Errc::io_error) on PC/SC failure, Error(Errc::protocol_error)
  // on a response shorter than SW1 SW2.
  Bytes transmit(ByteView command) override;
  // SCardStatus.
  Bytes atr() override;
  // SCardReconnect with SCARD_RESET_CARD (vpcd sees 02 then 04).
  void reset() override;
  std::string description() const override { return "pcsc:" + reader_; }

  const std::string& reader() const noexcept { return reader_; }
  // True when T=1 is active, false for T=0.
  bool uses_t1() const noexcept;

 private:
  [[noreturn]] void fail(const char* operation, long rv) const;

  std::shared_ptr<const PcscContext> context_;
  std::string reader_;
  long card_ = 0;               // SCARDHANDLE
  unsigned long protocol_ = 0;  // SCARD_PROTOCOL_T0 / T1
  Bytes receive_buffer_;        // reused: no 64 KiB allocation per APDU
};

}  // namespace sefleet::transport

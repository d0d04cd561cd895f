// A pcsc-lite context (SCardEstablishContext): lists readers and waits for card insertion/removal.
// Clients follow PCSCLITE_CSOCK_NAME, so the same code reaches the system pcscd or an isolated one
// (tests/support/pcsc_sandbox.sh). A context must not be used by two threads at the same time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sefleet::transport {

enum class CardPresence { present, absent };

class PcscContext {
 public:
  // Throws Error(Errc::io_error) with pcsc-lite's reason when pcscd cannot be reached.
  PcscContext();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  // Reader names in pcscd's order; empty when there are none. Throws Error(Errc::io_error).
  std::vector<std::string> readers() const;

  // select_reader() over readers(): exact name, index, or unique substring (reader_selection.hpp).
  std::string resolve_reader(std::string_view spec) const;

  // Blocks (SCardGetStatusChange, no polling) until the reader has / has no card, or `timeout` passes.
  // Returns false on timeout. Throws Error(Errc::not_found) for an unknown reader, Error(Errc::io_error)
  // on other PC/SC failures.
  bool wait_for_card(const std::string& reader, CardPresence wanted, std::chrono::milliseconds timeout) const;

  // The SCARDCONTEXT (pcsc-lite's LONG), for PcscChannel.
  long handle() const noexcept { return context_; }

 private:
  long context_ = 0;
};

// "Service not available. (0x8010001D)": pcsc_stringify_error plus the code, for Error messages.
std::string pcsc_error_text(long rv);

}  // namespace sefleet::transport

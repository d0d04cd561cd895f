#include "transport/pcsc_context.hpp"

#include <winscard.h>

#include <fmt/format.h>
#include <type_traits>

#include "core/error.hpp"
#include "transport/reader_selection.hpp"

namespace sefleet::transport {

// The header keeps pcsc-lite's types out; these are the types they stand for on Linux.
static_assert(std::is_same_v<SCARDCONTEXT, long>, "pcsc-lite SCARDCONTEXT is expected to be LONG (long)");
static_assert(std::is_same_v<DWORD, unsigned long>, "pcsc-lite DWORD is expected to be unsigned long");

std::string pcsc_error_text(long rv) {
  return fmt::format("{} (0x{:08X})", pcsc_stringify_error(rv), static_cast<std::uint32_t>(rv));
}

PcscContext::PcscContext() {
  SCARDCONTEXT context = 0;
  const LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context);
  if (rv != SCARD_S_SUCCESS) {
    throw Error(Errc::io_error,
                "cannot reach pcscd (is it running? PCSCLITE_CSOCK_NAME selects its socket): " + pcsc_error_text(rv));
  }
  context_ = context;
}

PcscContext::~PcscContext() {
  SCardReleaseContext(context_);
}

std::vector<std::string> PcscContext::readers() const {
  // The list can change between the two calls (a reader plugged in): retry when it grew.
  for (int attempt = 0; attempt < 4; ++attempt) {
    DWORD length = 0;
    LONG rv = SCardListReaders(context_, nullptr, nullptr, &length);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) {
      return {};
    }
    if (rv != SCARD_S_SUCCESS) {
      throw Error(Errc::io_error, "listing PC/SC readers: " + pcsc_error_text(rv));
    }
    std::string buffer(length, '\0');
    rv = SCardListReaders(context_, nullptr, buffer.data(), &length);
    if (rv == SCARD_E_INSUFFICIENT_BUFFER) {
      continue;
    }
    if (rv == SCARD_E_NO_READERS_AVAILABLE) {
      return {};
    }
    if (rv != SCARD_S_SUCCESS) {
      throw Error(Errc::io_error, "listing PC/SC readers: " + pcsc_error_text(rv));
    }
    // A multi-string: names separated by NUL, terminated by an empty name.
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < buffer.size() && buffer[start] != '\0') {
      const auto end = buffer.find('\0', start);
      names.emplace_back(buffer.substr(start, end - start));
      start = end + 1;
    }
    return names;
  }
  throw Error(Errc::io_error, "listing PC/SC readers: the reader list kept changing");
}

std::string PcscContext::resolve_reader(std::string_view spec) const {
  return select_reader(readers(), spec);
}

bool PcscContext::wait_for_card(const std::string& reader, CardPresence wanted,
                                std::chrono::milliseconds timeout) const {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  SCARD_READERSTATE state{};
  state.szReader = reader.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;  // first call reports the current state at once
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    const DWORD wait_ms = left.count() > 0 ? static_cast<DWORD>(left.count()) : 0;
    const LONG rv = SCardGetStatusChange(context_, wait_ms, &state, 1);
    if (rv == SCARD_E_TIMEOUT) {
      return false;
    }
    if (rv == SCARD_E_UNKNOWN_READER || (rv == SCARD_S_SUCCESS && (state.dwEventState & SCARD_STATE_UNKNOWN) != 0)) {
      throw Error(Errc::not_found, fmt::format("PC/SC reader '{}' is not known to pcscd", reader));
    }
    if (rv != SCARD_S_SUCCESS) {
      throw Error(Errc::io_error, fmt::format("waiting for a card in '{}': {}", reader, pcsc_error_text(rv)));
    }
    const bool present = (state.dwEventState & SCARD_STATE_PRESENT) != 0;
    if (present == (wanted == CardPresence::present)) {
      return true;
    }
    if (wait_ms == 0) {
      return false;
    }
    state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  }
}

}  // namespace sefleet::transport

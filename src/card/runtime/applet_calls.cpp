#include "card/runtime/applet_calls.hpp"

#include <exception>

#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace {
void log_exception(const char* entry_point, AppletContext& ctx, const char* what) noexcept {
  try {
    spdlog::warn("card runtime: applet {} {}() on channel {} threw: {}", to_hex(ctx.aid()), entry_point, ctx.channel(),
                 what);
  } catch (...) {  // logging must not turn a handled failure into an escaping one
  }
}
}  // namespace

iso7816::ResponseApdu call_process(Applet& applet, const iso7816::CommandApdu& command, AppletContext& ctx) noexcept {
  try {
    return applet.process(command, ctx);
  } catch (const StatusWordError& e) {
    return iso7816::ResponseApdu(e.sw());
  } catch (const std::exception& e) {
    log_exception("process", ctx, e.what());
  } catch (...) {
    log_exception("process", ctx, "a non-standard exception");
  }
  return iso7816::ResponseApdu(iso7816::sw::kUnknown);
}

iso7816::ResponseApdu call_process(Applet& applet, const iso7816::CommandApdu& command, RuntimeContext& ctx,
                                   Apdu& apdu) noexcept {
  ctx.set_apdu(&apdu);
  iso7816::ResponseApdu response = call_process(applet, command, ctx);
  ctx.set_apdu(nullptr);
  if (!apdu.outgoing_set()) return response;
  if (!response.data.empty()) {
    log_exception("process", ctx, "returned data and also set outgoing data");
    return iso7816::ResponseApdu(iso7816::sw::kUnknown);
  }
  const std::uint8_t sw1 = static_cast<std::uint8_t>(response.sw >> 8);
  if (sw1 == 0x62 || sw1 == 0x63 || (sw1 & 0xF0) == 0x90) {
    try {
      response.data = apdu.take_outgoing();
    } catch (...) {  // take_outgoing moves; nothing can throw, but keep the noexcept promise explicit
      return iso7816::ResponseApdu(iso7816::sw::kUnknown);
    }
  }
  return response;
}

bool call_select(Applet& applet, AppletContext& ctx) noexcept {
  try {
    return applet.select(ctx);
  } catch (const std::exception& e) {
    log_exception("select", ctx, e.what());
  } catch (...) {
    log_exception("select", ctx, "a non-standard exception");
  }
  return false;
}

void call_deselect(Applet& applet, AppletContext& ctx) noexcept {
  try {
    applet.deselect(ctx);
  } catch (const std::exception& e) {
    log_exception("deselect", ctx, e.what());
  } catch (...) {
    log_exception("deselect", ctx, "a non-standard exception");
  }
}

}  // namespace sefleet::card

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

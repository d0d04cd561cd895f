// Calls into applet code with the runtime's exception rule: StatusWordError becomes its status word,
// any other exception becomes 6F00 and is logged; nothing propagates (JCRE §3.3).
#pragma once

#include "card/runtime/apdu.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/runtime_context.hpp"

namespace sefleet::card {

iso7816::ResponseApdu call_process(Applet& applet, const iso7816::CommandApdu& command, AppletContext& ctx) noexcept;
// The same with the APDU object: ctx.apdu() is `apdu` during the call. Outgoing data the applet set
// becomes the response data when process() returned none (with its status word, if that is a
// 9xxx/62xx/63xx one: an error status carries no data); both set -> 6F00 (docs/deferred-execution.md).
iso7816::ResponseApdu call_process(Applet& applet, const iso7816::CommandApdu& command, RuntimeContext& ctx,
                                   Apdu& apdu) noexcept;
// select() returning false or throwing anything refuses the selection.
bool call_select(Applet& applet, AppletContext& ctx) noexcept;
// Deselection always succeeds (JCRE §4.6); an exception is logged and ignored.
void call_deselect(Applet& applet, AppletContext& ctx) noexcept;

}  // namespace sefleet::card

// Calls into applet code with the runtime's exception rule: StatusWordError becomes its status word,
// any other exception becomes 6F00 and is logged; nothing propagates (JCRE §3.3).
#pragma once

#include "card/runtime/applet.hpp"

namespace sefleet::card {

iso7816::ResponseApdu call_process(Applet& applet, const iso7816::CommandApdu& command, AppletContext& ctx) noexcept;
// select() returning false or throwing anything refuses the selection.
bool call_select(Applet& applet, AppletContext& ctx) noexcept;
// Deselection always succeeds (JCRE §4.6); an exception is logged and ignored.
void call_deselect(Applet& applet, AppletContext& ctx) noexcept;

}  // namespace sefleet::card

// `sefleet demo --pcsc`: the same campaign, but each terminal reaches the virtual SEs through pcscd,
// as it would reach physical cards: one SE at a time is attached to a vpcd reader slot (the card side
// of vsmartcard's vpcd driver, transport::VpcdCardLink), the terminal talks PC/SC to that reader,
// then the SE is detached and the next one attached. A planned power cut removes the card from the
// reader mid-stream. Needs a running pcscd with the vpcd driver (tests/support/pcsc_sandbox.sh).
#pragma once

#include <functional>

#include "sim/demo/fleet_demo.hpp"
#include "transport/host_port.hpp"

namespace sefleet::sim::demo {

// `vpcd`: where vpcd listens for slot 0 (slot k is port + k). One terminal per vpcd reader slot that
// pcscd lists (at most options.terminals). Throws Error(io_error) when pcscd cannot be reached,
// Error(not_found) when it lists no vpcd reader.
DemoResult run_pcsc_demo(DemoOptions options, const transport::HostPort& vpcd,
                         const std::function<void(const DemoResult&)>& hold = {});

}  // namespace sefleet::sim::demo

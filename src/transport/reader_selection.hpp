// Choosing a PC/SC reader from what the user typed (`--reader NAME`): pure logic, no PC/SC calls, so
// the rules are unit-tested without pcscd.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sefleet::transport {

// Returns the reader `spec` designates among `readers`, tried in this order:
//  1. a reader whose name is exactly `spec`;
//  2. when `spec` is a decimal number: the reader at that index (0-based, the order pcscd lists them,
//     as `opensc-tool -l` numbers them);
//  3. the only reader whose name contains `spec` (case-sensitive).
// Throws Error(Errc::not_found) when no reader matches (the message lists the available readers, or
// says that there are none), Error(Errc::invalid_argument) when `spec` is empty or a substring matches
// several readers (the message lists them).
std::string select_reader(const std::vector<std::string>& readers, std::string_view spec);

// "'A', 'B'" or "(none)": for error messages.
std::string describe_readers(const std::vector<std::string>& readers);

}  // namespace sefleet::transport

#include "iso7816/status_words.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace sefleet::iso7816::sw {
namespace {

struct Entry {
  std::uint16_t sw;
  std::string_view name;
};

// ISO/IEC 7816-4 §5.6 and GlobalPlatform Card Specification 2.3.1 Table 11-10 and command tables.
constexpr std::array kNames{
    Entry{0x9000, "success"},
    Entry{0x6200, "warning: state of non-volatile memory unchanged"},
    Entry{0x6281, "warning: part of returned data may be corrupted"},
    Entry{0x6282, "warning: end of file or record reached before reading Ne bytes"},
    Entry{0x6283, "warning: selected file deactivated"},
    Entry{0x6284, "warning: file control information not formatted"},
    Entry{0x6285, "warning: selected file in termination state"},
    Entry{0x6300, "warning: verification or authentication failed (GP: host cryptogram)"},
    Entry{0x6310, "warning: more data available (GP GET STATUS)"},
    Entry{0x6400, "error: state of non-volatile memory unchanged"},
    Entry{0x6500, "error: state of non-volatile memory changed"},
    Entry{0x6581, "error: memory failure"},
    Entry{0x6700, "wrong length"},
    Entry{0x6800, "functions in CLA not supported"},
    Entry{0x6881, "logical channel not supported"},
    Entry{0x6882, "secure messaging not supported"},
    Entry{0x6883, "last command of the chain expected"},
    Entry{0x6884, "command chaining not supported"},
    Entry{0x6900, "command not allowed"},
    Entry{0x6981, "command incompatible with file structure"},
    Entry{0x6982, "security status not satisfied"},
    Entry{0x6983, "authentication method blocked"},
    Entry{0x6984, "reference data not usable"},
    Entry{0x6985, "conditions of use not satisfied"},
    Entry{0x6986, "command not allowed (no current EF)"},
    Entry{0x6987, "expected secure messaging data objects missing"},
    Entry{0x6988, "incorrect secure messaging data objects"},
    Entry{0x6A00, "wrong parameters P1-P2"},
    Entry{0x6A80, "incorrect parameters in the command data field"},
    Entry{0x6A81, "function not supported"},
    Entry{0x6A82, "file or application not found"},
    Entry{0x6A83, "record not found"},
    Entry{0x6A84, "not enough memory space"},
    Entry{0x6A85, "Nc inconsistent with TLV structure"},
    Entry{0x6A86, "incorrect parameters P1-P2"},
    Entry{0x6A87, "Nc inconsistent with parameters P1-P2"},
    Entry{0x6A88, "referenced data or reference data not found"},
    Entry{0x6A89, "file already exists"},
    Entry{0x6A8A, "DF name already exists"},
    Entry{0x6B00, "wrong parameters P1-P2"},
    Entry{0x6D00, "instruction code not supported or invalid"},
    Entry{0x6E00, "class not supported"},
    Entry{0x6F00, "no precise diagnosis"},
    Entry{0x9484, "algorithm not supported (GP)"},
    Entry{0x9485, "invalid key check value (GP, deprecated)"},
};

std::string hex4(std::uint16_t sw) {
  char text[5];
  std::snprintf(text, sizeof text, "%04X", sw);
  return text;
}

}  // namespace

std::string status_word_name(std::uint16_t sw) {
  for (const auto& entry : kNames) {
    if (entry.sw == sw) return hex4(sw) + " " + std::string(entry.name);
  }
  const std::uint8_t sw1 = static_cast<std::uint8_t>(sw >> 8);
  const std::uint8_t sw2 = static_cast<std::uint8_t>(sw);
  switch (sw1) {
    case 0x61:
      return hex4(sw) + " " + std::to_string(sw2 == 0 ? 256 : sw2) + " more bytes available (GET RESPONSE)";
    case 0x6C:
      return hex4(sw) + " wrong Le, exact length is " + std::to_string(sw2 == 0 ? 256 : sw2);
    case 0x62:
      return hex4(sw) + " warning: state of non-volatile memory unchanged";
    case 0x63:
      if ((sw2 & 0xF0) == 0xC0) return hex4(sw) + " warning: counter is " + std::to_string(sw2 & 0x0F);
      return hex4(sw) + " warning: state of non-volatile memory changed";
    case 0x64:
      return hex4(sw) + " execution error: state of non-volatile memory unchanged";
    case 0x65:
      return hex4(sw) + " execution error: state of non-volatile memory changed";
    case 0x66:
      return hex4(sw) + " security-related issue";
    case 0x67:
      return hex4(sw) + " wrong length";
    case 0x68:
      return hex4(sw) + " functions in CLA not supported";
    case 0x69:
      return hex4(sw) + " command not allowed";
    case 0x6A:
      return hex4(sw) + " wrong parameters P1-P2";
    default:
      return hex4(sw) + " unknown status word";
  }
}

}  // namespace sefleet::iso7816::sw

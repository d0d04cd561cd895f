// Card content management commands (GPCS v2.3.1): INSTALL [for install] / [for make selectable]
// (§11.5, 80 E6) and DELETE of an application or load file by AID (§11.2, 80 E4). Builders only: the
// commands go through GpSession::transmit inside a secure channel (the card asks for C-MAC).
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

struct InstallRequest {
  Bytes load_file_aid;          // executable load file (5-16 bytes)
  Bytes module_aid;             // executable module in it (5-16 bytes)
  Bytes application_aid;        // the new instance (5-16 bytes)
  Bytes privileges{0x00};       // 1 or 3 bytes (GPCS Table 11-7)
  Bytes parameters;             // application parameters: the value of tag C9 (0-127 bytes)
  bool make_selectable = true;  // P1 0C ([for install and make selectable]) or 04 ([for install])
};

// 80 E6 0C|04 00 Lc  Lf LF Lm M La A Lp P Li (C9 Lx params) 00 (no token), Le 00. Throws
// Error(Errc::invalid_argument) naming the field for an AID outside 5..16 bytes, privileges of other
// than 1 or 3 bytes, or parameters longer than 127 bytes.
iso7816::CommandApdu make_install(const InstallRequest& request);
// 80 E6 08 00 Lc 00 00 La A Lp P 00 00, Le 00.
iso7816::CommandApdu make_install_for_make_selectable(ByteView application_aid, ByteView privileges = Bytes{0x00});
// 80 E4 00 00|80 Lc 4F La A, Le 00: deletes the object (P2 00) or it and its related objects (P2 80).
iso7816::CommandApdu make_delete_aid(ByteView aid, bool with_related = false);

}  // namespace sefleet::gp::host

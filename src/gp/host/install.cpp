#include "gp/host/install.hpp"

#include <string>

#include "core/error.hpp"

namespace sefleet::gp::host {
namespace {

void check_aid(ByteView aid, const char* what) {
  if (aid.size() < 5 || aid.size() > 16) {
    throw Error(Errc::invalid_argument,
                std::string("INSTALL: ") + what + " must be 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
}

void check_privileges(ByteView privileges) {
  if (privileges.size() != 1 && privileges.size() != 3) {
    throw Error(Errc::invalid_argument,
                "INSTALL: privileges are 1 or 3 bytes, got " + std::to_string(privileges.size()));
  }
}

void append_lv(Bytes& out, ByteView value) {
  out.push_back(static_cast<std::uint8_t>(value.size()));
  append(out, value);
}

}  // namespace

iso7816::CommandApdu make_install(const InstallRequest& request) {
  check_aid(request.load_file_aid, "the load file AID");
  check_aid(request.module_aid, "the module AID");
  check_aid(request.application_aid, "the application AID");
  check_privileges(request.privileges);
  // C9 with a one-byte length keeps the install parameters field (its own length byte) short.
  if (request.parameters.size() > 127) {
    throw Error(Errc::invalid_argument, "INSTALL: application parameters (C9) are at most 127 bytes, got " +
                                            std::to_string(request.parameters.size()));
  }
  Bytes data;
  append_lv(data, request.load_file_aid);
  append_lv(data, request.module_aid);
  append_lv(data, request.application_aid);
  append_lv(data, request.privileges);
  Bytes parameters{0xC9, static_cast<std::uint8_t>(request.parameters.size())};
  append(parameters, request.parameters);
  append_lv(data, parameters);
  data.push_back(0x00);  // no install token
  return iso7816::CommandApdu(0x80, 0xE6, request.make_selectable ? 0x0C : 0x04, 0x00, std::move(data), 256);
}

iso7816::CommandApdu make_install_for_make_selectable(ByteView application_aid, ByteView privileges) {
  check_aid(application_aid, "the application AID");
  check_privileges(privileges);
  Bytes data{0x00, 0x00};
  append_lv(data, application_aid);
  append_lv(data, privileges);
  data.push_back(0x00);  // no install parameters
  data.push_back(0x00);  // no token
  return iso7816::CommandApdu(0x80, 0xE6, 0x08, 0x00, std::move(data), 256);
}

iso7816::CommandApdu make_delete_aid(ByteView aid, bool with_related) {
  if (aid.size() < 5 || aid.size() > 16) {
    throw Error(Errc::invalid_argument, "DELETE: an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
  Bytes data{0x4F};
  append_lv(data, aid);
  return iso7816::CommandApdu(0x80, 0xE4, 0x00, with_related ? 0x80 : 0x00, std::move(data), 256);
}

}  // namespace sefleet::gp::host

#include "gp/host/load.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "gp/host/gp_session.hpp"

namespace sefleet::gp::host {
namespace {

constexpr std::uint8_t kClaGp = 0x80;
constexpr std::uint8_t kInsInstall = 0xE6;
constexpr std::uint8_t kInsLoad = 0xE8;
constexpr std::uint8_t kForLoad = 0x02;
constexpr std::uint8_t kLastBlock = 0x80;
constexpr std::uint8_t kTagLoadFileDataBlock = 0xC4;

void append_lv(Bytes& out, ByteView value, const char* what) {
  if (value.size() > 0xFF) {
    throw Error(Errc::invalid_argument, std::string("INSTALL [for load]: ") + what + " is longer than 255 bytes");
  }
  out.push_back(static_cast<std::uint8_t>(value.size()));
  append(out, value);
}

bool is_aid(ByteView aid) {
  return aid.size() >= 5 && aid.size() <= 16;
}

}  // namespace

iso7816::CommandApdu make_install_for_load(const InstallForLoadRequest& request) {
  if (!is_aid(request.load_file_aid)) {
    throw Error(Errc::invalid_argument, "INSTALL [for load]: the load file AID must be 5 to 16 bytes, got " +
                                            std::to_string(request.load_file_aid.size()));
  }
  if (!request.security_domain_aid.empty() && !is_aid(request.security_domain_aid)) {
    throw Error(Errc::invalid_argument,
                "INSTALL [for load]: the security domain AID must be empty or 5 to 16 bytes, got " +
                    std::to_string(request.security_domain_aid.size()));
  }
  Bytes data;
  append_lv(data, request.load_file_aid, "the load file AID");
  append_lv(data, request.security_domain_aid, "the security domain AID");
  append_lv(data, request.data_block_hash, "the load file data block hash");
  append_lv(data, request.load_parameters, "the load parameters field");
  data.push_back(0x00);  // no load token
  return iso7816::CommandApdu(kClaGp, kInsInstall, kForLoad, 0x00, std::move(data), 256);
}

Bytes load_file_data_block(ByteView load_file) {
  Bytes out{kTagLoadFileDataBlock};
  const std::size_t size = load_file.size();
  if (size < 0x80) {
    out.push_back(static_cast<std::uint8_t>(size));
  } else if (size <= 0xFF) {
    append(out, Bytes{0x81, static_cast<std::uint8_t>(size)});
  } else if (size <= 0xFFFF) {
    out.push_back(0x82);
    put_be16(out, static_cast<std::uint16_t>(size));
  } else if (size <= 0xFFFFFF) {
    out.push_back(0x83);
    put_be24(out, static_cast<std::uint32_t>(size));
  } else {
    throw Error(Errc::invalid_argument, "LOAD: a load file of " + std::to_string(size) + " bytes is too large");
  }
  append(out, load_file);
  return out;
}

std::vector<iso7816::CommandApdu> make_load_commands(ByteView load_file, std::size_t block_size) {
  if (load_file.empty()) throw Error(Errc::invalid_argument, "LOAD: the load file is empty");
  if (block_size < 1 || block_size > kMaxLoadBlockSize) {
    throw Error(Errc::invalid_argument, "LOAD: the block size must be 1 to " + std::to_string(kMaxLoadBlockSize) +
                                            " bytes, got " + std::to_string(block_size));
  }
  const Bytes block = load_file_data_block(load_file);
  std::vector<iso7816::CommandApdu> commands;
  commands.reserve(block.size() / block_size + 1);
  for (std::size_t at = 0; at < block.size(); at += block_size) {
    const std::size_t size = std::min(block_size, block.size() - at);
    const bool last = at + size == block.size();
    Bytes data(block.begin() + static_cast<std::ptrdiff_t>(at), block.begin() + static_cast<std::ptrdiff_t>(at + size));
    const auto number = static_cast<std::uint8_t>(commands.size() & 0xFF);
    commands.emplace_back(kClaGp, kInsLoad, last ? kLastBlock : 0x00, number, std::move(data), 256);
  }
  return commands;
}

LoadSummary load(GpSession& session, const InstallForLoadRequest& request, ByteView load_file, std::size_t block_size) {
  const iso7816::CommandApdu install = make_install_for_load(request);
  const std::vector<iso7816::CommandApdu> blocks = make_load_commands(load_file, block_size);  // refuses before any I/O
  const auto installed = session.transmit(install);
  if (!installed.ok()) throw CardRefusal("INSTALL [for load]", installed.sw);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto response = session.transmit(blocks[i]);
    if (!response.ok()) {
      throw CardRefusal("LOAD block " + std::to_string(i + 1) + " of " + std::to_string(blocks.size()), response.sw);
    }
  }
  return LoadSummary{blocks.size(), block_size};
}

}  // namespace sefleet::gp::host

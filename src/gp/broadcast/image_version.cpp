#include "gp/broadcast/image_version.hpp"

namespace sefleet::gp::broadcast {

std::string image_version_text(std::uint32_t version) {
  return std::to_string(version >> 16) + "." + std::to_string(version & 0xFFFFu);
}

}  // namespace sefleet::gp::broadcast

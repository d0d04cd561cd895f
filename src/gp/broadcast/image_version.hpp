// How people read and write an image version: the manifest carries a 32-bit number whose high 16 bits
// are the major and low 16 bits the minor version, so 0x00020001 is "2.1". Shown that way everywhere an
// operator reads a version (CLI, dashboard, API's `version_text`), never as the raw number alone.
#pragma once

#include <cstdint>
#include <string>

namespace sefleet::gp::broadcast {

// "MAJOR.MINOR" of a manifest version (0x00020001 -> "2.1", 5 -> "0.5").
std::string image_version_text(std::uint32_t version);

}  // namespace sefleet::gp::broadcast

// Files the commands read whole (load files, image bodies, campaign packages, certificates, keys,
// card profiles): one reader, so every command refuses a file it cannot read in the same words.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::cli {

// The whole content of the regular file (or pipe) at `path`. `what` names the file in the refusal,
// which is Error(io_error) "cannot read <what> <path>: <reason>" (a missing file, no permission, a
// directory, a read error); with `what` empty, "cannot read <path>: <reason>".
Bytes read_whole_file(const std::string& path, std::string_view what = {});

// The same, as text (JSON and PEM files).
std::string read_whole_text_file(const std::string& path, std::string_view what = {});

}  // namespace sefleet::cli

#include "transport/reader_selection.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>

#include "core/error.hpp"

namespace sefleet::transport {

std::string describe_readers(const std::vector<std::string>& readers) {
  if (readers.empty()) {
    return "(none)";
  }
  std::string out;
  for (std::size_t i = 0; i < readers.size(); ++i) {
    out += fmt::format("{}{} '{}'", i == 0 ? "" : ", ", i, readers[i]);
  }
  return out;
}

std::string select_reader(const std::vector<std::string>& readers, std::string_view spec) {
  if (spec.empty()) {
    throw Error(Errc::invalid_argument, "empty reader name (give a reader name, a unique part of it, or an index)");
  }
  if (const auto exact = std::find(readers.begin(), readers.end(), spec); exact != readers.end()) {
    return *exact;
  }
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), index);
  if (ec == std::errc() && end == spec.data() + spec.size()) {
    if (index < readers.size()) {
      return readers[index];
    }
    throw Error(Errc::not_found,
                fmt::format("no PC/SC reader with index {}; available readers: {}", index, describe_readers(readers)));
  }
  std::vector<std::string> matches;
  std::copy_if(readers.begin(), readers.end(), std::back_inserter(matches),
               [&](const std::string& name) { return name.find(spec) != std::string::npos; });
  if (matches.size() == 1) {
    return matches.front();
  }
  if (matches.empty()) {
    throw Error(Errc::not_found,
                fmt::format("no PC/SC reader matches '{}'; available readers: {}", spec, describe_readers(readers)));
  }
  std::string names;
  for (const auto& name : matches) {
    names += (names.empty() ? "'" : ", '") + name + "'";
  }
  throw Error(Errc::invalid_argument,
              fmt::format("'{}' matches {} readers ({}); give the full name or an index", spec, matches.size(), names));
}

}  // namespace sefleet::transport

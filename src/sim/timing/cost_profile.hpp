// The cost profile of a secure element: what each runtime operation (card::SeOperation) costs in
// virtual time, loaded from a JSON data file (profiles/se/*.json, also embedded in the binary).
// A cost is a fixed part per call plus a part per byte; the figures and their sources are in the file
// and in docs/timing-model.md. Loading is strict: a missing operation, an unknown key or a negative,
// non-numeric or absurd figure is refused with Error(Errc::invalid_argument) naming the field, so a
// typo in a profile can never silently cost zero.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "card/runtime/virtual_clock.hpp"

namespace sefleet::sim {

// One operation's cost. The per-byte part is kept in picoseconds: figures derived from 256-byte
// measurements (1.9 ms / 256 B = 7421.875 ns per byte) keep their precision in integer arithmetic.
struct OperationCost {
  std::uint64_t fixed_ns = 0;
  std::uint64_t per_byte_ps = 0;
  std::string source;  // where the figure comes from (copied from the profile file)

  // fixed_ns + per_byte_ps * bytes / 1000, rounded to the nearest ns; saturates instead of wrapping.
  std::uint64_t cost_ns(std::size_t bytes) const noexcept;
};

class SeCostProfile final : public card::CostModel {
 public:
  // Parses a profile document. Throws Error(parse_error) for text that is not JSON and
  // Error(invalid_argument) naming the field for anything else wrong.
  static SeCostProfile from_json(std::string_view text);
  // Reads and parses a file; Error(io_error) when it cannot be read.
  static SeCostProfile from_file(const std::string& path);
  // A profile compiled into the binary: "jcop4" (default), "older_chip". Error(not_found) otherwise,
  // listing the names there are.
  static SeCostProfile builtin(std::string_view name);
  // What `--profile FILE|NAME` means: a built-in name, else a path to a JSON file.
  static SeCostProfile load(std::string_view file_or_name);

  std::uint64_t cost_ns(card::SeOperation op, std::size_t bytes) const override;
  const OperationCost& operation(card::SeOperation op) const;
  const std::string& name() const;
  const std::string& description() const;
  // Bytes one transaction may journal (JCSystem.getMaxCommitCapacity() of the modelled chip).
  std::size_t commit_capacity() const;

 private:
  SeCostProfile() = default;

  std::string name_;
  std::string description_;
  std::size_t commit_capacity_ = 0;
  std::array<OperationCost, card::kSeOperationCount> costs_{};
};

inline constexpr std::string_view kDefaultSeProfile = "jcop4";

// Names of the built-in SE profiles, sorted (for --help).
std::vector<std::string> list_builtin_se_profiles();

}  // namespace sefleet::sim

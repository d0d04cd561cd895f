// Typed access to result rows: a wrong type is a schema mistake and says which column.
#include <string>

#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::db {
namespace {

const Value& at(const Row& row, std::size_t i) {
  if (i >= row.values.size()) {
    throw Error(Errc::io_error, "database row: column " + std::to_string(i) + " does not exist (row has " +
                                    std::to_string(row.values.size()) + ")");
  }
  return row.values[i];
}

[[noreturn]] void wrong_type(std::size_t i, const char* wanted, const Value& value) {
  static constexpr const char* kNames[] = {"NULL", "integer", "real", "text", "blob"};
  throw Error(Errc::io_error,
              "database row: column " + std::to_string(i) + " is " + kNames[value.index()] + ", expected " + wanted);
}

}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::monostate>(at(*this, i));
}

std::int64_t Row::integer(std::size_t i) const {
  const Value& value = at(*this, i);
  if (const auto* v = std::get_if<std::int64_t>(&value)) return *v;
  wrong_type(i, "integer", value);
}

std::optional<std::int64_t> Row::optional_integer(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

double Row::real(std::size_t i) const {
  const Value& value = at(*this, i);
  if (const auto* v = std::get_if<double>(&value)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&value)) return static_cast<double>(*v);
  wrong_type(i, "real", value);
}

const std::string& Row::text(std::size_t i) const {
  const Value& value = at(*this, i);
  if (const auto* v = std::get_if<std::string>(&value)) return *v;
  wrong_type(i, "text", value);
}

std::optional<std::string> Row::optional_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

const Bytes& Row::blob(std::size_t i) const {
  const Value& value = at(*this, i);
  if (const auto* v = std::get_if<Bytes>(&value)) return *v;
  wrong_type(i, "blob", value);
}

std::optional<Bytes> Row::optional_blob(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return blob(i);
}

}  // namespace sefleet::offcard::db

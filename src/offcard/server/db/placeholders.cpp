#include "offcard/server/db/placeholders.hpp"

#include <cctype>

namespace sefleet::offcard::db {
namespace {

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// At sql[i] == '$': the length of a dollar-quote tag ("$$" or "$name$"), or 0 when it is not one
// (e.g. "$1", a positional parameter, or "$" inside an identifier).
std::size_t dollar_tag_length(std::string_view sql, std::size_t i) {
  if (i > 0 && identifier_char(sql[i - 1])) return 0;
  std::size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) return 0;
  while (j < sql.size() && identifier_char(sql[j])) ++j;
  if (j < sql.size() && sql[j] == '$') return j - i + 1;
  return 0;
}

}  // namespace

RewrittenSql rewrite_placeholders(std::string_view sql) {
  RewrittenSql out;
  out.text.reserve(sql.size() + 8);
  bool after_semicolon = false;
  std::size_t i = 0;
  // Copies sql[i, end) unchanged and moves on.
  auto copy_to = [&](std::size_t end) {
    out.text.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      copy_to(i + 1);
      continue;
    }
    // Comments do not start a new statement.
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const auto newline = sql.find('\n', i);
      copy_to(newline == std::string_view::npos ? sql.size() : newline + 1);
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      // PostgreSQL block comments nest.
      std::size_t j = i + 2;
      int depth = 1;
      while (j < sql.size() && depth > 0) {
        if (sql[j] == '/' && j + 1 < sql.size() && sql[j + 1] == '*') depth++, j += 2;
        else if (sql[j] == '*' && j + 1 < sql.size() && sql[j + 1] == '/') depth--, j += 2;
        else ++j;
      }
      copy_to(j);
      continue;
    }
    if (c == ';') {
      after_semicolon = true;
      copy_to(i + 1);
      continue;
    }
    if (after_semicolon) out.several_statements = true;

    if (c == '\'') {
      // E'...' allows backslash escapes; in a standard string '' is the only escape.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !identifier_char(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < sql.size()) {
        if (escapes && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == '\'') {
          if (j + 1 < sql.size() && sql[j + 1] == '\'') j += 2;
          else break;
        } else {
          ++j;
        }
      }
      copy_to(j < sql.size() ? j + 1 : sql.size());
      continue;
    }
    if (c == '"') {
      std::size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == '"') {
          if (j + 1 < sql.size() && sql[j + 1] == '"') j += 2;
          else break;
        } else {
          ++j;
        }
      }
      copy_to(j < sql.size() ? j + 1 : sql.size());
      continue;
    }
    if (c == '$') {
      if (const std::size_t tag_length = dollar_tag_length(sql, i)) {
        const std::string_view tag = sql.substr(i, tag_length);
        const auto close = sql.find(tag, i + tag_length);
        copy_to(close == std::string_view::npos ? sql.size() : close + tag_length);
        continue;
      }
    }
    if (c == '?') {
      out.text += '$';
      out.text += std::to_string(++out.parameters);
      ++i;
      continue;
    }
    copy_to(i + 1);
  }
  return out;
}

}  // namespace sefleet::offcard::db

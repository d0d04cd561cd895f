// Rewrites the portable `?` placeholders into PostgreSQL's `$1..$n`, leaving alone every `?` inside
// string literals ('...', E'...'), quoted identifiers ("..."), dollar-quoted bodies ($tag$...$tag$) and
// comments. It also tells whether the text holds several statements (which PostgreSQL cannot prepare).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sefleet::offcard::db {

struct RewrittenSql {
  std::string text;
  std::size_t parameters = 0;
  bool several_statements = false;
};

RewrittenSql rewrite_placeholders(std::string_view sql);

}  // namespace sefleet::offcard::db

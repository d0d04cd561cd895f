// The `?` -> `$n` rewriting the PostgreSQL backend relies on, including every quoting form where a `?`
// is data and must stay.
#include <gtest/gtest.h>

#include "offcard/server/db/placeholders.hpp"

namespace sefleet::offcard::db {
namespace {

TEST(DbPlaceholders, NumbersPlaceholdersInOrder) {
  const auto out = rewrite_placeholders("INSERT INTO t (a, b, c) VALUES (?, ?,?)");
  EXPECT_EQ(out.text, "INSERT INTO t (a, b, c) VALUES ($1, $2,$3)");
  EXPECT_EQ(out.parameters, 3u);
  EXPECT_FALSE(out.several_statements);
}

TEST(DbPlaceholders, LeavesQuotedQuestionMarksAlone) {
  EXPECT_EQ(rewrite_placeholders("SELECT '?', ?, 'it''s ?'").text, "SELECT '?', $1, 'it''s ?'");
  EXPECT_EQ(rewrite_placeholders("SELECT E'\\'?', ?").text, "SELECT E'\\'?', $1");
  EXPECT_EQ(rewrite_placeholders("SELECT \"a?\"\"b\" FROM t WHERE x = ?").text, "SELECT \"a?\"\"b\" FROM t WHERE x = $1");
  EXPECT_EQ(rewrite_placeholders("SELECT $$ ? $$, $tag$ ?$$? $tag$, ?").text, "SELECT $$ ? $$, $tag$ ?$$? $tag$, $1");
  EXPECT_EQ(rewrite_placeholders("SELECT ? -- why?\n, ? /* a ? /* nested ? */ still? */").text,
            "SELECT $1 -- why?\n, $2 /* a ? /* nested ? */ still? */");
  // A standard string does not treat a backslash as an escape: the quote closes it.
  EXPECT_EQ(rewrite_placeholders("SELECT 'a\\', ?").text, "SELECT 'a\\', $1");
  EXPECT_EQ(rewrite_placeholders("SELECT 'a\\', ?").parameters, 1u);
}

TEST(DbPlaceholders, UnterminatedQuotesSwallowTheRest) {
  // The server will reject the statement; the rewriter must neither read past the end nor invent $n.
  const auto out = rewrite_placeholders("SELECT 'open ?");
  EXPECT_EQ(out.text, "SELECT 'open ?");
  EXPECT_EQ(out.parameters, 0u);
  EXPECT_EQ(rewrite_placeholders("SELECT $x$ ?").parameters, 0u);
  EXPECT_EQ(rewrite_placeholders("/* ?").parameters, 0u);
}

TEST(DbPlaceholders, TellsScriptsFromSingleStatements) {
  EXPECT_FALSE(rewrite_placeholders("SELECT 1;").several_statements);
  EXPECT_FALSE(rewrite_placeholders("SELECT 1; -- done\n  ").several_statements);
  EXPECT_FALSE(rewrite_placeholders("SELECT ';'").several_statements);
  EXPECT_TRUE(rewrite_placeholders("CREATE TABLE a (x INT); CREATE TABLE b (y INT)").several_statements);
}

TEST(DbPlaceholders, KeepsPositionalParametersAndIdentifiersWithDollars) {
  EXPECT_EQ(rewrite_placeholders("SELECT a$b, ? FROM t").text, "SELECT a$b, $1 FROM t");
  EXPECT_EQ(rewrite_placeholders("SELECT $1").parameters, 0u);
}

}  // namespace
}  // namespace sefleet::offcard::db

// The SQLite database and its WAL and shared-memory files are private (0600) whatever the umask:
// they hold token hashes, PAUT records and every decision of the server.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "offcard/server/db/database.hpp"
#include "support/temp_dir.hpp"

namespace sefleet {
namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777u;
}

TEST(DatabaseFileModes, SqliteFilesAreCreatedPrivateUnderAnyUmask) {
  test::TempDir dir;
  const auto path = dir.path() / "server.db";
  const mode_t old_umask = ::umask(0);  // the most permissive umask: the modes must not follow it
  {
    auto database = offcard::db::open_database("sqlite:" + path.string(), 2);
    database->run([](offcard::db::Transaction& tx) {
      tx.exec("CREATE TABLE t (x INTEGER)");
      tx.exec("INSERT INTO t (x) VALUES ($1)", {std::int64_t{1}});
    });
    // While the database is open its WAL and shared-memory files exist.
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(mode_of(path.string() + "-wal"), 0600u);
    EXPECT_EQ(mode_of(path.string() + "-shm"), 0600u);
  }
  ::umask(old_umask);
  EXPECT_EQ(mode_of(path), 0600u);
}

}  // namespace
}  // namespace sefleet

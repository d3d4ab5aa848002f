// Several processes (two CI jobs on one runner) filling one cache at once,
// from a fresh directory, with a map so small that they all grow it.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>

#include "cache/gc.h"
#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

constexpr int kWriters = 4;
constexpr int kOwnKeys = 60;
constexpr int kSharedKeys = 30;

std::string OwnBytes(int writer, int i) {
  return fmt::format("writer {} artifact {} {}", writer, i, std::string(500, 'x'));
}
std::string SharedBytes(int i) { return fmt::format("shared artifact {}", i); }
int OwnKey(int writer, int i) { return 1000 * (writer + 1) + i; }

// The body of one child process; returns its exit code.
int Writer(const std::string& dir, int writer, int start_fd) {
  char go;
  if (::read(start_fd, &go, 1) < 0) return 10;  // EOF when the parent lets everyone go
  std::vector<std::string> warnings;
  CacheOptions options;
  options.env.initial_map_size = 64 << 10;
  auto cache = Cache::open(dir, warnings, options);
  if (!cache || !warnings.empty()) return 11;
  LmdbStatCache stats((*cache)->env());
  for (int i = 0; i < kOwnKeys; ++i) {
    int shared = i % kSharedKeys;
    for (auto [key, bytes] :
         {std::pair{OwnKey(writer, i), OwnBytes(writer, i)}, std::pair{shared, SharedBytes(shared)}}) {
      auto blob = (*cache)->put_blob(bytes);
      if (!blob) return 12;
      ArtifactRecord record{fmt::format("svc{}", key % 3), "file", blob->digest, blob->size, 0, 0};
      auto put = (*cache)->put_artifact(fmt::format("{:032x}", key), record, std::string(300, 't'));
      if (!put) {
        std::fprintf(stderr, "writer %d: %s\n", writer, put.error().message.c_str());
        return 13;
      }
    }
    hashing::StatRecord stat;
    stat.stat.size = static_cast<std::uint64_t>(i);
    stats.put(fmt::format("w{}/file{}", writer, i), stat);
    if (i % 20 == 19 && !stats.commit()) return 14;
    if (!(*cache)->ledger().record(fmt::format("env{}", writer), "svc", LedgerEntry{"sha", "k", "d", i})) return 15;
  }
  return 0;
}

void ExpectExitsCleanly(pid_t pid) {
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

using MultiProcessTest = CacheTest;

TEST_F(MultiProcessTest, ConcurrentWritersLoseNothing) {
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<pid_t> children;
  for (int writer = 0; writer < kWriters; ++writer) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(start[1]);
      ::_exit(Writer(dir(), writer, start[0]));
    }
    children.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);  // go
  for (pid_t pid : children) ExpectExitsCleanly(pid);

  auto cache = Open();
  ASSERT_TRUE(cache);
  for (int writer = 0; writer < kWriters; ++writer) {
    for (int i = 0; i < kOwnKeys; ++i) {
      auto found = cache->find_artifact(Key(OwnKey(writer, i)));
      ASSERT_TRUE(found.has_value());
      ASSERT_TRUE(found->has_value()) << writer << " " << i;
      EXPECT_EQ(cache->blobs().read((*found)->digest, Verify::yes).value_or(""), OwnBytes(writer, i));
    }
    LmdbStatCache stats(cache->env());
    EXPECT_TRUE(stats.find(fmt::format("w{}/file{}", writer, kOwnKeys - 1)));
    auto entry = cache->ledger().find(fmt::format("env{}", writer), "svc");
    ASSERT_TRUE(entry.has_value());
    ASSERT_TRUE(entry->has_value());
    EXPECT_EQ((*entry)->time_ns, kOwnKeys - 1);
  }
  for (int i = 0; i < kSharedKeys; ++i) {
    auto found = cache->find_artifact(Key(i)).value_or(std::nullopt);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(cache->blobs().read(found->digest, Verify::yes).value_or(""), SharedBytes(i));
  }
  auto listed = cache->artifacts().list();
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kWriters * kOwnKeys + kSharedKeys));
  auto blobs = cache->blobs().list();
  ASSERT_TRUE(blobs.has_value());
  EXPECT_EQ(blobs->size(), static_cast<std::size_t>(kWriters * kOwnKeys + kSharedKeys));
}

// A writer racing gc: whatever interleaving happens, no record ends up
// pointing at a missing blob.
TEST_F(MultiProcessTest, GcRacingAWriterLeavesNoDanglingRecords) {
  { ASSERT_TRUE(Open()); }
  std::string file = temp_.path() + "/artifact";
  std::FILE* out = std::fopen(file.c_str(), "w");
  ASSERT_TRUE(out);
  std::fputs("the same bytes every time", out);
  std::fclose(out);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<std::string> warnings;
    auto cache = Cache::open(dir(), warnings);
    if (!cache) ::_exit(11);
    for (int i = 0; i < 200; ++i) {
      auto put = (*cache)->artifacts().put_file(fmt::format("{:032x}", i), "svc", "file", file, "");
      if (!put && put.error().kind != ErrorKind::not_found) ::_exit(12);
    }
    cache->reset();  // a clean close: _exit with it open would read as a crash
    ::_exit(0);
  }
  {
    auto cache = Open();
    ASSERT_TRUE(cache);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(collect_garbage(*cache, GcOptions{0, 0, DryRun::no}));
  }
  ExpectExitsCleanly(pid);
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto listed = cache->artifacts().list();
  ASSERT_TRUE(listed.has_value());
  for (const auto& [key, record] : *listed) EXPECT_TRUE(cache->blobs().contains(record.digest)) << key;
}

}  // namespace
}  // namespace wharf::cache

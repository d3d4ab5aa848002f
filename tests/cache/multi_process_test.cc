// Several processes (two CI jobs on one runner) filling one cache at once,
// from a fresh directory, with a map so small that they all grow it.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "cache/gc.h"
#include "cache/sha256.h"
#include "tests/cache/cache_fixture.h"
#include "tests/cache/subprocess.h"

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
      ArtifactRecord record{fmt::format("svc{}", key % 3), "file", blob->digest, blob->size, 0, 0, {}, ""};
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

// Forks n children running body(i, start_fd) (their exit code), lets them
// all go at once (closing the pipe they wait on) and expects clean exits.
void RunTogether(int n, const std::function<int(int, int)>& body) {
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(start[1]);
      ::_exit(body(i, start[0]));
    }
    children.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);  // go
  for (pid_t pid : children) ExpectExitsCleanly(pid);
}

class MultiProcessTest : public CacheTest {
 protected:
  // A child process runs `writer` (its exit code) on the cache while this
  // one runs 50 gcs with `grace`; afterwards no record lists a missing blob.
  void RaceGc(std::chrono::nanoseconds grace, const std::function<int(Cache&)>& writer) {
    { ASSERT_TRUE(Open()); }
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::string> warnings;
      auto cache = Cache::open(dir(), warnings);
      if (!cache) ::_exit(11);
      int code = writer(**cache);
      cache->reset();  // a clean close: _exit with it open would read as a crash
      ::_exit(code);
    }
    {
      auto cache = Open();
      ASSERT_TRUE(cache);
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(collect_garbage(*cache, GcOptions{0, 0, DryRun::no, grace}));
    }
    ExpectExitsCleanly(pid);
    auto cache = Open();
    ASSERT_TRUE(cache);
    auto listed = cache->artifacts().list();
    ASSERT_TRUE(listed.has_value());
    for (const auto& [key, record] : *listed) {
      for (const auto& blob : record.blobs) EXPECT_TRUE(cache->blobs().contains(blob.digest)) << key;
    }
  }
};

TEST_F(MultiProcessTest, ConcurrentWritersLoseNothing) {
  RunTogether(kWriters, [&](int writer, int start_fd) { return Writer(dir(), writer, start_fd); });

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
  std::string file = temp_.path() + "/artifact";
  std::FILE* out = std::fopen(file.c_str(), "w");
  ASSERT_TRUE(out);
  std::fputs("the same bytes every time", out);
  std::fclose(out);
  RaceGc(kUnreferencedGrace, [&](Cache& cache) {
    for (int i = 0; i < 200; ++i) {
      auto put = cache.artifacts().put_file(fmt::format("{:032x}", i), "svc", "file", file, "");
      if (!put && put.error().kind != ErrorKind::not_found) return 12;
    }
    return 0;
  });
}

constexpr int kImporters = 4;
constexpr int kImportRounds = 25;

std::string LayerBytes(int round) { return fmt::format("layer {} {}", round, std::string(20000, 'l')); }
std::string BaseBytes(int round) { return fmt::format("base {} {}", round, std::string(30000, 'b')); }
std::string ManifestBytes(int round) { return fmt::format("manifest {}", round); }

// One child: per round, the same three blobs as every other child (a layer
// it packs and adopts, a base layer it links from a shared layout, a
// manifest it puts), then an image record of its own listing them.
int Importer(const std::string& dir, const std::string& base_dir, int importer, int start_fd) {
  char go;
  if (::read(start_fd, &go, 1) < 0) return 10;
  std::vector<std::string> warnings;
  auto cache = Cache::open(dir, warnings);
  if (!cache || !warnings.empty()) return 11;
  const BlobStore& blobs = (*cache)->blobs();
  for (int round = 0; round < kImportRounds; ++round) {
    std::string temp = blobs.temp_path("layer");
    std::FILE* out = std::fopen(temp.c_str(), "w");
    if (!out) return 12;
    std::fputs(LayerBytes(round).c_str(), out);
    std::fclose(out);
    auto layer = blobs.adopt_file(temp, sha256_hex(LayerBytes(round)));
    auto base = blobs.link_file(fmt::format("{}/{}", base_dir, round), sha256_hex(BaseBytes(round)));
    auto manifest = blobs.put_bytes(ManifestBytes(round));
    if (!layer || !base || !manifest) {
      std::fprintf(stderr, "importer %d: %s\n", importer,
                   (!layer  ? layer
                    : !base ? base
                            : manifest)
                       .error()
                       .message.c_str());
      return 13;
    }
    ArtifactRecord record{
        fmt::format("svc{}", importer),
        "image",
        manifest->digest,
        manifest->size,
        0,
        0,
        {{manifest->digest, manifest->size, ""}, {base->digest, base->size, ""}, {layer->digest, layer->size, ""}},
        ""};
    if (!(*cache)->put_artifact(fmt::format("{:032x}", 100 * importer + round), record, "")) return 14;
  }
  cache->reset();
  return 0;
}

// Several builds importing the same layers at once (two CI jobs packing
// images on one base): every put succeeds, every blob holds its bytes, no
// temporary is left.
TEST_F(MultiProcessTest, ConcurrentImportsOfTheSameBlobs) {
  { ASSERT_TRUE(Open()); }
  std::string base_dir = temp_.path() + "/base-layout";
  std::filesystem::create_directories(base_dir);
  for (int round = 0; round < kImportRounds; ++round) {
    std::FILE* out = std::fopen(fmt::format("{}/{}", base_dir, round).c_str(), "w");
    ASSERT_TRUE(out);
    std::fputs(BaseBytes(round).c_str(), out);
    std::fclose(out);
  }
  RunTogether(kImporters, [&](int importer, int start_fd) { return Importer(dir(), base_dir, importer, start_fd); });

  auto cache = Open();
  ASSERT_TRUE(cache);
  for (int importer = 0; importer < kImporters; ++importer) {
    for (int round = 0; round < kImportRounds; ++round) {
      auto found = cache->find_artifact(Key(100 * importer + round)).value_or(std::nullopt);
      ASSERT_TRUE(found.has_value()) << importer << " " << round;
      ASSERT_EQ(found->blobs.size(), 3u);
      EXPECT_EQ(cache->blobs().read(found->blobs[1].digest, Verify::yes).value_or(""), BaseBytes(round));
      EXPECT_EQ(cache->blobs().read(found->blobs[2].digest, Verify::yes).value_or(""), LayerBytes(round));
    }
  }
  auto blobs = cache->blobs().list();
  ASSERT_TRUE(blobs.has_value());
  EXPECT_EQ(blobs->size(), static_cast<std::size_t>(3 * kImportRounds));
  EXPECT_EQ(cache->blobs().temporaries().files, 0u);
  EXPECT_EQ(testing::slurp(fmt::format("{}/0", base_dir)), BaseBytes(0));  // sources untouched
}

// gc (with no grace period) racing a writer of multi-blob records: no record
// ever lists a blob that is missing.
TEST_F(MultiProcessTest, GcRacingAnImageWriterLeavesNoDanglingLayers) {
  RaceGc(std::chrono::nanoseconds(0), [](Cache& cache) {
    for (int i = 0; i < 150; ++i) {
      auto layer = cache.put_blob(fmt::format("layer {}", i % 7));
      auto manifest = cache.put_blob(fmt::format("manifest {}", i));
      if (!layer || !manifest) return 12;
      ArtifactRecord record{"svc",
                            "image",
                            manifest->digest,
                            manifest->size,
                            0,
                            0,
                            {{manifest->digest, manifest->size, ""}, {layer->digest, layer->size, ""}},
                            ""};
      auto put = cache.put_artifact(fmt::format("{:032x}", i), record, "");
      if (!put && put.error().kind != ErrorKind::not_found) return 13;
    }
    return 0;
  });
}

}  // namespace
}  // namespace wharf::cache

// Issue 12, end to end: bytes flipped in a real data.mdb written by a real
// `wharf hash` on a real git repository. Each run of the real binary is a
// child process, so a crash is a test failure. Whatever the damage: every run
// exits 0 or with a clear error, never prints a key that differs from the
// reference, and never fails twice in a row.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "cache/lmdb_env.h"
#include "cache/records.h"
#include "cache/seal.h"
#include "tests/cache/subprocess.h"
#include "tests/testing/git_repo.h"

namespace wharf::cache {
namespace {

namespace fs = std::filesystem;
using Keys = std::map<std::string, std::string>;

constexpr int kSingleByteCases = 360;
constexpr int kMultiByteCases = 180;
constexpr std::size_t kMultiByteRun = 20;

std::string ReadFile(const std::string& path) { return testing::slurp(path); }

void WriteFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// The keys a successful `wharf hash --json` printed, by service.
Keys KeysOf(const testing::Finished& run) {
  Keys keys;
  auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("services")) return keys;
  for (const auto& service : json["services"]) keys[service["name"]] = service["key"];
  return keys;
}

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("wharf.toml",
                "[service.api]\npaths = [\"api\"]\n[service.web]\npaths = [\"web\"]\n"
                "[service.worker]\npaths = [\"worker\", \"shared\"]\n");
    repo_.write("api/main.ts", "export const main = 1;\n");
    repo_.write("api/util.ts", "export const util = 2;\n");
    repo_.write("web/index.html", "<html></html>\n");
    repo_.write("worker/job.py", "print('job')\n");
    repo_.write("shared/lib.txt", "shared\n");
    repo_.commit("initial");
    // Modified and untracked files are read and land in the stat cache.
    repo_.write("api/util.ts", "export const util = 3;\n");
    repo_.write("web/new.txt", "untracked\n");
    repo_.write("worker/extra/data.txt", "more\n");
    // Older than the racy margin when the cache records them.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));

    reference_dir_ = scratch_.path() + "/reference";
    auto cold = Hash(reference_dir_, scratch_.path() + "/cold");
    ASSERT_EQ(cold.code, 0) << cold.describe();
    reference_ = KeysOf(cold);
    ASSERT_EQ(reference_.size(), 3u) << cold.out;
    auto warm = Hash(reference_dir_, scratch_.path() + "/warm");
    ASSERT_EQ(warm.code, 0) << warm.describe();
    ASSERT_EQ(KeysOf(warm), reference_);
    ASSERT_GT(nlohmann::json::parse(warm.out)["stats"]["stat_hits"].get<int>(), 0) << warm.out;
    data_ = ReadFile(reference_dir_ + "/db/data.mdb");
    ASSERT_GT(data_.size(), 0u);
  }

  testing::Finished Hash(const std::string& cache_dir, const std::string& output_prefix) {
    return testing::run_binary(testing::wharf_binary(), {"hash", "--json", "--cache-dir", cache_dir}, repo_.path(),
                               output_prefix);
  }

  // One run on a damaged cache: "" when it behaved, else what went wrong.
  std::string Judge(const testing::Finished& run) {
    if (run.signal != 0 || run.timed_out) return "crashed: " + run.describe();
    if (run.code == 0) {
      Keys keys = KeysOf(run);
      return keys == reference_ ? "" : "wrong keys: " + run.out;
    }
    if (run.code != 3 || run.err.find("wharf: error: ") == std::string::npos) return "unclear: " + run.describe();
    return "";
  }

  // Runs wharf twice on a cache whose data.mdb is `damaged`.
  std::string RunCase(int index, const std::string& damaged, int& failed_runs) {
    std::string dir = fmt::format("{}/case{}", scratch_.path(), index);
    WriteFile(dir + "/cache/db/data.mdb", damaged);
    std::string problem;
    bool previous_failed = false;
    // A second run after every failure, and after every other success (what
    // the first run left behind must not fail either).
    int runs = index % 2 == 0 ? 2 : 1;
    for (int run_number = 0; (run_number < runs || previous_failed) && run_number < 2 && problem.empty();
         ++run_number) {
      auto run = Hash(dir + "/cache", fmt::format("{}/run{}", dir, run_number));
      problem = Judge(run);
      if (problem.empty() && run.code != 0) {
        ++failed_runs;
        if (previous_failed) problem = "two failing runs in a row: " + run.describe();
        previous_failed = true;
      } else {
        previous_failed = false;
      }
    }
    if (problem.empty()) fs::remove_all(dir);
    return problem;
  }

  testing::GitRepo repo_;
  testing::TempDir scratch_;
  std::string reference_dir_;
  Keys reference_;
  std::string data_;
};

TEST_F(CorruptionTest, RandomFlipsNeverGiveAWrongKeyOrACrashLoop) {
  std::mt19937_64 rng(20240612);
  std::vector<std::string> damaged;
  for (int i = 0; i < kSingleByteCases + kMultiByteCases; ++i) {
    std::string bytes = data_;
    std::size_t run = i < kSingleByteCases ? 1 : kMultiByteRun;
    std::size_t at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - run)(rng);
    for (std::size_t j = 0; j < run; ++j) {
      bytes[at + j] = static_cast<char>(bytes[at + j] ^ std::uniform_int_distribution<int>(1, 255)(rng));
    }
    damaged.push_back(std::move(bytes));
  }

  std::atomic<std::size_t> next{0};
  std::atomic<int> failed_runs{0};
  std::mutex mutex;
  std::vector<std::string> problems;
  auto worker = [&] {
    int failed = 0;
    for (std::size_t i; (i = next++) < damaged.size();) {
      std::string problem = RunCase(static_cast<int>(i), damaged[i], failed);
      if (!problem.empty()) {
        std::lock_guard lock(mutex);
        problems.push_back(fmt::format("case {} ({}): {}", i, i < kSingleByteCases ? "1 byte" : "20 bytes", problem));
      }
    }
    failed_runs += failed;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();

  std::cout << damaged.size() << " damaged caches, " << failed_runs << " runs failed cleanly, " << problems.size()
            << " problems\n";
  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << damaged.size()
                                << " cases misbehaved, first: " << (problems.empty() ? "" : problems.front());
}

// The stat record of a file wharf had to read; a byte flipped in its digest
// must not change the key (the record's seal fails: a miss, counted).
TEST_F(CorruptionTest, FlippedDigestInAStatRecordIsAMiss) {
  std::string sealed;
  {
    auto env = LmdbEnv::open(reference_dir_ + "/db");
    ASSERT_TRUE(env) << env.error().message;
    auto payload = (*env)->get(Db::stat, "api/util.ts");
    ASSERT_TRUE(payload && *payload);
    ASSERT_EQ((*payload)->size(), kStatRecordSize);
    sealed = seal("api/util.ts", **payload);
  }
  // Older copies of the page may sit in LMDB's free pages: damage them all.
  std::vector<std::size_t> copies;
  for (std::size_t at = data_.find(sealed); at != std::string::npos; at = data_.find(sealed, at + 1)) {
    copies.push_back(at);
  }
  ASSERT_FALSE(copies.empty());
  constexpr std::size_t kDigestOffset = 1 + kStatRecordSize - 16;  // after the tag and the stat facts
  for (std::size_t byte = 0; byte < 16; ++byte) {
    std::string damaged = data_;
    for (std::size_t at : copies) damaged[at + kDigestOffset + byte] ^= 0x01;
    std::string dir = fmt::format("{}/digest{}", scratch_.path(), byte);
    WriteFile(dir + "/db/data.mdb", damaged);
    auto run = Hash(dir, dir + "/run");
    ASSERT_EQ(run.code, 0) << run.describe();
    EXPECT_EQ(KeysOf(run), reference_) << "digest byte " << byte;
    EXPECT_EQ(nlohmann::json::parse(run.out)["stats"]["corrupt_records"], 1) << run.out;
    // The miss rewrote the record: the next run finds nothing damaged.
    auto again = Hash(dir, dir + "/again");
    ASSERT_EQ(again.code, 0) << again.describe();
    EXPECT_EQ(KeysOf(again), reference_);
    EXPECT_EQ(nlohmann::json::parse(again.out)["stats"]["corrupt_records"], 0) << again.out;
  }
}

}  // namespace
}  // namespace wharf::cache

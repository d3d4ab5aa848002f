#include "hashing/service_key.h"

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "fs/forwarding_file_system.h"
#include "fs/memory_file_system.h"
#include "hashing/xxh3.h"
#include "tests/hashing/memory_caches.h"

namespace wharf::hashing {
namespace {

using fs::MemoryFileSystem;

constexpr std::string_view kConfig = R"(
[workspace]
inputs = ["pnpm-lock.yaml"]
exclude = ["**/*.md"]

[package.common]
paths = ["packages/common"]

[service.api]
paths = ["services/api"]
deps = ["common"]
env = ["NODE_ENV"]
build = "pnpm build"

[service.web]
paths = ["services/web"]
deps = ["common"]
exclude = ["packages/common/test"]
)";

graph::Graph BuildGraph(std::string_view text) {
  auto config = graph::parse_config(text, "wharf.toml");
  EXPECT_TRUE(config) << (config ? "" : config.error().message);
  auto graph = graph::Graph::build(std::move(*config));
  EXPECT_TRUE(graph) << (graph ? "" : graph.error().message);
  return std::move(*graph);
}

const std::map<std::string, std::string> kFiles = {
    {"pnpm-lock.yaml", "lock v1"},
    {"README.md", "docs"},
    {"packages/common/index.ts", "export const x = 1;"},
    {"packages/common/test/x.test.ts", "test"},
    {"services/api/index.ts", "import 'common';"},
    {"services/api/NOTES.md", "not an input"},
    {"services/web/main.ts", "web"},
    {"other/unrelated.txt", "unrelated"},
};

// Reverses every directory listing: keys must not depend on listing order.
class ReversedListing : public fs::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  Result<std::vector<fs::DirEntry>> list_dir(const std::string& path) const override {
    auto entries = ForwardingFileSystem::list_dir(path);
    if (entries) std::reverse(entries->begin(), entries->end());
    return entries;
  }
};

class ServiceKeyTest : public ::testing::Test {
 protected:
  ServiceKeyTest() : graph_(BuildGraph(kConfig)) {}

  void Write(const std::string& root, const std::map<std::string, std::string>& files) {
    for (const auto& [path, contents] : files) fs_.set_file(root + "/" + path, contents);
  }

  // Every file of kFiles is tracked (facts marked racy, so never trusted).
  WorkTree Tree(const std::string& root, const fs::FileSystem* fs = nullptr) {
    WorkTree tree;
    tree.fs = fs ? fs : &fs_;
    tree.root = root;
    for (const auto& [path, contents] : kFiles) {
      TrackedFile t{path, {}};
      t.facts.racy = true;
      tree.tracked.push_back(t);
    }
    if (use_listing_cache_) tree.listing_cache = &listing_cache_;
    tree.is_ignored = [this](const std::string& path) -> Result<bool> {
      return std::any_of(ignored_.begin(), ignored_.end(), [&](const std::string& p) { return path.starts_with(p); });
    };
    return tree;
  }

  KeySet Compute(const WorkTree& tree) {
    std::vector<const graph::Service*> services;
    for (const auto& service : graph_.services()) services.push_back(&service);
    FileHasher hasher(*tree.fs, tree.root, &stat_cache_);
    auto keys =
        KeySet::compute(graph_, services, tree, hasher, [this](const std::string& name) -> std::optional<std::string> {
          auto it = env_.find(name);
          if (it == env_.end()) return std::nullopt;
          return it->second;
        });
    EXPECT_TRUE(keys) << (keys ? "" : keys.error().message);
    stats_ = hasher.stats();
    return std::move(*keys);
  }

  std::string Key(const KeySet& keys, std::string_view service) { return to_hex(keys.find_service(service)->key); }

  graph::Graph graph_;
  MemoryFileSystem fs_;
  testing::MemoryStatCache stat_cache_;
  std::map<std::string, std::string> env_;
  std::set<std::string> ignored_;
  bool use_listing_cache_ = false;
  testing::MemoryStatCache listing_cache_;
  HashStats stats_;
};

TEST_F(ServiceKeyTest, InputsFollowTheGraph) {
  Write("/repo", kFiles);
  KeySet keys = Compute(Tree("/repo"));
  const ComponentKey* api = keys.find_service("api");
  ASSERT_NE(api, nullptr);
  std::vector<std::string> own;
  for (auto f : api->files) own.push_back(keys.files()[f].path);
  EXPECT_EQ(own, (std::vector<std::string>{"pnpm-lock.yaml", "services/api/index.ts"}));
  ASSERT_EQ(api->packages.size(), 1u);
  EXPECT_EQ(keys.packages()[api->packages[0]].name, "common");
  EXPECT_EQ(api->input_files, 4u);
  std::string transcript = keys.transcript(*api);
  EXPECT_NE(transcript.find("format: wharf-input-key/1\nkind: service\nname: api\n"), std::string::npos);
  EXPECT_NE(transcript.find("file.path: services/api/index.ts\nfile.mode: 100644\nfile.digest: " +
                            to_hex(xxh3_128("import 'common';")) + "\n"),
            std::string::npos);
  EXPECT_NE(transcript.find("config.build: pnpm build\n"), std::string::npos);
  EXPECT_NE(transcript.find("env.name: NODE_ENV\nenv.unset: \n"), std::string::npos);
  EXPECT_EQ(transcript.find("NOTES.md"), std::string::npos);
}

TEST_F(ServiceKeyTest, SameContentAtTwoCheckoutPathsGivesSameKey) {
  Write("/one", kFiles);
  fs_.tick();
  Write("/elsewhere/two", kFiles);
  fs_.tick();
  KeySet one = Compute(Tree("/one"));
  KeySet two = Compute(Tree("/elsewhere/two"));
  EXPECT_EQ(Key(one, "api"), Key(two, "api"));
  EXPECT_EQ(Key(one, "web"), Key(two, "web"));
  EXPECT_NE(Key(one, "api"), Key(one, "web"));
}

TEST_F(ServiceKeyTest, KeyIndependentOfListingOrder) {
  Write("/repo", kFiles);
  fs_.set_file("/repo/services/api/untracked-b.ts", "b");
  fs_.set_file("/repo/services/api/untracked-a.ts", "a");
  fs_.tick();
  KeySet forward = Compute(Tree("/repo"));
  ReversedListing reversed(fs_);
  KeySet backward = Compute(Tree("/repo", &reversed));
  EXPECT_EQ(Key(forward, "api"), Key(backward, "api"));
  EXPECT_EQ(forward.find_service("api")->input_files, 6u);
}

TEST_F(ServiceKeyTest, TouchKeepsTheKeyAndIsNotReadAgain) {
  Write("/repo", kFiles);
  fs_.tick();
  KeySet first = Compute(Tree("/repo"));
  EXPECT_EQ(stats_.files_read, 5u);
  fs_.tick();
  fs_.touch("/repo/services/api/index.ts");
  fs_.tick();
  KeySet second = Compute(Tree("/repo"));
  EXPECT_EQ(Key(first, "api"), Key(second, "api"));
  EXPECT_EQ(stats_.files_read, 1u);
  fs_.tick();
  fs_.reset_counters();
  KeySet third = Compute(Tree("/repo"));
  EXPECT_EQ(Key(first, "api"), Key(third, "api"));
  EXPECT_EQ(stats_.files_read, 0u);
  EXPECT_EQ(stats_.stat_hits, 5u);
  EXPECT_EQ(fs_.reads(), 0u);
}

TEST_F(ServiceKeyTest, ChangeAndRevertGiveTheEarlierKey) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string original = Key(Compute(Tree("/repo")), "api");
  fs_.set_file("/repo/services/api/index.ts", "import 'common'!", MemoryFileSystem::KeepTimes::yes);
  fs_.tick();
  KeySet changed = Compute(Tree("/repo"));
  EXPECT_NE(Key(changed, "api"), original);
  fs_.set_file("/repo/services/api/index.ts", "import 'common';");
  fs_.tick();
  EXPECT_EQ(Key(Compute(Tree("/repo")), "api"), original);
}

TEST_F(ServiceKeyTest, EnvironmentValuesAreInputsAndUnsetIsNotEmpty) {
  Write("/repo", kFiles);
  fs_.tick();
  KeySet unset = Compute(Tree("/repo"));
  env_["NODE_ENV"] = "";
  KeySet empty = Compute(Tree("/repo"));
  env_["NODE_ENV"] = "production";
  KeySet production = Compute(Tree("/repo"));
  env_["UNDECLARED"] = "x";
  KeySet undeclared = Compute(Tree("/repo"));
  EXPECT_NE(Key(unset, "api"), Key(empty, "api"));
  EXPECT_NE(Key(empty, "api"), Key(production, "api"));
  EXPECT_EQ(Key(production, "api"), Key(undeclared, "api"));
  EXPECT_EQ(Key(unset, "web"), Key(production, "web"));  // web declares no env
  EXPECT_EQ(production.transcript(*production.find_service("api")).find("production"), std::string::npos);
}

TEST_F(ServiceKeyTest, PackageKeyIsSharedAndServiceExcludesGetTheirOwnView) {
  Write("/repo", kFiles);
  fs_.tick();
  KeySet before = Compute(Tree("/repo"));
  const ComponentKey* api = before.find_service("api");
  const ComponentKey* web = before.find_service("web");
  const ComponentKey& api_common = before.packages()[api->packages[0]];
  const ComponentKey& web_common = before.packages()[web->packages[0]];
  EXPECT_EQ(api_common.files.size(), 2u);
  EXPECT_EQ(web_common.files.size(), 1u);  // web excludes packages/common/test
  EXPECT_NE(api_common.key, web_common.key);

  fs_.set_file("/repo/packages/common/test/x.test.ts", "changed test");
  fs_.tick();
  KeySet after_test = Compute(Tree("/repo"));
  EXPECT_NE(Key(after_test, "api"), Key(before, "api"));
  EXPECT_EQ(Key(after_test, "web"), Key(before, "web"));

  fs_.set_file("/repo/packages/common/index.ts", "export const x = 2;");
  fs_.tick();
  KeySet after_src = Compute(Tree("/repo"));
  EXPECT_NE(Key(after_src, "api"), Key(after_test, "api"));
  EXPECT_NE(Key(after_src, "web"), Key(after_test, "web"));
}

TEST_F(ServiceKeyTest, UntrackedFilesCountUnlessIgnored) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string clean = Key(Compute(Tree("/repo")), "api");
  fs_.set_file("/repo/services/api/dist/bundle.js", "built");
  ignored_.insert("services/api/dist/");
  fs_.tick();
  EXPECT_EQ(Key(Compute(Tree("/repo")), "api"), clean);
  fs_.set_file("/repo/services/api/new.ts", "new");
  fs_.tick();
  KeySet with_new = Compute(Tree("/repo"));
  EXPECT_NE(Key(with_new, "api"), clean);
  EXPECT_NE(with_new.transcript(*with_new.find_service("api")).find("file.path: services/api/new.ts"),
            std::string::npos);
  // A deleted tracked file is no longer an input.
  ASSERT_TRUE(fs_.remove("/repo/services/api/new.ts"));
  ASSERT_TRUE(fs_.remove("/repo/services/api/index.ts"));
  KeySet deleted = Compute(Tree("/repo"));
  EXPECT_NE(Key(deleted, "api"), clean);
  EXPECT_EQ(deleted.find_service("api")->files.size(), 1u);
}

TEST_F(ServiceKeyTest, UnchangedDirectoriesAreNotListedAgain) {
  use_listing_cache_ = true;
  Write("/repo", kFiles);
  fs_.tick();
  fs_.reset_counters();
  std::string first = Key(Compute(Tree("/repo")), "api");
  EXPECT_GT(fs_.lists(), 0u);
  fs_.tick();
  fs_.reset_counters();
  EXPECT_EQ(Key(Compute(Tree("/repo")), "api"), first);
  EXPECT_EQ(fs_.lists(), 0u);
  EXPECT_EQ(fs_.reads(), 0u);

  // A new untracked file stamps its directory: listed again and found.
  fs_.set_file("/repo/services/api/new.ts", "new");
  fs_.tick();
  fs_.reset_counters();
  KeySet with_new = Compute(Tree("/repo"));
  EXPECT_NE(Key(with_new, "api"), first);
  EXPECT_EQ(fs_.lists(), 1u);
  EXPECT_EQ(with_new.find_service("api")->files.size(), 3u);
  // It stays untracked, so that directory is listed every time.
  fs_.tick();
  fs_.reset_counters();
  EXPECT_EQ(Key(Compute(Tree("/repo")), "api"), Key(with_new, "api"));
  EXPECT_EQ(fs_.lists(), 1u);
  ASSERT_TRUE(fs_.remove("/repo/services/api/new.ts"));
  fs_.tick();
  EXPECT_EQ(Key(Compute(Tree("/repo")), "api"), first);
}

TEST_F(ServiceKeyTest, ADirectoryChangedWithinTheRecordsTickIsListedAgain) {
  use_listing_cache_ = true;
  Write("/repo", kFiles);
  std::string first = Key(Compute(Tree("/repo")), "api");  // same tick as the writes
  fs_.set_file("/repo/services/api/new.ts", "new");        // still the same tick
  fs_.reset_counters();
  EXPECT_NE(Key(Compute(Tree("/repo")), "api"), first);
  EXPECT_GT(fs_.lists(), 0u);
}

TEST_F(ServiceKeyTest, ModeAndConfigAreInputs) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string before = Key(Compute(Tree("/repo")), "api");
  fs_.chmod("/repo/services/api/index.ts", 0755);
  fs_.tick();
  std::string executable = Key(Compute(Tree("/repo")), "api");
  EXPECT_NE(executable, before);

  std::string text(kConfig);
  text.replace(text.find("pnpm build"), 10, "pnpm build:prod");
  graph_ = BuildGraph(text);
  EXPECT_NE(Key(Compute(Tree("/repo")), "api"), executable);
}

TEST_F(ServiceKeyTest, TranscriptReproducesTheKey) {
  Write("/repo", kFiles);
  fs_.tick();
  KeySet keys = Compute(Tree("/repo"));
  // The transcript is derived by the same code as the key: same fields, twice.
  EXPECT_EQ(keys.transcript(*keys.find_service("api")), keys.transcript(*keys.find_service("api")));
  EXPECT_NE(keys.transcript(keys.packages()[0]).find("kind: package\nname: common\n"), std::string::npos);
}

}  // namespace
}  // namespace wharf::hashing

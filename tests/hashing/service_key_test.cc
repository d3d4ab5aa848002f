#include "hashing/service_key.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include "fs/forwarding_file_system.h"
#include "fs/memory_file_system.h"
#include "hashing/xxh3.h"
#include "tests/hashing/memory_caches.h"
#include "tests/testing/assert_result.h"

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

Result<graph::Graph> BuildGraph(std::string_view text) {
  auto config = graph::parse_config(text, "wharf.toml");
  if (!config) return std::unexpected(std::move(config.error()));
  return graph::Graph::build(std::move(*config));
}

// The component named `name`; a missing one fails the test (gtest reports the
// exception) instead of dereferencing null.
const ComponentKey& Find(const KeySet& keys, std::string_view name) {
  if (const ComponentKey* found = keys.find_service(name)) return *found;
  throw std::runtime_error("no service " + std::string(name) + " in the key set");
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

// The key a transcript stands for, re-derived without Hasher or Xxh3: each
// "tag: value" line is one field, fed to libxxhash's XXH3-128 as (8-byte
// little-endian tag length, tag, 8-byte little-endian value length, value).
// A digest field's value is the 16 bytes its hex spells; any other value is
// the text with "\\n" and "\\\\" unescaped. (A hidden env value cannot be
// re-derived: that fails.) 32 lower-case hex digits, canonical byte order.
std::string RehashTranscript(std::string_view transcript) {
  static const std::set<std::string_view> kDigestTags = {"file.digest", "package.key"};
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  auto put = [&](std::string_view bytes) {
    unsigned char size[8];
    for (int i = 0; i < 8; ++i) size[i] = static_cast<unsigned char>(std::uint64_t{bytes.size()} >> (8 * i));
    XXH3_128bits_update(state.get(), size, sizeof size);
    XXH3_128bits_update(state.get(), bytes.data(), bytes.size());
  };
  std::istringstream lines{std::string(transcript)};
  for (std::string line; std::getline(lines, line);) {
    std::size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      ADD_FAILURE() << "not a transcript line: " << line;
      return "";
    }
    std::string tag = line.substr(0, colon);
    std::string value = line.substr(colon + 2);
    if (value.starts_with("(hidden)")) ADD_FAILURE() << "a hidden value cannot be re-hashed: " << line;
    std::string bytes;
    if (kDigestTags.contains(tag)) {
      if (value.size() != 32) ADD_FAILURE() << "not a digest: " << line;
      for (std::size_t i = 0; i + 1 < value.size(); i += 2) {
        bytes.push_back(static_cast<char>(std::stoi(value.substr(i, 2), nullptr, 16)));
      }
    } else {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          bytes.push_back(value[++i] == 'n' ? '\n' : value[i]);
        } else {
          bytes.push_back(value[i]);
        }
      }
    }
    put(tag);
    put(bytes);
  }
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state.get()));
  std::string hex;
  for (unsigned char byte : canonical.digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

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
  void SetUp() override { ASSERT_OK_AND_ASSIGN(graph_, BuildGraph(kConfig)); }

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

  Result<KeySet> Compute(const WorkTree& tree) {
    std::vector<const graph::Service*> services;
    for (const auto& service : graph_->services()) services.push_back(&service);
    FileHasher hasher(*tree.fs, tree.root, &stat_cache_);
    auto keys =
        KeySet::compute(*graph_, services, tree, hasher, [this](const std::string& name) -> std::optional<std::string> {
          auto it = env_.find(name);
          if (it == env_.end()) return std::nullopt;
          return it->second;
        });
    stats_ = hasher.stats();
    return keys;
  }

  // The hex key of `service` in a key set computed from `tree`. A failure
  // fails the test and gives a text that is no key.
  std::string ComputeKey(const WorkTree& tree, std::string_view service = "api") {
    auto keys = Compute(tree);
    if (!keys) {
      ADD_FAILURE() << keys.error().message;
      return "(no key: " + keys.error().message + ")";
    }
    return Key(*keys, service);
  }

  static std::string Key(const KeySet& keys, std::string_view service) { return to_hex(Find(keys, service).key); }

  std::optional<graph::Graph> graph_;
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
  ASSERT_OK_AND_ASSIGN(KeySet keys, Compute(Tree("/repo")));
  const ComponentKey* api = keys.find_service("api");
  ASSERT_NE(api, nullptr);
  std::vector<std::string> own;
  for (auto f : api->files) own.push_back(keys.files()[f].path);
  EXPECT_EQ(own, (std::vector<std::string>{"pnpm-lock.yaml", "services/api/index.ts"}));
  ASSERT_EQ(api->packages.size(), 1u);
  EXPECT_EQ(keys.packages()[api->packages[0]].name, "common");
  EXPECT_EQ(api->input_files, 4u);
  std::string transcript = keys.transcript(*api);
  EXPECT_NE(transcript.find("format: wharf-input-key/3\nkind: service\nname: api\n"), std::string::npos);
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
  ASSERT_OK_AND_ASSIGN(KeySet one, Compute(Tree("/one")));
  ASSERT_OK_AND_ASSIGN(KeySet two, Compute(Tree("/elsewhere/two")));
  EXPECT_EQ(Key(one, "api"), Key(two, "api"));
  EXPECT_EQ(Key(one, "web"), Key(two, "web"));
  EXPECT_NE(Key(one, "api"), Key(one, "web"));
}

TEST_F(ServiceKeyTest, KeyIndependentOfListingOrder) {
  Write("/repo", kFiles);
  fs_.set_file("/repo/services/api/untracked-b.ts", "b");
  fs_.set_file("/repo/services/api/untracked-a.ts", "a");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet forward, Compute(Tree("/repo")));
  ReversedListing reversed(fs_);
  ASSERT_OK_AND_ASSIGN(KeySet backward, Compute(Tree("/repo", &reversed)));
  EXPECT_EQ(Key(forward, "api"), Key(backward, "api"));
  EXPECT_EQ(Find(forward, "api").input_files, 6u);
}

TEST_F(ServiceKeyTest, TouchKeepsTheKeyAndIsNotReadAgain) {
  Write("/repo", kFiles);
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet first, Compute(Tree("/repo")));
  EXPECT_EQ(stats_.files_read, 5u);
  fs_.tick();
  fs_.touch("/repo/services/api/index.ts");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet second, Compute(Tree("/repo")));
  EXPECT_EQ(Key(first, "api"), Key(second, "api"));
  EXPECT_EQ(stats_.files_read, 1u);
  fs_.tick();
  fs_.reset_counters();
  ASSERT_OK_AND_ASSIGN(KeySet third, Compute(Tree("/repo")));
  EXPECT_EQ(Key(first, "api"), Key(third, "api"));
  EXPECT_EQ(stats_.files_read, 0u);
  EXPECT_EQ(stats_.stat_hits, 5u);
  EXPECT_EQ(fs_.reads(), 0u);
}

TEST_F(ServiceKeyTest, ChangeAndRevertGiveTheEarlierKey) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string original = ComputeKey(Tree("/repo"));
  fs_.set_file("/repo/services/api/index.ts", "import 'common'!", MemoryFileSystem::KeepTimes::yes);
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet changed, Compute(Tree("/repo")));
  EXPECT_NE(Key(changed, "api"), original);
  fs_.set_file("/repo/services/api/index.ts", "import 'common';");
  fs_.tick();
  EXPECT_EQ(ComputeKey(Tree("/repo")), original);
}

TEST_F(ServiceKeyTest, EnvironmentValuesAreInputsAndUnsetIsNotEmpty) {
  Write("/repo", kFiles);
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet unset, Compute(Tree("/repo")));
  env_["NODE_ENV"] = "";
  ASSERT_OK_AND_ASSIGN(KeySet empty, Compute(Tree("/repo")));
  env_["NODE_ENV"] = "production";
  ASSERT_OK_AND_ASSIGN(KeySet production, Compute(Tree("/repo")));
  env_["UNDECLARED"] = "x";
  ASSERT_OK_AND_ASSIGN(KeySet undeclared, Compute(Tree("/repo")));
  EXPECT_NE(Key(unset, "api"), Key(empty, "api"));
  EXPECT_NE(Key(empty, "api"), Key(production, "api"));
  EXPECT_EQ(Key(production, "api"), Key(undeclared, "api"));
  EXPECT_EQ(Key(unset, "web"), Key(production, "web"));  // web declares no env
  EXPECT_EQ(production.transcript(Find(production, "api")).find("production"), std::string::npos);
}

TEST_F(ServiceKeyTest, PackageKeyIsSharedAndServiceExcludesGetTheirOwnView) {
  Write("/repo", kFiles);
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet before, Compute(Tree("/repo")));
  const ComponentKey& api = Find(before, "api");
  const ComponentKey& web = Find(before, "web");
  ASSERT_EQ(api.packages.size(), 1u);
  ASSERT_EQ(web.packages.size(), 1u);
  const ComponentKey& api_common = before.packages()[api.packages[0]];
  const ComponentKey& web_common = before.packages()[web.packages[0]];
  EXPECT_EQ(api_common.files.size(), 2u);
  EXPECT_EQ(web_common.files.size(), 1u);  // web excludes packages/common/test
  EXPECT_NE(api_common.key, web_common.key);

  fs_.set_file("/repo/packages/common/test/x.test.ts", "changed test");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet after_test, Compute(Tree("/repo")));
  EXPECT_NE(Key(after_test, "api"), Key(before, "api"));
  EXPECT_EQ(Key(after_test, "web"), Key(before, "web"));

  fs_.set_file("/repo/packages/common/index.ts", "export const x = 2;");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet after_src, Compute(Tree("/repo")));
  EXPECT_NE(Key(after_src, "api"), Key(after_test, "api"));
  EXPECT_NE(Key(after_src, "web"), Key(after_test, "web"));
}

TEST_F(ServiceKeyTest, UntrackedFilesCountUnlessIgnored) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string clean = ComputeKey(Tree("/repo"));
  fs_.set_file("/repo/services/api/dist/bundle.js", "built");
  ignored_.insert("services/api/dist/");
  fs_.tick();
  EXPECT_EQ(ComputeKey(Tree("/repo")), clean);
  fs_.set_file("/repo/services/api/new.ts", "new");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet with_new, Compute(Tree("/repo")));
  EXPECT_NE(Key(with_new, "api"), clean);
  EXPECT_NE(with_new.transcript(Find(with_new, "api")).find("file.path: services/api/new.ts"), std::string::npos);
  // A deleted tracked file is no longer an input.
  ASSERT_TRUE(fs_.remove("/repo/services/api/new.ts"));
  ASSERT_TRUE(fs_.remove("/repo/services/api/index.ts"));
  ASSERT_OK_AND_ASSIGN(KeySet deleted, Compute(Tree("/repo")));
  EXPECT_NE(Key(deleted, "api"), clean);
  EXPECT_EQ(Find(deleted, "api").files.size(), 1u);
}

TEST_F(ServiceKeyTest, UnchangedDirectoriesAreNotListedAgain) {
  use_listing_cache_ = true;
  Write("/repo", kFiles);
  fs_.tick();
  fs_.reset_counters();
  std::string first = ComputeKey(Tree("/repo"));
  EXPECT_GT(fs_.lists(), 0u);
  fs_.tick();
  fs_.reset_counters();
  EXPECT_EQ(ComputeKey(Tree("/repo")), first);
  EXPECT_EQ(fs_.lists(), 0u);
  EXPECT_EQ(fs_.reads(), 0u);

  // A new untracked file stamps its directory: listed again and found.
  fs_.set_file("/repo/services/api/new.ts", "new");
  fs_.tick();
  fs_.reset_counters();
  ASSERT_OK_AND_ASSIGN(KeySet with_new, Compute(Tree("/repo")));
  EXPECT_NE(Key(with_new, "api"), first);
  EXPECT_EQ(fs_.lists(), 1u);
  EXPECT_EQ(Find(with_new, "api").files.size(), 3u);
  // It stays untracked, so that directory is listed every time.
  fs_.tick();
  fs_.reset_counters();
  EXPECT_EQ(ComputeKey(Tree("/repo")), Key(with_new, "api"));
  EXPECT_EQ(fs_.lists(), 1u);
  ASSERT_TRUE(fs_.remove("/repo/services/api/new.ts"));
  fs_.tick();
  EXPECT_EQ(ComputeKey(Tree("/repo")), first);
}

TEST_F(ServiceKeyTest, ADirectoryChangedWithinTheRecordsTickIsListedAgain) {
  use_listing_cache_ = true;
  Write("/repo", kFiles);
  std::string first = ComputeKey(Tree("/repo"));     // same tick as the writes
  fs_.set_file("/repo/services/api/new.ts", "new");  // still the same tick
  fs_.reset_counters();
  EXPECT_NE(ComputeKey(Tree("/repo")), first);
  EXPECT_GT(fs_.lists(), 0u);
}

TEST_F(ServiceKeyTest, ModeAndConfigAreInputs) {
  Write("/repo", kFiles);
  fs_.tick();
  std::string before = ComputeKey(Tree("/repo"));
  fs_.chmod("/repo/services/api/index.ts", 0755);
  fs_.tick();
  std::string executable = ComputeKey(Tree("/repo"));
  EXPECT_NE(executable, before);

  std::string text(kConfig);
  text.replace(text.find("pnpm build"), 10, "pnpm build:prod");
  ASSERT_OK_AND_ASSIGN(graph_, BuildGraph(text));
  EXPECT_NE(ComputeKey(Tree("/repo")), executable);
}

TEST_F(ServiceKeyTest, TranscriptReproducesTheKey) {
  Write("/repo", kFiles);
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet keys, Compute(Tree("/repo")));
  // Both services, the package and web's view of it (web excludes a file).
  ASSERT_EQ(keys.services().size(), 2u);
  ASSERT_EQ(keys.packages().size(), 2u);
  std::set<std::string> transcripts;
  for (const auto* components : {&keys.services(), &keys.packages()}) {
    for (const ComponentKey& component : *components) {
      std::string transcript = keys.transcript(component);
      EXPECT_EQ(RehashTranscript(transcript), to_hex(component.key)) << component.name << ":\n" << transcript;
      transcripts.insert(transcript);
    }
  }
  EXPECT_EQ(transcripts.size(), 4u);
  EXPECT_NE(keys.transcript(keys.packages()[0]).find("kind: package\nname: common\n"), std::string::npos);

  // A changed input: a new transcript and key, and the key still follows from it.
  fs_.set_file("/repo/packages/common/index.ts", "export const x = 2;");
  fs_.tick();
  ASSERT_OK_AND_ASSIGN(KeySet changed, Compute(Tree("/repo")));
  const ComponentKey& api = Find(changed, "api");
  std::string transcript = changed.transcript(api);
  EXPECT_FALSE(transcripts.contains(transcript));
  EXPECT_NE(to_hex(api.key), Key(keys, "api"));
  EXPECT_EQ(RehashTranscript(transcript), to_hex(api.key)) << transcript;
}

}  // namespace
}  // namespace wharf::hashing

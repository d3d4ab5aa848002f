#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/lockfile/lockfile_test_util.h"
#include "tests/lockfile/samples.h"
#include "tests/testing/temp_dir.h"

namespace wharf::lockfile {
namespace {

using namespace testing::samples;

using testing::closure_of;
using testing::parse_error;
using testing::parse_ok;
using testing::replace;
using Names = std::vector<std::string>;



std::string pnpm6() {
  std::string v9(kPnpm9);
  std::string head = v9.substr(0, v9.find("packages:\n"));
  head = replace(replace(head, "'9.0'", "'6.0'"), "version: string-width@4.2.3", "version: /string-width@4.2.3");
  return head + std::string(kPnpm6Packages);
}

const Names kCartClosure = {"js-tokens@4.0.0", "loose-envify@1.4.0", "react@18.2.0",
                            "react-dom@18.2.0", "scheduler@0.23.2", "string-width@4.2.3"};

TEST(PnpmLockTest, V9ImportersAndClosuresFollowWorkspaceLinksPeersAndAliases) {
  Lockfile lock = parse_ok("pnpm-lock.yaml", kPnpm9);
  EXPECT_EQ(lock.format, Format::pnpm);
  EXPECT_EQ(importers(lock), (Names{".", "apps/admin", "apps/cart", "packages/tokens", "packages/ui"}));
  EXPECT_EQ(closure_of(lock, {"apps/cart"}), kCartClosure);
  EXPECT_EQ(closure_of(lock, {"apps/admin"}), (Names{"left-pad@1.3.0"}));
  EXPECT_EQ(closure_of(lock, {"packages/tokens"}), (Names{"string-width@4.2.3"}));
  EXPECT_EQ(closure_of(lock, {"."}), (Names{"typescript@5.4.5"}));
  EXPECT_EQ(closure_of(lock, {"apps/admin", "."}), (Names{"left-pad@1.3.0", "typescript@5.4.5"}));
  EXPECT_EQ(closure_of(lock, {"no/such/importer"}), Names{});
  // The peer-suffixed snapshot is its own instance of the react-dom package.
  auto instance = std::find_if(lock.instances.begin(), lock.instances.end(),
                               [](const auto& i) { return i.key == "react-dom@18.2.0(react@18.2.0)"; });
  ASSERT_NE(instance, lock.instances.end());
  EXPECT_EQ(lock.packages[instance->package].integrity, "sha512-reactDom1820");
  EXPECT_EQ(instance->deps.size(), 3u);
}

TEST(PnpmLockTest, V6GivesTheSameClosuresAsV9) {
  Lockfile v6 = parse_ok("pnpm-lock.yaml", pnpm6());
  Lockfile v9 = parse_ok("pnpm-lock.yaml", kPnpm9);
  EXPECT_EQ(importers(v6), importers(v9));
  EXPECT_EQ(v6.packages, v9.packages);
  for (const std::string& dir : importers(v9)) {
    std::vector<std::string> one{dir};
    EXPECT_EQ(closure(v6, one).digest, closure(v9, one).digest) << dir;
  }
  EXPECT_EQ(closure_of(v6, {"apps/cart"}), kCartClosure);
  EXPECT_FALSE(same_settings(v6, v9));  // lockfileVersion differs
}

TEST(PnpmLockTest, ABumpChangesOnlyTheClosuresThatReachIt) {
  Lockfile before = parse_ok("pnpm-lock.yaml", kPnpm9);
  Lockfile after = parse_ok("pnpm-lock.yaml", replace(replace(std::string(kPnpm9), "left-pad@1.3.0", "left-pad@1.3.1"),
                                                      "version: 1.3.0", "version: 1.3.1"));
  std::vector<std::string> admin{"apps/admin"}, cart{"apps/cart"};
  EXPECT_NE(closure(before, admin).digest, closure(after, admin).digest);
  EXPECT_EQ(closure(before, cart).digest, closure(after, cart).digest);
  EXPECT_TRUE(same_settings(before, after));
  EXPECT_EQ(describe_changes(before, closure(before, admin), after, closure(after, admin)), "left-pad 1.3.0 -> 1.3.1");
}

TEST(PnpmLockTest, ASharedDependencyChangesEveryImporterThatReachesIt) {
  // scheduler is reached only through packages/ui, which apps/cart links.
  Lockfile before = parse_ok("pnpm-lock.yaml", kPnpm9);
  Lockfile after = parse_ok("pnpm-lock.yaml",
                            replace(std::string(kPnpm9), "sha512-scheduler0232", "sha512-schedulerRepublished"));
  for (std::string dir : {"apps/cart", "packages/ui"}) {
    std::vector<std::string> one{dir};
    EXPECT_NE(closure(before, one).digest, closure(after, one).digest) << dir;
    EXPECT_EQ(describe_changes(before, closure(before, one), after, closure(after, one)),
              "scheduler 0.23.2 (integrity)");
  }
  for (std::string dir : {"apps/admin", "packages/tokens", "."}) {
    std::vector<std::string> one{dir};
    EXPECT_EQ(closure(before, one).digest, closure(after, one).digest) << dir;
  }
}

TEST(PnpmLockTest, OverridesAndPatchesAreGlobalSettings) {
  Lockfile before = parse_ok("pnpm-lock.yaml", kPnpm9);
  Lockfile overridden = parse_ok("pnpm-lock.yaml", replace(std::string(kPnpm9), "lodash: 4.17.21", "lodash: 4.17.20"));
  EXPECT_FALSE(same_settings(before, overridden));
  EXPECT_EQ(before.packages, overridden.packages);
  Lockfile patched = parse_ok(
      "pnpm-lock.yaml", replace(std::string(kPnpm9), "importers:\n",
                                "patchedDependencies:\n  left-pad@1.3.0:\n    hash: abc123\n    path: patches/lp.patch\n\n"
                                "importers:\n"));
  EXPECT_FALSE(same_settings(before, patched));
  // Reordering settings keys or quoting differently is not a change.
  Lockfile restyled = parse_ok("pnpm-lock.yaml", replace(std::string(kPnpm9),
                                                         "  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n",
                                                         "  excludeLinksFromLockfile: false\n  autoInstallPeers: true\n"));
  EXPECT_TRUE(same_settings(before, restyled));
}

TEST(PnpmLockTest, FlowStyleIsReadWholeAndGivesTheSameLockfile) {
  // Not the layout pnpm writes: the grouped reader must hand over to the
  // whole-document one, which reads any YAML style.
  std::string flow = replace(std::string(kPnpm9), "  js-tokens@4.0.0: {}\n", "");
  flow = replace(flow, "snapshots:\n\n", "snapshots:\n  js-tokens@4.0.0: {}\n");
  flow = replace(flow, "importers:\n\n  .:\n    devDependencies:\n      typescript:\n        specifier: ^5.4.0\n"
                       "        version: 5.4.5\n",
                 "importers:\n  .: {devDependencies: {typescript: {specifier: ^5.4.0, version: 5.4.5}}}\n");
  flow = replace(flow, "lockfileVersion: '9.0'\n", "{lockfileVersion: '9.0'}\n---\n");
  // ... which is no longer one document: a clear error.
  EXPECT_NE(parse_error("pnpm-lock.yaml", flow).find("pnpm-lock.yaml:"), std::string::npos);
  flow = replace(flow, "{lockfileVersion: '9.0'}\n---\n", "'lockfileVersion': \"9.0\"\n");
  Parser parser;
  fs::MemorySourceTree tree;
  auto lock = parser.parse("pnpm-lock.yaml", flow, tree);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ(parser.stats().whole_documents, 1u);
  Lockfile block = parse_ok("pnpm-lock.yaml", kPnpm9);
  EXPECT_EQ(lock->packages, block.packages);
  EXPECT_EQ(lock->importers, block.importers);
  EXPECT_EQ(lock->instances, block.instances);
}

TEST(PnpmLockTest, CorruptLockfilesNameFileAndLine) {
  // Bad YAML: an unclosed flow mapping on line 51 (`js-tokens` resolution),
  // which libyaml notices at the next key, line 53.
  std::string bad = replace(std::string(kPnpm9), "{integrity: sha512-jsTokens4}", "{integrity: sha512-jsTokens4");
  std::string message = parse_error("apps/pnpm-lock.yaml", bad);
  EXPECT_NE(message.find("apps/pnpm-lock.yaml:53: did not find expected ',' or '}'"), std::string::npos) << message;
  // A snapshot depending on a version nobody lists: the snapshot's line.
  std::string dangling = replace(std::string(kPnpm9), "      js-tokens: 4.0.0\n", "      js-tokens: 9.9.9\n");
  message = parse_error("pnpm-lock.yaml", dangling);
  EXPECT_NE(message.find("pnpm-lock.yaml:88: `loose-envify@1.4.0` depends on `js-tokens` 9.9.9"), std::string::npos)
      << message;
  // An importer's dependency with no snapshot.
  message = parse_error("pnpm-lock.yaml", replace(std::string(kPnpm9), "version: 1.3.0", "version: 1.3.9"));
  EXPECT_NE(message.find("pnpm-lock.yaml:18: `apps/admin` depends on `left-pad` 1.3.9"), std::string::npos) << message;
  // A version pnpm no longer writes, and no version at all.
  message = parse_error("pnpm-lock.yaml", replace(std::string(kPnpm9), "'9.0'", "'5.4'"));
  EXPECT_NE(message.find("lockfileVersion 5 is not supported"), std::string::npos) << message;
  EXPECT_NE(parse_error("pnpm-lock.yaml", "importers: {}\n").find("no lockfileVersion"), std::string::npos);
  EXPECT_NE(parse_error("pnpm-lock.yaml", "").find("pnpm-lock.yaml:1:"), std::string::npos);
  EXPECT_NE(parse_error("pnpm-lock.yaml", "- a\n- b\n").find("pnpm-lock.yaml:1:"), std::string::npos);
}

// The generator the bench uses, small: a lockfile of ~400 KB and the same
// after one bump.
struct Generated {
  std::string before, after;
};
Generated generate(double megabytes, int importer_count) {
  wharf::testing::TempDir dir;
  std::string before = dir.path() + "/before.yaml", after = dir.path() + "/after.yaml";
  int status = -1;
  std::string out = wharf::testing::run_command(
      "python3 " + wharf::testing::shell_quote(wharf::testing::source_dir() + "/bench/gen_lockfile.py") + " " +
          wharf::testing::shell_quote(before) + " " + wharf::testing::shell_quote(after) + " --megabytes " +
          std::to_string(megabytes) + " --importers " + std::to_string(importer_count) + " --seed 7",
      &status);
  EXPECT_EQ(status, 0) << out;
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  return {read(before), read(after)};
}

TEST(PnpmLockTest, GroupedParallelParseEqualsWholeDocumentParse) {
  Generated g = generate(0.4, 60);
  ASSERT_GT(g.before.size(), 300'000u);
  fs::MemorySourceTree tree;
  Parser grouped(PnpmStrategy::grouped);
  auto before = grouped.parse("pnpm-lock.yaml", g.before, tree);
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(grouped.stats().whole_documents, 0u);
  EXPECT_GT(grouped.stats().groups_parsed, 10u);
  std::size_t parsed_first = grouped.stats().groups_parsed;
  auto after = grouped.parse("pnpm-lock.yaml", g.after, tree);
  ASSERT_TRUE(after) << after.error().message;
  // The second commit shares all groups but those around the bump.
  EXPECT_LE(grouped.stats().groups_parsed - parsed_first, 6u);
  EXPECT_GE(grouped.stats().groups_shared, parsed_first - 6);

  Parser whole(PnpmStrategy::whole_document);
  auto before_whole = whole.parse("pnpm-lock.yaml", g.before, tree);
  auto after_whole = whole.parse("pnpm-lock.yaml", g.after, tree);
  ASSERT_TRUE(before_whole && after_whole);
  EXPECT_EQ(whole.stats().whole_documents, 2u);
  EXPECT_GT(before->instances.size(), 1000u);
  EXPECT_TRUE(*before == *before_whole);
  EXPECT_TRUE(*after == *after_whole);
  EXPECT_FALSE(*before == *after);

  // Both at once, as a plan asks: the same lockfiles.
  Parser together;
  Parser::Input inputs[] = {{"pnpm-lock.yaml", g.before, &tree}, {"pnpm-lock.yaml", g.after, &tree}};
  auto both = together.parse_all(inputs);
  ASSERT_EQ(both.size(), 2u);
  ASSERT_TRUE(both[0] && both[1]);
  EXPECT_TRUE(*both[0] == *before_whole);
  EXPECT_TRUE(*both[1] == *after_whole);
  EXPECT_EQ(together.stats().groups_parsed, grouped.stats().groups_parsed);

  // The bump touches exactly one importer's closure (an app's own dependency).
  ClosureIndex a(*before), b(*after);
  std::vector<std::string> changed;
  for (const std::string& dir : importers(*after)) {
    std::span<const std::string> one(&dir, 1);
    if (a.closure(one).digest != b.closure(one).digest) changed.push_back(dir);
    EXPECT_EQ(a.closure(one), closure(*before, one)) << dir;  // memoised == direct
  }
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_TRUE(changed[0].starts_with("apps/")) << changed[0];
}

}  // namespace
}  // namespace wharf::lockfile

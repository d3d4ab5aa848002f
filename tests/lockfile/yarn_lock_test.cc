#include <gtest/gtest.h>

#include "lockfile/workspaces.h"
#include "tests/lockfile/lockfile_test_util.h"
#include "tests/lockfile/samples.h"

namespace wharf::lockfile {
namespace {

using namespace testing::samples;

using testing::closure_of;
using testing::parse_error;
using testing::parse_ok;
using testing::replace;
using Names = std::vector<std::string>;


fs::MemorySourceTree classic_workspace() {
  return fs::MemorySourceTree({
      {"package.json",
       R"({"private": true, "workspaces": ["apps/*", "packages/*", "!apps/legacy"],
           "devDependencies": {"typescript": "^5.4.0"}, "resolutions": {"semver": "7.5.4"}})"},
      {"apps/cart/package.json",
       R"({"name": "cart", "dependencies": {"@acme/ui": "1.0.0", "react": "^18.2.0"}})"},
      {"apps/admin/package.json", R"({"name": "admin", "dependencies": {"left-pad": "^1.3.0"}})"},
      {"apps/legacy/package.json", R"({"name": "legacy", "dependencies": {"jquery": "^1.0.0"}})"},
      {"packages/ui/package.json",
       R"({"name": "@acme/ui", "version": "1.0.0", "dependencies": {"react-dom": "^18.2.0"}, "peerDependencies": {"react": "*"}})"},
      {"packages/ui/node_modules/x/package.json", R"({"name": "x"})"},
      {"docs/package.json", R"({"name": "docs"})"},
  });
}

TEST(YarnClassicLockTest, ImportersComeFromTheWorkspacesPackageJsonFiles) {
  fs::MemorySourceTree tree = classic_workspace();
  Lockfile lock = parse_ok("yarn.lock", kYarnClassic, tree);
  EXPECT_EQ(lock.format, Format::yarn_classic);
  EXPECT_EQ(importers(lock), (Names{".", "apps/admin", "apps/cart", "packages/ui"}));
  EXPECT_EQ(closure_of(lock, {"apps/cart"}),
            (Names{"js-tokens@4.0.0", "loose-envify@1.4.0", "react@18.2.0", "react-dom@18.2.0", "scheduler@0.23.2"}));
  EXPECT_EQ(closure_of(lock, {"apps/admin"}), (Names{"left-pad@1.3.0"}));
  EXPECT_EQ(closure_of(lock, {"."}), (Names{"typescript@5.4.5"}));
}

TEST(YarnClassicLockTest, ALockfileInASubdirectoryReadsItsOwnPackageJson) {
  fs::MemorySourceTree tree;
  tree.put("web/package.json", R"({"workspaces": {"packages": ["apps/**"]}})");
  tree.put("web/apps/shop/cart/package.json", R"({"name": "cart", "dependencies": {"left-pad": "^1.3.0"}})");
  Lockfile lock = parse_ok("web/yarn.lock", kYarnClassic, tree);
  EXPECT_EQ(importers(lock), (Names{".", "apps/shop/cart"}));
  EXPECT_EQ(closure_of(lock, {"apps/shop/cart"}), (Names{"left-pad@1.3.0"}));
}

TEST(YarnClassicLockTest, BumpsResolutionsAndErrors) {
  fs::MemorySourceTree tree = classic_workspace();
  Lockfile before = parse_ok("yarn.lock", kYarnClassic, tree);
  Lockfile after = parse_ok("yarn.lock", replace(std::string(kYarnClassic), "version \"0.23.2\"", "version \"0.23.3\""), tree);
  std::vector<std::string> cart{"apps/cart"}, admin{"apps/admin"};
  EXPECT_EQ(describe_changes(before, closure(before, cart), after, closure(after, cart)), "scheduler 0.23.2 -> 0.23.3");
  EXPECT_EQ(closure(before, admin).digest, closure(after, admin).digest);

  fs::MemorySourceTree resolved = classic_workspace();
  resolved.put("package.json", R"({"private": true, "workspaces": ["apps/*", "packages/*", "!apps/legacy"],
           "devDependencies": {"typescript": "^5.4.0"}, "resolutions": {"semver": "7.6.0"}})");
  EXPECT_FALSE(same_settings(before, parse_ok("yarn.lock", kYarnClassic, resolved)));

  std::string message = parse_error("yarn.lock", replace(std::string(kYarnClassic), "\"^3.0.0 || ^4.0.0\"\n\n", "\"^3.0.0 || ^4.0.0\n\n"), tree);
  EXPECT_NE(message.find("yarn.lock:20: a quote is not closed"), std::string::npos) << message;
  message = parse_error("yarn.lock", replace(std::string(kYarnClassic), "    scheduler \"^0.23.0\"", "    scheduler \"^0.24.0\""), tree);
  EXPECT_NE(message.find("yarn.lock:28: `scheduler@^0.24.0` is not in yarn.lock"), std::string::npos) << message;
  tree.put("apps/admin/package.json", R"({"name": "admin", "dependencies": {"left-pad": "^2.0.0"}})");
  message = parse_error("yarn.lock", kYarnClassic, tree);
  EXPECT_NE(message.find("apps/admin/package.json depends on `left-pad@^2.0.0`"), std::string::npos) << message;
}

TEST(YarnClassicLockTest, WorkspaceGlobs) {
  using detail::glob_matches;
  EXPECT_TRUE(glob_matches("apps/*", "apps/cart"));
  EXPECT_FALSE(glob_matches("apps/*", "apps/cart/sub"));
  EXPECT_TRUE(glob_matches("apps/**", "apps/cart/sub"));
  EXPECT_TRUE(glob_matches("./tools/cli", "tools/cli"));
  EXPECT_TRUE(glob_matches("packages/ui-*", "packages/ui-kit"));
  EXPECT_FALSE(glob_matches("packages/ui-*", "packages/core"));
}


TEST(YarnBerryLockTest, WorkspaceEntriesAreImportersAndChecksumsIntegrity) {
  fs::MemorySourceTree tree;  // berry needs no package.json: workspaces are in the lockfile
  Lockfile lock = parse_ok("yarn.lock", kYarnBerry, tree);
  EXPECT_EQ(lock.format, Format::yarn_berry);
  EXPECT_EQ(importers(lock), (Names{".", "apps/admin", "apps/cart", "packages/ui"}));
  EXPECT_EQ(closure_of(lock, {"apps/cart"}),
            (Names{"js-tokens@4.0.0", "left-pad@1.3.0", "loose-envify@1.4.0", "react@18.2.0"}));
  EXPECT_EQ(closure_of(lock, {"apps/admin"}), (Names{"left-pad@1.3.0"}));
  EXPECT_EQ(closure_of(lock, {"."}), Names{});
  // A new checksum for the same version (a republished package) is a change.
  Lockfile after = parse_ok("yarn.lock", replace(std::string(kYarnBerry), "10c0/b562d9b5", "10c0/0000d9b5"), tree);
  std::vector<std::string> cart{"apps/cart"}, admin{"apps/admin"};
  EXPECT_EQ(describe_changes(lock, closure(lock, cart), after, closure(after, cart)), "react 18.2.0 (integrity)");
  EXPECT_EQ(closure(lock, admin).digest, closure(after, admin).digest);
  EXPECT_FALSE(same_settings(lock, parse_ok("yarn.lock", replace(std::string(kYarnBerry), "cacheKey: 10c0", "cacheKey: 9"), tree)));
}

TEST(YarnBerryLockTest, CorruptLockfilesNameFileAndLine) {
  fs::MemorySourceTree tree;
  std::string message = parse_error("yarn.lock", replace(std::string(kYarnBerry), "    js-tokens: \"npm:^3.0.0 || ^4.0.0\"", "    js-tokens: \"npm:^9\""), tree);
  EXPECT_NE(message.find("yarn.lock:51: `loose-envify@npm:1.4.0` depends on `js-tokens@npm:^9`"), std::string::npos) << message;
  message = parse_error("yarn.lock", replace(std::string(kYarnBerry), "  resolution: \"react@npm:18.2.0\"\n", "  resolution: [\n"), tree);
  EXPECT_NE(message.find("yarn.lock:"), std::string::npos) << message;
}

}  // namespace
}  // namespace wharf::lockfile

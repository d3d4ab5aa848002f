#include "infer/node_workspace.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

NodeWorkspace read(const fs::MemorySourceTree& tree, Warnings& warnings) {
  auto files = tree.files();
  return read_node_workspace(tree, *files, warnings);
}

TEST(InferNodeWorkspaceTest, PnpmGlobsWithNegationsAndNodeModulesLeftOut) {
  fs::MemorySourceTree tree({
      {"pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n  - 'apps/**'\n  - '!apps/legacy'\n"},
      {"packages/ui/package.json", R"({"name": "@acme/ui", "version": "2.1.0", "dependencies": {"@acme/core": "workspace:*"}})"},
      {"packages/core/package.json", R"({"name": "@acme/core", "version": "1.0.0"})"},
      {"packages/core/nested/package.json", R"({"name": "not-a-member"})"},
      {"apps/web/package.json", R"({"name": "web", "scripts": {"start": "node ."}})"},
      {"apps/admin/tools/package.json", R"({"name": "admin-tools", "scripts": {"build": "tsc"}})"},
      {"apps/legacy/package.json", R"({"name": "legacy"})"},
      {"apps/web/node_modules/x/package.json", R"({"name": "x"})"},
  });
  Warnings warnings;
  NodeWorkspace workspace = read(tree, warnings);
  std::vector<std::string> dirs;
  for (const auto& package : workspace.packages) dirs.push_back(package.dir);
  EXPECT_EQ(dirs, (std::vector<std::string>{"apps/admin/tools", "apps/web", "packages/core", "packages/ui"}));
  EXPECT_EQ(workspace.files, (std::vector<std::string>{"pnpm-workspace.yaml"}));
  const NodePackage& ui = workspace.packages[3];
  EXPECT_EQ(ui.name, "@acme/ui");
  EXPECT_EQ(ui.version, "2.1.0");
  EXPECT_FALSE(ui.runnable);
  EXPECT_EQ(ui.matched_by, "pnpm-workspace.yaml:2 (packages/*)");
  ASSERT_EQ(ui.deps.size(), 1u);
  EXPECT_EQ(ui.deps[0].second, "workspace:*");
  EXPECT_TRUE(workspace.packages[1].runnable);
  EXPECT_TRUE(warnings.items().empty());
}

TEST(InferNodeWorkspaceTest, PackageJsonWorkspacesArrayOrObject) {
  for (const char* root : {R"({"workspaces": ["libs/*"]})", R"({"workspaces": {"packages": ["libs/*"]}})"}) {
    fs::MemorySourceTree tree({{"package.json", root}, {"libs/a/package.json", R"({"name": "a"})"}});
    Warnings warnings;
    NodeWorkspace workspace = read(tree, warnings);
    ASSERT_EQ(workspace.packages.size(), 1u) << root;
    EXPECT_EQ(workspace.packages[0].matched_by, "package.json (workspaces) (libs/*)");
  }
}

TEST(InferNodeWorkspaceTest, AManifestThatDoesNotParseIsAWarningWithItsLine) {
  fs::MemorySourceTree tree({
      {"package.json", R"({"workspaces": ["libs/*"]})"},
      {"libs/a/package.json", "{\n  \"name\": \"a\",\n  \"version\": 1.0.0\n}\n"},
      {"libs/b/package.json", R"({"name": "b"})"},
  });
  Warnings warnings;
  NodeWorkspace workspace = read(tree, warnings);
  ASSERT_EQ(workspace.packages.size(), 1u);
  EXPECT_EQ(workspace.packages[0].name, "b");
  ASSERT_EQ(warnings.items().size(), 1u);
  EXPECT_TRUE(warnings.items()[0].starts_with("libs/a/package.json:3:")) << warnings.items()[0];
}

TEST(InferNodeWorkspaceTest, SpecsThatResolveLocally) {
  EXPECT_TRUE(spec_resolves_locally("workspace:*", ""));
  EXPECT_TRUE(spec_resolves_locally("workspace:^1.0.0", "1.0.0"));
  EXPECT_TRUE(spec_resolves_locally("*", "3.0.0"));
  EXPECT_TRUE(spec_resolves_locally("1.2.3", "1.2.3"));
  EXPECT_TRUE(spec_resolves_locally("^1.0.0", "1.4.2"));
  EXPECT_TRUE(spec_resolves_locally("~2.1.0", "2.1.9"));
  EXPECT_FALSE(spec_resolves_locally("^2.0.0", "1.4.2"));
  EXPECT_FALSE(spec_resolves_locally("1.2.4", "1.2.3"));
  EXPECT_FALSE(spec_resolves_locally(">=1.0.0", "1.2.3"));
  EXPECT_FALSE(spec_resolves_locally("^1.0.0", ""));
}

}  // namespace
}  // namespace wharf::infer

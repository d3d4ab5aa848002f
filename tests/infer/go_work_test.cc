#include "infer/go_work.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferGoWorkTest, UsedModulesAndTheirLocalDeps) {
  fs::MemorySourceTree tree({
      {"go.work", "go 1.22\n\nuse (\n\t./services/api // the API\n\t./libs/auth\n\t./libs/db\n)\nuse ./tools\n"},
      {"services/api/go.mod",
       "module example.com/api\n\ngo 1.22\n\nrequire (\n\texample.com/auth v0.0.0\n\tgithub.com/x/y v1.2.3\n)\n"},
      {"libs/auth/go.mod", "module example.com/auth\n\nrequire example.com/db v0.1.0\n"},
      {"libs/db/go.mod", "module example.com/db\n"},
      {"tools/go.mod", "module example.com/tools\n\nreplace example.com/whatever => ../libs/db\n"},
  });
  Warnings warnings;
  auto files = tree.files();
  GoWorkspace workspace = read_go_work(tree, *files, warnings);
  ASSERT_TRUE(workspace.present);
  ASSERT_EQ(workspace.modules.size(), 4u);
  EXPECT_EQ(workspace.modules[0].dir, "libs/auth");
  EXPECT_EQ(workspace.modules[0].dep_dirs, (std::vector<std::string>{"libs/db"}));
  EXPECT_EQ(workspace.modules[2].dir, "services/api");
  EXPECT_EQ(workspace.modules[2].module_path, "example.com/api");
  EXPECT_EQ(workspace.modules[2].dep_dirs, (std::vector<std::string>{"libs/auth"}));
  EXPECT_EQ(workspace.modules[2].use_line, 4);
  EXPECT_EQ(workspace.modules[3].dep_dirs, (std::vector<std::string>{"libs/db"}));
  EXPECT_TRUE(warnings.items().empty());
}

TEST(InferGoWorkTest, AUseWithoutGoModIsAWarning) {
  fs::MemorySourceTree tree(std::map<std::string, std::string>{{"go.work", "go 1.22\nuse ./missing\n"}});
  Warnings warnings;
  auto files = tree.files();
  GoWorkspace workspace = read_go_work(tree, *files, warnings);
  ASSERT_EQ(warnings.items().size(), 1u);
  EXPECT_TRUE(warnings.items()[0].starts_with("go.work:2:")) << warnings.items()[0];
}

}  // namespace
}  // namespace wharf::infer

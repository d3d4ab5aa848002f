// Which files a mapping takes, on a real repository: tracked and untracked
// (not ignored) files, declared outputs, directories named exactly even when
// git ignores them; never other ignored files; names below `to`.
#include "workspace/artifact_files.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fs/real_file_system.h"
#include "tests/testing/assert_result.h"
#include "tests/testing/git_repo.h"
#include "vcs/index.h"
#include "vcs/repository.h"

namespace wharf::workspace {
namespace {

class ArtifactFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write(".gitignore", "node_modules/\ndist/\n*.local\n");
    repo_.write("api/src/index.js", "1\n");
    repo_.write("api/src/.env.local", "SECRET=1\n");
    repo_.write("api/migrations/0001.sql", "create\n");
    repo_.write("api/migrations/notes.txt", "n\n");
    repo_.write("api/package.json", "{}\n");
    repo_.commit("initial");
    repo_.write("api/src/new.js", "untracked, not ignored\n");
    repo_.write("api/dist/bundle.js", "built\n");
    repo_.write("node_modules/left-pad/index.js", "lp\n");
    repo_.write("node_modules/.cache/x", "cache\n");
    fs_ = std::make_unique<fs::RealFileSystem>(repo_.path());
    git_repo_ = std::make_unique<vcs::Repository>(testing::value_or_throw(vcs::Repository::open(repo_.path()), "open"));
    auto index = testing::value_or_throw(vcs::Index::read(*git_repo_), "index");
    for (const auto& e : index.entries()) tracked_.push_back(e.path);
  }

  std::vector<std::string> Names(const std::string& table, std::vector<graph::PatternEntry> outputs = {}) {
    auto config = testing::value_or_throw(
        graph::parse_config("[service.a]\npaths = [\"api\"]\n[service.a.zip]\n" + table, "wharf.toml"), "config");
    auto spec = testing::value_or_throw(graph::artifact_spec(config.services[0]), "spec");
    outputs_ = std::move(outputs);
    FileUniverse u;
    u.fs = fs_.get();
    u.tracked = tracked_;
    u.outputs = outputs_;
    u.is_ignored = [this](const std::string& path) { return vcs::is_ignored(*git_repo_, path); };
    u.skip_dirs = {".git"};
    auto entries = resolve_mappings(u, spec.zip.files, "a");
    if (!entries) return {"error: " + entries.error().message};
    std::vector<std::string> names;
    for (const auto& e : *entries) names.push_back(e.archive_path);
    std::sort(names.begin(), names.end());
    return names;
  }

  static graph::PatternEntry Output(const std::string& path) {
    return graph::PatternEntry{testing::value_or_throw(graph::PathPattern::parse(path), "pattern"), {}};
  }

  testing::GitRepo repo_;
  std::unique_ptr<fs::RealFileSystem> fs_;
  std::unique_ptr<vcs::Repository> git_repo_;
  std::vector<std::string> tracked_;
  std::vector<graph::PatternEntry> outputs_;
};

TEST_F(ArtifactFilesTest, ADirectoryTakesWhatGitWouldTrackButNotIgnoredFiles) {
  EXPECT_EQ(Names("files = [{ from = \"api/src\", to = \"src\" }]"),
            (std::vector<std::string>{"src/index.js", "src/new.js"}));
}

TEST_F(ArtifactFilesTest, DeclaredOutputsAreTakenThoughIgnored) {
  EXPECT_EQ(Names("files = [{ from = \"api\", to = \"\" }]"),
            (std::vector<std::string>{"migrations/0001.sql", "migrations/notes.txt", "package.json", "src/index.js",
                                      "src/new.js"}));
  EXPECT_EQ(Names("files = [{ from = \"api\", to = \"\" }]", {Output("api/dist")}),
            (std::vector<std::string>{"dist/bundle.js", "migrations/0001.sql", "migrations/notes.txt", "package.json",
                                      "src/index.js", "src/new.js"}));
}

TEST_F(ArtifactFilesTest, AnIgnoredDirectoryNamedExactlyIsTakenWhole) {
  EXPECT_EQ(Names("files = [{ from = \"node_modules\", to = \"app/node_modules\", exclude = "
                  "[\"node_modules/.cache\"] }]"),
            (std::vector<std::string>{"app/node_modules/left-pad/index.js"}));
}

TEST_F(ArtifactFilesTest, GlobsFilesAndTargets) {
  EXPECT_EQ(Names("files = [{ from = \"api/migrations/*.sql\", to = \"db/\" }, { from = \"api/package.json\", to = "
                  "\"meta/\" }, { from = \"api/src/.env.local\", to = \"env\" }]"),
            (std::vector<std::string>{"db/0001.sql", "env", "meta/package.json"}));
}

TEST_F(ArtifactFilesTest, AFromThatMatchesNothingNamesItsLine) {
  auto names = Names("files = [\n  { from = \"api/migrations/*.sqlx\" },\n]");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_NE(names[0].find("wharf.toml:5:12: service a: from = \"api/migrations/*.sqlx\" matches no file"),
            std::string::npos)
      << names[0];
}

TEST_F(ArtifactFilesTest, SymlinksInsideAreKeptAndOnesLeavingTheRepositoryAreErrors) {
  repo_.symlink("index.js", "api/src/link.js");
  auto inside = Names("files = [{ from = \"api/src/link.js\", to = \"l\" }]");
  EXPECT_EQ(inside, std::vector<std::string>{"l"});
  repo_.symlink("../../../outside", "api/src/bad");
  auto names = Names("files = [{ from = \"api/src\" }]");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_NE(names[0].find("symlink api/src/bad -> ../../../outside points outside the repository"), std::string::npos)
      << names[0];
}

}  // namespace
}  // namespace wharf::workspace

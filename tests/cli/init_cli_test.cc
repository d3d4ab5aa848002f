// End to end: `wharf init` on real git repositories built here, through the
// real binary: what it prints loads in `wharf plan`, --write keeps hand edits
// and is idempotent, --check fails when the repository grew a service, and
// it reads a bare clone.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class InitCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("pnpm-workspace.yaml", "packages:\n  - packages/*\n  - services/*\n");
    repo_.write("package.json", R"({"name": "root", "private": true})");
    repo_.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    repo_.write("packages/core/package.json", R"({"name": "@acme/core", "version": "1.0.0"})");
    repo_.write("packages/core/index.ts", "export {}\n");
    repo_.write("services/web/package.json",
                R"({"name": "@acme/web", "scripts": {"start": "node ."}, "dependencies": {"@acme/core": "workspace:*"}})");
    repo_.write("services/web/Dockerfile", "FROM node:20\nCOPY . .\n");
    repo_.write("services/web/index.ts", "x\n");
    repo_.write("docker-compose.yml",
                "services:\n"
                "  cart:\n"
                "    build:\n"
                "      context: ./src/cart\n"
                "  db:\n"
                "    image: postgres\n");
    repo_.write("src/cart/Dockerfile", "FROM golang AS b\nCOPY . .\nFROM scratch\nCOPY --from=b /out /out\n");
    repo_.write("src/cart/.dockerignore", "*.md\n");
    repo_.write("src/cart/main.go", "package main\n");
    repo_.commit("a monorepo");
  }

  // Runs wharf with `args` from `dir` (default: the work tree); stderr into `err`.
  std::string Wharf(const std::string& args, int* status, std::string* err = nullptr, std::string dir = "") {
    if (dir.empty()) dir = repo_.path();
    const std::string err_file = scratch_.path() + "/stderr";
    std::string out = run_command("cd " + shell_quote(dir) + " && env -u WHARF_CACHE_DIR " +
                                      shell_quote(testing::wharf_binary()) + " " + args + " 2>" + shell_quote(err_file),
                                  status);
    if (err) *err = read_text(err_file);
    return out;
  }

  std::string Config() { return read_text(repo_.path() + "/wharf.toml"); }

  testing::GitRepo repo_;
  testing::TempDir scratch_;
};

TEST_F(InitCliTest, PrintsAConfigThatPlanAccepts) {
  int status = -1;
  std::string err;
  const std::string printed = Wharf("init", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(printed.find("[service.cart]"), std::string::npos) << printed;
  EXPECT_NE(printed.find("[service.web]"), std::string::npos) << printed;
  EXPECT_NE(printed.find("[package.core]"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("[service.db]"), std::string::npos) << "an image-only compose service is not built";
  EXPECT_NE(printed.find("# from docker-compose.yml:4 (build.context ./src/cart)"), std::string::npos) << printed;
  // Printing writes nothing.
  EXPECT_EQ(read_text(repo_.path() + "/wharf.toml"), "");
  repo_.write("wharf.toml", printed);
  std::string plan = Wharf("plan --since HEAD --json", &status, &err);
  ASSERT_EQ(status, 0) << err << "\n" << printed;
  EXPECT_NE(plan.find("\"name\": \"cart\""), std::string::npos) << plan;
  // web depends on core through workspace:*: a change to core reaches it.
  repo_.write("packages/core/index.ts", "export const x = 1\n");
  plan = Wharf("plan --since HEAD --worktree --json", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(plan.find("\"via\": \"core\""), std::string::npos) << plan;
}

TEST_F(InitCliTest, WriteTwiceIsIdempotent) {
  int status = -1;
  std::string err;
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(err.find("wrote wharf.toml"), std::string::npos) << err;
  const std::string first = Config();
  ASSERT_NE(first.find("# >>> wharf init"), std::string::npos);
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(err.find("up to date"), std::string::npos) << err;
  EXPECT_EQ(Config(), first);
  // What --write wrote is what init prints.
  EXPECT_EQ(Wharf("init", &status), first);
}

TEST_F(InitCliTest, AHandWrittenServiceOutsideTheBlockSurvivesAndWins) {
  const std::string mine =
      "# my notes: keep\n"
      "[service.cart]\n"
      "paths = [\"src/cart\", \"docker-compose.yml\"]\n"
      "\n"
      "[environment.prod]\n"
      "source = \"ledger\"\n";
  repo_.write("wharf.toml", mine);
  int status = -1;
  std::string err;
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  std::string config = Config();
  EXPECT_TRUE(config.starts_with(mine)) << config;
  EXPECT_EQ(count_of(config, "[service.cart]"), 2u) << config;  // the table, and the comment naming it
  EXPECT_NE(config.find("(yours win):\n# [service.cart]\n"), std::string::npos) << config;
  EXPECT_NE(config.find("[service.web]"), std::string::npos);
  // An edit after the block, and a second --write: both hand-written parts are kept byte for byte.
  config += "\n[service.extra]\npaths = [\"src\"]\n";
  repo_.write("wharf.toml", config);
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  const std::string again = Config();
  EXPECT_TRUE(again.starts_with(mine));
  EXPECT_TRUE(again.ends_with("\n[service.extra]\npaths = [\"src\"]\n")) << again;
  EXPECT_NE(again.find("(yours win):\n# [service.cart], [service.extra]\n"), std::string::npos) << again;
  // The hand-written paths win: graph shows docker-compose.yml as an input of cart.
  std::string graph = Wharf("graph --format json", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(graph.find("docker-compose.yml"), std::string::npos) << graph;
}

TEST_F(InitCliTest, CheckFailsWhenANewServiceIsCommittedAndPassesAfterWrite) {
  int status = -1;
  std::string err;
  Wharf("init --check", &status, &err);
  EXPECT_EQ(status, 1) << "no wharf.toml yet: " << err;
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  repo_.commit("wharf.toml");
  Wharf("init --check", &status, &err);
  EXPECT_EQ(status, 0) << err;

  repo_.write("services/billing/package.json", R"({"name": "@acme/billing", "scripts": {"build": "tsc"}})");
  repo_.write("services/billing/Dockerfile", "FROM node:20\nCOPY . .\n");
  repo_.commit("billing");
  std::string diff = Wharf("init --check", &status, &err);
  EXPECT_EQ(status, 1) << err;
  EXPECT_NE(diff.find("+[service.billing]"), std::string::npos) << diff;
  EXPECT_NE(err.find("out of date"), std::string::npos) << err;
  Wharf("init --write", &status, &err);
  ASSERT_EQ(status, 0) << err;
  Wharf("init --check", &status, &err);
  EXPECT_EQ(status, 0) << err;
}

TEST_F(InitCliTest, ACorruptComposeFileIsAWarningWithFileAndLine) {
  repo_.write("tools/docker-compose.yml", "services:\n  broken:\n    build: [\n");
  repo_.write("packages/bad/package.json", "{\"name\": \"bad\",\n\"version\": }\n");
  repo_.commit("corrupt files");
  int status = -1;
  std::string err;
  std::string printed = Wharf("init", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(err.find("wharf: warning: tools/docker-compose.yml:"), std::string::npos) << err;
  EXPECT_NE(err.find("wharf: warning: packages/bad/package.json:2:"), std::string::npos) << err;
  EXPECT_NE(printed.find("[service.cart]"), std::string::npos) << printed;
  EXPECT_NE(printed.find("[service.web]"), std::string::npos) << printed;
}

TEST_F(InitCliTest, WorksInABareCloneAndWithGlobalFlagsEitherSide) {
  int status = -1;
  std::string err;
  const std::string in_work_tree = Wharf("init", &status, &err);
  ASSERT_EQ(status, 0) << err;
  const std::string bare = scratch_.path() + "/bare.git";
  run_command("git clone -q --bare " + shell_quote(repo_.path()) + " " + shell_quote(bare), &status);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(Wharf("init", &status, &err, bare), in_work_tree);
  EXPECT_EQ(status, 0) << err;
  Wharf("init --check", &status, &err, bare);
  EXPECT_EQ(status, 1) << "the bare clone has no wharf.toml: " << err;
  Wharf("init --write", &status, &err, bare);
  EXPECT_EQ(status, 2) << err;
  EXPECT_NE(err.find("bare"), std::string::npos) << err;
  // -C before or after the subcommand.
  EXPECT_EQ(Wharf("-C " + shell_quote(bare) + " init", &status, &err, scratch_.path()), in_work_tree);
  EXPECT_EQ(Wharf("init -C " + shell_quote(bare), &status, &err, scratch_.path()), in_work_tree);
  // --rev: the first commit of a longer history.
  repo_.write("services/later/package.json", R"({"name": "later", "scripts": {"start": "x"}})");
  repo_.write("services/later/Dockerfile", "FROM x\n");
  repo_.commit("later");
  EXPECT_NE(Wharf("init", &status).find("[service.later]"), std::string::npos);
  EXPECT_EQ(Wharf("init --rev HEAD~1", &status, &err), in_work_tree);
}

}  // namespace
}  // namespace wharf

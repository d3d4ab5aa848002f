// End to end: the real wharf binary on the bundled sample monorepo
// (examples/make-sample-repo.sh), checked against the expected plans that
// examples/check-expected.sh derived independently with git.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

class PlanCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    binary_ = testing::wharf_binary();
    source_ = testing::source_dir();
    dir_ = new testing::TempDir();
    repo_ = dir_->path() + "/repo";
    run_command("bash " + shell_quote(source_ + "/examples/make-sample-repo.sh") + " " + shell_quote(repo_) +
                " >/dev/null");
  }
  static void TearDownTestSuite() { delete dir_; }

  // Runs wharf in the sample repo; stderr goes to a file read into `err`.
  std::string Wharf(const std::string& args, int* status, std::string* err = nullptr) {
    std::string err_file = dir_->path() + "/stderr";
    std::string out = run_command(
        "cd " + shell_quote(repo_) + " && " + shell_quote(binary_) + " " + args + " 2>" + shell_quote(err_file),
        status);
    if (err) {
      std::ifstream in(err_file);
      std::stringstream buffer;
      buffer << in.rdbuf();
      *err = buffer.str();
    }
    return out;
  }

  static std::string Expected(const std::string& name) {
    std::ifstream in(source_ + "/examples/" + name);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  // "name deploy|skip" lines sorted by name, as the expected files are.
  static std::string Summary(const nlohmann::json& plan) {
    std::vector<std::string> rows;
    for (const auto& s : plan["services"])
      rows.push_back(s["name"].get<std::string>() + " " + s["action"].get<std::string>());
    std::sort(rows.begin(), rows.end());
    std::string out;
    for (const auto& r : rows) out += r + "\n";
    return out;
  }

  static inline std::string binary_, source_, repo_;
  static inline testing::TempDir* dir_ = nullptr;
};

TEST_F(PlanCliTest, DevPlanMatchesTheIndependentlyComputedExpectation) {
  int status = -1;
  std::string err;
  std::string out = Wharf("plan --json --live live/dev.json", &status, &err);
  ASSERT_EQ(status, 0) << err;
  auto plan = nlohmann::json::parse(out);  // stdout is only the JSON
  EXPECT_EQ(Summary(plan), Expected("expected-dev.txt"));
  EXPECT_EQ(plan["head"].get<std::string>().size(), 40u);
  EXPECT_EQ(plan["orphans"], nlohmann::json::array({"legacy-reports"}));
  for (const auto& s : plan["services"]) {
    EXPECT_EQ(s["base"].get<std::string>().size(), 40u) << s.dump();
    if (s["action"] == "deploy") {
      ASSERT_FALSE(s["reasons"].empty());
      EXPECT_TRUE(s["reasons"][0]["kind"] == "path" || s["reasons"][0]["kind"] == "package" ||
                  s["reasons"][0]["kind"] == "workspace");
    }
  }
}

TEST_F(PlanCliTest, ProdPlanMatchesAndMarksNotLive) {
  int status = -1;
  std::string out = Wharf("plan --json --live live/prod.json", &status);
  ASSERT_EQ(status, 0);
  auto plan = nlohmann::json::parse(out);
  EXPECT_EQ(Summary(plan), Expected("expected-prod.txt"));
  bool saw_not_live = false;
  for (const auto& s : plan["services"]) {
    if (s["base"].is_null()) {
      saw_not_live = true;
      EXPECT_EQ(s["reasons"][0]["kind"], "not-live");
    }
  }
  EXPECT_TRUE(saw_not_live);
}

TEST_F(PlanCliTest, ExitCodeFlagReportsWorkToDo) {
  int status = -1;
  Wharf("plan --exit-code --live live/dev.json", &status);
  EXPECT_EQ(status, 1);
  Wharf("plan --exit-code --since HEAD", &status);
  EXPECT_EQ(status, 0);
}

// Each row parsed and checked whole, against the dev plan examples/README.md
// works out by hand: one row per service in wharf.toml order, then the
// orphan; the first reason with its route; the base abbreviated.
TEST_F(PlanCliTest, TextPlanHasOneRowPerServiceAndOrphans) {
  int status = -1;
  std::string out = Wharf("plan --live live/dev.json", &status);
  ASSERT_EQ(status, 0);
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 2u) << out;
  EXPECT_EQ(lines.front(), "head 3a9f661fd47abe3fdd2a5ad6720213871a4085c8");
  EXPECT_EQ(lines.back(), "2 to deploy, 4 to skip, 1 orphaned");

  static const std::regex kRow(R"(^(DEPLOY|skip|orphan) +(\S+) +(\S.*)$)");
  std::vector<std::string> names;
  std::map<std::string, std::pair<std::string, std::string>> rows;  // name -> (action, detail)
  std::set<long> detail_columns;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    std::smatch row;
    ASSERT_TRUE(std::regex_match(lines[i], row, kRow)) << lines[i];
    names.push_back(row[2]);
    EXPECT_TRUE(rows.emplace(row[2], std::pair{row[1].str(), row[3].str()}).second) << "two rows for " << row[2];
    detail_columns.insert(row.position(3));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"clinical-api", "auth", "scheduler", "notifications", "billing-worker",
                                             "admin-ui", "legacy-reports"}));
  EXPECT_EQ(detail_columns.size(), 1u) << "the detail column is not aligned:\n" << out;
  using Row = std::pair<std::string, std::string>;
  EXPECT_EQ(rows["clinical-api"], Row("skip", "no input changed since e195f8d"));
  EXPECT_EQ(rows["auth"], Row("skip", "no input changed since 4e2ffb3"));
  EXPECT_EQ(rows["scheduler"], Row("DEPLOY", "services/scheduler/src/jobs.ts (own path) since 414965b"));
  EXPECT_EQ(rows["notifications"],
            Row("DEPLOY", "services/notifications/src/channels/sms.ts (own path) since 5c72bdf"));
  EXPECT_EQ(rows["billing-worker"], Row("skip", "no input changed since 5c72bdf"));
  EXPECT_EQ(rows["admin-ui"], Row("skip", "no input changed since 5c72bdf"));
  EXPECT_EQ(rows["legacy-reports"], Row("orphan", "live but not in the config; remove it from the environment"));
}

TEST_F(PlanCliTest, UsageAndConfigErrorsExitTwo) {
  int status = -1;
  std::string err;
  Wharf("plan", &status, &err);
  EXPECT_EQ(status, 2);
  EXPECT_NE(err.find("--since"), std::string::npos) << err;
  Wharf("plan --since HEAD --frobnicate", &status, &err);
  EXPECT_EQ(status, 2);
  std::ofstream(dir_->path() + "/bad.toml") << "[service.api]\npaths = [\"services/api\"]\ndepz = [\"common\"]\n";
  std::string out = Wharf("--config " + shell_quote(dir_->path() + "/bad.toml") + " plan --since HEAD", &status, &err);
  EXPECT_EQ(status, 2);
  EXPECT_TRUE(out.empty());
  EXPECT_NE(err.find("bad.toml:3:1: unknown key 'depz' in [service.api]; did you mean 'deps'?"), std::string::npos)
      << err;
}

TEST_F(PlanCliTest, RepositoryErrorsExitThree) {
  int status = -1;
  std::string err;
  std::ofstream(dir_->path() + "/missing.json") << R"({"auth": "0123456789abcdef0123456789abcdef01234567"})";
  Wharf("plan --live " + shell_quote(dir_->path() + "/missing.json"), &status, &err);
  EXPECT_EQ(status, 3);
  EXPECT_NE(err.find("service 'auth' is not in this repository"), std::string::npos) << err;
  std::string out =
      Wharf("plan --json --missing-base=deploy --live " + shell_quote(dir_->path() + "/missing.json"), &status, &err);
  EXPECT_EQ(status, 0);
  EXPECT_NE(err.find("deploying it (--missing-base=deploy)"), std::string::npos) << err;
  auto plan = nlohmann::json::parse(out);
  for (const auto& s : plan["services"]) {
    if (s["name"] == "auth") {
      EXPECT_EQ(s["reasons"][0]["kind"], "missing-base");
    }
  }
  Wharf("plan --since no-such-rev", &status, &err);
  EXPECT_EQ(status, 3);
}

TEST_F(PlanCliTest, GraphPrintsJsonAndDot) {
  int status = -1;
  auto graph = nlohmann::json::parse(Wharf("graph --format json", &status));
  ASSERT_EQ(status, 0);
  EXPECT_FALSE(graph["services"].empty());
  EXPECT_TRUE(graph["services"][0].contains("inputs"));
  std::string dot = Wharf("graph --format dot", &status);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(dot.rfind("digraph wharf {", 0), 0u);
  if (std::system("command -v dot >/dev/null 2>&1") == 0) {
    std::string svg =
        run_command("cd " + shell_quote(repo_) + " && " + shell_quote(binary_) + " graph --format dot | dot -Tsvg");
    EXPECT_NE(svg.find("<svg"), std::string::npos);
  }
}

// The parsed config is kept in .wharf/cache/config (graph/config_snapshot.h):
// invisible to git, the same plan from it, and an edited wharf.toml wins.
TEST_F(PlanCliTest, ConfigSnapshotIsIgnoredByGitAndFollowsEdits) {
  int status = -1;
  std::string err;
  std::string first = Wharf("plan --json --live live/dev.json", &status, &err);
  ASSERT_EQ(status, 0) << err;
  std::string second = Wharf("plan --json --live live/dev.json", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(second, first);
  EXPECT_EQ(run_command("ls " + shell_quote(repo_) + "/.wharf/cache/config/ | grep -c '\\.snapshot$'"), "1\n");
  EXPECT_EQ(run_command("git -C " + shell_quote(repo_) + " status --porcelain --untracked-files=all"), "");

  run_command("printf '\\n[service.zz-new]\\npaths = [\"services/zz-new\"]\\n' >> " +
              shell_quote(repo_ + "/wharf.toml"));
  std::string edited = Wharf("plan --json --live live/dev.json", &status, &err);
  run_command("git -C " + shell_quote(repo_) + " checkout -q wharf.toml");
  ASSERT_EQ(status, 0) << err;
  auto plan = nlohmann::json::parse(edited);
  ASSERT_FALSE(plan["services"].empty());
  EXPECT_EQ(plan["services"].back()["name"], "zz-new");
  EXPECT_EQ(plan["services"].back()["reasons"][0]["kind"], "not-live");
  EXPECT_NE(err.find("'services/zz-new' matches nothing"), std::string::npos) << err;
  // Again: the same plan and the same warning.
  run_command("printf '\n[service.zz-new]\npaths = [\"services/zz-new\"]\n' >> " + shell_quote(repo_ + "/wharf.toml"));
  std::string again_err;
  EXPECT_EQ(Wharf("plan --json --live live/dev.json", &status, &again_err), edited);
  run_command("git -C " + shell_quote(repo_) + " checkout -q wharf.toml");
  EXPECT_EQ(again_err, err);
  EXPECT_EQ(Wharf("plan --json --live live/dev.json", &status, &err), first);
}

TEST_F(PlanCliTest, RunsFromASubdirectoryAndWithDashC) {
  int status = -1;
  std::string out = run_command(
      "cd " + shell_quote(repo_ + "/services") + " && " + shell_quote(binary_) + " plan --json --since HEAD~3",
      &status);
  EXPECT_EQ(status, 0);
  std::string out2 =
      run_command(shell_quote(binary_) + " -C " + shell_quote(repo_) + " plan --json --since HEAD~3", &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, out2);
  EXPECT_FALSE(nlohmann::json::parse(out)["services"].empty());
}

}  // namespace
}  // namespace wharf

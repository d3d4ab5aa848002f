// End to end: `wharf deploy` and `wharf promote` on a real repository with
// the real binary, pushing to a directory and through a command (the
// registry and HTTP pushers have their own tests against real servers):
// what is pushed, recorded and handed off, what a second deploy does,
// failures of one service, --dry-run, confirmation, and promotion rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/report_json.h"
#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using nlohmann::json;
using testing::shell_quote;
using testing::run_line;  // the output without its trailing newlines

// Two zip services and a worker without an artifact; dev pushes to a
// directory (outside the repository: files inside it would be inputs),
// prod through a command, `flaky` fails its push in prod.
std::string config(const std::string& store) {
  return R"(
[service.api]
paths = ["services/api"]
[service.api.zip]
files = [{ from = "services/api", to = "" }]

[service.web]
paths = ["services/web"]
[service.web.zip]
files = [{ from = "services/web", to = "" }]

[service.flaky]
paths = ["services/flaky"]
[service.flaky.zip]
files = [{ from = "services/flaky", to = "" }]

[environment.dev]
source = "ledger"
terraform = ["module.svc[\"{service}\"]"]
[environment.dev.push]
to = "dir"
path = ")" + store + R"(/dev/{service}/{short_sha}.zip"

[environment.prod]
source = "ledger"
tag = "v-{sha7}"
confirm = true
[environment.prod.push]
to = "command"
command = "mkdir -p )" + store + R"(/prod && cp \"$WHARF_ARTIFACT\" )" + store + R"(/prod/$WHARF_SERVICE-$WHARF_TAG.zip && echo pushed $WHARF_SERVICE"
[environment.prod.service.flaky.push]
command = "echo registry said no >&2; exit 7"
)";
}

class DeployCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = dir_.path() + "/store";
    cache_ = dir_.path() + "/cache";
    repo_.write("wharf.toml", config(store_));
    repo_.write("services/api/index.js", "api\n");
    repo_.write("services/web/index.html", "<p>web</p>\n");
    repo_.write("services/flaky/run.sh", "flaky\n");
    repo_.commit("initial");
  }

  std::string Wharf(const std::string& args, int* status = nullptr) {
    return run_line("cd " + shell_quote(repo_.path()) + " && " + shell_quote(testing::wharf_binary()) +
                           " --cache-dir " + shell_quote(cache_) + " " + args + " 2>" + shell_quote(dir_.path()) +
                           "/stderr </dev/null",
                       status);
  }
  std::string Stderr() { return run_line("cat " + shell_quote(dir_.path() + "/stderr")); }
  json DeployJson(const std::string& args, int* status) { return json::parse(Wharf("deploy --json " + args, status)); }
  std::string Short() { return run_line("git -C " + shell_quote(repo_.path()) + " rev-parse --short HEAD"); }

  testing::TempDir dir_;
  testing::GitRepo repo_;
  std::string store_, cache_;
};

TEST_F(DeployCliTest, PushesRecordsAndASecondDeployHasNothingToDo) {
  int status = -1;
  json first = DeployJson("--env dev --tfvars-out tf.json --targets-out targets.txt", &status);
  ASSERT_EQ(status, 0) << Stderr();
  for (const char* name : {"api", "web", "flaky"}) {
    const json& s = testing::service_in(first, name);
    EXPECT_EQ(s["status"], "pushed") << s.dump();
    EXPECT_EQ(s["build"], "built");
    EXPECT_EQ(s["pusher"], "dir");
    const std::string file = store_ + "/dev/" + name + "/" + Short() + ".zip";
    EXPECT_EQ(s["location"].get<std::string>().find(store_ + "/dev/" + name), 0u) << s.dump();
    int unzip = -1;
    run_line("unzip -tq " + shell_quote(file), &unzip);
    EXPECT_EQ(unzip, 0) << file;
    EXPECT_GT(s["bytes_sent"].get<std::uint64_t>(), 0u);
  }
  EXPECT_GT(first["bytes_sent"].get<std::uint64_t>(), 0u);
  // The handoff files name what was deployed.
  json tf = json::parse(run_line("cat " + shell_quote(repo_.path() + "/tf.json")));
  EXPECT_EQ(tf["image_tags"].size(), 3u);
  EXPECT_NE(run_line("cat " + shell_quote(repo_.path() + "/targets.txt")).find("-target=module.svc[\"api\"]"),
            std::string::npos);
  // The ledger says each is live at HEAD, so nothing is left to deploy.
  std::string state = Wharf("status --env dev", &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(std::count(state.begin(), state.end(), '\n') + 1, 5) << state;  // a header line + 3 services
  EXPECT_EQ(state.find("behind"), std::string::npos) << state;
  json second = DeployJson("--env dev", &status);
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_TRUE(second["nothing_to_deploy"].get<bool>());
  EXPECT_NE(Stderr().find("nothing to deploy"), std::string::npos);
  // A change to one service deploys it alone, and its old artifact stays.
  repo_.write("services/api/index.js", "api v2\n");
  repo_.commit("api v2");
  json third = DeployJson("--env dev", &status);
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_EQ(testing::service_in(third, "api")["status"], "pushed");
  EXPECT_EQ(testing::service_in(third, "web")["status"], "skip");
  EXPECT_TRUE(std::filesystem::exists(store_ + "/dev/api/" + Short() + ".zip"));
}

TEST_F(DeployCliTest, OneFailedPushLeavesTheOthersPushedAndRecorded) {
  int status = -1;
  json report = DeployJson("--env prod --yes", &status);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(testing::service_in(report, "api")["status"], "pushed");
  EXPECT_EQ(testing::service_in(report, "api")["tag"], "v-" + Short().substr(0, 7));
  EXPECT_EQ(testing::service_in(report, "api")["location"], "pushed api");  // the command's last line
  EXPECT_TRUE(std::filesystem::exists(store_ + "/prod/api-v-" + Short().substr(0, 7) + ".zip"));
  const json& flaky = testing::service_in(report, "flaky");
  EXPECT_EQ(flaky["status"], "failed");
  EXPECT_NE(flaky["reason"].get<std::string>().find("registry said no"), std::string::npos) << flaky.dump();
  EXPECT_EQ(report["failed"], json::array({"flaky"}));
  EXPECT_NE(Stderr().find("flaky"), std::string::npos);
  // Only what was pushed is recorded: the next deploy retries flaky alone.
  json again = DeployJson("--env prod --yes", &status);
  EXPECT_EQ(testing::service_in(again, "api")["status"], "skip");
  EXPECT_EQ(testing::service_in(again, "flaky")["status"], "failed");
}

TEST_F(DeployCliTest, DryRunSaysWhatWouldGoAndChangesNothing) {
  int status = -1;
  json report = DeployJson("--env dev --dry-run", &status);
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_TRUE(report["dry_run"].get<bool>());
  EXPECT_EQ(testing::service_in(report, "api")["status"], "would-push");
  EXPECT_GT(testing::service_in(report, "api")["bytes_sent"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(std::filesystem::exists(store_ + "/dev"));
  json real = DeployJson("--env dev", &status);
  EXPECT_EQ(testing::service_in(real, "api")["status"], "pushed");  // nothing was recorded by the dry run
}

TEST_F(DeployCliTest, AProtectedEnvironmentAsksAndWithoutATerminalStops) {
  int status = -1;
  Wharf("deploy --env prod", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(Stderr().find("--yes"), std::string::npos) << Stderr();
  EXPECT_FALSE(std::filesystem::exists(store_ + "/prod"));
}

TEST_F(DeployCliTest, AnEnvironmentWithoutAPushTableIsAConfigErrorNamingIt) {
  repo_.write("wharf.toml", config(store_) + "\n[environment.qa]\nsource = \"ledger\"\n");
  repo_.commit("qa");
  int status = -1;
  Wharf("deploy --env qa", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(Stderr().find("[environment.qa.push]"), std::string::npos) << Stderr();
  repo_.write("wharf.toml", config(store_) + "\n[environment.qa.push]\nto = \"s3\"\n");
  repo_.commit("qa s3");
  Wharf("deploy --env qa", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(Stderr().find("wharf.toml:"), std::string::npos) << Stderr();
  EXPECT_NE(Stderr().find("registry, dir, http, command"), std::string::npos) << Stderr();
}

TEST_F(DeployCliTest, PromoteMovesWhatWasVerifiedWithoutBuilding) {
  int status = -1;
  DeployJson("--env dev --services api,web", &status);
  ASSERT_EQ(status, 0) << Stderr();
  // Not verified in dev yet: refused unless forced.
  json refused = json::parse(Wharf("promote --from dev --to prod --services api --json --yes", &status));
  EXPECT_EQ(status, 1);
  EXPECT_EQ(testing::service_in(refused, "api")["status"], "refused");
  EXPECT_NE(testing::service_in(refused, "api")["reason"].get<std::string>().find("wharf verify --env dev"), std::string::npos);
  // The ledger is dev's source: verify sees HEAD live at once.
  Wharf("verify --env dev --services api,web --timeout 5s", &status);
  ASSERT_EQ(status, 0) << Stderr();
  // A new commit in between: promote takes what dev has, not HEAD.
  const std::string deployed = Short().substr(0, 7);
  repo_.write("services/api/index.js", "api v3\n");
  repo_.commit("api v3");
  json promoted = json::parse(Wharf("promote --from dev --to prod --json --yes", &status));
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_EQ(testing::service_in(promoted, "api")["status"], "pushed");
  EXPECT_EQ(testing::service_in(promoted, "api")["build"], "");
  EXPECT_EQ(testing::service_in(promoted, "api")["tag"], "v-" + deployed);
  EXPECT_EQ(promoted["services"].size(), 2u);  // flaky was never in dev
  // The bytes promoted are those dev got.
  const std::string dev_zip = store_ + "/dev/api/" + deployed + ".zip";
  const std::string prod_zip = store_ + "/prod/api-v-" + deployed + ".zip";
  EXPECT_EQ(run_line("cmp " + shell_quote(dev_zip) + " " + shell_quote(prod_zip) + " && echo same"), "same");
  // prod's ledger names dev's commit.
  std::string state = Wharf("status --env prod --json", &status);
  EXPECT_NE(state.find(deployed), std::string::npos) << state;
}

TEST_F(DeployCliTest, RollbackPushesTheCachedArtifactOfAnEarlierCommit) {
  int status = -1;
  DeployJson("--env dev", &status);
  ASSERT_EQ(status, 0) << Stderr();
  const std::string first = run_line("git -C " + shell_quote(repo_.path()) + " rev-parse HEAD");
  const std::string first_short = Short();
  repo_.write("services/api/index.js", "api broken\n");
  repo_.commit("api broken");
  const std::string broken = run_line("git -C " + shell_quote(repo_.path()) + " rev-parse HEAD");
  DeployJson("--env dev", &status);
  ASSERT_EQ(status, 0) << Stderr();
  std::filesystem::remove_all(store_ + "/dev/api");
  json back = DeployJson("--env dev --sha " + first, &status);
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_EQ(testing::service_in(back, "api")["status"], "pushed") << back.dump();
  EXPECT_EQ(testing::service_in(back, "api")["build"], "");  // nothing built: only the cached artifact moves
  EXPECT_EQ(testing::service_in(back, "web")["status"], "skip");  // it never left the first commit
  EXPECT_TRUE(std::filesystem::exists(store_ + "/dev/api/" + first_short + ".zip"));
  std::string state = Wharf("status --env dev --json", &status);
  EXPECT_NE(state.find(first), std::string::npos) << state;
  // --to-ledger 1: the deploy before the current one, per service: api goes
  // back to "api broken" (its entry before the rollback's).
  json back1 = DeployJson("--env dev --to-ledger 1 --services api", &status);
  EXPECT_EQ(status, 0) << Stderr();
  EXPECT_EQ(testing::service_in(back1, "api")["status"], "pushed") << back1.dump();
  EXPECT_EQ(testing::service_in(back1, "api")["reason"], "rollback to " + broken.substr(0, 7));
  // web was deployed once: there is nothing before it.
  json none = DeployJson("--env dev --to-ledger 1 --services web", &status);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(testing::service_in(none, "web")["status"], "refused") << none.dump();
  // A commit never deployed cannot be rolled back to from the ledger.
  repo_.write("services/api/index.js", "api never deployed\n");
  repo_.commit("never deployed");
  json refused = DeployJson("--env dev --sha HEAD", &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(testing::service_in(refused, "api")["reason"].get<std::string>().find("git revert"), std::string::npos);
}

}  // namespace
}  // namespace wharf

// End to end: `wharf plan --env`, `record`, `status` and `verify` with the
// real binary on the sample monorepo, against a real HTTP server on
// 127.0.0.1 (tests/testing/health_server.py) and real shell commands.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/testing/health_server.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class EnvCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    binary_ = testing::wharf_binary();
    dir_ = new testing::TempDir();
    repo_ = dir_->path() + "/repo";
    run_command("bash " + shell_quote(testing::source_dir() + "/examples/make-sample-repo.sh") + " " +
                shell_quote(repo_) + " >/dev/null");
    head_ = run_command("git -C " + shell_quote(repo_) + " rev-parse HEAD");
    head_.pop_back();
    old_ = run_command("git -C " + shell_quote(repo_) + " rev-parse HEAD~3");
    old_.pop_back();
    dev_ = nlohmann::json::parse(read_file(repo_ + "/live/dev.json"));
    // The dev environment over HTTP, some values as image tags; broken-* for
    // every kind of failure; rollout-* switch to HEAD after their first read.
    nlohmann::json state;
    for (const auto& [service, sha] : dev_.items()) {
      const std::string value = sha.get<std::string>();
      state[service] = service == "auth" ? "sha-" + value : value;
      state["broken-" + service] = value;
      state["rollout-" + service] = {{"version", old_}, {"switch_after", 1}, {"next_version", head_}};
    }
    state["broken-auth"] = {{"version", "x"}, {"mode", "500"}};
    state["broken-scheduler"] = {{"version", "x"}, {"mode", "garbage"}};
    state["broken-admin-ui"] = {{"version", "x"}, {"delay", 30}};
    state["broken-clinical-api"] = "no-such-revision";
    state["rollout-scheduler"] = old_;  // never converges
    server_ = new testing::HealthServer(dir_->path(), state.dump());

    const std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
    config_ = dir_->path() + "/env.toml";
    std::ofstream(config_) << read_file(repo_ + "/wharf.toml") << R"(
[environment.dev]
source = "http"
url = ")" << url << R"(/{service}/health"
field = "build.git_sha"
sha_pattern = "^(?:sha-)?([0-9a-f]{4,40})$"
terraform = ["module.ecs_service[\"{service}\"]"]

[environment.cmd]
source = "command"
command = "grep '\"{service}\"' live/dev.json | cut -d'\"' -f4"

[environment.broken]
source = "http"
url = ")" << url << R"(/broken-{service}/health"
timeout = "1s"
deadline = "3s"

[environment.broken.service.notifications]
source = "command"
command = "echo $$ > )" << dir_->path()
                           << R"(/hung.pid; sleep 60"

[environment.rollout]
source = "http"
url = ")" << url << R"(/rollout-{service}/health"

[environment.staging]
source = "ledger"
)";
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  std::string Wharf(const std::string& args, int* status, std::string* err = nullptr, const std::string& env = "") {
    const std::string err_file = dir_->path() + "/stderr";
    std::string out = run_command("cd " + shell_quote(repo_) + " && " + env + " " + shell_quote(binary_) +
                                      " --config " + shell_quote(config_) + " --cache-dir " +
                                      shell_quote(dir_->path() + "/cache") + " " + args + " 2>" + shell_quote(err_file),
                                  status);
    if (err) *err = read_file(err_file);
    return out;
  }

  static std::string Summary(const nlohmann::json& plan) {
    std::vector<std::string> rows;
    for (const auto& s : plan["services"])
      rows.push_back(s["name"].get<std::string>() + " " + s["action"].get<std::string>());
    std::sort(rows.begin(), rows.end());
    std::string out;
    for (const auto& r : rows) out += r + "\n";
    return out;
  }

  static nlohmann::json Service(const nlohmann::json& plan, const std::string& name) {
    for (const auto& s : plan["services"]) {
      if (s["name"] == name) return s;
    }
    return nullptr;
  }

  static inline std::string binary_, repo_, config_, head_, old_;
  static inline nlohmann::json dev_;
  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::HealthServer* server_ = nullptr;
};

TEST_F(EnvCliTest, HttpEnvironmentPlansAsTheLiveFileDoes) {
  int status = -1;
  std::string err;
  auto plan = nlohmann::json::parse(Wharf("plan --env dev --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(Summary(plan), read_file(testing::source_dir() + "/examples/expected-dev.txt"));
  auto auth = Service(plan, "auth");
  EXPECT_EQ(auth["live"]["source"], "http");
  EXPECT_EQ(auth["live"]["value"], "sha-" + dev_["auth"].get<std::string>());
  EXPECT_EQ(auth["live"]["origin"], "GET http://127.0.0.1:" + std::to_string(server_->port()) + "/auth/health");
}

TEST_F(EnvCliTest, CommandEnvironmentPlansAsTheLiveFileDoes) {
  int status = -1;
  std::string err;
  auto plan = nlohmann::json::parse(Wharf("plan --env cmd --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(Summary(plan), read_file(testing::source_dir() + "/examples/expected-dev.txt"));
  EXPECT_EQ(Service(plan, "auth")["live"]["source"], "command");
}

TEST_F(EnvCliTest, EveryUnreadableServiceIsNamedAndAHangNeverPassesTheDeadline) {
  int status = -1;
  std::string err;
  const auto start = std::chrono::steady_clock::now();
  Wharf("plan --env broken", &status, &err);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));  // the hangs are 30 and 60 s
  EXPECT_EQ(status, 3) << err;
  const std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_NE(err.find("service 'auth': GET " + url + "/broken-auth/health: HTTP 500: {\"error\":\"internal error"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("service 'scheduler': GET " + url + "/broken-scheduler/health: the body is not JSON: <html>"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("service 'admin-ui': GET " + url + "/broken-admin-ui/health: no answer within 1000 ms"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("service 'clinical-api': GET " + url +
                     "/broken-clinical-api/health: the live value 'no-such-revision' is not a commit"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("service 'notifications': command `echo $$ >"), std::string::npos) << err;
  EXPECT_NE(err.find("its process group was killed"), std::string::npos) << err;
  // The hung command's shell is gone with its group.
  std::string pid = read_file(dir_->path() + "/hung.pid");
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  ASSERT_FALSE(pid.empty());
  int alive = -1;
  run_command("kill -0 " + pid + " 2>/dev/null", &alive);
  EXPECT_NE(alive, 0);
}

TEST_F(EnvCliTest, MissingBaseDeployTurnsUnreadableServicesIntoDeploys) {
  int status = -1;
  std::string err;
  auto plan = nlohmann::json::parse(Wharf("plan --env broken --missing-base=deploy --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  for (const std::string name : {"auth", "scheduler", "admin-ui", "clinical-api", "notifications"}) {
    auto service = Service(plan, name);
    EXPECT_EQ(service["action"], "deploy") << name;
    EXPECT_EQ(service["reasons"][0]["kind"], "live-error") << name;
    EXPECT_FALSE(service["live"]["error"].get<std::string>().empty()) << name;
  }
  EXPECT_EQ(Service(plan, "billing-worker")["live"].value("error", ""), "");
}

TEST_F(EnvCliTest, RecordDriftAndStatus) {
  int status = -1;
  std::string err;
  const std::string recorded = old_;
  Wharf("record --env dev --services auth --sha " + recorded, &status, &err);
  ASSERT_EQ(status, 0) << err;
  auto plan = nlohmann::json::parse(Wharf("plan --env dev --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  auto auth = Service(plan, "auth");
  ASSERT_TRUE(auth.contains("drift")) << auth.dump();
  EXPECT_EQ(auth["drift"]["recorded"], recorded);
  EXPECT_TRUE(auth["drift"]["live"].get<std::string>().starts_with(dev_["auth"].get<std::string>()));
  EXPECT_FALSE(Service(plan, "scheduler").contains("drift"));  // nothing recorded for it
  std::string text = Wharf("plan --env dev", &status, &err);
  EXPECT_NE(text.find("drift   auth"), std::string::npos) << text;

  auto state = nlohmann::json::parse(Wharf("status --env dev --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  for (const auto& row : state["services"]) {
    if (row["service"] == "auth") {
      EXPECT_EQ(row["state"], "drift");
      EXPECT_EQ(row["recorded"], recorded);
    }
  }
  text = Wharf("status --env dev", &status, &err);
  EXPECT_NE(text.find("auth"), std::string::npos);
}

TEST_F(EnvCliTest, TheLedgerSourcePlansFromWhatWasRecorded) {
  int status = -1;
  std::string err;
  auto before = nlohmann::json::parse(Wharf("plan --env staging --json", &status, &err));
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(Service(before, "auth")["reasons"][0]["kind"], "not-live");
  Wharf("record --env staging", &status, &err);  // HEAD, every service
  ASSERT_EQ(status, 0) << err;
  auto after = nlohmann::json::parse(Wharf("plan --env staging --json --exit-code", &status, &err));
  EXPECT_EQ(status, 0) << err;  // nothing to deploy
  EXPECT_EQ(Service(after, "auth")["base"], head_);
  EXPECT_EQ(Service(after, "auth")["live"]["source"], "ledger");
}

TEST_F(EnvCliTest, VerifyWaitsForTheNewVersionAndNamesWhatDidNotConverge) {
  int status = -1;
  std::string err;
  std::string out = Wharf("verify --env rollout --services auth,billing-worker --timeout 30s", &status, &err);
  EXPECT_EQ(status, 0) << out << err;
  EXPECT_NE(out.find(head_.substr(0, 7)), std::string::npos) << out;
  out = Wharf("verify --env rollout --services scheduler --timeout 2s", &status, &err);
  EXPECT_EQ(status, 1) << out << err;
  EXPECT_NE(err.find("not converged to " + head_.substr(0, 7) + " within 2s: scheduler"), std::string::npos) << err;
  EXPECT_NE(out.find("(not converged)"), std::string::npos) << out;
}

TEST_F(EnvCliTest, HandoffFormatsAndGithubOutput) {
  int status = -1;
  std::string err;
  auto tags = nlohmann::json::parse(Wharf("plan --env dev --format terraform", &status, &err));
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(tags["image_tags"].size(), 2u);  // notifications and scheduler
  EXPECT_EQ(tags["image_tags"]["scheduler"], head_.substr(0, 7));
  std::string targets = Wharf("plan --env dev --format targets", &status, &err);
  EXPECT_EQ(targets, "-target=module.ecs_service[\"scheduler\"]\n-target=module.ecs_service[\"notifications\"]\n");
  const std::string output = dir_->path() + "/github_output";
  Wharf("plan --env dev --format github-matrix --github-output", &status, &err, "GITHUB_OUTPUT=" + shell_quote(output));
  ASSERT_EQ(status, 0) << err;
  const std::string written = read_file(output);
  EXPECT_TRUE(written.starts_with("matrix={\"include\":[{\"service\":\"scheduler\"")) << written;
  EXPECT_TRUE(written.ends_with("any=true\n")) << written;
}

TEST_F(EnvCliTest, AnUnknownEnvironmentIsAUsageError) {
  int status = -1;
  std::string err;
  Wharf("plan --env prdo", &status, &err);
  EXPECT_EQ(status, 2);
  EXPECT_NE(err.find("no environment 'prdo'"), std::string::npos) << err;
}

}  // namespace
}  // namespace wharf

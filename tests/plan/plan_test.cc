// Change detection against real git repositories built per test.
#include "plan/plan.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/testing/git_repo.h"

namespace wharf::plan {
namespace {

using testing::GitRepo;

constexpr std::string_view kConfig = R"(
[workspace]
inputs = ["pnpm-lock.yaml", "infra/docker/service.Dockerfile"]
exclude = ["**/*.md"]

[package.common]
paths = ["packages/common"]

[package.auth-client]
paths = ["packages/auth-client"]
deps = ["common"]

[service.api]
paths = ["services/api", "infra/docker/.npmrc"]
deps = ["auth-client"]
exclude = ["services/api/**/*.test.ts"]

[service.worker]
paths = ["services/worker"]
deps = ["common"]

[service.ui]
paths = ["apps/ui/src/**/*.tsx", "apps/ui/index.html"]
)";

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("pnpm-lock.yaml", "lock: 1\n");
    repo_.write("infra/docker/service.Dockerfile", "FROM node\n");
    repo_.write("infra/docker/.npmrc", "registry=x\n");
    repo_.write("packages/common/index.ts", "export const a = 1;\n");
    repo_.write("packages/auth-client/index.ts", "export const b = 1;\n");
    repo_.write("services/api/src/main.ts", "main\n");
    repo_.write("services/api/src/main.test.ts", "test\n");
    repo_.write("services/api/README.md", "# api\n");
    repo_.write("services/worker/run.sh", "#!/bin/sh\n");
    repo_.write("apps/ui/index.html", "<html>\n");
    repo_.write("apps/ui/src/App.tsx", "app\n");
    repo_.write("apps/ui/src/app.css", "css\n");
    repo_.write("docs/guide.txt", "guide\n");
    base_ = repo_.commit("initial");
  }

  // The plan of the test repository. A failed set-up (config, graph,
  // repository) fails the test and comes back as the error, so no caller
  // goes on with it, and no caller expecting an error takes it for the plan's.
  Result<Plan> Run(PlanOptions options, std::string_view config_text = kConfig) {
    auto config = graph::parse_config(config_text, "wharf.toml");
    if (!config) return SetUpFailed(config.error());
    auto graph = graph::Graph::build(std::move(*config));
    if (!graph) return SetUpFailed(graph.error());
    auto repo = vcs::Repository::open(repo_.path());
    if (!repo) return SetUpFailed(repo.error());
    graph_ = std::make_unique<graph::Graph>(std::move(*graph));
    return compute_plan(*repo, *graph_, options);
  }

  static std::unexpected<Error> SetUpFailed(const Error& error) {
    ADD_FAILURE() << "set-up failed: " << error.message;
    return std::unexpected(error);
  }

  PlanOptions Since(const std::string& rev) {
    PlanOptions options;
    options.since = rev;
    return options;
  }

  // service -> "deploy"/"skip"
  std::map<std::string, std::string> Actions(const Plan& plan) {
    std::map<std::string, std::string> out;
    for (const auto& s : plan.services) out[s.name] = s.action == Action::deploy ? "deploy" : "skip";
    return out;
  }

  const ServicePlan& Find(const Plan& plan, std::string_view name) {
    for (const auto& s : plan.services) {
      if (s.name == name) return s;
    }
    throw std::runtime_error("no service " + std::string(name));
  }

  std::map<std::string, std::string> Deploying(std::initializer_list<std::string> names) {
    std::map<std::string, std::string> out{{"api", "skip"}, {"worker", "skip"}, {"ui", "skip"}};
    for (const auto& n : names) out[n] = "deploy";
    return out;
  }

  GitRepo repo_;
  std::string base_;
  std::unique_ptr<graph::Graph> graph_;
};

TEST_F(PlanTest, NothingChangedSkipsEverything) {
  repo_.write("docs/guide.txt", "more\n");
  repo_.commit("docs");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(Actions(*plan), Deploying({}));
  EXPECT_EQ(plan->head, repo_.head());
  EXPECT_EQ(*Find(*plan, "api").base, base_);
}

TEST_F(PlanTest, OwnPathChangeDeploysOnlyThatService) {
  repo_.write("services/api/src/main.ts", "main v2\n");
  repo_.commit("api");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api"}));
  const auto& reason = Find(*plan, "api").reasons.at(0);
  EXPECT_EQ(reason.kind, ReasonKind::path);
  EXPECT_EQ(reason.path, "services/api/src/main.ts");
}

TEST_F(PlanTest, PackageChangeFansOutTransitively) {
  repo_.write("packages/common/index.ts", "export const a = 2;\n");
  repo_.commit("common");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api", "worker"}));
  const auto& reason = Find(*plan, "api").reasons.at(0);
  EXPECT_EQ(reason.kind, ReasonKind::package);
  EXPECT_EQ(reason.via, "common");  // api -> auth-client -> common
  EXPECT_EQ(reason.path, "packages/common/index.ts");
}

TEST_F(PlanTest, WorkspaceInputFansOutToEveryService) {
  repo_.write("pnpm-lock.yaml", "lock: 2\n");
  repo_.commit("lock");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api", "worker", "ui"}));
  EXPECT_EQ(Find(*plan, "ui").reasons.at(0).kind, ReasonKind::workspace);
  EXPECT_EQ(Find(*plan, "ui").reasons.at(0).path, "pnpm-lock.yaml");
}

TEST_F(PlanTest, ServiceAndWorkspaceExcludesAreNeverInputs) {
  repo_.write("services/api/src/main.test.ts", "test v2\n");
  repo_.write("services/api/README.md", "# api v2\n");
  repo_.write("packages/common/NOTES.md", "notes\n");
  repo_.commit("tests and docs");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({}));
}

TEST_F(PlanTest, GlobsSelectFiles) {
  repo_.write("apps/ui/src/app.css", "css v2\n");
  repo_.commit("css is not an input of ui");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({}));
  repo_.write("apps/ui/src/pages/deep/Home.tsx", "home\n");
  repo_.commit("new page");
  plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"ui"}));
  EXPECT_EQ(Find(*plan, "ui").reasons.at(0).path, "apps/ui/src/pages/deep/Home.tsx");
}

TEST_F(PlanTest, ModeChangeIsAChange) {
  repo_.chmod_exec("services/worker/run.sh");
  repo_.commit("chmod +x");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"worker"}));
}

TEST_F(PlanTest, SymlinkAddAndRetargetAreChanges) {
  repo_.symlink("run.sh", "services/worker/start");
  std::string with_link = repo_.commit("symlink");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"worker"}));
  repo_.symlink("other.sh", "services/worker/start");
  repo_.commit("retarget");
  plan = Run(Since(with_link));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"worker"}));
  EXPECT_EQ(Find(*plan, "worker").reasons.at(0).path, "services/worker/start");
}

TEST_F(PlanTest, SubmodulePointerChangeIsAChange) {
  std::string sha1 = std::string(40, '1'), sha2 = std::string(40, '2');
  repo_.git("update-index --add --cacheinfo 160000," + sha1 + ",services/worker/vendor");
  repo_.git("commit -q -m sub1");
  std::string first = repo_.head();
  repo_.git("update-index --cacheinfo 160000," + sha2 + ",services/worker/vendor");
  repo_.git("commit -q -m sub2");
  auto plan = Run(Since(first));
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(Actions(*plan), Deploying({"worker"}));
  EXPECT_EQ(Find(*plan, "worker").reasons.at(0).path, "services/worker/vendor");
}

TEST_F(PlanTest, RenameCountsBothSides) {
  repo_.git("mv services/api/src/main.ts services/worker/main.ts");
  repo_.commit("move");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api", "worker"}));
  EXPECT_EQ(Find(*plan, "api").reasons.at(0).path, "services/api/src/main.ts");
  EXPECT_EQ(Find(*plan, "worker").reasons.at(0).path, "services/worker/main.ts");
}

TEST_F(PlanTest, DeletionAndFileBecomingDirectory) {
  repo_.remove("infra/docker/.npmrc");
  repo_.write("infra/docker/.npmrc/inner", "now a directory\n");
  repo_.commit("type change");
  auto plan = Run(Since(base_));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api"}));
  EXPECT_EQ(Find(*plan, "api").reasons.at(0).path, "infra/docker/.npmrc");
}

TEST_F(PlanTest, PerServiceBasesNotLiveAndOrphans) {
  repo_.write("services/api/src/main.ts", "main v2\n");
  std::string after_api = repo_.commit("api");
  repo_.write("services/worker/run.sh", "#!/bin/sh\necho 2\n");
  repo_.commit("worker");
  PlanOptions options;
  options.live = LiveShas{{"api", after_api.substr(0, 10)}, {"worker", base_}, {"gone", base_}};
  auto plan = Run(options);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(Actions(*plan), Deploying({"worker", "ui"}));
  EXPECT_EQ(*Find(*plan, "api").base, after_api);
  EXPECT_EQ(Find(*plan, "api").base_rev, after_api.substr(0, 10));
  EXPECT_EQ(Find(*plan, "ui").reasons.at(0).kind, ReasonKind::not_live);
  EXPECT_FALSE(Find(*plan, "ui").base.has_value());
  EXPECT_EQ(plan->orphans, std::vector<std::string>{"gone"});
  EXPECT_EQ(plan->stats.distinct_bases, 2u);
}

TEST_F(PlanTest, MissingBaseIsAnErrorNamingServiceAndSha) {
  PlanOptions options;
  std::string missing = "0123456789abcdef0123456789abcdef01234567";
  options.live = LiveShas{{"api", missing}, {"worker", base_}};
  auto plan = Run(options);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().kind, ErrorKind::repository);
  EXPECT_NE(plan.error().message.find("live SHA '" + missing + "' of service 'api' is not in this repository"),
            std::string::npos)
      << plan.error().message;
  EXPECT_NE(plan.error().message.find("git fetch --depth=1 --filter=blob:none --no-tags origin " + missing),
            std::string::npos)
      << plan.error().message;

  options.missing_base = MissingBase::deploy;
  plan = Run(options);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Find(*plan, "api").action, Action::deploy);
  EXPECT_EQ(Find(*plan, "api").reasons.at(0).kind, ReasonKind::missing_base);
  EXPECT_EQ(Find(*plan, "worker").action, Action::skip);
  EXPECT_EQ(plan->warnings.size(), 1u);
}

// Issue 12: a typo'd branch was reported as "not in this repository; fetch
// more history", which sends the user the wrong way.
TEST_F(PlanTest, AnUnknownBranchIsNotAMissingCommit) {
  PlanOptions options;
  options.live = LiveShas{{"api", "mian"}, {"worker", base_}};
  for (MissingBase missing : {MissingBase::error, MissingBase::deploy}) {
    options.missing_base = missing;
    auto plan = Run(options);
    ASSERT_FALSE(plan.has_value());
    EXPECT_EQ(plan.error().kind, ErrorKind::repository);
    EXPECT_NE(plan.error().message.find("live SHA 'mian' of service 'api'"), std::string::npos) << plan.error().message;
    EXPECT_NE(plan.error().message.find("'mian' is not a commit, branch or tag in this repository"), std::string::npos)
        << plan.error().message;
    EXPECT_EQ(plan.error().message.find("fetch"), std::string::npos) << plan.error().message;
  }
  PlanOptions since;
  since.since = "no-such-branch";
  auto plan = Run(since);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().message.find("--since 'no-such-branch'"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("is not a commit, branch or tag in this repository"), std::string::npos);
  EXPECT_EQ(plan.error().message.find("fetch"), std::string::npos) << plan.error().message;
}

TEST_F(PlanTest, AmbiguousShortShaIsAnError) {
  // Write blobs until two ids share a 4-digit prefix, then use that prefix.
  git_libgit2_init();
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_open(&raw, repo_.path().c_str()), 0);
  std::map<std::string, int> prefixes;
  std::string ambiguous;
  for (int i = 0; ambiguous.empty() && i < 100000; ++i) {
    std::string data = "blob " + std::to_string(i);
    git_oid id;
    ASSERT_EQ(git_blob_create_from_buffer(&id, raw, data.data(), data.size()), 0);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &id);
    if (++prefixes[std::string(hex, 4)] == 2) ambiguous = std::string(hex, 4);
  }
  git_repository_free(raw);
  ASSERT_FALSE(ambiguous.empty());
  PlanOptions options;
  options.live = LiveShas{{"api", ambiguous}};
  auto plan = Run(options);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().message.find("live SHA '" + ambiguous + "' of service 'api' is ambiguous"), std::string::npos)
      << plan.error().message;
}

TEST_F(PlanTest, WorktreeCountsStagedUnstagedAndUntrackedButNotIgnored) {
  repo_.write(".gitignore", "dist/\n");
  std::string head = repo_.commit("ignore dist");
  repo_.write("services/worker/dist/bundle.js", "ignored\n");
  auto plan = Run([&] {
    auto o = Since(head);
    o.worktree = true;
    return o;
  }());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({}));

  repo_.write("services/worker/new.sh", "untracked\n");
  repo_.write("packages/auth-client/index.ts", "unstaged\n");
  repo_.write("apps/ui/index.html", "<html>staged\n");
  repo_.git("add apps/ui/index.html");
  auto options = Since(head);
  options.worktree = true;
  plan = Run(options);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api", "worker", "ui"}));
  EXPECT_TRUE(Find(*plan, "worker").reasons.at(0).uncommitted);
  EXPECT_EQ(Find(*plan, "worker").reasons.at(0).path, "services/worker/new.sh");
  EXPECT_EQ(Find(*plan, "api").reasons.at(0).via, "auth-client");

  options.worktree = false;  // without --worktree only commits count
  plan = Run(options);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({}));
}

TEST_F(PlanTest, MergeBaseDiffsFromTheForkPoint) {
  repo_.git("checkout -q -b feature");
  repo_.write("services/worker/run.sh", "#!/bin/sh\nfeature\n");
  repo_.commit("feature work");
  repo_.git("checkout -q main");
  repo_.write("services/api/src/main.ts", "main moved on\n");
  std::string main_tip = repo_.commit("main work");
  repo_.git("checkout -q feature");
  auto options = Since(main_tip);
  auto plain = Run(options);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(Actions(*plain), Deploying({"api", "worker"}));  // api differs only because main moved
  options.merge_base = true;
  auto merged = Run(options);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(Actions(*merged), Deploying({"worker"}));
  EXPECT_EQ(*Find(*merged, "worker").base, base_);
}

TEST_F(PlanTest, HeadOptionAndServicesFilter) {
  repo_.write("services/api/src/main.ts", "v2\n");
  std::string api_commit = repo_.commit("api");
  repo_.write("services/worker/run.sh", "v2\n");
  repo_.commit("worker");
  auto options = Since(base_);
  options.head = api_commit;
  auto plan = Run(options);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(Actions(*plan), Deploying({"api"}));
  EXPECT_EQ(plan->head, api_commit);

  options.head = "HEAD";
  options.services = {"worker"};
  plan = Run(options);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->services.size(), 1u);
  EXPECT_EQ(plan->services[0].name, "worker");

  options.services = {"wroker"};
  plan = Run(options);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_NE(plan.error().message.find("did you mean 'worker'?"), std::string::npos) << plan.error().message;
}

TEST_F(PlanTest, WarnsAboutPathsThatMatchNothing) {
  std::string config = std::string(kConfig) + "\n[service.ghost]\npaths = [\"services/ghost\", \"x/**/*.nope\"]\n";
  auto plan = Run(Since(base_), config);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->warnings.size(), 2u);
  EXPECT_NE(plan->warnings[0].find("wharf.toml:"), std::string::npos);
  EXPECT_NE(plan->warnings[0].find("'services/ghost' matches nothing at HEAD"), std::string::npos) << plan->warnings[0];
}

}  // namespace
}  // namespace wharf::plan

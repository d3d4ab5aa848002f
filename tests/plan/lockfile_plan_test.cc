// Lockfile-aware fan-out (plan/lockfiles.h) on real git repositories: a
// pnpm-lock.yaml change reaches only the services whose resolved
// dependencies changed.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include <fmt/format.h>

#include "plan/lockfiles.h"
#include "plan/plan.h"
#include "tests/plan/memory_store.h"
#include "tests/testing/git_repo.h"

namespace wharf::plan {
namespace {

using testing::GitRepo;

constexpr std::string_view kConfig = R"(
[workspace]
inputs = ["pnpm-lock.yaml", "package.json"]

[package.common]
paths = ["packages/common"]

[service.api]
paths = ["services/api"]
deps = ["common"]

[service.worker]
paths = ["services/worker"]

[service.gosvc]
paths = ["services/gosvc"]
)";

// A pnpm v9 lockfile of this workspace, with the versions given.
struct Versions {
  std::string typescript = "5.4.5";  // the root's tooling
  std::string left_pad = "1.3.0";    // api's own
  std::string left_pad_spec = "^1.3.0";
  std::string zod = "3.23.8";        // common's (api reaches it through the package)
  std::string express = "4.19.2";    // worker's own
  std::string qs = "6.11.0";         // express's, so worker's transitively
  std::string overrides;             // a top-level `overrides:` block, or ""
};

std::string integrity(std::string_view name, std::string_view version) {
  return fmt::format("sha512-{:016x}", std::hash<std::string>{}(fmt::format("{}@{}", name, version)));
}

std::string pnpm_lock(const Versions& v) {
  std::string out = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\n";
  if (!v.overrides.empty()) out += "overrides:\n" + v.overrides + "\n";
  out += fmt::format(R"(importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: {ts}

  packages/common:
    dependencies:
      zod:
        specifier: ^3.23.0
        version: {zod}

  services/api:
    dependencies:
      '@acme/common':
        specifier: workspace:*
        version: link:../../packages/common
      left-pad:
        specifier: '{lp_spec}'
        version: {lp}

  services/worker:
    dependencies:
      express:
        specifier: ^4.19.0
        version: {express}

packages:

  express@{express}:
    resolution: {{integrity: {i_express}}}

  left-pad@{lp}:
    resolution: {{integrity: {i_lp}}}

  qs@{qs}:
    resolution: {{integrity: {i_qs}}}

  typescript@{ts}:
    resolution: {{integrity: {i_ts}}}

  zod@{zod}:
    resolution: {{integrity: {i_zod}}}

snapshots:

  express@{express}:
    dependencies:
      qs: {qs}

  left-pad@{lp}: {{}}

  qs@{qs}: {{}}

  typescript@{ts}: {{}}

  zod@{zod}: {{}}
)",
                     fmt::arg("ts", v.typescript), fmt::arg("zod", v.zod), fmt::arg("lp", v.left_pad),
                     fmt::arg("lp_spec", v.left_pad_spec), fmt::arg("express", v.express), fmt::arg("qs", v.qs),
                     fmt::arg("i_express", integrity("express", v.express)),
                     fmt::arg("i_lp", integrity("left-pad", v.left_pad)), fmt::arg("i_qs", integrity("qs", v.qs)),
                     fmt::arg("i_ts", integrity("typescript", v.typescript)),
                     fmt::arg("i_zod", integrity("zod", v.zod)));
  return out;
}

class LockfilePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("package.json", R"({"name": "acme", "private": true})");
    repo_.write("packages/common/package.json", R"({"name": "@acme/common"})");
    repo_.write("packages/common/index.ts", "export {}\n");
    repo_.write("services/api/package.json", R"({"name": "api"})");
    repo_.write("services/worker/package.json", R"({"name": "worker"})");
    repo_.write("services/gosvc/main.go", "package main\n");
    repo_.write("pnpm-lock.yaml", pnpm_lock(Versions{}));
    base_ = repo_.commit("initial");
  }

  // The services that deploy, and their reasons' details, since `base`.
  Result<Plan> Run(const std::string& base, std::string_view config = kConfig, ParsedStore* store = nullptr) {
    auto parsed = graph::parse_config(config, "wharf.toml");
    if (!parsed) return SetUpFailed(parsed.error());
    auto graph = graph::Graph::build(std::move(*parsed));
    if (!graph) return SetUpFailed(graph.error());
    auto repo = vcs::Repository::open(repo_.path());
    if (!repo) return SetUpFailed(repo.error());
    graph_ = std::make_unique<graph::Graph>(std::move(*graph));
    PlanOptions options;
    options.since = base;
    options.parsed_store = store;
    return compute_plan(*repo, *graph_, options);
  }

  static std::unexpected<Error> SetUpFailed(const Error& error) {
    ADD_FAILURE() << "set-up failed: " << error.message;
    return std::unexpected(error);
  }

  // service -> the deploying reason's text ("" for a skip).
  static std::map<std::string, std::string> Deploys(const Plan& plan) {
    std::map<std::string, std::string> out;
    for (const auto& service : plan.services) {
      if (service.action == Action::skip) continue;
      const Reason& reason = service.reasons.at(0);
      out[service.name] = reason.path + (reason.detail.empty() ? "" : " " + reason.detail);
    }
    return out;
  }

  void CommitLock(const Versions& versions) {
    repo_.write("pnpm-lock.yaml", pnpm_lock(versions));
    repo_.commit("lockfile");
  }

  GitRepo repo_;
  std::string base_;
  std::unique_ptr<graph::Graph> graph_;
};

constexpr std::string_view kNoImporter = "pnpm-lock.yaml lockfile: no importer of its own in it";

TEST_F(LockfilePlanTest, ABumpOfOneServicesDependencyDeploysThatService) {
  Versions v;
  v.left_pad = "1.3.1";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(Deploys(*plan), (std::map<std::string, std::string>{
                                {"api", "pnpm-lock.yaml lockfile: left-pad 1.3.0 -> 1.3.1"},
                                {"gosvc", std::string(kNoImporter)}}));
  EXPECT_TRUE(plan->warnings.empty());
}

TEST_F(LockfilePlanTest, APackagesDependencyReachesTheServicesThatUseThePackage) {
  Versions v;
  v.zod = "3.23.9";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  auto deploys = Deploys(*plan);
  EXPECT_EQ(deploys.count("api"), 1u);
  EXPECT_EQ(deploys.count("worker"), 0u);
  EXPECT_NE(deploys["api"].find("zod 3.23.8 -> 3.23.9"), std::string::npos) << deploys["api"];
}

TEST_F(LockfilePlanTest, ATransitiveBumpReachesOnlyItsDependents) {
  Versions v;
  v.qs = "6.11.1";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  auto deploys = Deploys(*plan);
  EXPECT_EQ(deploys.count("api"), 0u);
  ASSERT_EQ(deploys.count("worker"), 1u);
  EXPECT_NE(deploys["worker"].find("qs 6.11.0 -> 6.11.1"), std::string::npos) << deploys["worker"];
}

TEST_F(LockfilePlanTest, TheRootsToolingReachesEveryService) {
  Versions v;
  v.typescript = "5.4.6";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  auto deploys = Deploys(*plan);
  EXPECT_EQ(deploys.size(), 3u);
  EXPECT_NE(deploys["worker"].find("typescript 5.4.5 -> 5.4.6"), std::string::npos) << deploys["worker"];
}

TEST_F(LockfilePlanTest, ASpecifierChangeThatResolvesTheSameDeploysNothing) {
  Versions v;
  v.left_pad_spec = "~1.3.0";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(Deploys(*plan), (std::map<std::string, std::string>{{"gosvc", std::string(kNoImporter)}}));
}

TEST_F(LockfilePlanTest, ASettingsChangeReachesEveryService) {
  Versions v;
  v.overrides = "  qs: 6.11.0\n";
  CommitLock(v);
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  auto deploys = Deploys(*plan);
  EXPECT_EQ(deploys.size(), 3u);
  EXPECT_EQ(deploys["api"], "pnpm-lock.yaml lockfile: settings changed");
}

TEST_F(LockfilePlanTest, ALockfileThatDoesNotParseReachesEveryServiceWithAWarning) {
  repo_.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\nimporters: [unclosed\n");
  repo_.commit("broken");
  auto plan = Run(base_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(Deploys(*plan).size(), 3u);
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_NE(plan->warnings[0].find("pnpm-lock.yaml"), std::string::npos) << plan->warnings[0];
  EXPECT_NE(plan->warnings[0].find("changed for every service"), std::string::npos) << plan->warnings[0];
}

TEST_F(LockfilePlanTest, WholeMakesAnyLockfileChangeReachEveryService) {
  Versions v;
  v.left_pad = "1.3.1";
  CommitLock(v);
  std::string config = std::string(kConfig);
  config.replace(config.find("[workspace]\n"), 12, "[workspace]\nlockfile = \"whole\"\n");
  auto plan = Run(base_, config);
  ASSERT_TRUE(plan) << plan.error().message;
  auto deploys = Deploys(*plan);
  EXPECT_EQ(deploys.size(), 3u);
  EXPECT_EQ(deploys["worker"], "pnpm-lock.yaml");
}

TEST_F(LockfilePlanTest, ParsedLockfilesAreKeptByBlobAndNotParsedAgain) {
  Versions v;
  v.left_pad = "1.3.1";
  CommitLock(v);
  MemoryStore store;
  auto first = Run(base_, kConfig, &store);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->stats.lockfiles_parsed, 2u);
  EXPECT_EQ(first->stats.lockfiles_read, 2u);
  // The two lockfiles, and the verdicts of their pair.
  ASSERT_EQ(store.entries.size(), 3u);
  auto second = Run(base_, kConfig, &store);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->stats.lockfiles_parsed, 0u);
  // Every verdict was kept: the next run does not even decode the lockfiles.
  EXPECT_EQ(second->stats.lockfiles_read, 0u);
  EXPECT_EQ(Deploys(*second), Deploys(*first));
  // A damaged entry is a parse, never a wrong answer.
  for (auto& [key, bytes] : store.entries) bytes[bytes.size() / 2] ^= 0x5a;
  auto third = Run(base_, kConfig, &store);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->stats.lockfiles_parsed, 2u);
  EXPECT_EQ(Deploys(*third), Deploys(*first));
}

TEST_F(LockfilePlanTest, AKeptPairWithoutAServicesImportersReadsTheLockfilesForIt) {
  Versions v;
  v.left_pad = "1.3.1";
  CommitLock(v);
  MemoryStore store;
  // First only api, whose verdict is kept; then worker too: its importer
  // set is not in the kept pair, so the lockfiles are decoded (not parsed).
  const std::string only_api = std::string(kConfig).substr(0, std::string(kConfig).find("[service.worker]"));
  auto first = Run(base_, only_api, &store);
  ASSERT_TRUE(first) << first.error().message;
  auto both = Run(base_, kConfig, &store);
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->stats.lockfiles_parsed, 0u);
  EXPECT_EQ(both->stats.lockfiles_read, 2u);
  auto fresh = Run(base_, kConfig, nullptr);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(Deploys(*both), Deploys(*fresh));
  // Damage confined to the pair's record: decoded again, same answer.
  for (auto& [key, bytes] : store.entries) {
    if (key.starts_with("lockpair/")) bytes[bytes.size() / 3] ^= 0x11;
  }
  auto damaged = Run(base_, kConfig, &store);
  ASSERT_TRUE(damaged) << damaged.error().message;
  EXPECT_EQ(damaged->stats.lockfiles_parsed, 0u);
  EXPECT_EQ(damaged->stats.lockfiles_read, 2u);
  EXPECT_EQ(Deploys(*damaged), Deploys(*fresh));
}

TEST_F(LockfilePlanTest, EachServiceIsJudgedAgainstItsOwnBase) {
  Versions v1;
  v1.left_pad = "1.3.1";
  CommitLock(v1);
  const std::string middle = repo_.head();
  Versions v2 = v1;
  v2.qs = "6.11.1";
  CommitLock(v2);
  auto parsed = graph::parse_config(kConfig, "wharf.toml");
  ASSERT_TRUE(parsed);
  auto graph = graph::Graph::build(std::move(*parsed));
  ASSERT_TRUE(graph);
  auto repo = vcs::Repository::open(repo_.path());
  ASSERT_TRUE(repo);
  PlanOptions options;
  // api is live at the middle commit (it has left-pad 1.3.1 already); worker
  // at the first (qs changed since).
  options.live = LiveShas{{"api", middle}, {"worker", base_}, {"gosvc", middle}};
  auto plan = compute_plan(*repo, *graph, options);
  ASSERT_TRUE(plan) << plan.error().message;
  std::map<std::string, bool> deploying;
  for (const auto& service : plan->services) deploying[service.name] = service.action == Action::deploy;
  EXPECT_FALSE(deploying["api"]);
  EXPECT_TRUE(deploying["worker"]);
  EXPECT_TRUE(deploying["gosvc"]);
}

}  // namespace
}  // namespace wharf::plan

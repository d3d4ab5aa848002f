// Lockfile-aware plans in a blobless depth-1 clone: the lockfile blobs of the
// live commits are fetched in one `git fetch` (not one per blob), and the
// plans equal the full clone's.
#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "graph/config.h"
#include "plan/plan_output.h"
#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"
#include "workspace/fetch.h"

namespace wharf::workspace {
namespace {

using testing::GitRepo;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

constexpr std::string_view kConfig = R"(
[workspace]
inputs = ["pnpm-lock.yaml"]

[service.a]
paths = ["services/a"]

[service.b]
paths = ["services/b"]
)";

// A pnpm v9 lockfile where a has left-pad 1.3.`va` and b qs 6.11.`vb`.
std::string lockfile(int va, int vb) {
  return fmt::format(R"(lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {{}}

  services/a:
    dependencies:
      left-pad:
        specifier: ^1.3.0
        version: 1.3.{0}

  services/b:
    dependencies:
      qs:
        specifier: ^6.11.0
        version: 6.11.{1}

packages:

  left-pad@1.3.{0}:
    resolution: {{integrity: sha512-leftpad{0}}}

  qs@6.11.{1}:
    resolution: {{integrity: sha512-qs{1}}}

snapshots:

  left-pad@1.3.{0}: {{}}

  qs@6.11.{1}: {{}}
)",
                     va, vb);
}

void Sh(const std::string& command) {
  int status = 0;
  std::string out = run_command(command + " 2>&1", &status);
  ASSERT_EQ(status, 0) << command << ": " << out;
}

TEST(FetchLockfileTest, LockfileBlobsOfTheLiveCommitsComeInOneFetchAndPlansEqualTheFullClones) {
  GitRepo source;
  source.write("package.json", R"({"name": "root", "private": true})");
  source.write("services/a/package.json", R"({"name": "a"})");
  source.write("services/b/package.json", R"({"name": "b"})");
  std::vector<std::string> shas;
  std::mt19937 rng(1618);
  int va = 0, vb = 0;
  for (int c = 0; c < 10; ++c) {
    (rng() % 2 ? va : vb) += 1;
    source.write("pnpm-lock.yaml", lockfile(va, vb));
    shas.push_back(source.commit(fmt::format("c{}", c)));
  }
  TempDir dir;
  const std::string remote = dir.path() + "/remote.git";
  Sh(fmt::format("git clone -q --bare {} {}", shell_quote(source.path()), shell_quote(remote)));
  Sh(fmt::format("git -C {} config uploadpack.allowFilter true", shell_quote(remote)));
  Sh(fmt::format("git -C {} config uploadpack.allowAnySHA1InWant true", shell_quote(remote)));
  auto config = graph::parse_config(kConfig, "wharf.toml");
  ASSERT_TRUE(config) << config.error().message;
  auto graph = graph::Graph::build(std::move(*config));
  ASSERT_TRUE(graph) << graph.error().message;
  Host host;

  int cases = 0, deploys = 0;
  for (int round = 0; round < 4; ++round) {
    const std::string clone = fmt::format("{}/clone{}", dir.path(), round);
    Sh(fmt::format("git clone -q --depth=1 --filter=blob:none file://{} {}", remote, shell_quote(clone)));
    auto repo = vcs::Repository::open(clone);
    ASSERT_TRUE(repo) << repo.error().message;
    auto full = vcs::Repository::open(source.path());
    ASSERT_TRUE(full) << full.error().message;
    for (int k = 0; k < 4; ++k, ++cases) {
      plan::PlanOptions options;
      options.live = plan::LiveShas{{"a", shas[rng() % shas.size()]}, {"b", shas[rng() % shas.size()]}};
      auto want = plan::compute_plan(*full, *graph, options);
      ASSERT_TRUE(want) << want.error().message;
      ASSERT_TRUE(ensure_bases(*repo, options, "origin", host));
      int fetches = 0;
      auto fetch = blob_fetcher(*repo, "origin", host);
      options.fetch_blobs = [&](const std::vector<std::string>& blobs) {
        ++fetches;
        return fetch(blobs);
      };
      auto got = plan::compute_plan(*repo, *graph, options);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_TRUE(got->warnings.empty()) << got->warnings.front();
      EXPECT_EQ(plan::plan_to_json(*got), plan::plan_to_json(*want)) << "case " << cases;
      EXPECT_LE(fetches, 1) << "case " << cases;
      for (const auto& service : want->services) deploys += service.action == plan::Action::deploy;
    }
  }
  // Both answers, or the comparison proves little.
  EXPECT_GT(deploys, 4);
  EXPECT_LT(deploys, cases * 2 - 4);

  // Without fetching blobs, a lockfile that is not in the clone counts as
  // changed for every service, with a warning: never a wrong skip.
  const std::string bare = dir.path() + "/nofetch";
  Sh(fmt::format("git clone -q --depth=1 --filter=blob:none file://{} {}", remote, shell_quote(bare)));
  auto repo = vcs::Repository::open(bare);
  ASSERT_TRUE(repo) << repo.error().message;
  plan::PlanOptions options;
  options.since = shas.front();
  ASSERT_TRUE(ensure_bases(*repo, options, "origin", host));
  auto plan = plan::compute_plan(*repo, *graph, options);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_FALSE(plan->warnings.empty());
  EXPECT_NE(plan->warnings.front().find("not in this clone"), std::string::npos) << plan->warnings.front();
  for (const auto& service : plan->services) EXPECT_EQ(service.action, plan::Action::deploy) << service.name;
}

}  // namespace
}  // namespace wharf::workspace

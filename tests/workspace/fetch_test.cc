// Plans in shallow clones (workspace/fetch.h) against a local bare "remote"
// with real history: what a depth-1 clone lacks is named exactly, fetched
// by SHA, and the plans then equal the full clone's.
#include "workspace/fetch.h"

#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "graph/config.h"
#include "plan/plan_output.h"
#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf::workspace {
namespace {

using testing::GitRepo;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

constexpr int kServices = 6;

std::string config_text() {
  std::string out = "[workspace]\ninputs = [\"shared/lib.txt\"]\n";
  for (int s = 0; s < kServices; ++s) out += fmt::format("[service.s{}]\npaths = [\"s{}\"]\n", s, s);
  return out;
}

class FetchTest : public ::testing::Test {
 protected:
  // The source history is made once for the suite (40 commits take seconds);
  // each test gets its own remote cloned from it.
  static void SetUpTestSuite() {
    source_ = new GitRepo;
    source_->write("wharf.toml", config_text());
    source_->write("shared/lib.txt", "lib 0\n");
    for (int s = 0; s < kServices; ++s) source_->write(fmt::format("s{}/main.txt", s), "v0\n");
    shas_.push_back(source_->commit("c0"));
    std::mt19937 rng(18);
    for (int c = 1; c < 40; ++c) {
      if (c % 13 == 0) {
        source_->write("shared/lib.txt", fmt::format("lib {}\n", c));
      } else {
        int s = static_cast<int>(rng() % kServices);
        source_->write(fmt::format("s{}/main.txt", s), fmt::format("v{}\n", c));
      }
      shas_.push_back(source_->commit(fmt::format("c{}", c)));
    }
  }
  static void TearDownTestSuite() {
    delete source_;
    source_ = nullptr;
    shas_.clear();
  }

  void SetUp() override {
    remote_ = dir_.path() + "/remote.git";
    Run(fmt::format("git clone -q --bare {} {}", shell_quote(source_->path()), shell_quote(remote_)));
    Run(fmt::format("git -C {} config uploadpack.allowFilter true", shell_quote(remote_)));
    Run(fmt::format("git -C {} config uploadpack.allowAnySHA1InWant true", shell_quote(remote_)));
    auto config = graph::parse_config(config_text(), "wharf.toml");
    ASSERT_TRUE(config) << config.error().message;
    auto graph = graph::Graph::build(std::move(*config));
    ASSERT_TRUE(graph) << graph.error().message;
    graph_ = std::make_unique<graph::Graph>(std::move(*graph));
    host_.output = [this](std::string_view text) { output_ += text; };
  }

  static void Run(const std::string& command) {
    int status = 0;
    std::string out = run_command(command + " 2>&1", &status);
    ASSERT_EQ(status, 0) << command << ": " << out;
  }

  // A depth-1 clone of the remote (blobless unless `blobs`), named `name`.
  std::string Clone(const std::string& name, bool blobs = false, const std::string& branch = "main") {
    std::string path = dir_.path() + "/" + name;
    Run(fmt::format("git clone -q --depth=1 {} -b {} file://{} {}", blobs ? "" : "--filter=blob:none", branch,
                    remote_, shell_quote(path)));
    return path;
  }

  Result<std::string> PlanJson(const std::string& repo_path, plan::PlanOptions options, const std::string& remote) {
    auto repo = vcs::Repository::open(repo_path);
    if (!repo) return std::unexpected(repo.error());
    if (auto bases = ensure_bases(*repo, options, remote, host_); !bases) return std::unexpected(bases.error());
    auto plan = plan::compute_plan(*repo, *graph_, options);
    if (!plan) return std::unexpected(plan.error());
    return plan::plan_to_json(*plan);
  }

  static GitRepo* source_;
  static std::vector<std::string> shas_;
  TempDir dir_;
  std::string remote_;
  std::unique_ptr<graph::Graph> graph_;
  Host host_;
  std::string output_;
};

GitRepo* FetchTest::source_ = nullptr;
std::vector<std::string> FetchTest::shas_;

TEST_F(FetchTest, WithoutFetchTheErrorNamesTheExactCommand) {
  std::string clone = Clone("shallow");
  plan::PlanOptions options;
  options.live = plan::LiveShas{{"s0", shas_[3]}, {"s1", shas_[7]}, {"s2", shas_.back()}};
  auto plan = PlanJson(clone, options, "");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::repository);
  std::vector<std::string> missing{shas_[3], shas_[7]};
  std::sort(missing.begin(), missing.end());
  EXPECT_NE(plan.error().message.find(fetch_command("origin", missing)), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("live SHA '" + shas_[3] + "' of service 's0'"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("(the clone is shallow)"), std::string::npos) << plan.error().message;
  // The command it names works.
  Run(fmt::format("git -C {} {}", shell_quote(clone), fetch_command("origin", missing).substr(4)));
  EXPECT_TRUE(PlanJson(clone, options, "")) << "after running the command";
}

TEST_F(FetchTest, FetchedPlansEqualTheFullClonesOnRandomLiveShas) {
  std::mt19937 rng(1818);
  int cases = 0;
  for (int round = 0; round < 3; ++round) {
    // A fresh clone each round, plain depth 1 once, blobless otherwise.
    std::string clone = Clone(fmt::format("round{}", round), round == 0);
    for (int k = 0; k < 40; ++k, ++cases) {
      plan::PlanOptions options;
      options.live.emplace();
      for (int s = 0; s < kServices; ++s) {
        if (rng() % 8 == 0) continue;  // not live
        (*options.live)[fmt::format("s{}", s)] = shas_[rng() % shas_.size()];
      }
      auto want = PlanJson(source_->path(), options, "");
      ASSERT_TRUE(want) << want.error().message;
      auto got = PlanJson(clone, options, "origin");
      ASSERT_TRUE(got) << got.error().message << "\n" << output_;
      ASSERT_EQ(*got, *want) << "case " << cases;
    }
  }
  EXPECT_EQ(cases, 120);
  // One fetch per case that lacked something, and only commits, never history.
  EXPECT_EQ(run_command(fmt::format("git -C {}/round1 rev-list --count HEAD", shell_quote(dir_.path()))), "1\n");
}

TEST_F(FetchTest, MergeBaseDeepensTheHistoryUntilItIsFound) {
  // A branch off c20 with its own commits; main moved on meanwhile.
  source_->git(fmt::format("checkout -q -b feature {}", shas_[20]));
  source_->write("s0/main.txt", "feature\n");
  source_->commit("feature 1");
  source_->write("s3/extra.txt", "feature\n");
  source_->commit("feature 2");
  source_->git("checkout -q main");
  Run(fmt::format("git -C {} fetch -q {} feature:feature", shell_quote(remote_), shell_quote(source_->path())));
  std::string clone = Clone("feature", false, "feature");
  plan::PlanOptions options;
  options.since = shas_.back();
  options.merge_base = true;
  source_->git("checkout -q feature");
  auto want = PlanJson(source_->path(), options, "");
  source_->git("checkout -q main");
  ASSERT_TRUE(want) << want.error().message;
  auto got = PlanJson(clone, options, "origin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, *want);
  EXPECT_NE(output_.find("deepened the clone by"), std::string::npos) << output_;
}

TEST_F(FetchTest, ARemoteThatRefusesShaWantsIsNamedWithTheFix) {
  Run(fmt::format("git -C {} config uploadpack.allowAnySHA1InWant false", shell_quote(remote_)));
  std::string clone = Clone("refused");
  // Protocol v0 is where a server's refusal of unadvertised SHAs shows.
  Run(fmt::format("git -C {} config protocol.version 0", shell_quote(clone)));
  plan::PlanOptions options;
  options.live = plan::LiveShas{{"s0", shas_[5]}};
  auto plan = PlanJson(clone, options, "origin");
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("remote 'origin' refuses"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("uploadpack.allowReachableSHA1InWant"), std::string::npos);
  // --missing-base=deploy: a warning, and the service deploys.
  std::string warning;
  host_.warn = [&](std::string_view text) { warning = text; };
  options.missing_base = plan::MissingBase::deploy;
  auto deployed = PlanJson(clone, options, "origin");
  ASSERT_TRUE(deployed) << deployed.error().message;
  EXPECT_NE(deployed->find("\"missing-base\""), std::string::npos) << *deployed;
  EXPECT_NE(warning.find("refuses"), std::string::npos) << warning;
}

TEST_F(FetchTest, AnAbbreviatedShaCannotBeFetchedAndTheServiceIsNamed) {
  std::string clone = Clone("abbreviated");
  plan::PlanOptions options;
  options.live = plan::LiveShas{{"s4", shas_[2].substr(0, 10)}};
  auto plan = PlanJson(clone, options, "origin");
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("abbreviated"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("service 's4'"), std::string::npos) << plan.error().message;
}

TEST_F(FetchTest, CredentialsInTheRemoteUrlNeverReachTheOutput) {
  std::string clone = Clone("secret");
  Run(fmt::format("git -C {} remote add private https://deploy:s3cr3t@127.0.0.1:9/repo.git", shell_quote(clone)));
  plan::PlanOptions options;
  options.live = plan::LiveShas{{"s0", shas_[5]}};
  auto plan = PlanJson(clone, options, "private");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message.find("s3cr3t"), std::string::npos) << plan.error().message;
  EXPECT_EQ(output_.find("s3cr3t"), std::string::npos) << output_;
}

}  // namespace
}  // namespace wharf::workspace

// Differential test: on randomly generated histories and configs, wharf's
// plan equals the plan computed from `git diff --no-renames --name-only`
// plus the same path rules (graph::Graph::covering_input).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "plan/plan.h"
#include "plan/plan_output.h"
#include "tests/testing/git_repo.h"

namespace wharf::plan {
namespace {

using testing::GitRepo;

constexpr int kHistories = 30;
constexpr int kCasesPerHistory = 10;
constexpr int kCommits = 12;

const std::vector<std::string> kDirs = {"svc/a",      "svc/a/src", "svc/b", "svc/b/lib", "svc/c/x/y", "pkg/p1",
                                        "pkg/p2/src", "pkg/p3",    "infra", "docs",      ""};
const std::vector<std::string> kNames = {"main.ts", "util.ts",   "x.test.ts", "README.md",
                                         "App.tsx", "lock.yaml", "run.sh",    ".npmrc"};

std::string pick(std::mt19937& rng, const std::vector<std::string>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

std::string random_path(std::mt19937& rng) {
  std::string dir = pick(rng, kDirs);
  return dir.empty() ? pick(rng, kNames) : dir + "/" + pick(rng, kNames);
}

// Patterns drawn from literal files, directories and globs of each shape.
std::string random_pattern(std::mt19937& rng) {
  static const std::vector<std::string> globs = {"svc/*/src",      "svc/**/*.ts", "**/lib",          "pkg/p?",
                                                 "*/a/**/main.ts", "svc/c/**",    "pkg/**/src/*.ts", "**/*.tsx",
                                                 "infra/*",        "[ip]*/p1"};
  switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
    case 0:
      return random_path(rng);
    case 1: {
      std::string dir = pick(rng, kDirs);
      return dir.empty() ? "svc" : dir;
    }
    default:
      return pick(rng, globs);
  }
}

std::string toml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out + "]";
}

std::string random_config(std::mt19937& rng) {
  std::ostringstream out;
  out << "[workspace]\ninputs = " << toml_list({random_path(rng)}) << "\nexclude = [\"**/*.md\"]\n";
  const int packages = 3;
  for (int p = 0; p < packages; ++p) {
    out << "[package.p" << p << "]\npaths = " << toml_list({random_pattern(rng)}) << "\n";
    if (p > 0 && rng() % 2) out << "deps = [\"p" << (rng() % p) << "\"]\n";
    if (rng() % 3 == 0) out << "exclude = " << toml_list({random_pattern(rng)}) << "\n";
  }
  const int services = 5;
  for (int s = 0; s < services; ++s) {
    std::vector<std::string> paths{random_pattern(rng)};
    if (rng() % 2) paths.push_back(random_pattern(rng));
    out << "[service.s" << s << "]\npaths = " << toml_list(paths) << "\n";
    if (rng() % 2) out << "deps = [\"p" << (rng() % packages) << "\"]\n";
    // Excludes of a service: everywhere, or one random pattern that may or
    // may not reach its packages' paths (which decides whether a package's
    // answer can be shared between services).
    switch (rng() % 3) {
      case 0:
        out << "exclude = [\"**/*.test.ts\"]\n";
        break;
      case 1:
        out << "exclude = " << toml_list({random_pattern(rng)}) << "\n";
        break;
      default:
        break;
    }
  }
  return out.str();
}

void random_commit(GitRepo& repo, std::mt19937& rng, std::set<std::string>& files, int n) {
  const int ops = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < ops; ++i) {
    int op = static_cast<int>(rng() % 10);
    if (files.empty() || op < 4) {  // add or modify
      std::string path = random_path(rng);
      if (files.contains(path) ||
          !std::any_of(files.begin(), files.end(), [&](const std::string& f) { return f.rfind(path + "/", 0) == 0; })) {
        repo.write(path, fmt::format("content {} {}\n", n, rng() % 3));
        files.insert(path);
      }
      continue;
    }
    std::string victim = *std::next(files.begin(), static_cast<long>(rng() % files.size()));
    if (op < 6) {
      repo.write(victim, fmt::format("edit {} {}\n", n, rng()));
    } else if (op < 7) {
      repo.remove(victim);
      files.erase(victim);
    } else if (op < 8) {
      std::string to = random_path(rng);
      if (!files.contains(to) && std::none_of(files.begin(), files.end(), [&](const std::string& f) {
            return f.rfind(to + "/", 0) == 0 || to.rfind(f + "/", 0) == 0;
          })) {
        repo.move(victim, to);
        files.erase(victim);
        files.insert(to);
      }
    } else if (op < 9) {
      repo.chmod_exec(victim);
    } else {
      repo.remove(victim);
      repo.symlink("target-" + std::to_string(rng() % 3), victim);
    }
  }
}

TEST(PlanDifferentialTest, MatchesGitDiffNameOnlyOnRandomHistories) {
  int cases = 0;
  for (int h = 0; h < kHistories; ++h) {
    const unsigned seed = 1000u + static_cast<unsigned>(h);
    std::mt19937 rng(seed);
    GitRepo repo;
    std::set<std::string> files;
    std::vector<std::string> commits;
    for (int c = 0; c < kCommits; ++c) {
      random_commit(repo, rng, files, c);
      commits.push_back(repo.commit("c" + std::to_string(c)));
    }
    std::string config_text = random_config(rng);
    auto config = graph::parse_config(config_text, "wharf.toml");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    auto graph = graph::Graph::build(std::move(*config));
    ASSERT_TRUE(graph.has_value()) << graph.error().message << "\n" << config_text;
    auto vcs_repo = vcs::Repository::open(repo.path());
    ASSERT_TRUE(vcs_repo.has_value());

    std::map<std::string, std::vector<std::string>> diff_cache;
    auto git_diff = [&](const std::string& base) -> const std::vector<std::string>& {
      auto it = diff_cache.find(base);
      if (it != diff_cache.end()) return it->second;
      std::vector<std::string> paths;
      std::istringstream lines(repo.git("-c core.quotepath=off diff --no-renames --name-only " + base + " HEAD"));
      for (std::string line; std::getline(lines, line);) paths.push_back(line);
      return diff_cache.emplace(base, std::move(paths)).first->second;
    };

    for (int k = 0; k < kCasesPerHistory; ++k, ++cases) {
      // Mostly per-service live SHAs; every third case one --since base for
      // all, where services share every package answer.
      PlanOptions options;
      if (k % 3 == 2) {
        options.since = commits[rng() % commits.size()];
      } else {
        options.live = LiveShas{};
        for (const auto& service : graph->services()) {
          if (rng() % 8 == 0) continue;  // not live
          options.live->emplace(service.name, commits[rng() % commits.size()]);
        }
      }
      auto base_of = [&](const std::string& name) -> std::optional<std::string> {
        if (options.since) return options.since;
        auto it = options.live->find(name);
        if (it == options.live->end()) return std::nullopt;
        return it->second;
      };
      auto plan = compute_plan(*vcs_repo, *graph, options);
      ASSERT_TRUE(plan.has_value()) << plan.error().message;
      // Split over threads, the plan is the same.
      options.threads = 3;
      auto threaded = compute_plan(*vcs_repo, *graph, options);
      ASSERT_TRUE(threaded.has_value()) << threaded.error().message;
      EXPECT_EQ(plan_to_json(*threaded), plan_to_json(*plan)) << "seed " << seed << " case " << k;
      // Even slices, one --since base split between them too.
      EXPECT_EQ(threaded->stats.threads, 3u);
      for (const auto& service_plan : plan->services) {
        const graph::Service& service = *graph->find_service(service_plan.name);
        std::optional<std::string> base = base_of(service.name);
        bool expect_deploy = true;
        if (base) {
          expect_deploy = false;
          for (const auto& path : git_diff(*base)) {
            if (graph::Graph::covering_input(service, path)) {
              expect_deploy = true;
              break;
            }
          }
        }
        ASSERT_EQ(service_plan.action == Action::deploy, expect_deploy)
            << "seed " << seed << " case " << k << " service " << service.name << "\nconfig:\n"
            << config_text << "\nrepo kept at " << repo.path();
        // Each reason is the first path git lists (tree order) that reaches
        // the service by that route, taking the route's inputs in order.
        for (const auto& reason : service_plan.reasons) {
          if (reason.kind == ReasonKind::not_live) continue;
          const auto& changed = git_diff(*base);
          std::string expected;
          for (const graph::Input& input : service.inputs) {
            if (reason_kind(input.kind) != reason.kind || input.via() != reason.via) continue;
            auto first = std::find_if(changed.begin(), changed.end(), [&](const std::string& path) {
              return graph::Graph::accepts(service, input, path);
            });
            if (first != changed.end()) {
              expected = *first;
              break;
            }
          }
          EXPECT_EQ(reason.path, expected) << "seed " << seed << " case " << k << " service " << service.name;
        }
      }
    }
  }
  EXPECT_EQ(cases, kHistories * kCasesPerHistory);
}

}  // namespace
}  // namespace wharf::plan

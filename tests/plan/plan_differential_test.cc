// Differential test: on randomly generated histories and configs, wharf's
// plan (actions and every reason) equals the plan an oracle computes from
// `git diff --no-renames --name-only` with its own path matcher and its own
// reading of the config (nothing from graph/ but the parse it checks).
#include <gtest/gtest.h>

#include <algorithm>
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

// A config as the oracle reads it (written out as wharf.toml for wharf).
struct Component {
  std::string name;
  std::vector<std::string> paths, deps, exclude;
};
struct Model {
  std::vector<std::string> inputs, exclude;  // the workspace's
  std::vector<Component> packages, services;

  const Component& package(const std::string& name) const {
    return *std::find_if(packages.begin(), packages.end(), [&](const Component& p) { return p.name == name; });
  }

  std::string toml() const {
    std::ostringstream out;
    out << "[workspace]\ninputs = " << toml_list(inputs) << "\nexclude = " << toml_list(exclude) << "\n";
    for (const auto& [table, components] : {std::pair{"package", &packages}, std::pair{"service", &services}}) {
      for (const Component& c : *components) {
        out << "[" << table << "." << c.name << "]\npaths = " << toml_list(c.paths) << "\n";
        if (!c.deps.empty()) out << "deps = " << toml_list(c.deps) << "\n";
        if (!c.exclude.empty()) out << "exclude = " << toml_list(c.exclude) << "\n";
      }
    }
    return out.str();
  }
};

Model random_model(std::mt19937& rng) {
  Model model;
  model.inputs = {random_path(rng)};
  model.exclude = {"**/*.md"};
  const int packages = 3;
  for (int p = 0; p < packages; ++p) {
    Component package{fmt::format("p{}", p), {random_pattern(rng)}, {}, {}};
    if (p > 0 && rng() % 2) package.deps.push_back(fmt::format("p{}", rng() % p));
    if (rng() % 3 == 0) package.exclude.push_back(random_pattern(rng));
    model.packages.push_back(package);
  }
  const int services = 5;
  for (int s = 0; s < services; ++s) {
    Component service{fmt::format("s{}", s), {random_pattern(rng)}, {}, {}};
    if (rng() % 2) service.paths.push_back(random_pattern(rng));
    if (rng() % 2) service.deps.push_back(fmt::format("p{}", rng() % packages));
    // Excludes of a service: everywhere, or one random pattern that may or
    // may not reach its packages' paths (which decides whether a package's
    // answer can be shared between services).
    switch (rng() % 3) {
      case 0:
        service.exclude.push_back("**/*.test.ts");
        break;
      case 1:
        service.exclude.push_back(random_pattern(rng));
        break;
      default:
        break;
    }
    model.services.push_back(service);
  }
  return model;
}

// ---- The oracle's own path matcher (nothing from graph/), after README.md:
// `*`, `?` and `[...]` stay inside one segment, `**` spans zero or more
// segments, and a pattern that matches the first segments of a path covers
// the path (a file, or everything below a directory or a matching glob).
// Written to be obviously right, not fast.

bool segment_matches(std::string_view glob, std::string_view name) {
  if (glob.empty()) return name.empty();
  if (glob[0] == '*') {
    return segment_matches(glob.substr(1), name) || (!name.empty() && segment_matches(glob, name.substr(1)));
  }
  if (name.empty()) return false;
  if (glob[0] == '?') return segment_matches(glob.substr(1), name.substr(1));
  if (glob[0] == '[') {
    std::size_t first = glob.size() > 1 && (glob[1] == '!' || glob[1] == '^') ? 2 : 1;
    std::size_t close = glob.find(']', first + 1);  // a ']' right after '[' is a member
    if (close != std::string_view::npos) {
      std::string_view set = glob.substr(first, close - first);
      bool member = false;
      for (std::size_t i = 0; i < set.size(); ++i) {
        if (i + 2 < set.size() && set[i + 1] == '-') {
          member = member || (set[i] <= name[0] && name[0] <= set[i + 2]);
          i += 2;
        } else {
          member = member || set[i] == name[0];
        }
      }
      return member == (first == 1) && segment_matches(glob.substr(close + 1), name.substr(1));
    }
  }
  return glob[0] == name[0] && segment_matches(glob.substr(1), name.substr(1));
}

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::istringstream in{std::string(path)};
  for (std::string segment; std::getline(in, segment, '/');) out.push_back(segment);
  return out;
}

bool covers_from(const std::vector<std::string>& pattern, std::size_t i, const std::vector<std::string>& path,
                 std::size_t j) {
  if (i == pattern.size()) return true;  // the path is what matched, or below it
  if (pattern[i] == "**") {
    return covers_from(pattern, i + 1, path, j) || (j < path.size() && covers_from(pattern, i, path, j + 1));
  }
  return j < path.size() && segment_matches(pattern[i], path[j]) && covers_from(pattern, i + 1, path, j + 1);
}

bool covers(const std::string& pattern, const std::string& path) {
  return covers_from(segments(pattern), 0, segments(path), 0);
}

bool any_covers(const std::vector<std::string>& patterns, const std::string& path) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return covers(p, path); });
}

// The service's packages, nearest first (breadth-first over deps as
// written), each once: the order of the plan's package routes.
std::vector<const Component*> package_closure(const Model& model, const Component& service) {
  std::vector<const Component*> out;
  std::vector<std::string> queue = service.deps;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const Component& package = model.package(queue[i]);
    if (std::find(out.begin(), out.end(), &package) != out.end()) continue;
    out.push_back(&package);
    queue.insert(queue.end(), package.deps.begin(), package.deps.end());
  }
  return out;
}

// (kind, via) -> path: per route, the first changed path (in git's order)
// that the route's first pattern with any such path accepts.
using Reasons = std::map<std::pair<ReasonKind, std::string>, std::string>;

Reasons expected_reasons(const Model& model, const Component& service, const std::vector<std::string>& changed) {
  struct Route {
    ReasonKind kind;
    std::string via;
    const std::vector<std::string>* patterns;
    std::vector<std::string> own_excludes;
  };
  std::vector<Route> routes{{ReasonKind::path, "", &service.paths, {}}};
  for (const Component* package : package_closure(model, service)) {
    routes.push_back({ReasonKind::package, package->name, &package->paths, package->exclude});
  }
  routes.push_back({ReasonKind::workspace, "", &model.inputs, {}});
  Reasons out;
  for (const Route& route : routes) {
    for (const std::string& pattern : *route.patterns) {
      auto first = std::find_if(changed.begin(), changed.end(), [&](const std::string& path) {
        return covers(pattern, path) && !any_covers(service.exclude, path) && !any_covers(model.exclude, path) &&
               !any_covers(route.own_excludes, path);
      });
      if (first != changed.end()) {
        out[{route.kind, route.via}] = *first;
        break;
      }
    }
  }
  return out;
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
  // What the cases exercised, so that a generator that stopped producing
  // deploys, skips or some route fails here rather than passing vacuously.
  std::map<std::string, int> seen;
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
    const Model model = random_model(rng);
    const std::string config_text = model.toml();
    auto config = graph::parse_config(config_text, "wharf.toml");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    auto graph = graph::Graph::build(std::move(*config));
    ASSERT_TRUE(graph.has_value()) << graph.error().message << "\n" << config_text;
    auto vcs_repo = vcs::Repository::open(repo.path());
    ASSERT_TRUE(vcs_repo.has_value()) << vcs_repo.error().message;

    std::map<std::string, std::vector<std::string>> diff_cache;
    auto git_diff = [&](const std::string& base) -> const std::vector<std::string>& {
      auto it = diff_cache.find(base);
      if (it != diff_cache.end()) return it->second;
      std::vector<std::string> paths;
      std::istringstream lines(repo.git("-c core.quotepath=off diff --no-renames --name-only " + base + " HEAD"));
      for (std::string line; std::getline(lines, line);) paths.push_back(line);
      return diff_cache.emplace(base, std::move(paths)).first->second;
    };

    for (int k = 0; k < kCasesPerHistory; ++k) {
      // Mostly per-service live SHAs; every third case one --since base for
      // all, where services share every package answer.
      PlanOptions options;
      if (k % 3 == 2) {
        options.since = commits[rng() % commits.size()];
      } else {
        options.live = LiveShas{};
        for (const Component& service : model.services) {
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

      ASSERT_EQ(plan->services.size(), model.services.size());
      for (std::size_t i = 0; i < model.services.size(); ++i) {
        const Component& service = model.services[i];
        const ServicePlan& service_plan = plan->services[i];
        ASSERT_EQ(service_plan.name, service.name);
        std::optional<std::string> base = base_of(service.name);
        Reasons expected;
        if (base) {
          expected = expected_reasons(model, service, git_diff(*base));
        } else {
          expected[{ReasonKind::not_live, ""}] = "";
        }
        Reasons actual;
        for (const Reason& reason : service_plan.reasons) actual[{reason.kind, reason.via}] = reason.path;
        const std::string context = fmt::format("seed {} case {} service {}\nconfig:\n{}\nrepo kept at {}", seed, k,
                                                service.name, config_text, repo.path());
        EXPECT_EQ(actual.size(), service_plan.reasons.size()) << "a route given twice; " << context;
        ASSERT_EQ(service_plan.action == Action::deploy, !expected.empty()) << context;
        EXPECT_EQ(actual, expected) << context;
        ++seen[expected.empty() ? "skip" : "deploy"];
        for (const auto& [route, path] : expected) ++seen[to_string(route.first)];
      }
    }
  }
  // 1500 service plans; with these seeds: 838 deploys, 662 skips, 143 not
  // live, reasons by own path 574, package 219, workspace 94.
  for (const char* what : {"skip", "deploy", "path", "package", "workspace", "not-live"}) {
    EXPECT_GE(seen[what], 50) << "too few service plans with " << what;
  }
}

}  // namespace
}  // namespace wharf::plan

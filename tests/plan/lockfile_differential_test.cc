// Lockfile-aware plans against an oracle that never parses a lockfile: the
// test keeps a model of a pnpm workspace (importers, their links and
// dependencies, and a graph of external packages), commits its lockfile
// rendered as pnpm v9 or v6 text after random edits, and checks every
// service of plans between random pairs of commits against closures
// computed on the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "plan/plan.h"
#include "tests/plan/memory_store.h"
#include "tests/testing/git_repo.h"

namespace wharf::plan {
namespace {

using testing::GitRepo;

constexpr int kServices = 6;
constexpr int kPackages = 4;
constexpr int kExternal = 24;

struct External {
  int version = 0;            // rendered as 1.<version>.0
  std::vector<int> deps;      // externals with a lower index
};

struct Importer {
  std::string dir;
  std::map<int, std::string> externals;  // external -> specifier
  std::vector<int> links;                 // packages
};

struct Model {
  std::vector<External> externals;
  std::vector<Importer> importers;  // 0 = root ".", then services, then packages
  bool overrides = false;

  static std::string name(int e) { return e % 5 == 0 ? fmt::format("'@scope/ext{}'", e) : fmt::format("ext{}", e); }
  static std::string plain_name(int e) { return e % 5 == 0 ? fmt::format("@scope/ext{}", e) : fmt::format("ext{}", e); }
  std::string version(int e) const { return fmt::format("1.{}.0", externals[e].version); }
  std::string integrity(int e) const { return fmt::format("sha512-{}x{}", e, externals[e].version); }
  static int package_importer(int p) { return 1 + kServices + p; }

  // The resolved packages an importer set reaches, following links.
  std::set<std::string> closure(std::vector<int> todo) const {
    std::set<int> seen_importers(todo.begin(), todo.end());
    std::vector<int> stack;
    while (!todo.empty()) {
      int i = todo.back();
      todo.pop_back();
      for (const auto& [e, _] : importers[i].externals) stack.push_back(e);
      for (int p : importers[i].links) {
        if (seen_importers.insert(package_importer(p)).second) todo.push_back(package_importer(p));
      }
    }
    std::set<int> seen;
    std::set<std::string> out;
    while (!stack.empty()) {
      int e = stack.back();
      stack.pop_back();
      if (!seen.insert(e).second) continue;
      out.insert(fmt::format("{}@{}#{}", plain_name(e), version(e), integrity(e)));
      for (int d : externals[e].deps) stack.push_back(d);
    }
    return out;
  }

  std::string render(bool v9) const {
    std::string out = fmt::format("lockfileVersion: '{}'\n\nsettings:\n  autoInstallPeers: true\n\n", v9 ? "9.0" : "6.0");
    if (overrides) out += "overrides:\n  ext3: 1.0.0\n\n";
    out += "importers:\n\n";
    for (const auto& importer : importers) {
      out += fmt::format("  {}:\n", importer.dir);
      if (importer.externals.empty() && importer.links.empty()) {
        out.insert(out.size() - 1, " {}");
        out += "\n";
        continue;
      }
      out += "    dependencies:\n";
      std::map<std::string, std::string> lines;  // sorted by name, as pnpm writes them
      for (const auto& [e, spec] : importer.externals) {
        lines[plain_name(e)] =
            fmt::format("      {}:\n        specifier: {}\n        version: {}\n", name(e), spec, version(e));
      }
      for (int p : importer.links) {
        std::string up = importer.dir.find('/') == std::string::npos ? ".." : "../..";
        lines[fmt::format("@ws/pkg{}", p)] =
            fmt::format("      '@ws/pkg{}':\n        specifier: workspace:*\n        version: link:{}/packages/pkg{}\n", p,
                        up, p);
      }
      for (const auto& [_, text] : lines) out += text;
      out += "\n";
    }
    std::map<std::string, int> keys;
    for (int e = 0; e < kExternal; ++e) keys[plain_name(e) + "@" + version(e)] = e;
    auto deps_block = [&](int e, std::string_view indent) {
      std::string block;
      if (externals[e].deps.empty()) return block;
      block += fmt::format("{}dependencies:\n", indent);
      std::map<std::string, std::string> sorted;
      for (int d : externals[e].deps) sorted[plain_name(d)] = fmt::format("{}  {}: {}\n", indent, name(d), version(d));
      for (const auto& [_, line] : sorted) block += line;
      return block;
    };
    out += "packages:\n\n";
    for (const auto& [key, e] : keys) {
      // v9 keys are name@version (quoted when they start with '@'); v6 keys /name@version.
      std::string full = v9 ? key : "/" + key;
      out += fmt::format("  {}:\n    resolution: {{integrity: {}}}\n", full[0] == '@' ? "'" + full + "'" : full,
                         integrity(e));
      if (!v9) out += deps_block(e, "    ") + "    dev: false\n";
      out += "\n";
    }
    if (v9) {
      out += "snapshots:\n\n";
      for (const auto& [key, e] : keys) {
        std::string quoted = e % 5 == 0 ? "'" + key + "'" : key;
        std::string block = deps_block(e, "    ");
        out += block.empty() ? fmt::format("  {}: {{}}\n\n", quoted) : fmt::format("  {}:\n{}\n", quoted, block);
      }
    }
    return out;
  }
};

std::string config_of(const Model& model) {
  std::string out = "[workspace]\ninputs = [\"pnpm-lock.yaml\"]\n\n";
  for (int p = 0; p < kPackages; ++p) {
    out += fmt::format("[package.pkg{}]\npaths = [\"packages/pkg{}\"]\n", p, p);
    const auto& links = model.importers[Model::package_importer(p)].links;
    if (!links.empty()) {
      out += "deps = [";
      for (std::size_t i = 0; i < links.size(); ++i) out += fmt::format("{}\"pkg{}\"", i ? ", " : "", links[i]);
      out += "]\n";
    }
    out += "\n";
  }
  for (int s = 0; s < kServices; ++s) {
    out += fmt::format("[service.svc{}]\npaths = [\"services/svc{}\"]\n", s, s);
    const auto& links = model.importers[1 + s].links;
    if (!links.empty()) {
      out += "deps = [";
      for (std::size_t i = 0; i < links.size(); ++i) out += fmt::format("{}\"pkg{}\"", i ? ", " : "", links[i]);
      out += "]\n";
    }
    out += "\n";
  }
  return out;
}

Model random_model(std::mt19937& rng) {
  Model model;
  model.externals.resize(kExternal);
  for (int e = 1; e < kExternal; ++e) {
    int n = static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      int d = static_cast<int>(rng() % e);
      if (std::find(model.externals[e].deps.begin(), model.externals[e].deps.end(), d) == model.externals[e].deps.end()) {
        model.externals[e].deps.push_back(d);
      }
    }
  }
  model.importers.push_back(Importer{".", {{0, "^1.0.0"}}, {}});
  for (int s = 0; s < kServices; ++s) model.importers.push_back(Importer{fmt::format("services/svc{}", s), {}, {}});
  for (int p = 0; p < kPackages; ++p) model.importers.push_back(Importer{fmt::format("packages/pkg{}", p), {}, {}});
  for (std::size_t i = 1; i < model.importers.size(); ++i) {
    for (int k = 0; k < 2; ++k) model.importers[i].externals[static_cast<int>(1 + rng() % (kExternal - 1))] = "^1.0.0";
  }
  // Links: services to packages, packages to lower packages.
  for (int s = 0; s < kServices; ++s) {
    if (rng() % 3 != 0) model.importers[1 + s].links.push_back(static_cast<int>(rng() % kPackages));
  }
  for (int p = 1; p < kPackages; ++p) {
    if (rng() % 2 == 0) model.importers[Model::package_importer(p)].links.push_back(static_cast<int>(rng() % p));
  }
  return model;
}

// One random edit of the workspace's dependencies.
void mutate(Model& model, std::mt19937& rng) {
  switch (rng() % 8) {
    case 0:
    case 1:  // a new version of an external package (not the root's)
      ++model.externals[1 + rng() % (kExternal - 1)].version;
      break;
    case 2: {  // an importer gains or loses a dependency
      auto& importer = model.importers[1 + rng() % (model.importers.size() - 1)];
      int e = static_cast<int>(rng() % kExternal);
      if (importer.externals.erase(e) == 0) importer.externals[e] = "^1.0.0";
      break;
    }
    case 3:
    case 4: {  // a specifier changes, the resolution does not
      auto& importer = model.importers[rng() % model.importers.size()];
      if (!importer.externals.empty()) {
        auto it = importer.externals.begin();
        std::advance(it, rng() % importer.externals.size());
        it->second = it->second == "^1.0.0" ? "~1.0.0" : "^1.0.0";
      }
      break;
    }
    case 5:  // the root's tooling
      ++model.externals[0].version;
      break;
    case 6:  // a global setting, rarely
      if (rng() % 3 == 0) model.overrides = !model.overrides;
      break;
    default:  // two edits at once
      mutate(model, rng);
      mutate(model, rng);
      break;
  }
}

class LockfileDifferentialTest : public ::testing::TestWithParam<bool> {};

TEST_P(LockfileDifferentialTest, PlansMatchClosuresOfTheModel) {
  const bool v9 = GetParam();
  std::mt19937 rng(v9 ? 9 : 6);
  Model model = random_model(rng);
  GitRepo repo;
  repo.write("wharf.toml", config_of(model));
  for (int s = 0; s < kServices; ++s) repo.write(fmt::format("services/svc{}/package.json", s), "{}\n");
  for (int p = 0; p < kPackages; ++p) repo.write(fmt::format("packages/pkg{}/package.json", p), "{}\n");
  std::vector<std::string> shas;
  std::vector<Model> models;
  for (int c = 0; c < 16; ++c) {
    if (c > 0) {
      int edits = 1 + static_cast<int>(rng() % 2);
      for (int k = 0; k < edits; ++k) mutate(model, rng);
    }
    repo.write("pnpm-lock.yaml", model.render(v9));
    repo.write("notes.txt", fmt::format("commit {}\n", c));  // never an input: every pair has a diff
    shas.push_back(repo.commit(fmt::format("c{}", c)));
    models.push_back(model);
  }
  auto config = graph::parse_config(config_of(models.front()), "wharf.toml");
  ASSERT_TRUE(config) << config.error().message;
  auto graph = graph::Graph::build(std::move(*config));
  ASSERT_TRUE(graph) << graph.error().message;
  auto opened = vcs::Repository::open(repo.path());
  ASSERT_TRUE(opened);

  // Verdicts kept between runs (the cache) accumulate over the cases: each
  // plan runs twice, the second time from what the first kept.
  MemoryStore store;
  int cases = 0, deploys = 0;
  for (std::size_t b = 0; b < shas.size(); ++b) {
    // Near heads: far apart, nearly every service has some change.
    for (std::size_t h : {b + 1, b + 2, b + 4}) {
      if (h >= shas.size()) continue;
      PlanOptions options;
      options.since = shas[b];
      options.head = shas[h];
      options.parsed_store = &store;
      auto plan = compute_plan(*opened, *graph, options);
      ASSERT_TRUE(plan) << plan.error().message;
      EXPECT_TRUE(plan->warnings.empty()) << plan->warnings.front();
      auto again = compute_plan(*opened, *graph, options);
      ASSERT_TRUE(again) << again.error().message;
      EXPECT_EQ(again->stats.lockfiles_read, 0u);
      const bool text_changed = models[b].render(v9) != models[h].render(v9);
      for (int s = 0; s < kServices; ++s) {
        const ServicePlan& got = plan->services.at(static_cast<std::size_t>(s));
        bool expected = text_changed && (models[b].overrides != models[h].overrides ||
                                         models[b].closure({0, 1 + s}) != models[h].closure({0, 1 + s}));
        EXPECT_EQ(got.action == Action::deploy, expected)
            << "svc" << s << " from c" << b << " to c" << h << (got.reasons.empty() ? "" : ": " + got.reasons[0].detail);
        const ServicePlan& kept = again->services.at(static_cast<std::size_t>(s));
        EXPECT_EQ(kept.action, got.action) << "svc" << s << " from c" << b << " to c" << h << ", from the kept verdicts";
        EXPECT_EQ(kept.reasons.empty() ? "" : kept.reasons[0].detail, got.reasons.empty() ? "" : got.reasons[0].detail);
        ++cases;
        deploys += expected;
      }
    }
  }
  // The random edits must give both answers often, or the test proves little.
  EXPECT_GT(cases, 180);
  EXPECT_GT(deploys, cases / 5);
  EXPECT_LT(deploys, cases * 4 / 5);
}

INSTANTIATE_TEST_SUITE_P(PnpmVersions, LockfileDifferentialTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? std::string("v9") : std::string("v6"); });

}  // namespace
}  // namespace wharf::plan

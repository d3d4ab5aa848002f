#include "plan/plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "util/text.h"
#include "vcs/tree_diff.h"

namespace wharf::plan {

const char* to_string(ReasonKind kind) {
  switch (kind) {
    case ReasonKind::path: return "path";
    case ReasonKind::package: return "package";
    case ReasonKind::workspace: return "workspace";
    case ReasonKind::not_live: return "not-live";
    case ReasonKind::missing_base: return "missing-base";
  }
  return "?";
}

bool Plan::any_deploy() const {
  return std::any_of(services.begin(), services.end(), [](const auto& s) { return s.action == Action::deploy; });
}

namespace {

ReasonKind reason_kind(graph::InputKind kind) {
  switch (kind) {
    case graph::InputKind::path: return ReasonKind::path;
    case graph::InputKind::package: return ReasonKind::package;
    case graph::InputKind::workspace: return ReasonKind::workspace;
  }
  return ReasonKind::path;
}

bool accepts(const graph::Service& service, const graph::Input& input, std::string_view path) {
  if (!input.pattern().matches(path) || graph::Graph::is_excluded(service, path)) return false;
  if (input.own_excludes) {
    for (const auto& exclude : *input.own_excludes) {
      if (exclude.pattern.matches(path)) return false;
    }
  }
  return true;
}

// A base resolved once per distinct revision string and per commit.
struct ResolvedBase {
  vcs::ObjectId commit;
  vcs::TreePtr tree;
  int users = 0;  // services diffed from this base
  // Every path changed between this base and head, computed once when many
  // services share the base (--since): one walk, then a binary search per
  // input root instead of a walk per root.
  const std::vector<std::string>* all_changes = nullptr;
};

// What every worker reads and nobody writes while services are planned.
struct Shared {
  const graph::Graph& graph;
  const PlanOptions& options;
  vcs::ObjectId head;
  std::vector<std::string> uncommitted;   // --worktree paths, sorted
  std::map<std::string, int> users_per_rev;  // services per base revision
};

// Plans services on one thread with its own repository handle (libgit2
// objects are not shared across threads), tree cache and resolved bases.
class Worker {
 public:
  Worker(const vcs::Repository& repo, const Shared& shared) : repo_(repo), shared_(shared), differ_(repo) {}

  Result<void> load_head();
  Result<void> plan_service(const graph::Service& service, ServicePlan& out);

  std::size_t bases() const { return bases_.size(); }
  const vcs::TreeDiffer& differ() const { return differ_; }

 private:
  Result<ResolvedBase*> base_for(const std::string& service, const std::string& rev, bool* missing);
  // Calls visit(path) for each committed change at or below `root`, in
  // bytewise order, until it returns true.
  template <class Visit>
  Result<void> for_each_change(ResolvedBase& base, const std::string& root, Visit&& visit);

  const vcs::Repository& repo_;
  const Shared& shared_;
  vcs::TreeDiffer differ_;
  vcs::TreePtr head_tree_;
  std::map<std::string, vcs::ObjectId> rev_to_commit_;
  std::map<std::string, ResolvedBase> bases_;  // by commit hex (after merge-base)
};

class Planner {
 public:
  Planner(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options)
      : repo_(repo), graph_(graph), options_(options) {}

  Result<Plan> run();

 private:
  void warn_unmatched_patterns(git_tree* head_tree);
  Result<void> plan_all(const Shared& shared, const std::vector<const graph::Service*>& selected,
                        const std::vector<std::size_t>& order, std::vector<ServicePlan>& planned);

  const vcs::Repository& repo_;
  const graph::Graph& graph_;
  const PlanOptions& options_;
  vcs::ObjectId head_;
  Plan plan_;
};

Result<void> Worker::load_head() {
  auto tree = repo_.commit_tree(shared_.head);
  if (!tree) return std::unexpected(tree.error());
  head_tree_ = std::move(*tree);
  return ok();
}

template <class Visit>
Result<void> Worker::for_each_change(ResolvedBase& base, const std::string& root, Visit&& visit) {
  if (base.users < shared_.options.whole_diff_min_services) {
    // Few services on this base (--live): walk only below `root`, and only
    // until the first change the caller accepts. Tree order is bytewise
    // path order, so the first path is the same as in the whole-diff branch.
    auto walked = differ_.visit_changes(base.tree.get(), head_tree_.get(), root, visit);
    if (!walked) return std::unexpected(walked.error());
    return ok();
  }
  if (!base.all_changes) {
    auto changed = differ_.changed_paths(base.tree.get(), head_tree_.get(), "");
    if (!changed) return std::unexpected(changed.error());
    base.all_changes = *changed;
  }
  const auto& all = *base.all_changes;
  if (root.empty()) {
    for (const std::string& path : all) {
      if (visit(path)) break;
    }
    return ok();
  }
  // `root` itself, then everything below it ("root/..." is contiguous in
  // bytewise order; "root-x" sorts between the two and is skipped).
  auto exact = std::lower_bound(all.begin(), all.end(), root);
  if (exact != all.end() && *exact == root && visit(*exact)) return ok();
  std::string below = root + '/';
  for (auto it = std::lower_bound(all.begin(), all.end(), below);
       it != all.end() && it->compare(0, below.size(), below) == 0; ++it) {
    if (visit(*it)) break;
  }
  return ok();
}

Result<ResolvedBase*> Worker::base_for(const std::string& service, const std::string& rev, bool* missing) {
  *missing = false;
  auto known = rev_to_commit_.find(rev);
  if (known == rev_to_commit_.end()) {
    auto resolved = repo_.resolve_commit(rev);
    const std::string from = shared_.options.live ? fmt::format("live SHA '{}' of service '{}'", rev, service)
                                           : fmt::format("--since '{}'", rev);
    if (!resolved) {
      switch (resolved.error().failure) {
        case vcs::ResolveFailure::ambiguous:
          return fail(ErrorKind::repository,
                      fmt::format("{} is ambiguous: several objects start with it; give more hex digits "
                                  "(the full 40-character SHA)",
                                  from));
        case vcs::ResolveFailure::not_found:
          if (shared_.options.missing_base == MissingBase::deploy) {
            *missing = true;
            return nullptr;
          }
          return fail(ErrorKind::repository,
                      fmt::format("{} is not in this repository{}; fetch more history (git fetch --unshallow, "
                                  "or fetch-depth: 0 in CI) or pass --missing-base=deploy to deploy it anyway",
                                  from, repo_.is_shallow() ? " (the clone is shallow)" : ""));
        case vcs::ResolveFailure::invalid:
          return fail(ErrorKind::repository,
                      fmt::format("{} is not a revision: {}", from, resolved.error().message));
      }
    }
    known = rev_to_commit_.emplace(rev, *resolved).first;
  }
  vcs::ObjectId commit = known->second;
  if (shared_.options.merge_base) {
    auto base = repo_.merge_base(commit, shared_.head);
    if (!base) return std::unexpected(base.error());
    commit = *base;
  }
  std::string key = commit.hex();
  auto it = bases_.find(key);
  if (it == bases_.end()) {
    auto tree = repo_.commit_tree(commit);
    if (!tree) return std::unexpected(tree.error());
    it = bases_.emplace(key, ResolvedBase{commit, std::move(*tree)}).first;
  }
  if (auto users = shared_.users_per_rev.find(rev); users != shared_.users_per_rev.end()) {
    it->second.users = std::max(it->second.users, users->second);
  }
  return &it->second;
}

Result<void> Worker::plan_service(const graph::Service& service, ServicePlan& out) {
  out.name = service.name;
  std::optional<std::string> rev;
  if (shared_.options.live) {
    if (auto it = shared_.options.live->find(service.name); it != shared_.options.live->end()) rev = it->second;
  } else {
    rev = shared_.options.since;
  }
  if (!rev) {
    out.action = Action::deploy;
    out.reasons.push_back(Reason{ReasonKind::not_live, "", "", false});
    return ok();
  }
  out.base_rev = *rev;
  bool missing = false;
  auto base = base_for(service.name, *rev, &missing);
  if (!base) return std::unexpected(base.error());
  if (missing) {
    out.action = Action::deploy;
    out.reasons.push_back(Reason{ReasonKind::missing_base, "", "", false});
    return ok();
  }
  out.base = (*base)->commit.hex();

  // One reason per route; within a route, the first accepted path in pattern
  // order (committed changes first, then uncommitted ones).
  for (std::size_t i = 0; i < service.inputs.size(); ++i) {
    const graph::Input& input = service.inputs[i];
    ReasonKind kind = reason_kind(input.kind);
    bool have_route = std::any_of(out.reasons.begin(), out.reasons.end(),
                                  [&](const Reason& r) { return r.kind == kind && r.via == input.via; });
    if (have_route) continue;
    const std::string& root = input.pattern().root();
    // A copy: the walk reuses its path buffer.
    std::optional<std::string> found;
    auto walked = for_each_change(**base, root, [&](const std::string& path) {
      if (!accepts(service, input, path)) return false;
      found = path;
      return true;
    });
    if (!walked) return std::unexpected(walked.error());
    bool uncommitted = false;
    if (!found && shared_.options.worktree) {
      for (auto it = std::lower_bound(shared_.uncommitted.begin(), shared_.uncommitted.end(), root);
           it != shared_.uncommitted.end() && graph::is_at_or_below(*it, root); ++it) {
        if (accepts(service, input, *it)) {
          found = *it;
          uncommitted = true;
          break;
        }
      }
    }
    if (found) out.reasons.push_back(Reason{kind, *found, std::string(input.via), uncommitted});
  }
  out.action = out.reasons.empty() ? Action::skip : Action::deploy;
  return ok();
}

void Planner::warn_unmatched_patterns(git_tree* head_tree) {
  std::set<std::string> checked;
  auto check = [&](const graph::PatternEntry& entry) {
    const graph::PathPattern& pattern = entry.pattern;
    if (!checked.insert(pattern.text()).second) return;
    // A literal path matches iff its entry exists (git stores no empty
    // directories); only globs need a walk, which stops at the first match.
    bool matched = pattern.is_literal() ? vcs::path_exists(head_tree, pattern.text())
                                        : vcs::find_path(repo_, head_tree, pattern.root(),
                                                         [&](const std::string& path) { return pattern.matches(path); })
                                              .value_or(true);
    if (!matched) {
      plan_.warnings.push_back(fmt::format("{}: warning: '{}' matches nothing at {} ({}); check the spelling",
                                           entry.where.str(), pattern.text(), options_.head, head_.short_hex()));
    }
  };
  const auto& config = graph_.config();
  for (const auto& entry : config.workspace.inputs) check(entry);
  for (const auto& package : config.packages) {
    for (const auto& entry : package.paths) check(entry);
  }
  for (const auto& service : config.services) {
    for (const auto& entry : service.paths) check(entry);
  }
}

// Below this many distinct bases a second thread costs more (its own
// repository handle and tree reads) than it saves.
constexpr std::size_t kBasesPerThread = 64;

Result<void> Planner::plan_all(const Shared& shared, const std::vector<const graph::Service*>& selected,
                               const std::vector<std::size_t>& order, std::vector<ServicePlan>& planned) {
  const std::size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads =
      options_.threads ? options_.threads
                       : std::clamp<std::size_t>(shared.users_per_rev.size() / kBasesPerThread, 1,
                                                 std::min<std::size_t>(hardware, 4));
  // Contiguous slices of `order` (services grouped by base), cut only where
  // the base revision changes, so no two workers read the same base.
  auto rev_of = [&](std::size_t i) -> std::string {
    if (!options_.live) return options_.since.value_or("");
    auto it = options_.live->find(selected[i]->name);
    return it == options_.live->end() ? "" : it->second;
  };
  std::vector<std::size_t> cuts{0};
  for (std::size_t t = 1; t < threads; ++t) {
    std::size_t cut = std::max(cuts.back(), order.size() * t / threads);
    while (cut > cuts.back() && cut < order.size() && rev_of(order[cut]) == rev_of(order[cut - 1])) ++cut;
    cuts.push_back(cut);
  }
  cuts.push_back(order.size());

  struct Slice {
    std::optional<vcs::Repository> own_repo;  // threads other than the first open their own
    std::unique_ptr<Worker> worker;
    std::optional<Error> error;
    std::size_t error_at = 0;
  };
  std::vector<Slice> slices(cuts.size() - 1);
  auto run_slice = [&](std::size_t s) {
    Slice& slice = slices[s];
    const vcs::Repository* repo = &repo_;
    if (s > 0) {
      auto opened = vcs::Repository::open(repo_.git_dir());
      if (!opened) {
        slice.error = opened.error();
        slice.error_at = cuts[s];
        return;
      }
      slice.own_repo.emplace(std::move(*opened));
      repo = &*slice.own_repo;
    }
    slice.worker = std::make_unique<Worker>(*repo, shared);
    if (auto loaded = slice.worker->load_head(); !loaded) {
      slice.error = loaded.error();
      slice.error_at = cuts[s];
      return;
    }
    for (std::size_t k = cuts[s]; k < cuts[s + 1]; ++k) {
      std::size_t i = order[k];
      if (auto done = slice.worker->plan_service(*selected[i], planned[i]); !done) {
        slice.error = done.error();
        slice.error_at = k;
        return;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (std::size_t s = 1; s < slices.size(); ++s) helpers.emplace_back(run_slice, s);
    run_slice(0);
  }  // joins
  // The error a single thread would have met first.
  const Slice* failed = nullptr;
  for (const auto& slice : slices) {
    if (slice.error && (!failed || slice.error_at < failed->error_at)) failed = &slice;
  }
  if (failed) return std::unexpected(*failed->error);
  for (const auto& slice : slices) {
    plan_.stats.distinct_bases += slice.worker->bases();
    plan_.stats.trees_walked += slice.worker->differ().trees_walked();
    plan_.stats.entries_visited += slice.worker->differ().entries_visited();
    plan_.stats.memo_hits += slice.worker->differ().memo_hits();
  }
  plan_.stats.threads = slices.size();
  return ok();
}

Result<Plan> Planner::run() {
  auto head = repo_.resolve_commit(options_.head);
  if (!head) {
    return fail(ErrorKind::repository, fmt::format("--head '{}' does not name a commit: {}", options_.head,
                                                   head.error().message));
  }
  head_ = *head;
  plan_.head = head_.hex();
  Shared shared{graph_, options_, head_, {}, {}};
  if (options_.worktree) {
    auto paths = repo_.uncommitted_paths();
    if (!paths) return std::unexpected(paths.error());
    shared.uncommitted = std::move(*paths);
  }

  std::set<std::string> wanted(options_.services.begin(), options_.services.end());
  std::vector<std::string> names;
  for (const auto& service : graph_.services()) names.push_back(service.name);
  for (const auto& name : wanted) {
    if (!graph_.find_service(name)) {
      std::string hint = nearest(name, names);
      return fail(ErrorKind::usage, fmt::format("--services: no service '{}' in {}{}", name, graph_.config().file,
                                                hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  {
    auto head_tree = repo_.commit_tree(head_);
    if (!head_tree) return std::unexpected(head_tree.error());
    warn_unmatched_patterns(head_tree->get());
  }

  std::vector<const graph::Service*> selected;
  for (const auto& service : graph_.services()) {
    if (!wanted.empty() && !wanted.contains(service.name)) continue;
    selected.push_back(&service);
    if (options_.live) {
      if (auto it = options_.live->find(service.name); it != options_.live->end()) ++shared.users_per_rev[it->second];
    } else if (options_.since) {
      ++shared.users_per_rev[*options_.since];
    }
  }
  // Services grouped by base, oldest base first, so that worker threads get
  // whole bases. Output keeps wharf.toml order.
  std::vector<std::pair<std::pair<std::int64_t, std::string>, std::size_t>> keyed;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    std::pair<std::int64_t, std::string> key{0, ""};
    if (options_.live) {
      if (auto it = options_.live->find(selected[i]->name); it != options_.live->end()) {
        key = {repo_.commit_time(it->second).value_or(0), it->second};
      }
    }
    keyed.emplace_back(std::move(key), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::size_t> order;
  for (const auto& [key, i] : keyed) order.push_back(i);

  std::vector<ServicePlan> planned(selected.size());
  if (auto done = plan_all(shared, selected, order, planned); !done) return std::unexpected(done.error());
  plan_.services = std::move(planned);
  for (const auto& service : plan_.services) {
    if (!service.reasons.empty() && service.reasons.front().kind == ReasonKind::missing_base) {
      plan_.warnings.push_back(fmt::format("service '{}': live SHA '{}' is not in this repository; deploying it "
                                           "(--missing-base=deploy)",
                                           service.name, service.base_rev));
    }
  }
  if (options_.live) {
    for (const auto& [name, _] : *options_.live) {
      if (!graph_.find_service(name)) plan_.orphans.push_back(name);
    }
  }
  return std::move(plan_);
}

}  // namespace

Result<Plan> compute_plan(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options) {
  Planner planner(repo, graph, options);
  return planner.run();
}

}  // namespace wharf::plan

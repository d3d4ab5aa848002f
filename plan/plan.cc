#include "plan/plan.h"

#include <algorithm>
#include <map>
#include <set>

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

// From this many services on one base, one whole-tree diff beats one rooted
// walk per input (callgrind on the 500-service bench repo, --since: 190M ->
// 150M instructions for the whole run).
constexpr int kWholeDiffUsers = 8;

class Planner {
 public:
  Planner(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options)
      : repo_(repo), graph_(graph), options_(options), differ_(repo) {}

  Result<Plan> run();

 private:
  Result<ResolvedBase*> base_for(const std::string& service, const std::string& rev, bool* missing);
  Result<void> plan_service(const graph::Service& service, ServicePlan& out);
  // Calls visit(path) for each committed change at or below `root`, in
  // bytewise order, until it returns true.
  template <class Visit>
  Result<void> for_each_change(ResolvedBase& base, const std::string& root, Visit&& visit);
  void warn_unmatched_patterns();

  const vcs::Repository& repo_;
  const graph::Graph& graph_;
  const PlanOptions& options_;
  vcs::TreeDiffer differ_;
  vcs::ObjectId head_;
  vcs::TreePtr head_tree_;
  std::vector<std::string> uncommitted_;
  std::map<std::string, vcs::ObjectId> rev_to_commit_;
  std::map<std::string, int> users_per_rev_;
  std::map<std::string, ResolvedBase> bases_;  // by commit hex (after merge-base)
  Plan plan_;
};

template <class Visit>
Result<void> Planner::for_each_change(ResolvedBase& base, const std::string& root, Visit&& visit) {
  if (base.users < kWholeDiffUsers) {
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

Result<ResolvedBase*> Planner::base_for(const std::string& service, const std::string& rev, bool* missing) {
  *missing = false;
  auto known = rev_to_commit_.find(rev);
  if (known == rev_to_commit_.end()) {
    auto resolved = repo_.resolve_commit(rev);
    const std::string from = options_.live ? fmt::format("live SHA '{}' of service '{}'", rev, service)
                                           : fmt::format("--since '{}'", rev);
    if (!resolved) {
      switch (resolved.error().failure) {
        case vcs::ResolveFailure::ambiguous:
          return fail(ErrorKind::repository,
                      fmt::format("{} is ambiguous: several objects start with it; give more hex digits "
                                  "(the full 40-character SHA)",
                                  from));
        case vcs::ResolveFailure::not_found:
          if (options_.missing_base == MissingBase::deploy) {
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
  if (options_.merge_base) {
    auto base = repo_.merge_base(commit, head_);
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
  it->second.users = std::max(it->second.users, users_per_rev_[rev]);
  return &it->second;
}

Result<void> Planner::plan_service(const graph::Service& service, ServicePlan& out) {
  out.name = service.name;
  std::optional<std::string> rev;
  if (options_.live) {
    if (auto it = options_.live->find(service.name); it != options_.live->end()) rev = it->second;
  } else {
    rev = options_.since;
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
    plan_.warnings.push_back(fmt::format("service '{}': live SHA '{}' is not in this repository; deploying it "
                                         "(--missing-base=deploy)",
                                         service.name, *rev));
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
    if (!found && options_.worktree) {
      for (auto it = std::lower_bound(uncommitted_.begin(), uncommitted_.end(), root);
           it != uncommitted_.end() && graph::is_at_or_below(*it, root); ++it) {
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

void Planner::warn_unmatched_patterns() {
  std::set<std::string> checked;
  auto check = [&](const graph::PatternEntry& entry) {
    const graph::PathPattern& pattern = entry.pattern;
    if (!checked.insert(pattern.text()).second) return;
    // A literal path matches iff its entry exists (git stores no empty
    // directories); only globs need a walk, which stops at the first match.
    bool matched = pattern.is_literal() ? vcs::path_exists(head_tree_.get(), pattern.text())
                                        : vcs::find_path(repo_, head_tree_.get(), pattern.root(),
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

Result<Plan> Planner::run() {
  auto head = repo_.resolve_commit(options_.head);
  if (!head) {
    return fail(ErrorKind::repository, fmt::format("--head '{}' does not name a commit: {}", options_.head,
                                                   head.error().message));
  }
  head_ = *head;
  plan_.head = head_.hex();
  auto tree = repo_.commit_tree(head_);
  if (!tree) return std::unexpected(tree.error());
  head_tree_ = std::move(*tree);
  if (options_.worktree) {
    auto paths = repo_.uncommitted_paths();
    if (!paths) return std::unexpected(paths.error());
    uncommitted_ = std::move(*paths);
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

  warn_unmatched_patterns();
  for (const auto& service : graph_.services()) {
    if (!wanted.empty() && !wanted.contains(service.name)) continue;
    if (options_.live) {
      if (auto it = options_.live->find(service.name); it != options_.live->end()) ++users_per_rev_[it->second];
    } else if (options_.since) {
      ++users_per_rev_[*options_.since];
    }
  }
  // Plan services grouped by base, oldest base first: consecutive versions
  // of a big tree are deltas of one another in a pack, so reading them in
  // history order keeps libgit2's delta-base cache warm. Output keeps
  // wharf.toml order.
  std::vector<const graph::Service*> selected;
  for (const auto& service : graph_.services()) {
    if (wanted.empty() || wanted.contains(service.name)) selected.push_back(&service);
  }
  std::vector<std::pair<std::int64_t, std::size_t>> order;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    std::int64_t when = 0;
    if (options_.live) {
      if (auto it = options_.live->find(selected[i]->name); it != options_.live->end()) {
        when = repo_.commit_time(it->second).value_or(0);
      }
    }
    order.emplace_back(when, i);
  }
  std::stable_sort(order.begin(), order.end());
  std::vector<ServicePlan> planned(selected.size());
  for (const auto& [when, i] : order) {
    if (auto done = plan_service(*selected[i], planned[i]); !done) return std::unexpected(done.error());
  }
  plan_.services = std::move(planned);
  if (options_.live) {
    for (const auto& [name, _] : *options_.live) {
      if (!graph_.find_service(name)) plan_.orphans.push_back(name);
    }
  }
  plan_.stats.distinct_bases = bases_.size();
  plan_.stats.trees_walked = differ_.trees_walked();
  plan_.stats.entries_visited = differ_.entries_visited();
  plan_.stats.memo_hits = differ_.memo_hits();
  return std::move(plan_);
}

}  // namespace

Result<Plan> compute_plan(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options) {
  Planner planner(repo, graph, options);
  return planner.run();
}

}  // namespace wharf::plan

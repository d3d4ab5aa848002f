#include "plan/plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "plan/worker.h"
#include "util/text.h"
#include "vcs/tree_diff.h"

namespace wharf::plan {

const char* to_string(ReasonKind kind) {
  switch (kind) {
    case ReasonKind::path:
      return "path";
    case ReasonKind::package:
      return "package";
    case ReasonKind::workspace:
      return "workspace";
    case ReasonKind::not_live:
      return "not-live";
    case ReasonKind::missing_base:
      return "missing-base";
    case ReasonKind::live_error:
      return "live-error";
  }
  return "?";
}

ReasonKind reason_kind(graph::InputKind kind) {
  switch (kind) {
    case graph::InputKind::path:
      return ReasonKind::path;
    case graph::InputKind::package:
      return ReasonKind::package;
    case graph::InputKind::workspace:
      return ReasonKind::workspace;
  }
  return ReasonKind::path;
}

bool Plan::any_deploy() const {
  return std::any_of(services.begin(), services.end(), [](const auto& s) { return s.action == Action::deploy; });
}

namespace {

using detail::Shared;
using detail::Worker;

class Planner {
 public:
  Planner(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options)
      : repo_(repo), graph_(graph), options_(options) {}

  Result<Plan> run();

 private:
  // One thread's share of the services.
  struct Slice {
    std::optional<vcs::Repository> own_repo;  // threads other than the first open their own
    std::unique_ptr<Worker> worker;
    std::optional<Error> error;
    std::size_t error_at = 0;
  };

  // Warnings for config paths that match nothing in `head_tree`. Looks paths
  // up through `lookups`, whose subtrees the plan has mostly read already.
  std::vector<std::string> unmatched_patterns(vcs::TreeDiffer& lookups, git_tree* head_tree) const;
  // In a partial clone: the lockfile blobs the plan will read, in one fetch.
  void prefetch_lockfiles(LockfileJudge& lockfiles, const detail::Shared& shared);
  Result<void> plan_all(const Shared& shared, const std::vector<const graph::Service*>& selected,
                        const std::vector<std::size_t>& order, std::vector<ServicePlan>& planned);

  const vcs::Repository& repo_;
  const graph::Graph& graph_;
  const PlanOptions& options_;
  vcs::ObjectId head_;
  Plan plan_;
  std::vector<Slice> slices_;  // slice 0 runs on the calling thread with repo_
};

std::vector<std::string> Planner::unmatched_patterns(vcs::TreeDiffer& lookups, git_tree* head_tree) const {
  std::vector<const graph::PatternEntry*> checked;
  const auto& config = graph_.config();
  for (const auto& entry : config.workspace.inputs) checked.push_back(&entry);
  for (const auto& package : config.packages) {
    for (const auto& entry : package.paths) checked.push_back(&entry);
  }
  for (const auto& service : config.services) {
    for (const auto& entry : service.paths) checked.push_back(&entry);
  }

  std::vector<std::string> warnings;
  std::unordered_set<std::string_view> seen;  // a text written twice is warned about once
  for (const graph::PatternEntry* checked_entry : checked) {
    const graph::PatternEntry& entry = *checked_entry;
    const graph::PathPattern& pattern = entry.pattern;
    if (!seen.insert(pattern.text()).second) continue;
    // A literal path matches iff its entry exists (git stores no empty
    // directories); only globs need a walk, which stops at the first match.
    bool matched = pattern.is_literal() ? lookups.entry_at(head_tree, pattern.text()) != nullptr
                                        : lookups
                                              .find_path(head_tree, pattern.root(),
                                                         [&](const std::string& path) { return pattern.matches(path); })
                                              .value_or(true);
    if (matched) continue;
    warnings.push_back(fmt::format("{}: warning: '{}' matches nothing at {} ({}); check the spelling",
                                   entry.where.str(), entry.pattern.text(), options_.head, head_.short_hex()));
  }
  return warnings;
}

// Whether a workspace input can match a lockfile: a literal one naming it,
// or a glob.
bool has_lockfile_input(const graph::Config& config) {
  return std::any_of(config.workspace.inputs.begin(), config.workspace.inputs.end(), [](const auto& entry) {
    return !entry.pattern.is_literal() || is_lockfile(entry.pattern.text());
  });
}

// Below this many distinct bases a second thread costs more (its own
// repository handle and tree reads) than it saves. Splitting services that
// share one base does not pay: libgit2 reads all packs under one global
// lock, and each thread answers the shared packages again (--since on the
// benchmark repo: 10.3 ms with two threads, 9.3 ms with one).
constexpr std::size_t kBasesPerThread = 64;

Result<void> Planner::plan_all(const Shared& shared, const std::vector<const graph::Service*>& selected,
                               const std::vector<std::size_t>& order, std::vector<ServicePlan>& planned) {
  const std::size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = options_.threads ? options_.threads
                                               : std::clamp<std::size_t>(shared.users_per_rev.size() / kBasesPerThread,
                                                                         1, std::min<std::size_t>(hardware, 4));
  // Contiguous slices of `order` (services grouped by base) of about equal
  // size. A cut moves forward to where the base revision changes when that is
  // near, so that fewer bases are read by two workers; one base shared by
  // all (--since) is simply split.
  auto rev_of = [&](std::size_t i) -> std::string {
    if (!options_.live) return options_.since.value_or("");
    auto it = options_.live->find(selected[i]->name);
    return it == options_.live->end() ? "" : it->second;
  };
  const std::size_t slack = order.size() / (8 * threads);
  std::vector<std::size_t> cuts{0};
  for (std::size_t t = 1; t < threads; ++t) {
    const std::size_t even = std::max(cuts.back(), order.size() * t / threads);
    std::size_t cut = even;
    while (cut > cuts.back() && cut < order.size() && cut - even < slack &&
           rev_of(order[cut]) == rev_of(order[cut - 1])) {
      ++cut;
    }
    if (cut - even >= slack) cut = even;  // no base boundary near: split the base
    cuts.push_back(cut);
  }
  cuts.push_back(order.size());
  // A slice left empty (fewer services than threads) gets no thread.
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  if (cuts.size() == 1) cuts.push_back(order.size());

  std::vector<Slice>& slices = slices_;
  slices.resize(cuts.size() - 1);
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
    plan_.stats.memo_hits += slice.worker->memo_hits();
  }
  plan_.stats.threads = slices.size();
  return ok();
}

void Planner::prefetch_lockfiles(LockfileJudge& lockfiles, const Shared& shared) {
  std::vector<std::string> paths;
  for (const auto& entry : graph_.config().workspace.inputs) {
    if (entry.pattern.is_literal() && is_lockfile(entry.pattern.text())) paths.push_back(entry.pattern.text());
  }
  std::vector<vcs::ObjectId> bases;
  for (const auto& [rev, users] : shared.users_per_rev) {
    auto base = repo_.resolve_commit(rev);
    if (!base) continue;  // the plan reports it
    if (options_.merge_base) {
      auto fork = repo_.merge_base(*base, head_);
      if (!fork) continue;
      base = *fork;
    }
    bases.push_back(*base);
  }
  lockfiles.prefetch(paths, bases, head_);
}

Result<Plan> Planner::run() {
  auto head = repo_.resolve_commit(options_.head);
  if (!head) {
    return fail(ErrorKind::repository,
                fmt::format("--head '{}' does not name a commit: {}", options_.head, head.error().message));
  }
  head_ = *head;
  plan_.head = head_.hex();
  plan_.stats.phases.lap("resolve-head");
  Shared shared{graph_, options_, head_, {}, {}, nullptr};
  std::unique_ptr<LockfileJudge> lockfiles;
  const std::string& mode = options_.lockfile.empty() ? graph_.config().workspace.lockfile.value : options_.lockfile;
  if (mode != "whole" && has_lockfile_input(graph_.config())) {
    lockfiles = std::make_unique<LockfileJudge>(repo_, options_.parsed_store, options_.fetch_blobs);
    shared.lockfiles = lockfiles.get();
  }
  if (options_.worktree && options_.uncommitted) {
    shared.uncommitted = *options_.uncommitted;
  } else if (options_.worktree) {
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
  plan_.stats.phases.lap("prepare");

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
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::size_t> order;
  for (const auto& [key, i] : keyed) order.push_back(i);

  plan_.stats.phases.lap("order");
  if (lockfiles && options_.fetch_blobs) {
    prefetch_lockfiles(*lockfiles, shared);
    plan_.stats.phases.lap("fetch-lockfiles");
  }
  std::vector<ServicePlan> planned(selected.size());
  if (auto done = plan_all(shared, selected, order, planned); !done) return std::unexpected(done.error());
  plan_.stats.phases.lap("services");
  // After the plan: the trees along every input root are read by then.
  Worker& first = *slices_.front().worker;
  auto unmatched = unmatched_patterns(first.differ(), first.head_tree());
  plan_.warnings.insert(plan_.warnings.begin(), unmatched.begin(), unmatched.end());
  plan_.stats.phases.lap("check-patterns");
  if (lockfiles) {
    lockfiles->save();
    auto problems = lockfiles->warnings();
    plan_.warnings.insert(plan_.warnings.end(), problems.begin(), problems.end());
    plan_.stats.lockfiles_parsed = lockfiles->parsed();
    plan_.stats.lockfiles_read = lockfiles->read();
  }
  plan_.services = std::move(planned);
  for (const auto& service : plan_.services) {
    if (!service.reasons.empty() && service.reasons.front().kind == ReasonKind::missing_base) {
      plan_.warnings.push_back(
          fmt::format("service '{}': live SHA '{}' is not in this repository; deploying it "
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

// The affected-service plan: for each service, DEPLOY or skip, and why,
// against the SHA live for that service (or one --since base).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "plan/live.h"
#include "plan/lockfiles.h"
#include "util/stopwatch.h"
#include "vcs/repository.h"

namespace wharf::plan {

enum class MissingBase { error, deploy };

struct PlanOptions {
  std::optional<std::string> since;  // one base for every service
  std::optional<LiveShas> live;      // per-service bases; absent service = not live
  std::string head = "HEAD";
  bool worktree = false;    // also count uncommitted and untracked (not ignored) paths
  // With `worktree`: those paths, sorted, when the caller computed them
  // (workspace/worktree.h); unset: from libgit2's status.
  std::optional<std::vector<std::string>> uncommitted;
  bool merge_base = false;  // diff from merge-base(base, head), as a PR preview does
  MissingBase missing_base = MissingBase::error;
  std::vector<std::string> services;  // limit the plan to these (empty = all)
  std::size_t threads = 0;            // 0: from the number of distinct bases and cores
  // Where parsed lockfiles are kept between runs (plan/lockfiles.h); null:
  // parsed on every run. Unused with `lockfile = "whole"` in [workspace].
  ParsedStore* parsed_store = nullptr;
  std::string lockfile;  // "auto" or "whole" overrides [workspace] lockfile; "" = as configured
  // In a partial clone, fetches blobs it lacks (lockfiles at old bases), all
  // in one call, and says whether it did (workspace/fetch.h); unset: a
  // missing blob makes the lockfile count as changed.
  std::function<bool(const std::vector<std::string>& blob_ids)> fetch_blobs;
};

// live_error: an environment's source could not say what is live (with
// --missing-base=deploy); `path` holds what went wrong.
enum class ReasonKind { path, package, workspace, not_live, missing_base, live_error };
const char* to_string(ReasonKind kind);
// The reason a change reaching a service through an input of this kind gives.
ReasonKind reason_kind(graph::InputKind kind);

struct Reason {
  ReasonKind kind = ReasonKind::path;
  std::string path;          // first changed input path reached this way ("" for not_live/missing_base)
  std::string via;           // the package name for ReasonKind::package
  bool uncommitted = false;  // the path changed in the work tree, not in a commit
  std::string detail;        // for a lockfile: what changed for this service ("lockfile: react 18.2.0 -> 18.3.1")
};

enum class Action { deploy, skip };

// Where a service's live value came from, for plans of an environment
// (`wharf plan --env`).
struct LiveInfo {
  std::string source;                // ledger, http, command, file
  std::string origin;                // "GET <url>", "command `...`", ...
  std::optional<std::string> value;  // what the source said
  std::string error;                 // why it could not be read, or ""
};

// The environment runs something other than what wharf's ledger recorded for
// it (a hotfix, a manual deploy, a rollback outside wharf).
struct Drift {
  std::string live;      // full SHA
  std::string recorded;  // full SHA
};

struct ServicePlan {
  std::string name;
  Action action = Action::skip;
  std::optional<std::string> base;  // full SHA diffed from, when there is one
  std::string base_rev;             // the revision as given (live file or --since)
  std::vector<Reason> reasons;      // one per route (own paths, each package, workspace)
  std::optional<LiveInfo> live;     // plans of an environment only
  std::optional<Drift> drift;
};

struct PlanStats {
  std::size_t distinct_bases = 0;
  std::size_t trees_walked = 0;
  std::size_t entries_visited = 0;
  std::size_t memo_hits = 0;
  std::size_t threads = 0;
  std::size_t lockfiles_parsed = 0;  // lockfile blobs parsed (not found in the ParsedStore)
  std::size_t lockfiles_read = 0;    // parsed or decoded: 0 when the store had every verdict
  Stopwatch phases;  // wall time of each step of compute_plan
};

struct Plan {
  std::string head;                   // full SHA of the head commit
  std::vector<ServicePlan> services;  // in wharf.toml order
  std::vector<std::string> orphans;   // live but no longer configured, sorted
  std::vector<std::string> warnings;  // for stderr
  PlanStats stats;

  bool any_deploy() const;
};

// Computes the plan. Errors: ErrorKind::usage (unknown --services name),
// ErrorKind::repository (bad head, missing or ambiguous base: the message
// names the service and the SHA and says what to do).
Result<Plan> compute_plan(const vcs::Repository& repo, const graph::Graph& graph, const PlanOptions& options);

}  // namespace wharf::plan

#include "workspace/plan.h"

#include "workspace/fetch.h"
#include "workspace/worktree.h"

namespace wharf::workspace {

plan::PlanOptions plan_options(const PlanRequest& request) {
  plan::PlanOptions options;
  options.head = request.head;
  options.worktree = request.worktree;
  options.merge_base = request.merge_base;
  options.missing_base = request.missing_base;
  options.services = request.services;
  options.threads = request.threads;
  options.lockfile = request.lockfile;
  return options;
}

Result<plan::Plan> plan_services(Workspace& workspace, const Options& options, const PlanRequest& request,
                                 Stopwatch* laps) {
  if (request.since.empty() == request.live_file.empty()) {
    return fail(ErrorKind::usage,
                "give exactly one of --since REV (one base for every service), --live FILE "
                "(a JSON object service -> live SHA) or --env NAME (an environment of wharf.toml)");
  }
  plan::PlanOptions plan_options = workspace::plan_options(request);
  plan_options.parsed_store = workspace.parsed_store();
  if (!request.since.empty()) plan_options.since = request.since;
  if (!request.live_file.empty()) {
    auto live = plan::load_live(from_directory(options, request.live_file));
    if (!live) return std::unexpected(live.error());
    plan_options.live = std::move(*live);
    if (laps) laps->lap("read-live");
  }
  if (auto bases = ensure_bases(workspace.repo(), plan_options, request.fetch_remote, workspace.host()); !bases) {
    return std::unexpected(bases.error());
  }
  if (!request.fetch_remote.empty()) {
    plan_options.fetch_blobs = blob_fetcher(workspace.repo(), request.fetch_remote, workspace.host());
  }
  if (laps) laps->lap("check-bases");
  if (request.worktree) {
    auto changed = worktree_changes(workspace);
    if (!changed) return std::unexpected(changed.error());
    plan_options.uncommitted = std::move(*changed);
    if (laps) laps->lap("worktree");
  }
  return plan::compute_plan(workspace.repo(), workspace.graph(), plan_options);
}

}  // namespace wharf::workspace

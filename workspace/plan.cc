#include "workspace/plan.h"

namespace wharf::workspace {

Result<plan::Plan> plan_services(const Workspace& workspace, const Options& options, const PlanRequest& request,
                                 Stopwatch* laps) {
  if (request.since.empty() == request.live_file.empty()) {
    return fail(ErrorKind::usage,
                "give exactly one of --since REV (one base for every service) or --live FILE "
                "(a JSON object service -> live SHA)");
  }
  plan::PlanOptions plan_options;
  plan_options.head = request.head;
  plan_options.worktree = request.worktree;
  plan_options.merge_base = request.merge_base;
  plan_options.missing_base = request.missing_base;
  plan_options.services = request.services;
  plan_options.threads = request.threads;
  if (!request.since.empty()) plan_options.since = request.since;
  if (!request.live_file.empty()) {
    auto live = plan::load_live(from_directory(options, request.live_file));
    if (!live) return std::unexpected(live.error());
    plan_options.live = std::move(*live);
    if (laps) laps->lap("read-live");
  }
  return plan::compute_plan(workspace.repo(), workspace.graph(), plan_options);
}

}  // namespace wharf::workspace

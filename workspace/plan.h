// `wharf plan` over a workspace: the plan's flags as given, checked, with
// the live file read, and the plan computed.
#pragma once

#include <string>

#include "plan/plan.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

struct PlanRequest {
  std::string since;        // one base for every service
  std::string live_file;    // JSON object service -> live SHA; relative to -C's directory
  std::string environment;  // --env: read live SHAs from this environment (workspace/environment.h)
  std::string head = "HEAD";
  bool worktree = false;
  bool merge_base = false;
  plan::MissingBase missing_base = plan::MissingBase::error;
  std::vector<std::string> services;  // empty: all
  std::size_t threads = 0;
  std::string fetch_remote;  // --fetch-missing: fetch missing bases from this remote (workspace/fetch.h)
  std::string lockfile;  // --lockfile auto|whole; "" = as [workspace] lockfile says
};

// The plan's options from the request (without its bases).
plan::PlanOptions plan_options(const PlanRequest& request);

// ErrorKind::usage unless exactly one of `since` and `live_file` is given;
// the errors of plan::load_live and plan::compute_plan.
Result<plan::Plan> plan_services(Workspace& workspace, const Options& options, const PlanRequest& request,
                                 Stopwatch* laps = nullptr);

}  // namespace wharf::workspace
